"""What can be known of shapes before run time, to keep the backward lean.

Three facts: that two values always have the same shape (so an adjoint needs
no unbroadcasting, and a rule that reads a value only for its shape can read
an earlier one instead), that they also have the same dtype, and that a value
is a scalar (so `grad` needs no run-time check of its output).
"""

from __future__ import annotations

import ast
from collections import Counter

from ..ir import Branch, Loop, Node, Program, assignments, walk
from ..templates import lookup
from .activity import Activity
from .concrete import concrete_shapes

_REDUCTIONS = {"numpy.sum", "numpy.mean", "numpy.max", "numpy.min", "numpy.linalg.norm",
               "numpy.prod", "numpy.std", "numpy.var"}


class Shapes:
    """Same-shape classes and scalar values of a program's variables."""

    def __init__(self, program: Program, activity: Activity, numbers: frozenset[str] = frozenset(),
                 number_lists: frozenset[str] = frozenset(),
                 arrays: dict[str, tuple[int, ...]] | None = None):
        """`numbers`: parameters known to hold numbers; `number_lists`: variables known to hold
        lists of numbers; `arrays`: the shapes of parameters known to hold NumPy arrays (a
        variant of the gradient specialized to them)."""
        self._parent: dict[str, str] = {}
        self._dtype_parent: dict[str, str] = {}
        self._points: set[tuple[str, str]] = set()
        self.integers: set[str] = _loop_indices(program.body)
        self._order = {p.name: -1 for p in program.params}
        flat = assignments(program.body)
        parameters = {p.name for p in program.params}
        self.number_lists = number_lists
        self.scalars: set[str] = _numbers(flat, numbers, number_lists, self.integers, parameters) \
            if numbers or number_lists else set()
        self._order.update({a.target: i for i, a in enumerate(flat)})
        self.concrete: dict[str, tuple[int, ...]] = concrete_shapes(
            flat, {**arrays, **dict.fromkeys(numbers, ())}, self.integers) if arrays else {}
        """The shape of each value the arguments' shapes determine (concrete.py)."""
        targets = [p.name for p in program.params] + [a.target for a in flat]
        self._conditional = _assigned_in_blocks(program.body)
        # A loop's carried variable is assigned before the loop and at every iteration's end:
        # its shape may change, so it takes part in no shape fact.
        self._reassigned = {t for t, n in Counter(targets).items() if n > 1}
        shapes: set[str] = set()
        for assignment in flat:
            if assignment.target in self._reassigned:
                continue
            if self._integer_fact(assignment, shapes):
                continue
            template = activity.template(assignment)
            bound = activity.binding(assignment)
            if template is None or bound is None or assignment.op == "phi":
                continue
            operands = [bound[p] for p in template.inputs if p in bound]
            names = [o.id for o in operands if isinstance(o, ast.Name)]
            if set(names) & self._reassigned:
                # A scalar operand (a Python number, a shape's length) leaves the shape as it is.
                names = [n for n in names if n not in self.scalars] or names
                if len(set(names)) == 1 and (template.elementwise or template.broadcasts) and all(
                        isinstance(o, (ast.Name, ast.Constant)) for o in operands):
                    self._points.add((assignment.target, names[0]))
                continue
            constants = all(isinstance(o, (ast.Constant, ast.Name)) for o in operands)
            if template.key in _REDUCTIONS:
                if _is_none(bound.get("axis")) and not _is_true(bound.get("keepdims")):
                    self.scalars.add(assignment.target)
                continue
            if template.key == "builtins.float":
                self.scalars.add(assignment.target)
                continue
            if not (template.elementwise or template.broadcasts) or not constants:
                continue
            arrays = [n for n in names if n not in self.scalars]
            if not arrays:
                self.scalars.add(assignment.target)
            elif len({_find(self._parent, n) for n in arrays}) == 1:
                _union(self._parent, assignment.target, arrays[0])
                # Python numbers do not change an array's dtype; other arrays may.
                weak = all(isinstance(o, ast.Constant) and isinstance(o.value, (int, float))
                           for o in operands if not isinstance(o, ast.Name))
                if weak and arrays == names and len(set(names)) == 1:
                    _union(self._dtype_parent, assignment.target, names[0])

    def _integer_fact(self, assignment, shapes: set[str]) -> bool:
        """Shape tuples and the integers read from them: `x.shape`, `x.shape[0]`, `len(x)`."""
        op, args = assignment.op, assignment.args
        if op == "attribute.shape":
            shapes.add(assignment.target)
        elif op in ("attribute.ndim", "attribute.size", "builtins.len", "builtins.int") or (
                op == "getitem" and isinstance(args[0], ast.Name) and args[0].id in shapes
                and isinstance(args[1], (ast.Constant, ast.UnaryOp))) or op in _INTEGER_ARITHMETIC and args and all(
                isinstance(a, ast.Name) and a.id in self.integers
                or isinstance(a, ast.Constant) and type(a.value) is int for a in args):
            self.scalars.add(assignment.target)
            self.integers.add(assignment.target)
        else:
            return False
        return True

    def same(self, a: str, b: str) -> bool:
        """True when `a` and `b` have the same shape whatever the inputs."""
        concrete = self.concrete
        if a in concrete and b in concrete and concrete[a] == concrete[b]:
            return True
        return a == b or _find(self._parent, a) == _find(self._parent, b) or (
            a in self.scalars and b in self.scalars) or (a, b) in self._points or (b, a) in self._points

    def ndim(self, name: str) -> int | None:
        """The number of dimensions of `name`'s values, where the arguments' shapes tell it."""
        shape = self.concrete.get(name)
        return None if shape is None else len(shape)

    def shape_proxy(self, name: str, dtype: bool) -> str:
        """The earliest value with the shape (and, if `dtype`, the dtype) of `name`."""
        parent = self._dtype_parent if dtype else self._parent
        root = _find(parent, name)
        # Only a value that exists on every path can stand in for another.
        members = [n for n in self._order if _find(parent, n) == root and n not in self._conditional]
        return min(members, key=self._order.__getitem__) if members else name


