"""Losses over data too large for one machine, for tests/test_dask.py: written for NumPy,
differentiated by s2sad and run on dask arrays."""

import numpy as np

from s2sad import nn


def logistic_loss(w, X, y):
    """Mean logistic loss of labels y in {-1, 1}."""
    z = X @ w
    return np.mean(np.logaddexp(0.0, -y * z))


def ridge_loss(w, b, X, y, lam):
    """Mean squared error of a linear model with a bias, plus an L2 penalty."""
    r = X @ w + b - y
    return np.mean(r * r) + lam * np.sum(w * w)


def softmax_regression(W, X, labels):
    """Mean cross-entropy of a linear classifier."""
    return nn.cross_entropy(X @ W, labels)


def two_layer(W1, W2, X, y):
    """A small network's squared error, summed over the batch's columns and rows."""
    h = np.tanh(X @ W1)
    out = h @ W2
    return np.sum((out - y) ** 2) / X.shape[0]


def positive_part_loss(w, X):
    """Reads a data-dependent selection: its size is known only once dask computes it."""
    z = X @ w
    return np.sum(z[z > 0.0])


def sorted_loss(w, X):
    """Sorts, which dask.array has no function for."""
    z = np.sort(X @ w)
    return np.sum(z * np.arange(z.shape[0]))


def positive_part(x):
    """The positive elements: an array whose size dask knows only once it computes it."""
    return x[x > 0.0]
