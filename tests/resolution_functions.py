"""Forward functions that reach NumPy in each way users write it."""

import functools

import numpy
import numpy as np
import numpy.linalg as la
from numpy import exp as e
from numpy import tanh

SCALE = 3.0
AXIS = 1


def plain_module(x):
    return numpy.sum(numpy.tanh(x) * x)


def imported_names(x):
    return np.sum(tanh(x) + e(x))


def submodule_alias(x):
    return la.norm(x) * SCALE


def constant_axis(x):
    return np.sum(np.max(x, axis=AXIS) ** 2)


def builtins_abs_and_sum(x):
    return sum(abs(x) * x)


def shape_arithmetic(x):
    n = x.shape[0]
    m = len(x)
    return np.sum(x * x) / (n * m)


def make_nested():
    def nested(x, w):
        y = np.tanh(w @ x)
        return np.sum(y * y)

    return nested


def _logged(fun):
    @functools.wraps(fun)
    def wrapper(*args):
        return fun(*args)

    return wrapper


@_logged
def decorated(x):
    return np.sum(np.exp(x))


square_sum = lambda x: np.sum(x * x)
