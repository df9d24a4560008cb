"""`sum(ws)` of a list argument (README: lists passed to `sum`) raises TypeError 'holds list values' at call time."""
import traceback

import numpy as np

import s2sad


def f(x, ws):
    return np.sum(sum(ws)) + np.sum(x)


ws = [np.array([0.5, -1.0, 1.2]), np.array([0.3, 0.2, -0.1])]
try:
    print(s2sad.grad(f, wrt=("x", "ws"))(np.ones(3), ws))
except Exception:
    traceback.print_exc()
print("expected: (array([1., 1., 1.]), [array([1., 1., 1.]), array([1., 1., 1.])])")
