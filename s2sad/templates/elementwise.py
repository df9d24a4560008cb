"""Adjoints of elementwise functions: NumPy's unary and binary ufuncs, where, clip, sinc;
and of linspace and full, whose values move with their arguments.

Rules of ufuncs are registered with `ufunc`, which also gives them the keywords
every ufunc takes (`ufunc_keywords`): at their defaults they change nothing,
other values refuse the call.
"""

import inspect

import numpy as np

from ..registry import REGISTRY, adjoint, nondifferentiable, op_key, tangent


def ufunc_keywords(out=None, *, where=True, casting="same_kind", order="K", dtype=None,
                   subok=True, signature=None):
    """The keywords of a ufunc; each `if` tests one, so it must be a literal in the call."""
    if out is not None:
        raise NotImplementedError("out= is not supported: s2sad writes results into new arrays")
    if where is not True:
        raise NotImplementedError(
            "where= is not supported: it leaves the other elements unset; "
            "write np.where(mask, f(x), fill) instead"
        )
    if dtype is not None or signature is not None:
        raise NotImplementedError(
            "dtype= and signature= are not supported: convert the inputs with .astype() first"
        )
    if casting not in ("no", "equiv", "safe", "same_kind", "unsafe"):
        raise NotImplementedError("unknown casting= value")
    if order not in ("K", "A", "C", "F"):
        raise NotImplementedError("unknown order= value")
    if subok is not True and subok is not False:
        raise NotImplementedError("subok= must be True or False")


def ufunc(fn, *, broadcasts=False, elementwise=False, methods=(), no_gradient=(), linear=(),
          multilinear=()):
    """`adjoint` for a NumPy ufunc: the rule also accepts (and checks) the ufunc keywords,
    and takes its inputs by position only, as ufuncs do."""

    def register(template):
        adjoint(fn, broadcasts=broadcasts, elementwise=elementwise, methods=methods,
                checks=ufunc_keywords, no_gradient=no_gradient, linear=linear,
                multilinear=multilinear)(template)
        rule = REGISTRY[op_key(fn)]
        own = len(inspect.signature(template).parameters) - 1  # without the output
        parameters = list(rule.signature.parameters.values())
        positional = [p.replace(kind=p.POSITIONAL_ONLY) for p in parameters[:own]]
        rule.signature = rule.signature.replace(parameters=positional + parameters[own:])
        return template

    return register


# ---- exponentials and logarithms ---------------------------------------------------------


@ufunc(np.exp, elementwise=True)
def exp(y, x):
    dx = dy * y


@ufunc(np.exp2, elementwise=True)
def exp2(y, x):
    """0.6931471805599453 is log(2), a Python float, so the adjoint keeps the dtype of `dy * y`."""
    dx = dy * y * 0.6931471805599453


@ufunc(np.expm1, elementwise=True)
def expm1(y, x):
    dx = dy * (y + 1.0)


@ufunc(np.log, elementwise=True)
def log(y, x):
    dx = dy / x


@ufunc(np.log2, elementwise=True)
def log2(y, x):
    """0.6931471805599453 is log(2)."""
    dx = dy / (x * 0.6931471805599453)


@ufunc(np.log10, elementwise=True)
def log10(y, x):
    """2.302585092994046 is log(10)."""
    dx = dy / (x * 2.302585092994046)


@ufunc(np.log1p, elementwise=True)
def log1p(y, x):
    dx = dy / (1.0 + x)


# ---- powers and roots --------------------------------------------------------------------


@ufunc(np.sqrt, elementwise=True)
def sqrt(y, x):
    dx = dy * 0.5 / y


@ufunc(np.cbrt, elementwise=True)
def cbrt(y, x):
    dx = dy / (3.0 * y * y)


@ufunc(np.square, elementwise=True)
def square(y, x):
    dx = dy * 2.0 * x


@ufunc(np.reciprocal, elementwise=True)
def reciprocal(y, x):
    dx = -dy * y * y


