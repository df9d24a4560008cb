"""Runtime helpers of `s2sad.nn`: convolution, pooling, softmax, and their adjoints.

Layout: arrays are batch × channels × spatial (N×C×H×W, N×C×L); kernels are
out-channels × in-channels × spatial (D×C×h×w). Every function works on NumPy
and CuPy alike (array methods or `_namespace`), and loops at most over the
offsets inside a kernel or a pooling window, never over pixels. Like the other
helpers, each is copied into the generated modules that call it.
"""

import numpy

from .core import _expand_reduced, _namespace


def _spatial(value, n, name):
    """An int, or a sequence of `n` ints, as a tuple of `n` ints (one per spatial axis)."""
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(
                f"{name} needs {n} values, one per spatial axis, got {value!r}"
            )
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _output_size(n, size, stride, dilation):
    """How many windows of `size` (spread by `dilation`) fit `n` elements at `stride`."""
    span = dilation * (size - 1) + 1
    if span > n:
        raise ValueError(
            f"a window spanning {span} elements does not fit an axis of {n}"
        )
    return (n - span) // stride + 1


def _window_part(offset, stride, dilation, out):
    """The index of the elements at `offset` inside every window: one strided slice per axis."""
    return (Ellipsis,) + tuple(
        slice(o * d, o * d + s * (m - 1) + 1, s)
        for o, s, d, m in zip(offset, stride, dilation, out)
    )


def _windows(x, size, stride, dilation):
    """A view of `x` with the window at each output position: `(*lead, *out, *size)`.

    The windows run over the last `len(size)` axes; no element is copied.
    """
    k = len(size)
    spatial, steps = x.shape[x.ndim - k :], x.strides[x.ndim - k :]
    out = tuple(_output_size(*a) for a in zip(spatial, size, stride, dilation))
    shape = x.shape[: x.ndim - k] + out + tuple(size)
    strides = x.strides[: x.ndim - k] + tuple(a * s for a, s in zip(steps, stride))
    strides += tuple(a * d for a, d in zip(steps, dilation))
    return _namespace(x).lib.stride_tricks.as_strided(x, shape, strides)


def _padded(x, padding):
    """`x` with `padding` zeros on both sides of each of its last `len(padding)` axes."""
    if not any(padding):
        return x
    widths = ((0, 0),) * (x.ndim - len(padding)) + tuple((p, p) for p in padding)
    return _namespace(x).pad(x, widths)


def _im2col(x, size, stride, padding, dilation):
    """The windows of the batch `x` (N, C, *spatial) as columns: (N, C·prod(size), *out).

    Copied in this order, each copied run is a contiguous row of `x` (at stride 1).
    """
    k = len(size)
    windows = _windows(_padded(x, padding), size, stride, dilation)
    windows = windows.transpose((0, 1, *range(2 + k, 2 + 2 * k), *range(2, 2 + k)))
    return windows.reshape((x.shape[0], -1) + windows.shape[2 + k :])


def _conv_options(x, w, stride, padding, dilation, k):
    """`x` with a batch axis, and the options as tuples; refuses mismatched shapes."""
    if w.ndim != k + 2:
        raise ValueError(
            f"a {k}-d convolution needs a {k + 2}-d kernel (D, C, ...), "
            f"got shape {tuple(w.shape)}"
        )
    batch = x if x.ndim == k + 2 else x[None]
    if batch.ndim != k + 2 or batch.shape[1] != w.shape[1]:
        raise ValueError(
            f"a kernel of shape {tuple(w.shape)} needs an input of shape "
            f"(N, {w.shape[1]}, ...) or ({w.shape[1]}, ...), got {tuple(x.shape)}"
        )
    options = (
        _spatial(stride, k, "stride"),
        _spatial(padding, k, "padding"),
        _spatial(dilation, k, "dilation"),
    )
    return batch, options


