"""Template cases of the elementwise family: unary and binary ufuncs, where, clip, sinc, full.

Domains keep finite differences away from kinks and invalid regions: an offset or a
scale inside the case function moves the random inputs into the function's domain
(`np.arccosh(x + 1.0)` with x positive).
"""

import numpy as np
from template_cases import BINARY_SHAPES, SCALAR, Case, Value, add_cases

import s2sad

# ---- unary functions ---------------------------------------------------------------------


def np_exp_keywords(x):
    return np.exp(x, out=None, casting="same_kind", order="K")


def np_exp2(x):
    return np.exp2(x)


def np_expm1(x):
    return np.expm1(x)


def np_log2(x):
    return np.log2(x)


def np_log10(x):
    return np.log10(x)


def np_log1p(x):
    return np.log1p(x)


def np_log_where_true(x):
    return np.log(x, where=True)


def np_sqrt_of_square(x):
    return np.sqrt(x * x + 1.0)


def np_cbrt(x):
    return np.cbrt(x)


def np_square(x):
    return np.square(x)


def np_square_loss(x, c):
    return np.sum(np.square(x) * c)


def np_reciprocal(x):
    return np.reciprocal(x)


def np_tan(x):
    return np.tan(0.5 * x)


def np_arcsin(x):
    return np.arcsin(0.4 * x)


def np_arccos(x):
    return np.arccos(0.4 * x)


def np_arctan(x):
    return np.arctan(x)


def np_sinh(x):
    return np.sinh(x)


def np_cosh(x):
    return np.cosh(x)


def np_arcsinh(x):
    return np.arcsinh(x)


def np_arccosh(x):
    return np.arccosh(x + 1.0)


def np_arctanh(x):
    return np.arctanh(0.4 * x)


def np_deg2rad(x):
    return np.deg2rad(x)


def np_radians(x):
    return np.radians(x)


def np_rad2deg(x):
    return np.rad2deg(x)


def np_degrees(x):
    return np.degrees(x)


def np_sinc(x):
    return np.sinc(x)


def np_fabs(x):
    return np.fabs(x)


def np_abs_keywords(x):
    return np.abs(x, out=None)


def np_nan_to_num(x):
    return np.nan_to_num(x)


def np_nan_to_num_values(x):
    return np.nan_to_num(x, copy=True, nan=0.0, posinf=1e3, neginf=-1e3)


def np_negative_keywords(x):
    return np.negative(x, out=None)


def np_tanh_of_exp(x):
    return np.tanh(np.exp(x)) * np.sin(x)


UNARY = [
    ("numpy.exp2", np_exp2, "real"),
    ("numpy.expm1", np_expm1, "real"),
    ("numpy.log2", np_log2, "positive"),
    ("numpy.log10", np_log10, "positive"),
    ("numpy.log1p", np_log1p, "positive"),
    ("numpy.cbrt", np_cbrt, "positive"),
    ("numpy.cbrt", np_cbrt, "negative"),
    ("numpy.square", np_square, "real"),
    ("numpy.reciprocal", np_reciprocal, "positive"),
    ("numpy.reciprocal", np_reciprocal, "negative"),
    ("numpy.tan", np_tan, "real"),
    ("numpy.arcsin", np_arcsin, "positive"),
    ("numpy.arcsin", np_arcsin, "negative"),
    ("numpy.arccos", np_arccos, "positive"),
    ("numpy.arccos", np_arccos, "negative"),
    ("numpy.arctan", np_arctan, "real"),
    ("numpy.sinh", np_sinh, "real"),
    ("numpy.cosh", np_cosh, "real"),
    ("numpy.arcsinh", np_arcsinh, "real"),
    ("numpy.arccosh", np_arccosh, "positive"),
    ("numpy.arctanh", np_arctanh, "positive"),
    ("numpy.arctanh", np_arctanh, "negative"),
    ("numpy.deg2rad", np_deg2rad, "real"),
    ("numpy.radians", np_radians, "real"),
    ("numpy.rad2deg", np_rad2deg, "real"),
    ("numpy.degrees", np_degrees, "real"),
    ("numpy.sinc", np_sinc, "real"),
    ("numpy.fabs", np_fabs, "distinct"),
]
for _key, _fun, _domain in UNARY:
    add_cases(_key, *[Case(_fun, (shape,), domain=_domain) for shape in ((3, 4), (5,), ())])

