"""The reverse sweep: the backward of each statement, in reverse program order.

For each statement whose output has an adjoint, the sweep instantiates the operation's
rule and hands each contribution to the adjoints (accumulate.py), which assign it or add
it. An `if` becomes a backward `if` over the blocks of each arm, a loop a backward loop
over its iterations in reverse, to which tapes.py then adds what each iteration restores.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..ir import Assignment, Branch, Loop, Node, Program, assignments
from ..names import NameAllocator
from ..syntax import name_nodes, nodes_in
from .accumulate import Adjoints, ArmPath, new_memory
from .activity import Activity, carried
from .blocks import Block, BranchLines, Line, LoopLines, header, lines_in, where
from .instantiate import Contribution, Local, instantiate
from .shapes import Shapes
from .specialized import specialize_products, summed_to
from .tapes import fill_tapes, without_idle_loops

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


@dataclass(frozen=True)
class Backward:
    """The backward code of a program, and what the rest of its gradient needs to know of it."""

    blocks: tuple[Block, ...]
    seeds: tuple[str, ...]
    """The cotangent parameter of each output, in order."""
    adjoints: Mapping[str, str]
    """Each variable's adjoint's name."""
    state: Mapping[str, str]
    """The ownership (accumulate.OWNED or BORROWED) of each adjoint the backward leaves."""
    helpers: frozenset[str]
    """The helpers the backward calls."""
    loops: tuple[LoopLines, ...]
    """The backward loops, each with its tape."""


def reverse_sweep(program: Program, activity: Activity, useful: set[str], names: NameAllocator,
                  shapes: Shapes, containers: set[str], outputs: list[ast.expr]) -> Backward:
    """The backward of `program`, from the cotangents of `outputs` to the adjoints of the
    `useful` values (those the outputs depend on); `containers`: the variables that may hold
    lists or tuples of arrays."""
    return _ReverseSweep(program, activity, useful, names, shapes, containers).run(outputs)


class _ReverseSweep:
    def __init__(self, program: Program, activity: Activity, useful: set[str],
                 names: NameAllocator, shapes: Shapes, containers: set[str]):
        self.program = program
        self.activity = activity
        self.useful = useful
        self.names = names
        self.namespace = program.namespace
        self.shapes = shapes
        self.paths = _arm_paths(program.body, ())
        self.adjoints = Adjoints(names, dict(program.adjoint_names), program.namespace, containers,
                                 shapes.integers, self._readers(), shapes.number_lists)
        self.helpers: set[str] = set()
        self.loop_locals: list[set[str]] = []
        self.shape_names: dict[str, str] = {}

    def run(self, outputs: list[ast.expr]) -> Backward:
        seeds, seed_lines = self._seed(outputs)
        blocks = self._sweep(self.program.body)
        blocks = without_idle_loops(fill_tapes(blocks, self.shape_names, self.names.fresh))
        if seed_lines:
            blocks.insert(0, Block("the outputs' cotangents", seed_lines))
        loops = tuple(line.statement for line in lines_in(blocks)
                      if isinstance(line.statement, LoopLines))
        return Backward(tuple(blocks), tuple(seeds), dict(self.adjoints.adjoint_names),
                        dict(self.adjoints.state), frozenset(self.helpers | self.adjoints.helpers),
                        loops)

    def _seed(self, outputs: list[ast.expr]) -> tuple[list[str], list[Line]]:
        """One cotangent parameter per output: `d<output>`, which is the output's adjoint, or,
        for an output returned twice (or not a name), a `d_out<position>` that adds to it."""
        output_names = [o.id for o in outputs if isinstance(o, ast.Name)]
        seeds: list[str] = []
        lines: list[Line] = []
        for position, output in enumerate(outputs):
            name = output.id if isinstance(output, ast.Name) else None
            if name is not None and output_names.count(name) == 1:
                seed = self.adjoints.name(name)
                if name in self.useful:
                    self.adjoints.seed(name, seed)
            else:
                seed = self.names.fresh(f"d_out{position}")
                if name in self.useful:
                    lines += self.adjoints.accumulate(name, _load(seed), fresh=False)
            seeds.append(seed)
        return seeds, lines

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
        adjoints = self.adjoints
        before = dict(adjoints.state)
        then_blocks = self._sweep(branch.body)
        then_state, adjoints.state = adjoints.state, dict(before)
        else_blocks = self._sweep(branch.orelse)
        inside = self._local_to(branch.body + branch.orelse)
        zeros = adjoints.meet(before, (then_state, adjoints.state), inside)
        for blocks, lines in zip((then_blocks, else_blocks), zeros):
            if lines and not blocks:
                blocks.append(Block("nothing flows back through this arm"))
            if lines:
                blocks[-1].lines.extend(lines)
        if not then_blocks and not else_blocks:
            return None
        test: ast.expr = branch.test
        if not then_blocks:
            test, then_blocks, else_blocks = ast.UnaryOp(ast.Not(), test), else_blocks, []
        return Block(header(branch), [Line(BranchLines(test, then_blocks, else_blocks))])

    def _local_to(self, nodes: list[Node]) -> set[str]:
        """Names only `nodes` assign: a loop inside them may also reassign an outer variable."""
        inner = {id(a) for a in assignments(nodes)}
        outside = {p.name for p in self.program.params} | {
            a.target for a in assignments(self.program.body) if id(a) not in inner}
        return {a.target for a in assignments(nodes)} - outside

    def _loop(self, loop: Loop, blocks: list[Block]) -> Block | None:
        """The backward of a loop: zeroed accumulators before it, its iterations in reverse."""
        adjoints = self.adjoints
        inside = {a.target for a in assignments(loop.body)}
        # A variable a nested loop carries is carried by this loop too if it lives outside it.
        in_loop = {id(a) for a in assignments(loop.body)}
        defined_outside = set(self.program.adjoint_names) | {
            a.target for a in assignments(self.program.body) if id(a) not in in_loop}
        nested = carried(loop.body)
        loop_carried = {old for old, _ in loop.carried} | (nested & (
            defined_outside | {p.name for p in self.program.params}))
        contributed = {
            variable for a in assignments(loop.body) if a.target in self.useful
            for variable in self.activity.active_inputs(a).values()
        }
        if not contributed and not loop_carried & adjoints.state.keys():
            if not loop_carried:
                return None
            # No adjoint flows through the loop, but the backward of earlier lines may read the
            # values it overwrote: the forward saves them before the loop, the backward restores.
            lines = _loop_lines(loop, [], restore_only=True)
            return Block(f"{where(loop)}: {loop.statement} (restore what it overwrote)", [Line(lines)])
        setup: list[Line] = []
        for variable in sorted((contributed - inside) | (loop_carried & self.useful)):
            setup += adjoints.before_loop(variable, variable in loop_carried)
        adjoints.read_at_every_iteration |= contributed - inside
        # A value an inner loop carries is restored by that loop: read it, not a saved shape.
        # A value the body defines and the code after the loop reads has that adjoint in the
        # last iteration only (the first in reverse): each earlier one starts from zero.
        read_after = sorted(v for v in inside - loop_carried if v in adjoints.state)
        self.loop_locals.append(inside - loop_carried - nested)
        body = self._sweep(loop.body)
        self.loop_locals.pop()
        for variable in sorted(loop_carried & self.useful):
            zeros = adjoints.carried(variable)
            if zeros:
                body.append(Block("the loop reads no earlier value", zeros))
        for variable in read_after:
            zeros = adjoints.carried(variable)
            if zeros:
                body.append(Block(f"only the last iteration's {variable} is read after the loop",
                                  zeros))
        for variable in inside - loop_carried:
            adjoints.drop(variable)
        if setup:
            blocks.append(Block(f"{where(loop)}: before the loop, adjoints that every iteration adds to",
                                setup))
        return Block(header(loop), [Line(_loop_lines(loop, body))])

    def _assignment(self, assignment: Assignment, blocks: list[Block]) -> None:
        adjoints = self.adjoints
        adjoints.path = self.paths[id(assignment)][1]
        component = self.activity.component(assignment)
        if component is not None:
            self._component(assignment, component, blocks)
            return
        template = self.activity.template(assignment)
        components = _component_keys(assignment.target, template, adjoints.state)
        if assignment.op == "leaf":
            return  # a dict argument's leaf: its adjoint goes into the dict's gradient
        if not any(c in adjoints.state for c in components or [assignment.target]):
            return
        active = self.activity.active_inputs(assignment)
        if not active or assignment.target not in self.useful:
            # The target's adjoint flows nowhere: an earlier value of a reassigned name
            # (a loop's carried variable) must not inherit it.
            for key in components or [assignment.target]:
                adjoints.drop(key)
            return
        items, helpers = instantiate(
            assignment,
            template,
            self.activity.binding(assignment),
            active,
            adjoints.name,
            self.names.fresh,
            self.namespace,
            self.program.constants,
            self._component_renames(assignment.target, template),
        )
        self.helpers |= helpers
        _block_of(assignment, blocks).lines.extend(self._lines(assignment, items))
        # The target's adjoint is used up: a loop's carried variable starts afresh.
        for key in components or [assignment.target]:
            adjoints.drop(key)

    def _component(self, assignment: Assignment, component: tuple[str, int],
                   blocks: list[Block]) -> None:
        """`w = pair[0]`: dw is (or adds to) the adjoint of the tuple's first component."""
        adjoints = self.adjoints
        target = assignment.target
        if target not in adjoints.state or target not in self.useful:
            adjoints.drop(target)
            return
        key = _component_key(*component)
        if key not in adjoints.state:
            adjoints.pass_on(target, key)
            return
        fresh = adjoints.owns(target)
        lines = adjoints.accumulate(key, _load(adjoints.name(target)), fresh)
        _block_of(assignment, blocks).lines.extend(lines)
        adjoints.drop(target)

    def _component_renames(self, whole: str, template) -> dict[str, ast.expr]:
        """A multi-output rule's component names → their values; their adjoints → the adjoints
        that flowed to them, or zeros."""
        state, adjoint_names = self.adjoints.state, self.adjoints.adjoint_names
        renames: dict[str, ast.expr] = {}
        outputs = template.outputs if template else ()
        if outputs and outputs[0].startswith("*"):
            # A result of any length (np.split): its adjoints, by position, where they flowed.
            flowed = sorted(int(key[len(whole) + 1:-1]) for key in state
                            if key.startswith(whole + "[") and key.endswith("]"))
            keys = [ast.Constant(position) for position in flowed]
            values = [_load(adjoint_names[_component_key(whole, p)]) for p in flowed]
            return {outputs[0][1:]: _load(whole), "d" + outputs[0][1:]: ast.Dict(keys, values)}
        for position, name in enumerate(outputs):
            read = self.activity.component_values.get((whole, position))
            value = _load(read) if read else ast.Subscript(_load(whole), ast.Constant(position),
                                                           ast.Load())
            renames[name] = value
            key = _component_key(whole, position)
            if key in state:
                renames["d" + name] = _load(adjoint_names[key])
            else:
                renames["d" + name] = ast.Call(_attribute(self.namespace, "zeros_like"),
                                               [value], [])
        return renames

    def _lines(self, assignment: Assignment, items) -> list[Line]:
        """The lines of one operation's rule: its temporaries, and its contributions added."""
        target = assignment.target
        lines: list[Line] = []
        incoming = self.adjoints.name(target)
        uses = sum(
            1 for item in items if not isinstance(item, Local)
            for n in name_nodes(item.value) if n.id == incoming
        )
        movable = {incoming} if uses == 1 and self.adjoints.owns(target) else set()
        template = self.activity.template(assignment)
        items, doubled = _doubled(items)
        for item in items:
            if isinstance(item, Local):
                self._read_earlier_shapes(item.statement)
                lines.append(Line(item.statement))
            elif isinstance(item, Contribution):
                value = item.value
                if template.broadcasts and not self.shapes.same(item.variable, target):
                    value = self._unbroadcast(value, item.variable, target)
                # A weight every iteration adds a product to keeps `_matmul_drhs`: the loop
                # batches those (codegen/batching.py).
                if self.shapes.concrete and not (
                        self.loop_locals and item.variable in self.adjoints.read_at_every_iteration):
                    value = specialize_products(value, self.shapes.ndim)
                self._read_earlier_shapes(value)
                added = self.adjoints.accumulate(item.variable, value, new_memory(value, movable))
                if id(item) in doubled and added[-1].comment is None:
                    added[-1] = Line(added[-1].statement, self.adjoints.read_comment(item.variable))
                lines.extend(added)
            else:
                self._read_earlier_shapes(item.value)
                lines.extend(self.adjoints.scatter(item))
        return lines

    def _unbroadcast(self, value: ast.expr, variable: str, target: str) -> ast.expr:
        """`value`, an adjoint of `target`, summed back to the shape of `variable`: by the
        sums the known shapes tell, or by `_unbroadcast` at run time."""
        concrete = self.shapes.concrete
        if variable in concrete and target in concrete:
            summed = summed_to(value, concrete[target], concrete[variable])
            if summed is not None:
                return summed
        self.helpers.add("_unbroadcast")
        return ast.Call(ast.Name("_unbroadcast", ast.Load()), [value, ast.Name(variable, ast.Load())],
                        [])

    def _read_earlier_shapes(self, node: ast.AST) -> None:
        """Where a rule reads a value only for its shape, read the earliest value of that shape.

        The forward then need not compute (or keep) the later value for the backward's sake.
        """
        found = nodes_in(node)
        for call in found:
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
                        argument.id = self._shape_name(argument.id)
        for attribute in found:
            if isinstance(attribute, ast.Attribute) and attribute.attr in ("shape", "size", "ndim") \
                    and isinstance(attribute.value, ast.Name):
                attribute.value.id = self.shapes.shape_proxy(attribute.value.id, False)

    def _shape_name(self, variable: str) -> str:
        """`x_shape`: the shape of `x`, as saved on a loop's tape."""
        if variable not in self.shape_names:
            self.shape_names[variable] = self.names.fresh(f"{variable}_shape")
        return self.shape_names[variable]

    def _readers(self) -> dict[str, list[ArmPath]]:
        """For each variable, the arms of every operation that differentiably reads it."""
        readers: dict[str, list[ArmPath]] = {}
        for assignment, path in self.paths.values():
            if assignment.target not in self.useful:
                continue
            for variable in self.activity.active_inputs(assignment).values():
                readers.setdefault(variable, []).append(path)
        return readers


