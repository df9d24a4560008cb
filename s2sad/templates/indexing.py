"""Adjoints of reading and writing parts of arrays: `x[index]`, `x[index] = value`."""

from .registry import adjoint


@adjoint("getitem")
def getitem(y, x, index):
    dx[index] += dy


@adjoint("setitem")
def setitem(y, x, index, value):
    """`y` is a copy of `x` with `y[index] = value`."""
    dx = _without(dy, index)
    dvalue = _unbroadcast(dy[index], value)
