# ruff: noqa: B008, RUF007 - written as autograd's and JAX's examples write them
"""A mixture density network (Bishop, 1994): an MLP whose outputs are the mixing
logits, means and log standard deviations of a 1-D Gaussian mixture."""

import numpy as np
import numpy.random as npr
from scipy.special import logsumexp
from scipy.stats import norm


def init_params(layer_sizes, scale=0.3, rs=npr.RandomState(0)):
    return [
        (scale * rs.randn(m, n), scale * rs.randn(n))
        for m, n in zip(layer_sizes[:-1], layer_sizes[1:])
    ]


def mlp(params, inputs, nonlinearity=np.tanh):
    *hidden, (W_out, b_out) = params
    for W, b in hidden:
        inputs = nonlinearity(inputs @ W + b)
    return inputs @ W_out + b_out


def mixture_params(outputs):
    logits, means, log_stds = np.split(outputs, 3, axis=1)
    log_weights = logits - logsumexp(logits, axis=1, keepdims=True)
    return log_weights, means, np.exp(log_stds)


def mdn_log_likelihood(params, x, y):
    log_weights, means, stds = mixture_params(mlp(params, x))
    component_lls = norm.logpdf(y[:, None], means, stds)
    return np.sum(logsumexp(log_weights + component_lls, axis=1))


# The inverse of a noisy sinusoid: several y for one x.
rs = npr.RandomState(0)
num_data = 16
y_true = rs.uniform(-1.0, 1.0, size=num_data)
x_data = (y_true + 0.3 * np.sin(3.0 * y_true) + 0.05 * rs.randn(num_data))[:, None]

num_components = 3
layer_sizes = [1, 6, 3 * num_components]


def objective(params):
    return -mdn_log_likelihood(params, x_data, y_true) / num_data


def example():
    return (init_params(layer_sizes),), "params"
