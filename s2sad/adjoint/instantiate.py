"""Instantiating a template for one operation: binding, renaming, deciding `if`s."""

from __future__ import annotations

import ast
import functools
import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass

import numpy

from ..errors import UnsupportedArgumentError
from ..fold import Simplifier
from ..ir import Assignment, index_expression
from ..runtime import HELPER_NAMES, HELPERS
from ..syntax import copied, name_nodes
from ..templates import Template


@dataclass
class Contribution:
    """`value` adds to the adjoint of `variable`, the operation's input `param`."""

    variable: str
    param: str
    value: ast.expr


@dataclass
class Scatter:
    """`value` adds into `index` of the adjoint of `variable`."""

    variable: str
    index: ast.expr
    value: ast.expr


@dataclass
class Local:
    """A temporary of the template, assigned before the contributions that read it."""

    statement: ast.Assign


def bind(assignment: Assignment, template: Template) -> dict[str, ast.expr]:
    """The operation's arguments as the template's parameters; defaults filled in."""
    try:
        bound = template.signature.bind(*assignment.args, **assignment.keywords)
    except TypeError as exc:
        raise UnsupportedArgumentError(
            f"unsupported arguments for `{_shown(assignment.op)}`: {exc}",
            assignment.origin,
            f"s2sad's rule accepts {_accepted(template)}",
        ) from None
    result: dict[str, ast.expr] = {}
    for name, param in template.signature.parameters.items():
        if name in bound.arguments:
            value = bound.arguments[name]
            result[name] = ast.Tuple(list(value), ast.Load()) if isinstance(value, tuple) else value
        elif param.kind is param.VAR_POSITIONAL:
            result[name] = ast.Tuple([], ast.Load())
        else:
            result[name] = ast.Constant(param.default)
    return result


def instantiate(
    assignment: Assignment,
    template: Template,
    bound: dict[str, ast.expr],
    active: dict[str, str],
    adjoint_name: Callable[[str], str],
    fresh: Callable[[str], str],
    namespace: str,
    constants: dict[str, object],
    components: dict[str, ast.expr] | None = None,
) -> tuple[list[Contribution | Scatter | Local], set[str]]:
    """The rule's statements for this operation, and the helpers they call.

    `active` maps the template's input parameters that need adjoints to the
    program's variables; statements for other inputs are dropped. `components`
    renames a multi-output rule's component names and their adjoints.
    """
    # The chosen statements are not changed: each is copied where it is substituted.
    body = _decide(template.body, bound, assignment, template, constants)
    adjoint_params = {"d" + p: p for p in template.inputs} | {
        "d" + p: p for p in template.propagates_to()
    }
    kept = []
    for stmt in body:
        param = _assigned_adjoint(stmt, adjoint_params)
        if param in template.sequences and _per_element(stmt) != _is_display(bound.get(param)):
            continue  # the other form of a sequence input's rule: per element, or whole
        if param is None or param in active or any(
                element_key(param, i) in active for i in range(_length(bound.get(param)))):
            kept.append(stmt)
    kept = _drop_unused_locals(kept, adjoint_params)
    locals_ = {
        t.id for s in kept if isinstance(s, ast.Assign) for t in s.targets
        if isinstance(t, ast.Name) and t.id not in adjoint_params
    }
    renames: dict[str, ast.expr] = {
        template.output: ast.Name(assignment.target, ast.Load()),
        "d" + template.output: ast.Name(adjoint_name(assignment.target), ast.Load()),
        "xp": ast.Name(namespace, ast.Load()),
    }
    renames.update(bound)
    renames.update(components or {})
    renames.update({name: ast.Name(fresh(name), ast.Load()) for name in sorted(locals_)})
    helpers: set[str] = set()
    items: list[Contribution | Scatter | Local] = []
    for stmt in kept:
        param = _assigned_adjoint(stmt, adjoint_params)
        if isinstance(stmt, ast.Assign) and param in template.sequences and _per_element(stmt):
            for position in range(_length(bound[param])):  # `darrays[i] = ...`: each element's
                if element_key(param, position) in active:
                    value = _substitute(stmt.value, renames | {"i": ast.Constant(position)}, helpers)
                    items.append(Contribution(active[element_key(param, position)], param, value))
        elif isinstance(stmt, ast.Assign) and param is not None:
            value = _substitute(stmt.value, renames, helpers)
            items.append(Contribution(active[param], param, value))
        elif isinstance(stmt, ast.AugAssign) and param is not None:
            target = stmt.target
            assert isinstance(target, ast.Subscript)
            index = _substitute(target.slice, renames, helpers)
            items.append(Scatter(active[param], index, _substitute(stmt.value, renames, helpers)))
        else:
            items.append(Local(_substitute(stmt, renames, helpers)))
    return items, helpers


