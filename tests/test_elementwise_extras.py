"""The elementwise family beyond its template cases: refused keywords, functions passed through
without a gradient, special values (zeros, negative bases, NaN), and NumPy's aliases."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad
from s2sad.resolve import canonical_name
from s2sad.templates import is_nondifferentiable, lookup

# ---- refusals ----------------------------------------------------------------------------


def exp_out(x, buf):
    return np.sum(np.exp(x, out=buf))


def exp_out_positional(x, buf):
    return np.sum(np.exp(x, buf))


def add_out(x, buf):
    return np.sum(np.add(x, x, out=buf))


def maximum_out(x, buf):
    return np.sum(np.maximum(x, 0.0, out=buf))


def power_out(x, buf):
    return np.sum(np.power(x, 2.0, out=buf))


def exp_where_mask(x, mask):
    return np.sum(np.exp(x, where=mask))


def exp_where_false(x, buf):
    return np.sum(np.exp(x, where=False))


def add_dtype(x, buf):
    return np.sum(np.add(x, x, dtype="float32"))


def sin_signature(x, buf):
    return np.sum(np.sin(x, signature="d->d"))


def nan_to_num_in_place(x, buf):
    return np.sum(np.nan_to_num(x, copy=False))


def nan_to_num_varied_value(x, buf):
    return np.sum(np.nan_to_num(x, nan=buf))


def clip_out(x, buf):
    return np.sum(np.clip(x, 0.0, 1.0, out=buf))


def clip_method_keyword(x, buf):
    return np.sum(x.clip(max=1.0))


def full_dtype(x, buf):
    return np.sum(np.full(3, x[0], dtype="float32"))


def where_one_argument(x, buf):
    return np.sum(x[np.where(x > 0)] * np.where(x))


def linspace_axis(x, buf):
    return np.sum(np.linspace(x, 1.0, 5, axis=-1))


def arange_from_varied(x, buf):
    return np.sum(np.arange(x[0], 3.0))


def normal_around_varied(x, buf):
    return np.sum(np.random.normal(x, 1.0))


def generator_normal_around_varied(x, buf):
    rng = np.random.default_rng(0)
    return np.sum(rng.normal(x, 1.0))


def permutation_of_varied(x, buf):
    rng = np.random.default_rng(0)
    return np.sum(rng.permutation(x) * np.arange(3.0))


REFUSED = [
    (exp_out, "with `out=`"),
    (exp_out_positional, "with `out=`"),
    (add_out, "with `out=`"),
    (maximum_out, "with `out=`"),
    (power_out, "with `out=`"),
    (exp_where_mask, "literal constant"),
    (exp_where_false, "where= is not supported"),
    (add_dtype, "dtype= and signature= are not supported"),
    (sin_signature, "dtype= and signature= are not supported"),
    (nan_to_num_in_place, "copy=False is not supported"),
    (nan_to_num_varied_value, "needs `nan` as a literal constant"),
    (clip_out, "with `out=`"),
    (clip_method_keyword, "a_min"),
    (full_dtype, "dtype= is not supported"),
    (where_one_argument, "unsupported arguments"),
    (linspace_axis, "axis= are not supported"),
    (arange_from_varied, "no adjoint rule"),
    (normal_around_varied, "no adjoint rule"),
    (generator_normal_around_varied, "no adjoint rule"),
    (permutation_of_varied, "no adjoint rule"),
]


@pytest.mark.parametrize(("fun", "message"), REFUSED, ids=[f.__name__ for f, _ in REFUSED])
def test_refused(fun, message):
    """Keywords and functions s2sad cannot differentiate exactly are refused, never guessed."""
    with pytest.raises(s2sad.S2SADError, match=message) as info:
        _ = s2sad.grad(fun, wrt="x").source
    assert "test_elementwise_extras.py" in str(info.value)


def test_out_none_where_true_and_layout_keywords_are_accepted():
    def f(x):
        y = np.sin(x, out=None, where=True, casting="no", order="C", subok=False)
        return np.sum(np.add(y, x, None) * np.clip(x, -1.0, 1.0, out=None))

    x = np.array([0.3, -0.7, 1.4])
    assert_close(s2sad.grad(f)(x), numerical_vjp(f, [x], [0], 1.0)[0])


# ---- passed through: no gradient, no error -----------------------------------------------


def check(fun, *args, wrt=(0,)):
    """s2sad's gradient of `fun` against central differences."""
    grads = s2sad.grad(fun, wrt=wrt if len(wrt) > 1 else wrt[0])(*args)
    grads = grads if len(wrt) > 1 else (grads,)
    for actual, expected in zip(grads, numerical_vjp(fun, list(args), wrt, 1.0)):
        assert_close(actual, expected)
    return grads


