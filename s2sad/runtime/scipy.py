"""Runtime helpers of the rules for scipy.special and scipy.stats (`s2sad.templates.scipy`).

Like the other helpers, each is copied into the generated modules that call it and does its
array work through `_namespace`, so it runs on the arguments' namespace. The one helper that
needs scipy's compiled code, `_polygamma`, imports scipy when it runs (or, for CuPy arrays,
cupyx.scipy.special), so that neither s2sad nor a generated module that never calls it
imports scipy; on any other namespace it refuses, as scipy has no twin there. Each returns
new memory, except `_dirichlet_full` and `_with_weights`, whose callers
compute new arrays from what they return.
"""

import numpy

from .core import _namespace, _shape_of


def _polygamma(n, x):
    """The `n`-th derivative of the digamma function at `x` (digamma itself for n = 0), in the
    floating dtype of `x`: scipy.special's, or cupyx.scipy.special's for CuPy arrays."""
    xp = _namespace(x)
    if xp is numpy:
        from scipy import special
    elif xp.__name__ == "cupy":
        from cupyx.scipy import special
    else:
        raise TypeError(
            f"the gradient needs scipy.special.polygamma of {type(x).__name__} arrays, and "
            "scipy has it for NumPy arrays only (cupyx.scipy.special for CuPy's): pass NumPy arrays"
        )
    result = (
        special.digamma(x) if type(n) is int and n == 0 else special.polygamma(n, x)
    )
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f" and result.dtype != dtype:
        return result.astype(dtype)
    return result


def _weighted(g, w, b):
    """`g * w * b`, and `g * w` where `b` is None: the weights `b` of scipy's logsumexp."""
    return g * w if b is None else g * w * b


def _with_weights(w, b):
    """`w * b`, and `w` itself where `b` is None: the weights `b` of scipy's logsumexp applied
    to the softmax `w` (a tangent's factor, which the tangent multiplies into new memory).
    """
    return w if b is None else w * b


def _multigammaln_terms(a, d):
    """The arguments `a - j / 2`, j = 0 ... d - 1, of the gammaln terms of multigammaln(a, d),
    along a new last axis."""
    xp = _namespace(a)
    if getattr(a, "ndim", None) is None:
        return a - 0.5 * xp.arange(d)
    return xp.stack([a - 0.5 * j for j in range(d)], axis=-1)


def _mvn_parts(x, mean, cov):
    """The residuals `x - mean` of the points of `x`, shaped (..., d) as
    scipy.stats.multivariate_normal reads them, and the precision (the inverse of the full
    covariance, built from a number, a diagonal or a matrix as scipy builds it)."""
    xp = _namespace(x, mean, cov)
    dtype = xp.result_type(*[v for v in (x, mean, cov) if hasattr(v, "dtype")], 1.0)
    cov = xp.asarray(cov, dtype=dtype)
    if mean is None:
        dim = 1 if cov.ndim < 2 else cov.shape[0]
        mean = xp.zeros(dim, dtype=dtype)
    else:
        mean = xp.asarray(mean, dtype=dtype)
        dim = mean.size
    if dim == 1:
        cov = cov.reshape(1, 1)
    if cov.ndim == 0:
        full = cov * xp.eye(dim, dtype=dtype)
    elif cov.ndim == 1:
        full = xp.diag(cov)
    else:
        full = cov
    x = xp.asarray(x, dtype=dtype)
    if x.ndim == 0 or (x.ndim == 1 and dim == 1):
        x = x.reshape(x.shape + (1,))
    return x - mean.reshape(dim), xp.linalg.inv(full)


def _mvn_covariance_basis(cov, precision):
    """What the tangent of `cov` in `multivariate_normal.logpdf(x, mean, cov)` is multiplied
    by to make it the covariance's tangent as a matrix: the identity (of the precision's
    size and dtype) for a number (the covariance cov·I) or a vector (a diagonal: the product
    puts it on the identity's diagonal), 1.0 for a matrix."""
    if getattr(cov, "ndim", 0) == 2:
        return 1.0
    return _namespace(precision).eye(precision.shape[0], dtype=precision.dtype)


def _mvn_form(x, mean, cov):
    """`(dim, zero)` of `multivariate_normal.logpdf(x, mean, cov)`: the dimension of its
    points, and a 0-d zero of the floating dtype scipy computes in (as `_mvn_parts` reads
    them), in the arguments' namespace, which a mean of None or a number covariance is
    made in."""
    xp = _namespace(x, mean, cov)
    dtype = xp.result_type(*[v for v in (x, mean, cov) if hasattr(v, "dtype")], 1.0)
    zero = xp.zeros((), dtype=dtype)
    if mean is None:
        shape = _shape_of(cov)
        return (1 if len(shape) < 2 else shape[0]), zero
    return int(numpy.prod(_shape_of(mean))), zero


def _mvn_points_shape(x, form):
    """The shape of the points of `x`, (..., dim), as multivariate_normal reads them: a
    number, or a vector of points of dimension 1, gets a last axis of length 1."""
    shape = tuple(_shape_of(x))
    if len(shape) == 0 or (len(shape) == 1 and form[0] == 1):
        return shape + (1,)
    return shape


def _mvn_mean_row(mean, form):
    """The mean as a vector of the points' dimension, in their dtype: zeros where it is None."""
    dim, zero = form
    xp = _namespace(zero)
    if mean is None:
        return xp.zeros(dim, dtype=zero.dtype)
    return xp.array(mean, dtype=zero.dtype).reshape(dim)


