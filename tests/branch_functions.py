"""Forward functions with branches on data, conditional expressions and early returns."""

import numpy as np


def relu_or_leaky(x, slope):
    if np.all(x > 0):
        y = x
    elif np.any(x < -1.0) and slope > 0:
        y = x * slope
    else:
        y = np.tanh(x)
    return np.sum(y * y)


def huber(r, delta=1.0):
    a = np.abs(r)
    if a <= delta:
        return 0.5 * r * r
    return delta * (a - 0.5 * delta)


def huber_total(x, y):
    r = np.sum(x - y)
    return huber(r) + huber(2.0 * r, delta=0.5)


def clipped_scale(x, w):
    s = np.sum(w * w)
    scale = 1.0 if s < 1.0 else 1.0 / np.sqrt(s)
    z = x * w * scale
    if not np.max(z) > 5.0:
        z = z * 2.0
    return np.sum(z)


def two_outputs(x):
    if np.mean(x) > 0:
        return np.sum(x), np.sum(x * x)
    return np.sum(-x), np.sum(np.exp(x))


def defined_in_one_arm(x):
    if np.sum(x) > 0:
        y = x * 2.0  # E:one_arm_only
    return np.sum(y)  # E:one_arm_use


def returns_on_one_path(x):
    if np.sum(x) > 0:  # E:one_path_returns
        return np.sum(x)
    y = x * 2.0  # noqa: F841


def loop_inside_an_arm(x, w):
    v = w * 1.0
    if np.sum(v) > 0.5:
        v = v * 2.0
    else:
        for i in range(2):
            v = np.tanh(v) + x
    return np.sum(v * v)
