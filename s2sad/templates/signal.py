"""Adjoints of signal operations: convolve, correlate, sliding_window_view, interp.

Real arrays: correlate's conjugation of its second argument is not differentiated.
"""

import numpy as np

from ..registry import adjoint, nondifferentiable, tangent


@adjoint(np.convolve, multilinear=("a", "v"))
def convolve(y, a, v, mode="full"):
    if mode not in ("full", "same", "valid"):
        raise NotImplementedError("convolve's mode= must be 'full', 'same' or 'valid'")
    da = _convolve_dlhs(dy, a, v)
    dv = _convolve_drhs(dy, a, v)


@adjoint(np.correlate, multilinear=("a", "v"))
def correlate(y, a, v, mode="valid"):
    if mode not in ("full", "same", "valid"):
        raise NotImplementedError("correlate's mode= must be 'full', 'same' or 'valid'")
    da = _correlate_dlhs(dy, a, v)
    dv = _correlate_drhs(dy, a, v)


@adjoint(np.lib.stride_tricks.sliding_window_view, linear=("x",))
def sliding_window_view(y, x, window_shape, axis=None, subok=False, writeable=False):
    if writeable:
        raise NotImplementedError(
            "sliding_window_view(writeable=True) is not supported: s2sad does not follow "
            "writes through a view"
        )
    dx = _sliding_window_adjoint(dy, x, window_shape, axis)


@adjoint(np.interp)
def interp(y, x, xp, fp, left=None, right=None, period=None):
    """`xp` names the knots here (NumPy's keyword), so the rule calls helpers only."""
    dx = _interp_x_adjoint(dy, x, xp, fp, period)
    dfp = _interp_fp_adjoint(dy, x, xp, fp, left, right, period)
    dleft = _interp_outside_adjoint(dy, x, xp, period, True)
    dright = _interp_outside_adjoint(dy, x, xp, period, False)
    dxp = _interp_knots_refused(xp)


@tangent(np.interp)
def interp_tangent(y, x, xp, fp, left=None, right=None, period=None):
    """Piecewise linear in `x`; linear in `fp`, `left` and `right` together. The knots around
    each sample, and their values' weights, are found once for the terms of `fp`."""
    stencil = _interp_stencil(x, xp, fp, left, right, period)
    lower = stencil["lower"]
    upper = stencil["upper"]
    lower_weight = stencil["lower_weight"]
    upper_weight = stencil["upper_weight"]
    ty = (tx * _interp_slope(x, xp, fp, period) + tfp[lower] * lower_weight
          + tfp[upper] * upper_weight + tleft * _interp_outside(x, xp, period, True)
          + tright * _interp_outside(x, xp, period, False))


# ---- the helpers' own rules: what a gradient of a gradient differentiates --------------------
# Each adjoint helper is linear in the adjoint `g` it takes, so its adjoint in `g` is the forward
# operation it reverses (cut to the length of `g` by `_kept_part`), and in the other operand a
# correlation or convolution of the full-length adjoint with the incoming one.


@adjoint("helper._full_length", linear=("g",))
def full_length(z, g, a, v, correlate):
    dg = _kept_part(dz, g, a, v, correlate)


@adjoint("helper._kept_part", linear=("full",))
def kept_part(z, full, g, a, v, correlate):
    """`g` gives the kept length only."""
    dfull = _full_length(dz, a, v, correlate)


@adjoint("helper._convolve_dlhs", multilinear=("g", "v"))
def convolve_dlhs(z, g, a, v):
    """z = correlate(G, v, 'valid'), G the full-length adjoint."""
    dg = _kept_part(xp.convolve(dz, v), g, a, v, False)
    dv = xp.correlate(_full_length(g, a, v, False), dz, "valid")


