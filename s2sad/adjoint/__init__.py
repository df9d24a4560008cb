"""The adjoint pass: from a normalized forward program to the parts of its gradient function."""

from __future__ import annotations

import ast
import copy
import math
from dataclasses import dataclass, field, replace

from ..errors import NotScalarError, UnsupportedSyntaxError
from ..ir import Assignment, Loop, Parameter, Program, assignments, walk
from ..names import NameAllocator
from ..runtime import HELPER_NAMES
from ..syntax import assign, call, load, name_nodes
from .accumulate import BORROWED, own_copy
from .activity import Activity, analyze, carried, indexed_parameters, possible_containers, useful
from .blocks import Block, Header, Line, names_in
from .concrete import BROADCASTING, rule_of
from .copies import propagate_copies
from .folding import fold_temporaries
from .forward import forward_statements
from .jacobians import jacobian_loop, loop_comment, value_function
from .layout import faster_products
from .memory import needs_copy
from .release import release_dead_values
from .shaped import ShapeOf, shaped_backward, shaped_forward
from .shapes import Shapes
from .sweep import Backward, reverse_sweep
from .tangents import TangentProgram

MODES = ("grad", "value_and_grad", "vjp")
"""The reverse modes `differentiate` builds; `linearize` builds forward mode's "jvp"."""


@dataclass(frozen=True)
class Gradient:
    """Everything the code generator needs to write a gradient function, as statements."""

    name: str
    program: Program
    mode: str
    wrt: list[str]
    params: list[Parameter]
    seeds: list[tuple[str, ast.expr | None]]
    """The cotangent parameters, after the program's, each with its default or None."""
    preamble: list[ast.stmt]
    """The array namespace of the arguments, and the checks of the differentiated ones."""
    forward: list[ast.stmt]
    checks: list[ast.stmt]
    """The checks of the outputs: a scalar for grad, cotangents of their shape for vjp."""
    backward: list[Block]
    finals: list[Line]
    """The gradients as the caller gets them: zeros, copies, their arguments' structure."""
    result: ast.expr
    helpers: frozenset[str]
    """Every helper the function calls."""
    functions: dict[str, tuple[str, str]] = field(default_factory=dict)
    """The functions of `program.functions` the function calls: name → (module, attribute)."""
    has_aux: bool = False
    """The function returns `(loss, aux)`: only the loss is differentiated."""
    return_value: bool = False
    """A vjp that returns `(value, gradients)`."""
    companions: tuple[Gradient, ...] = ()
    """The functions the module defines before this one, which it calls: a Jacobian's value
    function and the products its loops run."""