# ---- trigonometric and hyperbolic functions ----------------------------------------------


@ufunc(np.sin, elementwise=True)
def sin(y, x):
    dx = dy * xp.cos(x)


@ufunc(np.cos, elementwise=True)
def cos(y, x):
    dx = -dy * xp.sin(x)


@ufunc(np.tan, elementwise=True)
def tan(y, x):
    dx = dy * (1.0 + y * y)


@ufunc(np.arcsin, elementwise=True)
def arcsin(y, x):
    dx = dy / xp.sqrt(1.0 - x * x)


@ufunc(np.arccos, elementwise=True)
def arccos(y, x):
    dx = -dy / xp.sqrt(1.0 - x * x)


@ufunc(np.arctan, elementwise=True)
def arctan(y, x):
    dx = dy / (1.0 + x * x)


@ufunc(np.sinh, elementwise=True)
def sinh(y, x):
    dx = dy * xp.cosh(x)


@ufunc(np.cosh, elementwise=True)
def cosh(y, x):
    dx = dy * xp.sinh(x)


@ufunc(np.tanh, elementwise=True)
def tanh(y, x):
    dx = dy * (1.0 - y * y)


@ufunc(np.arcsinh, elementwise=True)
def arcsinh(y, x):
    dx = dy / xp.sqrt(x * x + 1.0)


@ufunc(np.arccosh, elementwise=True)
def arccosh(y, x):
    dx = dy / xp.sqrt(x * x - 1.0)


@ufunc(np.arctanh, elementwise=True)
def arctanh(y, x):
    dx = dy / (1.0 - x * x)


@ufunc(np.deg2rad, elementwise=True)
@ufunc(np.radians, elementwise=True)
def deg2rad(y, x):
    dx = dy * (xp.pi / 180.0)


@ufunc(np.rad2deg, elementwise=True)
@ufunc(np.degrees, elementwise=True)
def rad2deg(y, x):
    dx = dy * (180.0 / xp.pi)


@adjoint(np.sinc, elementwise=True)
def sinc(y, x):
    dx = dy * _sinc_derivative(x, y)


@adjoint("helper._sinc_derivative")
def sinc_derivative(z, x, y):
    """z = (cos(pi x) - y) / x, with `y` = sinc(x) an operand of its own: dz/dy = -1 / x, and
    dz/dx = (-pi sin(pi x) - z) / x. Near 0, the derivative of the Taylor series, which does
    not read `y`: pi^2 (pi^2 x^2 / 10 - pi^4 x^4 / 168 - 1/3)."""
    near_zero = _sinc_near_zero(x)
    safe_x = xp.where(near_zero, 1.0, x)
    pi2 = xp.pi * xp.pi
    series = pi2 * (x * x * pi2 * (0.1 - x * x * pi2 / 168.0) - 1.0 / 3.0)
    dx = dz * xp.where(near_zero, series, (-xp.pi * xp.sin(xp.pi * x) - z) / safe_x)
    dy = dz * xp.where(near_zero, 0.0, -1.0 / safe_x)


@tangent("helper._sinc_derivative")
def sinc_derivative_tangent(z, x, y):
    near_zero = _sinc_near_zero(x)
    safe_x = xp.where(near_zero, 1.0, x)
    pi2 = xp.pi * xp.pi
    series = pi2 * (x * x * pi2 * (0.1 - x * x * pi2 / 168.0) - 1.0 / 3.0)
    tz = (tx * xp.where(near_zero, series, (-xp.pi * xp.sin(xp.pi * x) - z) / safe_x)
          + ty * xp.where(near_zero, 0.0, -1.0 / safe_x))


nondifferentiable("helper._sinc_near_zero")


# ---- absolute value, special values ------------------------------------------------------


@ufunc(np.absolute, elementwise=True)
@ufunc(np.fabs, elementwise=True)
def absolute(y, x):
    """0 at x == 0: a subgradient."""
    dx = dy * xp.sign(x)


