"""Activity analysis: which values vary with the inputs, and which reach the output.

A value is *varied* when it depends differentiably on a `wrt` argument, and
*useful* when the output depends on it. Only values that are both get
adjoints; shape, integer and comparison results never do.

The structural facts the sweep needs beside them are found here too: the variables
loops carry, those that may hold lists or tuples of arrays, and the parameters the
function reads only element by element.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from ..errors import UnknownFunctionError, UnsupportedArgumentError, UnsupportedSyntaxError
from ..ir import Assignment, Loop, Node, Program, assignments, walk
from ..normalize.rules import rule_hint
from ..syntax import name_nodes
from ..templates import Template, is_nondifferentiable, lookup
from .instantiate import bind, element_key
from .shifts import invariant_shifts


@dataclass
class Activity:
    """Templates and bindings of the differentiable assignments, and the varied names."""

    varied: set[str] = field(default_factory=set)
    templates: dict[int, Template] = field(default_factory=dict)
    bindings: dict[int, dict[str, ast.expr]] = field(default_factory=dict)
    tuples: dict[str, Template] = field(default_factory=dict)
    """Variables holding the tuple result of a multi-output rule, with that rule."""
    components: dict[int, tuple[str, int]] = field(default_factory=dict)
    """Assignments that read one component of such a tuple: (tuple variable, position)."""
    component_values: dict[tuple[str, int], str] = field(default_factory=dict)
    """(tuple variable, position) → the first variable that component is read into."""
    unruled: dict[str, UnknownFunctionError] = field(default_factory=dict)
    """Values computed from varied ones where s2sad cannot follow the gradient, with the
    error to raise if the output depends on them: what only feeds an `aux` output, a print
    or a branch condition needs no rule."""

    def refuse_unruled(self, reached: set[str]) -> None:
        """Raise the error of the first value the output depends on and s2sad cannot follow."""
        for target, error in self.unruled.items():
            if target in reached:
                raise error

    def component(self, assignment: Assignment) -> tuple[str, int] | None:
        """(tuple variable, position) where `assignment` reads one component of a tuple result."""
        return self.components.get(id(assignment))

    def template(self, assignment: Assignment) -> Template | None:
        """The rule of a differentiable assignment, keyed by the assignment itself."""
        return self.templates.get(id(assignment))

    def binding(self, assignment: Assignment) -> dict[str, ast.expr] | None:
        """The rule's parameters bound to the assignment's operands."""
        return self.bindings.get(id(assignment))

    def active_inputs(self, assignment: Assignment) -> dict[str, str]:
        """Parameter → varied variable, for the inputs a rule propagates to."""
        template, bound = self.template(assignment), self.binding(assignment)
        if template is None:
            return {}
        active = {}
        for p in template.propagates_to():
            operand = bound.get(p)
            if isinstance(operand, ast.Name) and operand.id in self.varied:
                active[p] = operand.id
            elif p in template.sequences and isinstance(operand, (ast.List, ast.Tuple)):
                active.update({
                    element_key(p, i): e.id for i, e in enumerate(operand.elts)
                    if isinstance(e, ast.Name) and e.id in self.varied
                })
        return active


def analyze(program: Program, wrt: list[str]) -> Activity:
    """Find the varied values, binding each differentiable operation to its rule."""
    activity = Activity(varied=set(wrt))
    flat = assignments(program.body)
    while True:  # a loop's back-edge can make an earlier value varied: repeat until stable
        known = len(activity.varied)
        _propagate(flat, activity)
        if len(activity.varied) == known:
            break
    # A max subtracted before a (log-)softmax changes no output: no adjoint flows to it.
    activity.varied -= invariant_shifts(program)
    return activity


def _propagate(flat: list[Assignment], activity: Activity) -> None:
    """One pass in program order: bind the rules of the assignments that read varied values."""
    for assignment in flat:
        if assignment.op == "leaf":  # a value read from a differentiated dict argument
            if assignment.args[0].id in activity.varied:
                activity.varied.add(assignment.target)
            continue
        reads = _names(assignment.args) | _names(assignment.keywords.values())
        if not reads & activity.varied or is_nondifferentiable(assignment.op):
            continue
        if reads & activity.tuples.keys():
            _read_component(assignment, activity)
            continue
        template = lookup(assignment.op)
        if template is None:
            activity.unruled.setdefault(assignment.target, _unknown(assignment))
            activity.varied.add(assignment.target)
            continue
        activity.bindings[id(assignment)] = bound = bind(assignment, template)
        activity.templates[id(assignment)] = template = _as_called(template, bound)
        for param in template.propagates_to():
            operand = bound.get(param)
            if param in template.sequences and isinstance(operand, (ast.List, ast.Tuple)) and all(
                    isinstance(e, ast.Name) or _is_literal(e) for e in operand.elts):
                continue
            if not isinstance(operand, ast.Name) and _names([operand]) & activity.varied:
                activity.unruled.setdefault(assignment.target, UnknownFunctionError(
                    f"a value that depends on the differentiated arguments reaches "
                    f"`{assignment.op.removeprefix('numpy.')}` inside `{ast.unparse(operand)}`, "
                    "and s2sad cannot follow it there",
                    assignment.origin,
                    "pass the arrays themselves, or build the array with np.stack first",
                ))
                activity.varied.add(assignment.target)
        _refuse_varied_options(assignment, template, bound, activity)
        if activity.active_inputs(assignment):
            activity.varied.add(assignment.target)
            if template.outputs:
                activity.tuples[assignment.target] = template


def _refuse_varied_options(assignment: Assignment, template: Template,
                           bound: dict[str, ast.expr], activity: Activity) -> None:
    """An option (a parameter with a default) that the rule gives no adjoint, or an input it
    declares `no_gradient`, must not carry a gradient: dropping it would make the gradient
    silently wrong."""
    propagated = template.propagates_to()
    for name, param in template.signature.parameters.items():
        if (param.default is param.empty and name not in template.no_gradient) or name in propagated:
            continue
        if _names([bound.get(name, ast.Constant(None))]) & activity.varied:
            shown = assignment.op.removeprefix("numpy.").removeprefix("method.")
            raise UnsupportedArgumentError(
                f"`{name}` of `{shown}` depends on the differentiated arguments, and s2sad has "
                f"no gradient with respect to `{name}`",
                assignment.origin,
                f"compute `{name}` from values that do not depend on them, or pass "
                f"`s2sad.stop_gradient(...)` to say that no gradient flows through it",
            )


def _as_called(template: Template, bound: dict[str, ast.expr]) -> Template:
    """The rule as this call uses it: single-output where its options make the result one array."""
    if template.single_output is None:
        return template
    option, value = template.single_output
    given = bound.get(option)
    if isinstance(given, ast.Constant) and given.value == value:
        return replace(template, outputs=())
    return template


def _read_component(assignment: Assignment, activity: Activity) -> None:
    """`w = pair[0]` or `w = pair.w` from a multi-output rule's tuple: the one way to use it."""
    whole = assignment.args[0] if assignment.args else None
    template = activity.tuples.get(whole.id) if isinstance(whole, ast.Name) else None
    position = None
    variadic = template is not None and template.outputs[0].startswith("*")
    if template is not None and assignment.op == "getitem":
        try:
            index = ast.literal_eval(assignment.args[1])
        except ValueError:
            index = None
        if type(index) is int and variadic and index >= 0:
            position = index
        elif type(index) is int and -len(template.outputs) <= index < len(template.outputs):
            position = index % len(template.outputs)
    elif template is not None and assignment.op.startswith("attribute."):
        attribute = assignment.op.removeprefix("attribute.")
        if attribute in template.outputs:
            position = template.outputs.index(attribute)
    if position is None:
        shown = template.key.removeprefix("numpy.") if template else "a multi-output function"
        names = ", ".join(template.outputs) if template and not variadic else "a, b"
        raise UnsupportedSyntaxError(
            f"s2sad follows the result of `{shown}` only into its components",
            assignment.origin,
            f"unpack it into names first: `{names} = ...`",
        )
    getitem = lookup("getitem")
    activity.templates[id(assignment)] = getitem
    activity.bindings[id(assignment)] = {"x": ast.Name(whole.id, ast.Load()),
                                         "index": ast.Constant(position)}
    activity.components[id(assignment)] = (whole.id, position)
    activity.component_values.setdefault((whole.id, position), assignment.target)
    name = template.outputs[0][1:] if variadic else template.outputs[position]
    if "d" + name in template.reads():
        activity.varied.add(assignment.target)  # else, like `sign` of slogdet, it is constant


