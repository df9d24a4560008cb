# ruff: noqa: B008 - written as autograd's and JAX's examples write them
"""A small convolutional classifier written with array operations only: the
convolution sums shifted slices of the images, the pooling reshapes, and the
layers are a list of functions applied in turn (autograd's convnet.py style)."""

import numpy as np
import numpy.random as npr
from scipy.special import logsumexp


def conv2d(images, filters, bias):
    """A 'valid' cross-correlation of N x C x H x W images with D x C x h x w filters."""
    _, _, h, w = filters.shape
    out_h = images.shape[2] - h + 1
    out_w = images.shape[3] - w + 1
    out = sum(
        np.einsum("nchw,dc->ndhw", images[:, :, i : i + out_h, j : j + out_w], filters[:, :, i, j])
        for i in range(h)
        for j in range(w)
    )
    return out + bias[None, :, None, None]


def max_pool(images, size=2):
    n, c, height, width = images.shape
    pooled = images.reshape(n, c, height // size, size, width // size, size)
    return np.max(np.max(pooled, axis=5), axis=3)


def softplus(x):
    return np.logaddexp(0.0, x)


def conv_layer(params, inputs):
    filters, bias = params
    return max_pool(softplus(conv2d(inputs, filters, bias)))


def flatten_layer(params, inputs):
    return inputs.reshape(inputs.shape[0], -1)


def dense_layer(params, inputs, nonlinearity=np.tanh):
    W, b = params
    return nonlinearity(np.dot(inputs, W) + b)


def output_layer(params, inputs):
    W, b = params
    logits = np.dot(inputs, W) + b
    return logits - logsumexp(logits, axis=1, keepdims=True)


layers = [conv_layer, flatten_layer, dense_layer, output_layer]


def predict(params, inputs):
    for layer, layer_params in zip(layers, params):
        inputs = layer(layer_params, inputs)
    return inputs


def init_params(scale, rs=npr.RandomState(0)):
    return [
        (scale * rs.randn(3, 1, 3, 3), scale * rs.randn(3)),
        (),
        (scale * rs.randn(12, 5), scale * rs.randn(5)),
        (scale * rs.randn(5, 3), scale * rs.randn(3)),
    ]


L2_reg = 0.01
rs = npr.RandomState(1)
train_images = rs.randn(4, 1, 6, 6)
train_labels = np.eye(3)[rs.randint(3, size=4)]


def loss(params, images, labels):
    log_prior = -L2_reg * sum(np.sum(p**2) for layer_params in params for p in layer_params)
    log_lik = np.sum(predict(params, images) * labels)
    return -(log_prior + log_lik) / len(images)


def objective(params):
    return loss(params, train_images, train_labels)


def example():
    return (init_params(0.5),), "params"
