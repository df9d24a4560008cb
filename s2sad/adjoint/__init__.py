"""The adjoint pass: from a normalized forward program to the parts of its gradient function."""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

from ..errors import NotScalarError, UnsupportedSyntaxError
from ..ir import Assignment, Branch, Loop, Parameter, Program, assignments
from ..names import NameAllocator
from .activity import analyze, useful
from .forward import forward_statements
from .release import release_dead_values
from .sweep import BORROWED, Block, Line, ReverseSweep, indexed_parameters, line_nodes

MODES = ("grad", "value_and_grad", "vjp")


@dataclass
class Gradient:
    """Everything the code generator needs to write a gradient function."""

    name: str
    program: Program
    mode: str
    wrt: list[str]
    params: list[Parameter]
    seeds: list[tuple[str, ast.expr | None]]
    namespace: str
    forward: list[ast.stmt]
    backward: list[Block]
    finals: list[Line]
    result: ast.expr
    helpers: set[str] = field(default_factory=set)
    scalar_check: str | None = None
    cotangent_checks: list[tuple[str, str]] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    """The `wrt` parameters that may be lists or tuples of arrays (the function only indexes them)."""
    has_aux: bool = False
    """The function returns `(loss, aux)`: only the loss is differentiated."""
    unread: list[str] = field(default_factory=list)
    """The `wrt` parameters the output does not depend on: their gradient is zeros in their
    structure, and `_zero_gradient` checks them."""


def differentiate(program: Program, wrt: list[str], mode: str, single: bool,
                  facts: dict[str, str] | None = None, has_aux: bool = False) -> Gradient:
    """Build the gradient of `program` with respect to the parameters `wrt`.

    `mode` is one of MODES; `single` returns one gradient rather than a tuple; `has_aux`:
    the function returns `(loss, aux)`, and aux comes back beside the gradients. `facts`
    specializes the gradient to what some arguments hold: "number" (a Python float), or
    "numbers" (a 1-D float NumPy array the function only reads element by element, which
    the variant turns into a list of Python floats first).
    """
    assert mode in MODES
    facts = facts or {}
    if mode != "vjp":
        _refuse_tuple_outputs(program, has_aux)
    names = NameAllocator(program.taken_names, program.namespace)
    number_lists: frozenset[str] = frozenset()
    if any(fact == "numbers" for fact in facts.values()):
        program, number_lists = _as_number_lists(program, facts, names)
    activity = analyze(program, wrt)
    differentiated = program.outputs[:1] if has_aux else program.outputs
    for output in differentiated:
        if isinstance(output, ast.Name) and output.id in activity.tuples:
            raise UnsupportedSyntaxError(
                "the function returns the tuple a multi-output function made; s2sad follows "
                "such a tuple only into its components",
                program.return_origin,
                "unpack it into names and return those: `w, v = np.linalg.eigh(a)`, "
                "`return w, v`",
            )
    namespace = program.namespace
    aux_names = {n.id for o in program.outputs[1:] for n in ast.walk(o)
                 if isinstance(n, ast.Name)} if has_aux else set()
    output_names = [o.id for o in differentiated if isinstance(o, ast.Name)]
    reached = useful(program, activity, set(output_names))
    activity.refuse_unruled(reached)
    numbers = frozenset(p for p, fact in facts.items() if fact == "number")
    sweep = ReverseSweep(program, activity, reached, names, dict(program.adjoint_names), namespace,
                         numbers, number_lists)
    seeds, seed_lines = _seed_outputs(differentiated, sweep, names, reached, mode)
    result = sweep.run()
    if seed_lines:
        result.blocks.insert(0, Block("the outputs' cotangents", seed_lines))
    finals, gradients = _final_gradients(wrt, sweep, result.state, namespace, program.leaves)
    unread = [w for w in wrt if w not in result.state
              and not any(owner == w for owner, _ in program.leaves)]
    containers = [w for w in wrt if w in sweep.containers and w not in unread]
    if containers:
        result.helpers.add("_check_differentiable_items")
    if any(w in result.state and not any(owner == w for owner, _ in program.leaves) for w in wrt):
        result.helpers.add("_as_argument")
    if unread:
        result.helpers.add("_zero_gradient")

    needed_outputs = set(output_names) if mode == "value_and_grad" else set()
    needed_outputs |= aux_names
    scalar_check = None
    output = output_names[0] if len(output_names) == 1 == len(differentiated) else None
    if mode != "vjp" and output in reached and output not in sweep.shapes.scalars:
        scalar_check = output
        needed_outputs.add(output)
        result.helpers.add("_check_scalar")
    cotangent_checks = []
    if mode == "vjp":
        for output, (seed, _) in zip(program.outputs, seeds):
            if isinstance(output, ast.Name):
                cotangent_checks.append((output.id, seed))
                needed_outputs.add(output.id)
        result.helpers.add("_check_cotangent")
    backward_reads = {
        n.id for block in result.blocks for line in block.lines for node in line_nodes(line)
        for n in ast.walk(node) if isinstance(n, ast.Name)
    }
    tapes = {id(lines.loop): (lines.tape, lines.saved, lines.restore_only)
             for lines in result.loops if lines.tape}
    forward = forward_statements(program, backward_reads | needed_outputs, activity.varied, tapes)
    keep = (
        {g.id for g in gradients} | set(output_names) | aux_names | {p.name for p in program.params}
        | sweep.shapes.scalars | {namespace} | set(program.constants) | result.helpers
        | {seed for seed, _ in seeds}
        | {n.id for line in finals for n in ast.walk(line.statement) if isinstance(n, ast.Name)}
    )
    forward = release_dead_values(forward, result.blocks, keep)

    returned: ast.expr = gradients[0] if single else ast.Tuple(gradients, ast.Load())
    if mode == "value_and_grad" or has_aux:
        outputs = list(program.outputs)
        carried = _carried(program.body)
        for position, output in enumerate(outputs):
            if isinstance(output, ast.Name) and output.id in carried:
                # The backward's loops restore carried values: keep the result as it was.
                kept = names.fresh(f"{output.id}_value")
                forward.append(_assign(kept, ast.Name(output.id, ast.Load())))
                outputs[position] = ast.Name(kept, ast.Load())
        if mode == "grad":
            returned = ast.Tuple([returned, outputs[1]], ast.Load())
        else:
            value = ast.Tuple(outputs, ast.Load()) if program.returns_tuple else outputs[0]
            returned = ast.Tuple([value, returned], ast.Load())
    return Gradient(
        name=names.fresh(f"{program.name}_{mode}"),
        program=program,
        mode=mode,
        wrt=wrt,
        params=program.params,
        seeds=seeds,
        namespace=namespace,
        forward=forward,
        backward=result.blocks,
        finals=finals,
        result=returned,
        helpers=result.helpers | {"_namespace", "_check_differentiable"},
        containers=containers,
        unread=unread,
        has_aux=has_aux,
        scalar_check=scalar_check,
        cotangent_checks=cotangent_checks,
    )