# Away from integers and half-integers, where the roundings jump.
X = np.array([[0.3, 1.7, -2.4], [-0.2, 2.1, -1.37]])


def floor_times(x):
    return np.sum(np.floor(x) * x)


def ceil_times(x):
    return np.sum(np.ceil(x) * x)


def round_times(x):
    return np.sum(np.round(x) * x + np.around(x, 1) * x + x.round() * x)


def rint_trunc_fix_sign(x):
    return np.sum((np.rint(x) + np.trunc(x) + np.fix(x) + np.sign(x)) * x)


def floor_divide_times(x):
    return np.sum((x // 0.65 + np.floor_divide(x, 0.45)) * x)


@pytest.mark.parametrize("fun", [floor_times, ceil_times, round_times, rint_trunc_fix_sign,
                                 floor_divide_times])
def test_piecewise_constant_functions_pass_through(fun):
    check(fun, X.copy())


def test_floor_times_x_has_gradient_floor():
    """d/dx (floor(x) * x) = floor(x): floor's own derivative is 0."""
    assert_close(s2sad.grad(floor_times)(X.copy()), np.floor(X))


def argmax_index(x):
    return x[np.argmax(x)] * 2.0 + x[x.argmin()] + x[np.argmin(x)]


def argsort_weights(x):
    return np.sum(x[np.argsort(x)] * np.arange(6.0) + x[x.argsort()])


def nonzero_selection(x):
    return np.sum(x[np.nonzero(x > 0)] ** 2) + np.sum(x[(x < 0).nonzero()])


@pytest.mark.parametrize("fun", [argmax_index, argsort_weights, nonzero_selection])
def test_index_functions_pass_through(fun):
    check(fun, X.ravel().copy())


def comparisons(x, y):
    total = np.sum(np.where(np.greater(x, y), x * y, x) + np.where(np.greater_equal(x, y), x, y))
    total = total + np.sum(np.where(np.less(x, y), x * y, x) + np.where(np.less_equal(x, y), x, y))
    return total + np.sum(np.where(np.equal(x, y), x, y) * np.not_equal(x, y))


def logical(x, y):
    a = x > 0
    b = y > 0
    total = np.sum(np.where(np.logical_and(a, b), x * y, y) + np.where(np.logical_or(a, b), x, y))
    return total + np.sum(np.where(np.logical_not(a), x * y, y) * np.logical_xor(a, b))


def value_tests(x, y):
    finite = np.logical_and(np.isfinite(x), np.logical_not(np.isnan(y)))
    positive = np.logical_not(np.logical_or(np.isinf(x), np.signbit(y)))
    close = np.isclose(x, y)
    if np.allclose(x, y) or np.array_equal(x, y) or np.array_equiv(x, y):
        return np.sum(x)
    return np.sum(np.where(finite, x * y, 0.0) + np.where(close, 0.0, x) + np.where(positive, y, x))


@pytest.mark.parametrize("fun", [comparisons, logical, value_tests])
def test_comparisons_and_tests_pass_through(fun):
    y = np.array([[0.1, 1.6, -2.0], [0.5, -2.1, 1.3]])
    check(fun, X.copy(), y, wrt=(0, 1))


def shapes(x):
    n = len(x)
    return np.sum(x * np.size(x) + x * np.ndim(x) + x / n) + np.shape(x)[0] * np.sum(x)


def creation(x):
    e = np.empty_like(x)
    e[:] = 2.0
    grid = np.zeros(x.shape) + np.ones((2, 3)) + np.empty((2, 3)) * 0.0 + np.full((2, 3), 1.5)
    like = np.zeros_like(x) + np.ones_like(x) + np.full_like(x, 3.0)
    square = np.eye(2) @ x + np.identity(2) @ x
    ramps = np.arange(3) * x + np.linspace(0.0, 1.0, x.shape[1]) * x + np.arange(0.5, 3.0) * x
    return np.sum(e * x + grid * x + like * x + square + ramps)


@pytest.mark.parametrize("fun", [shapes, creation])
def test_shapes_and_array_creation_pass_through(fun):
    check(fun, X.copy())


def seeded_draws(x):
    rng = np.random.default_rng(7)
    noise = rng.standard_normal(x.shape)
    picks = rng.integers(0, 3, size=4)
    return np.sum(x * noise) + np.sum(x[0, picks]) + np.sum(x * rng.random(x.shape))


def global_draws(x):
    # Multiplied by 0, the draws keep the function deterministic for finite differences.
    noise = np.random.rand(2, 3) + np.random.randn(2, 3) + np.random.random((2, 3))
    noise = noise + np.random.random_sample((2, 3)) + np.random.standard_normal((2, 3))
    return np.sum(x * (1.0 + 0.0 * noise)) + np.sum(x[0, np.random.randint(0, 3, size=2)] * 0.0)


@pytest.mark.parametrize("fun", [seeded_draws, global_draws])
def test_random_draws_pass_through(fun):
    check(fun, X.copy())


def test_pass_through_names_are_known():
    names = ["argmax", "argmin", "argsort", "nonzero", "floor", "ceil", "round", "around", "rint",
             "trunc", "fix", "sign", "greater", "greater_equal", "less", "less_equal", "equal",
             "not_equal", "logical_and", "logical_or", "logical_not", "logical_xor", "isnan",
             "isinf", "isfinite", "isclose", "allclose", "array_equal", "shape", "ndim", "size",
             "zeros", "ones", "empty", "zeros_like", "ones_like", "empty_like", "eye", "identity"]
    unknown = [n for n in names if not is_nondifferentiable(canonical_name(getattr(np, n)))]
    assert not unknown
    random = [np.random.rand, np.random.randn, np.random.random, np.random.standard_normal,
              np.random.randint, np.random.default_rng]
    assert all(is_nondifferentiable(canonical_name(f)) for f in random)
    assert all(is_nondifferentiable("method." + m) for m in ("integers", "random", "round"))


# ---- aliases -----------------------------------------------------------------------------


ALIASES = ["abs", "absolute", "fabs", "negative", "positive", "exp", "exp2", "expm1", "log",
           "log2", "log10", "log1p", "sqrt", "cbrt", "square", "reciprocal", "sin", "cos", "tan",
           "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
           "deg2rad", "radians", "rad2deg", "degrees", "sinc", "nan_to_num", "add", "subtract",
           "multiply", "divide", "true_divide", "power", "float_power", "maximum", "minimum",
           "fmax", "fmin", "arctan2", "hypot", "logaddexp", "logaddexp2", "copysign", "remainder",
           "mod", "fmod", "where", "clip", "full",
           # NumPy 2 names, the same objects as the names above
           "pow", "asin", "acos", "atan", "asinh", "acosh", "atanh", "atan2"]


@pytest.mark.parametrize("name", ALIASES)
def test_every_name_has_a_rule(name):
    function = getattr(np, name, None)
    if function is None:
        pytest.skip(f"numpy {np.__version__} has no np.{name}")
    assert lookup(canonical_name(function)) is not None


# ---- special values ----------------------------------------------------------------------


def power(x, p):
    return np.sum(x**p)


def test_power_constant_exponent_at_zero_and_negative_bases():
    """Only the base's rule runs: no NaN from log(x) where x <= 0."""
    x = np.array([-1.5, 0.0, 2.0, -3.0])
    with np.errstate(all="raise"):
        dx = s2sad.grad(power, wrt="x")(x, np.array([2.0, 3.0, 2.0, 3.0]))
    assert_close(dx, [-3.0, 0.0, 4.0, 27.0])
    with np.errstate(all="raise"):
        assert_close(s2sad.grad(square_by_power)(x), 4.0 * x)


def square_by_power(x):
    return np.sum(x**2 + np.float_power(x, 2.0))


def test_power_exponent_gradient_follows_autograd():
    """d/dp x**p is 0 at x == 0 (for p > 0) and NaN at x < 0, as in autograd and JAX."""
    x = np.array([0.0, -1.5, 2.0, 0.0])
    p = np.array([2.0, 2.0, 0.5, 3.0])
    with np.errstate(invalid="ignore"):
        dp = s2sad.grad(power, wrt="p")(x, p)
        expected = autograd.grad(lambda q: anp.sum(x**q))(p)
    np.testing.assert_array_equal(np.isnan(dp), [False, True, False, False])
    assert_close(dp[~np.isnan(dp)], expected[~np.isnan(expected)])


def test_power_both_gradients_match_autograd():
    x = np.array([0.5, 1.5, 2.0])
    p = np.array([2.0, -1.0, 0.5])
    dx, dp = s2sad.grad(power, wrt=("x", "p"))(x, p)
    ax, ap = autograd.grad(lambda a, b: anp.sum(a**b), argnum=(0, 1))(x, p)
    assert_close(dx, ax)
    assert_close(dp, ap)


def hypot_sum(x, y):
    return np.sum(np.hypot(x, y))


def test_hypot_at_the_origin_is_zero_not_nan():
    with np.errstate(all="raise"):
        dx, dy = s2sad.grad(hypot_sum, wrt=("x", "y"))(np.array([0.0, 3.0]), np.array([0.0, 4.0]))
    assert_close(dx, [0.0, 0.6])
    assert_close(dy, [0.0, 0.8])


def sinc_sum(x):
    return np.sum(np.sinc(x))


def test_sinc_at_zero():
    with np.errstate(all="raise"):
        assert_close(s2sad.grad(sinc_sum)(np.array([0.0, -0.0, 1e-12])), [0.0, 0.0, 0.0])


def fmax_fmin(x, y):
    return np.sum(np.fmax(x, y) * 2.0 + np.fmin(x, y))


def test_fmax_and_fmin_give_the_adjoint_to_the_side_that_is_not_nan():
    x = np.array([1.0, np.nan, 3.0])
    y = np.array([np.nan, 2.0, 0.5])
    dx, dy = s2sad.grad(fmax_fmin, wrt=("x", "y"))(x, y)
    assert_close(dx, [3.0, 0.0, 2.0])
    assert_close(dy, [0.0, 3.0, 1.0])


def nan_to_num_sum(x):
    return np.sum(np.nan_to_num(x, nan=5.0, posinf=1.0, neginf=-1.0) * 3.0)


def test_nan_to_num_replaced_elements_get_no_gradient():
    x = np.array([1.0, np.nan, np.inf, -np.inf, -2.0])
    assert_close(s2sad.grad(nan_to_num_sum)(x), [3.0, 0.0, 0.0, 0.0, 3.0])


def clip_sum(x, lo, hi):
    return np.sum(np.clip(x, lo, hi) * np.array([1.0, 2.0, 3.0, 4.0]))


def test_clip_gives_the_adjoint_to_whichever_value_was_kept():
    x = np.array([-2.0, 0.5, 3.0, 0.1])
    lo = np.array([-1.0, -1.0, -1.0, 0.2])
    hi = np.array([1.0, 1.0, 1.0, 0.15])  # the last: lo > hi, so NumPy returns hi
    dx, dlo, dhi = s2sad.grad(clip_sum, wrt=("x", "lo", "hi"))(x, lo, hi)
    assert_close(dx, [0.0, 2.0, 0.0, 0.0])
    assert_close(dlo, [1.0, 0.0, 0.0, 0.0])
    assert_close(dhi, [0.0, 0.0, 3.0, 4.0])
    expected = numerical_vjp(clip_sum, [x, lo, hi], (0, 1, 2), 1.0)
    for actual, wanted in zip((dx, dlo, dhi), expected):
        assert_close(actual, wanted)


def mod_sum(x, y):
    return np.sum(x % y + np.remainder(x, 2.5) + np.fmod(x, y))


def test_remainder_and_fmod_with_negative_operands():
    x = np.array([5.3, -5.3, 5.3, -5.3])
    y = np.array([2.0, 2.0, -2.0, -2.0])
    check(mod_sum, x, y, wrt=(0, 1))


def test_generated_code_reads_like_the_rules():
    def f(x, y):
        return np.sum(np.logaddexp(x, y) + np.arctan2(y, x))

    source = s2sad.grad(f, wrt=("x", "y")).source
    assert "xp.exp(x - logaddexp_x_y)" in source
    assert "x / (x * x + y * y)" in source
