"""Forward mode: each value's tangent, computed beside the value, in program order.

For every assignment whose value varies with the differentiated arguments and reaches the
output, the pass writes the tangent of its target (`th` for `h`) from its inputs' tangents:
by the rule's `@tangent`, or from the rule's form (linear, multilinear, diagonal; see
`Template.tangent_form`). A tangent that does not vary is zero and is not computed: the
terms it would multiply vanish, a sum it would join drops it (stretched back to the
result's shape, `_tangent_like`), and only where a value must exist, at the end of an `if`
arm or around a loop, it is `_zeros_like`. A branch keeps its `if`, a loop its `for`, each
carrying the tangents of the variables it carries.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import replace

from ..errors import UnknownFunctionError, UnsupportedSyntaxError
from ..fold import literal_number
from ..ir import Assignment, Branch, Effect, Loop, Node, Program, assignments
from ..names import NameAllocator
from ..syntax import call, name_nodes
from ..templates import Template, is_nondifferentiable
from .activity import Activity
from .instantiate import _decide, _substitute


class _Zero(ast.expr):
    """The tangent of `of`, which does not vary: zero, until something needs its value."""

    _fields = ("of",)


class TangentProgram:
    """The forward program with its tangents written in, and what the pass found."""

    def __init__(self, program: Program, activity: Activity, reached: set[str],
                 names: NameAllocator):
        self.program, self.activity, self.reached, self.names = program, activity, reached, names
        self.tangent_names: dict[str, str] = {}
        self.known: set[str] = set()
        """The variables whose tangent is computed (the others' is zero)."""
        self.defined: set[str] = {p.name for p in program.params}
        """The variables that hold a value at the point the pass has reached."""

    def tangent_name(self, variable: str) -> str:
        """The tangent's name: `t` and the variable's (`th` for `h`), the same at every
        assignment of a variable (a loop's or a branch's joined values)."""
        if variable not in self.tangent_names:
            self.tangent_names[variable] = self.names.fresh("t" + variable)
        return self.tangent_names[variable]

    def seed(self, parameter: str) -> str:
        """The tangent of a differentiated argument, which the caller passes."""
        self.known.add(parameter)
        return self.tangent_name(parameter)

    def tangent(self, variable: ast.expr) -> ast.expr:
        """The tangent of an operand: its name where it is computed, else zero."""
        if isinstance(variable, ast.Name) and variable.id in self.known:
            return ast.Name(self.tangent_name(variable.id), ast.Load())
        return _Zero(copy.deepcopy(variable))

    def nodes(self, nodes: list[Node]) -> list[Node]:
        """`nodes` with the tangent assignments after each varied one."""
        written: list[Node] = []
        for node in nodes:
            if isinstance(node, Assignment):
                written.append(node)
                self.defined.add(node.target)
                self.known.discard(node.target)  # until its tangent is written, zero
                # A phi assigns a name that carries a tangent: where its new value does not
                # vary, its tangent is zeros, not the last iteration's.
                carries = node.op == "phi" and node.target in self.activity.varied
                if node.target in self.reached and (carries or self._reads_varied(node)):
                    written += self.assignment(node)
            elif isinstance(node, Effect):
                written.append(node)
            elif isinstance(node, Branch):
                written.append(self.branch(node))
            else:
                written += self.loop(node)
        return written

    def branch(self, branch: Branch) -> Branch:
        """The `if` with its arms' tangents; a value the arms join whose tangent one arm
        computes gets zeros for its tangent in the other, so it exists on every path."""
        before = set(self.known)
        body = self.nodes(branch.body)
        after_body, self.known = self.known, set(before)
        orelse = self.nodes(branch.orelse)
        after_else = self.known
        # What both arms assign is what the code after the `if` may read, whichever ran.
        joined = {a.target for a in assignments(branch.body)} & {
            a.target for a in assignments(branch.orelse)}
        for arm, known in ((body, after_body), (orelse, after_else)):
            for target in sorted(joined & (after_body | after_else) - known):
                zeros = call("_zeros_like", ast.Name(target, ast.Load()))
                arm.append(self._tangent_assignment(target, zeros, branch))
        self.known = after_body | after_else
        return replace(branch, body=body, orelse=orelse)

    def _reads_varied(self, assignment: Assignment) -> bool:
        """Whether the assignment's operands carry tangents into it (a non-differentiable
        operation's result, `np.zeros_like(w)`, has none; a leaf of a container argument,
        read by the non-differentiable "leaf", carries the leaf's tangent)."""
        if assignment.op != "leaf" and is_nondifferentiable(assignment.op):
            return False
        operands = [*assignment.args, *assignment.keywords.values()]
        return any(isinstance(n, ast.Name) and n.id in self.known
                   for operand in operands for n in ast.walk(operand))

    def loop(self, loop: Loop) -> list[Node]:
        """The loop, carrying the tangent of each varied variable it carries; a tangent that
        is zero when the loop starts is made an array of zeros before it. That includes what
        a loop inside it carries: the next iteration of this one reads it too."""
        before: list[Node] = []
        assigned = {a.target for a in assignments(loop.body)}
        for variable in sorted(assigned & self.defined & self.activity.varied & self.reached):
            if variable not in self.known:
                zeros = call("_zeros_like", ast.Name(variable, ast.Load()))
                before.append(self._tangent_assignment(variable, zeros, loop))
        pairs = [(self.tangent_name(old), self.tangent_name(new)) for old, new in loop.carried
                 if old in self.activity.varied and old in self.reached]
        body = self.nodes(loop.body)
        return [*before, replace(loop, body=body, carried=[*loop.carried, *pairs])]

    def assignment(self, assignment: Assignment) -> list[Assignment]:
        """The tangent of one assignment's target, and the temporaries its rule computes."""
        activity = self.activity
        component = activity.component(assignment)
        if assignment.op == "phi":  # its tangent's copy is a phi too, where the phi is
            value = self._materialized(self.tangent(assignment.args[0]))
            tangent = self._tangent_assignment(assignment.target, value, assignment)
            return [replace(tangent, op="phi")]
        if component is not None:
            whole, position = component
            value = ast.Subscript(self.tangent(ast.Name(whole, ast.Load())), ast.Constant(position),
                                  ast.Load())
            return self._finished(assignment, [], value, broadcasts=False)
        if assignment.op == "leaf":
            value = self._substituted(assignment, [(assignment.args[0],
                                                    self.tangent(assignment.args[0]))])
            return self._finished(assignment, [], value, broadcasts=False)
        template, bound = activity.template(assignment), activity.binding(assignment)
        form = template.tangent_form() if template is not None else None
        if form is None:
            raise _no_tangent(assignment)
        _decide(template.body, bound, assignment, template, self.program.constants)  # refusals
        if form in ("linear", "multilinear"):
            value = self._from_form(assignment, template, bound, form)
            return self._finished(assignment, [], value, template.broadcasts)
        return self._from_rule(assignment, template, bound)

    def _from_form(self, assignment: Assignment, template: Template, bound: dict[str, ast.expr],
                   form: str) -> ast.expr:
        """A linear operation applied to its inputs' tangents; a multilinear one's sum over the
        varied inputs of the operation with that one replaced by its tangent."""
        slots = []
        for param in template.linear if form == "linear" else template.multilinear:
            operand = bound.get(param)
            elements = operand.elts if param in template.sequences and isinstance(
                operand, (ast.List, ast.Tuple)) else [operand]
            slots += [e for e in elements if e is not None]
        if form == "linear":
            return self._substituted(assignment, [(slot, self.tangent(slot)) for slot in slots])
        terms = [self._substituted(assignment, [(slot, self.tangent(slot))]) for slot in slots
                 if isinstance(slot, ast.Name) and slot.id in self.known]
        total = terms[0]
        for term in terms[1:]:
            total = ast.BinOp(total, ast.Add(), term)
        return total

    def _substituted(self, assignment: Assignment,
                     slots: list[tuple[ast.expr, ast.expr]]) -> ast.expr:
        """The assignment's value with its operands replaced (`_replaced`), or a located
        refusal where an operand cannot be found in it."""
        try:
            return _replaced(assignment.value, slots)
        except ValueError as error:
            raise UnsupportedSyntaxError(
                f"s2sad cannot write the tangent of this line: it does not find {error}",
                assignment.origin,
                "use reverse mode (s2sad.grad or s2sad.vjp) for this function, and report it",
            ) from None

    def _from_rule(self, assignment: Assignment, template: Template,
                   bound: dict[str, ast.expr]) -> list[Assignment]:
        """The rule's tangent statements, instantiated for this operation."""
        body = _decide(template.tangent_body(), bound, assignment, template, self.program.constants)
        target = ast.Name(assignment.target, ast.Load())
        outputs = template.outputs
        renames: dict[str, ast.expr] = {template.output: target,
                                        "xp": ast.Name(self.program.namespace, ast.Load())}
        renames.update(bound)
        for position, name in enumerate(outputs):
            renames[name] = ast.Subscript(copy.deepcopy(target), ast.Constant(position), ast.Load())
        propagated = template.propagates_to()
        for param in sorted(set(template.inputs) | propagated):
            renames["t" + param] = self.tangent(bound[param]) if param in propagated \
                else _Zero(copy.deepcopy(bound[param]))
        results = {"t" + name for name in outputs} if outputs else {"t" + template.output}
        assigned = {t.id for s in body if isinstance(s, ast.Assign) for t in s.targets
                    if isinstance(t, ast.Name)}
        kept = set() if outputs else results  # one result's value is the tangent itself
        for local in sorted(assigned - set(renames) - kept):
            renames[local] = ast.Name(self.names.fresh(local), ast.Load())
        locals_: list[Assignment] = []
        values: dict[str, ast.expr] = {}
        folder = _Folder(frozenset(self.tangent_names.values()))
        for statement in body:
            name = statement.targets[0].id
            value = folder.visit(_substitute(statement.value, renames, set()))
            if name in kept:
                values[name] = value
                continue
            local = renames[name].id
            if isinstance(value, _Zero):
                renames[name] = value  # the statements after it read a zero
            else:
                locals_.append(self._local(local, value, assignment))
                values[name] = ast.Name(local, ast.Load())
        if outputs:
            value = ast.Tuple([values.get("t" + name) or _Zero(
                ast.Subscript(copy.deepcopy(target), ast.Constant(position), ast.Load()))
                for position, name in enumerate(outputs)], ast.Load())
        else:
            value = values["t" + template.output]
        return self._finished(assignment, locals_, value, template.broadcasts, folder.dropped)

    def _finished(self, assignment: Assignment, locals_: list[Assignment], value: ast.expr,
                  broadcasts: bool, dropped: bool = False) -> list[Assignment]:
        """The tangent assignment of `value`, zeros folded away; nothing where it is zero.
        `dropped`: a term of the rule's own statements dropped out already."""
        folded = _Folder(frozenset(self.tangent_names.values()))
        value = folded.visit(value)
        if isinstance(value, _Zero):
            return []
        dropped = dropped or folded.dropped
        if broadcasts and dropped and not _full_shape(value, assignment, self.known,
                                                      self.tangent_names):
            value = call("_tangent_like", value, ast.Name(assignment.target, ast.Load()))
        value = self._materialized(value)
        return [*locals_, self._tangent_assignment(assignment.target, value, assignment)]

    def _materialized(self, value: ast.expr) -> ast.expr:
        """`value` with each zero that is left written as an array of zeros."""
        return _Materialize().visit(value)

    def _tangent_assignment(self, variable: str, value: ast.expr, node: Node) -> Assignment:
        self.known.add(variable)
        return self._local(self.tangent_name(variable), value, node)

    def _local(self, target: str, value: ast.expr, node: Node) -> Assignment:
        return Assignment(target=target, value=ast.fix_missing_locations(value), op="tangent",
                          args=[], keywords={}, origin=node.origin, statement=node.statement,
                          context=node.context)

    def output(self, output: ast.expr) -> ast.expr:
        """The tangent of one of the function's outputs."""
        return self._materialized(self.tangent(output))


class _Folder(ast.NodeTransformer):
    """Zeros folded: a product with one vanishes, a sum drops it (`dropped` says a sum did);
    `tangents`: the names of tangents, which a call linear in its first argument must not
    read elsewhere for that argument's zero to make the call zero."""

    def __init__(self, tangents: frozenset[str] = frozenset()) -> None:
        self.dropped = False
        self.tangents = tangents

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        left, right = isinstance(node.left, _Zero), isinstance(node.right, _Zero)
        if not (left or right) or _is_sequence(node.left) or _is_sequence(node.right):
            return node  # a list's `+` joins it: its zeros keep their places
        if isinstance(node.op, (ast.Mult, ast.MatMult)) or isinstance(node.op, ast.Div) and left:
            return node.left if left else node.right
        if isinstance(node.op, (ast.Add, ast.Sub)):
            if left and right:
                return node.left
            self.dropped = True
            if right:
                return node.left
            return node.right if isinstance(node.op, ast.Add) else ast.UnaryOp(ast.USub(), node.right)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.operand, _Zero) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return node.operand
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        others = [*node.args[1:], *(k.value for k in node.keywords)]
        if node.args and isinstance(node.args[0], _Zero) and _linear_in_first(node.func) \
                and not any(isinstance(n, ast.Name) and n.id in self.tangents
                            for other in others for n in ast.walk(other)):
            return _Zero(ast.Call(node.func, [node.args[0].of, *node.args[1:]], node.keywords))
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.value, _Zero):
            return _Zero(ast.Subscript(node.value.of, node.slice, ast.Load()))
        return node


