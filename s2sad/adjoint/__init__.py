"""The adjoint pass: from a normalized forward program to the parts of its gradient function."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..ir import Parameter, Program
from ..names import NameAllocator
from .activity import analyze, useful
from .forward import forward_statements
from .release import release_dead_values
from .shapes import Shapes
from .sweep import BORROWED, Block, Line, ReverseSweep

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


def differentiate(program: Program, wrt: list[str], mode: str, single: bool) -> Gradient:
    """Build the gradient of `program` with respect to the parameters `wrt`.

    `mode` is one of MODES; `single` returns one gradient rather than a tuple.
    """
    assert mode in MODES
    activity = analyze(program, wrt)
    namespace = program.namespace
    names = NameAllocator(program.taken_names, namespace)
    output_names = [o.id for o in program.outputs if isinstance(o, ast.Name)]
    reached = useful(program, activity, set(output_names))
    adjoint_names: dict[str, str] = {}
    sweep = ReverseSweep(program, activity, reached, names, adjoint_names, namespace)

    seeds: list[tuple[str, ast.expr | None]] = []
    seed_lines: list[Line] = []
    for position, output in enumerate(program.outputs):
        default = ast.Constant(1.0) if mode != "vjp" else None
        name = output.id if isinstance(output, ast.Name) else None
        if name is not None and output_names.count(name) == 1:
            seed = names.fresh("d" + name) if name not in adjoint_names else adjoint_names[name]
            seeds.append((seed, default))
            if name in reached:
                sweep.seed(name, seed)
        else:
            seed = names.fresh(f"d_out{position}")
            seeds.append((seed, default))
            if name in reached:
                seed_lines.extend(sweep.accumulate(name, ast.Name(seed, ast.Load()), False))
    result = sweep.run()
    if seed_lines:
        result.blocks.insert(0, Block("the outputs' cotangents", seed_lines))

    finals: list[Line] = []
    gradients = []
    for parameter in wrt:
        name = sweep.adjoint(parameter)
        state = result.state.get(parameter)
        if state is None:
            zeros = ast.Call(ast.Attribute(ast.Name(namespace, ast.Load()), "zeros_like", ast.Load()),
                             [ast.Name(parameter, ast.Load())], [])
            finals.append(Line(_assign(name, zeros), f"{parameter} does not affect the output"))
        elif state == BORROWED:
            copy = ast.Call(ast.Attribute(ast.Name(namespace, ast.Load()), "array", ast.Load()),
                            [ast.Name(name, ast.Load())], [ast.keyword("copy", ast.Constant(True))])
            finals.append(Line(_assign(name, copy), "the caller gets memory of its own"))
        gradients.append(ast.Name(name, ast.Load()))

    scalar_check = None
    needed_outputs: set[str] = set()
    if mode == "grad" and len(program.outputs) == 1 and output_names:
        if output_names[0] not in Shapes(program, activity).scalars and output_names[0] in reached:
            scalar_check = output_names[0]
            needed_outputs.add(scalar_check)
            result.helpers.add("_check_scalar")
    if mode == "value_and_grad":
        needed_outputs |= set(output_names)
    backward_reads = {
        n.id for block in result.blocks for line in block.lines
        for n in ast.walk(line.statement) if isinstance(n, ast.Name)
    }
    forward = forward_statements(program, backward_reads | needed_outputs, activity.varied)

    scalars = Shapes(program, activity).scalars
    returned = {n.id for g in gradients for n in ast.walk(g) if isinstance(n, ast.Name)}
    keep = returned | set(output_names) | {p.name for p in program.params} | scalars | {
        namespace} | set(program.constants) | result.helpers | {s for s, _ in seeds}
    forward = release_dead_values(forward, result.blocks, keep)

    grads: ast.expr = gradients[0] if single else ast.Tuple(gradients, ast.Load())
    if mode == "value_and_grad":
        value = ast.Tuple(list(program.outputs), ast.Load()) if program.returns_tuple \
            else program.outputs[0]
        grads = ast.Tuple([value, grads], ast.Load())
    suffix = {"grad": "grad", "value_and_grad": "value_and_grad", "vjp": "vjp"}[mode]
    return Gradient(
        name=names.fresh(f"{program.name}_{suffix}"),
        program=program,
        mode=mode,
        wrt=wrt,
        params=program.params,
        seeds=seeds,
        namespace=namespace,
        forward=forward,
        backward=result.blocks,
        finals=finals,
        result=grads,
        helpers=result.helpers | {"_namespace"},
        scalar_check=scalar_check,
    )


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name(name, ast.Store())], value)
