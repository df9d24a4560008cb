"""A helper in a module of its own that reads that module's data: `inputs`, named as the
caller's module names its own."""

import numpy as np

inputs = np.linspace(-1.0, 1.0, 3)


def fit(w):
    return np.sum((w - inputs) ** 2)
