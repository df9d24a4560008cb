"""Adjoints of elementwise functions."""

import numpy as np

from .registry import adjoint


@adjoint(np.exp, elementwise=True)
def exp(y, x):
    dx = dy * y


@adjoint(np.log, elementwise=True)
def log(y, x):
    dx = dy / x


@adjoint(np.sqrt, elementwise=True)
def sqrt(y, x):
    dx = dy * 0.5 / y


@adjoint(np.tanh, elementwise=True)
def tanh(y, x):
    dx = dy * (1.0 - y * y)


@adjoint(np.sin, elementwise=True)
def sin(y, x):
    dx = dy * xp.cos(x)


@adjoint(np.cos, elementwise=True)
def cos(y, x):
    dx = -dy * xp.sin(x)


@adjoint(np.abs, elementwise=True)
def absolute(y, x):
    dx = dy * xp.sign(x)


@adjoint(np.maximum, broadcasts=True)
def maximum(z, x, y):
    dx = dz * (x > y) + dz * (x == y) * 0.5
    dy = dz * (y > x) + dz * (x == y) * 0.5


@adjoint(np.minimum, broadcasts=True)
def minimum(z, x, y):
    dx = dz * (x < y) + dz * (x == y) * 0.5
    dy = dz * (y < x) + dz * (x == y) * 0.5


@adjoint(np.where, broadcasts=True)
def where(out, condition, x, y):
    dx = xp.where(condition, dout, 0.0)
    dy = xp.where(condition, 0.0, dout)
