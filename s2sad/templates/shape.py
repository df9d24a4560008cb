"""Adjoints of operations that rearrange, select or copy the elements of one array."""

import numpy as np

from ..registry import adjoint, nondifferentiable, tangent

# ---- transposes --------------------------------------------------------------------------


@adjoint("attribute.T", linear=("x",))
def transpose_attribute(y, x):
    dx = dy.T


@adjoint("attribute.mT", linear=("x",))
def matrix_transpose_attribute(y, x):
    dx = xp.swapaxes(dy, -1, -2)


@adjoint("numpy.matrix_transpose", linear=("x",))  # NumPy 2
def matrix_transpose(y, x):
    dx = xp.swapaxes(dy, -1, -2)


@adjoint(np.transpose, linear=("a",))
def transpose(y, a, axes=None):
    da = xp.transpose(dy, _inverse_axes((axes,)))


@adjoint("method.transpose", linear=("a",))
def transpose_method(y, a, *axes):
    da = xp.transpose(dy, _inverse_axes(axes))


@adjoint(np.swapaxes, methods=("swapaxes",), linear=("a",))
def swapaxes(y, a, axis1, axis2):
    da = xp.swapaxes(dy, axis1, axis2)


@adjoint(np.moveaxis, linear=("a",))
def moveaxis(y, a, source, destination):
    da = xp.moveaxis(dy, destination, source)


# ---- new shapes for the same elements ------------------------------------------------------


@adjoint(np.reshape, linear=("a",))
def reshape(y, a, shape=None, order="C"):
    if order not in ("C", "F"):
        raise NotImplementedError("only order='C' or order='F' is supported")
    da = xp.reshape(dy, a.shape, order=order)


@adjoint("method.reshape", linear=("a",))
def reshape_method(y, a, *shape, order="C"):
    if order not in ("C", "F"):
        raise NotImplementedError("only order='C' or order='F' is supported")
    da = xp.reshape(dy, a.shape, order=order)


@adjoint(np.ravel, methods=("ravel", "flatten"), linear=("a",))
def ravel(y, a, order="C"):
    if order not in ("C", "F"):
        raise NotImplementedError("only order='C' or order='F' is supported")
    da = xp.reshape(dy, a.shape, order=order)


@adjoint(np.expand_dims, linear=("a",))
def expand_dims(y, a, axis):
    da = xp.reshape(dy, a.shape)


@adjoint(np.squeeze, methods=("squeeze",), linear=("a",))
def squeeze(y, a, axis=None):
    da = xp.reshape(dy, a.shape)


@adjoint(np.atleast_1d, linear=("ary",))
def atleast_1d(y, ary):
    dary = dy.reshape(xp.shape(ary))


@adjoint(np.atleast_2d, linear=("ary",))
def atleast_2d(y, ary):
    dary = dy.reshape(xp.shape(ary))


@adjoint(np.atleast_3d, linear=("ary",))
def atleast_3d(y, ary):
    dary = dy.reshape(xp.shape(ary))


# ---- the same elements in another order -------------------------------------------------


@adjoint(np.flip, elementwise=True, linear=("m",))
def flip(y, m, axis=None):
    dm = xp.flip(dy, axis=axis)


@adjoint(np.fliplr, elementwise=True, linear=("m",))
def fliplr(y, m):
    dm = xp.fliplr(dy)


@adjoint(np.flipud, elementwise=True, linear=("m",))
def flipud(y, m):
    dm = xp.flipud(dy)


@adjoint(np.roll, elementwise=True, linear=("a",))
def roll(y, a, shift, axis=None):
    da = xp.roll(dy, _negated(shift), axis=axis)


@adjoint(np.rot90, linear=("m",))
def rot90(y, m, k=1, axes=(0, 1)):
    dm = xp.rot90(dy, 4 - k, axes=axes)


@adjoint(np.sort)
def sort(y, a, axis=-1, kind=None, order=None, stable=None):
    if order is not None:
        raise NotImplementedError("order= (sorting by fields of a structured array) is not supported")
    da = _sort_adjoint(dy, a, axis)


@tangent(np.sort)
def sort_tangent(y, a, axis=-1, kind=None, order=None, stable=None):
    ty = _in_sorted_order(ta, a, axis)


# ---- copies of elements --------------------------------------------------------------------


@adjoint(np.tile, linear=("A",))
def tile(y, A, reps):
    dA = _untile(dy, A, reps)


@adjoint(np.repeat, methods=("repeat",), linear=("a",))
def repeat(y, a, repeats, axis=None):
    da = _unrepeat(dy, a, repeats, axis)


