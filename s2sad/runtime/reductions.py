"""Runtime helpers of the reductions' adjoints and tangents: products, averages, differences,
traces, norms.

Like those of `core`, each is copied into the generated modules that call
it; array work goes through `_namespace` or array methods, so CuPy arrays
stay on the GPU. Each returns new memory (or a view of a temporary it made),
never a view of an argument.
"""

import numpy

from .core import _expand_reduced, _namespace, _reduced_size, _spread, _unbroadcast


def _zeros_to_ones(y):
    """`y` with ones where it is zero: a divisor for adjoints whose numerator vanishes there too."""
    return _namespace(y).where(y == 0, 1.0, y)


def _reduction_axes(axis, ndim):
    """The axes a reduction over `axis` combines, as a tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim for a in axes)


def _product_of_others(x, axis):
    """For each element of `x`, the product of the other elements its reduction over `axis`
    multiplies: the products before it times those after it, exact where `x` has zeros.
    """
    xp = _namespace(x)
    axes = _reduction_axes(axis, x.ndim)
    last = tuple(range(x.ndim - len(axes), x.ndim))
    moved = xp.moveaxis(x, axes, last)
    rows = moved.reshape(moved.shape[: x.ndim - len(axes)] + (-1,))
    ones = xp.ones_like(rows[..., :1])
    before = xp.cumprod(xp.concatenate([ones, rows[..., :-1]], axis=-1), axis=-1)
    after = xp.cumprod(xp.concatenate([ones, rows[..., :0:-1]], axis=-1), axis=-1)[
        ..., ::-1
    ]
    return xp.moveaxis((before * after).reshape(moved.shape), last, axes)


def _reverse_cumsum(g, axis):
    """Sums of `g` from each position to the end along `axis`: the adjoint of a cumulative sum."""
    xp = _namespace(g)
    return xp.flip(xp.cumsum(xp.flip(g, axis=axis), axis=axis), axis=axis)


def _cumprod_adjoint(g, x, y, axis):
    """Adjoint of `x` in `y = cumprod(x, axis)`, exact where `x` has zeros.

    Before the first zero of a row, the later outputs' adjoints times the
    outputs, divided by the element; at the first zero, the same with that
    zero counted as one; after it, nothing: every product there holds it.
    """
    xp = _namespace(x)
    zero = x == 0
    zeros_so_far = xp.cumsum(zero, axis=axis)
    before = zeros_so_far == 0
    dx = xp.where(before, _reverse_cumsum(g * y, axis) / xp.where(before, x, 1.0), 0.0)
    first = zero & (zeros_so_far == 1)
    if first.any():
        skipped = xp.cumprod(xp.where(first, 1.0, x), axis=axis)
        dx = xp.where(first, _reverse_cumsum(g * skipped, axis), dx)
    return dx


def _cumprod_tangent(t, x, y, axis):
    """Tangent of `y = cumprod(x, axis)` along `t`, exact where `x` has zeros (the transpose
    of `_cumprod_adjoint`).

    Before the first zero of a row, the outputs times the running sums of `t / x`; from the
    first zero until the second, the tangent of that zero times the products of the others;
    after the second, nothing: every product there holds two zeros.
    """
    xp = _namespace(x)
    zero = x == 0
    zeros_so_far = xp.cumsum(zero, axis=axis)
    before = zeros_so_far == 0
    ty = xp.where(before, y * xp.cumsum(t / xp.where(before, x, 1.0), axis=axis), 0.0)
    first = zero & (zeros_so_far == 1)
    if first.any():
        at_first = xp.sum(xp.where(first, t, 0.0), axis=axis, keepdims=True)
        skipped = xp.cumprod(xp.where(first, 1.0, x), axis=axis)
        ty = xp.where(zeros_so_far == 1, at_first * skipped, ty)
    return ty


def _row_axes(x, axis):
    """The axes `axis` names (an int, a tuple read as one axis in its order, or None for all),
    and the leading positions the recurrence helpers move them to."""
    axes = _reduction_axes(axis, x.ndim)
    return axes, tuple(range(len(axes)))


def _forward_recurrence(h, x, axis):
    """`u` with `u_0 = h_0` and `u_i = h_i + x_i u_(i-1)` along `axis` (several axes read as one,
    in C order): `u_i = Σ_(j≤i) h_j x_(j+1) ⋯ x_i`. Sums of products only, so exact where `x`
    has zeros; a loop over the axis (the derivatives of cumprod and prod at every order).
    `h` and `x` have one shape."""
    xp = _namespace(h, x)
    axes, leading = _row_axes(x, axis)
    moved_h, moved_x = xp.moveaxis(h, axes, leading), xp.moveaxis(x, axes, leading)
    rows_h = moved_h.reshape((-1,) + moved_h.shape[len(axes) :])
    rows_x = moved_x.reshape((-1,) + moved_x.shape[len(axes) :])
    u = xp.empty(rows_h.shape, dtype=(rows_h[:1] * rows_x[:1]).dtype)
    if u.shape[0]:
        u[0] = rows_h[0]
    for i in range(1, u.shape[0]):
        u[i] = rows_h[i] + rows_x[i] * u[i - 1]
    return xp.moveaxis(u.reshape(moved_h.shape), leading, axes)


def _reverse_recurrence(g, x, axis):
    """`s` with `s_last = g_last` and `s_j = g_j + x_(j+1) s_(j+1)` along `axis` (several axes
    read as one, in C order): `s_j = Σ_(i≥j) g_i x_(j+1) ⋯ x_i`, the transpose of
    `_forward_recurrence` in its first argument. Exact where `x` has zeros."""
    xp = _namespace(g, x)
    axes, leading = _row_axes(x, axis)
    moved_g, moved_x = xp.moveaxis(g, axes, leading), xp.moveaxis(x, axes, leading)
    rows_g = moved_g.reshape((-1,) + moved_g.shape[len(axes) :])
    rows_x = moved_x.reshape((-1,) + moved_x.shape[len(axes) :])
    s = xp.empty(rows_g.shape, dtype=(rows_g[:1] * rows_x[:1]).dtype)
    n = s.shape[0]
    if n:
        s[n - 1] = rows_g[n - 1]
    for j in range(n - 2, -1, -1):
        s[j] = rows_g[j] + rows_x[j + 1] * s[j + 1]
    return xp.moveaxis(s.reshape(moved_g.shape), leading, axes)


def _shifted(u, axis, step):
    """`u` moved `step` places along `axis` (several axes read as one, in C order), zeros
    filling the places left: `y_i = u_(i-step)`."""
    xp = _namespace(u)
    axes, leading = _row_axes(u, axis)
    moved = xp.moveaxis(u, axes, leading)
    rows = moved.reshape((-1,) + moved.shape[len(axes) :])
    y = xp.zeros_like(rows)
    n = rows.shape[0]
    if step >= 0:
        y[step:] = rows[: max(n - step, 0)]
    else:
        y[: max(n + step, 0)] = rows[-step:]
    return xp.moveaxis(y.reshape(moved.shape), leading, axes)


def _row_end(x, axis, last):
    """Ones at the first element (the last, where `last`) of each row of `x` along `axis`
    (several axes read as one, in C order), zeros elsewhere, in x's dtype."""
    xp = _namespace(x)
    axes, leading = _row_axes(x, axis)
    moved = xp.moveaxis(x, axes, leading)
    rows = xp.zeros_like(moved.reshape((-1,) + moved.shape[len(axes) :]))
    if rows.shape[0]:
        rows[-1 if last else 0] = 1.0
    return xp.moveaxis(rows.reshape(moved.shape), leading, axes)


