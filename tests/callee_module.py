"""A helper in a module of its own, with its own way of naming NumPy and its own constant."""

from numpy import tanh

GAIN = 0.5


def squash(t, scale=1.0):
    return tanh(t * scale) * GAIN
