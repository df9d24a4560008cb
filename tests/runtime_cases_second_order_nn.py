"""Cases of the runtime helpers that the second-order rules of the nn, signal and elementwise
families add (the adjoints of those families' adjoint helpers), registered into
tests/test_runtime.py's CASES, which imports this module: the same checks as every helper
(NumPy and the fake_xp namespace, no writes into arguments, against a plain NumPy definition
or central differences)."""

import numpy as np
from test_runtime import Call, cases

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
