"""Adjoints of reading and writing parts of arrays: `x[index]`, `x[index] = value`."""

from ..registry import adjoint


@adjoint("getitem", linear=("x",))
def getitem(y, x, index):
    dx[index] += dy


@adjoint("setitem", linear=("x", "value"))
def setitem(y, x, index, value):
    """`y` is a copy of `x` with `y[index] = value`."""
    dx = _without(dy, index)
    dvalue = _written(dy, index, value)


@adjoint("helper._written", linear=("g",))
def written(y, g, index, value):
    dg = _written_transpose(dy, g, index, value)


@adjoint("helper._written_transpose", linear=("g",))
def written_transpose(z, g, y, index, value):
    """Linear in `g`, a gather of its elements by the labels of the write: its adjoint sums
    back per element of `value`, which is `_written` itself; `y` and `value` give shapes."""
    dg = _written(dz, index, value)
