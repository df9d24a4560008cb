"""A float32 argument combined with a float64 array gets a float64 gradient (in place and not): it must be float32."""
import numpy as np

import s2sad


def in_place(w, z):
    w /= 1.0 + z * z  # w stays float32 in NumPy
    return np.sum(w)


def rebound(w, z):
    w = w / (1.0 + z * z)
    return np.sum(w)


w32 = np.array([0.5, -1.0, 1.2], dtype=np.float32)
z = np.array([0.0, 0.5, 1.0])
for fun in (in_place, rebound):
    dw = s2sad.grad(fun)(w32.copy(), z)
    print(fun.__name__, "dw dtype:", dw.dtype, "(expected float32), values", dw,
          "expected", (1.0 / (1.0 + z * z)).astype(np.float32))
