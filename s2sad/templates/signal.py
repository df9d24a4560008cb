"""Adjoints of signal operations: convolve, correlate, sliding_window_view, interp.

Real arrays: correlate's conjugation of its second argument is not differentiated.
"""

import numpy as np

from ..registry import adjoint, tangent


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
