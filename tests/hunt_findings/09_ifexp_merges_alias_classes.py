"""`v0 = x[-1] if c else a` makes s2sad think the float `a` shares memory with x: `x -= 0.79` is refused at run time."""
import numpy as np

import s2sad


def f(x, a):
    v0 = x[-1] if x[2] > 0.0 else a
    x -= 0.79
    return np.sum(x) * a


X = np.array([0.5, -1.0, 1.2])
try:
    print(s2sad.grad(f, wrt=("x", "a"))(X, 0.3))
except s2sad.S2SADError as error:
    print("refused:", str(error).splitlines()[-2])
print("expected", np.full(3, 0.3), np.sum(X) - 3 * 0.79)
