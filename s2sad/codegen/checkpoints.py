"""Checkpointed loops (`s2sad.grad(f, checkpoint=True)`): the tape of a loop of T steps keeps
about √T saved states instead of T.

The forward runs the loop without its tape, saving the values the loop carries at the start
of every segment of √T iterations (`checkpoints`). The backward takes the segments last to
first: it restores the segment's carried values, runs the segment's forward again with its
tape, then the segment's backward, which pops that tape empty. Peak memory is √T
checkpoints and one segment's tape; the forward runs twice.

Only loops that can be run again as they ran are checkpointed: `for` loops at the top of the
function, without `break` (a `while` loop's iterations are known only as it runs) and
without random draws (run again, they would draw other numbers).
"""

from __future__ import annotations

import ast
import copy

from ..adjoint.forward import is_draw
from ..ir import Assignment, Loop, walk
from ..names import NameAllocator
from .render import Comment


def checkpointed(forward: list[ast.stmt], backward: list[ast.stmt], taken: set[str],
                 parameters: set[str]) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """`forward` and `backward` with each loop that can be checkpointed rewritten so
    (`parameters`: the function's, which hold values before any loop)."""
    names = NameAllocator(taken)
    loops = {}
    for position, statement in enumerate(backward):
        loop = getattr(statement, "source_node", None)
        if isinstance(statement, ast.For) and isinstance(loop, Loop) and _can_checkpoint(loop):
            loops[id(loop)] = position
    forward = list(forward)
    backward = list(backward)
    for position, statement in enumerate(forward):
        loop = getattr(statement, "source_node", None)
        if not (isinstance(statement, ast.For) and isinstance(loop, Loop) and id(loop) in loops):
            continue
        reverse = backward[loops[id(loop)]]
        tapes = _popped(reverse)
        if not tapes:
            continue
        segment, saved = names.fresh("segment"), names.fresh("checkpoints")
        assigned = _stored(statement)
        # What the loop (or a loop inside it) carries: the names it assigns that hold a
        # value when it begins.
        carried = sorted(assigned & (parameters | set().union(*map(_stored, forward[:position]))))
        if not carried:
            continue  # its iterations are independent: nothing to start a segment from
        forward[position:position + 1] = _checkpointing_forward(statement, tapes, carried,
                                                                segment, saved, names)
        backward[loops[id(loop)]] = _segmented_backward(statement, reverse, carried, segment,
                                                         saved, names)
        # The segments' forward runs again after the forward: what it reads stays alive.
        read = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)} - assigned
        forward = _undeleted(forward, read)
        backward[:loops[id(loop)]] = _undeleted(backward[:loops[id(loop)]], read)
    return forward, backward


def _can_checkpoint(loop: Loop) -> bool:
    return loop.test is None and loop.exit is None and not any(
        isinstance(node, Assignment) and is_draw(node.op) for node in walk(loop.body))


def _popped(reverse: ast.For) -> set[str]:
    """The tapes the backward loop pops (its own and its inner loops')."""
    return {node.value.func.value.id for node in ast.walk(reverse)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == "pop"
            and isinstance(node.value.func.value, ast.Name)}


def _checkpointing_forward(loop: ast.For, tapes: set[str], carried: list[str], segment: str,
                           saved: str, names: NameAllocator) -> list[ast.stmt]:
    """The forward loop without its tapes, saving the carried values every `segment` steps."""
    position = names.fresh("position")
    body = _without_appends(copy.deepcopy(loop.body), tapes)
    save = ast.If(
        ast.Compare(ast.BinOp(_load(position), ast.Mod(), _load(segment)), [ast.Eq()],
                    [ast.Constant(0)]),
        [ast.Expr(ast.Call(ast.Attribute(_load(saved), "append", ast.Load()),
                           [_values(carried)], []))], [])
    target = ast.Tuple([ast.Name(position, ast.Store()), copy.deepcopy(loop.target)], ast.Store())
    enumerated = ast.Call(_load("enumerate"), [copy.deepcopy(loop.iter)], [])
    return [
        Comment("checkpointed: the values the loop carries, saved every `segment` (about √T) "
                "steps instead of a tape of every step"),
        _assign(segment, ast.Call(_load("_segment_length"), [copy.deepcopy(loop.iter)], [])),
        _assign(saved, ast.List([], ast.Load())),
        ast.For(target, enumerated, [save, *body], [], None),
    ]


def _segmented_backward(loop: ast.For, reverse: ast.For, carried: list[str], segment: str,
                        saved: str, names: NameAllocator) -> ast.For:
    """The backward loop over the segments, last first: each segment's carried values
    restored, its forward run again with its tapes, then its backward."""
    start = names.fresh("start")
    steps = loop.iter
    part = ast.Subscript(copy.deepcopy(steps), ast.Slice(_load(start), ast.BinOp(
        _load(start), ast.Add(), _load(segment))), ast.Load())
    popped = ast.Call(ast.Attribute(_load(saved), "pop", ast.Load()), [], [])
    restore = ast.Assign([ast.Tuple([ast.Name(c, ast.Store()) for c in carried], ast.Store())
                          if len(carried) != 1 else ast.Name(carried[0], ast.Store())], popped)
    again = ast.For(copy.deepcopy(loop.target), copy.deepcopy(part), copy.deepcopy(loop.body),
                    [], None)
    backwards = ast.For(copy.deepcopy(reverse.target),
                        ast.Call(_load("reversed"), [copy.deepcopy(part)], []),
                        copy.deepcopy(reverse.body), [], None)
    segments = ast.Call(_load("range"), [ast.Constant(0), ast.Call(_load("len"), [
        copy.deepcopy(steps)], []), _load(segment)], [])
    body = [Comment("each segment, last first: its forward again, with its tape, then its backward"),
            restore, again, backwards]
    return ast.For(ast.Name(start, ast.Store()), ast.Call(_load("reversed"), [segments], []),
                   body, [], None)


def _without_appends(statements: list[ast.stmt], tapes: set[str]) -> list[ast.stmt]:
    """The statements without their appends to `tapes`, at any depth."""
    kept = []
    for statement in statements:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) \
                and isinstance(statement.value.func, ast.Attribute) \
                and statement.value.func.attr == "append" \
                and isinstance(statement.value.func.value, ast.Name) \
                and statement.value.func.value.id in tapes:
            continue
        for field in ("body", "orelse"):
            if isinstance(getattr(statement, field, None), list):
                setattr(statement, field, _without_appends(getattr(statement, field), tapes)
                        or [ast.Pass()] * (field == "body"))
        kept.append(statement)
    return kept


def _stored(statement: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Store)}


def _values(carried: list[str]) -> ast.expr:
    if len(carried) == 1:
        return _load(carried[0])
    return ast.Tuple([_load(c) for c in carried], ast.Load())


def _undeleted(statements: list[ast.stmt], names: set[str]) -> list[ast.stmt]:
    """`statements` with `names` left out of their `del`s, at any depth."""
    kept = []
    for statement in statements:
        if isinstance(statement, ast.Delete):
            statement.targets = [t for t in statement.targets
                                 if not (isinstance(t, ast.Name) and t.id in names)]
            if not statement.targets:
                continue
        for field in ("body", "orelse"):
            if isinstance(getattr(statement, field, None), list):
                setattr(statement, field, _undeleted(getattr(statement, field), names)
                        or [ast.Pass()] * (field == "body"))
        kept.append(statement)
    return kept


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name(name, ast.Store())], value)