add_cases("numpy.square", Case(np_square, ((2, 3),), loss=np_square_loss))
add_cases(
    "numpy.sinc",
    # At and near 0, where the derivative is computed by its Taylor series.
    Case(np_sinc, (Value(np.array([0.0, 1e-4, -3e-4, 2e-3, 1.0, -1.5])),), wrt=("x",)),
)
add_cases(
    "numpy.nan_to_num",
    Case(np_nan_to_num, ((3, 4),)),
    # Infinities replaced by finite values: the default, the largest float, overflows the
    # finite differences' sum.
    Case(np_nan_to_num_values, (Value(np.array([1.0, np.inf, -2.0, -np.inf])),), wrt=("x",)),
    Case(np_nan_to_num_values, (Value(np.array([[np.inf, 0.5], [-np.inf, 3.0]])),), wrt=("x",)),
)
add_cases(
    "numpy.exp",
    Case(np_exp_keywords, ((2, 3),)),
    Case(np_tanh_of_exp, ((4,),)),
)
add_cases("numpy.log", Case(np_log_where_true, ((3, 2),), domain="positive"))
add_cases("numpy.sqrt", Case(np_sqrt_of_square, ((4,),)))
add_cases("numpy.absolute", Case(np_abs_keywords, ((2, 2),), domain="distinct"))
add_cases("numpy.negative", Case(np_negative_keywords, ((3,),)))


# ---- powers ------------------------------------------------------------------------------


def power_operator(x, p):
    return x**p


def power_operator_loss(x, p, c):
    return np.sum(x**p * c)


def power_integer_exponents(x):
    return x ** np.array([1.0, 2.0, 3.0])


def power_scalar_exponent(x, p):
    return x**p


def np_float_power(x, p):
    return np.float_power(x, p)


def float_power_literal(x):
    return np.float_power(x, 3.0)


def np_power_keywords(x, p):
    return np.power(x, p, out=None, casting="same_kind")


add_cases(
    "numpy.power",
    # Negative and zero bases with a constant exponent: no NaN from the exponent's adjoint.
    Case(power_operator, (Value(np.array([-1.5, 0.0, 2.0])), Value(np.array([2.0, 2.0, 3.0]))),
         wrt=("x",)),
    Case(power_integer_exponents, ((2, 3),)),
    Case(power_integer_exponents, (Value(np.array([-2.0, 0.0, 1.5])),), wrt=("x",)),
    Case(power_scalar_exponent, ((3, 4), SCALAR), domain="positive"),
    Case(power_operator, ((2, 1, 3), (4, 1)), domain="positive", loss=power_operator_loss),
    Case(np_power_keywords, ((3,), (2, 3)), domain="positive"),
)
add_cases(
    "numpy.float_power",
    Case(np_float_power, ((3, 4), (3, 4)), domain="positive"),
    Case(np_float_power, ((3, 4), (4,)), domain="positive"),
    Case(np_float_power, ((), (2, 3)), domain="positive"),
    Case(np_float_power, ((3,), SCALAR), domain="positive"),
    Case(float_power_literal, ((2, 2),)),
)


# ---- binary functions --------------------------------------------------------------------


def true_divide(x, y):
    return np.true_divide(x, y)


def np_fmax(x, y):
    return np.fmax(x, y)


def np_fmin(x, y):
    return np.fmin(x, y)


def np_arctan2(y, x):
    return np.arctan2(y, x)


def np_hypot(x, y):
    return np.hypot(x, y)


def np_logaddexp(x, y):
    return np.logaddexp(x, y)


def np_logaddexp2(x, y):
    return np.logaddexp2(x, y)


