"""Loops that batch their weight gradients: a backward loop's `dw += _matmul_drhs(g, h, w)`,
which adds one small product into the whole of `dw` at every step, keeps each step's
factors instead, and adds one matrix product of 64 steps' at a time, the last steps' after
the loop:

    dw_steps = []
    for t in reversed(steps):
        ...
        _matmul_drhs_step(dw, dw_steps, dw_h, h, w)  # w: one product per 64 steps
    dw += _matmul_drhs_steps(dw_steps, w)  # w: the last steps, in one product

The products stay large enough to run at matrix speed, and the factors kept stay few (64
steps', not the loop's).

A line is batched where the loop adds into `dw` only there and reads it nowhere else, and
the operand the product's adjoint is taken of (`w`) is not assigned in the loop: the sum
over the steps is then the same sum, taken at once. The helpers fall back to the steps'
own products where the factors' shapes differ from step to step.

First-order modules only: a gradient of this gradient reads the loop as written
(indexed_tapes.py), and a checkpointed loop keeps its segments' own sums.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from ..names import NameAllocator
from ..syntax import assign, call, load, name_nodes
from .render import Comment, Commented


class _Batched(NamedTuple):
    step: str
    """The helper that keeps a step's factors, adding a product of many steps' as they come."""
    summed: str
    """The helper that sums the steps' kept at the end."""
    weight: int
    """The position of the argument that is the same at every step: the weight, or the bias
    whose shape a broadcast adjoint is summed to."""
    arity: int


_BATCHED = {"_matmul_dlhs": _Batched("_matmul_dlhs_step", "_matmul_dlhs_steps", 1, 3),
            "_matmul_drhs": _Batched("_matmul_drhs_step", "_matmul_drhs_steps", 2, 3),
            "_unbroadcast": _Batched("_unbroadcast_step", "_unbroadcast_steps", 1, 2)}
"""The helpers a backward loop adds into an adjoint with, whose sums batch."""


def batched(backward: list[ast.stmt], taken: set[str]) -> list[ast.stmt]:
    """`backward` with each backward loop's batchable weight-gradient lines batched."""
    return _batched(backward, NameAllocator(taken))


def _batched(statements: list[ast.stmt], names: NameAllocator) -> list[ast.stmt]:
    result: list[ast.stmt] = []
    for statement in statements:
        if isinstance(statement, ast.For):
            statement.body = _batched(statement.body, names)
            lists, loop = _batched_loop(statement, names)
            # the lists go before the loop's header comment, with the adjoints it adds to
            at = len(result) - 1 if result and isinstance(result[-1], Comment) else len(result)
            result[at:at] = lists
            result += loop
        else:
            result.append(statement)
    return result


def _batched_loop(loop: ast.For, names: NameAllocator) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """The lists the loop's batched lines fill, and the loop with their sums after it."""
    assigned = {n.id for s in (loop.target, *loop.body) for n in name_nodes(s)
                if isinstance(n.ctx, ast.Store)}
    before: list[ast.stmt] = []
    after: list[ast.stmt] = []
    for position, statement in enumerate(loop.body):
        found = _product_added(statement)
        if found is None:
            continue
        adjoint, helper, args = found
        step, summed, weight_at, _ = _BATCHED[helper]
        weight = args[weight_at]
        if not isinstance(weight, ast.Name) or weight.id in assigned \
                or _mentions(loop, adjoint, statement):
            continue
        steps = names.fresh(f"{adjoint}_steps")
        before.append(assign(steps, ast.List([], ast.Load())))
        kept = ast.Expr(call(step, load(adjoint), load(steps), *args))
        how = "sum" if helper == "_unbroadcast" else "product"
        loop.body[position] = Commented(kept, f"{weight.id}: one {how} per 64 steps", True)
        total = ast.AugAssign(ast.Name(adjoint, ast.Store()), ast.Add(), call(summed, load(steps),
                                                                               weight))
        after.append(Commented(total, f"{weight.id}: the last steps, in one {how}", True))
    return before, [loop, *after]


def _product_added(statement: ast.stmt) -> tuple[str, str, list[ast.expr]] | None:
    """(`dw`, helper, its arguments) for `dw += helper(...)`, a batchable helper's."""
    if isinstance(statement, Commented):
        statement = statement.statement
    if isinstance(statement, ast.AugAssign) and isinstance(statement.op, ast.Add) \
            and isinstance(statement.target, ast.Name) and isinstance(statement.value, ast.Call) \
            and isinstance(statement.value.func, ast.Name) and statement.value.func.id in _BATCHED \
            and len(statement.value.args) == _BATCHED[statement.value.func.id].arity \
            and not statement.value.keywords:
        return statement.target.id, statement.value.func.id, statement.value.args
    return None


def _mentions(loop: ast.For, name: str, line: ast.stmt) -> bool:
    """Whether the loop reads or binds `name` anywhere but in `line`."""
    return any(n.id == name for s in (loop.target, loop.iter, *loop.body) if s is not line
               for n in name_nodes(s))