def specializable(program: Program) -> tuple[list[str], list[str]]:
    """The parameters whose facts a specialized variant can use: (every parameter, for
    "number"; the parameters the function only indexes, for "numbers"). Only a function
    with a loop gains from a variant."""
    if not any(isinstance(node, Loop) for node in _nodes(program.body)):
        return [], []
    loop_indices = {node.index for node in _nodes(program.body) if isinstance(node, Loop)}
    # Read as k[i], with i a loop's index or an integer: a list of numbers reads the same.
    indexed = indexed_parameters(program, loop_indices)
    return [p.name for p in program.params], indexed


def _as_number_lists(program: Program, facts: dict[str, str],
                     names: NameAllocator) -> tuple[Program, frozenset[str]]:
    """A copy of `program` that reads `k_items = k.tolist()` once and then `k_items[i]`,
    for each parameter `k` whose fact is "numbers"."""
    # The dependencies hold the user's modules: the copy shares them.
    program = copy.deepcopy(program, {id(program.dependencies): program.dependencies})
    lists = {}
    for parameter, fact in facts.items():
        if fact == "numbers":
            lists[parameter] = names.fresh(f"{parameter}_items")
    first_read = {}
    for assignment in assignments(program.body):
        if assignment.op == "getitem" and isinstance(assignment.args[0], ast.Name) \
                and assignment.args[0].id in lists:
            first_read.setdefault(assignment.args[0].id, assignment.origin)
            assignment.args[0] = ast.Name(lists[assignment.args[0].id], ast.Load())
            assignment.value.value = ast.Name(assignment.args[0].id, ast.Load())
    reads = [Assignment(target=items, value=ast.Call(ast.Attribute(ast.Name(parameter, ast.Load()),
                                                                 "tolist", ast.Load()), [], []),
                        op="method.tolist", args=[ast.Name(parameter, ast.Load())], keywords={},
                        origin=first_read.get(parameter, program.return_origin),
                        statement=f"{items} = {parameter}.tolist(), read element by element")
             for parameter, items in lists.items()]
    program.body = reads + program.body
    return program, frozenset(lists.values())