def _count_numbers(x, axis):
    """How many non-nan elements each result of a nan-reduction of `x` over `axis` combines
    (at least one, so dividing by it is safe where a whole row is nan)."""
    xp = _namespace(x)
    return xp.maximum(xp.sum(~xp.isnan(x), axis=axis, keepdims=True, dtype=x.dtype), 1)


def _average_weights(weights, a, axis):
    """The `weights` of `np.average(a, axis, weights)`, shaped as NumPy does to broadcast against `a`."""
    weights = _namespace(a).asarray(weights)
    if weights.shape == a.shape:
        return weights
    axes = _reduction_axes(axis, a.ndim)
    shape = [n if i in axes else 1 for i, n in enumerate(a.shape)]
    order = sorted(range(len(axes)), key=axes.__getitem__)
    return weights.transpose(order).reshape(shape)


def _average_order(weights, a, axis):
    """The order of the weights' axes that, with `_average_shape`, shapes `weights` as
    `np.average(a, axis, weights)` does against `a`: `transpose(weights, order).reshape(shape)`.
    """
    shape = _namespace(a).asarray(weights).shape
    if shape == a.shape:
        return tuple(range(len(shape)))
    axes = _reduction_axes(axis, a.ndim)
    return tuple(sorted(range(len(axes)), key=axes.__getitem__))