def _conv(x, w, stride=1, padding=0, dilation=1):
    """Deep learning's convolution (a cross-correlation) of `x` with the kernels `w`.

    x: (N, C, *spatial) or unbatched (C, *spatial); w: (D, C, *size). The result is
    (N, D, *out) or (D, *out), out = (spatial + 2·padding − dilation·(size − 1) − 1) // stride + 1.
    """
    batch, (stride, padding, dilation) = _conv_options(
        x, w, stride, padding, dilation, w.ndim - 2
    )
    cols = _im2col(batch, w.shape[2:], stride, padding, dilation)
    n, depth = cols.shape[0], w.shape[0]
    y = w.reshape(depth, -1) @ cols.reshape(n, cols.shape[1], -1)
    y = y.reshape((n, depth) + cols.shape[2:])
    return y if x.ndim == w.ndim else y[0]


def _conv_dweight(g, x, w, stride=1, padding=0, dilation=1):
    """Adjoint of the kernels `w` in `_conv(x, w, ...)`, for the result's adjoint `g`."""
    batch, (stride, padding, dilation) = _conv_options(
        x, w, stride, padding, dilation, w.ndim - 2
    )
    cols = _im2col(batch, w.shape[2:], stride, padding, dilation)
    n = cols.shape[0]
    g = g.reshape(n, w.shape[0], -1)
    return (
        (g @ cols.reshape(n, cols.shape[1], -1).swapaxes(1, 2))
        .sum(axis=0)
        .reshape(w.shape)
    )


def _conv_dinput(g, x, w, stride=1, padding=0, dilation=1):
    """Adjoint of the input `x` in `_conv(x, w, ...)`: each window's columns added back in place."""
    k = w.ndim - 2
    batch, (stride, padding, dilation) = _conv_options(
        x, w, stride, padding, dilation, k
    )
    n, channels, size = batch.shape[0], w.shape[1], w.shape[2:]
    out = g.shape[g.ndim - k :]
    cols = w.reshape(w.shape[0], -1).T @ g.reshape(n, w.shape[0], -1)
    cols = cols.reshape((n, channels) + size + out)
    padded = tuple(m + 2 * p for m, p in zip(batch.shape[2:], padding))
    dx = _namespace(g, x).zeros((n, channels) + padded, dtype=cols.dtype)
    for offset in numpy.ndindex(*size):
        dx[_window_part(offset, stride, dilation, out)] += cols[
            (slice(None), slice(None)) + offset
        ]
    dx = dx[
        (Ellipsis,) + tuple(slice(p, p + m) for p, m in zip(padding, batch.shape[2:]))
    ]
    return dx if x.ndim == w.ndim else dx[0]


def _pool_options(x, size, stride, dims):
    """The window size and stride as tuples (the stride defaults to the size) and the output size."""
    size = _spatial(size, dims, "size")
    stride = size if stride is None else _spatial(stride, dims, "stride")
    if x.ndim < dims:
        raise ValueError(
            f"a {dims}-d pool needs an input of at least {dims} axes, got {tuple(x.shape)}"
        )
    out = tuple(
        _output_size(n, s, t, 1)
        for n, s, t in zip(x.shape[x.ndim - dims :], size, stride)
    )
    return size, stride, out


def _max_pool(x, size, stride, dims):
    """The maximum of each window over the last `dims` axes of `x`."""
    size, stride, out = _pool_options(x, size, stride, dims)
    xp = _namespace(x)
    best = None
    for offset in numpy.ndindex(*size):
        part = x[_window_part(offset, stride, (1,) * dims, out)]
        if best is None:
            best = part.copy()
        else:
            xp.maximum(best, part, out=best)
    return best


def _max_pool_dinput(g, x, y, size, stride, dims):
    """Adjoint of `x` in `_max_pool`: each window's adjoint goes to its maximum; where several
    elements tie, to the first in row-major order of the window."""
    size, stride, out = _pool_options(x, size, stride, dims)
    xp = _namespace(g, x)
    dx = xp.zeros_like(x, dtype=g.dtype)
    overlapping = any(s < n for s, n in zip(stride, size))
    unclaimed = None
    for offset in numpy.ndindex(*size):
        region = _window_part(offset, stride, (1,) * dims, out)
        hit = x[region] == y
        if unclaimed is None:
            unclaimed = ~hit
        else:
            hit &= unclaimed
            unclaimed ^= hit
        if overlapping:
            dx[region] += g * hit
        else:  # each element is in one window: written once, into dx itself (not a view)
            dx[region] = g * hit
    return dx


