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
from collections import Counter
from dataclasses import replace

from ..syntax import copied, name_nodes
from .blocks import Block, BranchLines, Line, LoopLines, line_nodes, own_syntax


def propagate_copies(forward: list[ast.stmt], blocks: list[Block], keep: set[str]) -> list[Block]:
    """The blocks without the alias lines that copy propagation removes."""
    reads, stores = Counter(), Counter()
    for node in forward:
        _count(node, reads, stores)
    for block in blocks:
        for line in block.lines:
            line_reads, line_stores = _usage(line)
            reads.update(line_reads)
            stores.update(line_stores)
    counts = _Counts(reads, stores, keep)
    try:
        changed = True
        while changed:  # a pass can open the way for an alias it has passed: pass again
            blocks, changed = _pass(blocks, counts)
        return _without_alias_headers(blocks)
    finally:
        _USAGES.clear()


class _Counts:
    """How often each name is read and bound in the whole function, kept up to date as
    alias lines go (so no pass counts them again), and the names the function keeps."""

    def __init__(self, reads: Counter, stores: Counter, keep: set[str]):
        self.reads, self.stores, self.keep = reads, stores, keep

    def removed(self, alias: tuple[str, str]) -> None:
        """The line `a = b` went."""
        a, b = alias
        self.stores[a] -= 1
        self.reads[b] -= 1

    def renamed(self, a: str, b: str) -> None:
        """The reads of `a` read `b` now."""
        self.reads[b] += self.reads.pop(a, 0)


def _pass(blocks: list[Block], counts: _Counts) -> tuple[list[Block], bool]:
    """One pass over the lines of `blocks` in order (then through their arms and loop
    bodies), each alias line propagated where it can be: the blocks, and whether any went."""
    entries = [[b, line] for b, block in enumerate(blocks) for line in block.lines]
    emptied = set()
    changed = False
    position = 0
    while position < len(entries):
        if _restated(entries[position][1]):  # `a = a`: nothing to do
            emptied.add(entries[position][0])
            del entries[position]
            changed = True
            continue
        alias = _alias(entries[position][1])
        if alias is None:
            position += 1
            continue
        if _restates(alias, entries, position):
            counts.removed(alias)
        elif _propagates(alias, entries, position, counts):
            counts.removed(alias)
            _rename_after(entries, position, alias, counts)
            counts.renamed(*alias)
        elif _rebinding_moved(entries, position, alias, counts):
            changed = True
            continue  # the alias may go now: look at it again
        else:
            position += 1
            continue
        emptied.add(entries[position][0])
        del entries[position]
        changed = True
    for entry in entries:
        line = entry[1]
        statement = line.statement
        if isinstance(statement, BranchLines):
            body, body_changed = _pass(statement.body, counts)
            orelse, orelse_changed = _pass(statement.orelse, counts)
            if body_changed or orelse_changed:
                entry[1] = Line(replace(statement, body=body, orelse=orelse), line.comment)
                changed = True
        elif isinstance(statement, LoopLines):
            body, body_changed = _pass(statement.body, counts)
            if body_changed:
                entry[1] = Line(replace(statement, body=body), line.comment)
                changed = True
    if not changed:
        return blocks, False
    by_block: list[list[Line]] = [[] for _ in blocks]
    for b, line in entries:
        by_block[b].append(line)
    # a block the pass left empty goes; one that was empty stays
    return [Block(block.header, lines) for b, (block, lines) in enumerate(zip(blocks, by_block))
            if lines or not block.lines or b not in emptied], True


def _rename_after(entries: list[list], position: int, alias: tuple[str, str],
                  counts: _Counts) -> None:
    """The lines after `position` that read `a` read `b` instead."""
    a, b = alias
    left = counts.reads[a]
    for entry in entries[position + 1:]:
        if left == 0:
            return
        read = _usage(entry[1])[0][a]
        if read:
            entry[1] = _renamed(entry[1], a, b)
            left -= read


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
    for n in name_nodes(node):
        (stores if isinstance(n.ctx, ast.Store) else reads)[n.id] += 1