def _nodes(nodes):
    for node in nodes:
        yield node
        if isinstance(node, Branch):
            yield from _nodes(node.body)
            yield from _nodes(node.orelse)
        elif isinstance(node, Loop):
            yield from _nodes(node.body)


def _refuse_tuple_outputs(program: Program, has_aux: bool) -> None:
    """grad and value_and_grad differentiate one scalar: `(loss, aux)` only with has_aux."""
    count = len(program.outputs) if program.returns_tuple else 1
    if has_aux and count != 2:
        raise NotScalarError(
            f"with has_aux=True, {program.name} must return a pair `(loss, aux)`, but it "
            + (f"returns {count} values" if program.returns_tuple else "returns one value"),
            program.return_origin,
            "return `loss, aux`, with aux any value or container that needs no gradient")
    if not has_aux and count != 1:
        raise NotScalarError(
            f"grad needs a scalar output, but {program.name} returns a tuple of {count} values",
            program.return_origin,
            "to differentiate the first and return the rest beside the gradients, pass "
            "has_aux=True and return `loss, aux`; for the gradients of several outputs use "
            "s2sad.vjp(f)(..., cotangent=...)")


def _seed_outputs(outputs: list[ast.expr], sweep: ReverseSweep, names: NameAllocator,
                  reached: set[str], mode: str) -> tuple[list[tuple[str, ast.expr | None]], list[Line]]:
    """One cotangent parameter per output: `d<output>`, 1.0 by default except for vjp."""
    output_names = [o.id for o in outputs if isinstance(o, ast.Name)]
    default = ast.Constant(1.0) if mode != "vjp" else None
    seeds: list[tuple[str, ast.expr | None]] = []
    lines: list[Line] = []
    for position, output in enumerate(outputs):
        name = output.id if isinstance(output, ast.Name) else None
        if name is not None and output_names.count(name) == 1:
            seed = sweep.adjoint(name)
            if name in reached:
                sweep.seed(name, seed)
        else:
            seed = names.fresh(f"d_out{position}")
            if name in reached:
                lines.extend(sweep.accumulate(name, ast.Name(seed, ast.Load()), fresh=False))
        seeds.append((seed, default))
    return seeds, lines


def _final_gradients(wrt: list[str], sweep: ReverseSweep, state: dict[str, str], namespace: str,
                     leaves: dict[tuple[str, tuple[str, ...]], str]) -> tuple[list[Line], list[ast.Name]]:
    """Zeros for arguments the output ignores, copies of gradients that share memory, and
    dict arguments' gradients assembled from their leaves'."""
    xp = ast.Name(namespace, ast.Load())
    finals: list[Line] = []
    gradients = []
    for parameter in wrt:
        name = sweep.adjoint(parameter)
        read = {path: leaf for (owner, path), leaf in leaves.items() if owner == parameter}
        if read:
            pairs = {path: leaf for path, leaf in read.items() if leaf in state}
            keys = [ast.Tuple([ast.Constant(k) for k in path], ast.Load()) for path in pairs]
            values = [ast.Name(sweep.adjoint(leaf), ast.Load()) for leaf in pairs.values()]
            tree = ast.Call(ast.Name("_gradient_tree", ast.Load()),
                            [ast.Name(parameter, ast.Load()), ast.Dict(keys, values)], [])
            finals.append(Line(_assign(name, tree), "zeros for the keys the output does not read"))
        elif parameter not in state:
            zeros = ast.Call(ast.Name("_zero_gradient", ast.Load()),
                             [ast.Name(parameter, ast.Load()), ast.Constant(parameter)], [])
            finals.append(Line(_assign(name, zeros), f"{parameter} does not affect the output"))
        elif state[parameter] == BORROWED and parameter not in sweep.shapes.scalars:
            copy = ast.Call(ast.Attribute(xp, "array", ast.Load()), [ast.Name(name, ast.Load())],
                            [ast.keyword("copy", ast.Constant(True))])
            finals.append(Line(_assign(name, copy), "the caller gets memory of its own"))
        if parameter in state and not read:
            restructured = ast.Call(ast.Name("_as_argument", ast.Load()),
                                    [ast.Name(name, ast.Load()), ast.Name(parameter, ast.Load())], [])
            finals.append(Line(_assign(name, restructured), f"{parameter}'s type and dtype"))
        gradients.append(ast.Name(name, ast.Load()))
    return finals, gradients


def _carried(nodes) -> set[str]:
    """Every variable a loop carries from one iteration to the next."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, Loop):
            found |= {old for old, _ in node.carried} | _carried(node.body)
        elif isinstance(node, Branch):
            found |= _carried(node.body) | _carried(node.orelse)
    return found


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name(name, ast.Store())], value)