def differentiate(program: Program, wrt: list[str], mode: str, single: bool,
                  facts: dict[str, str] | None = None, has_aux: bool = False,
                  return_value: bool = False) -> Gradient:
    """Build the gradient of `program` with respect to the parameters `wrt`.

    `mode` is one of MODES; `single` returns one gradient rather than a tuple; `has_aux`:
    the function returns `(loss, aux)`, and aux comes back beside the gradients;
    `return_value` (vjp): the value comes back beside them. `facts`
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
    _refuse_tuple_results(program, differentiated, activity)
    namespace = program.namespace
    aux_names = {n.id for o in program.outputs[1:] for n in name_nodes(o)} if has_aux else set()
    output_names = [o.id for o in differentiated if isinstance(o, ast.Name)]
    reached = useful(program, activity, set(output_names))
    activity.refuse_unruled(reached)
    numbers = frozenset(p for p, fact in facts.items() if fact == "number")
    arrays = {p: fact[1] for p, fact in facts.items() if isinstance(fact, tuple)}
    shapes = Shapes(program, activity, numbers, number_lists, arrays)
    containers = possible_containers(program, activity)
    backward = reverse_sweep(program, activity, reached, names, shapes, containers, differentiated)
    exact = _float64_gradients(program, wrt, facts) if mode != "vjp" else set()
    finals, gradients = _final_gradients(wrt, backward, shapes.scalars, namespace, program.leaves,
                                         exact)
    unread = [w for w in wrt if w not in backward.state
              and not any(owner == w for owner, _ in program.leaves)]
    checks, checked_outputs = _output_checks(program, mode, differentiated, reached, shapes.scalars,
                                             backward.seeds)
    returns_value = mode == "value_and_grad" or return_value
    needed = checked_outputs | aux_names | (set(output_names) if returns_value else set())
    tapes = {id(lines.loop): lines.tape for lines in backward.loops if lines.tape}
    # A variant for numbers folds every temporary the backward does not read into the one
    # line that reads it: Python pays per statement, and the variant is shown, not saved.
    # Array code keeps a line per operation, which a refusal at run time points at.
    fold_varied = bool(numbers or number_lists)
    forward = forward_statements(program, names_in(list(backward.blocks)) | needed, activity.varied,
                                 tapes, fold_varied)
    final_statements = [line.statement for line in finals]
    keep = (
        {g.id for g in gradients} | set(output_names) | aux_names | {p.name for p in program.params}
        | shapes.scalars | {namespace} | set(program.constants) | backward.helpers
        | set(backward.seeds) | _names(*final_statements) | {e.parameter for e in program.externals}
    )
    blocks = propagate_copies(forward, list(backward.blocks), keep)
    if facts:
        blocks = fold_temporaries(forward, blocks, keep)
    unreleased = set()
    if shapes.concrete:
        known = _known_shapes(shapes.concrete, backward, mode)
        # Freeing a small array early saves no memory worth the statement.
        unreleased = {name for name, shape in known.items() if math.prod(shape) <= _SMALL}
        blocks = shaped_backward(blocks, known.get, namespace, keep)
        if exact and _on_host(program, facts):  # the BLAS measured: NumPy's, float64
            blocks = faster_products(blocks, ShapeOf(known.get, namespace), keep)
        # Values the backward read only for their shape need computing no more.
        forward = shaped_forward(forward_statements(program, names_in(blocks) | needed,
                                                    activity.varied, tapes, fold_varied),
                                 known.get, namespace)
    forward, blocks = release_dead_values(forward, blocks, keep | unreleased, program.namespace)
    returned: ast.expr = gradients[0] if single else ast.Tuple(gradients, ast.Load())
    if mode == "value_and_grad" or has_aux or return_value:
        value_lines, returned = _with_value(program, mode, returned, names)
        forward += value_lines
    reads = _names(*forward, *checks, *final_statements, returned) | names_in(blocks)
    checked = [w for w in wrt if w in containers and w not in unread]
    floats = {p for p, fact in facts.items() if fact in ("number", "numbers")
              or isinstance(fact, tuple) and fact[2][1] == "f"}
    preamble = _preamble(program, [w for w in wrt if w not in {*checked, *unread, *floats}], checked,
                         namespace in reads, _on_host(program, facts))
    default = ast.Constant(1.0) if mode != "vjp" else None
    helpers = backward.helpers | (_names(*preamble, *forward, *checks, *final_statements)
                                  & HELPER_NAMES)
    if facts:  # a variant writes some helpers' calls out for what it knows
        helpers &= reads | _names(*preamble)
    return Gradient(
        name=names.fresh(f"{program.name.rstrip('_') or program.name}_{mode}"),
        program=program,
        mode=mode,
        wrt=wrt,
        params=program.params,
        seeds=[(seed, default) for seed in backward.seeds],
        preamble=preamble,
        forward=forward,
        checks=checks,
        backward=blocks,
        finals=finals,
        result=returned,
        helpers=frozenset(helpers),
        functions={name: spec for name, spec in program.functions.items()
                   if name in reads | _names(*preamble)},
        has_aux=has_aux,
        return_value=return_value,
    )


def linearize(program: Program, wrt: list[str], single: bool, mode: str = "jvp",
              name: str | None = None) -> Gradient:
    """Build the Jacobian-vector product (forward mode) of `program` with respect to `wrt`:
    the function takes the arguments and, as the keyword `tangent`, their tangents (one, or a
    tuple for several), and returns the value and the output's tangent. With mode "hvp"
    (`program` a gradient), the keyword is `vector` and only the tangent comes back: the
    Hessian-vector product."""
    names = NameAllocator(program.taken_names, program.namespace)
    activity = analyze(program, wrt)
    output_names = {o.id for o in program.outputs if isinstance(o, ast.Name)}
    reached = useful(program, activity, output_names)
    activity.refuse_unruled(reached)
    tangents = TangentProgram(program, activity, reached, names)
    seeds = [tangents.seed(w) for w in wrt]
    body = tangents.nodes(program.body)
    outputs = list(program.outputs)
    output_tangents = [tangents.output(o) for o in outputs]
    if program.returns_tuple:
        value, tangent = ast.Tuple(outputs, ast.Load()), ast.Tuple(output_tangents, ast.Load())
    else:
        value, tangent = outputs[0], output_tangents[0]
    result = tangent if mode == "hvp" else ast.Tuple([value, tangent], ast.Load())
    varied = activity.varied | set(tangents.tangent_names.values())
    forward = forward_statements(replace(program, body=body), _names(result), varied, {})
    parameter = names.fresh("vector" if mode == "hvp" else "tangent")
    given = ast.Name(parameter, ast.Load())
    targets = [ast.Name(seed, ast.Store()) for seed in seeds]
    unpack = assign(seeds[0], given) if single else ast.Assign(
        [ast.Tuple(targets, ast.Store())], given)
    checks = [ast.Expr(call("_check_tangent", load(w), load(seed), ast.Constant(w)))
              for w, seed in zip(wrt, seeds)]
    reads = _names(*forward, result)
    containers = possible_containers(program, activity)
    items = [w for w in wrt if w in containers]
    preamble = _preamble(program, [w for w in wrt if w not in items], items,
                         program.namespace in reads) + [unpack, *checks]
    return Gradient(
        name=name or names.fresh(f"{program.name.rstrip('_') or program.name}_{mode}"),
        program=program,
        mode=mode,
        wrt=wrt,
        params=program.params,
        seeds=[(parameter, None)],
        preamble=preamble,
        forward=forward,
        checks=[],
        backward=[],
        finals=[],
        result=result,
        helpers=frozenset(_names(*preamble, *forward, result) & HELPER_NAMES),
        functions={name: spec for name, spec in program.functions.items()
                   if name in reads | _names(*preamble)},
    )


def build_jacobian(program: Program, wrt: list[str], single: bool, mode: str) -> Gradient:
    """Build the Jacobian of `program` with respect to `wrt`, by one generated product per
    basis vector: "jacfwd" loops over the elements of each argument (jvps), "jacrev" over
    those of the output (vjps); "hessian" is "jacfwd" of a gradient."""
    names = NameAllocator(program.taken_names, program.namespace)
    base = program.name.rstrip("_") or program.name
    forward = mode != "jacrev"
    statements, value = value_function(program)
    reads = _names(*statements, value)
    valued = Gradient(
        name=names.fresh(f"{base}_value"), program=program, mode="value", wrt=wrt,
        params=program.params, seeds=[],
        preamble=_preamble(program, [], [], program.namespace in reads), forward=statements,
        checks=[], backward=[], finals=[], result=value,
        helpers=frozenset(reads & HELPER_NAMES),
        functions={n: spec for n, spec in program.functions.items() if n in reads})
    if forward:
        parts = [linearize(program, [w], True, name=names.fresh(f"{base}_jvp_{w}")) for w in wrt]
    else:
        parts = [differentiate(program, wrt, "vjp", False)]
        parts[0] = replace(parts[0], name=names.fresh(parts[0].name))
    products = [(part.name, [seed for seed, _ in part.seeds]) for part in parts]
    body, result, helpers = jacobian_loop(program, wrt, single, forward, valued.name, products,
                                          names)
    return Gradient(
        name=names.fresh(f"{base}_{mode}"), program=program, mode=mode, wrt=wrt,
        params=program.params, seeds=[], preamble=[],
        forward=[Header(loop_comment(forward, wrt)), *body], checks=[], backward=[], finals=[],
        result=result, helpers=helpers, companions=(valued, *parts))


_SMALL = 4096
"""The most elements of an array a variant holds until it returns rather than deletes."""


def _known_shapes(concrete: dict[str, tuple[int, ...]], backward: Backward, mode: str
                  ) -> dict[str, tuple[int, ...]]:
    """The shapes a variant knows of the names its backward reads: the values' (concrete.py),
    each adjoint's (its variable's, where every variable it is the adjoint of has that one
    shape), and grad's seed's, a number's."""
    known = dict(concrete)
    of_adjoint: dict[str, set] = {}
    for variable, adjoint in backward.adjoints.items():
        of_adjoint.setdefault(adjoint, set()).add(concrete.get(variable))
    for adjoint, found in of_adjoint.items():
        if len(found) == 1 and None not in found and adjoint not in concrete:
            known[adjoint] = found.pop()
    if mode != "vjp":
        known.update(dict.fromkeys(backward.seeds, ()))
    return known


