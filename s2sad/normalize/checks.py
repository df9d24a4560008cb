"""In-place writes that s2sad writes into new memory: where NumPy's result would differ.

NumPy's `y[i] = v` and `y += v` change y's memory, so every other name viewing that
memory (`v = y`, `v = y[0]`, `v = y.T`) sees the change. s2sad's forward computes the
updated array as a new value instead. The two agree unless a view of the old memory is
still read after the write: `refuse_stale_views` finds those, and `refuse_read_only_writes`
the writes into views that NumPy makes read-only.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..errors import Origin, UnsupportedSyntaxError
from ..ir import Assignment, Branch, Effect, Loop, Node, assignments
from ..parser import READ_ONLY_VIEW_OPS, VIEW_OPS
from ..syntax import name_nodes


@dataclass
class Write:
    """An in-place update in the user's code: `new` is `old` with the update applied."""

    new: str
    old: str
    origin: Origin
    statement: str
    arrays_only: bool = False
    """`s += v` on a name: in place only where `s` holds an array (or a list), not a number;
    which it holds is known when the gradient runs."""
    list_only: bool = False
    """`ys.append(v)`: the list changes, not the items in it, so only other names of the same
    list see the update, not the items read out of it."""


def refuse_read_only_writes(body: list[Node], writes: list[Write]) -> None:
    """Refuse a write into a read-only view (`sliding_window_view`): NumPy refuses it too."""
    producers = _producers(assignments(body))
    for write in writes:
        assignment = producers.get(write.old)
        seen: set[int] = set()
        while assignment is not None and assignment.op in VIEW_OPS and id(assignment) not in seen:
            seen.add(id(assignment))  # a loop's carried value can be a view of itself
            if assignment.op in READ_ONLY_VIEW_OPS:
                raise UnsupportedSyntaxError(
                    f"`{write.statement}` writes into a read-only view "
                    f"(`{assignment.op.removeprefix('numpy.')}`), which NumPy refuses",
                    write.origin, "write into a copy of it (`.copy()`)")
            source = assignment.args[0] if assignment.args else None
            assignment = producers.get(source.id) if isinstance(source, ast.Name) else None


@dataclass
class InPlaceGuard:
    """A write that NumPy makes in place only where it updates an array, and the views of
    that array read after it: `views` maps how the user wrote each to its name, `errors`
    to the located error to raise when the gradient runs and the memory is shared."""

    write: Write
    views: dict[str, str]
    errors: dict[str, UnsupportedSyntaxError]


def refuse_stale_views(body: list[Node], outputs: list[ast.expr], writes: list[Write],
                       spelling: dict[str, str]) -> list[InPlaceGuard]:
    """Refuse a write after which NumPy would show the update through another name that
    s2sad's forward leaves holding the old values: a view of the old memory, made before
    the write and read after it. `spelling` says how the user wrote each value.

    A write that is in place only for arrays is not refused here: it comes back as a guard,
    to check when the gradient runs whether the value it updates shares memory with a view.
    """
    guards: list[InPlaceGuard] = []
    if not writes:
        return guards
    flat = assignments(body)
    producers = _producers(flat)
    live_after: dict[int, set[str]] = {}
    _live(body, {n.id for o in outputs for n in name_nodes(o)},
          live_after)
    for write in writes:
        assignment = producers.get(write.new)
        if assignment is None:
            continue
        sharing = _sharing(flat, write.old, _ALIASES if write.list_only else None)
        stale = sorted((sharing - {write.new}) & live_after.get(id(assignment), set()))
        guard = InPlaceGuard(write, {}, {})
        for view in stale:
            shown = spelling.get(view, view)
            made = producers.get(view)
            where = f" (line {made.origin.lineno})" if made is not None else ""
            updated = spelling.get(write.old, write.old)
            error = UnsupportedSyntaxError(
                f"`{write.statement}` would also change `{shown}`{where} in NumPy, which shares "
                f"memory with it and is read after the update, but s2sad writes the update into "
                "new memory" + (f" (`{updated}` holds an array here, which `{write.statement}` "
                                "updates in place)" if write.arrays_only else ""),
                write.origin,
                f"compute `{shown}` after the update, or from a copy (`.copy()`)")
            if not write.arrays_only:
                raise error
            guard.views.setdefault(shown, view)
            guard.errors.setdefault(shown, error)
        if guard.views:
            guards.append(guard)
    return guards


def _producers(flat: list[Assignment]) -> dict[str, Assignment]:
    """The assignment that computes each name: a loop's carried name is also assigned by the
    `phi` that copies the next iteration's value back, which computes nothing."""
    producers: dict[str, Assignment] = {}
    for assignment in flat:
        if assignment.op != "phi":
            producers.setdefault(assignment.target, assignment)
    return producers


_ALIASES = frozenset({"identity", "phi"})
"""The operations whose result is the object itself: other names of the same list."""


def _sharing(flat: list[Assignment], name: str, through: frozenset[str] | None = None) -> set[str]:
    """The names that may view the memory of `name`, through views in either direction (or
    only through the operations `through`)."""
    sharing = {name}
    grown = True
    while grown:  # `v = x` makes v share x's memory, and x share v's
        grown = False
        for assignment in flat:
            source = assignment.args[0] if assignment.args else None
            viewed = _may_view(assignment) if through is None else assignment.op in through
            if viewed and isinstance(source, ast.Name) and (
                    (source.id in sharing) != (assignment.target in sharing)):
                sharing |= {source.id, assignment.target}
                grown = True
    return sharing


def _may_view(assignment: Assignment) -> bool:
    """Whether the value may be a view of its first operand: indexing by a list copies."""
    if assignment.op != "getitem":
        return assignment.op in VIEW_OPS
    index = assignment.args[1]
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    return not any(isinstance(part, (ast.List, ast.Tuple)) for part in parts)


def _reads(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    return {n.id for n in name_nodes(node)}


def _live(nodes: list[Node], live_out: set[str], live_after: dict[int, set[str]]) -> set[str]:
    """The names live before `nodes`, given those live after them; records in `live_after`
    the names live just after each assignment (by id)."""
    live = set(live_out)
    for node in reversed(nodes):
        if isinstance(node, Assignment):
            live_after[id(node)] = set(live)
            live.discard(node.target)
            live |= set().union(*map(_reads, [node.value, *node.args, *node.keywords.values()]))
        elif isinstance(node, Effect):
            live |= _reads(node.statement)
        elif isinstance(node, Branch):
            live = (_live(node.body, live, live_after) | _live(node.orelse, live, live_after)
                    | {node.test.id})
        elif isinstance(node, Loop):
            tested = _reads(node.steps) | _reads(node.test) | _reads(node.exit)
            around = live | tested
            while True:  # what the next iteration reads is live at the end of this one
                entry = _live(node.body, around, live_after)
                grown = around | entry
                if grown == around:
                    break
                around = grown
            live = around
    return live
