# ruff: noqa: B008 - written as autograd's and JAX's examples write them
"""A LeNet-like classifier built from s2sad.nn's layers; the parameters are a dict
of layers, each a dict of arrays."""

import numpy as np
import numpy.random as npr

from s2sad import nn


def init_params(rs=npr.RandomState(0)):
    return {
        "conv1": {"w": 0.4 * rs.randn(2, 1, 3, 3), "b": np.zeros(2)},
        "conv2": {"w": 0.4 * rs.randn(3, 2, 2, 2), "b": np.zeros(3)},
        "fc": {"w": 0.4 * rs.randn(12, 3), "b": np.zeros(3)},
    }


def forward(params, x):
    h = nn.conv2d(x, params["conv1"]["w"], padding=1) + params["conv1"]["b"][:, None, None]
    h = nn.max_pool2d(nn.relu(h), 2)
    h = nn.conv2d(h, params["conv2"]["w"], padding=1) + params["conv2"]["b"][:, None, None]
    h = nn.avg_pool2d(np.tanh(h), 2)
    h = h.reshape(h.shape[0], -1)
    return h @ params["fc"]["w"] + params["fc"]["b"]


def cross_entropy_loss(params, x, labels):
    log_probs = nn.log_softmax(forward(params, x), axis=-1)
    return -np.mean(log_probs[np.arange(len(labels)), labels])


rs = npr.RandomState(1)
images = rs.randn(3, 1, 7, 7)
labels = np.array([0, 2, 1])


def objective(params):
    return cross_entropy_loss(params, images, labels)


def example():
    return (init_params(),), "params"
