"""Tapes: what a loop's forward saves at each iteration and its backward restores.

The backward runs a loop's iterations in reverse, and each reads the values its forward
iteration read. The forward overwrites them (every iteration assigns the same names), so
it appends what the backward will read to a list, the tape, and each backward iteration
pops them back: the values the body defines and the backward reads (or only their shapes,
where the backward reads nothing else of them), and the values the loop carries, which
must be as they were before the loop once its backward is done. A loop no adjoint flows
through only saves, once, the carried values the backward reads after it.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from dataclasses import replace

from ..ir import Assignment, Branch, Loop, Node, assignments, walk
from ..syntax import name_nodes
from .activity import carried
from .blocks import Block, BranchLines, Line, LoopLines, Tape, lines_in, names_in, own_syntax


def fill_tapes(blocks: list[Block], shape_names: dict[str, str],
               fresh: Callable[[str], str]) -> list[Block]:
    """`blocks` with each loop's tape and restores decided, innermost loops first.

    `shape_names` maps the values whose shape a loop may save instead to the names their
    shapes are read by; `fresh` names each tape.
    """
    return _Taping(names_in(blocks), shape_names, fresh).top_level(blocks)


class _Taping:
    """Tapes the loops of one backward: each loop's body before the loop itself."""

    def __init__(self, everywhere: set[str], shape_names: dict[str, str], fresh: Callable[[str], str]):
        self.everywhere = everywhere
        """Every name the backward reads: what a loop inside another line must keep."""
        self.shape_names = shape_names
        self.fresh = fresh

    def top_level(self, blocks: list[Block]) -> list[Block]:
        result = []
        for position, block in enumerate(blocks):
            lines: list[Line] = []
            for index, line in enumerate(block.lines):
                around = None
                if isinstance(line.statement, LoopLines):
                    # What the backward reads beside this loop, from its block on.
                    around = names_in([Block(block.header, [*lines, *block.lines[index + 1:]]),
                                       *blocks[position + 1:]])
                lines.append(self.line(line, around))
            result.append(Block(block.header, lines))
        return result

    def nested(self, blocks: list[Block]) -> list[Block]:
        return [Block(b.header, [self.line(line, None) for line in b.lines]) for b in blocks]

    def line(self, line: Line, around: set[str] | None) -> Line:
        """`line` with the loops in it taped. `around`: for a loop at the top level, what the
        backward reads beside it from there on; inside another line, every name counts."""
        statement = line.statement
        if isinstance(statement, BranchLines):
            return replace(line, statement=replace(statement, body=self.nested(statement.body),
                                                   orelse=self.nested(statement.orelse)))
        if not isinstance(statement, LoopLines):
            return line
        untaped = replace(statement, body=self.nested(statement.body))
        later = self.everywhere if around is None else around | names_in([Block("", [Line(untaped)])])
        return replace(line, statement=_with_tape(untaped, later, self.shape_names, self.fresh))


def without_idle_loops(blocks: list[Block]) -> list[Block]:
    """`blocks` less the restore-only loops that restore nothing, and the backward `if`s
    left with nothing to do."""
    kept = []
    for block in blocks:
        lines = [line for line in map(_without_idle, block.lines) if line is not None]
        if lines or not block.lines:
            kept.append(Block(block.header, lines))
    return kept


def _without_idle(line: Line) -> Line | None:
    statement = line.statement
    if isinstance(statement, LoopLines):
        if statement.restore_only and statement.tape is None:
            return None
        return replace(line, statement=replace(statement, body=without_idle_loops(statement.body)))
    if isinstance(statement, BranchLines):
        body, orelse = without_idle_loops(statement.body), without_idle_loops(statement.orelse)
        test = statement.test
        if not body:
            if not orelse:
                return None
            test, body, orelse = ast.UnaryOp(ast.Not(), test), orelse, []
        return replace(line, statement=BranchLines(test, body, orelse))
    return line


def _with_tape(lines: LoopLines, later: set[str], shape_names: dict[str, str],
               fresh: Callable[[str], str]) -> LoopLines:
    """Decide what one loop saves: the values its iterations' backward reads."""
    loop = lines.loop
    carried_old = {old for old, _ in loop.carried}
    carried_new = {new: old for old, new in loop.carried}
    nested = _assigned_in_loops(loop.body)
    inside = {a.target for a in assignments(loop.body)} - carried_old - nested
    read = names_in(lines.body)
    # A value a nested loop leaves behind (its accumulator's last value), read where that
    # loop's backward has not yet restored it: each iteration saves its own.
    exits = (_loaded_around_loops(lines.body) & nested) - carried_old
    restored = [(carried_new[n], n) for n in sorted(read & set(carried_new))]
    # Restoring `h_1 = h` needs the earlier h back from the tape.
    carried_read = carried_old & (later | read) | {old for old, _ in restored}
    shapes = {shape: variable for variable, shape in shape_names.items()
              if variable in inside and shape in read}
    values = ((read & inside) | exits) - set(carried_new) - {loop.index}
    body = lines.body
    for shape, variable in list(shapes.items()):
        if variable in values:  # the value itself is saved: read its shape from it
            body = _renamed(body, shape, variable)
            del shapes[shape]
    popped = sorted(values) + sorted(shapes) + sorted(carried_read)
    if lines.restore_only:
        popped = sorted(carried_old & later)
    restores: list[ast.stmt] = [_assign(new, _load(old)) for old, new in restored]
    tape = None
    if popped:
        guards = {} if lines.restore_only else _guards(loop.body)
        saved = tuple(
            _guarded(_shape_of(shapes[n]) if n in shapes else _load(n), guards.get(shapes.get(n, n), []))
            for n in popped
        )
        tape = Tape(fresh("tape"), tuple(popped), saved, before_loop=lines.restore_only)
        restores.append(_pop(tape))
    return replace(lines, body=body, tape=tape, restores=tuple(restores))


