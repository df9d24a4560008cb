"""Folding the backward's one-use temporaries, for the variants specialized to numbers: in
scalar code Python pays for every statement, so `dk_i = -dneg_k_i` followed by
`dk_items[i] += dk_i` becomes `dk_items[i] += -dneg_k_i`, and `dv_1 = dv` followed by
`dv_1 = dv_1 + dx * 0.01` becomes `dv_1 = dv + dx * 0.01`.

A line `t = value` folds into the one line that reads `t` where `t` is bound there only and
read there only, both lie in one straight run of lines (no backward `if` or loop between),
and no line between binds, changes in place (`+=`, an item's update) or deletes a name
`value` reads, or calls anything for its effect. The value is then computed from the same
objects, only later.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import replace

from ..syntax import copied, name_nodes
from .blocks import Block, BranchLines, Line, LoopLines, line_nodes


def fold_temporaries(forward: list[ast.stmt], blocks: list[Block], keep: set[str]) -> list[Block]:
    """The blocks with their one-use temporaries folded into the line that reads them."""
    reads, stores = Counter(), Counter()
    for node in [*forward, *(n for block in blocks for line in block.lines for n in line_nodes(line))]:
        for name in name_nodes(node):
            (stores if isinstance(name.ctx, ast.Store) else reads)[name.id] += 1
    return _folded(blocks, reads, stores, keep)


def _folded(blocks: list[Block], reads: Counter, stores: Counter, keep: set[str]) -> list[Block]:
    entries = [[b, _inner_folded(line, reads, stores, keep)] for b, block in enumerate(blocks)
               for line in block.lines]
    position = 0
    while position < len(entries):
        if not _fold_at(entries, position, reads, stores, keep):
            position += 1
    by_block: list[list[Line]] = [[] for _ in blocks]
    for b, line in entries:
        by_block[b].append(line)
    return [Block(block.header, lines) for block, lines in zip(blocks, by_block)
            if lines or not block.lines]


def _inner_folded(line: Line, reads: Counter, stores: Counter, keep: set[str]) -> Line:
    statement = line.statement
    if isinstance(statement, LoopLines):
        return Line(replace(statement, body=_folded(statement.body, reads, stores, keep)),
                    line.comment)
    if isinstance(statement, BranchLines):
        return Line(replace(statement, body=_folded(statement.body, reads, stores, keep),
                             orelse=_folded(statement.orelse, reads, stores, keep)), line.comment)
    return line


def _fold_at(entries: list[list], position: int, reads: Counter, stores: Counter,
             keep: set[str]) -> bool:
    """Fold the line at `position` into its reader, where it is a foldable temporary."""
    statement = entries[position][1].statement
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)):
        return False
    name = statement.targets[0].id
    if isinstance(statement.value, ast.Name) and _rebinds_from(entries, position, name):
        return True
    if name in keep or stores[name] != 1 or reads[name] != 1 or _calls(statement.value):
        return False
    inputs = {n.id for n in name_nodes(statement.value)}
    for later in range(position + 1, len(entries)):
        reader = entries[later][1].statement
        if isinstance(reader, (LoopLines, BranchLines)):
            return False
        if any(n.id == name for n in name_nodes(reader)):
            folded = _Substitute(name, statement.value).visit(copied(reader))
            entries[later][1] = Line(folded, entries[later][1].comment)
            del entries[position]
            return True
        if _touched(reader) & (inputs | {name}):
            return False
    return False


_EFFECTS = frozenset({"pop", "append", "extend", "insert", "at", "update", "clear"})
"""Methods called for what they change (`tape.pop()`, `xp.add.at(...)`)."""


def _rebinds_from(entries: list[list], position: int, name: str) -> bool:
    """`a = b`, then `a = f(a)` with no line between that reads or binds `a` or changes
    `b`: the two lines as one, `a = f(b)`, where the second was."""
    source = entries[position][1].statement.value.id
    for later in range(position + 1, len(entries)):
        following = entries[later][1].statement
        if isinstance(following, (LoopLines, BranchLines)):
            return False
        mentioned = {n.id for n in name_nodes(following)}
        if isinstance(following, ast.Assign) and len(following.targets) == 1 \
                and isinstance(following.targets[0], ast.Name) \
                and following.targets[0].id == name and name in mentioned:
            value = _Substitute(name, entries[position][1].statement.value).visit(
                copied(following.value))
            entries[later][1] = Line(ast.Assign([ast.Name(name, ast.Store())], value),
                                     entries[later][1].comment)
            del entries[position]
            return True
        if name in mentioned or source in _touched(following):
            return False
    return False


def _calls(value: ast.expr) -> bool:
    """Whether computing `value` may change something: it calls one of `_EFFECTS` (the
    array module's functions, s2sad's helpers and arrays' other methods do not)."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr in _EFFECTS for n in ast.walk(value))


def _touched(statement: ast.stmt) -> set[str]:
    """The names a line binds, deletes or changes in place; every name, for a line that
    calls something for its effect."""
    if isinstance(statement, ast.Expr):
        return {n.id for n in name_nodes(statement)}
    targets = statement.targets if isinstance(statement, (ast.Assign, ast.Delete)) else (
        [statement.target] if isinstance(statement, ast.AugAssign) else [])
    touched = set()
    for target in targets:
        for n in name_nodes(target):
            touched.add(n.id)
    return touched | {n.id for n in name_nodes(statement) if isinstance(n.ctx, ast.Store)}


class _Substitute(ast.NodeTransformer):
    def __init__(self, name: str, value: ast.expr):
        self.name, self.value = name, value

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            return copied(self.value)
        return node
