"""Cases of the runtime helpers that tangent (forward-mode) rules call, registered into
tests/test_runtime.py's CASES, which imports this module: the same checks as every helper
(NumPy and the fake_xp namespace, no writes into arguments, against a plain NumPy definition
or central differences)."""

from functools import partial

import numpy as np
from test_runtime import (
    INTERP_CASES,
    NUMERICAL,
    POOL_CASES,
    Call,
    cases,
    cross_entropy_reference,
    interp,
    normal,
    pool_reference,
)


def directional(f, x, t, h=1e-6):
    """The derivative of `f` at `x` along `t`, by central differences."""
    return (np.asarray(f(x + h * t)) - np.asarray(f(x - h * t))) / (2 * h)


@cases("_max_pool_tangent")
def max_pool_tangent(rng, ns):
    calls = []
    for shape, size, stride, dims in POOL_CASES:
        x, t = normal(rng, *shape), normal(rng, *shape)
        f = partial(pool_reference, size=size, stride=stride, dims=dims, reduce=np.max)
        calls.append(Call((t, x, f(x), size, stride, dims), directional(f, x, t),
                          label=f"{shape} {size} {stride} {dims}", **NUMERICAL))
    # Ties: each window's tangent is its first maximum's, in row-major order (as the adjoint).
    x = np.array([[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    t = normal(rng, *x.shape)
    for stride in (1, 2):
        y = pool_reference(x, 2, stride, 2, np.max)
        expected = np.empty(y.shape)
        for o in np.ndindex(*y.shape):
            rows, cols = slice(o[0] * stride, o[0] * stride + 2), slice(o[1] * stride, o[1] * stride + 2)
            first = np.unravel_index(np.argmax(x[rows, cols]), (2, 2))
            expected[o] = t[rows, cols][first]
        calls.append(Call((t, x, y, 2, stride, 2), expected, label=f"ties, stride {stride}"))
    t32 = normal(rng, 4, 4).astype(np.float32)
    x = normal(rng, 4, 4)
    calls.append(Call((t32, x, pool_reference(x, 2, None, 2, np.max), 2, None, 2),
                      directional(partial(pool_reference, size=2, stride=None, dims=2, reduce=np.max),
                                  x, t32.astype(float)).astype(np.float32),
                      label="float32 tangent", rtol=1e-5, atol=1e-6))
    return calls


@cases("_cross_entropy_tangent")
def cross_entropy_tangent(rng, ns):
    calls = []
    for shape in ((4, 3), (2, 3, 5)):
        logits, t = normal(rng, *shape), normal(rng, *shape)
        labels = rng.integers(0, shape[-1], shape[:-1])
        expected = np.asarray(directional(partial(cross_entropy_reference, labels=labels), logits, t))
        calls.append(Call((t, logits, labels), expected, label=str(shape), **NUMERICAL))
    return calls


@cases("_interp_slope")
def interp_slope(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots, fp = np.array(x), np.array(knots), normal(rng, len(knots))
        f = partial(interp, knots=knots, fp=fp, left=left, right=right, period=period)
        calls.append(Call((x, knots, fp, period), directional(f, x, np.ones_like(x)),
                          label=f"{left} {right} {period}", **NUMERICAL))
    calls.append(Call((np.array([0.5, 2.0]), np.array([1.0]), np.array([3.0]), None), np.zeros(2),
                      label="one knot"))
    return calls


def interp_stencil_reference(x, knots, left, right, period):
    """Per sample: the positions in fp of the knots around it, and their values' weights."""
    x, knots = np.asarray(x, dtype=float), np.asarray(knots, dtype=float)
    source = np.arange(len(knots))
    if period is not None:
        x, knots = x % period, knots % period
        order = np.argsort(knots)
        knots, source = knots[order], source[order]
        knots = np.concatenate([knots[-1:] - period, knots, knots[:1] + period])
        source = np.concatenate([source[-1:], source, source[:1]])
    lower, upper = np.empty(x.shape, dtype=np.intp), np.empty(x.shape, dtype=np.intp)
    lower_weight, upper_weight = np.empty(x.shape), np.empty(x.shape)
    for i in np.ndindex(*x.shape):
        s = x[i]
        j = min(max(int(np.searchsorted(knots, s, side="right")) - 1, 0), len(knots) - 2)
        t = min(max((s - knots[j]) / (knots[j + 1] - knots[j]), 0.0), 1.0)
        keep = period is not None or ((left is None or s >= knots[0])
                                      and (right is None or s <= knots[-1]))
        lower[i], upper[i] = source[j], source[j + 1]
        lower_weight[i], upper_weight[i] = (1.0 - t) * keep, t * keep
    return {"lower": lower, "upper": upper, "lower_weight": lower_weight,
            "upper_weight": upper_weight}


@cases("_interp_stencil")
def interp_stencil(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots, fp = np.array(x), np.array(knots), normal(rng, len(knots))
        calls.append(Call((x, knots, fp, left, right, period),
                          interp_stencil_reference(x, knots, left, right, period),
                          label=f"{left} {right} {period}"))
    return calls


@cases("_interp_outside")
def interp_outside(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots = np.array(x), np.array(knots)
        for below in (True, False):
            expected = np.zeros(x.shape, dtype=bool) if period is not None else (
                x < knots[0] if below else x > knots[-1])
            calls.append(Call((x, knots, period, below), expected, label=f"{period} below={below}"))
    return calls
