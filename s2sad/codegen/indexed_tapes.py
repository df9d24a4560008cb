"""A gradient's tapes written as s2sad can differentiate them again (second order).

A loop's forward appends a tuple of what its backward restores, and the backward pops it:
`tape.append((s, h))`, then `s, h = tape.pop()`. s2sad follows neither a list of tuples nor
a list that shrinks, so the source a gradient of a gradient reads appends each value on its
own and reads them back by position, from a count that each restore lowers:

    tape.append(s)                      tape_top = len(tape)    (before the backward)
    tape.append(h)                      tape_top = tape_top - 2
                                        s = tape[tape_top]
                                        h = tape[tape_top + 1]

The same values reach the same names: only how the list is read changes.
"""

from __future__ import annotations

import ast
import copy

from ..names import NameAllocator


def indexed_tapes(forward: list[ast.stmt], backward: list[ast.stmt],
                  taken: set[str]) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """The forward and backward statements with every tape appended value by value and read
    by position; the backward starts with each tape's length."""
    tapes: dict[str, str] = {}
    forward = [_Appends().visit(copy.deepcopy(s)) for s in forward]
    backward = _Pops(tapes, taken).statements(copy.deepcopy(backward))
    lengths = [ast.Assign([ast.Name(top, ast.Store())],
                          ast.Call(ast.Name("len", ast.Load()), [ast.Name(tape, ast.Load())], []))
               for tape, top in tapes.items()]
    return _flat(forward), lengths + backward


class _Appends(ast.NodeTransformer):
    """`tape.append((a, b))` as `tape.append(a)`, `tape.append(b)` (a list, flattened later)."""

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        self.generic_visit(node)
        call = node.value
        if tape_call(call, "append") and isinstance(call.args[0], ast.Tuple):
            return [ast.Expr(ast.Call(copy.deepcopy(call.func), [element], []))
                    for element in call.args[0].elts]
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for field in ("body", "orelse"):
            if isinstance(getattr(node, field, None), list):
                setattr(node, field, _flat(getattr(node, field)))
        return node


class _Pops:
    """`a, b = tape.pop()` as the count lowered, then each name read by position."""

    def __init__(self, tapes: dict[str, str], taken: set[str]):
        self.tapes, self.names = tapes, NameAllocator(taken)

    def statements(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        result: list[ast.stmt] = []
        for statement in statements:
            result += self.statement(statement)
        return result

    def statement(self, statement: ast.stmt) -> list[ast.stmt]:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and tape_call(statement.value, "pop", arguments=0):
            return self.restore(statement.value.func.value.id, statement.targets[0])
        for field in ("body", "orelse"):
            if isinstance(getattr(statement, field, None), list):
                setattr(statement, field, self.statements(getattr(statement, field)))
        if hasattr(statement, "statement") and isinstance(statement.statement, ast.stmt):
            (statement.statement,) = self.statement(statement.statement) or [statement.statement]
        return [statement]

    def restore(self, tape: str, target: ast.expr) -> list[ast.stmt]:
        top = self.tapes.get(tape)
        if top is None:
            top = self.tapes[tape] = self.names.fresh(f"{tape}_top")
        names = target.elts if isinstance(target, ast.Tuple) else [target]
        lowered = ast.Assign([ast.Name(top, ast.Store())],
                             ast.BinOp(ast.Name(top, ast.Load()), ast.Sub(), ast.Constant(len(names))))
        reads = []
        for position, name in enumerate(names):
            index: ast.expr = ast.Name(top, ast.Load())
            if position:
                index = ast.BinOp(index, ast.Add(), ast.Constant(position))
            reads.append(ast.Assign([copy.deepcopy(name)],
                                    ast.Subscript(ast.Name(tape, ast.Load()), index, ast.Load())))
        return [lowered, *reads]


def tape_call(node: ast.AST, method: str, arguments: int = 1) -> bool:
    """Whether `node` is `name.method(...)` with that many arguments: a tape's append or pop."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and node.func.attr == method and isinstance(node.func.value, ast.Name) \
        and len(node.args) == arguments and not node.keywords


def _flat(statements: list) -> list[ast.stmt]:
    result: list[ast.stmt] = []
    for statement in statements:
        result += statement if isinstance(statement, list) else [statement]
    return result