def _assigned_adjoint(stmt: ast.stmt, adjoint_params: dict[str, str]) -> str | None:
    target = None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Subscript):  # `darrays[i] = ...`, a sequence's elements
            target = target.value
    elif isinstance(stmt, ast.AugAssign):
        target = stmt.target
        while isinstance(target, ast.Subscript):
            target = target.value
    if isinstance(target, ast.Name) and target.id in adjoint_params:
        return adjoint_params[target.id]
    return None


def element_key(param: str, position: int) -> str:
    """The key of one element of a sequence input (`np.stack([a, b])`) in an operation's
    active inputs."""
    return f"{param}[{position}]"


def _per_element(stmt: ast.stmt) -> bool:
    """`darrays[i] = ...`: one element's adjoint, not the whole sequence's."""
    return isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript)


def _is_display(operand: ast.expr | None) -> bool:
    return isinstance(operand, (ast.List, ast.Tuple))


def _length(operand: ast.expr | None) -> int:
    """How many elements a sequence input has: 0 for anything but a list or tuple display."""
    return len(operand.elts) if isinstance(operand, (ast.List, ast.Tuple)) else 0


def _drop_unused_locals(body: list[ast.stmt], adjoint_params: dict[str, str]) -> list[ast.stmt]:
    """Drop template temporaries that no kept statement reads."""
    while True:
        reads = {n.id for s in body for n in name_nodes(s) if isinstance(n.ctx, ast.Load)}
        unused = [
            s for s in body
            if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)
            and s.targets[0].id not in adjoint_params and s.targets[0].id not in reads
        ]
        if not unused:
            return body
        body = [s for s in body if s not in unused]


def _decide(body: list[ast.stmt], bound: dict[str, ast.expr], assignment: Assignment,
            template: Template, constants: dict[str, object]) -> list[ast.stmt]:
    """Replace each `if` on options by the branch it takes; refuse where a branch raises."""
    result: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.If):
            test = _evaluate(stmt.test, bound, assignment, constants)
            result.extend(_decide(stmt.body if test else stmt.orelse, bound, assignment, template,
                                  constants))
        elif isinstance(stmt, ast.Raise):
            message = stmt.exc.args[0].value if isinstance(stmt.exc, ast.Call) and stmt.exc.args else ""
            raise UnsupportedArgumentError(
                f"`{_shown(assignment.op)}`: {message}", assignment.origin,
                "compute this part outside the differentiated function, or rewrite it",
            )
        else:
            result.append(stmt)
    return result


def _evaluate(test: ast.expr, bound: dict[str, ast.expr], assignment: Assignment,
              constants: dict[str, object]) -> bool:
    """Decide a template's `if` from the literal values (or module constants) of its options."""
    env = {}
    code, read = _compiled(test)
    for name in read & bound.keys():
        value = bound.get(name)
        if isinstance(value, ast.Name) and value.id in constants:
            env[name] = constants[value.id]
            continue
        try:
            env[name] = ast.literal_eval(_infinity_as_literal(value))
        except (ValueError, KeyError, TypeError, SyntaxError):
            if name == "out":
                raise UnsupportedArgumentError(
                    f"`{_shown(assignment.op)}` with `out=`: s2sad writes every result into "
                    "new memory", assignment.origin,
                    "assign the result instead: `y = f(...)` rather than `f(..., out=y)`",
                ) from None
            raise UnsupportedArgumentError(
                f"`{_shown(assignment.op)}` needs `{name}` as a literal constant "
                f"(a number, tuple, string or None), not `{ast.unparse(bound[name])}`",
                assignment.origin,
                f"write the value of `{name}` into the call",
            ) from None
    return bool(eval(code, {}, env))


