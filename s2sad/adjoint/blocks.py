"""The backward as data: blocks of lines, each block the backward of one forward line.

The reverse sweep builds them, the passes after it (tapes, release) return new ones, and
codegen writes them out. A line is a statement with an optional trailing comment, the
backward of an `if` (the blocks of each arm) or the backward of a loop (its iterations
in reverse, each restoring what the forward saved).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..ir import Assignment, Branch, Loop
from ..syntax import name_nodes


@dataclass(frozen=True)
class Tape:
    """What a loop's forward saves on a list and its backward pops back."""

    name: str
    popped: tuple[str, ...]
    """The names each pop restores, in the order they were saved."""
    saved: tuple[ast.expr, ...]
    """What the forward appends: the values (or their shapes) the names hold."""
    before_loop: bool = False
    """Appended once, before the loop, rather than at every iteration."""


@dataclass(frozen=True)
class BranchLines:
    """The backward of an `if`: the adjoints of the arm that ran."""

    test: ast.expr
    body: list[Block]
    orelse: list[Block]


@dataclass(frozen=True)
class LoopLines:
    """The backward of a loop: its iterations in reverse, each restoring what it saved."""

    loop: Loop
    body: list[Block]
    target: str
    """The backward loop's variable: the forward's index, or `_` for a `while` loop."""
    iterations: ast.expr
    """What the backward loop runs over: the forward's steps reversed, or their count."""
    restore_only: bool = False
    """No adjoint flows through the loop: the forward saves the carried values it overwrites
    once, before the loop, and the backward only restores them."""
    tape: Tape | None = None
    restores: tuple[ast.stmt, ...] = ()
    """`h_1 = h` for each carried value the body reads, then `h, ... = tape.pop()`."""


@dataclass(frozen=True)
class Line:
    """One generated statement (or a backward `if` or loop) and an optional trailing comment."""

    statement: ast.stmt | BranchLines | LoopLines
    comment: str | None = None


@dataclass(frozen=True)
class Block:
    """The backward of one forward source line, headed by that line."""

    header: str
    lines: list[Line] = field(default_factory=list)


def lines_in(blocks: list[Block], into_loops: bool = True) -> Iterator[Line]:
    """Every line of `blocks` in order, each before the lines of its arms or loop body
    (those of a loop body only if `into_loops`)."""
    for block in blocks:
        for line in block.lines:
            yield line
            if into_loops or not isinstance(line.statement, LoopLines):
                yield from lines_in(inner_blocks(line), into_loops)


def inner_blocks(line: Line) -> list[Block]:
    """The blocks inside a line: a backward `if`'s arms, a backward loop's body."""
    statement = line.statement
    if isinstance(statement, BranchLines):
        return statement.body + statement.orelse
    if isinstance(statement, LoopLines):
        return statement.body
    return []


def own_syntax(line: Line) -> list[ast.AST]:
    """The syntax a line holds itself, not counting the lines of its arms or loop body; for
    a backward loop, its restores and the forward loop's steps, index, test and trip count."""
    statement = line.statement
    if isinstance(statement, BranchLines):
        return [statement.test]
    if not isinstance(statement, LoopLines):
        return [statement]
    loop = statement.loop
    nodes: list[ast.AST] = [loop.steps, ast.Name(loop.index, ast.Store()), *statement.restores]
    if loop.test is not None:
        nodes.append(loop.test)
    if loop.trips is not None:
        nodes.append(ast.Name(loop.trips, ast.Load()))
    return nodes


def line_nodes(line: Line) -> list[ast.AST]:
    """The syntax inside a line, through any backward `if` or loop, for the names it uses."""
    return own_syntax(line) + [n for inner in lines_in(inner_blocks(line)) for n in own_syntax(inner)]


def names_in(blocks: list[Block], into_loops: bool = True) -> set[str]:
    """Every name the lines of `blocks` mention (outside loop bodies unless `into_loops`)."""
    return {n.id for line in lines_in(blocks, into_loops) for node in own_syntax(line)
            for n in name_nodes(node)}


def where(node: Loop | Branch | Assignment) -> str:
    """`line N`, with the call it was inlined from."""
    place = f"line {node.origin.lineno}"
    return f"{place} ({node.context})" if node.context else place


def header(node: Loop | Branch | Assignment) -> str:
    """A block's header: where the forward statement is, and the statement."""
    return f"{where(node)}: {node.statement}"


class Header(ast.stmt):
    """`# text` on a line of its own, before the statements of one forward line (`headed`),
    as a backward block is headed by the line it reverses."""

    _fields = ("text",)


def headed(statements: list[ast.stmt], current: str | None = None) -> list[ast.stmt]:
    """`statements` with a `Header` before the first statement of each forward line (as
    its `source_node` says, `current` the line before them), inside loops and branches too.
    A statement without a node, a phi's copy (`h = h_1`, where paths meet or the next
    iteration begins) and the next statement of the same line go under the header before
    them. The statements given are left as they are."""
    result: list[ast.stmt] = []
    for statement in statements:
        node = getattr(statement, "source_node", None)
        if isinstance(node, (Assignment, Branch, Loop)) and where(node) != current and not (
                isinstance(node, Assignment) and node.op == "phi"):
            result.append(Header(header(node)))
            current = where(node)
        if isinstance(statement, (ast.For, ast.While, ast.If)):
            statement = copy.copy(statement)
            statement.body = headed(statement.body, current)
            statement.orelse = headed(statement.orelse, current)
        result.append(statement)
    return result