_LINEAR_HELPERS = frozenset({"_in_dtype_of", "_unbroadcast", "_spread", "_expand_reduced",
                             "_tangent_like"})
"""Helpers linear in their first argument: one of zeros is zeros."""
_LINEAR_FUNCTIONS = frozenset({"sum", "mean", "average", "reshape", "transpose", "swapaxes", "moveaxis",
                               "broadcast_to", "squeeze", "expand_dims", "cumsum", "diagonal",
                               "trace", "take", "take_along_axis", "negative", "real"})
"""Array functions (`xp.f`) linear in their first argument."""


def _linear_in_first(function: ast.expr) -> bool:
    if isinstance(function, ast.Name):
        return function.id in _LINEAR_HELPERS
    return isinstance(function, ast.Attribute) and function.attr in _LINEAR_FUNCTIONS \
        and isinstance(function.value, ast.Name)


def _full_shape(value: ast.expr, assignment: Assignment, known: set[str],
                tangent_names: dict[str, str]) -> bool:
    """Whether an elementwise tangent has its result's shape although a term dropped out: it
    reads the result itself, or each operand of the operation (or its tangent, of its
    shape), or the operands whose terms dropped are numbers written in the code (`1.0 - x`:
    `-tx` has x's shape)."""
    read = {n.id for n in name_nodes(value)}
    operands = {a.id for a in assignment.args if isinstance(a, ast.Name)}
    if assignment.target in read or operands and all(
            a in read or a in known and tangent_names.get(a) in read for a in operands):
        return True
    varied = [a for a in assignment.args if isinstance(a, ast.Name) and a.id in known]
    return len(varied) == 1 and all(literal_number(a) is not None for a in assignment.args
                                    if a not in varied)


