"""Adjoints of reductions: sum, mean, max, min, norm."""

import numpy as np

from .registry import adjoint


@adjoint(np.sum, methods=("sum",))
def sum(y, x, axis=None, keepdims=False):
    if axis is None and not keepdims:
        dx = xp.full_like(x, dy)
    else:
        dx = _spread(dy, x, axis)


@adjoint(np.mean, methods=("mean",))
def mean(y, x, axis=None, keepdims=False):
    if axis is None and not keepdims:
        dx = xp.full_like(x, dy / x.size)
    else:
        dx = _spread(dy / _reduced_size(x, axis), x, axis)


@adjoint(np.max, methods=("max",))
def max(y, x, axis=None, keepdims=False):
    dx = _extremum_adjoint(dy, x, y, axis, keepdims)


@adjoint(np.min, methods=("min",))
def min(y, x, axis=None, keepdims=False):
    dx = _extremum_adjoint(dy, x, y, axis, keepdims)


@adjoint(np.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    if ord is not None and ord != "fro":
        raise NotImplementedError(
            "only the Euclidean/Frobenius norm (ord=None or 'fro') is supported"
        )
    if axis is None:
        dx = x * (dy / y)
    else:
        dx = x * _expand_reduced(dy / y, x, axis)