def np_copysign(x, y):
    return np.copysign(x, y)


def np_remainder(x, y):
    return np.remainder(x, y)


def mod_operator(x, y):
    return x % y


def mod_literal(x):
    return x % 0.7


def np_fmod(x, y):
    return np.fmod(x, y)


def np_add_keywords(x, y):
    return np.add(x, y, out=None, where=True, casting="same_kind", order="K", subok=True)


SMOOTH_BINARY = [
    ("numpy.arctan2", np_arctan2, "real"),
    ("numpy.hypot", np_hypot, "real"),
    ("numpy.logaddexp", np_logaddexp, "real"),
    ("numpy.logaddexp2", np_logaddexp2, "real"),
    ("numpy.fmax", np_fmax, "distinct"),
    ("numpy.fmin", np_fmin, "distinct"),
    ("numpy.copysign", np_copysign, "distinct"),
]
for _key, _fun, _domain in SMOOTH_BINARY:
    add_cases(_key, *[Case(_fun, shapes, domain=_domain) for shapes in BINARY_SHAPES])
    add_cases(_key, Case(_fun, ((2, 3), SCALAR), domain=_domain))

add_cases(
    "numpy.divide",
    Case(true_divide, ((3, 4), (4,)), domain="positive"),
    Case(true_divide, ((2,), (3, 1)), domain="positive"),
)
add_cases("numpy.add", Case(np_add_keywords, ((2, 3), (3,))))
add_cases(
    "numpy.hypot",
    # At the origin hypot has a cone; the rule gives 0 there (a subgradient), never NaN.
    Case(np_hypot, (Value(np.array([3.0, 1.0])), Value(np.array([4.0, -2.0]))), wrt=("x", "y")),
)

# Quotients kept away from integers, where remainder jumps.
X_MOD = Value(np.array([[0.3, 1.9, -2.2, 3.4], [-0.8, 2.6, 5.1, -4.3], [0.1, -0.4, 7.7, 1.2]]))
Y_MOD = Value(np.array([0.7, -1.1, 0.9, 2.3]))
add_cases(
    "numpy.remainder",
    Case(np_remainder, (X_MOD, Y_MOD), wrt=("x", "y")),
    Case(mod_operator, (X_MOD, Y_MOD), wrt=("x", "y")),
    Case(mod_operator, (X_MOD, Value(np.array([[0.7], [-1.4], [0.9]]))), wrt=("x", "y")),
    Case(mod_operator, (Value(np.array([1.3, -0.2, 4.1])), Value(0.9)), wrt=("x",)),
    Case(mod_literal, ((2, 3),), domain="distinct"),
)
add_cases(
    "numpy.fmod",
    Case(np_fmod, (X_MOD, Y_MOD), wrt=("x", "y")),
    Case(np_fmod, (Value(np.array([1.3, -0.2, 4.1])), Value(np.array([[0.9], [-1.7]]))),
         wrt=("x", "y")),
    # Only `x` varied, the result wider than it: its tangent stretched to the result's shape.
    Case(np_fmod, (Value(np.array([1.3, -0.2, 4.1])), Value(np.array([[0.9], [-1.7]]))),
         wrt=("x",)),
)
add_cases(
    "numpy.remainder",
    Case(np_remainder, (Value(np.array([0.3, 1.9, -2.2])), Value(np.array([[0.7], [-1.3]]))),
         wrt=("x",)),
)


# ---- where, clip, full -------------------------------------------------------------------


def np_clip(x, lo, hi):
    return np.clip(x, lo, hi)


def np_clip_loss(x, lo, hi, c):
    return np.sum(np.clip(x, lo, hi) * c)


def clip_literal_bounds(x):
    return np.clip(x, -0.5, 0.5)


def clip_lower_only(x, lo):
    return np.clip(x, lo, None)


def clip_upper_keyword(x, hi):
    return np.clip(x, a_min=None, a_max=hi)


def clip_method(x):
    return x.clip(-0.5, 0.5)


