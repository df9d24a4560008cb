"""`d, v1 = v1, d; d += 1.0` is refused at run time ("would also change `v1`") though d and v1 never share memory."""
import numpy as np

import s2sad


def in_loop(x, d):
    v1 = np.sin(x)
    for i in range(1):
        d, v1 = v1, d
        d += 1.0
    return np.sum(d * v1)


def in_branch(x, d):
    v1 = np.sin(x)
    if np.sum(x) > 0.0:
        d, v1 = v1, d
        d += 1.0
    return np.sum(d * v1)


X = np.array([0.5, -1.0, 1.2])
D = np.array([0.3, 0.2, -0.1])
for fun in (in_loop, in_branch):
    try:
        print(fun.__name__, s2sad.grad(fun, wrt=("x", "d"))(X, D))
    except s2sad.S2SADError as error:
        print(fun.__name__, "refused:", str(error).splitlines()[-2])
    print("   expected", D * np.cos(X), np.sin(X) + 1.0)