def _output_checks(program: Program, mode: str, outputs: list[ast.expr], reached: set[str],
                   scalars: set[str], seeds: tuple[str, ...]) -> tuple[list[ast.stmt], set[str]]:
    """The checks of the outputs, and the outputs they read: grad's output is a scalar (where
    that is not known already), vjp's cotangents have their outputs' shapes."""
    if mode != "vjp":
        names = [o.id for o in outputs if isinstance(o, ast.Name)]
        output = names[0] if len(names) == 1 == len(outputs) else None
        if output not in reached or output in scalars:
            return [], set()
        return [ast.Expr(call("_check_scalar", load(output), ast.Constant(program.name)))], {output}
    checks: list[ast.stmt] = []
    for output, seed in zip(program.outputs, seeds):
        if isinstance(output, ast.Name):
            checks.append(ast.Expr(call("_check_cotangent", load(output.id), load(seed),
                                         ast.Constant(program.name))))
    return checks, {o.id for o in program.outputs if isinstance(o, ast.Name)}


def _refuse_tuple_results(program: Program, outputs: list[ast.expr], activity: Activity) -> None:
    """An output that is the tuple a multi-output rule made: s2sad follows only its components."""
    for output in outputs:
        if isinstance(output, ast.Name) and output.id in activity.tuples:
            raise UnsupportedSyntaxError(
                "the function returns the tuple a multi-output function made; s2sad follows "
                "such a tuple only into its components",
                program.return_origin,
                "unpack it into names and return those: `w, v = np.linalg.eigh(a)`, "
                "`return w, v`",
            )