def useful(program: Program, activity: Activity, outputs: set[str]) -> set[str]:
    """The varied names the outputs depend on: those that get adjoints."""
    reached = outputs & activity.varied
    flat = assignments(program.body)
    while True:  # through a loop's back-edge, a value can be needed after its definition
        known = len(reached)
        for assignment in reversed(flat):
            if assignment.target in reached:
                reached |= set(activity.active_inputs(assignment).values())
        if len(reached) == known:
            return reached


def _is_literal(node: ast.expr) -> bool:
    """A number as written: `0.5`, or `-0.36`, which Python reads as minus applied to 0.36."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant)


def _names(nodes) -> set[str]:
    return {n.id for node in nodes for n in name_nodes(node)}


def _unknown(assignment: Assignment) -> UnknownFunctionError:
    op = assignment.op
    if op == "dict":
        return UnknownFunctionError(
            "s2sad does not follow a gradient into a dict the function builds",
            assignment.origin,
            "use the values themselves; a dict that only goes back to the caller beside the "
            "loss can be returned as aux (`grad(f, has_aux=True)`)")
    if op.startswith("method."):
        shown, kind = f".{op[len('method.'):]}()", "method"
    elif op.startswith("attribute."):
        shown, kind = f".{op[len('attribute.'):]}", "attribute"
    else:
        shown, kind = op, "function"
    if kind == "function":
        shown = shown.replace("numpy.", "np.", 1)
        hint = rule_hint(shown)
    else:
        hint = ("rewrite it with supported operations (docs/operators.md lists them), or "
                "compute it outside the function if it does not need a gradient")
    return UnknownFunctionError(
        f"s2sad has no adjoint rule for the {kind} `{shown}`, which this line applies "
        "to a value that depends on the differentiated arguments",
        assignment.origin,
        hint,
    )


def carried(nodes: list[Node]) -> set[str]:
    """Every variable a loop among `nodes` (at any depth) carries from one iteration to the next."""
    return {old for node in walk(nodes) if isinstance(node, Loop) for old, _ in node.carried}


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
    rebound = {a.target for a in flat} | carried(program.body)
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
