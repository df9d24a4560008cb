"""Runtime helpers of the shape and indexing rules (templates/shape.py, templates/indexing.py).

Each returns new memory, never a view of the adjoint it is given, so the
adjoint pass may add into its result in place.
"""

import numpy

from .core import _namespace, _shape_of, _unbroadcast


def _negated(shift):
    """`-shift` for a number or a tuple of numbers: the roll that undoes `roll(x, shift)`."""
    if isinstance(shift, (tuple, list)):
        return tuple(-s for s in shift)
    return -shift


def _untile(g, a, reps):
    """Adjoint of `tile(a, reps)`: the copies of `a` in `g` summed."""
    reps = tuple(reps) if isinstance(reps, (tuple, list)) else (reps,)
    shape = tuple(_shape_of(a))
    ndim = max(len(shape), len(reps))
    tiles = (1,) * (ndim - len(reps)) + reps
    sizes = (1,) * (ndim - len(shape)) + shape
    split = [n for pair in zip(tiles, sizes) for n in pair]
    return g.reshape(split).sum(axis=tuple(range(0, 2 * ndim, 2))).reshape(shape)


def _unrepeat(g, a, repeats, axis):
    """Adjoint of `repeat(a, repeats, axis)`: the copies of each element in `g` summed."""
    xp = _namespace(g)
    shape = tuple(_shape_of(a))
    if axis is None:
        g, axis, kept = g.reshape(-1), 0, (_elements(shape),)
    else:
        axis = axis % len(shape)
        kept = shape
    n = kept[axis]
    if not isinstance(repeats, (tuple, list)) and getattr(repeats, "ndim", 0) == 0:
        split = (
            g.shape[:axis] + (n, g.shape[axis] // n if n else 0) + g.shape[axis + 1 :]
        )
        return g.reshape(split).sum(axis=axis + 1).reshape(shape)
    owners = xp.repeat(xp.arange(n), repeats)
    summed = xp.zeros(kept, dtype=g.dtype)
    xp.add.at(xp.moveaxis(summed, axis, 0), owners, xp.moveaxis(g, axis, 0))
    return summed.reshape(shape)


def _elements(shape):
    """How many elements an array of `shape` holds."""
    size = 1
    for n in shape:
        size *= n
    return size


def _pad_widths(a, pad_width):
    """`pad_width`, in any of the forms `pad` takes, as one (before, after) pair per axis."""
    ndim = len(_shape_of(a))
    widths = numpy.broadcast_to(numpy.asarray(pad_width), (ndim, 2))
    return [(int(before), int(after)) for before, after in widths]


def _unpadded(a, pad_width):
    """The index of `a`'s own elements in `pad(a, pad_width)`."""
    shape = _shape_of(a)
    return tuple(
        slice(before, before + n)
        for (before, _), n in zip(_pad_widths(a, pad_width), shape)
    )


def _pad_fill_adjoint(g, a, pad_width, constant_values):
    """Adjoint of `constant_values` in `pad(a, pad_width, constant_values=...)`.

    `pad` fills the axes in order, each over the extent the earlier ones padded, so a
    corner holds the value of the last axis it pads.
    """
    xp = _namespace(g)
    inner = _unpadded(a, pad_width)
    sums = []
    for axis, (before, after) in enumerate(_pad_widths(a, pad_width)):
        head = (slice(None),) * axis
        tail = inner[axis + 1 :]
        end = g.shape[axis]
        sums.append(
            xp.stack(
                [
                    g[head + (slice(0, before),) + tail].sum(),
                    g[head + (slice(end - after, end),) + tail].sum(),
                ]
            )
        )
    if not sums:
        return xp.zeros(_shape_of(constant_values), dtype=g.dtype)
    return _unbroadcast(xp.stack(sums), _shape_of(constant_values))


def _pad_copies_adjoint(g, a, pad_width, mode):
    """Adjoint of `pad(a, pad_width, mode)` for a mode that fills with copies of `a`'s
    elements (edge, reflect, symmetric, wrap): each element's copies in `g` summed."""
    xp = _namespace(g)
    shape = tuple(_shape_of(a))
    size = _elements(shape)
    sources = xp.pad(xp.arange(size).reshape(shape), pad_width, mode=mode)
    summed = xp.bincount(sources.reshape(-1), weights=g.reshape(-1), minlength=size)
    return summed.reshape(shape).astype(g.dtype, copy=False)


def _diag_adjoint(g, v, k):
    """Adjoint of `diag(v, k)`: the k-th diagonal of `g` for a vector `v`, else `g` on it."""
    if len(_shape_of(v)) == 1:
        return g.diagonal(k).copy()
    return _diagonal_adjoint(g, v, k, 0, 1)


def _diagonal_adjoint(g, a, offset, axis1, axis2):
    """Adjoint of `diagonal(a, offset, axis1, axis2)`: zeros with `g` on that diagonal."""
    xp = _namespace(g)
    shape = tuple(_shape_of(a))
    axis1, axis2 = axis1 % len(shape), axis2 % len(shape)
    rest = tuple(n for i, n in enumerate(shape) if i not in (axis1, axis2))
    moved = xp.zeros(rest + (shape[axis1], shape[axis2]), dtype=g.dtype)
    n = g.shape[-1]
    rows = xp.arange(n) + max(-offset, 0)
    columns = xp.arange(n) + max(offset, 0)
    moved[..., rows, columns] = g  # into the array itself: dask's arrays have no views
    return xp.moveaxis(moved, (-2, -1), (axis1, axis2))


def _cast_adjoint(g, x, y):
    """Adjoint of `x.astype(...)`: `g` cast back to `x`'s dtype; none through integers."""
    xp = _namespace(g, x, y)
    g = xp.asarray(g)
    if y.dtype.kind not in "fc" or x.dtype.kind not in "fc":
        return xp.zeros(x.shape, dtype=g.dtype if g.dtype.kind in "fc" else float)
    return g.astype(x.dtype)


def _sort_adjoint(g, a, axis):
    """Adjoint of `sort(a, axis)`: each element of `g` back where its value came from."""
    xp = _namespace(g)
    if axis is None:
        order = xp.argsort(a, axis=None)
        da = xp.zeros(a.size, dtype=g.dtype)
        da[order] = g
        return da.reshape(a.shape)
    order = xp.argsort(a, axis=axis)
    return xp.take_along_axis(g, xp.argsort(order, axis=axis), axis=axis)


def _in_sorted_order(g, a, axis):
    """The elements of `g` in the order `sort(a, axis)` puts `a`'s."""
    xp = _namespace(g)
    if axis is None:
        return g.reshape(-1)[xp.argsort(a, axis=None)]
    return xp.take_along_axis(g, xp.argsort(a, axis=axis), axis=axis)


def _take_index(indices, a, axis):
    """The index of `a` that selects what `take(a, indices, axis)` does."""
    xp = _namespace(a)
    shape = _shape_of(a)
    if axis is None:
        size = _elements(shape)
        return xp.unravel_index(xp.asarray(indices) % size, shape)
    return (slice(None),) * (axis % len(shape)) + (indices,)


def _along_axis_index(indices, a, axis):
    """The index of `a` that selects what `take_along_axis(a, indices, axis)` does."""
    xp = _namespace(a)
    shape = _shape_of(a)
    if axis is None:
        return xp.unravel_index(xp.asarray(indices) % _elements(shape), shape)
    axis = axis % len(shape)
    index = []
    for dim, n in enumerate(shape):
        if dim == axis:
            index.append(indices)
            continue
        fitted = [1] * len(shape)
        fitted[dim] = n
        index.append(xp.arange(n).reshape(fitted))
    return tuple(index)


def _take_adjoint(g, shape, indices, axis):
    """Adjoint of `take(a, indices, axis)`, `shape` the shape of `a`: `g` added into zeros of
    that shape where each element was taken from, repeated indices adding up."""
    xp = _namespace(g)
    g = xp.asarray(g)
    da = xp.zeros(shape, dtype=g.dtype)
    xp.add.at(da, _take_index(indices, da, axis), g)
    return da


def _along_axis_adjoint(g, shape, indices, axis):
    """Adjoint of `take_along_axis(arr, indices, axis)`, `shape` the shape of `arr`: `g` added
    into zeros of that shape where each element was taken from, repeated indices adding up.
    """
    xp = _namespace(g)
    g = xp.asarray(g)
    darr = xp.zeros(shape, dtype=g.dtype)
    xp.add.at(darr, _along_axis_index(indices, darr, axis), g)
    return darr


def _selects_once(index):
    """True for an index of integers, slices, None, `...` and masks: no element twice."""
    for part in index if type(index) is tuple else (index,):
        if part is None or part is Ellipsis or isinstance(part, (int, slice)):
            continue
        dtype = getattr(part, "dtype", None)
        if dtype is not None and (
            dtype.kind == "b" or part.ndim == 0 and dtype.kind in "iu"
        ):
            continue
        return False
    return True


def _write_labels(g, index, value):
    """For each element of `g`'s shape, which element of `value` (numbered in C order)
    `y[index] = value` left there, -1 where it wrote nothing.

    The numbers are written by the same assignment, from an array laid out like `value`,
    so where the index repeats an element, the write NumPy keeps is the one it numbers.
    """
    xp = _namespace(g)
    shape = tuple(_shape_of(value))
    if hasattr(value, "shape"):
        numbers = xp.empty_like(value, dtype=xp.int64)
    else:
        numbers = xp.empty((), dtype=xp.int64)
    numbers[...] = xp.arange(_elements(shape)).reshape(shape)
    labels = xp.full(g.shape, -1, dtype=xp.int64)
    labels[index] = numbers
    if xp is not numpy:
        _check_one_write_kept(labels, index, numbers)
    return labels


def _check_one_write_kept(labels, index, numbers):
    """Refuse an index that writes different elements of the value into one element:
    NumPy keeps the last write, other array libraries (CuPy) any of them."""
    xp = _namespace(labels)
    while numbers.ndim and numbers.shape[0] == 1:
        numbers = numbers[0]
    lowest, highest = labels.copy(), labels.copy()
    xp.minimum.at(lowest, index, numbers)
    xp.maximum.at(highest, index, numbers)
    if bool((lowest != highest).any()):
        raise ValueError(
            "this assignment writes different values into the same element, and "
            f"{xp.__name__} does not say which one it keeps; use an index without "
            "repeated elements"
        )


def _written(g, index, value):
    """Adjoint of `value` in `y[index] = value`, `g` being the adjoint of `y`.

    Each element of `y` the write reached passes its adjoint to the element of `value`
    that it holds; where the index names an element twice, NumPy keeps one write only.
    """
    shape = tuple(_shape_of(value))
    if not _selects_once(index):
        labels = _write_labels(g, index, value)
        kept = labels >= 0
        if int(kept.sum()) < g[index].size:
            return _kept_writes(g, labels, kept, shape)
    region = g[index]
    lead = len(shape) - region.ndim
    if lead > 0:
        region = region.reshape((1,) * lead + region.shape)
    part = _unbroadcast(region, shape)
    return part.copy() if part is region or part is g else part


def _kept_writes(g, labels, kept, shape):
    """The adjoints of the writes an index with repeated elements kept, summed per element
    of the value written."""
    xp = _namespace(g)
    sums = xp.bincount(labels[kept], weights=g[kept], minlength=_elements(shape))
    return sums.reshape(shape).astype(g.dtype, copy=False)


def _written_transpose(g, y, index, value):
    """Adjoint of `_written(y, index, value)` with respect to `y`: `g`, of `value`'s shape,
    spread back over the elements of `y` that the write reached."""
    xp = _namespace(g, y)
    labels = _write_labels(y, index, value)
    flat = xp.reshape(xp.asarray(g), (-1,))
    return xp.where(labels >= 0, flat[labels], 0).astype(flat.dtype, copy=False)
