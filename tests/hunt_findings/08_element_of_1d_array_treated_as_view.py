"""`a = x[0]` (a copy: x is 1-D) then `x += 1.0` is refused at run time: "would also change `a`", which shares no memory with x."""
import numpy as np

import s2sad


def f(x, b):
    a = x[0]
    x += b
    return a * np.sum(x)


X = np.array([0.5, -1.0, 1.2])
try:
    print(s2sad.grad(f, wrt=("x", "b"))(X, 0.3))
except s2sad.S2SADError as error:
    print("refused:", str(error).splitlines()[-2])
# a = x0, f = x0 * (sum(x) + 3 b)
print("expected", np.array([np.sum(X) + 0.9 + X[0], X[0], X[0]]), 3 * X[0])
