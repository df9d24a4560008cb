"""Functions whose DAGs tests/test_graph.py draws: a loop, branches, containers, data in a
global and in a closure."""

import numpy as np

DATA = np.linspace(-1.0, 1.0, 6).reshape(3, 2)


def rnn(w, h, xs, T):
    for t in range(T):
        h = np.tanh(w @ h + xs[t])
    return np.sum(h)


def branch(w, x):
    if np.sum(x) > 0:
        y = np.tanh(w * x)
    else:
        y = w - x
    return np.sum(y**2)


def branch_then_read(w, x):
    y = x
    if np.sum(x) > 0:
        y = w * x
    return np.sum(y + w)


def dict_params(p, x):
    return np.sum(np.tanh(p["w"] @ x + p["b"]))


def unpacked_layers(params, x):
    *hidden, (w_out, b_out) = params
    for w, b in hidden:
        x = np.tanh(w @ x + b)
    return np.sum(w_out @ x + b_out)


def reads_global(w):
    return np.sum(np.tanh(DATA @ w))


def make_distance(target):
    def distance(w):
        return np.sum((w - target) ** 2)

    return distance
