"""Adjoints of the helpers generated code calls: what a gradient of a gradient needs.

Each helper is linear in the adjoint it takes, so its adjoint with respect to
that argument is the forward operation it reverses; with respect to the other
operands it is the helper of the other side.
"""

import numpy as np

from ..registry import adjoint, nondifferentiable


@adjoint("helper._unbroadcast", linear=("g",))
def unbroadcast(y, g, x):
    dg = xp.broadcast_to(dy, xp.shape(g))


@adjoint("helper._spread", linear=("g",))
def spread(y, g, x, axis):
    dg = xp.reshape(xp.sum(dy, axis=axis), xp.shape(g))


@adjoint("helper._matmul_dlhs", multilinear=("g", "b"))
def matmul_dlhs(y, g, a, b):
    dg = xp.matmul(dy, b)
    db = _matmul_drhs(g, dy, b)


@adjoint("helper._matmul_drhs", multilinear=("g", "a"))
def matmul_drhs(y, g, a, b):
    dg = xp.matmul(a, dy)
    da = _matmul_dlhs(g, a, dy)


@adjoint("helper._dot_dlhs", multilinear=("g", "b"))
def dot_dlhs(y, g, a, b):
    dg = xp.dot(dy, b)
    db = _dot_drhs(g, dy, b)


@adjoint("helper._dot_drhs", multilinear=("g", "a"))
def dot_drhs(y, g, a, b):
    dg = xp.dot(a, dy)
    da = _dot_dlhs(g, a, dy)


@adjoint("helper._without", linear=("g",))
def without(y, g, index):
    dg = _without(dy, index)


@adjoint("helper._as_argument", linear=("g",))
def as_argument(y, g, x):
    dg = _as_argument(dy, g)


@adjoint(np.full_like, linear=("fill_value",))
def full_like(y, a, fill_value):
    dfill_value = _unbroadcast(dy, fill_value)


@adjoint(np.broadcast_to, linear=("x",))
def broadcast_to(y, x, shape):
    dx = _unbroadcast(dy, x)


@adjoint(np.array, linear=("x",))
def array(y, x, copy=True):
    dx = dy


@adjoint(np.asarray, linear=("a",))
def asarray(y, a, dtype=None, order=None):
    """`np.asarray(a)` of an array or a number (the adjoint of `.tolist()` calls it on the
    list of its elements' adjoints): the same values, so the adjoint passes through."""
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported; cast with .astype(...) instead")
    da = dy


nondifferentiable("helper._shape_of", "helper._zeros_like", np.empty_like)


@adjoint("helper._tangent_like", linear=("t",))
def tangent_like(z, t, y):
    """A tangent stretched to its broadcast result's shape (forward mode): the gradient of a
    Jacobian-vector product sums it back; `y` gives the shape only."""
    dt = _unbroadcast(dz, t)


@adjoint("helper._extremum_adjoint", linear=("g",))
def extremum_adjoint(y, g, x, top, axis, keepdims):
    """Linear in `g`; the elements that attain the extremum change only where x ties, so
    `x` and `top` get no gradient (as the first-order rule treats them)."""
    dg = _extremum_gather(dy, x, top, axis, keepdims)


@adjoint("helper._extremum_gather", linear=("g",))
def extremum_gather(y, g, x, top, axis, keepdims):
    dg = _extremum_adjoint(dy, x, top, axis, keepdims)