_COMPILED: dict[int, tuple[ast.expr, types.CodeType, frozenset[str]]] = {}
"""Each template test, compiled once, with the names it reads (templates live as long as
the process)."""


def _compiled(test: ast.expr) -> tuple[types.CodeType, frozenset[str]]:
    known = _COMPILED.get(id(test))
    if known is None or known[0] is not test:
        code = compile(ast.Expression(test), "<template>", "eval")
        known = _COMPILED[id(test)] = (test, code, frozenset(n.id for n in name_nodes(test)))
    return known[1], known[2]


def _infinity_as_literal(value: ast.expr) -> ast.expr:
    """`np.inf` in a call (`xp.inf` once resolved) as the literal infinity; `-np.inf` too."""
    if isinstance(value, ast.Attribute) and value.attr == "inf" and isinstance(value.value, ast.Name):
        return ast.Constant(float("inf"))
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        return ast.UnaryOp(ast.USub(), _infinity_as_literal(value.operand))
    return value


class _Renamer(ast.NodeTransformer):
    def __init__(self, renames: dict[str, ast.expr], helpers: set[str]):
        self.renames = renames
        self.helpers = helpers

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.renames:
            replacement = copied(self.renames[node.id])
            if isinstance(node.ctx, ast.Store) and isinstance(replacement, ast.Name):
                replacement.ctx = ast.Store()
            return replacement
        if node.id in HELPER_NAMES:
            self.helpers.add(node.id)
        return node


def _substitute(node, renames: dict[str, ast.expr], helpers: set[str]):
    renamed = _Renamer(renames, helpers).visit(copied(node))
    return _simplify(_DefaultsUnwritten(renames.get("xp")).visit(_SlicesAsArguments().visit(renamed)))


class _SlicesAsArguments(ast.NodeTransformer):
    """An index passed to a function is written `slice(a, b, None)`, not `a:b`."""

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        node.args = [index_expression(a) for a in node.args]
        return node


class _DefaultsUnwritten(ast.NodeTransformer):
    """A keyword the call would take by default anyway is not written: `xp.reshape(g, s)`,
    not `xp.reshape(g, s, order="C")`. Only literal values equal to the default of the
    NumPy function (or runtime helper) the call names go."""

    def __init__(self, namespace: ast.expr | None):
        self.namespace = namespace.id if isinstance(namespace, ast.Name) else None

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        defaults = _defaults(node.func, self.namespace)
        node.keywords = [
            k for k in node.keywords
            if not (k.arg in defaults and isinstance(k.value, ast.Constant)
                    and type(k.value.value) is type(defaults[k.arg])
                    and k.value.value == defaults[k.arg])
        ]
        return node


def _defaults(func: ast.expr, namespace: str | None) -> dict[str, object]:
    """The keyword defaults of `xp.f` (NumPy's `f`) or of a runtime helper; none otherwise."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id == namespace:
        return _keyword_defaults("numpy", func.attr)
    if isinstance(func, ast.Name) and func.id in HELPERS:
        return _keyword_defaults("helper", func.id)
    return {}


@functools.cache
def _keyword_defaults(kind: str, name: str) -> dict[str, object]:
    """The keyword defaults of NumPy's function `name` ("numpy") or of a runtime helper."""
    function = getattr(numpy, name, None) if kind == "numpy" else HELPERS[name]
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in parameters if p.default is not p.empty
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def _simplify(node):
    return ast.fix_missing_locations(Simplifier().visit(node))


def _shown(op: str) -> str:
    for prefix, fmt in (("method.", ".{}()"), ("attribute.", ".{}"), ("numpy.", "np.{}")):
        if op.startswith(prefix):
            return fmt.format(op[len(prefix):])
    return op


def _accepted(template: Template) -> str:
    params = [
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in template.signature.parameters.values()
    ]
    return f"({', '.join(params)})"
