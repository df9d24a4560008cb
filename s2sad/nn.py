"""Neural-network layers as plain NumPy (or CuPy) functions, each with an adjoint rule.

Layout conventions (those of PyTorch):

* images are N×C×H×W (batch, channels, height, width), signals N×C×L; an
  unbatched input, C×H×W or C×L, gives an unbatched result;
* kernels are D×C×h×w (output channels, input channels, height, width) or D×C×k;
* `stride`, `padding` and `dilation` are an int or one int per spatial axis.
  Padding adds zeros on both sides; windows that do not fit are dropped.

A C×H×W input and D×C×h×w kernels give D×(H−h+1)×(W−w+1) without padding. The
convolution is deep learning's: a cross-correlation, the kernel not flipped, no
bias (add `b[:, None, None]`). Each function runs on the namespace of its
arguments, so CuPy arrays stay on the GPU.

`s2sad.grad` differentiates a call to any of them with its rule in
`s2sad/templates/nn.py`, and copies the function's source into the generated
module, which then runs without s2sad.
"""

from .runtime.core import _namespace
from .runtime.nn import (
    _avg_pool,
    _conv,
    _cross_entropy,
    _log_softmax,
    _logsumexp,
    _max_pool,
    _softmax,
)


def conv1d(x, w, stride=1, padding=0, dilation=1):
    """Convolution of signals x (N×C×L, or C×L) with kernels w (D×C×k): N×D×L' (or D×L')."""
    return _conv(x, w, stride, padding, dilation)


def conv2d(x, w, stride=1, padding=0, dilation=1):
    """Convolution of images x (N×C×H×W, or C×H×W) with kernels w (D×C×h×w): N×D×H'×W'."""
    return _conv(x, w, stride, padding, dilation)


def max_pool1d(x, size, stride=None):
    """The maximum of each window of `size` along the last axis (stride defaults to size)."""
    return _max_pool(x, size, stride, 1)


def max_pool2d(x, size, stride=None):
    """The maximum of each size×size window over the last two axes (stride defaults to size).

    Its adjoint routes each window's gradient to the window's maximum; where
    several elements tie, to the first of them in row-major order.
    """
    return _max_pool(x, size, stride, 2)


def avg_pool1d(x, size, stride=None):
    """The mean of each window of `size` along the last axis (stride defaults to size)."""
    return _avg_pool(x, size, stride, 1)


def avg_pool2d(x, size, stride=None):
    """The mean of each size×size window over the last two axes (stride defaults to size)."""
    return _avg_pool(x, size, stride, 2)


def relu(x):
    """`max(x, 0)` elementwise; its adjoint takes the gradient at 0 to be 0."""
    xp = _namespace(x)
    return xp.maximum(x, 0.0)


def sigmoid(x):
    """`1 / (1 + exp(-x))` elementwise, computed without overflow."""
    xp = _namespace(x)
    return 0.5 + 0.5 * xp.tanh(0.5 * x)


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis`."""
    return _softmax(x, axis)


def log_softmax(x, axis=-1):
    """`log(softmax(x))` along `axis`, without overflow."""
    return _log_softmax(x, axis)


def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` over `axis` (None: all axes), without overflow."""
    return _logsumexp(x, axis, keepdims)


def cross_entropy(logits, labels):
    """Mean softmax cross-entropy of `logits` (N×K, or any ...×K) and integer `labels` (N, or ...)."""
    return _cross_entropy(logits, labels)


def mse(predictions, targets):
    """Mean squared error: the mean of `(predictions - targets) ** 2` (broadcasting)."""
    residual = predictions - targets
    return (residual * residual).mean()


def stop_gradient(x):
    """`x` itself; in differentiated code, a value that carries no gradient."""
    return x


__all__ = [
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "cross_entropy",
    "log_softmax",
    "logsumexp",
    "max_pool1d",
    "max_pool2d",
    "mse",
    "relu",
    "sigmoid",
    "softmax",
    "stop_gradient",
]