@adjoint(np.pad, linear=("array", "constant_values"))
def pad(y, array, pad_width, mode="constant", constant_values=0, reflect_type="even"):
    if mode == "constant":
        darray = dy[_unpadded(array, pad_width)]
        dconstant_values = _pad_fill_adjoint(dy, array, pad_width, constant_values)
    elif mode in ("edge", "reflect", "symmetric", "wrap"):
        if reflect_type != "even":
            raise NotImplementedError("only reflect_type='even' is supported")
        darray = _pad_copies_adjoint(dy, array, pad_width, mode)
    else:
        raise NotImplementedError(
            "only the modes 'constant', 'edge', 'reflect', 'symmetric' and 'wrap' are supported"
        )


# ---- diagonals and triangles ---------------------------------------------------------------


@adjoint(np.diag, linear=("v",))
def diag(y, v, k=0):
    dv = _diag_adjoint(dy, v, k)


@adjoint(np.diagonal, methods=("diagonal",), linear=("a",))
def diagonal(y, a, offset=0, axis1=0, axis2=1):
    da = _diagonal_adjoint(dy, a, offset, axis1, axis2)


@adjoint(np.tril, linear=("m",))
def tril(y, m, k=0):
    dm = _unbroadcast(xp.tril(dy, k=k), m)


@adjoint(np.triu, linear=("m",))
def triu(y, m, k=0):
    dm = _unbroadcast(xp.triu(dy, k=k), m)


# ---- selections by index arrays --------------------------------------------------------------


@adjoint(np.take, methods=("take",), linear=("a",))
def take(y, a, indices, axis=None, out=None, mode="raise"):
    if out is not None:
        raise NotImplementedError("out= is not supported: s2sad writes results into new arrays")
    if mode != "raise":
        raise NotImplementedError("only mode='raise' is supported")
    da = _take_adjoint(dy, a.shape, indices, axis)


@adjoint(np.take_along_axis, linear=("arr",))
def take_along_axis(y, arr, indices, axis=-1):
    darr = _along_axis_adjoint(dy, arr.shape, indices, axis)


# ---- casts ---------------------------------------------------------------------------------


@adjoint("method.astype")
def astype_method(y, x, dtype, order="K", casting="unsafe", subok=True, copy=True):
    if not copy:
        raise NotImplementedError("copy=False is not supported: s2sad writes results into new arrays")
    dx = _cast_adjoint(dy, x, y)


@tangent("method.astype")
def astype_method_tangent(y, x, dtype, order="K", casting="unsafe", subok=True, copy=True):
    ty = _cast_adjoint(tx, y, x)


@adjoint("numpy.astype")  # NumPy 2.1
def astype(y, x, dtype, copy=True, device=None):
    if not copy:
        raise NotImplementedError("copy=False is not supported: s2sad writes results into new arrays")
    if device is not None:
        raise NotImplementedError("device= is not supported")
    dx = _cast_adjoint(dy, x, y)


@tangent("numpy.astype")
def astype_tangent(y, x, dtype, copy=True, device=None):
    ty = _cast_adjoint(tx, y, x)


# ---- the helpers above, in gradients of gradients --------------------------------------------
# Each is linear in the adjoint it takes; its own adjoint is the forward operation it reverses.


@adjoint("helper._untile", linear=("g",))
def untile(y, g, a, reps):
    dg = xp.tile(dy, reps)


@adjoint("helper._unrepeat", linear=("g",))
def unrepeat(y, g, a, repeats, axis):
    dg = xp.repeat(dy, repeats, axis=axis)


@adjoint("helper._pad_copies_adjoint", linear=("g",))
def pad_copies_adjoint(y, g, a, pad_width, mode):
    dg = xp.pad(dy, pad_width, mode=mode)


@adjoint("helper._diag_adjoint", linear=("g",))
def diag_adjoint(y, g, v, k):
    dg = xp.diag(dy, k)


@adjoint("helper._diagonal_adjoint", linear=("g",))
def diagonal_adjoint(y, g, a, offset, axis1, axis2):
    dg = xp.diagonal(dy, offset, axis1, axis2)


@adjoint("helper._sort_adjoint", linear=("g",))
def sort_adjoint(y, g, a, axis):
    dg = _in_sorted_order(dy, a, axis)


@adjoint("helper._in_sorted_order", linear=("g",))
def in_sorted_order(y, g, a, axis):
    """The adjoint's transpose, which the sort's tangent calls (a gradient of a Jacobian-vector
    product reaches it) as the adjoint of `_sort_adjoint` does."""
    dg = _sort_adjoint(dy, a, axis)


@adjoint("helper._take_adjoint", linear=("g",))
def take_adjoint(y, g, shape, indices, axis):
    dg = xp.take(dy, indices, axis=axis)


@adjoint("helper._along_axis_adjoint", linear=("g",))
def along_axis_adjoint(y, g, shape, indices, axis):
    dg = xp.take_along_axis(dy, indices, axis=axis)


@adjoint("helper._cast_adjoint", linear=("g",))
def cast_adjoint(z, g, x, y):
    dg = _cast_adjoint(dz, y, x)


nondifferentiable("helper._negated", "helper._unpadded", "helper._take_index",
                  "helper._along_axis_index")