def _is_sequence(node: ast.expr) -> bool:
    return isinstance(node, (ast.List, ast.Tuple, ast.ListComp))


class _Materialize(ast.NodeTransformer):
    """Each zero left written out: `0.0` for a number written in the code, else zeros like
    the value."""

    def visit__Zero(self, node: _Zero) -> ast.expr:
        if literal_number(node.of) is not None:
            return ast.Constant(0.0)
        return call("_zeros_like", node.of)


def _replaced(value: ast.expr, slots: list[tuple[ast.expr, ast.expr]]) -> ast.expr:
    """A copy of `value` with each operand of `slots` replaced by its replacement. An operand
    is found by identity (a name may fill several slots: `x * x`), else, for a name that
    `value` reads once, by its name; one found neither way is an error, never left as it is
    (a tangent equal to its value would be silently wrong)."""
    found: set[int] = set()
    by_identity = {id(operand): replacement for operand, replacement in slots}
    copied = _copy_replacing(value, by_identity, found)
    # An operand the call leaves at its default (`constant_values` of pad) is not in the
    # value: where it does not vary, there is nothing to replace.
    missing = [(operand, replacement) for operand, replacement in slots
               if id(operand) not in found and not isinstance(replacement, _Zero)]
    for operand, replacement in missing:
        named = [n for n in name_nodes(copied) if isinstance(operand, ast.Name) and n.id == operand.id]
        if len(named) != 1:
            raise ValueError(f"the operand {ast.unparse(operand)} of {ast.unparse(value)}")
        copied = _copy_replacing(copied, {id(named[0]): replacement}, found)
    return copied


def _copy_replacing(node: object, slots: dict[int, ast.expr], found: set[int]) -> object:
    if id(node) in slots:
        found.add(id(node))
        return copy.deepcopy(slots[id(node)])
    if isinstance(node, list):
        return [_copy_replacing(item, slots, found) for item in node]
    if not isinstance(node, ast.AST):
        return node
    fields = {name: _copy_replacing(value, slots, found) for name, value in ast.iter_fields(node)}
    return type(node)(**fields)


def _no_tangent(assignment: Assignment) -> UnknownFunctionError:
    shown = assignment.op.removeprefix("numpy.").removeprefix("method.").removeprefix("attribute.")
    return UnknownFunctionError(
        f"s2sad has no tangent (forward-mode) rule for `{shown}`, which this line applies to a "
        "value that depends on the differentiated arguments",
        assignment.origin,
        "use reverse mode (s2sad.grad, s2sad.vjp, or s2sad.jacrev for a Jacobian), or register "
        "a tangent rule with @s2sad.tangent beside the operation's adjoint rule",
    )