def _with_value(program: Program, mode: str, gradients: ast.expr,
                names: NameAllocator) -> tuple[list[ast.stmt], ast.expr]:
    """What value_and_grad, or grad with has_aux, returns: the value (or aux) beside the
    gradients, and the lines that keep each value the backward's loops restore."""
    outputs = list(program.outputs)
    lines: list[ast.stmt] = []
    loop_carried = carried(program.body)
    for position, output in enumerate(outputs):
        if isinstance(output, ast.Name) and output.id in loop_carried:
            # The backward's loops restore carried values: keep the result as it was.
            kept = names.fresh(f"{output.id}_value")
            lines.append(assign(kept, load(output.id)))
            outputs[position] = load(kept)
    if mode == "grad":
        return lines, ast.Tuple([gradients, outputs[1]], ast.Load())
    value = ast.Tuple(outputs, ast.Load()) if program.returns_tuple else outputs[0]
    return lines, ast.Tuple([value, gradients], ast.Load())


def _on_host(program: Program, facts: dict[str, object]) -> bool:
    """Whether the facts tell that every argument is a NumPy array, a number or another
    host value, and the function reads no global or closure value: its namespace is NumPy."""
    return bool(facts) and not program.externals and all(p.name in facts for p in program.params)


def _preamble(program: Program, arrays: list[str], items: list[str], namespace: bool,
              on_host: bool = False) -> list[ast.stmt]:
    """`xp = _namespace(...)` where the function reads `xp` (`xp = numpy` where the call's
    facts tell it is NumPy: `on_host`), then the checks that the differentiated arguments are
    arrays (or lists and tuples of `items`) of floats."""
    statements: list[ast.stmt] = []
    if namespace and on_host:
        statements.append(assign(program.namespace, load("numpy")))
    elif namespace:
        parameters = [load(p.name) for p in program.params]
        parameters += [load(e.parameter) for e in program.externals]
        statements.append(assign(program.namespace, call("_namespace", *parameters)))
    trees = [name for name in arrays if name in program.structured]
    arrays = [name for name in arrays if name not in program.structured]
    for helper, checked in (("_check_differentiable", arrays), ("_check_differentiable_items", items),
                            ("_check_differentiable_tree", trees)):
        if checked:
            keywords = [ast.keyword(n, load(n)) for n in checked]
            statements.append(ast.Expr(ast.Call(load(helper), [], keywords)))
    return statements


def specializable(program: Program) -> tuple[list[str], list[str]]:
    """The parameters whose facts a specialized variant can use: (every parameter, for
    "number" and the arrays' shapes; the parameters a loop only indexes, for "numbers")."""
    loop_indices = {node.index for node in walk(program.body) if isinstance(node, Loop)}
    # Read as k[i], with i a loop's index or an integer: a list of numbers reads the same.
    indexed = indexed_parameters(program, loop_indices) if loop_indices else []
    return [p.name for p in program.params], indexed


def _as_number_lists(program: Program, facts: dict[str, str],
                     names: NameAllocator) -> tuple[Program, frozenset[str]]:
    """A copy of `program` that reads `k_items = k.tolist()` once and then `k_items[i]`,
    for each parameter `k` whose fact is "numbers"."""
    # The dependencies and externals hold the user's modules: the copy shares them.
    program = copy.deepcopy(program, {id(program.dependencies): program.dependencies,
                                      id(program.externals): program.externals})
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


