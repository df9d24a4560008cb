"""In a loop, `x = f(w); w = x` (w a second name for the new x): the next iteration reads the old w (wrong value and gradient)."""
import numpy as np

import s2sad


def f(x, w):
    for i in range(3):
        x = w[1] - np.ones(3) * x[i]
        w = x
    return np.sum(x)


X = np.array([1.16, 0.31, 0.85])
W = np.array([0.1, -0.2, 0.8])
value, (dx, dw) = s2sad.value_and_grad(f, wrt=("x", "w"))(X, W)
print("s2sad value", value, " expected", f(X.copy(), W.copy()))


def numerical(i, arg, eps=1e-6):
    g = np.zeros(3)
    for k in range(3):
        a = [X.copy(), W.copy()]
        a[i][k] += eps
        up = f(*a)
        a[i][k] -= 2 * eps
        g[k] = (up - f(*a)) / (2 * eps)
    return g


print("s2sad dx", dx, " expected", numerical(0, X))
print("s2sad dw", dw, " expected", numerical(1, W))