def _restated(line: Line) -> bool:
    """`a = a`, which a renaming can leave."""
    statement = line.statement
    return isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
        and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Name) \
        and statement.targets[0].id == statement.value.id


def _alias(line: Line) -> tuple[str, str] | None:
    statement = line.statement
    if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Name)
            and statement.targets[0].id != statement.value.id):
        return statement.targets[0].id, statement.value.id
    return None


def _propagates(alias: tuple[str, str], entries: list[list], position: int,
                counts: _Counts) -> bool:
    a, b = alias
    if a in counts.keep or counts.stores[a] != 1:
        return False
    wanted = counts.reads[a]
    seen = 0
    for _, line in entries[position + 1:]:
        if seen == wanted:
            return True
        line_reads, line_stores = _usage(line)
        if line_reads[a]:
            simple = not isinstance(line.statement, (BranchLines, LoopLines))
            if not simple and (line_stores[b] or any(
                    isinstance(n, ast.Name) and n.id == a
                    for inner in _loops_in(line) for node in own_syntax(inner) for n in ast.walk(node))):
                return False
            seen += line_reads[a]
        if line_stores[b] and seen < wanted:
            return False
    return seen == wanted


def _rebinding_moved(entries: list[list], position: int, alias: tuple[str, str],
                     counts: _Counts) -> bool:
    """Move the line that rebinds `b` before the last read of `a` after that read, where
    that line and the reads after it are plain statements of one block and the move changes
    no value any of them reads; False where there is no such line or it cannot move."""
    a, b = alias
    if a in counts.keep or counts.stores[a] != 1:
        return False
    wanted, seen = counts.reads[a], 0
    last = None
    for index in range(position + 1, len(entries)):
        if seen == wanted:
            break
        read = _usage(entries[index][1])[0][a]
        if read:
            seen, last = seen + read, index
    if last is None or seen != wanted:
        return False
    rebinding = [i for i in range(position + 1, last) if _usage(entries[i][1])[1][b]]
    if len(rebinding) != 1:
        return False
    moving = rebinding[0]
    moved_reads, moved_stores = _usage(entries[moving][1])
    block_index = entries[moving][0]
    for i in range(moving + 1, last + 1):
        line_reads, line_stores = _usage(entries[i][1])
        if entries[i][0] != block_index or isinstance(entries[i][1].statement, (BranchLines, LoopLines)) or (
                line_reads[b] or line_reads.keys() & moved_stores.keys()
                or line_stores.keys() & (moved_reads.keys() | moved_stores.keys())):
            return False
    entries.insert(last, entries.pop(moving))
    return True


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


def _restates(alias: tuple[str, str], entries: list[list], position: int) -> bool:
    """`a = b` just after `b = a`, neither bound between: `a` already holds `b`'s value."""
    a, b = alias
    for index in range(position - 1, -1, -1):
        line = entries[index][1]
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


class _Rename(ast.NodeTransformer):
    """Renames `old` to `new` in place, in a copy of the syntax made for it."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id == self.old:
            node.id = self.new
        return node


def _renamed(line: Line, a: str, b: str) -> Line:
    statement = line.statement
    if isinstance(statement, BranchLines):
        test = _Rename(a, b).visit(copied(statement.test))
        body = [Block(k.header, [_renamed(x, a, b) for x in k.lines]) for k in statement.body]
        orelse = [Block(k.header, [_renamed(x, a, b) for x in k.lines]) for k in statement.orelse]
        return Line(BranchLines(test, body, orelse), line.comment)
    if isinstance(statement, LoopLines):
        body = [Block(k.header, [_renamed(x, a, b) for x in k.lines]) for k in statement.body]
        return Line(replace(statement, body=body), line.comment)
    if not _usage(line)[0][a]:
        return line  # the line does not read `a`: it stays as it is, not copied
    return Line(_Rename(a, b).visit(copied(statement)), line.comment)
