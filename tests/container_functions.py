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
