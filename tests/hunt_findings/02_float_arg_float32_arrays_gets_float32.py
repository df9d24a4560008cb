"""A Python float argument next to float32 arrays gets an np.float32 gradient, not a float."""
import numpy as np

import s2sad


def f(x, a):
    return np.sum(x) * a


x32 = np.array([0.5, -1.0, 1.2], dtype=np.float32)
dx, da = s2sad.grad(f, wrt=("x", "a"))(x32, 0.5)
print("dx", dx.dtype, "(float32: right)")
print("da", repr(da), type(da).__name__, "(expected a Python float 0.7, as for float64 x:",
      repr(s2sad.grad(f, wrt=("x", "a"))(x32.astype(float), 0.5)[1]), ")")