def _average_shape(weights, a, axis):
    """The shape `np.average(a, axis, weights)` gives `weights` to broadcast them against `a`."""
    if _namespace(a).asarray(weights).shape == a.shape:
        return a.shape
    axes = _reduction_axes(axis, a.ndim)
    return tuple(n if i in axes else 1 for i, n in enumerate(a.shape))


def _average_unshaped(g, weights, a, axis):
    """The transpose of `_average_weights`: `g`, shaped as `_average_weights` shapes `weights`
    against `a`, back in the weights' own shape (new memory)."""
    shape = _namespace(a).asarray(weights).shape
    if g.shape == shape:
        return g.copy()
    order = _average_order(weights, a, axis)
    inverse = sorted(range(len(order)), key=order.__getitem__)
    return g.reshape([shape[i] for i in order]).transpose(inverse).copy()


def _average_adjoint(g, a, weights, axis):
    """Adjoint of `a` in `np.average(a, axis, weights)`: `g` times each weight over their sum."""
    if weights is None:
        return _spread(g / _reduced_size(a, axis), a, axis)
    w = _average_weights(weights, a, axis)
    return _expand_reduced(g, a, axis) * (w / w.sum(axis=axis, keepdims=True))


def _average_weights_adjoint(g, a, y, weights, axis):
    """Adjoint of `weights` in `y = np.average(a, axis, weights)`: `g` times `(a - y)` over the
    weights' sum, summed back to the weights' shape."""
    w = _average_weights(weights, a, axis)
    total = w.sum(axis=axis, keepdims=True)
    dw = _unbroadcast(
        _expand_reduced(g, a, axis) * (a - _expand_reduced(y, a, axis)) / total, w
    )
    shape = _namespace(a).asarray(weights).shape
    if dw.shape == shape:
        return dw
    axes = _reduction_axes(axis, a.ndim)
    order = sorted(range(len(axes)), key=axes.__getitem__)
    inverse = sorted(range(len(order)), key=order.__getitem__)
    return dw.reshape([shape[i] for i in order]).transpose(inverse)


def _diff_adjoint(g, n, axis):
    """Adjoint of `np.diff(a, n, axis)`: each difference's adjoint, minus at its start and plus at
    its end, `n` times (the negated difference of `g` padded with a zero at both ends).
    """
    xp = _namespace(g)
    if n == 0:
        return g.copy()
    for _ in range(n):
        shape = list(g.shape)
        shape[axis] = 1
        zeros = xp.zeros(shape, dtype=g.dtype)
        g = -xp.diff(xp.concatenate([zeros, g, zeros], axis=axis), axis=axis)
    return g


def _diff_unpadded(g, a, axis, prepend, append):
    """The part of `g`, the adjoint of `a` with `prepend` and `append` joined to it along `axis`
    as `np.diff` joins them, that belongs to `a`."""
    start = 0
    if prepend is not None:
        shape = getattr(prepend, "shape", None)  # an array's, on whatever device
        if shape is None:
            shape = numpy.shape(prepend)  # a number or a list
        start = 1 if len(shape) == 0 else shape[axis]
    index = [slice(None)] * g.ndim
    index[axis] = slice(start, start + a.shape[axis])
    return g[tuple(index)]


