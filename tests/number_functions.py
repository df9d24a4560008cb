"""Forward functions over Python numbers, for the variants s2sad specializes to them."""

import numpy as np


def oscillator(k, c, x0, v0, n):
    """A damped oscillator, explicit Euler: per-step coefficients read element by element."""
    x = x0
    v = v0
    for i in range(n):
        a = -k[i] * x - c[i] * v
        v = v + 0.01 * a
        x = x + 0.01 * v
    return x * x + v * v


def becomes_an_array(s, w):
    """A carried value that starts as a number and becomes an array: not a number."""
    h = s
    for i in range(3):
        h = np.tanh(h * w)
    return np.sum(h)


def reads_the_whole_array_too(k, s):
    """An array read element by element and as a whole: it stays an array."""
    total = s
    for i in range(3):
        total = total * k[i]
    return total + np.sum(k)
