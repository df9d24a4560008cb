"""Adjoints of products: matmul and `@`, dot, outer."""

import numpy as np

from .registry import adjoint


@adjoint(np.matmul)
def matmul(y, a, b):
    da = _matmul_dlhs(dy, a, b)
    db = _matmul_drhs(dy, a, b)


@adjoint(np.dot, methods=("dot",))
def dot(y, a, b):
    da = _dot_dlhs(dy, a, b)
    db = _dot_drhs(dy, a, b)


@adjoint(np.outer)
def outer(y, a, b):
    da = xp.reshape(dy @ xp.ravel(b), xp.shape(a))
    db = xp.reshape(xp.ravel(a) @ dy, xp.shape(b))
