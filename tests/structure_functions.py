"""Forward functions over pytrees, functions as values, varargs, comprehensions and random
draws, written as example programs write them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.linalg


class Layer(NamedTuple):
    W: np.ndarray
    b: np.ndarray


@dataclass
class Params:
    W: np.ndarray
    b: np.ndarray
    scale: float


def relu(x):
    return np.maximum(x, 0.0)


def mlp(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
    return np.sum(x ** 2)


def mlp_last_layer_linear(params, x, nonlinearity=np.tanh):
    for W, b in params[:-1]:
        x = nonlinearity(x @ W + b)
    W, b = params[-1]
    return np.sum((x @ W + b) ** 2) / len(params)


def mlp_enumerate(params, x):
    total = 0.0
    for i, (W, b) in enumerate(params):
        x = np.tanh(x @ W + b) * (i + 1)
        total = total + np.sum(x)
    return total


def consecutive_pairs(ws):
    return sum(np.sum(a * b) for a, b in zip(ws[:-1], ws[1:]))  # noqa: RUF007 - as models write it


def transposed(params, x):
    weights, biases = zip(*params)
    return np.sum(x @ weights[0] + biases[0]) + np.sum(np.stack(biases[1:]) ** 2)


def middle_layers(params, x):
    for W, b in params[1:-1]:
        x = relu(x @ W + b)
    return np.sum(x)


def dict_items(params):
    total = 0.0
    for name, value in params.items():
        total = total + np.sum(value ** 2) * len(name)
    return total + sum(np.sum(v) for v in params.values())


def namedtuple_layer(layer, x):
    return np.sum(np.tanh(x @ layer.W + layer.b))


def dataclass_params(p, x):
    return np.sum(np.tanh(x @ p.W + p.b) * p.scale)


def tuple_of_dicts(params, x):
    first, second = params
    h = np.tanh(x @ first["W"] + first["b"])
    return np.sum(h @ second["W"])


def dict_of_lists(params, x):
    for W in params["weights"]:
        x = np.sin(x @ W)
    return np.sum(x * params["scales"][0])


def read_by_callee(layer, x):
    return np.tanh(x @ layer[0] + layer[1])


def callee_reads_parts(params, x):
    return np.sum(read_by_callee(params[0], x) ** 2)


def apply(f, x):
    return f(x)


def passes_functions(params, x):
    h = apply(np.tanh, x @ params[0])
    return np.sum(apply(relu, h) ** 2)


activations = [np.tanh, np.sin]


def list_of_functions(ws, x):
    for w, activation in zip(ws, activations):
        x = activation(w * x)
    return np.sum(x)


def computed_default(x, scale=1.0 / 3):
    return np.sum(x * scale)


def varargs(weights, *args):
    inputs = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.sum(np.tanh(inputs @ weights))


def keywords(w, x, **options):
    return np.sum((w * x - options["target"]) ** 2) * options["weight"]


def keyword_only(w, *, x, power=2.0):
    return np.sum(np.abs(w * x) ** power)


def calls_with_spread(w, xs):
    return varargs(w, *xs)


def stacks_a_comprehension(ws, x):
    return np.sum(np.stack([np.tanh(W @ x) for W in ws]) ** 2)


def comprehension_over_rows(w, xs):
    return np.sum(np.stack([np.tanh(w * row) for row in xs if True]))


def generator_over_range(x):
    return sum(np.sum(x ** k) for k in range(1, 4))


def dict_comprehension(params):
    doubled = {k: 2.0 * v for k, v in params.items()}
    return np.sum(doubled["a"] * doubled["b"])


def reparameterized(mu, log_sigma, rs):
    unused = rs.randn(*mu.shape)  # drawn, never read: later draws must not move
    eps = rs.randn(*mu.shape)
    z = mu + np.exp(log_sigma) * eps
    return np.sum(z ** 2) + 0.0 * np.sum(unused)


def reparameterized_generator(mu, rng):
    eps = rng.standard_normal(mu.shape)
    return np.sum(np.sin(mu + eps))


def global_draws(mu):
    return np.sum((mu + np.random.randn(*mu.shape)) ** 2)


def layer_pairs(sizes, weights):
    """A generator, as models unpack a flat weight vector into layers."""
    start = 0
    for m, n in zip(sizes[:-1], sizes[1:]):  # noqa: RUF007 - as models write it
        yield weights[start:start + m * n].reshape((m, n)), weights[start + m * n:start + m * n + n]
        start = start + m * n + n


def flat_weights_mlp(weights, x, sizes=(3, 4, 2)):
    for W, b in layer_pairs(sizes, weights):
        x = np.tanh(x @ W + b)
    return np.sum(x ** 2)


class Model:
    """A model object: its loss is a bound method reading the instance's data."""

    def __init__(self, targets):
        self.targets = targets
        self.scale = 2.0

    def loss(self, w, x):
        return np.sum((np.tanh(x @ w) - self.targets) ** 2) * self.scale


def scaled_loss(scale, w, x):
    return np.sum(np.tanh(x @ w) ** 2) * scale


def calls_a_library_function(x):
    return np.sum(scipy.linalg.expm(x))


def flatten(value):
    """A hand-written flatten, as utilities write it: decided per the argument's types."""
    if isinstance(value, (list, tuple)):
        return np.concatenate([flatten(v) for v in value])
    if isinstance(value, dict):
        return np.concatenate([flatten(v) for v in value.values()])
    return np.ravel(value)


def flattened_norm(params):
    return np.sum(flatten(params) ** 2)


def scales_if_callable(x, f=None):
    is_array = hasattr(x, "shape") and isinstance(x, np.ndarray)
    if callable(f):
        x = f(x)
    if is_array:
        return np.sum(x * x)
    return x * x


def branches_on_type(params, x):
    if type(params) is dict:
        return np.sum(x @ params["W"])
    if type(params) is not list:
        return np.sum(x @ params[0])
    return np.sum(x @ params[0][0])


def batch_loss(params, step, batch=2):
    rows = slice((step % 2) * batch, (step % 2 + 1) * batch)
    W, b = params[0]
    return np.sum(np.tanh(data[rows] @ W + b))


data = np.linspace(-1.0, 1.0, 12).reshape(4, 3)


def breaks_out_of_the_layers(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
        if np.sum(x) > 0.0:
            break
    return np.sum(x)


def indexes_with_a_run_time_value(params, x, i):
    W, b = params[int(np.argmax(x))]
    return np.sum(x @ W + b)


class Network:
    """A model object whose layers are a list of (W, b) tuples in an attribute."""

    def __init__(self, layers):
        self.layers = layers

    def loss(self, x):
        for W, b in self.layers:
            x = np.tanh(x @ W + b)
        return np.sum(x ** 2)
