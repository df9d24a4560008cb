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


# ---- the helpers' own rules: what a gradient of a gradient differentiates --------------------
# A first-order gradient calls the adjoint helpers above, and its forward (the layer's source,
# copied) the forward helpers. Each adjoint helper is linear in the adjoint `g` it takes, so its
# adjoint in `g` is the forward operation it reverses, and in the other operand the helper of
# the other side; the operands that only say where the adjoint goes (the maxima of a pool)
# carry none.


@adjoint("helper._conv", multilinear=("x", "w"))
def conv_helper(y, x, w, stride=1, padding=0, dilation=1):
    dx = _conv_dinput(dy, x, w, stride=stride, padding=padding, dilation=dilation)
    dw = _conv_dweight(dy, x, w, stride=stride, padding=padding, dilation=dilation)


@adjoint("helper._conv_dinput", multilinear=("g", "w"))
def conv_dinput(z, g, x, w, stride=1, padding=0, dilation=1):
    """`x` gives a shape only."""
    dg = _conv(dz, w, stride=stride, padding=padding, dilation=dilation)
    dw = _conv_dweight(g, dz, w, stride=stride, padding=padding, dilation=dilation)


@adjoint("helper._conv_dweight", multilinear=("g", "x"))
def conv_dweight(z, g, x, w, stride=1, padding=0, dilation=1):
    """`w` gives a shape only."""
    dg = _conv(x, dz, stride=stride, padding=padding, dilation=dilation)
    dx = _conv_dinput(g, x, dz, stride=stride, padding=padding, dilation=dilation)


@adjoint("helper._max_pool")
def max_pool_helper(y, x, size, stride, dims):
    dx = _max_pool_dinput(dy, x, y, size, stride, dims)


@tangent("helper._max_pool")
def max_pool_helper_tangent(y, x, size, stride, dims):
    ty = _max_pool_tangent(tx, x, y, size, stride, dims)


@adjoint("helper._max_pool_dinput", linear=("g",))
def max_pool_dinput(z, g, x, y, size, stride, dims):
    """Which element of each window gets its adjoint changes only where `x` ties: `x` and its
    maxima `y` carry no gradient, as in the first-order rule."""
    dg = _max_pool_tangent(dz, x, y, size, stride, dims)


@adjoint("helper._max_pool_tangent", linear=("t",))
def max_pool_tangent(z, t, x, y, size, stride, dims):
    dt = _max_pool_dinput(dz, x, y, size, stride, dims)


@adjoint("helper._avg_pool", linear=("x",))
def avg_pool_helper(y, x, size, stride, dims):
    dx = _avg_pool_dinput(dy, x, size, stride, dims)


@adjoint("helper._avg_pool_dinput", linear=("g",))
def avg_pool_dinput(z, g, x, size, stride, dims):
    dg = _avg_pool(dz, size, stride, dims)


@adjoint("helper._softmax")
def softmax_helper(y, x, axis):
    dx = y * (dy - xp.sum(dy * y, axis=axis, keepdims=True))


@tangent("helper._softmax")
def softmax_helper_tangent(y, x, axis):
    ty = y * (tx - xp.sum(tx * y, axis=axis, keepdims=True))


@adjoint("helper._log_softmax")
def log_softmax_helper(y, x, axis):
    dx = dy - xp.exp(y) * xp.sum(dy, axis=axis, keepdims=True)


@tangent("helper._log_softmax")
def log_softmax_helper_tangent(y, x, axis):
    ty = tx - xp.sum(tx * xp.exp(y), axis=axis, keepdims=True)


@adjoint("helper._logsumexp")
def logsumexp_helper(y, x, axis, keepdims):
    dx = _logsumexp_dinput(dy, x, y, axis=axis, keepdims=keepdims)


@tangent("helper._logsumexp")
def logsumexp_helper_tangent(y, x, axis, keepdims):
    ty = xp.sum(tx * xp.exp(x - _expand_reduced(y, x, axis)), axis=axis, keepdims=keepdims)


@adjoint("helper._logsumexp_dinput")
def logsumexp_dinput(z, g, x, y, axis, keepdims):
    """z = g · exp(x - y), `g` and `y` (logsumexp(x)) stretched along `axis`: each operand's
    adjoint, `y` one of its own."""
    dg = xp.sum(dz * xp.exp(x - _expand_reduced(y, x, axis)), axis=axis, keepdims=keepdims)
    dx = dz * z
    dy = -xp.sum(dz * z, axis=axis, keepdims=keepdims)


@tangent("helper._logsumexp_dinput")
def logsumexp_dinput_tangent(z, g, x, y, axis, keepdims):
    tz = ((_expand_reduced(tg, x, axis) - _expand_reduced(ty * g, x, axis))
          * xp.exp(x - _expand_reduced(y, x, axis)) + tx * z)


@adjoint("helper._cross_entropy")
def cross_entropy_helper(y, logits, labels):
    dlogits = _cross_entropy_dlogits(dy, logits, labels)


@tangent("helper._cross_entropy")
def cross_entropy_helper_tangent(y, logits, labels):
    ty = _cross_entropy_tangent(tlogits, logits, labels)


@adjoint("helper._cross_entropy_dlogits")
def cross_entropy_dlogits(z, g, logits, labels):
    """z = (softmax(logits) - onehot(labels)) · g / n, n rows: linear in `g` (the loss's
    adjoint, a number), whose adjoint is the tangent of the loss; in the logits, the softmax's
    adjoint of `dz · g / n`."""
    dg = _cross_entropy_tangent(dz, logits, labels)
    p = _softmax(logits, -1)
    c = dz * (g / (logits.size // logits.shape[-1]))
    dlogits = p * (c - xp.sum(c * p, axis=-1, keepdims=True))


@tangent("helper._cross_entropy_dlogits")
def cross_entropy_dlogits_tangent(z, g, logits, labels):
    """`g` is a number: its term is the adjoint of a unit loss, scaled."""
    p = _softmax(logits, -1)
    c = tlogits * (g / (logits.size // logits.shape[-1]))
    tz = tg * _cross_entropy_dlogits(1.0, logits, labels) + p * (
        c - xp.sum(c * p, axis=-1, keepdims=True))


@adjoint("helper._cross_entropy_tangent")
def cross_entropy_tangent_helper(z, t, logits, labels):
    """z = mean over rows of softmax(logits) · t - t[label]: linear in `t`, whose adjoint is the
    logits' adjoint of the loss; in the logits, the softmax's adjoint of `t · dz / n`."""
    dt = _cross_entropy_dlogits(dz, logits, labels)
    p = _softmax(logits, -1)
    c = t * (dz / (logits.size // logits.shape[-1]))
    dlogits = p * (c - xp.sum(c * p, axis=-1, keepdims=True))


@tangent("helper._cross_entropy_tangent")
def cross_entropy_tangent_helper_tangent(z, t, logits, labels):
    p = _softmax(logits, -1)
    c = t / (logits.size // logits.shape[-1])
    tz = _cross_entropy_tangent(tt, logits, labels) + xp.sum(
        tlogits * p * (c - xp.sum(c * p, axis=-1, keepdims=True)))
