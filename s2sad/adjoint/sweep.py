"""The reverse sweep: adjoint blocks for each statement, accumulation of contributions.

The sweep visits the forward statements in reverse. For each one whose
output has an adjoint, it instantiates the operation's template and turns
each contribution into code: the first contribution to an adjoint assigns
it, later ones add to it. It tracks which adjoints own their memory, so an
addition can happen in place and no gradient handed to the caller aliases
another array.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..ir import (
    Assignment,
    Branch,
    Loop,
    Node,
    Program,
    assignments,
    control_nodes,
    index_expression,
)
from ..names import NameAllocator
from .activity import Activity
from .instantiate import Contribution, Local, Scatter, instantiate
from .shapes import Shapes

# Functions of the array namespace whose result may share memory with their first argument.
_VIEWS = {"transpose", "reshape", "broadcast_to", "swapaxes", "moveaxis", "squeeze",
          "expand_dims", "ravel", "asarray", "permute_dims", "flip", "fliplr", "flipud", "rot90",
          "diag", "diagonal"}
_PASS_THROUGH_HELPERS = {"_unbroadcast", "_joined_part"}  # may return a view of their first argument

# Calls that read an argument only for its shape, or for its shape and dtype:
# (function or helper name, argument position) → whether the dtype matters.
_SHAPE_READS = {
    ("_unbroadcast", 1): False,
    ("_expand_reduced", 1): False,
    ("_reduced_size", 0): False,
    ("full_like", 0): True,
    ("zeros_like", 0): True,
    ("_spread", 1): True,
}

OWNED, BORROWED = "owned", "borrowed"


@dataclass
class Line:
    """One generated statement (or a backward `if`) and an optional trailing comment."""

    statement: ast.stmt | BranchLines | LoopLines
    comment: str | None = None


@dataclass
class BranchLines:
    """The backward of an `if`: the adjoints of the arm that ran."""

    test: ast.expr
    body: list[Block]
    orelse: list[Block]


@dataclass
class LoopLines:
    """The backward of a loop: its iterations in reverse, each restoring what it saved."""

    loop: Loop
    body: list[Block]
    tape: str | None = None
    taped: list[str] = field(default_factory=list)
    saved: list[ast.expr] = field(default_factory=list)
    restored: list[tuple[str, str]] = field(default_factory=list)
    restore_only: bool = False
    """No adjoint flows through the loop: the forward saves the carried values it overwrites
    once, before the loop, and the backward only restores them."""

    def restore_lines(self) -> list[ast.stmt]:
        """`h_1 = h` for each carried value the body read, then `h, ... = tape.pop()`."""
        lines: list[ast.stmt] = [_assign(new, _load(old)) for old, new in self.restored]
        if self.tape:
            targets = [ast.Name(n, ast.Store()) for n in self.taped]
            target = targets[0] if len(targets) == 1 else ast.Tuple(targets, ast.Store())
            pop = ast.Call(ast.Attribute(_load(self.tape), "pop", ast.Load()), [], [])
            lines.append(ast.Assign([target], pop))
        return lines


def line_nodes(line: Line) -> list[ast.AST]:
    """The syntax inside a line, through any backward `if` or loop, for the names it uses."""
    statement = line.statement
    if isinstance(statement, BranchLines):
        nodes: list[ast.AST] = [statement.test]
        blocks = statement.body + statement.orelse
    elif isinstance(statement, LoopLines):
        nodes = [statement.loop.steps, ast.Name(statement.loop.index, ast.Store()),
                 *statement.restore_lines()]
        if statement.loop.test is not None:
            nodes.append(statement.loop.test)
        if statement.loop.trips is not None:
            nodes.append(_load(statement.loop.trips))
        blocks = statement.body
    else:
        return [statement]
    for block in blocks:
        for inner in block.lines:
            nodes += line_nodes(inner)
    return nodes


@dataclass
class Block:
    """The backward of one forward source line."""

    header: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Sweep:
    """The backward code and what it needs from the forward."""

    blocks: list[Block]
    state: dict[str, str]
    helpers: set[str]
    loops: list[LoopLines] = field(default_factory=list)


class ReverseSweep:
    def __init__(self, program: Program, activity: Activity, useful: set[str],
                 names: NameAllocator, adjoint_names: dict[str, str], namespace: str,
                 numbers: frozenset[str] = frozenset(), number_lists: frozenset[str] = frozenset()):
        self.program = program
        self.activity = activity
        self.useful = useful
        self.names = names
        self.adjoint_names = adjoint_names
        self.namespace = namespace
        self.shapes = Shapes(program, activity, numbers, number_lists)
        self.state: dict[str, str] = {}
        self.helpers: set[str] = set()
        self.readers = self._count_readers()
        self.commented: set[str] = set()
        self.loops: list[LoopLines] = []
        self.loop_invariants: set[str] = set()
        self.loop_locals: list[set[str]] = []
        self.shape_names: dict[str, str] = {}
        self.containers = possible_containers(program, activity)

    def zeros(self, variable: str) -> ast.Call:
        """Zeros for the adjoint of `variable`: `xp.zeros_like`, or `_zeros_like` where the
        variable may be a list or tuple of arrays."""
        if variable in self.containers:
            self.helpers.add("_zeros_like")
            return ast.Call(ast.Name("_zeros_like", ast.Load()), [_load(variable)], [])
        return ast.Call(_attribute(self.namespace, "zeros_like"), [_load(variable)], [])

    def adjoint(self, variable: str) -> str:
        """`d<variable>`, or a variant that collides with nothing."""
        if variable not in self.adjoint_names:
            self.adjoint_names[variable] = self.names.fresh("d" + variable)
        return self.adjoint_names[variable]

    def seed(self, variable: str, seed: str) -> None:
        """The output `variable`'s adjoint arrives as the parameter `seed`."""
        self.adjoint_names[variable] = seed
        self.state[variable] = BORROWED

    def run(self) -> Sweep:
        blocks = self._sweep(self.program.body)
        self._fill_tapes(blocks)
        self.loops = [lines for lines in self.loops if lines.tape or not lines.restore_only]
        return Sweep(_without_idle_loops(blocks), self.state, self.helpers, self.loops)

    def _sweep(self, nodes: list[Node]) -> list[Block]:
        blocks: list[Block] = []
        for node in reversed(nodes):
            if isinstance(node, (Branch, Loop)):
                block = self._branch(node) if isinstance(node, Branch) else self._loop(node, blocks)
                if block is not None:
                    blocks.append(block)
            elif isinstance(node, Assignment):
                self._assignment(node, blocks)
        return blocks

    def _branch(self, branch: Branch) -> Block | None:
        """The backward of an `if`: each arm's adjoints, the adjoint states merged after."""
        before = dict(self.state)
        then_blocks = self._sweep(branch.body)
        then_state, self.state = self.state, dict(before)
        else_blocks = self._sweep(branch.orelse)
        else_state = self.state
        inside = self._local_to(branch.body + branch.orelse)
        merged = {v: s for v, s in before.items() if v not in inside}
        for variable in sorted((then_state.keys() | else_state.keys()) - inside):
            states = (then_state.get(variable), else_state.get(variable))
            for state, blocks in zip(states, (then_blocks, else_blocks)):
                if state is None:
                    zeros = self.zeros(variable)
                    if not blocks:
                        blocks.append(Block("nothing flows back through this arm"))
                    blocks[-1].lines.append(Line(_assign(self.adjoint(variable), zeros)))
            merged[variable] = OWNED if all(s in (None, OWNED) for s in states) else BORROWED
        self.state = merged
        if not then_blocks and not else_blocks:
            return None
        where = f"line {branch.origin.lineno}"
        if branch.context:
            where += f" ({branch.context})"
        test: ast.expr = branch.test
        if not then_blocks:
            test, then_blocks, else_blocks = ast.UnaryOp(ast.Not(), test), else_blocks, []
        return Block(f"{where}: {branch.statement}", [Line(BranchLines(test, then_blocks, else_blocks))])

    def _local_to(self, nodes: list[Node]) -> set[str]:
        """Names only `nodes` assign: a loop inside them may also reassign an outer variable."""
        inner = {id(a) for a in assignments(nodes)}
        outside = {p.name for p in self.program.params} | {
            a.target for a in assignments(self.program.body) if id(a) not in inner}
        return {a.target for a in assignments(nodes)} - outside

    def _loop(self, loop: Loop, blocks: list[Block]) -> Block | None:
        """The backward of a loop: zeroed accumulators before it, its iterations in reverse."""
        inside = {a.target for a in assignments(loop.body)}
        # A variable a nested loop carries is carried by this loop too if it lives outside it.
        in_loop = {id(a) for a in assignments(loop.body)}
        defined_outside = set(self.program.adjoint_names) | {
            a.target for a in assignments(self.program.body) if id(a) not in in_loop}
        carried = {old for old, _ in loop.carried} | (_nested_carried(loop.body) & (
            defined_outside | {p.name for p in self.program.params}))
        contributed = {
            variable for a in assignments(loop.body) if a.target in self.useful
            for variable in self.activity.active_inputs(a).values()
        }
        if not contributed and not carried & self.state.keys():
            if not carried:
                return None
            # No adjoint flows through the loop, but the backward of earlier lines may read the
            # values it overwrote: the forward saves them before the loop, the backward restores.
            lines = LoopLines(loop, [], restore_only=True)
            self.loops.append(lines)
            return Block(f"{self._where(loop)}: {loop.statement} (restore what it overwrote)",
                         [Line(lines)])
        setup: list[Line] = []
        for variable in sorted((contributed - inside) | (carried & self.useful)):
            state = self.state.get(variable)
            name = self.adjoint(variable)
            if state is None:
                setup.append(Line(_assign(name, self.zeros(variable))))
            elif state == BORROWED and variable not in carried:
                copy = ast.Call(_attribute(self.namespace, "array"), [_load(name)],
                                [ast.keyword("copy", ast.Constant(True))])
                setup.append(Line(_assign(name, copy), "accumulated in place below"))
            self.state[variable] = BORROWED if variable in carried else OWNED
        self.loop_invariants |= contributed - inside
        # A value an inner loop carries is restored by that loop: read it, not a saved shape.
        self.loop_locals.append(inside - carried - _nested_carried(loop.body))
        body = self._sweep(loop.body)
        self.loop_locals.pop()
        for variable in sorted(carried & self.useful):
            if variable not in self.state:
                zeros = self.zeros(variable)
                body.append(Block("the loop reads no earlier value", [Line(_assign(self.adjoint(variable),
                                                                                    zeros))]))
            self.state[variable] = BORROWED
        for variable in inside - carried:
            self.state.pop(variable, None)
        where = self._where(loop)
        lines = LoopLines(loop, body)
        self.loops.append(lines)
        header = f"{where}: {loop.statement}"
        if setup:
            blocks.append(Block(f"{where}: before the loop, adjoints that every iteration adds to",
                                setup))
        return Block(header, [Line(lines)])

    @staticmethod
    def _where(node: Loop | Branch | Assignment) -> str:
        """`line N`, with the call it was inlined from."""
        where = f"line {node.origin.lineno}"
        return f"{where} ({node.context})" if node.context else where

    def _fill_tapes(self, blocks: list[Block]) -> None:
        """Decide what each loop saves: the values its iterations' backward reads."""
        everywhere = _names_read(blocks)
        top_level = {id(line.statement): position for position, b in enumerate(blocks)
                     for line in b.lines}
        for lines in self.loops:
            loop = lines.loop
            # What the backward reads once this loop's backward is done: the loop must leave
            # those carried values as they were before it. (A nested loop runs again and again.)
            position = top_level.get(id(lines))
            later = everywhere if position is None else _names_read(blocks[position:])
            carried_new = {new: old for old, new in loop.carried}
            nested = _assigned_in_loops(loop.body)
            inside = {a.target for a in assignments(loop.body)} - {old for old, _ in loop.carried}
            inside -= nested
            read = {n.id for b in lines.body for line in b.lines for node in line_nodes(line)
                    for n in ast.walk(node) if isinstance(n, ast.Name)}
            # A value a nested loop leaves behind (its accumulator's last value), read where that
            # loop's backward has not yet restored it: each iteration saves its own.
            exits = (_names_read_around_loops(lines.body) & nested) - {
                old for old, _ in loop.carried}
            lines.restored = [(carried_new[n], n) for n in sorted(read & set(carried_new))]
            # Restoring `h_1 = h` needs the earlier h back from the tape.
            carried_read = {old for old, _ in loop.carried} & (later | read) | {
                old for old, _ in lines.restored}
            shapes = {shape: variable for variable, shape in self.shape_names.items()
                      if variable in inside and shape in read}
            values = ((read & inside) | exits) - set(carried_new) - {loop.index}
            for shape, variable in list(shapes.items()):
                if variable in values:  # the value itself is saved: read its shape from it
                    _rename(lines.body, shape, variable)
                    del shapes[shape]
            taped = sorted(values) + sorted(shapes)
            taped += sorted(carried_read)
            if lines.restore_only:
                taped = sorted({old for old, _ in loop.carried} & later)
            if taped:
                lines.tape = self.names.fresh("tape")
                lines.taped = taped
                shape = ast.Name("_shape_of", ast.Load())
                self.helpers.add("_shape_of")
                guards = {} if lines.restore_only else _guards(loop.body)
                lines.saved = [
                    _guarded(ast.Call(shape, [_load(shapes[n])], []) if n in shapes else _load(n),
                             guards.get(shapes.get(n, n), []))
                    for n in taped
                ]

    def _assignment(self, assignment: Assignment, blocks: list[Block]) -> None:
        component = self.activity.component(assignment)
        if component is not None:
            self._component(assignment, component, blocks)
            return
        template = self.activity.template(assignment)
        components = _component_keys(assignment.target, template, self.state)
        if assignment.op == "leaf":
            return  # a dict argument's leaf: its adjoint goes into the dict's gradient
        if not any(c in self.state for c in components or [assignment.target]):
            return
        active = self.activity.active_inputs(assignment)
        if not active or assignment.target not in self.useful:
            # The target's adjoint flows nowhere: an earlier value of a reassigned name
            # (a loop's carried variable) must not inherit it.
            for key in components or [assignment.target]:
                self.state.pop(key, None)
            return
        items, helpers = instantiate(
            assignment,
            template,
            self.activity.binding(assignment),
            active,
            self.adjoint,
            self.names.fresh,
            self.namespace,
            self.program.constants,
            self._component_renames(assignment.target, template),
        )
        self.helpers |= helpers
        where = f"line {assignment.origin.lineno}"
        if assignment.context:
            where += f" ({assignment.context})"
        header = f"{where}: {assignment.statement}"
        if not blocks or blocks[-1].header != header:
            blocks.append(Block(header))
        blocks[-1].lines.extend(self._lines(assignment, items))
        # The target's adjoint is used up: a loop's carried variable starts afresh.
        for key in components or [assignment.target]:
            self.state.pop(key, None)

    def _component(self, assignment: Assignment, component: tuple[str, int],
                   blocks: list[Block]) -> None:
        """`w = pair[0]`: dw is (or adds to) the adjoint of the tuple's first component."""
        target = assignment.target
        if target not in self.state or target not in self.useful:
            self.state.pop(target, None)
            return
        key = _component_key(*component)
        if key not in self.state:
            self.adjoint_names[key] = self.adjoint(target)
            self.state[key] = self.state.pop(target)
            return
        header = f"{self._where(assignment)}: {assignment.statement}"
        if not blocks or blocks[-1].header != header:
            blocks.append(Block(header))
        fresh = self.state.get(target) == OWNED
        blocks[-1].lines.extend(self.accumulate(key, _load(self.adjoint(target)), fresh))
        self.state.pop(target, None)

    def _component_renames(self, whole: str, template) -> dict[str, ast.expr]:
        """A multi-output rule's component names → their values; their adjoints → the adjoints
        that flowed to them, or zeros."""
        renames: dict[str, ast.expr] = {}
        outputs = template.outputs if template else ()
        if outputs and outputs[0].startswith("*"):
            # A result of any length (np.split): its adjoints, by position, where they flowed.
            flowed = sorted(int(key[len(whole) + 1:-1]) for key in self.state
                            if key.startswith(whole + "[") and key.endswith("]"))
            keys = [ast.Constant(position) for position in flowed]
            values = [_load(self.adjoint_names[_component_key(whole, p)]) for p in flowed]
            return {outputs[0][1:]: _load(whole), "d" + outputs[0][1:]: ast.Dict(keys, values)}
        for position, name in enumerate(outputs):
            read = self.activity.component_values.get((whole, position))
            value = _load(read) if read else ast.Subscript(_load(whole), ast.Constant(position),
                                                           ast.Load())
            renames[name] = value
            key = _component_key(whole, position)
            if key in self.state:
                renames["d" + name] = _load(self.adjoint_names[key])
            else:
                renames["d" + name] = ast.Call(_attribute(self.namespace, "zeros_like"),
                                               [value], [])
        return renames

    # ---- contributions ------------------------------------------------------
    def _lines(self, assignment: Assignment, items) -> list[Line]:
        target = assignment.target
        lines: list[Line] = []
        incoming = self.adjoint(target)
        uses = sum(
            1 for item in items if not isinstance(item, Local)
            for n in ast.walk(item.value) if isinstance(n, ast.Name) and n.id == incoming
        )
        movable = {incoming} if uses == 1 and self.state.get(target) == OWNED else set()
        template = self.activity.template(assignment)
        for item in items:
            if isinstance(item, Local):
                self._read_earlier_shapes(item.statement)
                lines.append(Line(item.statement))
            elif isinstance(item, Contribution):
                value = item.value
                if template.broadcasts and not self.shapes.same(item.variable, target):
                    value = ast.Call(ast.Name("_unbroadcast", ast.Load()),
                                     [value, ast.Name(item.variable, ast.Load())], [])
                    self.helpers.add("_unbroadcast")
                self._read_earlier_shapes(value)
                lines.extend(self.accumulate(item.variable, value, _fresh(value, movable)))
            else:
                self._read_earlier_shapes(item.value)
                lines.extend(self.scatter(item))
        return lines

    def _read_earlier_shapes(self, node: ast.AST) -> None:
        """Where a rule reads a value only for its shape, read the earliest value of that shape.

        The forward then need not compute (or keep) the later value for the backward's sake.
        """
        for call in ast.walk(node):
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            for position, argument in enumerate(call.args):
                dtype = _SHAPE_READS.get((name, position))
                if dtype is not None and isinstance(argument, ast.Name):
                    argument.id = self.shapes.shape_proxy(argument.id, dtype)
                    if name == "_unbroadcast" and any(argument.id in s for s in self.loop_locals):
                        # A loop saves this value's shape for the backward, not the value.
                        argument.id = self.shape_name(argument.id)
        for attribute in ast.walk(node):
            if isinstance(attribute, ast.Attribute) and attribute.attr in ("shape", "size", "ndim") \
                    and isinstance(attribute.value, ast.Name):
                attribute.value.id = self.shapes.shape_proxy(attribute.value.id, False)

    def shape_name(self, variable: str) -> str:
        """`x_shape`: the shape of `x`, as saved on a loop's tape."""
        if variable not in self.shape_names:
            self.shape_names[variable] = self.names.fresh(f"{variable}_shape")
        return self.shape_names[variable]

    def accumulate(self, variable: str, value: ast.expr, fresh: bool) -> list[Line]:
        """`dv = value` for the first contribution, `dv += value` or `dv = dv + value` after."""
        name = self.adjoint(variable)
        state = self.state.get(variable)
        if state is None:
            self.state[variable] = OWNED if fresh else BORROWED
            return [Line(_assign(name, value))]
        comment = self._shared_comment(variable)
        if state == OWNED:
            statement: ast.stmt = ast.AugAssign(_store(name), ast.Add(), value)
        else:
            statement = _assign(name, ast.BinOp(_load(name), ast.Add(), value))
            self.state[variable] = OWNED
        return [Line(statement, comment)]

    def scatter(self, item: Scatter) -> list[Line]:
        """Add into a region of an adjoint, giving it memory of its own first."""
        name = self.adjoint(item.variable)
        state = self.state.get(item.variable)
        lines = []
        comment = None
        if state is None:
            lines.append(Line(_assign(name, self.zeros(item.variable))))
        else:
            comment = self._shared_comment(item.variable)
            if state == BORROWED:
                lines.append(Line(_assign(name, ast.Call(_attribute(name, "copy"), [], []))))
        self.state[item.variable] = OWNED
        if _is_basic_index(item.index, self.shapes.integers):
            region = ast.Subscript(_load(name), item.index, ast.Store())
            lines.append(Line(ast.AugAssign(region, ast.Add(), item.value), comment))
        elif item.variable in self.containers:
            self.helpers.add("_add_at")
            call = ast.Call(ast.Name("_add_at", ast.Load()),
                            [_load(name), index_expression(item.index), item.value], [])
            lines.append(Line(ast.Expr(call), comment))
        else:
            add_at = ast.Attribute(_attribute(self.namespace, "add"), "at", ast.Load())
            call = ast.Call(add_at, [_load(name), index_expression(item.index), item.value], [])
            lines.append(Line(ast.Expr(call), comment))
        return lines

    def _shared_comment(self, variable: str) -> str | None:
        if variable in self.commented:
            return None
        self.commented.add(variable)
        count = self.readers.get(variable, 2)
        if count == 1 and variable in self.loop_invariants:
            return f"{variable} is read at every iteration"
        times = "twice" if count == 2 else f"{count} times"
        return f"{variable} is read {times}"

    def _count_readers(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for assignment in assignments(self.program.body):
            if assignment.target not in self.useful:
                continue
            for variable in self.activity.active_inputs(assignment).values():
                counts[variable] = counts.get(variable, 0) + 1
        return counts


def _nested_carried(nodes: list[Node]) -> set[str]:
    """The variables the loops inside `nodes` carry from iteration to iteration."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, Loop):
            found |= {old for old, _ in node.carried} | _nested_carried(node.body)
        elif isinstance(node, Branch):
            found |= _nested_carried(node.body) | _nested_carried(node.orelse)
    return found


_LIST_OPS = {"sequence", "list.append", "method.tolist"}


def possible_containers(program: Program, activity: Activity) -> set[str]:
    """The variables that may hold a list or tuple of arrays: lists the function builds, and
    parameters it only indexes, iterates or measures (their gradient is then a list too)."""
    flat = assignments(program.body)
    lists = {a.target for a in flat if a.op in _LIST_OPS}
    grown = True
    while grown:  # a list's new value at the end of a loop iteration, or where arms meet
        grown = False
        for a in flat:
            if a.op in ("phi", "identity") and a.target not in lists and any(
                    isinstance(n, ast.Name) and n.id in lists for n in a.args):
                lists.add(a.target)
                grown = True
    return (lists | set(indexed_parameters(program))) & activity.varied


def indexed_parameters(program: Program, indices: set[str] | None = None) -> list[str]:
    """The parameters the function reads only one element at a time (`k[i]`, `k[0]`) or
    measures (`len(k)`): they may be lists. `indices`, if given, are the only names an
    index may be (a loop's index); integers always may."""
    flat = assignments(program.body)

    def element_read(a: Assignment) -> bool:
        if a.op == "builtins.len" and indices is None:
            return True
        index = a.args[1] if a.op == "getitem" else None
        return index is not None and is_element_index(index) and (
            indices is None or not isinstance(index, ast.Name) or index.id in indices)

    # A parameter the body rebinds (a loop carries it, a branch's phi assigns it) reads
    # another value after the rebinding: its reads are not all of the argument.
    rebound = {a.target for a in flat} | {outer for node in control_nodes(program.body)
                                          if isinstance(node, Loop) for outer, _ in node.carried}
    found = []
    for parameter in program.params:
        if parameter.name in rebound:
            continue
        readers = [a for a in flat if any(isinstance(n, ast.Name) and n.id == parameter.name
                                          for arg in a.args for n in ast.walk(arg))]
        if readers and all(isinstance(a.args[0], ast.Name) and a.args[0].id == parameter.name
                           and element_read(a) for a in readers):
            found.append(parameter.name)
    return found


def is_element_index(index: ast.expr) -> bool:
    """An index that could pick one element of a list: a name or an integer, not `[:, None]`."""
    if isinstance(index, ast.UnaryOp):
        index = index.operand
    return isinstance(index, ast.Name) or isinstance(index, ast.Constant) and type(index.value) is int


def _names_read(blocks: list[Block]) -> set[str]:
    """Every name the lines of `blocks` mention."""
    return {n.id for b in blocks for line in b.lines for node in line_nodes(line)
            for n in ast.walk(node) if isinstance(n, ast.Name)}


def _names_read_around_loops(blocks: list[Block]) -> set[str]:
    """The names the lines of `blocks` read outside the bodies of the loops among them: what
    a nested loop's backward reads once it has restored its own values is left out."""
    found: set[str] = set()
    for block in blocks:
        for line in block.lines:
            statement = line.statement
            if isinstance(statement, LoopLines):
                loop = statement.loop
                nodes: list[ast.AST] = [loop.steps, *statement.restore_lines()]
                nodes += [n for n in (loop.test, loop.trips and _load(loop.trips)) if n]
            elif isinstance(statement, BranchLines):
                found |= _names_read_around_loops(statement.body + statement.orelse)
                nodes = [statement.test]
            else:
                nodes = [statement]
            found |= {n.id for node in nodes for n in ast.walk(node)
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return found


def _component_key(whole: str, position: int) -> str:
    """The sweep's name for one component of a multi-output rule's tuple."""
    return f"{whole}[{position}]"


def _component_keys(target: str, template, state: dict[str, str]) -> list[str]:
    """The sweep's names for the components of a multi-output rule's result `target`."""
    if not template or not template.outputs:
        return []
    if template.outputs[0].startswith("*"):
        return [key for key in state if key.startswith(target + "[") and key.endswith("]")]
    return [_component_key(target, k) for k in range(len(template.outputs))]


def _without_idle_loops(blocks: list[Block]) -> list[Block]:
    """`blocks` less the restore-only loops that restore nothing the backward reads."""
    kept = []
    for block in blocks:
        lines = []
        for line in block.lines:
            statement = line.statement
            if isinstance(statement, LoopLines):
                if statement.restore_only and not statement.tape:
                    continue
                statement.body = _without_idle_loops(statement.body)
            elif isinstance(statement, BranchLines):
                statement.body = _without_idle_loops(statement.body)
                statement.orelse = _without_idle_loops(statement.orelse)
                if not statement.body:
                    if not statement.orelse:
                        continue
                    statement.test = ast.UnaryOp(ast.Not(), statement.test)
                    statement.body, statement.orelse = statement.orelse, []
            lines.append(line)
        if lines or not block.lines:
            kept.append(Block(block.header, lines))
    return kept


def _assigned_in_loops(nodes: list[Node]) -> set[str]:
    """The names assigned inside the loops among `nodes`, through branches: those loops save
    and restore them, so an enclosing loop need not."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, Loop):
            found |= {a.target for a in assignments(node.body)}
        elif isinstance(node, Branch):
            found |= _assigned_in_loops(node.body) | _assigned_in_loops(node.orelse)
    return found


def _rename(blocks: list[Block], old: str, new: str) -> None:
    """Read `new` wherever the lines of `blocks` read `old`."""
    for block in blocks:
        for line in block.lines:
            for node in line_nodes(line):
                for name in ast.walk(node):
                    if isinstance(name, ast.Name) and name.id == old:
                        name.id = new


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
            carried = {old for old, _ in node.carried} | _nested_carried(node.body)
            for name, inner in _guards(node.body, path).items():
                if name not in carried:
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


def _fresh(value: ast.expr, movable: set[str]) -> bool:
    """True when `value` is new memory (or an adjoint that nothing else will read)."""
    if isinstance(value, (ast.BinOp, ast.UnaryOp)):
        return True
    if isinstance(value, ast.Name):
        return value.id in movable
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in _VIEWS or name in _PASS_THROUGH_HELPERS:
            return bool(value.args) and _fresh(value.args[0], movable)
        return True
    return False


def _is_basic_index(index: ast.expr, integers: set[str]) -> bool:
    """An index of integers, slices, None and `...`: no element is selected twice."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    for part in parts:
        if isinstance(part, ast.Slice) or isinstance(part, ast.Name) and part.id in integers:
            continue
        if isinstance(part, ast.Constant) and (part.value is None or part.value is Ellipsis
                                               or type(part.value) is int):
            continue
        if isinstance(part, ast.UnaryOp) and isinstance(part.operand, ast.Constant):
            continue
        return False
    return True


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


def _attribute(name: str, attr: str) -> ast.Attribute:
    return ast.Attribute(_load(name), attr, ast.Load())


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([_store(name)], value)