@adjoint(np.nan_to_num, elementwise=True)
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    """The replaced elements are constants; the replacement values must be literal numbers."""
    if copy is not True:
        raise NotImplementedError(
            "copy=False is not supported: it overwrites the argument; s2sad writes new arrays"
        )
    if isinstance(nan, str) or isinstance(posinf, str) or isinstance(neginf, str):
        raise NotImplementedError("nan=, posinf= and neginf= must be numbers")
    dx = dy * xp.isfinite(x)


# ---- binary functions --------------------------------------------------------------------


@ufunc(np.maximum, broadcasts=True)
def maximum(z, x, y):
    """Ties split the adjoint in halves: what central differences measure."""
    dx = dz * (x > y) + dz * (x == y) * 0.5
    dy = dz * (y > x) + dz * (x == y) * 0.5


@tangent(np.maximum)
def maximum_tangent(z, x, y):
    """The mean of both tangents at ties, as JAX's jvp and the adjoint's halves."""
    tz = tx * (x > y) + ty * (y > x) + (tx + ty) * (x == y) * 0.5


@ufunc(np.minimum, broadcasts=True)
def minimum(z, x, y):
    dx = dz * (x < y) + dz * (x == y) * 0.5
    dy = dz * (y < x) + dz * (x == y) * 0.5


@tangent(np.minimum)
def minimum_tangent(z, x, y):
    tz = tx * (x < y) + ty * (y < x) + (tx + ty) * (x == y) * 0.5


@ufunc(np.fmax, broadcasts=True)
def fmax(z, x, y):
    """As maximum, except that a NaN loses: the other side gets the whole adjoint."""
    dx = dz * xp.logical_or(x > y, xp.isnan(y)) + dz * (x == y) * 0.5
    dy = dz * xp.logical_or(y > x, xp.isnan(x)) + dz * (x == y) * 0.5


@tangent(np.fmax)
def fmax_tangent(z, x, y):
    tz = (tx * xp.logical_or(x > y, xp.isnan(y)) + ty * xp.logical_or(y > x, xp.isnan(x))
          + (tx + ty) * (x == y) * 0.5)


@ufunc(np.fmin, broadcasts=True)
def fmin(z, x, y):
    dx = dz * xp.logical_or(x < y, xp.isnan(y)) + dz * (x == y) * 0.5
    dy = dz * xp.logical_or(y < x, xp.isnan(x)) + dz * (x == y) * 0.5


@tangent(np.fmin)
def fmin_tangent(z, x, y):
    tz = (tx * xp.logical_or(x < y, xp.isnan(y)) + ty * xp.logical_or(y < x, xp.isnan(x))
          + (tx + ty) * (x == y) * 0.5)


@ufunc(np.arctan2, broadcasts=True)
def arctan2(angle, y, x):
    dy = dangle * x / (x * x + y * y)
    dx = -dangle * y / (x * x + y * y)


@tangent(np.arctan2)
def arctan2_tangent(angle, y, x):
    tangle = (ty * x - tx * y) / (x * x + y * y)


@ufunc(np.hypot, broadcasts=True)
def hypot(z, x, y):
    """0 at the origin, where hypot has a cone: a subgradient."""
    dx = dz * x / xp.where(z == 0, 1.0, z)
    dy = dz * y / xp.where(z == 0, 1.0, z)


@tangent(np.hypot)
def hypot_tangent(z, x, y):
    tz = (tx * x + ty * y) / xp.where(z == 0, 1.0, z)


@ufunc(np.logaddexp, broadcasts=True)
def logaddexp(z, x, y):
    dx = dz * xp.exp(x - z)
    dy = dz * xp.exp(y - z)


@tangent(np.logaddexp)
def logaddexp_tangent(z, x, y):
    tz = tx * xp.exp(x - z) + ty * xp.exp(y - z)


