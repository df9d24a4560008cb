"""The forward part of a gradient function: only what the backward or the result reads.

Temporaries that carry no gradient (shape arithmetic, comparisons) and are
read once are folded back into the expression that reads them, so the forward
reads like the user's code.
"""

from __future__ import annotations

import ast
import copy

from ..ir import Assignment, Program


def forward_statements(program: Program, needed: set[str], varied: set[str]) -> list[ast.stmt]:
    """Assignments computing `needed` names, in order, with inactive temporaries folded."""
    live = set(needed) | {n for _, effect in program.effects for n in _reads(effect)}
    kept: list[Assignment] = []
    for assignment in reversed(program.body):
        if assignment.target in live:
            kept.append(assignment)
            live |= _reads(assignment.value)
    kept.reverse()
    reads: dict[str, int] = {}
    for node in [a.value for a in kept] + [effect for _, effect in program.effects]:
        for name in _reads(node):
            reads[name] = reads.get(name, 0) + 1
    foldable = {
        a.target: a.value for a in kept
        if not a.user_variable and a.target not in varied and a.target not in needed
        and reads.get(a.target) == 1
    }
    kept_targets = {a.target for a in kept}
    effects_before: dict[int, list[ast.stmt]] = {}
    for position, effect in program.effects:
        effects_before.setdefault(position, []).append(effect)
    statements: list[ast.stmt] = []
    fold = _Fold(foldable)
    for position, assignment in enumerate([*program.body, None]):
        statements += [fold.visit(copy.deepcopy(e)) for e in effects_before.get(position, [])]
        if assignment is None or assignment.target not in kept_targets \
                or assignment.target in foldable:
            continue
        value = fold.visit(copy.deepcopy(assignment.value))
        statements.append(ast.Assign([ast.Name(assignment.target, ast.Store())], value))
    return statements


def _reads(node: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class _Fold(ast.NodeTransformer):
    def __init__(self, values: dict[str, ast.expr]):
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.values:
            return self.visit(copy.deepcopy(self.values[node.id]))
        return node
