"""An np.float32 argument gets a 0-d ndarray (output does not read it) or a Python float (`b - b`, `b * 2.0`) gradient, not an np.float32."""
import numpy as np

import s2sad


def f(x, a, p):
    return np.sum(x)


x32 = np.array([0.5, -1.0, 1.2], dtype=np.float32)
dx, da, dp = s2sad.grad(f, wrt=("x", "a", "p"))(x32, np.float32(0.5), {"c": np.float32(0.5)})
print("da =", repr(da), "  expected np.float32(0.0)")
print("dp =", repr(dp), "  expected {'c': np.float32(0.0)}")
da64 = s2sad.grad(f, wrt=("x", "a"))(x32.astype(float), 0.5, {})[1]
print("Python float a: da =", repr(da64), "  expected 0.0 (a float)")


def g(x, b):
    return b - b


def h(x, b):
    return b * 2.0


for fun in (g, h):
    db = s2sad.grad(fun, wrt=("x", "b"))(x32, np.float32(1.2))[1]
    print(fun.__name__, "np.float32 b: db =", repr(db), "  expected an np.float32")
