"""Runtime helpers that generated modules call.

Each helper's source is copied into every generated module that calls it, so
a saved module runs without s2sad. Helpers may call `numpy`, which generated
modules import, and each other; array work goes through the arrays' own
methods or `_namespace`, so CuPy arrays stay on the GPU.
"""

import numpy


def _namespace(*values):
    """The array module of the arguments: CuPy's, dask.array (whose arrays name no
    namespace) or another if any array has it, else NumPy."""
    for value in values:
        if type(value) is numpy.ndarray:
            continue
        if type(value) in (dict, list, tuple):
            items = value.values() if type(value) is dict else value
            namespace = _namespace(*items)
            if namespace is not numpy:
                return namespace
            continue
        if type(value).__module__.startswith("dask."):
            import dask.array

            return dask.array
        get_namespace = getattr(value, "__array_namespace__", None)
        if get_namespace is None:
            continue
        if type(value).__module__.startswith("cupy"):
            import cupy

            return cupy
        namespace = get_namespace()
        if namespace is not numpy:
            return namespace
    return numpy


def _check_differentiable(**arguments):
    """Refuse integer, boolean and non-array arguments, which have no gradient, and complex
    ones, whose gradient s2sad does not compute."""
    for name, value in arguments.items():
        if type(value) is dict:
            _check_differentiable(**{f"{name}[{key!r}]": v for key, v in value.items()})
            continue
        dtype = getattr(value, "dtype", None)
        held = dtype if dtype is not None else type(value).__name__
        if getattr(dtype, "kind", None) == "c" or isinstance(value, complex):
            raise TypeError(
                f"cannot differentiate with respect to {name}, which holds {held} values: "
                "s2sad differentiates real floating-point values only; pass the real and "
                f"imaginary parts as two real arguments ({name}.real, {name}.imag) and write "
                "the function with real arithmetic on them"
            )
        if getattr(dtype, "kind", None) == "f" or isinstance(value, float):
            continue
        if type(value) is list or type(value) is tuple:
            raise TypeError(
                f"cannot differentiate with respect to {name}, a {held} the function reads "
                "whole: s2sad follows a list or tuple argument only where the function "
                f"indexes, unpacks or iterates it; pass an array (np.stack({name})) instead"
            )
        raise TypeError(
            f"cannot differentiate with respect to {name}, which holds {held} values; "
            "pass floating-point values (for example x.astype(float))"
        )


def _check_differentiable_items(**arguments):
    """Like `_check_differentiable`, for arguments the function only indexes: each may also be
    a list or tuple of arrays (one level deep), whose gradient is a list or tuple of arrays.
    """
    for name, value in arguments.items():
        if type(value) is list or type(value) is tuple:
            for position, item in enumerate(value):
                if type(item) in (list, tuple, dict):
                    raise TypeError(
                        f"cannot differentiate with respect to {name}[{position}], a "
                        f"{type(item).__name__} inside a {type(value).__name__}; pass a list "
                        "or tuple of arrays"
                    )
                _check_differentiable(**{f"{name}[{position}]": item})
        else:
            _check_differentiable(**{name: value})


def _zeros_like(x):
    """Zeros shaped like `x`: an array for an array, a list of arrays for a list or tuple."""
    if type(x) is list or type(x) is tuple:
        if set(map(type, x)) <= {float}:
            return [0.0] * len(x)  # a list of Python numbers, at list speed
        return [_zeros_like(item) for item in x]
    if type(x) is float:
        return 0.0
    return _namespace(x).zeros_like(x)


def _refuse_in_place(value, update, views):
    """Refuse where NumPy's `update` (`s += ...`) would change an array (or a list) in place
    whose memory one of `views` (how the user wrote it: its value) still reads: s2sad writes
    the update into new memory. Numbers, and arrays no view shares, pass."""
    if not hasattr(type(value), "__iadd__"):
        return
    for view, seen in views.items():
        if _shares_memory(value, seen):
            raise TypeError(
                f"`{update}` updates an array in place here, which NumPy would show through "
                f"`{view}` too, but s2sad writes the update into new memory; compute `{view}` "
                "after the update, or from a copy (`.copy()`)"
            )


