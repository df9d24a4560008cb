"""The reductions against autograd, and their conventions where there is no derivative.

Every template case of a reduction that autograd also differentiates is run
through both: the case's function is rebound to `autograd.numpy`, and its
vector-Jacobian product compared with s2sad's. A case autograd cannot compute
(an order or option its rules lack) is skipped with autograd's reason. Where a
reduction has no derivative (a norm at 0, a constant's standard deviation, an
all-nan row), s2sad's gradient is finite and the convention's value, never nan.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
from gradcheck import assert_close
from template_cases import CASES
from test_templates import random_like, rng_for, wrt_argument

import s2sad

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

AUTOGRAD_KEYS = ("numpy.amax", "numpy.amin", "numpy.cumsum", "numpy.diff", "numpy.linalg.norm",
                 "numpy.max", "numpy.mean", "numpy.min", "numpy.prod", "numpy.std", "numpy.sum",
                 "numpy.trace", "numpy.var")
PAIRS = [(key, i, case) for key in AUTOGRAD_KEYS for i, case in enumerate(CASES[key])]


def on_autograd(fun):
    """`fun` with `np` standing for autograd.numpy."""
    return types.FunctionType(fun.__code__, {**fun.__globals__, "np": anp}, fun.__name__)


def autograd_vjp(case, args, cotangent):
    """autograd's vector-Jacobian product of the case's function, one per `wrt` argument."""
    fun = on_autograd(case.fun)
    grads = []
    for index in case.wrt_indices:
        vjp, _ = autograd.make_vjp(fun, index)(*args)
        grads.append(vjp(cotangent))
    return grads


@pytest.mark.parametrize(("key", "i", "case"), PAIRS, ids=[f"{k}-{i}" for k, i, _ in PAIRS])
def test_reduction_matches_autograd(key, i, case):
    rng = rng_for(key, i, salt="autograd")
    args = case.make_args(rng)
    cotangent = random_like(rng, case.fun(*args))
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = autograd_vjp(case, args, cotangent)
    except (NotImplementedError, TypeError, ValueError, AttributeError) as error:
        pytest.skip(f"autograd cannot: {type(error).__name__}: {error}")
    if not all(np.all(np.isfinite(g)) for g in expected):
        pytest.skip("autograd's rule divides by zero here (products with zeros)")
    if any(np.shape(g) != np.shape(args[i]) for g, i in zip(expected, case.wrt_indices)):
        pytest.skip("autograd's gradient has the wrong shape here (norm, tuple axis, keepdims)")
    grads = s2sad.vjp(case.fun, wrt=wrt_argument(case))(*args, cotangent=cotangent)
    grads = grads if len(case.wrt) > 1 else (grads,)
    for name, actual, wanted in zip(case.wrt, grads, expected):
        assert_close(actual, wanted, name=f"[{key}-{i}] {case.name}: d{name} against autograd")


# ---- no derivative: finite conventions ------------------------------------------------------


def norm_2(x):
    return np.linalg.norm(x)


def norm_rows(x):
    return np.sum(np.linalg.norm(x, axis=1))


def norm_rows_keepdims(x):
    return np.sum(np.linalg.norm(x, 2, axis=-1, keepdims=True))


def norm_1(x):
    return np.linalg.norm(x, 1)


def norm_inf(x):
    return np.linalg.norm(x, np.inf)


def norm_negative_inf(x):
    return np.linalg.norm(x, -np.inf)


def norm_3(x):
    return np.linalg.norm(x, 3)


def norm_half(x):
    return np.linalg.norm(x, 0.5)


def norm_minus_1(x):
    return np.linalg.norm(x, -1)


def norm_fro(x):
    return np.linalg.norm(x, "fro")


def norm_nuc(x):
    return np.linalg.norm(x, "nuc")


def norm_spectral(x):
    return np.linalg.norm(x, 2)


def norm_columns(x):
    return np.linalg.norm(x, 1)


def std_all(x):
    return np.std(x)


def std_rows(x):
    return np.sum(np.std(x, axis=1, ddof=1))


def var_all(x):
    return np.var(x)


@pytest.mark.parametrize("fun", [norm_2, norm_1, norm_inf, norm_negative_inf, norm_3, norm_half,
                                 norm_minus_1])
def test_a_vector_norm_at_zero_has_gradient_zero(fun):
    # A negative order's forward divides by zero itself: 1 / |0| is inf, the norm 0.
    with np.errstate(all="raise", divide="ignore" if fun is norm_minus_1 else "raise"):
        dx = s2sad.grad(fun)(np.zeros(4))
    np.testing.assert_array_equal(dx, np.zeros(4))


@pytest.mark.parametrize("fun", [norm_2, norm_fro, norm_rows, norm_rows_keepdims])
def test_the_2_norm_at_zero_has_gradient_zero(fun):
    with np.errstate(all="raise"):
        dx = s2sad.grad(fun)(np.zeros((2, 3)))
    np.testing.assert_array_equal(dx, np.zeros((2, 3)))


@pytest.mark.parametrize("fun", [norm_nuc, norm_spectral, norm_columns])
def test_a_matrix_norm_at_zero_has_a_finite_gradient(fun):
    with np.errstate(all="raise"):
        dx = s2sad.grad(fun)(np.zeros((3, 2)))
    assert dx.shape == (3, 2) and np.all(np.isfinite(dx))
    if fun is norm_columns:
        np.testing.assert_array_equal(dx, np.zeros((3, 2)))


def test_a_zero_row_of_a_norm_over_rows_has_gradient_zero_and_the_others_theirs():
    x = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, -4.0]])
    with np.errstate(all="raise"):
        dx = s2sad.grad(norm_rows)(x)
    np.testing.assert_allclose(dx, [[0.0, 0.0, 0.0], [0.6, 0.0, -0.8]])


def test_a_p_norm_below_1_has_gradient_zero_at_a_zero_element():
    x = np.array([0.0, 1.0, 4.0])  # (1 + 2) ** 2 = 9; d/dx = (|x| / 9) ** (0.5 - 1) = 3, 1.5
    with np.errstate(all="raise"):
        dx = s2sad.grad(norm_half)(x)
    np.testing.assert_allclose(dx, [0.0, 3.0, 1.5])


@pytest.mark.parametrize("fun", [std_all, std_rows, var_all])
def test_the_spread_of_a_constant_has_gradient_zero(fun):
    with np.errstate(all="raise"):
        dx = s2sad.grad(fun)(np.full((2, 3), 1.5))
    np.testing.assert_array_equal(dx, np.zeros((2, 3)))


def nanmean_columns(x):
    return np.sum(np.nanmean(x, axis=0) * np.array([1.0, 2.0, 3.0]))


def test_nanmean_gives_zero_at_nans_and_to_an_all_nan_column():
    x = np.array([[1.0, np.nan, np.nan], [3.0, np.nan, 2.0]])
    with np.errstate(divide="raise", invalid="raise"), pytest.warns(RuntimeWarning):
        dx = s2sad.grad(nanmean_columns)(x)
    np.testing.assert_array_equal(dx, [[0.5, 0.0, 0.0], [0.5, 0.0, 3.0]])


def prod_all(x):
    return np.prod(x)


def cumprod_total(x):
    return np.sum(np.cumprod(x))


@pytest.mark.parametrize(("x", "expected"), [
    ([2.0, 0.0, 3.0], [0.0, 6.0, 0.0]),
    ([0.0, 2.0, 0.0], [0.0, 0.0, 0.0]),
    ([0.0, 0.0], [0.0, 0.0]),
    ([2.0, 5.0], [5.0, 2.0]),
])
def test_a_product_with_zeros(x, expected):
    with np.errstate(all="raise"):
        dx = s2sad.grad(prod_all)(np.array(x))
    np.testing.assert_array_equal(dx, expected)


@pytest.mark.parametrize(("x", "expected"), [
    # y = (x0, x0 x1, x0 x1 x2): d/dx0 = 1 + x1 + x1 x2, d/dx1 = x0 + x0 x2, d/dx2 = x0 x1
    ([2.0, 0.0, 3.0], [1.0, 8.0, 0.0]),
    ([0.0, 2.0, 3.0], [9.0, 0.0, 0.0]),
    ([2.0, 0.0, 0.0], [1.0, 2.0, 0.0]),
])
def test_a_cumulative_product_with_zeros(x, expected):
    with np.errstate(all="raise"):
        dx = s2sad.grad(cumprod_total)(np.array(x))
    np.testing.assert_array_equal(dx, expected)
