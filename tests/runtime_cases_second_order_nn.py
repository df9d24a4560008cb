"""Cases of the runtime helpers that the second-order rules of the nn, signal and elementwise
families add (the adjoints of those families' adjoint helpers), registered into
tests/test_runtime.py's CASES, which imports this module: the same checks as every helper
(NumPy and the fake_xp namespace, no writes into arguments, against a plain NumPy definition
or central differences)."""

from functools import partial

import numpy as np
from runtime_cases_tangents import directional
from test_runtime import INTERP_CASES, NUMERICAL, Call, cases, full_start, interp, normal

# ---- elementwise -----------------------------------------------------------------------------


@cases("_sinc_near_zero")
def sinc_near_zero(rng, ns):
    x = np.array([0.0, 5e-4, -9e-4, 2e-3, -0.05, 0.2])
    return [
        Call((x,), np.array([True, True, True, False, False, False]), label="float64"),
        Call((x.astype(np.float32),), np.array([True, True, True, True, True, False]),
             label="float32: a wider band, where cos(pi x) - sinc(x) cancels"),
        Call((2e-4,), True, label="a float"),
    ]


def sinc_derivative_reference(x):
    """d/dx sinc(x) in float64 by its closed form, exact enough away from 0 (and 0 at 0)."""
    x = np.asarray(x, dtype=np.float64)
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 0.0, (np.cos(np.pi * x) - np.sinc(x)) / safe)


@cases("_sinc_derivative")
def sinc_derivative_float32(rng, ns):
    """In float32 the series covers the band where the closed form has lost its digits."""
    x = np.array([1e-4, -3e-4, 2e-3, -0.01, 0.05, 0.099, 0.3, -1.7], dtype=np.float32)
    expected = sinc_derivative_reference(x.astype(np.float64)).astype(np.float32)
    return [Call((x, np.sinc(x)), expected, rtol=2e-6, atol=1e-7, label="float32")]


# ---- signal ----------------------------------------------------------------------------------


def signal_modes(rng):
    """(function, correlate, a, v, mode, its result) for both functions, both orders of the
    lengths and every mode."""
    for f, correlate in ((np.convolve, False), (np.correlate, True)):
        for a_size, v_size in ((6, 3), (3, 6), (5, 4), (4, 5), (1, 3)):
            a, v = normal(rng, a_size), normal(rng, v_size)
            for mode in ("same", "valid", "full"):
                yield f, correlate, a, v, mode, f(a, v, mode)


@cases("_kept_start")
def kept_start(rng, ns):
    return [Call((kept, a, v, correlate), full_start(kept, f(a, v, "full")),
                 label=f"{f.__name__} {a.size} {v.size} {mode}")
            for f, correlate, a, v, mode, kept in signal_modes(rng)]


@cases("_kept_part")
def kept_part(rng, ns):
    """The part of the 'full' result that each mode keeps is that mode's result."""
    return [Call((f(a, v, "full"), normal(rng, kept.size), a, v, correlate), kept,
                 label=f"{f.__name__} {a.size} {v.size} {mode}")
            for f, correlate, a, v, mode, kept in signal_modes(rng)]


def interp_slope_reference(fp, x, knots, period, h=1e-4):
    """The derivative of np.interp in `x` (central differences, exact for a piecewise linear
    function away from its knots): linear in `fp`."""
    return (np.interp(x + h, knots, fp, period=period)
            - np.interp(x - h, knots, fp, period=period)) / (2 * h)


@cases("_interp_slope_adjoint")
def interp_slope_adjoint(rng, ns):
    """The transpose of the slopes' linear map in `fp`, built column by column."""
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots, fp = np.array(x), np.array(knots), normal(rng, len(knots))
        g = normal(rng, *x.shape)
        expected = np.array([np.sum(g * interp_slope_reference(column, x, knots, period))
                             for column in np.eye(len(knots))])
        calls.append(Call((g, x, knots, fp, period), expected, label=f"{left} {right} {period}",
                          rtol=1e-9, atol=1e-9))
    calls.append(Call((normal(rng, 2), np.array([0.5, 2.0]), np.array([1.0]), np.array([3.0]), None),
                      np.zeros(1), label="one knot"))
    return calls


@cases("_interp_fp_tangent")
def interp_fp_tangent(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots, fp = np.array(x), np.array(knots), normal(rng, len(knots))
        t = normal(rng, len(knots))
        expected = np.asarray(directional(
            partial(interp, x, knots, left=left, right=right, period=period), fp, t))
        calls.append(Call((t, x, knots, fp, left, right, period), expected,
                          label=f"{left} {right} {period}", **NUMERICAL))
    x, knots, fp = np.array([0.5, 1.2, 3.3]), np.array([0.0, 1.0, 2.0, 4.0]), normal(rng, 4)
    t32 = normal(rng, 4).astype(np.float32)
    calls.append(Call((t32, x, knots, fp, None, None, None),
                      np.interp(x, knots, t32.astype(np.float64)).astype(np.float32),
                      rtol=1e-6, atol=1e-7, label="a float32 tangent"))
    return calls
