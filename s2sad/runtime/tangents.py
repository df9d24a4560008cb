"""Helpers of forward mode (`s2sad.jvp`): the checks of the tangents a call passes, and the
shape of a tangent where a broadcast operand's term drops out."""

from .core import _namespace, _shape_of


def _check_tangent(value, tangent, name):
    """Refuse a tangent that is not a real floating-point value of its argument's shape (for
    a dict, list or tuple argument, one of the same keys or length, item by item)."""
    if type(value) is dict:
        if type(tangent) is not dict or tangent.keys() != value.keys():
            raise ValueError(
                f"the tangent of {name} must be a dict with its keys "
                f"{sorted(value, key=str)}"
            )
        for key, item in value.items():
            _check_tangent(item, tangent[key], f"{name}[{key!r}]")
        return
    if type(value) is list or type(value) is tuple:
        if type(tangent) not in (list, tuple) or len(tangent) != len(value):
            raise ValueError(
                f"the tangent of {name} must be a list or tuple of {len(value)} arrays, one "
                f"for each of its items, got {type(tangent).__name__}"
            )
        for position, (item, part) in enumerate(zip(value, tangent)):
            _check_tangent(item, part, f"{name}[{position}]")
        return
    dtype = getattr(tangent, "dtype", None)
    if getattr(dtype, "kind", None) == "c" or isinstance(tangent, complex):
        raise TypeError(
            f"the tangent of {name} holds complex values: s2sad differentiates "
            "real floating-point values only"
        )
    if getattr(dtype, "kind", "f") not in "fiu" or isinstance(tangent, (str, bytes)):
        raise TypeError(f"the tangent of {name} must hold real numbers, got {dtype}")
    expected, given = tuple(_shape_of(value)), tuple(_shape_of(tangent))
    if given != expected:
        raise ValueError(
            f"the tangent of {name} must have its shape {expected}, "
            f"got shape {given}"
        )


def _tangent_like(t, y):
    """The tangent `t` of a broadcast result `y`, stretched to `y`'s shape where an operand's
    term dropped out (`z = x + b`, b not varied: `tz` is `tx` spread over `b`'s axes).
    """
    shape = _shape_of(y)
    if tuple(_shape_of(t)) == tuple(shape):
        return t
    return _namespace(t, y).broadcast_to(t, shape)
