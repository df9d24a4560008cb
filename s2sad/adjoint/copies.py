"""Copy propagation: the backward's `da = db` lines, where `da` is only another name for
the value `db` holds, go, and the lines after read `db`.

A line `a = b` (both plain names) goes when all of these hold, so that every read of `a`
sees the very object `b` still holds:

* `a` is bound by that line alone (no other assignment, no `a += v`), and is not one of
  the names the function keeps (a gradient, an output, a parameter, what the finals read);
* every read of `a` comes after the line, among the lines of the same blocks (a loop body's
  or an arm's), so none reads a previous iteration's `a` or reads it after the loop;
* `b` is not bound again (nor added into with `+=`) before the last of those reads.

Where a line of the same block binds `b` again before the last read of `a` (a loop's
carried `dtotal` rebound from `dtotal_1` while `dtotal_1` still feeds another adjoint),
that line moves after the last read when nothing between depends on it or on `b`; the
alias then goes.

Renaming keeps the objects the lines touch: an in-place update through `a` (`a[i] += v`)
becomes one through `b` of the same array, so the ownership rule of accumulate.py holds as
before. A line `a = b` just after `b = a` (neither bound between) restates what `a`
holds and goes as well. A block this leaves empty goes too, and a loop iteration's first
block (`# line N: the next iteration begins`) that holds only aliases joins the next one.
"""

from __future__ import annotations

import ast
import copy
from collections import Counter
from dataclasses import replace

from .blocks import Block, BranchLines, Line, LoopLines, line_nodes, own_syntax


def propagate_copies(forward: list[ast.stmt], blocks: list[Block], keep: set[str]) -> list[Block]:
    """The blocks without the alias lines that copy propagation removes."""
    forward_reads, forward_stores = Counter(), Counter()
    for node in forward:
        _count(node, forward_reads, forward_stores)
    try:
        while True:
            reads, stores = Counter(forward_reads), Counter(forward_stores)
            for block in blocks:
                for line in block.lines:
                    line_reads, line_stores = _usage(line)
                    reads.update(line_reads)
                    stores.update(line_stores)
            found = _find(blocks, reads, stores, keep)
            if found is None:
                return _without_alias_headers(blocks)
            blocks = found
    finally:
        _USAGES.clear()


_USAGES: dict[int, tuple[Line, Counter, Counter]] = {}
"""Each line's reads and stores, by the line's identity, while copies are propagated: a line
the propagation does not rewrite is the same object, counted once (generation runs one
function at a time)."""


_ITERATION = ": the next iteration begins"


def _without_alias_headers(blocks: list[Block]) -> list[Block]:
    """A block of only alias lines, headed by the start of a loop's iteration, joins the block
    after it: its header says nothing a reader needs."""
    result: list[Block] = []
    pending: list[Line] = []
    for block in blocks:
        lines = [_inner_headers(line) for line in block.lines]
        if block.header.endswith(_ITERATION) and lines and all(_alias(x) for x in lines):
            pending += lines
            continue
        result.append(Block(block.header, pending + lines))
        pending = []
    if pending:
        result.append(Block(blocks[-1].header, pending))
    return result


def _inner_headers(line: Line) -> Line:
    statement = line.statement
    if isinstance(statement, BranchLines):
        return Line(replace(statement, body=_without_alias_headers(statement.body),
                            orelse=_without_alias_headers(statement.orelse)), line.comment)
    if isinstance(statement, LoopLines):
        return Line(replace(statement, body=_without_alias_headers(statement.body)), line.comment)
    return line


def _count(node: ast.AST, reads: Counter, stores: Counter) -> None:
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            (stores if isinstance(n.ctx, ast.Store) else reads)[n.id] += 1


def _alias(line: Line) -> tuple[str, str] | None:
    statement = line.statement
    if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Name)
            and statement.targets[0].id != statement.value.id):
        return statement.targets[0].id, statement.value.id
    return None


def _find(blocks: list[Block], reads: Counter, stores: Counter, keep: set[str]) -> list[Block] | None:
    """`blocks` with one alias line propagated (searching the arms and loop bodies too), or
    None where there is none to propagate."""
    lines = [(b, i, line) for b, block in enumerate(blocks) for i, line in enumerate(block.lines)]
    for position, (_, _, line) in enumerate(lines):
        alias = _alias(line)
        if alias is not None and _restates(alias, lines[:position]):
            return _rewrite(blocks, lines[position], None)
        if alias is not None and _propagates(alias, lines[position + 1:], reads, stores, keep):
            return _rewrite(blocks, lines[position], alias)
        if alias is not None:
            moved = _rebinding_moved(blocks, lines, position, alias, reads, stores, keep)
            if moved is not None:
                return moved
    for b, block in enumerate(blocks):
        for i, line in enumerate(block.lines):
            statement = line.statement
            if isinstance(statement, BranchLines):
                for arm in ("body", "orelse"):
                    inner = _find(getattr(statement, arm), reads, stores, keep)
                    if inner is not None:
                        return _replaced(blocks, b, i, Line(replace(statement, **{arm: inner}), line.comment))
            elif isinstance(statement, LoopLines):
                inner = _find(statement.body, reads, stores, keep)
                if inner is not None:
                    return _replaced(blocks, b, i, Line(replace(statement, body=inner), line.comment))
    return None


