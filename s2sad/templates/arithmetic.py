"""Adjoints of Python's arithmetic operators and their NumPy functions."""

import numpy as np

from ..registry import adjoint, tangent
from .elementwise import ufunc


@adjoint("identity", elementwise=True, methods=("copy",), linear=("x",))
def identity(y, x):
    dx = dy


@adjoint(float, elementwise=True, linear=("x",))
def float_(y, x):
    dx = dy


@adjoint(np.copy, elementwise=True, linear=("x",))
def copy(y, x):
    dx = dy


@ufunc(np.positive, elementwise=True, linear=("x",))
def positive(y, x):
    dx = dy


@ufunc(np.negative, elementwise=True, linear=("x",))
def negative(y, x):
    dx = -dy


@ufunc(np.add, broadcasts=True, linear=("x", "y"))
def add(z, x, y):
    dx = dz
    dy = dz


@ufunc(np.subtract, broadcasts=True, linear=("x", "y"))
def subtract(z, x, y):
    dx = dz
    dy = -dz


@ufunc(np.multiply, broadcasts=True, multilinear=("x", "y"))
def multiply(z, x, y):
    dx = dz * y
    dy = dz * x


@ufunc(np.divide, broadcasts=True)
def divide(z, x, y):
    dx = dz / y
    dy = -dz * z / y


@tangent(np.divide)
def divide_tangent(z, x, y):
    tz = tx / y - ty * z / y


@ufunc(np.power, broadcasts=True)
def power(z, x, p):
    """Each line runs only for its differentiated input, so a base <= 0 is harmless when the
    exponent is a constant. Where it is differentiated, the exponent's adjoint is 0 at a base
    of 0 and NaN at negative bases, as in JAX and autograd; 0 ** 0 gives a NaN base adjoint."""
    dx = dz * p * x ** (p - 1)
    dp = dz * z * _log_or_zero(x)


@tangent(np.power)
def power_tangent(z, x, p):
    tz = tx * p * x ** (p - 1) + tp * z * _log_or_zero(x)


@ufunc(np.float_power, broadcasts=True)
def float_power(z, x, p):
    """As power; float_power computes in float64, so each adjoint is cast back to the dtype of
    its input (a float32 input gets a float32 adjoint)."""
    dx = _in_dtype_of(dz * p * x ** (p - 1), x)
    dp = _in_dtype_of(dz * z * _log_or_zero(x), p)


@tangent(np.float_power)
def float_power_tangent(z, x, p):
    tz = _in_dtype_of(tx * p * x ** (p - 1), z) + _in_dtype_of(tp * z * _log_or_zero(x), z)


@adjoint("helper._log_or_zero", elementwise=True)
def log_or_zero(y, x):
    """1 / x, and 0 at x == 0, where the helper is the constant 0 (the adjoint of the exponent
    of x ** p there is 0 for p > 0, so is its derivative)."""
    dx = dy * (x != 0) / xp.where(x == 0, 1.0, x)


@adjoint("helper._in_dtype_of", linear=("g",))
def in_dtype_of(y, g, x):
    """A cast, linear in `g`: the adjoint cast back to the dtype of `g`; `x` gives a dtype only."""
    dg = _in_dtype_of(dy, g)


@adjoint("phi", linear=("x",))
def phi(y, x):
    """Where the arms of an `if` meet: `y` is `x` on the arm that ran."""
    dx = dy