def _shares_memory(value, other):
    """Whether `value` (an array or a list) may share memory with `other`: the same object, an
    overlapping array, or a list, tuple or dict holding one."""
    if other is value:
        return True
    if type(other) is list or type(other) is tuple:
        return any(_shares_memory(value, item) for item in other)
    if type(other) is dict:
        return any(_shares_memory(value, item) for item in other.values())
    if hasattr(value, "shape") and hasattr(other, "shape"):
        return bool(_namespace(value).may_share_memory(value, other))
    return False


def _zero_gradient(x, name):
    """The gradient of an argument the output does not depend on: zeros in the structure and
    dtypes of `x` (an array, a number, or a dict, list or tuple of them)."""
    if type(x) is dict:
        return {
            key: _zero_gradient(value, f"{name}[{key!r}]") for key, value in x.items()
        }
    if type(x) is list or type(x) is tuple:
        return type(x)(_zero_gradient(item, f"{name}[{i}]") for i, item in enumerate(x))
    _check_differentiable(**{name: x})
    if type(x) is float:
        return 0.0
    if isinstance(x, numpy.generic):
        return x.dtype.type(0)
    return _namespace(x).zeros_like(x)


def _add_at(g, index, value):
    """`g[index] += value`, with repeated indices adding up, for an array or a list `g`."""
    if type(g) is list:
        g[index] = g[index] + value
    else:
        _namespace(g).add.at(g, index, value)


def _as_argument(g, x):
    """The gradient `g` as the argument `x` is: a tuple for a tuple, a float for a float, and
    x's dtype (NumPy computes a float32 argument met with float64 values in float64)."""
    if type(g) is type(x) and getattr(g, "dtype", None) == getattr(x, "dtype", None):
        return g
    if type(x) is list or type(x) is tuple:
        return type(x)(_as_argument(item, x_item) for item, x_item in zip(g, x))
    if type(x) is float:
        return float(g)
    if isinstance(x, numpy.generic):  # a host number, whatever device `g` is on
        return x.dtype.type(g.item() if hasattr(g, "item") else g)
    if hasattr(g, "astype"):
        return g.astype(x.dtype, copy=False)
    return _namespace(x).asarray(g, dtype=x.dtype)


def _check_cotangent(value, cotangent, name):
    """Refuse a cotangent whose shape is not the output's."""
    expected, given = getattr(value, "shape", ()), getattr(cotangent, "shape", ())
    if any(type(n) is float for n in expected):  # nan: dask knows it once it computes
        raise ValueError(
            f"the shape of {name} is {tuple(expected)}: its size depends on the values "
            "(a mask, or another selection by the data), which dask knows only once it "
            "computes them, so no cotangent can be checked against it; keep the shape "
            "(np.where(mask, x, 0.0) for x[mask]) or compute the arguments first"
        )
    if tuple(given) != tuple(expected):
        raise ValueError(
            f"the cotangent of {name} must have the output's shape {tuple(expected)}, "
            f"got shape {tuple(given)}"
        )


def _shape_of(value):
    """The shape of an array, `()` for a number, `(n, *row)` for a list of n equal-shape arrays:
    what a loop saves where only a shape is read."""
    if type(value) is float or type(value) is numpy.float64:
        return ()
    if type(value) is list or type(value) is tuple:
        return (len(value), *_shape_of(value[0])) if value else (0,)
    return getattr(value, "shape", ())


def _unbroadcast(g, x):
    """Sum the adjoint `g` of a broadcast result down to the shape of `x` (or to `x`, a shape)."""
    if type(g) is float or type(g) is numpy.float64:
        return g  # a 0-d result: every operand was 0-d too
    shape = x if type(x) is tuple else getattr(x, "shape", ())
    g_shape = getattr(g, "shape", ())
    if g_shape == shape:
        return g
    lead = len(g_shape) - len(shape)
    if lead:
        g = g.sum(axis=tuple(range(lead)))
        if g.shape == shape:
            return g
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g