def _mvn_covariance(cov, form):
    """The full covariance matrix of multivariate_normal's `cov`, in the points' dtype: a
    number times the identity, a vector on the diagonal, a matrix itself (any of them, for
    points of dimension 1, as the 1-by-1 matrix)."""
    dim, zero = form
    xp, dtype = _namespace(zero), zero.dtype
    cov = xp.array(cov, dtype=dtype)
    if dim == 1:
        return cov.reshape(1, 1)
    if cov.ndim == 0:
        return cov * xp.eye(dim, dtype=dtype)
    if cov.ndim == 1:
        return xp.diag(cov)
    return cov


def _mvn_covariance_adjoint(g, cov, form):
    """Adjoint of `cov` in `_mvn_covariance(cov, form)`, `g` the adjoint of the matrix: its
    trace for a number, its diagonal for a vector, `g` for a matrix, in `cov`'s shape.
    """
    xp = _namespace(g)
    ndim = len(_shape_of(cov))
    if form[0] == 1:
        return xp.reshape(g, _shape_of(cov)).copy()
    if ndim == 0:
        return xp.trace(g)
    if ndim == 1:
        return xp.diagonal(g).copy()
    return g.copy()


def _mvn_weights_shape(residual):
    """The shape of the adjoint of each point's log-density as it multiplies the residuals:
    the points' shape, with a last axis of length 1."""
    return tuple(residual.shape[:-1]) + (1,)


def _mvn_rows_shape(form):
    """`(-1, dim)`: the points of multivariate_normal as the rows of a matrix."""
    return (-1, form[0])


def _dirichlet_full(x, alpha):
    """`x` with its last component appended, `1 - x.sum(axis=0)`, where it has one fewer
    than `alpha` (as scipy.stats.dirichlet completes it); `x` itself otherwise."""
    if x.shape[0] == alpha.shape[0]:
        return x
    xp = _namespace(x)
    return xp.concatenate([x, (1.0 - x.sum(axis=0))[None]], axis=0)


def _dirichlet_slope(x, alpha):
    """The derivative of `dirichlet.logpdf(x, alpha)` with respect to `x`, shaped as `x` (the
    components along axis 0): `(α - 1) / x`, the gradient of the density's formula; where
    scipy completes `x`, less the completed component's, which is `1 - x.sum(axis=0)`.
    """
    xp = _namespace(x, alpha)
    x, alpha = xp.asarray(x), xp.asarray(alpha)
    full = _dirichlet_full(x, alpha)
    slope = (alpha.reshape(alpha.shape + (1,) * (full.ndim - 1)) - 1.0) / full
    if full.shape[0] == x.shape[0]:
        return slope
    return slope[:-1] - slope[-1:]


def _dirichlet_weights(x, alpha):
    """The derivative of `dirichlet.logpdf(x, alpha)` with respect to `alpha` at each point,
    `log x - ψ(α) + ψ(Σα)`, the components along the last axis (so that its product with
    the tangent of `alpha`, `weights @ talpha`, is the points' tangent)."""
    xp = _namespace(x, alpha)
    x, alpha = xp.asarray(x), xp.asarray(alpha)
    logs = xp.moveaxis(xp.log(_dirichlet_full(x, alpha)), 0, -1)
    return logs - (_polygamma(0, alpha) - _polygamma(0, alpha.sum()))


def _dirichlet_completed(t, alpha):
    """`t` with its last component appended, `-t.sum(axis=0)`, where it has one fewer than
    `alpha`: the linear part of `_dirichlet_full` (its tangent), and the transpose of
    `_dirichlet_uncompleted`; a copy of `t` otherwise."""
    xp = _namespace(t, alpha)
    t = xp.asarray(t)
    if t.shape[0] == xp.asarray(alpha).shape[0]:
        return t.copy()
    return xp.concatenate([t, -t.sum(axis=0)[None]], axis=0)


def _dirichlet_uncompleted(g, x, alpha):
    """Adjoint of `x` in `_dirichlet_full(x, alpha)`, `g` the adjoint of the full components:
    where scipy completed `x`, each component's less the completed one's; a copy of `g`
    otherwise."""
    xp = _namespace(g, x, alpha)
    g = xp.asarray(g)
    if xp.asarray(x).shape[0] == xp.asarray(alpha).shape[0]:
        return g.copy()
    return g[:-1] - g[-1:]


def _dirichlet_scaled(w, slope, x, alpha):
    """`w * _dirichlet_uncompleted(slope, x, alpha)` without the copy: the adjoint of `x` in
    `dirichlet.logpdf(x, alpha)`, `w` the adjoint of each point's log-density and `slope`
    the derivative along the full components."""
    xp = _namespace(w, slope, x, alpha)
    if xp.asarray(x).shape[0] == xp.asarray(alpha).shape[0]:
        return w * slope
    return w * (slope[:-1] - slope[-1:])


def _dirichlet_column_shape(alpha, full):
    """The shape of `alpha` as a column against the full components (along axis 0)."""
    return tuple(_shape_of(alpha)) + (1,) * (full.ndim - 1)


def _dirichlet_points_shape(full):
    """The shape of the points of the full components: all but the first axis."""
    return tuple(full.shape[1:])


def _dirichlet_rows_shape(full):
    """`(k, -1)`: the full components as the rows of a matrix, one column per point."""
    return (full.shape[0], -1)
