"""The gradient of a Python float argument comes back as a 0-d ndarray (np.sum(a)), not a float."""
import numpy as np

import s2sad


def f(x, a):
    return np.sum(a)


def g(x, a):
    return a * a  # this one gives a float


x = np.array([0.5, -1.0, 1.2])
for fun in (f, g):
    dx, da = s2sad.grad(fun, wrt=("x", "a"))(x, 0.5)
    print(fun.__name__, "da =", repr(da), type(da).__name__, "(expected a float:",
          "1.0" if fun is f else "1.0", ")")
