"""A second derivative: the gradient of an expression of a gradient.

With g1 = grad(lambda x: sum(x**2)) (so g1(x) = 2x) and
s2(x) = exp(g1(x)[0]) - exp(g1(x)[2]), the gradient of s2 at x = (1, 2, 3)
is (2e^2, 0, -2e^6) = (14.7781, 0, -806.8576). s2sad differentiates s2 by
inlining g1's own generated source and differentiating that again.
"""

import numpy as np

import s2sad

g1 = s2sad.grad(lambda x: sum(x**2))


@s2sad.grad
def s2(x):
    return np.exp(g1(x)[0]) - np.exp(g1(x)[2])


if __name__ == "__main__":
    x = np.array([1.0, 2.0, 3.0])
    print("g1(x)     =", g1(x))
    print("grad s2(x) =", s2(x))
    print("expected   =", np.array([2 * np.e**2, 0.0, -2 * np.e**6]))
    print()
    print(s2.source.split("\n\n\ndef _namespace")[0])
