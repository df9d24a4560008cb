"""Adjoints of reading parts of arrays: `x[index]`."""

from .registry import adjoint


@adjoint("getitem")
def getitem(y, x, index):
    dx[index] += dy
