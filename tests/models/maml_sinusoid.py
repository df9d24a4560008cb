# ruff: noqa: RUF007 - written as autograd's and JAX's examples write them
"""The sinusoid regression of JAX's MAML example (examples/maml.ipynb): a ReLU MLP
and its mean squared error, averaged over a batch of tasks sampled from a NumPy
Generator at import (the inner, per-task loss of MAML)."""

import numpy as np

rng = np.random.default_rng(0)


def init_mlp(rng, layer_sizes, bias_scale=0.5):
    # Glorot-normal weights, normal biases (stax.Dense's initializers).
    def dense(m, n):
        glorot_std = np.sqrt(2.0 / (m + n))
        return glorot_std * rng.standard_normal((m, n)), bias_scale * rng.standard_normal(n)

    return [dense(m, n) for m, n in zip(layer_sizes[:-1], layer_sizes[1:])]


def relu(x):
    return np.maximum(x, 0.0)


def net_apply(params, inputs):
    activations = inputs
    for W, b in params[:-1]:
        activations = relu(activations @ W + b)
    final_W, final_b = params[-1]
    return activations @ final_W + final_b


def loss(params, inputs, targets):
    # Computes average loss for the batch
    predictions = net_apply(params, inputs)
    return np.mean((targets - predictions) ** 2)


def sample_tasks(outer_batch_size, inner_batch_size):
    # Select amplitude and phase for the task
    amplitudes = rng.uniform(low=0.1, high=0.5, size=outer_batch_size)
    phases = rng.uniform(low=0.0, high=np.pi, size=outer_batch_size)

    def get_batch():
        xs, ys = [], []
        for A, phase in zip(amplitudes, phases):
            x = rng.uniform(low=-5.0, high=5.0, size=(inner_batch_size, 1))
            y = A * np.sin(x + phase)
            xs.append(x)
            ys.append(y)
        return np.stack(xs), np.stack(ys)

    x1, y1 = get_batch()
    x2, y2 = get_batch()
    return x1, y1, x2, y2


x1, y1, x2, y2 = sample_tasks(outer_batch_size=3, inner_batch_size=5)


def batch_loss(params, xs, ys):
    return np.mean(np.stack([loss(params, x, y) for x, y in zip(xs, ys)]))


def objective(params):
    return batch_loss(params, x1, y1) + batch_loss(params, x2, y2)


def example():
    return (init_mlp(np.random.default_rng(7), [1, 8, 8, 1]),), "params"
