"""Which returned gradients may share memory with what the caller holds.

A gradient the backward leaves borrowed (accumulate.py) is copied before the caller gets
it, but only where the copy is needed: where its array may be memory the caller passed in
(an argument, a cotangent, a forward value that may be a view of one) or the array another
returned gradient is. This follows each name of the backward to the arrays it may hold,
its *roots*: a new array is a root of its own, `a = b` and a view of `b` (`_unbroadcast(b,
...)`, `xp.reshape(b, ...)`, `b[i]`, `b.T`) hold `b`'s roots, and a name the backward does
not assign is a root outside it. Inside a backward `if` or loop each name may hold any of
the values its lines assign, and those of before.
"""

from __future__ import annotations

import ast

from ..runtime import HELPER_NAMES
from ..syntax import name_nodes
from .accumulate import PASS_THROUGH_HELPERS, VIEWS, is_own_copy
from .blocks import Block, BranchLines, Line, LoopLines, inner_blocks, lines_in

_OUTSIDE = "outside"
# Runtime helpers that may return their first argument, or a view of it.
_RETURN_THEIR_FIRST = {
    "_as_argument", "_average_weights", "_average_weights_adjoint", "_cross_dlhs", "_diff_adjoint",
    "_diff_unpadded", "_einsum_adjoint", "_expand_reduced", "_in_dtype_of", "_in_sorted_order",
    "_matrix_transpose", "_padded", "_sort_adjoint", "_updated", "_without",
}


def needs_copy(blocks: list[Block], gradients: list[str], namespace: str) -> set[str]:
    """The names of `gradients` (in the order returned) that need a copy of their own."""
    roots: dict[str, frozenset] = {}
    _flow(blocks, roots, namespace)
    needed: set[str] = set()
    taken: set = set()
    for name in gradients:
        held = roots.get(name, frozenset({(_OUTSIDE, name)}))
        if any(r[0] == _OUTSIDE for r in held) or held & taken:
            needed.add(name)
        else:
            taken |= held
    return needed


def _flow(blocks: list[Block], roots: dict[str, frozenset], namespace: str) -> None:
    for block in blocks:
        for line in block.lines:
            _line(line, roots, namespace)


def _line(line: Line, roots: dict[str, frozenset], namespace: str) -> None:
    statement = line.statement
    if isinstance(statement, (BranchLines, LoopLines)):
        if isinstance(statement, LoopLines):
            for restore in statement.restores:
                _statement(restore, roots, namespace, union=True)
        # Every name assigned inside may hold what any of its lines assign, or what it held.
        while True:
            before = dict(roots)
            for inner in lines_in(inner_blocks(line)):
                if not isinstance(inner.statement, (BranchLines, LoopLines)):
                    _statement(inner.statement, roots, namespace, union=True)
                elif isinstance(inner.statement, LoopLines):
                    for restore in inner.statement.restores:
                        _statement(restore, roots, namespace, union=True)
            if roots == before:
                return
        return
    _statement(statement, roots, namespace, union=False)


def _statement(statement: ast.stmt, roots: dict[str, frozenset], namespace: str, union: bool) -> None:
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            names = [n.id for n in name_nodes(target)]
            if isinstance(target, ast.Name):
                held = _held(statement.value, roots, namespace, id(statement))
            else:  # unpacking (a tape's pop) or a subscript store: anything outside
                held = frozenset({(_OUTSIDE, "unpacked")})
                if isinstance(target, ast.Subscript):
                    continue
            for name in names:
                roots[name] = held | roots.get(name, frozenset()) if union else held


def _held(value: ast.expr, roots: dict[str, frozenset], namespace: str, key: int) -> frozenset:
    if isinstance(value, ast.Name):
        return roots.get(value.id, frozenset({(_OUTSIDE, value.id)}))
    if isinstance(value, (ast.BinOp, ast.UnaryOp, ast.Compare)):
        return frozenset({("new", key)})
    if is_own_copy(value, namespace):
        return frozenset({("new", key)})
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Name) and func.id in PASS_THROUGH_HELPERS | _RETURN_THEIR_FIRST:
            return _held(value.args[0], roots, namespace, key) if value.args else frozenset()
        if isinstance(func, ast.Name) and func.id not in HELPER_NAMES:
            return _everything(value, roots, namespace, key)  # a user rule's function
        if isinstance(func, ast.Attribute) and func.attr in VIEWS:
            held = frozenset()
            if not (isinstance(func.value, ast.Name) and func.value.id == namespace):
                held |= _held(func.value, roots, namespace, key)
            if value.args:
                held |= _held(value.args[0], roots, namespace, key)
            return held
        if isinstance(func, ast.Attribute) and not (
                isinstance(func.value, ast.Name) and func.value.id == namespace):
            return _everything(value, roots, namespace, key)  # a method: it may return its object
        return frozenset({("new", key)})
    if isinstance(value, ast.Constant):
        return frozenset({("new", key)})
    return _everything(value, roots, namespace, key)


def _everything(value: ast.expr, roots: dict[str, frozenset], namespace: str, key: int) -> frozenset:
    """Any name the expression reads may be what it holds."""
    held = frozenset()
    for n in ast.walk(value):
        if isinstance(n, ast.Name) and n.id != namespace:
            held |= roots.get(n.id, frozenset({(_OUTSIDE, n.id)}))
    return held