def _arm_paths(nodes: list[Node], path: ArmPath) -> dict[int, tuple[Assignment, ArmPath]]:
    """Each assignment (by id) with the arms it stands in."""
    paths: dict[int, tuple[Assignment, ArmPath]] = {}
    for node in nodes:
        if isinstance(node, Assignment):
            paths[id(node)] = (node, path)
        elif isinstance(node, Branch):
            paths |= _arm_paths(node.body, (*path, (id(node), True)))
            paths |= _arm_paths(node.orelse, (*path, (id(node), False)))
        elif isinstance(node, Loop):
            paths |= _arm_paths(node.body, path)
    return paths


def _loop_lines(loop: Loop, body: list[Block], restore_only: bool = False) -> LoopLines:
    """A backward loop over `body`: the forward's steps in reverse, as many as ran."""
    steps = _load(loop.steps.id)
    if loop.test is not None:  # a `while` loop: as many iterations as it counted
        return LoopLines(loop, body, "_", ast.Call(_load("range"), [steps], []), restore_only)
    if loop.trips is not None:  # a loop that breaks: the steps that ran
        steps = ast.Subscript(steps, ast.Slice(None, _load(loop.trips)), ast.Load())
    return LoopLines(loop, body, loop.index, ast.Call(_load("reversed"), [steps], []), restore_only)


