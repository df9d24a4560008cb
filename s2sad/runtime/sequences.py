"""Runtime helpers of the join and split rules (templates/sequences.py)."""

from .core import _namespace


def _joined_part(g, arrays, i, axis, ndmin):
    """The part of `g`, the adjoint of joining `arrays` along `axis`, that came from arrays[i].

    Each array was first raised to `ndmin` dimensions (vstack: 2, hstack: 1, concatenate: 0);
    hstack joins 1-d arrays along axis 0. `axis=None` joined the flattened arrays.
    """
    index, shape = _joined_region(g, arrays, i, axis, ndmin)
    return g[index].reshape(shape)


def _joined_region(g, arrays, i, axis, ndmin):
    """The index of the region of `g` (see `_joined_part`) that came from arrays[i], and the
    shape of arrays[i]."""
    shapes = [tuple(getattr(a, "shape", ())) for a in arrays]
    if axis is None:
        sizes = []
        for shape in shapes:
            size = 1
            for n in shape:
                size *= n
            sizes.append(size)
        start = sum(sizes[:i])
        return (slice(start, start + sizes[i]),), shapes[i]
    raised = [_raised(shape, ndmin) for shape in shapes]
    if ndmin == 1 and len(raised[i]) == 1:
        axis = 0
    axis = axis % len(raised[i])
    start = sum(shape[axis] for shape in raised[:i])
    index = [slice(None)] * g.ndim
    index[axis] = slice(start, start + raised[i][axis])
    return tuple(index), shapes[i]


def _joined_part_spread(part, g, arrays, i, axis, ndmin):
    """Transpose of `_joined_part(g, arrays, i, axis, ndmin)` in `g`: zeros shaped like `g`
    with `part` (shaped like arrays[i]) in the region that arrays[i] joined."""
    xp = _namespace(part, g)
    part = xp.asarray(part)
    index, _ = _joined_region(g, arrays, i, axis, ndmin)
    spread = xp.zeros(g.shape, dtype=part.dtype)
    spread[index] = part.reshape(spread[index].shape)
    return spread


def _joined_parts(g, arrays, axis, ndmin):
    """The adjoint of a join's list input `arrays` (see `_joined_part`): a list of copies of the
    parts of `g`, or their stacked array where `arrays` is one array."""
    parts = [_joined_part(g, arrays, i, axis, ndmin).copy() for i in range(len(arrays))]
    if type(arrays) in (list, tuple):
        return parts
    return _namespace(g).stack(parts)


def _raised(shape, ndmin):
    """`shape` as numpy.atleast_1d (ndmin 1) or atleast_2d (ndmin 2) leaves it."""
    if len(shape) >= ndmin:
        return shape
    if ndmin == 1:
        return (1,)
    return (1,) * (2 - len(shape)) + shape


def _joined_from_parts(grads, x, indices_or_sections, axis, uneven):
    """The adjoint of `x` split into parts, from the adjoints `grads` of some parts, by position:
    each written into its part's region, zeros elsewhere."""
    xp = _namespace(x)
    dx = xp.zeros_like(x)
    split = xp.array_split if uneven else xp.split
    regions = split(dx, indices_or_sections, axis)
    for position, g in grads.items():
        regions[position][...] = g
    return dx