def _pop(tape: Tape) -> ast.Assign:
    """`h, ... = tape.pop()`."""
    targets = [ast.Name(n, ast.Store()) for n in tape.popped]
    target = targets[0] if len(targets) == 1 else ast.Tuple(targets, ast.Store())
    return ast.Assign([target], ast.Call(ast.Attribute(_load(tape.name), "pop", ast.Load()), [], []))


def _shape_of(name: str) -> ast.Call:
    return ast.Call(ast.Name("_shape_of", ast.Load()), [_load(name)], [])


def _loaded_around_loops(blocks: list[Block]) -> set[str]:
    """The names the lines of `blocks` read outside the bodies of the loops among them: what
    a nested loop's backward reads once it has restored its own values is left out."""
    return {n.id for line in lines_in(blocks, into_loops=False) for node in own_syntax(line)
            for n in name_nodes(node) if isinstance(n.ctx, ast.Load)}


def _assigned_in_loops(nodes: list[Node]) -> set[str]:
    """The names assigned inside the loops among `nodes`, through branches: those loops save
    and restore them, so an enclosing loop need not."""
    return {a.target for node in walk(nodes) if isinstance(node, Loop) for a in assignments(node.body)}


def _renamed(blocks: list[Block], old: str, new: str) -> list[Block]:
    """`blocks` reading `new` wherever they read `old`."""
    return [Block(b.header, [_renamed_line(line, old, new) for line in b.lines]) for b in blocks]


def _renamed_line(line: Line, old: str, new: str) -> Line:
    statement = line.statement
    if isinstance(statement, BranchLines):
        renamed: ast.stmt | BranchLines | LoopLines = BranchLines(
            _rename(statement.test, old, new), _renamed(statement.body, old, new),
            _renamed(statement.orelse, old, new))
    elif isinstance(statement, LoopLines):
        renamed = replace(statement, body=_renamed(statement.body, old, new),
                          restores=tuple(_rename(s, old, new) for s in statement.restores))
    else:
        renamed = _rename(statement, old, new)
    return replace(line, statement=renamed)


def _rename(node, old: str, new: str):
    """A copy of the syntax `node`, reading `new` where it reads `old`."""
    return _Renamer(old, new).visit(copy.deepcopy(node))


class _Renamer(ast.NodeTransformer):
    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    def visit_Name(self, name: ast.Name) -> ast.Name:
        return ast.Name(self.new, name.ctx) if name.id == self.old else name


def _guards(nodes: list[Node], path: tuple = (), found: dict | None = None) -> dict[str, list]:
    """For each value a loop body defines, the branch conditions on the way to it.

    A value both arms define (a phi) exists whichever arm ran: its path stops at the branch.
    """
    found = {} if found is None else found
    for node in nodes:
        if isinstance(node, Assignment):
            _meet(found, node.target, list(path))
        elif isinstance(node, Branch):
            _guards(node.body, (*path, (node.test.id, True)), found)
            _guards(node.orelse, (*path, (node.test.id, False)), found)
        elif isinstance(node, Loop):
            # A variable the loop carries existed before it: its own assignment says where.
            loop_carried = {old for old, _ in node.carried} | carried(node.body)
            for name, inner in _guards(node.body, path).items():
                if name not in loop_carried:
                    _meet(found, name, inner)
    return found


def _meet(found: dict[str, list], name: str, path: list) -> None:
    """`name` is also defined on `path`: it exists under the conditions both paths share."""
    known = found.get(name)
    if known is None:
        found[name] = path
        return
    common = []
    for a, b in zip(known, path):
        if a != b:
            break
        common.append(a)
    found[name] = common


def _guarded(value: ast.expr, guards: list[tuple[str, bool]]) -> ast.expr:
    """`value if <the conditions under which it exists> else None`."""
    if not guards:
        return value
    tests = [_load(name) if taken else ast.UnaryOp(ast.Not(), _load(name)) for name, taken in guards]
    test = tests[0] if len(tests) == 1 else ast.BoolOp(ast.And(), tests)
    return ast.IfExp(test, value, ast.Constant(None))


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name(name, ast.Store())], value)