def _block_of(assignment: Assignment, blocks: list[Block]) -> Block:
    """The block for `assignment`'s lines: the last one if it reverses the same line, else a new one."""
    line = header(assignment)
    if not blocks or blocks[-1].header != line:
        blocks.append(Block(line))
    return blocks[-1]


def _component_key(whole: str, position: int) -> str:
    """The sweep's name for one component of a multi-output rule's tuple."""
    return f"{whole}[{position}]"


def _component_keys(target: str, template, state: Mapping[str, str]) -> list[str]:
    """The sweep's names for the components of a multi-output rule's result `target`."""
    if not template or not template.outputs:
        return []
    if template.outputs[0].startswith("*"):
        return [key for key in state if key.startswith(target + "[") and key.endswith("]")]
    return [_component_key(target, k) for k in range(len(template.outputs))]


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _attribute(name: str, attr: str) -> ast.Attribute:
    return ast.Attribute(_load(name), attr, ast.Load())


def _doubled(items: list) -> tuple[list, set[int]]:
    """An operation's contributions with two equal ones to one variable (`x * x`, `x + x`)
    written once, doubled: `2.0 * (dy * x)`, exactly their sum; and the ids of those."""
    seen: dict[tuple[str, str], int] = {}
    kept = list(items)
    for position, item in enumerate(items):
        if not isinstance(item, Contribution):
            continue
        key = (item.variable, ast.dump(item.value))
        first = seen.get(key)
        if first is None:
            seen[key] = position
            continue
        doubled = ast.BinOp(ast.Constant(2.0), ast.Mult(), items[first].value)
        kept[first] = replace(items[first], value=doubled)
        kept[position] = None
        del seen[key]  # a third equal one starts a pair of its own
    kept = [item for item in kept if item is not None]
    return kept, {id(item) for item in kept if item not in items}
