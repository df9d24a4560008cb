"""Adjoints of operations that rearrange elements: transpose, reshape."""

import numpy as np

from .registry import adjoint


@adjoint("attribute.T")
def transpose_attribute(y, x):
    dx = dy.T


@adjoint(np.transpose)
def transpose(y, a, axes=None):
    da = xp.transpose(dy, _inverse_axes((axes,)))


@adjoint("method.transpose")
def transpose_method(y, a, *axes):
    da = xp.transpose(dy, _inverse_axes(axes))


@adjoint(np.reshape)
def reshape(y, a, shape=None, order="C"):
    da = xp.reshape(dy, a.shape, order=order)


@adjoint("method.reshape")
def reshape_method(y, a, *shape, order="C"):
    da = xp.reshape(dy, a.shape, order=order)