def _max_pool_tangent(t, x, y, size, stride, dims):
    """Tangent of `_max_pool(x)` along the tangent `t` of `x`: each window's maximum's tangent,
    the first in row-major order of the window where several tie (as `_max_pool_dinput`).
    """
    size, stride, out = _pool_options(x, size, stride, dims)
    xp = _namespace(t, x)
    ty = xp.zeros(y.shape, dtype=t.dtype)
    for offset in reversed(list(numpy.ndindex(*size))):  # the first hit written last
        region = _window_part(offset, stride, (1,) * dims, out)
        ty = xp.where(x[region] == y, t[region], ty)
    return ty


def _avg_pool(x, size, stride, dims):
    """The mean of each window over the last `dims` axes of `x`."""
    size, stride, out = _pool_options(x, size, stride, dims)
    total = None
    for offset in numpy.ndindex(*size):
        part = x[_window_part(offset, stride, (1,) * dims, out)]
        if total is None:
            total = part.copy()
        else:
            total += part
    return total / int(numpy.prod(size))


def _avg_pool_dinput(g, x, size, stride, dims):
    """Adjoint of `x` in `_avg_pool`: each window's adjoint shared equally by its elements."""
    size, stride, out = _pool_options(x, size, stride, dims)
    share = g / int(numpy.prod(size))
    dx = _namespace(g, x).zeros_like(x, dtype=share.dtype)
    for offset in numpy.ndindex(*size):
        dx[_window_part(offset, stride, (1,) * dims, out)] += share
    return dx


def _log_softmax(x, axis):
    """`log(softmax(x))` along `axis`, computed without overflow."""
    xp = _namespace(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax(x, axis):
    """`exp(x) / sum(exp(x))` along `axis`, computed without overflow."""
    e = _namespace(x).exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _logsumexp(x, axis, keepdims):
    """`log(sum(exp(x)))` over `axis` (None: every axis), computed without overflow."""
    xp = _namespace(x)
    top = x.max(axis=axis, keepdims=True)
    result = xp.log(xp.exp(x - top).sum(axis=axis, keepdims=True)) + top
    return result if keepdims else xp.squeeze(result, axis=axis)


def _logsumexp_dinput(g, x, y, axis, keepdims):
    """Adjoint of `x` in `_logsumexp`: the softmax of `x` over `axis`, times `g`."""
    if not keepdims:
        g, y = _expand_reduced(g, x, axis), _expand_reduced(y, x, axis)
    return g * _namespace(x).exp(x - y)


def _cross_entropy(logits, labels):
    """Mean of `-log(softmax(logits)[label])` over every row of `logits` (..., K)."""
    return -_picked(_log_softmax(logits, -1), labels).mean()


def _cross_entropy_dlogits(g, logits, labels):
    """Adjoint of the logits in `_cross_entropy`: `(softmax(logits) - onehot(labels)) · g / n`."""
    xp = _namespace(logits, labels)
    p = _softmax(logits, -1).reshape(-1, logits.shape[-1])
    if hasattr(xp, "take_along_axis"):
        p[xp.arange(p.shape[0]), labels.reshape(-1)] -= 1.0
        p *= g / p.shape[0]
    else:  # dask.array, which writes through no pair of index arrays: the one-hot mask
        p = (p - _one_hot(labels.reshape(-1), p.shape[-1])) * (g / p.shape[0])
    return p.reshape(logits.shape)


def _cross_entropy_tangent(t, logits, labels):
    """Tangent of `_cross_entropy(logits, labels)` along the tangent `t` of the logits: the mean
    over rows of `softmax(logits) · t - t[label]`."""
    xp = _namespace(t, logits, labels)
    return (xp.sum(_softmax(logits, -1) * t, axis=-1) - _picked(t, labels)).mean()


def _picked(values, labels):
    """`values[..., label]` for each row's label: `take_along_axis`, or where the library
    has none (dask.array), the row's values selected by the labels' one-hot mask."""
    xp = _namespace(values, labels)
    if hasattr(xp, "take_along_axis"):
        return xp.take_along_axis(values, labels[..., None], axis=-1)[..., 0]
    return xp.where(_one_hot(labels, values.shape[-1]), values, 0.0).sum(axis=-1)


def _one_hot(labels, k):
    """`labels[..., None] == arange(k)`: True where each row's label is."""
    return labels[..., None] == _namespace(labels).arange(k)
