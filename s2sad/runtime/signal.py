"""Runtime helpers of the signal adjoints: convolve, correlate, sliding windows, interp.

Real arrays: correlate's conjugation of its second argument is not differentiated.
Each helper is copied into the generated modules that call it and returns new memory.
"""

import numpy

from .core import _namespace


def _kept_start(g, a, v, correlate):
    """Where a 'same' or 'valid' result of `convolve(a, v)` or `correlate(a, v)`, of the length
    of `g`, starts in the 'full' result."""
    full, kept = a.size + v.size - 1, g.shape[0]
    # NumPy centres the kept part; correlate swaps a shorter `a` with `v`, rounding the other way.
    return (full - kept + (1 if correlate and a.size < v.size else 0)) // 2


def _full_length(g, a, v, correlate):
    """`g`, the adjoint of a 'same' or 'valid' result of `convolve(a, v)` or `correlate(a, v)`,
    in zeros of the 'full' result's length, where NumPy takes that result from."""
    xp = _namespace(g, a, v)
    start = _kept_start(g, a, v, correlate)
    padded = xp.zeros(a.size + v.size - 1, dtype=g.dtype)
    padded[start : start + g.shape[0]] = g
    return padded


def _kept_part(full, g, a, v, correlate):
    """The part of `full`, of the 'full' result's length, that a 'same' or 'valid' result of
    `convolve(a, v)` or `correlate(a, v)` of the length of `g` keeps (`_full_length`'s
    transpose)."""
    start = _kept_start(g, a, v, correlate)
    return full[start : start + g.shape[0]].copy()


def _convolve_dlhs(g, a, v):
    """Adjoint of `a` in `numpy.convolve(a, v, mode)`: the full adjoint correlated with `v`."""
    return _namespace(g, a, v).correlate(_full_length(g, a, v, False), v, "valid")


def _convolve_drhs(g, a, v):
    """Adjoint of `v` in `numpy.convolve(a, v, mode)`: the full adjoint correlated with `a`."""
    return _namespace(g, a, v).correlate(_full_length(g, a, v, False), a, "valid")


def _correlate_dlhs(g, a, v):
    """Adjoint of `a` in `numpy.correlate(a, v, mode)`: the full adjoint convolved with `v`."""
    return _namespace(g, a, v).correlate(_full_length(g, a, v, True), v[::-1], "valid")


def _correlate_drhs(g, a, v):
    """Adjoint of `v` in `numpy.correlate(a, v, mode)`: `a` against the full adjoint, reversed."""
    return (
        _namespace(g, a, v)
        .correlate(_full_length(g, a, v, True), a, "valid")[::-1]
        .copy()
    )


def _window_axes(x, window_shape, axis):
    """The (axis, length) pairs of `sliding_window_view(x, window_shape, axis)`."""
    window = (window_shape,) if isinstance(window_shape, int) else tuple(window_shape)
    if axis is None:
        axes = tuple(range(x.ndim))
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return [(a % x.ndim, n) for a, n in zip(axes, window)]


def _sliding_window_adjoint(g, x, window_shape, axis):
    """Adjoint of `x` in `sliding_window_view(x, window_shape, axis)`: each window added back."""
    xp = _namespace(g, x)
    pairs = _window_axes(x, window_shape, axis)
    counts = list(x.shape)
    for a, n in pairs:
        counts[a] -= n - 1
    dx = xp.zeros(x.shape, dtype=g.dtype)
    for offsets in numpy.ndindex(*(n for _, n in pairs)):
        starts = [0] * x.ndim
        for (a, _), offset in zip(pairs, offsets):
            starts[a] += offset
        region = tuple(slice(s, s + n) for s, n in zip(starts, counts))
        dx[region] += g[(Ellipsis, *offsets)]
    return dx


def _interp_knots(x, xp, fp, period):
    """Sample points, knots and values as `numpy.interp` uses them: periodic ones unrolled.

    Also returns, for each knot used, the position of its value in `fp`.
    """
    ns = _namespace(x, xp, fp)
    x, xp = ns.asarray(x), ns.asarray(xp)
    source = ns.arange(xp.shape[0])
    if period is not None:
        x, xp = x % period, xp % period
        order = ns.argsort(xp)
        xp, source = xp[order], source[order]
        xp = ns.concatenate([xp[-1:] - period, xp, xp[:1] + period])
        source = ns.concatenate([source[-1:], source, source[:1]])
    return x, xp, source


def _interp_intervals(x, xp):
    """For each sample, the index of the interval of knots it lies in and its fraction there."""
    ns = _namespace(x, xp)
    last = max(xp.shape[0] - 2, 0)
    j = ns.clip(ns.searchsorted(xp, x, side="right") - 1, 0, last)
    width = xp[ns.minimum(j + 1, xp.shape[0] - 1)] - xp[j]
    t = ns.clip((x - xp[j]) / ns.where(width == 0, 1.0, width), 0.0, 1.0)
    return j, t


