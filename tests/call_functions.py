"""Forward functions with calls and the assignment forms of issue 3."""

import numpy as np
from callee_module import squash


def embed(w, b, x):
    h = np.tanh(w @ x + b)
    return h


def siamese(w, b, xa, xb):
    ea = embed(w, b, xa)
    eb = embed(w, b, xb)
    d = ea - eb
    return np.sum(d * d)


def siamese_untied(wa, wb, b, xa, xb):
    d = embed(wa, b, xa) - embed(wb, b, xb)
    return np.sum(d * d)


def layer(w, x):
    return np.tanh(w @ x)


def two_layers(w1, w2, x):
    return layer(w2, layer(w1, x))


def deep(w1, w2, x):
    y = two_layers(w1, w2, x)
    return np.sum(y * y)


def stats(x):
    m = np.mean(x)
    return m, np.sum((x - m) ** 2)


def unpack_call(x):
    m, s = stats(x)
    return s / m


def other_module(x):
    return np.sum(squash(x) + squash(x, scale=2.0))


def closure(w, x):
    shift = np.tanh(w)

    def shifted(t):
        return t + shift

    return np.sum(shifted(x) * shifted(w * x))


def lambda_helper(x):
    cube = lambda t: t * t * t
    return np.sum(cube(x) + cube(2.0 * x))


def augmented(x, y):
    z = x * 1.0
    z += y
    z *= x
    z -= 0.5 * y
    z /= 1.0 + x * x
    z **= 2
    return np.sum(z)


def swap(a, b):
    a, b = b, a * 2.0
    return np.sum(a * np.exp(b))


def unpack_rows(x):
    first, second = x
    return np.sum(first * second)


def returns_argument_unchanged(x):
    return x


def with_effects(x, w):
    n = x.shape[0]
    assert n > 0, "empty batch"
    h = np.tanh(x @ w)
    print("batch", n, "mean activation", np.mean(h))
    return np.sum(h * h) / n
