"""Shifts a result does not depend on: the max subtracted before a log-softmax or softmax.

`zs = z - np.max(z, axis, keepdims=True)` is there for floating point only: the
log-softmax `zs - np.log(np.sum(np.exp(zs), axis, keepdims=True))` and the softmax
`np.exp(zs) / np.sum(np.exp(zs), axis, keepdims=True)` have the same value for any
constant subtracted along `axis`, so their derivative with respect to the max is exactly
zero. Treating the max as a constant (as JAX's logsumexp does with `stop_gradient`) gives
the same gradient without the max's adjoint, which scatters a sum that is zero up to
rounding into the positions of the maxima.

The max is a constant only where every value computed from the shifted `zs` is one of
those invariant results or on the way to one: `zs` read only by `np.exp` and by the
log-softmax's subtraction, `np.exp(zs)` only by the sum and the softmax's division, the sum
only by `np.log` and that division, the log only by the subtraction, all over the max's
axis with `keepdims=True`, nothing of it returned or tested but the results.
"""

from __future__ import annotations

import ast
from collections import Counter

from ..ir import Assignment, Branch, Loop, Program, assignments, walk
from ..syntax import name_nodes
from .concrete import is_literal_axis, rule_of

_MAXIMA = {"numpy.max", "numpy.amax"}


def invariant_shifts(program: Program) -> set[str]:
    """The maxima whose subtraction no output of `program` depends on."""
    flat = assignments(program.body)
    by_target = {a.target: a for a in flat}
    assigned = Counter(a.target for a in flat)
    readers: dict[str, list[Assignment]] = {}
    for assignment in flat:
        for name in {n.id for n in _operand_names(assignment)}:
            readers.setdefault(name, []).append(assignment)
    elsewhere = _read_outside_assignments(program)
    shifts = set()
    for assignment in flat:
        if _is_shift(assignment, by_target, assigned, readers, elsewhere):
            shifts.add(assignment.target)
    return shifts


def _operand_names(assignment: Assignment) -> list[ast.Name]:
    return [n for node in (*assignment.args, *assignment.keywords.values())
            for n in name_nodes(node)]


def _read_outside_assignments(program: Program) -> set[str]:
    """Names read by the outputs, branch tests, loops' ranges and tests, and effects."""
    read = {n.id for output in program.outputs for n in name_nodes(output)}
    for node in walk(program.body):
        if isinstance(node, Branch):
            read.add(node.test.id)
        elif isinstance(node, Loop):
            for part in (node.steps, node.test, node.exit):
                if part is not None:
                    read |= {n.id for n in name_nodes(part)}
        elif not isinstance(node, Assignment):
            read |= {n.id for n in name_nodes(node.statement)}
    return read


def _is_shift(maximum: Assignment, by_target: dict[str, Assignment], assigned: Counter,
              readers: dict[str, list[Assignment]], elsewhere: set[str]) -> bool:
    if rule_of(maximum.op) not in _MAXIMA or not _kept_over(maximum) or len(maximum.args) != 1 \
            or not isinstance(maximum.args[0], ast.Name):
        return False
    axis = ast.dump(maximum.keywords.get("axis", ast.Constant(None)))
    z = maximum.args[0].id

    def only(name: str) -> list[Assignment] | None:
        """The assignments reading `name`, where nothing else reads it and it is bound once."""
        if assigned[name] != 1 or name in elsewhere:
            return None
        return readers.get(name, [])

    shift_readers = only(maximum.target)
    if not shift_readers or len(shift_readers) != 1:
        return False
    (shifted,) = shift_readers
    if shifted.op != "numpy.subtract" or shifted.keywords or not _names_are(shifted, z, maximum.target):
        return False
    zs = shifted.target
    for reader in only(zs) or [None]:
        if reader is None:
            return False
        if reader.op == "numpy.exp" and not reader.keywords:
            if not _exp_is_normalized(reader.target, zs, axis, only, by_target):
                return False
        elif reader.op == "numpy.subtract" and not reader.keywords \
                and isinstance(reader.args[1], ast.Name) and _names_are(reader, zs, reader.args[1].id):
            if not _is_log_normalizer(reader.args[1].id, zs, axis, only, by_target):
                return False
        else:
            return False
    return True


def _exp_is_normalized(e: str, zs: str, axis: str, only,
                       by_target: dict[str, Assignment]) -> bool:
    """`e = exp(zs)` read only by its sum over `axis` and by `e / that sum`."""
    users = only(e)
    if not users:
        return False
    for user in users:
        if rule_of(user.op) == "numpy.sum" and _kept_over(user) \
                and ast.dump(user.keywords.get("axis", ast.Constant(None))) == axis:
            if not _sum_is_normalizer(user.target, e, zs, only):
                return False
        elif user.op == "numpy.divide" and not user.keywords and isinstance(user.args[1], ast.Name) \
                and _names_are(user, e, user.args[1].id):
            total = by_target.get(user.args[1].id)
            if total is None or rule_of(total.op) != "numpy.sum" or not _kept_over(total) \
                    or ast.dump(total.keywords.get("axis", ast.Constant(None))) != axis \
                    or not _names_are(total, e):
                return False
        else:
            return False
    return True


def _sum_is_normalizer(total: str, e: str, zs: str, only) -> bool:
    """The sum of `e` read only by `np.log`, whose result only `zs - log` reads, and by
    `e / total`."""
    users = only(total)
    if not users:
        return False
    for user in users:
        if user.op == "numpy.log" and not user.keywords:
            for reader in only(user.target) or [None]:
                if reader is None or reader.op != "numpy.subtract" or reader.keywords \
                        or not _names_are(reader, zs, user.target):
                    return False
        elif not (user.op == "numpy.divide" and not user.keywords and _names_are(user, e, total)):
            return False
    return True


def _is_log_normalizer(log: str, zs: str, axis: str, only, by_target: dict[str, Assignment]) -> bool:
    """`log = np.log(np.sum(np.exp(zs), axis, keepdims=True))`."""
    logged = by_target.get(log)
    if logged is None or logged.op != "numpy.log" or not isinstance(logged.args[0], ast.Name):
        return False
    total = by_target.get(logged.args[0].id)
    if total is None or rule_of(total.op) != "numpy.sum" or not _kept_over(total) \
            or ast.dump(total.keywords.get("axis", ast.Constant(None))) != axis \
            or not isinstance(total.args[0], ast.Name):
        return False
    exp = by_target.get(total.args[0].id)
    return exp is not None and exp.op == "numpy.exp" and _names_are(exp, zs)


def _kept_over(reduction: Assignment) -> bool:
    """A reduction over a constant axis with `keepdims=True` and no other option."""
    keepdims = reduction.keywords.get("keepdims")
    return set(reduction.keywords) <= {"axis", "keepdims"} and len(reduction.args) == 1 \
        and isinstance(keepdims, ast.Constant) and keepdims.value is True \
        and is_literal_axis(reduction.keywords.get("axis", ast.Constant(None)))


def _names_are(assignment: Assignment, *names: str) -> bool:
    """Whether the operands are exactly these names, in order."""
    return len(assignment.args) == len(names) and all(
        isinstance(a, ast.Name) and a.id == n for a, n in zip(assignment.args, names))