def _diff_padded(t, axis, prepend, append):
    """The tangent `t` of `a` joined along `axis` with zeros where `np.diff(a, n, axis, prepend,
    append)` joins those constants to `a` (a number as one slice)."""
    xp = _namespace(t)
    parts = [t]
    for position, value in ((0, prepend), (1, append)):
        if value is None:
            continue
        shape = getattr(value, "shape", None)  # an array's, on whatever device
        if shape is None:
            shape = numpy.shape(value)  # a number or a list
        if len(shape) == 0:
            shape = list(t.shape)
            shape[axis] = 1
        parts.insert(position * len(parts), xp.zeros(tuple(shape), dtype=t.dtype))
    return xp.concatenate(parts, axis=axis)


def _trace_adjoint(g, x, offset, axis1, axis2):
    """Adjoint of `np.trace(x, offset, axis1, axis2)`: `g` on the summed diagonal, zeros elsewhere."""
    xp = _namespace(x)
    first, second = axis1 % x.ndim, axis2 % x.ndim
    eye = xp.eye(x.shape[first], x.shape[second], k=offset, dtype=x.dtype)
    if first > second:
        eye = eye.T
    on_diagonal = [n if i in (first, second) else 1 for i, n in enumerate(x.shape)]
    along_rest = [1 if i in (first, second) else n for i, n in enumerate(x.shape)]
    return eye.reshape(on_diagonal) * xp.asarray(g).reshape(along_rest)


def _vector_norm_adjoint(g, x, y, ord, axis):
    """Adjoint of the vector norm of order `ord` (inf, -inf or a nonzero number) of `x` over `axis`.

    Ties of the largest (smallest) magnitude share the adjoint equally; where
    the norm has no derivative (an element at 0 for `ord < 1`, all elements
    at 0), the adjoint of those elements is 0.
    """
    xp = _namespace(x)
    g = _expand_reduced(g, x, axis)
    size = xp.abs(x)
    if ord in (numpy.inf, -numpy.inf):
        best = (
            size.max(axis=axis, keepdims=True)
            if ord > 0
            else size.min(axis=axis, keepdims=True)
        )
        attains = size == best
        return (
            xp.sign(x)
            * attains
            * (g / attains.sum(axis=axis, keepdims=True, dtype=x.dtype))
        )
    y = _expand_reduced(y, x, axis)
    differentiable = (x != 0) & (y != 0)
    ratio = xp.where(differentiable, size / _zeros_to_ones(y), 1.0)
    return xp.where(differentiable, g * xp.sign(x) * ratio ** (ord - 1), 0.0)


def _vector_norm_tangent(t, x, y, ord, axis, keepdims):
    """Tangent along `t` of the vector norm `y` of order `ord` (inf, -inf or a nonzero number)
    of `x` over `axis`: the transpose of `_vector_norm_adjoint`, its conventions included (ties
    of the extreme magnitude averaged; 0 where the norm has no derivative)."""
    xp = _namespace(t, x)
    size = xp.abs(x)
    if ord in (numpy.inf, -numpy.inf):
        best = (
            size.max(axis=axis, keepdims=True)
            if ord > 0
            else size.min(axis=axis, keepdims=True)
        )
        attains = size == best
        total = (t * xp.sign(x) * attains).sum(axis=axis, keepdims=keepdims)
        return total / attains.sum(axis=axis, keepdims=keepdims, dtype=x.dtype)
    y = _expand_reduced(y, x, axis)
    differentiable = (x != 0) & (y != 0)
    ratio = xp.where(differentiable, size / _zeros_to_ones(y), 1.0)
    slopes = xp.where(differentiable, xp.sign(x) * ratio ** (ord - 1), 0.0)
    return (t * slopes).sum(axis=axis, keepdims=keepdims)


def _norm_shares(s, ord):
    """Each singular value's share in the gradient of the largest one (`ord` 2) or of the
    smallest (`ord` -2), in s's dtype: the values that attain it share it equally."""
    best = s.max(axis=-1, keepdims=True) if ord > 0 else s.min(axis=-1, keepdims=True)
    attains = s == best
    return attains / attains.sum(axis=-1, keepdims=True, dtype=s.dtype)


