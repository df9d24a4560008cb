"""Shapes known from a call's arguments: what a variant of the gradient, generated for
arguments of given shapes, knows of every value the function computes.

Each variable gets the shape every value it takes has, where the operations that make
it tell (elementwise and broadcasting arithmetic, matrix products, reductions over
constant axes, integer indexing, transposes); any other operation, or a variable whose
assignments (before a loop and at each iteration's end, in two arms of a branch) give
different shapes, leaves it unknown. The answer is the fixed point of an iteration that
starts from "not yet seen" and only ever moves a variable to its shape or to unknown.
"""

from __future__ import annotations

import ast

import numpy

from ..ir import Assignment
from ..templates import lookup

Shape = tuple[int, ...]

_UNKNOWN = "unknown"
_UNSEEN = "unseen"

BROADCASTING = {
    "numpy.add", "numpy.subtract", "numpy.multiply", "numpy.divide", "numpy.true_divide",
    "numpy.power", "numpy.float_power", "numpy.maximum", "numpy.minimum", "numpy.fmax",
    "numpy.fmin", "numpy.arctan2", "numpy.hypot", "numpy.logaddexp", "numpy.logaddexp2",
    "numpy.copysign", "numpy.remainder", "numpy.fmod",
}
"""Operations whose result has the broadcast shape of all their operands."""

_NOT_SHAPE_PRESERVING = {"builtins.float"}
"""Rules marked elementwise whose result is not an array of their input's shape."""

_REDUCTIONS = {"numpy.sum", "numpy.mean", "numpy.max", "numpy.min", "numpy.prod",
               "numpy.std", "numpy.var", "numpy.amax", "numpy.amin"}
_REDUCTION_OPTIONS = {"axis", "keepdims", "ddof"}


def concrete_shapes(flat: list[Assignment], known: dict[str, Shape],
                    integers: set[str]) -> dict[str, Shape]:
    """The shape of each variable assigned in `flat` that the parameters' shapes `known`
    determine; `integers` are the variables known to hold Python ints."""
    # A parameter the body reassigns starts from its argument's shape, which its
    # assignments must then keep.
    state: dict[str, object] = {a.target: _UNSEEN for a in flat}
    state.update(known)
    changed = True
    while changed:
        changed = False
        for assignment in flat:
            shape = _shape_of(assignment, state, integers)
            current = state[assignment.target]
            if shape == _UNSEEN or current == _UNKNOWN:
                continue
            merged = shape if current == _UNSEEN or current == shape else _UNKNOWN
            if merged != current:
                state[assignment.target] = merged
                changed = True
    return {name: shape for name, shape in state.items() if isinstance(shape, tuple)}


def _shape_of(assignment: Assignment, state: dict[str, object], integers: set[str]) -> object:
    """The shape `assignment` gives its target, given the operands' shapes in `state`: a
    tuple, _UNSEEN (an operand not yet seen), or _UNKNOWN."""
    op, args, keywords = rule_of(assignment.op), assignment.args, assignment.keywords

    def operand(node: ast.expr) -> object:
        if isinstance(node, ast.Name):
            return () if node.id in integers else state.get(node.id, _UNKNOWN)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return ()
        return _UNKNOWN

    if op in ("identity", "phi"):
        return operand(args[0])
    if op == "numpy.matmul" and len(args) == 2 and not keywords:
        return _combined([operand(a) for a in args], _matmul_shape)
    if op in BROADCASTING and not keywords:
        return _combined([operand(a) for a in args], _broadcast_shape)
    if op == "numpy.where" and len(args) == 3 and not keywords:
        return _combined([operand(a) for a in args], _broadcast_shape)
    if op in _REDUCTIONS and len(args) in (1, 2) and set(keywords) <= _REDUCTION_OPTIONS:
        axis = args[1] if len(args) == 2 else keywords.get("axis")
        reduced = _reduction(axis, keywords.get("keepdims"))
        if reduced is None:
            return _UNKNOWN
        return _combined([operand(args[0])], reduced)
    if op == "getitem" and len(args) == 2 and _is_integer(args[1], integers):
        return _combined([operand(args[0])], lambda shape: shape[1:] if shape else None)
    if op in ("attribute.T", "numpy.transpose") and len(args) == 1 and not keywords:
        return _combined([operand(args[0])], lambda shape: shape[::-1])
    template = lookup(op)
    if template is not None and template.elementwise and op not in _NOT_SHAPE_PRESERVING \
            and len(args) == 1 and not keywords:
        return operand(args[0])
    return _UNKNOWN


def rule_of(op: str) -> str:
    """The key of the rule an operation is an instance of: `x.sum(...)` is `numpy.sum`."""
    template = lookup(op)
    return op if template is None else template.key


def is_literal_axis(axis: ast.expr) -> bool:
    """An axis written as a literal: None, an int (negative too), or a tuple of ints."""
    return isinstance(axis, ast.Constant) and axis.value is None or _constant_axes(axis) is not None


def _combined(operands: list[object], rule) -> object:
    if any(o == _UNKNOWN for o in operands):
        return _UNKNOWN
    if any(o == _UNSEEN for o in operands):
        return _UNSEEN
    shape = rule(*operands)
    return _UNKNOWN if shape is None else shape


def _broadcast_shape(*shapes: Shape) -> Shape | None:
    try:
        return tuple(numpy.broadcast_shapes(*shapes))
    except ValueError:
        return None


def _matmul_shape(a: Shape, b: Shape) -> Shape | None:
    if not a or not b:
        return None
    if len(a) == 1 and len(b) == 1:
        return () if a == b else None
    if len(b) == 1:
        return a[:-1] if a[-1] == b[0] else None
    if len(a) == 1:
        return b[:-2] + b[-1:] if b[-2] == a[0] else None
    if a[-1] != b[-2]:
        return None
    batch = _broadcast_shape(a[:-2], b[:-2])
    return None if batch is None else batch + (a[-2], b[-1])


def _reduction(axis: ast.expr | None, keepdims: ast.expr | None):
    """The shape rule of a reduction over the constant `axis`, or None where it is not one."""
    if keepdims is None:
        keep = False
    elif isinstance(keepdims, ast.Constant) and type(keepdims.value) is bool:
        keep = keepdims.value
    else:
        return None
    if axis is None or isinstance(axis, ast.Constant) and axis.value is None:
        axes = None
    else:
        axes = _constant_axes(axis)
        if axes is None:
            return None

    def reduced(shape: Shape) -> Shape | None:
        if axes is None:
            return (1,) * len(shape) if keep else ()
        chosen = {a + len(shape) if a < 0 else a for a in axes}
        if len(chosen) != len(axes) or not all(0 <= a < len(shape) for a in chosen):
            return None  # an axis out of range, or twice: NumPy refuses it at the call
        if keep:
            return tuple(1 if i in chosen else n for i, n in enumerate(shape))
        return tuple(n for i, n in enumerate(shape) if i not in chosen)

    return reduced


def _constant_axes(axis: ast.expr) -> tuple[int, ...] | None:
    value = _integer(axis)
    if value is not None:
        return (value,)
    if isinstance(axis, ast.Tuple):
        values = [_integer(e) for e in axis.elts]
        return None if any(v is None for v in values) else tuple(values)
    return None


def _integer(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _integer(node.operand)
        return None if value is None else -value
    return None


def _is_integer(index: ast.expr, integers: set[str]) -> bool:
    return isinstance(index, ast.Name) and index.id in integers or _integer(index) is not None
