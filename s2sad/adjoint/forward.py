"""The forward part of a gradient function: only what the backward or the result reads.

Temporaries that carry no gradient (shape arithmetic, comparisons) and are
read once, by a statement beside them, are folded back into that statement,
so the forward reads like the user's code.
"""

from __future__ import annotations

import ast
import copy

from ..ir import Assignment, Branch, Effect, Node, Program


def forward_statements(program: Program, needed: set[str], varied: set[str]) -> list[ast.stmt]:
    """The statements computing `needed` names and every effect, inactive temporaries folded."""
    kept, _ = _live(program.body, set(needed))
    reads: dict[str, int] = {}
    for node in _syntax(kept):
        for name in _reads(node):
            reads[name] = reads.get(name, 0) + 1
    return _emit(kept, reads, needed, varied)


def _live(nodes: list[Node], live: set[str]) -> tuple[list[Node], set[str]]:
    """The nodes that compute something live afterwards, and what is live before them."""
    kept: list[Node] = []
    for node in reversed(nodes):
        if isinstance(node, Assignment):
            if node.target in live:
                kept.append(node)
                live |= _reads(node.value)
        elif isinstance(node, Effect):
            kept.append(node)
            live |= _reads(node.statement)
        else:
            body, live_body = _live(node.body, set(live))
            orelse, live_else = _live(node.orelse, set(live))
            if body or orelse:
                kept.append(Branch(node.test, body, orelse, node.origin, node.statement, node.context))
                live = live_body | live_else | {node.test.id}
    kept.reverse()
    return kept, live


def _syntax(nodes: list[Node]) -> list[ast.AST]:
    result: list[ast.AST] = []
    for node in nodes:
        if isinstance(node, Assignment):
            result.append(node.value)
        elif isinstance(node, Effect):
            result.append(node.statement)
        else:
            result += [node.test, *_syntax(node.body), *_syntax(node.orelse)]
    return result


def _emit(nodes: list[Node], reads: dict[str, int], needed: set[str], varied: set[str]) -> list[ast.stmt]:
    local_reads: dict[str, int] = {}
    for node in nodes:
        for name in _reads(_own_syntax(node)):
            local_reads[name] = local_reads.get(name, 0) + 1
    foldable = {
        a.target: a.value for a in nodes
        if isinstance(a, Assignment) and not a.user_variable and a.target not in varied
        and a.target not in needed and reads.get(a.target) == 1 and local_reads.get(a.target) == 1
    }
    fold = _Fold(foldable)
    statements: list[ast.stmt] = []
    for node in nodes:
        if isinstance(node, Assignment):
            if node.target not in foldable:
                value = fold.visit(copy.deepcopy(node.value))
                statements.append(ast.Assign([ast.Name(node.target, ast.Store())], value))
        elif isinstance(node, Effect):
            statements.append(fold.visit(copy.deepcopy(node.statement)))
        else:
            body = _emit(node.body, reads, needed, varied) or [ast.Pass()]
            orelse = _emit(node.orelse, reads, needed, varied)
            statements.append(ast.If(fold.visit(copy.deepcopy(node.test)), body, orelse))
    return statements


def _own_syntax(node: Node) -> ast.AST:
    """What a node reads itself, not counting the arms of a branch."""
    if isinstance(node, Assignment):
        return node.value
    if isinstance(node, Effect):
        return node.statement
    return node.test


def _reads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class _Fold(ast.NodeTransformer):
    def __init__(self, values: dict[str, ast.expr]):
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.values:
            return self.visit(copy.deepcopy(self.values[node.id]))
        return node