def _gradient_tree(tree, leaves):
    """A container like `tree` (a dict, list, tuple, NamedTuple or dataclass, at any depth)
    holding the gradients `leaves`, by key path (keys, positions, field names), and zeros
    for every leaf the output does not read."""
    kind = type(tree)
    if (
        kind is dict
        or hasattr(tree, "__dataclass_fields__")
        and not isinstance(tree, type)
    ):
        keys = list(tree) if kind is dict else list(tree.__dataclass_fields__)
        parts = {
            key: _gradient_tree(
                tree[key] if kind is dict else getattr(tree, key),
                {p[1:]: g for p, g in leaves.items() if p[0] == key},
            )
            for key in keys
        }
        return parts if kind is dict else kind(**parts)
    if kind is list or isinstance(tree, tuple):
        parts = [
            _gradient_tree(
                item, {p[1:]: g for p, g in leaves.items() if p[0] == position}
            )
            for position, item in enumerate(tree)
        ]
        return (
            parts
            if kind is list
            else kind(*parts) if hasattr(kind, "_fields") else kind(parts)
        )
    if () in leaves:
        return _as_argument(leaves[()], tree)
    if isinstance(tree, numpy.generic):
        return tree.dtype.type(0)
    return _namespace(tree).zeros_like(tree) if hasattr(tree, "shape") else 0.0


def _check_differentiable_tree(**arguments):
    """Like `_check_differentiable`, through containers of any depth: every leaf of a dict,
    list, tuple, NamedTuple or dataclass argument must hold floating-point values."""
    for name, value in arguments.items():
        kind = type(value)
        if kind is dict:
            _check_differentiable_tree(
                **{f"{name}[{k!r}]": v for k, v in value.items()}
            )
        elif hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
            _check_differentiable_tree(
                **{f"{name}.{f}": getattr(value, f) for f in value.__dataclass_fields__}
            )
        elif hasattr(kind, "_fields") and isinstance(value, tuple):
            _check_differentiable_tree(
                **{f"{name}.{f}": v for f, v in zip(kind._fields, value)}
            )
        elif kind is list or kind is tuple:
            _check_differentiable_tree(
                **{f"{name}[{i}]": v for i, v in enumerate(value)}
            )
        else:
            _check_differentiable(**{name: value})


def _updated(array, index, value):
    """A copy of `array` with `array[index] = value`: generated code never writes in place."""
    array = array.copy()
    array[index] = value
    return array


def _without(g, index):
    """A copy of the adjoint `g` with the region `index` zeroed: that region was overwritten."""
    g = g.copy()
    g[index] = 0
    return g


def _reduced_shape(x, axis):
    """The shape of `x` reduced over `axis` with the reduced dimensions kept as 1."""
    shape = list(_shape_of(x))
    axes = (
        range(len(shape))
        if axis is None
        else axis if isinstance(axis, tuple) else (axis,)
    )
    for a in axes:
        shape[a] = 1
    return tuple(shape)


def _expand_reduced(g, x, axis):
    """Reshape the adjoint `g` of a reduction of `x` over `axis` to broadcast against `x`."""
    if getattr(g, "ndim", 0) == 0:
        return g
    return g.reshape(_reduced_shape(x, axis))


def _spread(g, x, axis):
    """Adjoint of a sum of `x` over `axis`: `g` copied along the reduced axes."""
    dx = _namespace(x).empty_like(x)
    dx[...] = _expand_reduced(g, x, axis)
    return dx


def _reduced_size(x, axis):
    """How many elements of `x` each result of a reduction over `axis` combines."""
    kept = 1
    for n in _reduced_shape(x, axis):
        kept *= n
    return x.size // kept