def _numbers(flat: list, numbers: frozenset[str], lists: frozenset[str], integers: set[str],
             parameters: set[str]) -> set[str]:
    """The variables that hold numbers wherever they are assigned, given parameters that do.

    Numbers stay numbers through arithmetic and elementwise functions of numbers and
    copies, and the elements of a list of numbers read by an integer index are numbers. A
    variable a loop reassigns is a number only if every value it takes is: the answer is
    the largest set consistent with every assignment, found by dropping until none breaks it.
    """

    def number(node: ast.expr, known: set[str]) -> bool:
        if isinstance(node, ast.Name):
            return node.id in known or node.id in integers
        if isinstance(node, ast.UnaryOp):
            return number(node.operand, known)
        return isinstance(node, ast.Constant) and type(node.value) in (int, float)

    def gives_number(a, known: set[str]) -> bool:
        if a.op == "getitem":
            whole, index = a.args
            return isinstance(whole, ast.Name) and whole.id in lists and number(index, set())
        if a.op in ("identity", "phi", "builtins.float"):
            return number(a.args[0], known)
        template = lookup(a.op)
        if template is None or not (template.elementwise or template.broadcasts) or a.keywords:
            return False
        return all(number(arg, known) for arg in a.args)

    known = set(numbers) | ({a.target for a in flat} - (parameters - numbers))
    while True:
        broken = {a.target for a in flat if not gives_number(a, known)}
        if not broken & known:
            return known
        known -= broken


_INTEGER_ARITHMETIC = {"numpy.add", "numpy.subtract", "numpy.multiply", "numpy.floor_divide",
                       "numpy.remainder", "numpy.negative"}


def _assigned_in_blocks(nodes: list[Node]) -> set[str]:
    """Names assigned inside a loop's body or an arm of a branch."""
    return {a.target for node in walk(nodes) if isinstance(node, Branch)
            for a in assignments(node.body + node.orelse)} | {
        a.target for node in walk(nodes) if isinstance(node, Loop) for a in assignments(node.body)}


def _loop_indices(nodes: list[Node]) -> set[str]:
    """The index of every loop: a Python int at each iteration."""
    return {node.index for node in walk(nodes) if isinstance(node, Loop)}


def _find(parent: dict[str, str], name: str) -> str:
    while parent.get(name, name) != name:
        name = parent[name]
    return name


def _union(parent: dict[str, str], a: str, b: str) -> None:
    parent[_find(parent, a)] = _find(parent, b)


def _is_none(node: ast.expr | None) -> bool:
    return node is None or isinstance(node, ast.Constant) and node.value is None


def _is_true(node: ast.expr | None) -> bool:
    return node is not None and not (isinstance(node, ast.Constant) and not node.value)