def _matrix_norm_tangent(t, x, ord, axis, keepdims):
    """Tangent along `t` of the matrix norm of order `ord` ('nuc', 2, -2, 1, -1, inf, -inf) of
    `x` over the two axes `axis`: the transpose of `_matrix_norm_adjoint` (ties averaged).
    """
    xp = _namespace(t, x)
    rows, cols = _reduction_axes(axis, x.ndim)
    m = xp.moveaxis(x, (rows, cols), (-2, -1))
    tm = xp.moveaxis(t, (rows, cols), (-2, -1))
    if ord == "nuc":
        u, _, vh = xp.linalg.svd(m, full_matrices=False)
        result = (tm * (u @ vh)).sum(axis=(-2, -1))
    elif ord in (2, -2):
        u, s, vh = xp.linalg.svd(m, full_matrices=False)
        best = (
            s.max(axis=-1, keepdims=True) if ord > 0 else s.min(axis=-1, keepdims=True)
        )
        attains = s == best
        along = (u * (tm @ xp.swapaxes(vh, -1, -2))).sum(axis=-2)  # uₖᵀ t vₖ for each k
        result = (along * attains).sum(axis=-1) / attains.sum(axis=-1, dtype=s.dtype)
    else:
        summed, compared = (-2, -1) if ord in (1, -1) else (-1, -2)
        sums = xp.abs(m).sum(axis=summed, keepdims=True)
        if ord > 0:
            best = sums.max(axis=compared, keepdims=True)
        else:
            best = sums.min(axis=compared, keepdims=True)
        attains = sums == best
        lines = (tm * xp.sign(m)).sum(axis=summed, keepdims=True)
        result = (lines * attains).sum(axis=(-2, -1)) / attains.sum(
            axis=(-2, -1), dtype=m.dtype
        )
    if keepdims:
        return xp.expand_dims(result, (min(rows, cols), max(rows, cols)))
    return result


def _norm_tangent(t, x, y, ord, keepdims):
    """Tangent along `t` of `np.linalg.norm(x, ord)` without `axis`: a vector norm of a 1-D `x`,
    a matrix norm of a 2-D one."""
    if x.ndim == 1:
        return _vector_norm_tangent(t, x, y, ord, None, keepdims)
    return _matrix_norm_tangent(t, x, ord, (0, 1), keepdims)


def _matrix_norm_adjoint(g, x, ord, axis):
    """Adjoint of the matrix norm of order `ord` ('nuc', 2, -2, 1, -1, inf, -inf) of `x` over
    the two axes `axis`; ties of the extreme singular value or line sum share the adjoint.
    """
    xp = _namespace(x)
    rows, cols = _reduction_axes(axis, x.ndim)
    g = _expand_reduced(g, x, (rows, cols))
    m = xp.moveaxis(x, (rows, cols), (-2, -1))
    if ord == "nuc":
        u, _, vh = xp.linalg.svd(m, full_matrices=False)
        dm = u @ vh
    elif ord in (2, -2):
        u, s, vh = xp.linalg.svd(m, full_matrices=False)
        dm = (u * _norm_shares(s, ord)[..., None, :]) @ vh
    else:
        summed, compared = (-2, -1) if ord in (1, -1) else (-1, -2)
        sums = xp.abs(m).sum(axis=summed, keepdims=True)
        if ord > 0:
            best = sums.max(axis=compared, keepdims=True)
        else:
            best = sums.min(axis=compared, keepdims=True)
        attains = sums == best
        dm = xp.sign(m) * (
            attains / attains.sum(axis=compared, keepdims=True, dtype=m.dtype)
        )
    return xp.moveaxis(dm, (-2, -1), (rows, cols)) * g


def _norm_adjoint(g, x, y, ord):
    """Adjoint of `np.linalg.norm(x, ord)` without `axis`: a vector norm of a 1-D `x`, a matrix
    norm of a 2-D one."""
    if x.ndim == 1:
        return _vector_norm_adjoint(g, x, y, ord, None)
    return _matrix_norm_adjoint(g, x, ord, (0, 1))