def _extremum_adjoint(dy, x, y, axis, keepdims):
    """Adjoint of max/min of `x` over `axis`: shared equally by the elements that attain it."""
    if axis is not None and not keepdims:
        y = _expand_reduced(y, x, axis)
        dy = _expand_reduced(dy, x, axis)
    attains = x == y
    return attains * (dy / attains.sum(axis=axis, keepdims=True, dtype=x.dtype))


def _extremum_gather(g, x, y, axis, keepdims):
    """Transpose of `_extremum_adjoint` in its adjoint: each extremum of `x` over `axis` (`y`)
    gathers the shares of `g` its attaining elements hold."""
    if axis is not None and not keepdims:
        y = _expand_reduced(y, x, axis)
    attains = x == y
    shares = attains * g / attains.sum(axis=axis, keepdims=True, dtype=x.dtype)
    return shares.sum(axis=axis, keepdims=keepdims)


def _matmul_dlhs(g, a, b):
    """Adjoint of `a` in `a @ b`, for every combination of ranks."""
    if a.ndim == 2 and b.ndim == 2:
        return g @ b.T
    if b.ndim == 1:
        if a.ndim == 1:
            return g * b
        return _unbroadcast(g[..., None] * b, a)
    if a.ndim == 1:
        return _unbroadcast((b @ g[..., None])[..., 0], a)
    return _unbroadcast(g @ b.swapaxes(-1, -2), a)


def _matmul_drhs(g, a, b):
    """Adjoint of `b` in `a @ b`, for every combination of ranks."""
    if a.ndim == 2 and b.ndim == 2:
        return a.T @ g
    if a.ndim == 1:
        if b.ndim == 1:
            return g * a
        return _unbroadcast(a[:, None] * g[..., None, :], b)
    if b.ndim == 1:
        return _unbroadcast((a.swapaxes(-1, -2) @ g[..., None])[..., 0], b)
    return _unbroadcast(a.swapaxes(-1, -2) @ g, b)


def _dot_dlhs(g, a, b):
    """Adjoint of `a` in `numpy.dot(a, b)`: scalars, vectors, matrices and N-d arrays."""
    if getattr(a, "ndim", 0) == 0 or getattr(b, "ndim", 0) == 0:
        return _unbroadcast(g * b, a)
    if b.ndim == 1 or (a.ndim <= 2 and b.ndim <= 2):
        return _matmul_dlhs(g, a, b)
    xp = _namespace(g, a, b)
    summed = list(range(a.ndim - 1, g.ndim))
    return xp.tensordot(g, b, axes=(summed, list(range(b.ndim - 2)) + [b.ndim - 1]))


def _dot_drhs(g, a, b):
    """Adjoint of `b` in `numpy.dot(a, b)`: scalars, vectors, matrices and N-d arrays."""
    if getattr(a, "ndim", 0) == 0 or getattr(b, "ndim", 0) == 0:
        return _unbroadcast(g * a, b)
    if b.ndim == 1 or (a.ndim <= 2 and b.ndim <= 2):
        return _matmul_drhs(g, a, b)
    xp = _namespace(g, a, b)
    leading = list(range(a.ndim - 1))
    return xp.moveaxis(xp.tensordot(a, g, axes=(leading, leading)), 0, -2)


def _inverse_axes(axes):
    """The permutation that undoes `transpose(x, axes)`; None undoes the default reversal."""
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
        axes = axes[0]
    if axes is None or len(axes) == 0:
        return None
    n = len(axes)
    inverse = [0] * n
    for position, axis in enumerate(axes):
        inverse[axis % n] = position
    return tuple(inverse)


def _check_scalar(value, name):
    """Refuse a non-scalar output: `grad` needs one number to differentiate."""
    if type(value) in (list, tuple, dict):
        raise ValueError(
            f"grad needs a scalar output, but {name} returned a {type(value).__name__}; pass "
            "has_aux=True to return other values beside the loss, or use s2sad.vjp"
        )
    size = getattr(value, "size", 1)
    if size != 1:
        raise ValueError(
            f"grad needs a scalar output, but {name} returned an array of shape "
            f"{tuple(value.shape)}; use s2sad.vjp with a cotangent for other outputs"
        )