def _propagates(alias: tuple[str, str], after: list[tuple[int, int, Line]], reads: Counter,
                stores: Counter, keep: set[str]) -> bool:
    a, b = alias
    if a in keep or stores[a] != 1:
        return False
    seen = 0
    for _, _, line in after:
        if seen == reads[a]:
            return True
        line_reads, line_stores = _usage(line)
        if line_reads[a]:
            simple = not isinstance(line.statement, (BranchLines, LoopLines))
            if not simple and (line_stores[b] or any(
                    isinstance(n, ast.Name) and n.id == a
                    for inner in _loops_in(line) for node in own_syntax(inner) for n in ast.walk(node))):
                return False
            seen += line_reads[a]
        if line_stores[b] and seen < reads[a]:
            return False
    return seen == reads[a]


def _rebinding_moved(blocks: list[Block], lines: list[tuple[int, int, Line]], position: int,
                     alias: tuple[str, str], reads: Counter, stores: Counter,
                     keep: set[str]) -> list[Block] | None:
    """The blocks with the line that rebinds `b` before the last read of `a` moved after it,
    where that line and the reads after it are plain statements of one block and the move
    changes no value any of them reads; None where there is no such line or it cannot move."""
    a, b = alias
    if a in keep or stores[a] != 1:
        return None
    usage = [_usage(line) for _, _, line in lines]
    readers = [i for i in range(position + 1, len(lines)) if usage[i][0][a]]
    if not readers or sum(usage[i][0][a] for i in readers) != reads[a]:
        return None
    last = readers[-1]
    rebinding = [i for i in range(position + 1, last) if usage[i][1][b]]
    if len(rebinding) != 1:
        return None
    moving = rebinding[0]
    moved_reads, moved_stores = usage[moving]
    block_index = lines[moving][0]
    for i in range(moving + 1, last + 1):
        line_reads, line_stores = usage[i]
        if lines[i][0] != block_index or isinstance(lines[i][2].statement, (BranchLines, LoopLines)) or (
                line_reads[b] or line_reads.keys() & moved_stores.keys()
                or line_stores.keys() & (moved_reads.keys() | moved_stores.keys())):
            return None
    block = blocks[block_index]
    first, final = lines[moving][1], lines[last][1]
    reordered = [*block.lines[:first], *block.lines[first + 1:final + 1], block.lines[first],
                 *block.lines[final + 1:]]
    result = list(blocks)
    result[block_index] = Block(block.header, reordered)
    return result


def _usage(line: Line) -> tuple[Counter, Counter]:
    """The names a line reads and the names it binds, with how often (not to be changed)."""
    known = _USAGES.get(id(line))
    if known is not None and known[0] is line:
        return known[1], known[2]
    line_reads, line_stores = Counter(), Counter()
    for node in line_nodes(line):
        _count(node, line_reads, line_stores)
    _USAGES[id(line)] = (line, line_reads, line_stores)
    return line_reads, line_stores


def _restates(alias: tuple[str, str], before: list[tuple[int, int, Line]]) -> bool:
    """`a = b` just after `b = a`, neither bound between: `a` already holds `b`'s value."""
    a, b = alias
    for _, _, line in reversed(before):
        if _alias(line) == (b, a):
            return True
        stores = _usage(line)[1]
        if stores[a] or stores[b]:
            return False
    return False


def _loops_in(line: Line) -> list[Line]:
    """The backward loops in a line, itself included: their own syntax is not rewritten."""
    found = [line] if isinstance(line.statement, LoopLines) else []
    statement = line.statement
    if isinstance(statement, (BranchLines, LoopLines)):
        inner = statement.body + (statement.orelse if isinstance(statement, BranchLines) else [])
        for block in inner:
            for inner_line in block.lines:
                found += _loops_in(inner_line)
    return found


def _replaced(blocks: list[Block], b: int, i: int, line: Line) -> list[Block]:
    result = list(blocks)
    lines = list(blocks[b].lines)
    lines[i] = line
    result[b] = Block(blocks[b].header, lines)
    return result


def _rewrite(blocks: list[Block], at: tuple[int, int, Line],
             alias: tuple[str, str] | None) -> list[Block]:
    """The blocks without the alias line at `at`, the lines after it reading `b` for `a`
    (unless `alias` is None: the line restated what its name held); a block left empty goes."""
    b0, i0, _ = at
    result = []
    for b_index, block in enumerate(blocks):
        lines = []
        for i, line in enumerate(block.lines):
            if (b_index, i) == (b0, i0):
                continue
            lines.append(_renamed(line, *alias) if alias and (b_index, i) > (b0, i0) else line)
        if lines or not block.lines or b_index != b0:
            result.append(Block(block.header, lines))
    return result


class _Rename(ast.NodeTransformer):
    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id == self.old:
            return ast.copy_location(ast.Name(self.new, node.ctx), node)
        return node


def _renamed(line: Line, a: str, b: str) -> Line:
    statement = line.statement
    if isinstance(statement, BranchLines):
        test = _Rename(a, b).visit(copy.deepcopy(statement.test))
        body = [Block(k.header, [_renamed(x, a, b) for x in k.lines]) for k in statement.body]
        orelse = [Block(k.header, [_renamed(x, a, b) for x in k.lines]) for k in statement.orelse]
        return Line(BranchLines(test, body, orelse), line.comment)
    if isinstance(statement, LoopLines):
        body = [Block(k.header, [_renamed(x, a, b) for x in k.lines]) for k in statement.body]
        return Line(replace(statement, body=body), line.comment)
    if not any(isinstance(n, ast.Name) and n.id == a for n in ast.walk(statement)):
        return line  # the line does not read `a`: it stays as it is, not copied
    return Line(_Rename(a, b).visit(copy.deepcopy(statement)), line.comment)