@ufunc(np.logaddexp2, broadcasts=True)
def logaddexp2(z, x, y):
    dx = dz * xp.exp2(x - z)
    dy = dz * xp.exp2(y - z)


@tangent(np.logaddexp2)
def logaddexp2_tangent(z, x, y):
    tz = tx * xp.exp2(x - z) + ty * xp.exp2(y - z)


@ufunc(np.copysign, broadcasts=True)
def copysign(z, x, y):
    """The sign taken from `y` is piecewise constant: `y` gets no adjoint."""
    dx = dz * xp.sign(x) * xp.copysign(1.0, y)


@tangent(np.copysign)
def copysign_tangent(z, x, y):
    tz = tx * xp.sign(x) * xp.copysign(1.0, y)


# The zeros a gradient returns for an argument the output does not depend on (copysign's `y`):
# a gradient of that gradient reads them as constants.
nondifferentiable("helper._zero_gradient")


@ufunc(np.remainder, broadcasts=True)
def remainder(z, x, y):
    """x % y == x - (x // y) * y, where x // y is piecewise constant."""
    dx = dz
    dy = -dz * xp.floor_divide(x, y)


@tangent(np.remainder)
def remainder_tangent(z, x, y):
    """`tx` stretched to the result's shape, which a broadcast `y` may widen."""
    tz = _tangent_like(tx, z) - ty * xp.floor_divide(x, y)


@ufunc(np.fmod, broadcasts=True)
def fmod(z, x, y):
    """fmod(x, y) == x - trunc(x / y) * y."""
    dx = dz
    dy = -dz * xp.trunc(x / y)


@tangent(np.fmod)
def fmod_tangent(z, x, y):
    tz = _tangent_like(tx, z) - ty * xp.trunc(x / y)


@adjoint(np.where, broadcasts=True, linear=("x", "y"))
def where(out, condition, x, y):
    dx = xp.where(condition, dout, 0.0)
    dy = xp.where(condition, 0.0, dout)


@adjoint(np.clip, broadcasts=True, methods=("clip",))
def clip(y, a, a_min, a_max, out=None):
    """`a` gets the adjoint where it is kept (ties included), a bound where it replaced `a`.

    Bounds may be None. Where both bounds are differentiated and equal, both get it.
    """
    if out is not None:
        raise NotImplementedError("out= is not supported: s2sad writes results into new arrays")
    da = dy * (y == a)
    da_min = dy * (y == a_min) * (y != a)
    da_max = dy * (y == a_max) * (y != a)


@tangent(np.clip)
def clip_tangent(y, a, a_min, a_max):
    """Not linear: the bounds are constants where they do not vary (the transpose of the
    adjoint, ties to `a`)."""
    ty = ta * (y == a) + ta_min * (y == a_min) * (y != a) + ta_max * (y == a_max) * (y != a)


@adjoint(np.linspace)
def linspace(y, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """Array creation: sample i is start + (stop - start) * t[i]."""
    if retstep is not False or dtype is not None or axis != 0:
        raise NotImplementedError("retstep=, dtype= and axis= are not supported")
    t = _linspace_weights(dy, num, endpoint)
    dstart = _unbroadcast(xp.sum(dy * (1.0 - t), axis=0), start)
    dstop = _unbroadcast(xp.sum(dy * t, axis=0), stop)


@tangent(np.linspace)
def linspace_tangent(y, start, stop, num=50, endpoint=True):
    """Linear in (start, stop), written as a weighted sum so that a constant end (a literal,
    often) costs nothing; stretched to the samples' shape, which `start` and `stop` broadcast to."""
    t = _linspace_weights(y, num, endpoint)
    s = 1.0 - t
    ty = _tangent_like(tstart * s + tstop * t, y)


@adjoint(np.full, linear=("fill_value",))
def full(y, shape, fill_value, dtype=None, order="C"):
    """Array creation: the fill value is copied into every element."""
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert the fill value first")
    dfill_value = _unbroadcast(dy, fill_value)
