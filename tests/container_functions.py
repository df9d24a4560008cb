"""Forward functions over dict arguments."""

import numpy as np


def nested_params(params, x, y):
    h = np.tanh(x @ params["layer1"]["w"] + params["layer1"]["b"])
    z = h @ params["w2"]
    return np.mean((z - y) ** 2)


def config_and_loop(params, config, xs):
    h = params["h0"]
    for x in xs:
        h = np.tanh(params["w"] @ h + x * config["scale"])
    return np.sum(h * h)


def nested_reader(params):
    return np.sum(params["w"])


def reads_in_a_callee(params):
    return nested_reader(params)


def layers_in_a_list(ws, x):
    """A list (or tuple) of weight matrices of different shapes, iterated."""
    for w in ws:
        x = np.tanh(w @ x)
    return np.sum(x * x)


def unpacks_a_pair(pair, x):
    a, b = pair
    return np.sum(a * x + b * b)


def indexes_a_list(ws, x, i):
    """Constant and run-time indices into a list argument."""
    return np.sum(ws[0] @ x) + np.sum(ws[i] * ws[i])


def collects_hidden_states(w, xs, h):
    """An RNN whose hidden states are appended to a list and stacked."""
    hs = []
    for t in range(xs.shape[0]):
        h = np.tanh(w @ h + xs[t])
        hs.append(h)
    return np.sum(np.stack(hs, axis=1) ** 2)


def sums_a_built_list(w, xs):
    parts = []
    for x in xs:
        parts.append(np.sin(w * x))
    return np.sum(sum(parts))


def concatenates_a_built_list(a, b):
    ys = []
    ys.append(a)
    for i in range(2):
        ys.append(b * float(i + 1))
    return np.sum(np.concatenate(ys) ** 2)


def arrays_a_list_display(a, b):
    ys = [a, b * b]
    return np.sum(np.array(ys) ** 3) + np.sum(np.stack(ys[:1]))