def _interp_fp_adjoint(g, x, xp, fp, left, right, period):
    """Adjoint of `fp` in `numpy.interp(x, xp, fp, left, right, period)`: `g` split between
    the two knots around each sample, or given to the end knot it extends."""
    ns = _namespace(g, x, xp, fp)
    x, knots, source = _interp_knots(x, xp, fp, period)
    g = ns.broadcast_to(ns.asarray(g), x.shape)
    j, t = _interp_intervals(x, knots)
    if period is None:
        keep = ns.ones(x.shape, dtype=bool)
        if left is not None:
            keep = keep & (x >= knots[0])
        if right is not None:
            keep = keep & (x <= knots[-1])
        g = ns.where(keep, g, 0.0)
    n = fp.shape[0]
    upper = source[ns.minimum(j + 1, knots.shape[0] - 1)]
    return (
        ns.bincount(source[j].ravel(), weights=((1.0 - t) * g).ravel(), minlength=n)
        + ns.bincount(upper.ravel(), weights=(t * g).ravel(), minlength=n)
    ).astype(g.dtype)


def _interp_slope(x, xp, fp, period):
    """The derivative in `x` of `numpy.interp(x, xp, fp, period=period)`: the slope of the
    interval each sample lies in (the right-hand one at a knot), zero outside the knots where
    the ends extend flat."""
    ns = _namespace(x, xp, fp)
    x, knots, source = _interp_knots(x, xp, fp, period)
    if knots.shape[0] < 2:
        return ns.zeros(x.shape, dtype=ns.result_type(fp, 1.0))
    j, _ = _interp_intervals(x, knots)
    slope = (fp[source[j + 1]] - fp[source[j]]) / (knots[j + 1] - knots[j])
    if period is None:
        slope = ns.where((x >= knots[0]) & (x < knots[-1]), slope, 0.0)
    return slope


def _interp_x_adjoint(g, x, xp, fp, period):
    """Adjoint of `x` in `numpy.interp`: `g` times the slope of the interval each sample lies in
    (the right-hand one at a knot), zero outside the knots where the ends extend flat.
    """
    return g * _interp_slope(x, xp, fp, period)


def _interp_slope_adjoint(g, x, xp, fp, period):
    """Adjoint of `fp` in `_interp_slope(x, xp, fp, period)`, which is linear in `fp`: each
    sample's `g` over its interval's width, added to the interval's upper knot and taken from
    its lower one (nothing outside the knots)."""
    ns = _namespace(g, x, xp, fp)
    x, knots, source = _interp_knots(x, xp, fp, period)
    n = fp.shape[0]
    dtype = ns.result_type(g, fp, 1.0)
    if knots.shape[0] < 2:
        return ns.zeros(n, dtype=dtype)
    g = ns.broadcast_to(ns.asarray(g), x.shape)
    j, _ = _interp_intervals(x, knots)
    share = g / (knots[j + 1] - knots[j])
    if period is None:
        share = ns.where((x >= knots[0]) & (x < knots[-1]), share, 0.0)
    share = share.ravel()
    return (
        ns.bincount(source[j + 1].ravel(), weights=share, minlength=n)
        - ns.bincount(source[j].ravel(), weights=share, minlength=n)
    ).astype(dtype, copy=False)


def _interp_fp_tangent(t, x, xp, fp, left, right, period):
    """`numpy.interp(x, xp, t, left, right, period)` with `left` and `right` read as 0 where
    given: the tangent of the interpolation along the tangent `t` of its values `fp`, the
    transpose of `_interp_fp_adjoint`."""
    ns = _namespace(t, x, xp, fp)
    stencil = _interp_stencil(x, xp, fp, left, right, period)
    return (
        t[stencil["lower"]] * stencil["lower_weight"]
        + t[stencil["upper"]] * stencil["upper_weight"]
    ).astype(ns.result_type(t, 1.0), copy=False)


def _interp_stencil(x, xp, fp, left, right, period):
    """The knots around each sample of `numpy.interp(x, xp, fp, left, right, period)`, as
    positions in `fp` ("lower", "upper"), and the weights of their values in the sample
    ("lower_weight", "upper_weight"): zero where `left` or `right` replaces them."""
    ns = _namespace(x, xp, fp)
    x, knots, source = _interp_knots(x, xp, fp, period)
    j, t = _interp_intervals(x, knots)
    lower_weight, upper_weight = 1.0 - t, t
    if period is None and (left is not None or right is not None):
        keep = ns.ones(x.shape, dtype=bool)
        if left is not None:
            keep = keep & (x >= knots[0])
        if right is not None:
            keep = keep & (x <= knots[-1])
        lower_weight, upper_weight = lower_weight * keep, upper_weight * keep
    upper = source[ns.minimum(j + 1, knots.shape[0] - 1)]
    return {
        "lower": source[j],
        "upper": upper,
        "lower_weight": lower_weight,
        "upper_weight": upper_weight,
    }


def _interp_outside(x, xp, period, below):
    """Where `numpy.interp` gives `left` (`below`) or `right` instead of an interpolated value:
    below the first knot or above the last; nowhere for a periodic interpolation."""
    ns = _namespace(x, xp)
    x = ns.asarray(x)
    if period is not None:
        return ns.zeros(x.shape, dtype=bool)
    return x < xp[0] if below else x > xp[-1]


def _interp_outside_adjoint(g, x, xp, period, below):
    """Adjoint of `left` (`below`) or `right` in `numpy.interp`: `g` summed where they are used,
    nowhere for a periodic interpolation."""
    ns = _namespace(g, x, xp)
    return ns.sum(ns.where(_interp_outside(x, xp, period, below), g, 0.0))


def _interp_knots_refused(xp):
    """Refuse the gradient of `numpy.interp` with respect to its knots `xp`."""
    raise ValueError(
        "s2sad does not differentiate np.interp with respect to xp, the sample points of the "
        "function: compute xp outside the differentiated function, or from constants"
    )
