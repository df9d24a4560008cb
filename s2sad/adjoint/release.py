"""Freeing arrays as soon as the gradient function no longer reads them.

A gradient function holds every forward value and every adjoint as a local
variable, so without help all of them live until it returns. Deleting each
right after the statement that reads it last keeps the peak memory close to
hand-written code's, which matters on GPUs and, through the allocator
returning freed pages to the system, for speed on CPUs too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..syntax import name_nodes
from .accumulate import VIEWS
from .blocks import Block, BranchLines, Line, LoopLines, line_nodes


def release_dead_values(forward: list[ast.stmt], blocks: list[Block], keep: set[str],
                        namespace: str) -> tuple[list[ast.stmt], list[Block]]:
    """Insert `del` after the last reader of each name, except names in `keep`;
    `namespace` names the array module (`xp.reshape(b, s)` is a view of `b`, not of `xp`).

    Returns the forward statements, with one `del` at their end for values only the
    forward reads, and the blocks with theirs.
    """
    dying = _dying(forward, blocks, keep, namespace)
    released = [Block(block.header, _with_deletes(block.lines, b, dying)) for b, block in enumerate(blocks)]
    if (-1, 0) in dying and blocks:
        return [*forward, _delete(dying[(-1, 0)])], released
    return forward, released


def _dying(forward: list[ast.stmt], blocks: list[Block], keep: set[str],
           namespace: str) -> dict[tuple[int, int], list[str]]:
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
    statements = [*forward, *(node for block in blocks for line in block.lines for node in line_nodes(line))]
    stores = _store_counts(statements)
    keep |= _numbers(statements, stores)
    final = (len(blocks) - 1, len(blocks[-1].lines) - 1) if blocks else (-1, 0)
    dying: dict[tuple[int, int], list[str]] = {}
    top = [s for s in forward if isinstance(s, ast.Assign)] + [
        line.statement for block in blocks for line in block.lines if isinstance(line.statement, ast.Assign)]
    for group in _aliases(stores, top, set(last), namespace):
        if group & keep:
            continue  # a name that is never freed holds the value: deleting the others frees nothing
        position = max(last[name] for name in group if name in last)
        if position != final:
            dying.setdefault(position, []).extend(group)
    return dying


def _numbers(statements: list[ast.AST], stores: dict[str, int]) -> set[str]:
    """Names bound once (`stores`), to a Python number: deleting one frees nothing."""
    return {
        n.targets[0].id for s in statements for n in _statements_in(s)
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
        and stores.get(n.targets[0].id) == 1 and isinstance(n.value, ast.Constant)
        and isinstance(n.value.value, (int, float, complex)) and not isinstance(n.value.value, bool)
    }


def _aliases(stores: dict[str, int], top: list[ast.Assign], names: set[str],
             namespace: str) -> list[set[str]]:
    """`names` grouped by the memory they hold: `a = b`, or `a` a view of `b` (`b[:, 0]`,
    `b.T`, `xp.reshape(b, s)`), among the statements `top` (outside any `if` or loop), each
    bound once (`stores` counts the bindings; `b` may be bound never, an argument), puts `a`
    with `b`; every other name is a group of its own. The memory lives until the last name
    of its group is deleted."""
    root: dict[str, str] = {}

    def find(name: str) -> str:
        while root.get(name, name) != name:
            name = root[name]
        return name

    for n in top:
        if len(n.targets) != 1 or not isinstance(n.targets[0], ast.Name) or stores.get(n.targets[0].id) != 1:
            continue
        for viewed in set(_viewed(n.value)) - {namespace}:
            if stores.get(viewed, 0) <= 1:
                a, b = find(n.targets[0].id), find(viewed)
                if a != b:
                    root[a] = b
    groups: dict[str, set[str]] = {}
    for name in names | set(root):
        groups.setdefault(find(name), set()).add(name)
    return list(groups.values())


def _viewed(value: ast.expr) -> list[str]:
    """The names whose memory `value` may be (a view of): `b` for `b`, `b[i]`, `b.T`,
    `b.reshape(s)` and `xp.reshape(b, s)` (the receiver and the first argument, for a call)."""
    if isinstance(value, ast.Subscript) or isinstance(value, ast.Attribute) and value.attr in ("T", "mT"):
        value = value.value
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in VIEWS:
        return [v.id for v in [value.func.value, *value.args[:1]] if isinstance(v, ast.Name)]
    return [value.id] if isinstance(value, ast.Name) else []


def _store_counts(statements: list[ast.AST]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in statements:
        for n in name_nodes(s):
            if isinstance(n.ctx, ast.Store):
                counts[n.id] = counts.get(n.id, 0) + 1
    return counts


def _statements_in(node: ast.AST) -> Iterator[ast.AST]:
    """`node` and the statements in its bodies, not looking into expressions."""
    yield node
    for field in ("body", "orelse"):
        for inner in getattr(node, field, None) or ():
            if isinstance(inner, ast.stmt):
                yield from _statements_in(inner)


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
        n.id for s in statements for n in name_nodes(s) if isinstance(n.ctx, ast.Store)
    }


def _names(statements: list[ast.AST]) -> set[str]:
    return {n.id for s in statements for n in name_nodes(s)}