def clip_method_arrays(x, lo, hi):
    return x.clip(lo, hi)


def clip_method_upper(x):
    return x.clip(None, 0.3)


def np_full(v):
    return np.full((3, 4), v)


def np_full_like_shape(x, v):
    return x * np.full(x.shape, v)


add_cases(
    "numpy.clip",
    Case(np_clip, ((3, 4), (3, 4), (3, 4)), domain="distinct"),
    Case(np_clip, ((3, 4), (4,), (3, 1)), domain="distinct", loss=np_clip_loss),
    Case(np_clip, ((5,), (), ()), domain="distinct"),
    Case(clip_literal_bounds, ((2, 3),), domain="distinct"),
    Case(clip_lower_only, ((2, 3), (3,)), domain="distinct"),
    Case(clip_upper_keyword, ((4,), ()), domain="distinct"),
    Case(clip_method, ((3, 4),), domain="distinct"),
    Case(clip_method_arrays, ((2, 3), (2, 1), (3,)), domain="distinct"),
    Case(clip_method_upper, ((6,),), domain="distinct"),
)
add_cases(
    "numpy.full",
    Case(np_full, ((),)),
    Case(np_full, ((4,),)),
    Case(np_full, ((3, 1),)),
    Case(np_full_like_shape, ((2, 3), ())),
)


def np_linspace(a, b):
    return np.linspace(a, b, 5)


def linspace_open(a, b):
    return np.linspace(a, b, num=4, endpoint=False)


def linspace_like(x, a):
    return x * np.linspace(a, 2.0, len(x))


def linspace_loss(a, b, c):
    return np.sum(np.linspace(a, b, 5) * c)


add_cases(
    "numpy.linspace",
    Case(np_linspace, ((), ()), loss=linspace_loss),
    Case(np_linspace, ((3,), (3,))),
    Case(np_linspace, ((2, 3), (3,))),
    Case(np_linspace, ((3,), SCALAR)),
    Case(linspace_open, ((2,), ())),
    Case(linspace_like, ((6,), SCALAR)),
    Case(np_linspace, (Value(1.0), (4,)), wrt=("b",)),
    # Only `start` varied, narrower than the samples `stop` broadcasts them to.
    Case(np_linspace, ((3,), Value(np.array([[1.5, -0.5, 2.0], [0.3, 1.1, -1.2]]))), wrt=("a",)),
)


# ---- the helpers of these gradients, differentiated by a gradient of a gradient -------------


def _sinc_sum(x):
    return np.sum(np.sinc(x))


def _power_sum(x, p):
    return np.sum(x**p)


def _float_power_sum(x, p):
    return np.sum(np.float_power(x, p))


_sinc_gradient = s2sad.grad(_sinc_sum)
_power_gradient = s2sad.grad(_power_sum, wrt=(0, 1))
_float_power_gradient = s2sad.grad(_float_power_sum, wrt=(0, 1))


def second_sinc(x):
    return np.sum(np.sin(_sinc_gradient(x)))


def second_power(x, p):
    dx, dp = _power_gradient(x, p)
    return np.sum(dx * dx) + np.sum(np.sin(dp))


def second_float_power(x, p):
    dx, dp = _float_power_gradient(x, p)
    return np.sum(dx * dp) + np.sum(dp)


add_cases(
    "helper._sinc_derivative",
    Case(second_sinc, ((3, 4),)),
    # At and near 0, where the derivative and its own are Taylor series.
    Case(second_sinc, (Value(np.array([0.0, 1e-4, -3e-4, 2e-3, 1.0, -1.5])),), wrt=("x",)),
)
add_cases(
    "helper._log_or_zero",
    Case(second_power, ((3, 4), (3, 4)), domain="positive"),
    Case(second_power, ((2, 3), (3,)), domain="positive"),
)
add_cases(
    "helper._in_dtype_of",
    Case(second_float_power, ((3, 4), (3, 4)), domain="positive"),
    Case(second_float_power, ((3,), (2, 3)), domain="positive"),
)