@adjoint("helper._convolve_drhs", multilinear=("g", "a"))
def convolve_drhs(z, g, a, v):
    """z = correlate(G, a, 'valid'), G the full-length adjoint."""
    dg = _kept_part(xp.convolve(a, dz), g, a, v, False)
    da = xp.correlate(_full_length(g, a, v, False), dz, "valid")


@adjoint("helper._correlate_dlhs", multilinear=("g", "v"))
def correlate_dlhs(z, g, a, v):
    """z = correlate(G, v[::-1], 'valid') = convolve(G, v, 'valid'), G the full-length adjoint."""
    dg = _kept_part(xp.correlate(dz, v, "full"), g, a, v, True)
    dv = xp.correlate(_full_length(g, a, v, True), dz, "valid")[::-1]


@adjoint("helper._correlate_drhs", multilinear=("g", "a"))
def correlate_drhs(z, g, a, v):
    """z = correlate(G, a, 'valid')[::-1], G the full-length adjoint."""
    dg = _kept_part(xp.correlate(a, dz, "full"), g, a, v, True)
    da = xp.convolve(_full_length(g, a, v, True), dz, "valid")


@adjoint("helper._sliding_window_adjoint", linear=("g",))
def sliding_window_adjoint(z, g, x, window_shape, axis):
    """`x` gives a shape only. The windows are copied: the adjoint it is assigned to may be
    added into, and a view of windows is read-only."""
    dg = xp.lib.stride_tricks.sliding_window_view(dz, window_shape, axis=axis).copy()


# interp's helpers: `xp` names the knots, as in interp's rule, so these call helpers only. The
# weights W(x) of the values `fp` in each sample and the slopes S(x) of its interval (linear in
# `fp`) are piecewise constant in `x`, except W's own, whose derivative in `x` is S.


@adjoint("helper._interp_x_adjoint", multilinear=("g", "fp"))
def interp_x_adjoint(z, g, x, xp, fp, period):
    """z = g · S(x) fp."""
    dg = dz * _interp_slope(x, xp, fp, period)
    dfp = _interp_slope_adjoint(dz * g, x, xp, fp, period)


@adjoint("helper._interp_slope", linear=("fp",))
def interp_slope(z, x, xp, fp, period):
    dfp = _interp_slope_adjoint(dz, x, xp, fp, period)


@adjoint("helper._interp_slope_adjoint", linear=("g",))
def interp_slope_adjoint(z, g, x, xp, fp, period):
    """z = S(x)ᵀ g; `fp` gives a shape only."""
    dg = _interp_slope(x, xp, dz, period)


@adjoint("helper._interp_fp_adjoint")
def interp_fp_adjoint(z, g, x, xp, fp, left, right, period):
    """z = W(x)ᵀ g: `x` moves each sample's share between its interval's knots."""
    dg = _interp_fp_tangent(dz, x, xp, fp, left, right, period)
    dx = g * _interp_slope(x, xp, dz, period)


@tangent("helper._interp_fp_adjoint")
def interp_fp_adjoint_tangent(z, g, x, xp, fp, left, right, period):
    tz = (_interp_fp_adjoint(tg, x, xp, fp, left, right, period)
          + _interp_slope_adjoint(tx * g, x, xp, fp, period))


@adjoint("helper._interp_fp_tangent")
def interp_fp_tangent(z, t, x, xp, fp, left, right, period):
    """z = W(x) t."""
    dt = _interp_fp_adjoint(dz, x, xp, fp, left, right, period)
    dx = dz * _interp_slope(x, xp, t, period)


@tangent("helper._interp_fp_tangent")
def interp_fp_tangent_tangent(z, t, x, xp, fp, left, right, period):
    tz = _interp_fp_tangent(tt, x, xp, fp, left, right, period) + tx * _interp_slope(x, xp, t, period)


@adjoint("helper._interp_outside_adjoint", linear=("g",))
def interp_outside_adjoint(z, g, x, xp, period, below):
    dg = dz * _interp_outside(x, xp, period, below)


nondifferentiable("helper._interp_outside")
