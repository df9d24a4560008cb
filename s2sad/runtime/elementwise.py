"""Runtime helpers of the elementwise rules, copied into the generated modules that call them."""

import numpy

from .core import _namespace


def _sinc_near_zero(x):
    """Where the derivatives of sinc are computed by their Taylor series, whose closed forms
    cancel near 0: |x| < 1e-3 in float64; |x| < 0.1 in float32 (or narrower), where
    `cos(pi x) - sinc(x)` has lost most of its digits by then."""
    wide = getattr(x, "dtype", numpy.dtype(numpy.float64)).itemsize >= 8
    return abs(x) < (1e-3 if wide else 0.1)


def _sinc_derivative(x, y):
    """d/dx sinc(x) = (cos(pi x) - sinc(x)) / x, by its Taylor series near 0 where that cancels."""
    xp = _namespace(x)
    near_zero = _sinc_near_zero(x)
    safe_x = xp.where(near_zero, 1.0, x)
    pi2 = xp.pi * xp.pi
    series = pi2 * x * (x * x * pi2 * (1.0 / 30.0 - x * x * pi2 / 840.0) - 1.0 / 3.0)
    return xp.where(near_zero, series, (xp.cos(xp.pi * x) - y) / safe_x)


def _log_or_zero(x):
    """log(x), and 0 where x == 0: x**p has derivative x**p * log(x) in p, 0 there for p > 0.

    Negative bases give NaN, as in JAX and autograd: x**p is not real there for most p.
    """
    if (
        type(x) is float or type(x) is int
    ):  # a Python float keeps a float32 adjoint float32
        return float(numpy.log(x)) if x != 0 else 0.0
    xp = _namespace(x)
    return xp.log(xp.where(x == 0, 1.0, x))


def _in_dtype_of(g, x):
    """The adjoint `g` in the floating dtype of the input `x`, where the operation computed in
    a wider one (float_power computes a float32 `x` in float64)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or dtype.kind != "f" or getattr(g, "dtype", dtype) == dtype:
        return g
    return g.astype(dtype)


def _linspace_weights(dy, num, endpoint):
    """The weight t of `stop` in each sample of linspace: start + (stop - start) * t, shaped
    to broadcast against the samples' adjoint `dy` along axis 0."""
    xp = _namespace(dy)
    t = xp.linspace(0.0, 1.0, num, endpoint=endpoint, dtype=dy.dtype)
    return t.reshape((num,) + (1,) * (dy.ndim - 1))
