"""Adjoints of the layers of `s2sad.nn`: convolution, pooling, activations, losses.

The rules use the closed forms: a convolution's adjoints are convolutions
(`_conv_dinput` adds each window's columns back, `_conv_dweight` correlates the
input with the output's adjoint), softmax-family adjoints reuse the forward's
output, and the mean cross-entropy's is `(softmax - onehot) / n`. They are keyed
by name, so that `s2sad.nn` can import the helpers without importing these rules.
"""

from ..registry import adjoint, nondifferentiable, tangent


@adjoint("s2sad.nn.conv1d", multilinear=("x", "w"))
def conv1d(y, x, w, stride=1, padding=0, dilation=1):
    dx = _conv_dinput(dy, x, w, stride=stride, padding=padding, dilation=dilation)
    dw = _conv_dweight(dy, x, w, stride=stride, padding=padding, dilation=dilation)


@adjoint("s2sad.nn.conv2d", multilinear=("x", "w"))
def conv2d(y, x, w, stride=1, padding=0, dilation=1):
    dx = _conv_dinput(dy, x, w, stride=stride, padding=padding, dilation=dilation)
    dw = _conv_dweight(dy, x, w, stride=stride, padding=padding, dilation=dilation)


@adjoint("s2sad.nn.max_pool1d")
def max_pool1d(y, x, size, stride=None):
    dx = _max_pool_dinput(dy, x, y, size=size, stride=stride, dims=1)


@tangent("s2sad.nn.max_pool1d")
def max_pool1d_tangent(y, x, size, stride=None):
    ty = _max_pool_tangent(tx, x, y, size=size, stride=stride, dims=1)


@adjoint("s2sad.nn.max_pool2d")
def max_pool2d(y, x, size, stride=None):
    dx = _max_pool_dinput(dy, x, y, size=size, stride=stride, dims=2)


@tangent("s2sad.nn.max_pool2d")
def max_pool2d_tangent(y, x, size, stride=None):
    ty = _max_pool_tangent(tx, x, y, size=size, stride=stride, dims=2)


@adjoint("s2sad.nn.avg_pool1d", linear=("x",))
def avg_pool1d(y, x, size, stride=None):
    dx = _avg_pool_dinput(dy, x, size=size, stride=stride, dims=1)


@adjoint("s2sad.nn.avg_pool2d", linear=("x",))
def avg_pool2d(y, x, size, stride=None):
    dx = _avg_pool_dinput(dy, x, size=size, stride=stride, dims=2)


@adjoint("s2sad.nn.relu", elementwise=True)
def relu(y, x):
    dx = dy * (x > 0)


@adjoint("s2sad.nn.sigmoid", elementwise=True)
def sigmoid(y, x):
    dx = dy * y * (1.0 - y)


@adjoint("s2sad.nn.softmax")
def softmax(y, x, axis=-1):
    dx = y * (dy - xp.sum(dy * y, axis=axis, keepdims=True))


@tangent("s2sad.nn.softmax")
def softmax_tangent(y, x, axis=-1):
    """The Jacobian, diag(y) - y y^T along `axis`, is symmetric: the adjoint's form."""
    ty = y * (tx - xp.sum(tx * y, axis=axis, keepdims=True))


@adjoint("s2sad.nn.log_softmax")
def log_softmax(y, x, axis=-1):
    dx = dy - xp.exp(y) * xp.sum(dy, axis=axis, keepdims=True)


@tangent("s2sad.nn.log_softmax")
def log_softmax_tangent(y, x, axis=-1):
    ty = tx - xp.sum(tx * xp.exp(y), axis=axis, keepdims=True)


@adjoint("s2sad.nn.logsumexp")
def logsumexp(y, x, axis=None, keepdims=False):
    dx = _logsumexp_dinput(dy, x, y, axis=axis, keepdims=keepdims)


@tangent("s2sad.nn.logsumexp")
def logsumexp_tangent(y, x, axis=None, keepdims=False):
    """The softmax of `x` over `axis`, as weights of the tangent's sum."""
    ty = xp.sum(tx * xp.exp(x - _expand_reduced(y, x, axis)), axis=axis, keepdims=keepdims)


@adjoint("s2sad.nn.cross_entropy")
def cross_entropy(y, logits, labels):
    dlogits = _cross_entropy_dlogits(dy, logits, labels)


@tangent("s2sad.nn.cross_entropy")
def cross_entropy_tangent(y, logits, labels):
    ty = _cross_entropy_tangent(tlogits, logits, labels)


@adjoint("s2sad.nn.mse", broadcasts=True)
def mse(y, predictions, targets):
    residual = predictions - targets
    scale = 2.0 * dy / residual.size
    dpredictions = residual * scale
    dtargets = residual * -scale


@tangent("s2sad.nn.mse")
def mse_tangent(y, predictions, targets):
    ty = 2.0 * xp.mean((predictions - targets) * (tpredictions - ttargets))


nondifferentiable("s2sad.nn.stop_gradient")
