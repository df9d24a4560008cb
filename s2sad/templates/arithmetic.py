"""Adjoints of Python's arithmetic operators and their NumPy functions."""

import numpy as np

from .registry import adjoint


@adjoint("identity", elementwise=True, methods=("copy",))
def identity(y, x):
    dx = dy


@adjoint(float, elementwise=True)
def float_(y, x):
    dx = dy


@adjoint(np.copy, elementwise=True)
def copy(y, x):
    dx = dy


@adjoint(np.positive, elementwise=True)
def positive(y, x):
    dx = dy


@adjoint(np.negative, elementwise=True)
def negative(y, x):
    dx = -dy


@adjoint(np.add, broadcasts=True)
def add(z, x, y):
    dx = dz
    dy = dz


@adjoint(np.subtract, broadcasts=True)
def subtract(z, x, y):
    dx = dz
    dy = -dz


@adjoint(np.multiply, broadcasts=True)
def multiply(z, x, y):
    dx = dz * y
    dy = dz * x


@adjoint(np.divide, broadcasts=True)
def divide(z, x, y):
    dx = dz / y
    dy = -dz * z / y


@adjoint(np.power, broadcasts=True)
def power(z, x, p):
    dx = dz * p * x ** (p - 1)
    dp = dz * z * xp.log(x)


@adjoint("phi")
def phi(y, x):
    """Where the arms of an `if` meet: `y` is `x` on the arm that ran."""
    dx = dy
