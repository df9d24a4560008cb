"""Signal rules beyond the template cases: every pair of lengths in every mode, and the calls
the rules refuse."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp
from numpy.lib.stride_tricks import sliding_window_view

import s2sad


def convolve_full(a, v):
    return np.convolve(a, v, mode="full")


def convolve_same(a, v):
    return np.convolve(a, v, mode="same")


def convolve_valid(a, v):
    return np.convolve(a, v, mode="valid")


def correlate_full(a, v):
    return np.correlate(a, v, mode="full")


def correlate_same(a, v):
    return np.correlate(a, v, mode="same")


def correlate_valid(a, v):
    return np.correlate(a, v, mode="valid")


FUNCTIONS = [convolve_full, convolve_same, convolve_valid,
             correlate_full, correlate_same, correlate_valid]
LENGTHS = [(m, n) for m in range(1, 7) for n in range(1, 7)]


@pytest.mark.parametrize("fun", FUNCTIONS, ids=lambda f: f.__name__)
def test_every_pair_of_lengths_in_every_mode(fun):
    """'same' centres its result by the lengths' parity, and correlate swaps a shorter `a`."""
    vjp = s2sad.vjp(fun, wrt=("a", "v"))
    rng = np.random.default_rng(11)
    for m, n in LENGTHS:
        a, v = rng.standard_normal(m), rng.standard_normal(n)
        c = rng.standard_normal(fun(a, v).shape)
        da, dv = vjp(a, v, cotangent=c)
        expected_a, expected_v = numerical_vjp(fun, [a, v], (0, 1), c)
        assert_close(da, expected_a, name=f"{fun.__name__} lengths {m}, {n}: da")
        assert_close(dv, expected_v, name=f"{fun.__name__} lengths {m}, {n}: dv")


def windows_of_image(x):
    w = sliding_window_view(x, (3, 3))
    return np.sum(np.max(w, axis=(-1, -2)) * np.mean(w, axis=(-1, -2)))


def test_overlapping_windows_accumulate():
    x = np.linspace(-1.0, 1.0, 30).reshape(5, 6) ** 3 + np.arange(30.0).reshape(5, 6) * 0.01
    assert_close(s2sad.grad(windows_of_image)(x),
                 numerical_vjp(windows_of_image, [x], (0,), 1.0)[0], name="dx")


def interp_knots_moving(x, k, fp):
    return np.sum(np.interp(x, k * 2.0, fp))


def test_interp_refuses_differentiated_knots_when_run():
    gradient = s2sad.grad(interp_knots_moving, wrt=("k",))
    with pytest.raises(ValueError, match="with respect to xp"):
        gradient(np.array([0.2, 0.7]), np.array([0.0, 0.5]), np.array([1.0, 3.0]))


def interp_slope(x):
    return np.sum(np.interp(x, np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])))


def test_interp_x_gradient_is_the_slope_and_flat_outside():
    x = np.array([-0.5, 0.25, 0.75, 2.0, 4.0])
    assert_close(s2sad.grad(interp_slope)(x), np.array([0.0, 2.0, 2.0, 0.5, 0.0]), name="dx")


# ---- refusals -----------------------------------------------------------------------------------


def convolve_mode_variable(a, v):
    mode = "same" if a.shape[0] > 2 else "full"
    return np.convolve(a, v, mode=mode)


def convolve_mode_unknown(a, v):
    return np.convolve(a, v, mode="circular")


def windows_writeable(a, v):
    return sliding_window_view(a, 2, writeable=True)


def write_into_windows(a, v):
    w = sliding_window_view(a, 2)
    w[0, 1] = 5.0
    return w * v[0]


def write_into_a_window(a, v):
    w = np.lib.stride_tricks.sliding_window_view(a, 2)
    row = w[1]
    row[0] = 5.0
    return np.sum(row * v[0])


def update_windows(a, v):
    w = sliding_window_view(a, 2)
    w *= 2.0
    return np.sum(w)


def write_under_windows(a, v):
    a = a * 1.0
    w = sliding_window_view(a, 2)
    a[0] = 5.0
    return np.sum(w * v[0])


@pytest.mark.parametrize("fun", [convolve_mode_variable, convolve_mode_unknown, windows_writeable,
                                 write_into_windows, write_into_a_window, update_windows,
                                 write_under_windows], ids=lambda f: f.__name__)
def test_unsupported_calls_are_refused_when_generating(fun):
    with pytest.raises(s2sad.S2SADError):
        s2sad.vjp(fun, wrt=("a", "v")).source  # noqa: B018 - generating the source is the test
