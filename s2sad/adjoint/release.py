"""Freeing arrays as soon as the gradient function no longer reads them.

A gradient function holds every forward value and every adjoint as a local
variable, so without help all of them live until it returns. Deleting each
right after the statement that reads it last keeps the peak memory close to
hand-written code's, which matters on GPUs and, through the allocator
returning freed pages to the system, for speed on CPUs too.
"""

from __future__ import annotations

import ast

from .blocks import Block, BranchLines, Line, LoopLines, line_nodes


def release_dead_values(forward: list[ast.stmt], blocks: list[Block],
                        keep: set[str]) -> tuple[list[ast.stmt], list[Block]]:
    """Insert `del` after the last reader of each name, except names in `keep`.

    Returns the forward statements, with one `del` at their end for values only the
    forward reads, and the blocks with theirs.
    """
    dying = _dying(forward, blocks, keep)
    released = [Block(block.header, _with_deletes(block.lines, b, dying)) for b, block in enumerate(blocks)]
    if (-1, 0) in dying and blocks:
        return [*forward, _delete(dying[(-1, 0)])], released
    return forward, released


def _dying(forward: list[ast.stmt], blocks: list[Block], keep: set[str]) -> dict[tuple[int, int], list[str]]:
    """The names to free after each top-level line of the blocks, by (block, line); at
    (-1, 0), those to free at the end of the forward."""
    assigned = _assigned(forward) | {
        name for block in blocks for line in block.lines for name in _assigned(line_nodes(line))
    }
    keep = keep | (_names(forward) | {
        name for block in blocks for line in block.lines for name in _names(line_nodes(line))
    }) - assigned
    # A name assigned inside an arm of an `if` may not exist on the path that ran.
    keep |= _assigned([s for stmt in forward if isinstance(stmt, (ast.If, ast.For, ast.While))
                       for s in ast.walk(stmt)])
    keep |= {
        name for block in blocks for line in block.lines
        if isinstance(line.statement, (BranchLines, LoopLines))
        for name in _assigned(line_nodes(line))
    }
    last: dict[str, tuple[int, int]] = {}
    for name in _names(forward):
        last[name] = (-1, 0)
    for b, block in enumerate(blocks):
        for i, line in enumerate(block.lines):
            for name in _names(line_nodes(line)):
                last[name] = (b, i)
    final = (len(blocks) - 1, len(blocks[-1].lines) - 1) if blocks else (-1, 0)
    dying: dict[tuple[int, int], list[str]] = {}
    for name, position in last.items():
        if name not in keep and position != final:
            dying.setdefault(position, []).append(name)
    return dying


def _with_deletes(lines: list[Line], b: int, dying: dict[tuple[int, int], list[str]]) -> list[Line]:
    """The lines of block `b`, each followed by the `del` of the names it reads last."""
    result = []
    for i, line in enumerate(lines):
        result.append(line)
        if (b, i) in dying:
            result.append(Line(_delete(dying[(b, i)])))
    return result


def _delete(names: list[str]) -> ast.Delete:
    return ast.Delete([ast.Name(n, ast.Del()) for n in sorted(names)])


def _assigned(statements: list[ast.AST]) -> set[str]:
    """Names the statements bind: only those are the gradient function's own to free."""
    return {
        n.id for s in statements for n in ast.walk(s)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _names(statements: list[ast.AST]) -> set[str]:
    return {n.id for s in statements for n in ast.walk(s) if isinstance(n, ast.Name)}