def _final_gradients(wrt: list[str], backward: Backward, scalars: set[str], namespace: str,
                     leaves: dict[tuple[str, tuple[str, ...]], str], exact: set[str]
                     ) -> tuple[list[Line], list[ast.Name]]:
    """Zeros for arguments the output ignores, copies of gradients that share memory, and
    dict arguments' gradients assembled from their leaves'; each gradient given its
    argument's type and dtype, but those of `exact`, which have them already."""
    state, adjoints = backward.state, backward.adjoints
    # Only a gradient that may be the caller's memory, or another gradient's, is copied;
    # a container's leaves are gradients of their own (`sum(pair)` gives both one array).
    returned = [adjoints[leaf] for p in wrt for (owner, _), leaf in leaves.items()
                if owner == p and leaf in state]
    returned += [adjoints[p] for p in wrt if p in state]
    shared = needs_copy(list(backward.blocks), returned, namespace)
    finals: list[Line] = []
    gradients = []
    for parameter in wrt:
        name = adjoints[parameter]
        read = {path: leaf for (owner, path), leaf in leaves.items() if owner == parameter}
        if read:
            pairs = {path: leaf for path, leaf in read.items() if leaf in state}
            keys = [ast.Tuple([ast.Constant(k) for k in path], ast.Load()) for path in pairs]
            values = [own_copy(adjoints[leaf], namespace) if state[leaf] == BORROWED
                      and leaf not in scalars and adjoints[leaf] in shared else load(adjoints[leaf])
                      for leaf in pairs.values()]
            tree = call("_gradient_tree", load(parameter), ast.Dict(keys, values))
            finals.append(Line(assign(name, tree), "zeros for the keys the output does not read"))
        elif parameter not in state:
            zeros = call("_zero_gradient", load(parameter), ast.Constant(parameter))
            finals.append(Line(assign(name, zeros), f"{parameter} does not affect the output"))
        elif state[parameter] == BORROWED and parameter not in scalars and adjoints[parameter] in shared:
            finals.append(Line(assign(name, own_copy(name, namespace)),
                               "the caller gets memory of its own"))
        if parameter in state and not read and parameter not in exact:
            restructured = call("_as_argument", load(name), load(parameter))
            finals.append(Line(assign(name, restructured), f"the type and dtype of {parameter}"))
        gradients.append(load(name))
    return finals, gradients


_FLOAT64_CLOSED = frozenset({
    *BROADCASTING, "numpy.matmul", "numpy.dot", "numpy.negative", "numpy.positive",
    "numpy.tanh", "numpy.exp", "numpy.log", "numpy.log1p", "numpy.expm1", "numpy.sqrt",
    "numpy.sin", "numpy.cos", "numpy.tan", "numpy.arctan", "numpy.sinh", "numpy.cosh",
    "numpy.abs", "numpy.square", "numpy.sum", "numpy.mean", "numpy.max", "numpy.min",
    "numpy.amax", "numpy.amin", "numpy.prod", "numpy.where", "numpy.clip",
    "numpy.transpose", "numpy.reshape", "numpy.concatenate", "numpy.stack", "identity",
    "phi", "getitem", "range", "attribute.shape", "attribute.T",
})
"""Operations whose results, from float64 arrays, integers and real Python numbers, are
float64 arrays or numbers again (or integers), unless a `dtype=` says otherwise."""


def _float64_gradients(program: Program, wrt: list[str], facts: dict) -> set[str]:
    """The parameters of `wrt` whose gradients the variant for `facts` computes as float64
    arrays already: every array argument float64 (or integer), the argument itself an array
    of one axis or more, no global or closure value read at call time (of a dtype no fact
    tells), and every operation one that keeps float64 (`_FLOAT64_CLOSED`, no `dtype=`, no
    complex literal). Their `_as_argument` would return them as they are."""
    arrays = {p: fact for p, fact in facts.items() if isinstance(fact, tuple)}
    if not arrays or program.externals or program.constants \
            or any(fact[2] != "<f8" and fact[2][1] not in "iub" for fact in arrays.values()):
        return set()
    for assignment in assignments(program.body):
        if rule_of(assignment.op) not in _FLOAT64_CLOSED \
                or "dtype" in assignment.keywords \
                or any(isinstance(a, ast.Constant) and isinstance(a.value, complex)
                       for a in [*assignment.args, *assignment.keywords.values()]):
            return set()
    return {p for p in wrt if p in arrays and arrays[p][2] == "<f8" and len(arrays[p][1]) >= 1}


def _names(*nodes: ast.AST) -> set[str]:
    """The names the syntax `nodes` mentions."""
    return {n.id for node in nodes for n in name_nodes(node)}
