# ruff: noqa: B008, RUF007 - written as autograd's and JAX's examples write them
"""A tanh multi-layer perceptron classifier (autograd's examples/neural_net.py).

The parameters are a list of (weights, biases) tuples, one per layer; the
network returns normalized log-probabilities (a log-softmax by logsumexp), and
the objective is the negative log posterior under a Gaussian prior.
"""

import numpy as np
import numpy.random as npr
from scipy.special import logsumexp


def init_random_params(scale, layer_sizes, rs=npr.RandomState(0)):
    """Build a list of (weights, biases) tuples, one for each layer in the net."""
    return [
        (scale * rs.randn(m, n), scale * rs.randn(n))  # weight matrix, bias vector
        for m, n in zip(layer_sizes[:-1], layer_sizes[1:])
    ]


def neural_net_predict(params, inputs):
    """Implements a deep neural network for classification.

    params is a list of (weights, bias) tuples.
    inputs is an (N x D) matrix.
    returns normalized class log-probabilities.
    """
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs - logsumexp(outputs, axis=1, keepdims=True)


def l2_norm(params):
    """Computes l2 norm of params by flattening them into a vector."""
    return sum(np.sum(W**2) + np.sum(b**2) for W, b in params)


def log_posterior(params, inputs, targets, L2_reg):
    log_prior = -L2_reg * l2_norm(params)
    log_lik = np.sum(neural_net_predict(params, inputs) * targets)
    return log_prior + log_lik


def accuracy(params, inputs, targets):
    target_class = np.argmax(targets, axis=1)
    predicted_class = np.argmax(neural_net_predict(params, inputs), axis=1)
    return np.mean(predicted_class == target_class)


def load_data(num_examples, num_features, num_classes, rs=npr.RandomState(1)):
    inputs = rs.randn(num_examples, num_features)
    labels = rs.randint(num_classes, size=num_examples)
    targets = np.eye(num_classes)[labels]
    return inputs, targets


# Model parameters
layer_sizes = [4, 6, 5, 3]
L2_reg = 1.0

# Training parameters
param_scale = 0.5
batch_size = 8
num_batches = 2

inputs, targets = load_data(batch_size * num_batches, layer_sizes[0], layer_sizes[-1])


def batch_indices(iter):
    idx = iter % num_batches
    return slice(idx * batch_size, (idx + 1) * batch_size)


# Define training objective
def objective(params, iter):
    idx = batch_indices(iter)
    return -log_posterior(params, inputs[idx], targets[idx], L2_reg)


def example():
    init_params = init_random_params(param_scale, layer_sizes)
    return (init_params, 1), "params"
