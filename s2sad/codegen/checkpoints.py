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
from ..syntax import assign, load, name_nodes
from .indexed_tapes import tape_call
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
        read = {n.id for n in name_nodes(statement)} - assigned
        forward = _undeleted(forward, read)
        backward[:loops[id(loop)]] = _undeleted(backward[:loops[id(loop)]], read)
    return forward, backward


def _can_checkpoint(loop: Loop) -> bool:
    return loop.test is None and loop.exit is None and not any(
        isinstance(node, Assignment) and is_draw(node.op) for node in walk(loop.body))


def _popped(reverse: ast.For) -> set[str]:
    """The tapes the backward loop pops (its own and its inner loops')."""
    return {node.value.func.value.id for node in ast.walk(reverse)
            if isinstance(node, ast.Assign) and tape_call(node.value, "pop", arguments=0)}


def _checkpointing_forward(loop: ast.For, tapes: set[str], carried: list[str], segment: str,
                           saved: str, names: NameAllocator) -> list[ast.stmt]:
    """The forward loop without its tapes, saving the carried values every `segment` steps."""
    position = names.fresh("position")
    body = _without_appends(copy.deepcopy(loop.body), tapes)
    save = ast.If(
        ast.Compare(ast.BinOp(load(position), ast.Mod(), load(segment)), [ast.Eq()],
                    [ast.Constant(0)]),
        [ast.Expr(ast.Call(ast.Attribute(load(saved), "append", ast.Load()),
                           [_values(carried)], []))], [])
    target = ast.Tuple([ast.Name(position, ast.Store()), copy.deepcopy(loop.target)], ast.Store())
    enumerated = ast.Call(load("enumerate"), [copy.deepcopy(loop.iter)], [])
    return [
        Comment("checkpointed: the values the loop carries, saved every `segment` (about √T) "
                "steps instead of a tape of every step"),
        assign(segment, ast.Call(load("_segment_length"), [copy.deepcopy(loop.iter)], [])),
        assign(saved, ast.List([], ast.Load())),
        ast.For(target, enumerated, [save, *body], [], None),
    ]


def _segmented_backward(loop: ast.For, reverse: ast.For, carried: list[str], segment: str,
                        saved: str, names: NameAllocator) -> ast.For:
    """The backward loop over the segments, last first: each segment's carried values
    restored, its forward run again with its tapes, then its backward."""
    start = names.fresh("start")
    steps = loop.iter
    part = ast.Subscript(copy.deepcopy(steps), ast.Slice(load(start), ast.BinOp(
        load(start), ast.Add(), load(segment))), ast.Load())
    popped = ast.Call(ast.Attribute(load(saved), "pop", ast.Load()), [], [])
    restore = ast.Assign([ast.Tuple([ast.Name(c, ast.Store()) for c in carried], ast.Store())
                          if len(carried) != 1 else ast.Name(carried[0], ast.Store())], popped)
    again = ast.For(copy.deepcopy(loop.target), copy.deepcopy(part), copy.deepcopy(loop.body),
                    [], None)
    backwards = ast.For(copy.deepcopy(reverse.target),
                        ast.Call(load("reversed"), [copy.deepcopy(part)], []),
                        copy.deepcopy(reverse.body), [], None)
    segments = ast.Call(load("range"), [ast.Constant(0), ast.Call(load("len"), [
        copy.deepcopy(steps)], []), load(segment)], [])
    body = [Comment("each segment, last first: its forward again, with its tape, then its backward"),
            restore, again, backwards]
    return ast.For(ast.Name(start, ast.Store()), ast.Call(load("reversed"), [segments], []),
                   body, [], None)


def _without_appends(statements: list[ast.stmt], tapes: set[str]) -> list[ast.stmt]:
    """The statements without their appends to `tapes`, at any depth."""

    def kept(statement: ast.stmt) -> ast.stmt | None:
        value = statement.value if isinstance(statement, ast.Expr) else None
        appends = tape_call(value, "append") and value.func.value.id in tapes
        return None if appends else statement

    return _rewritten(statements, kept)


def _undeleted(statements: list[ast.stmt], names: set[str]) -> list[ast.stmt]:
    """`statements` with `names` left out of their `del`s, at any depth."""

    def kept(statement: ast.stmt) -> ast.stmt | None:
        if isinstance(statement, ast.Delete):
            statement.targets = [t for t in statement.targets
                                 if not (isinstance(t, ast.Name) and t.id in names)]
            return statement if statement.targets else None
        return statement

    return _rewritten(statements, kept)


def _rewritten(statements: list[ast.stmt], kept) -> list[ast.stmt]:
    """The statements, each as `kept` gives it (None: left out), at any depth."""
    result = []
    for statement in statements:
        statement = kept(statement)
        if statement is None:
            continue
        for field in ("body", "orelse"):
            if isinstance(getattr(statement, field, None), list):
                setattr(statement, field, _rewritten(getattr(statement, field), kept)
                        or [ast.Pass()] * (field == "body"))
        result.append(statement)
    return result


def _stored(statement: ast.stmt) -> set[str]:
    return {n.id for n in name_nodes(statement) if isinstance(n.ctx, ast.Store)}


def _values(carried: list[str]) -> ast.expr:
    if len(carried) == 1:
        return load(carried[0])
    return ast.Tuple([load(c) for c in carried], ast.Load())


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
