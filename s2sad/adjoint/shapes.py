"""What can be known of shapes before run time, to keep the backward lean.

Two facts: that two values always have the same shape (so an adjoint needs no
unbroadcasting), and that a value is a scalar (so `grad` needs no run-time
check of its output).
"""

from __future__ import annotations

import ast

from ..ir import Program
from .activity import Activity

_REDUCTIONS = {"numpy.sum", "numpy.mean", "numpy.max", "numpy.min", "numpy.linalg.norm",
               "numpy.prod", "numpy.std", "numpy.var"}


class Shapes:
    """Same-shape classes and scalar values of a program's variables."""

    def __init__(self, program: Program, activity: Activity):
        self._parent: dict[str, str] = {}
        self.scalars: set[str] = set()
        for index, assignment in enumerate(program.body):
            template = activity.templates.get(index)
            bound = activity.bindings.get(index)
            if template is None or bound is None:
                continue
            operands = [bound[p] for p in template.inputs if p in bound]
            names = [o.id for o in operands if isinstance(o, ast.Name)]
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
            elif len({self._find(n) for n in arrays}) == 1:
                self._union(assignment.target, arrays[0])

    def same(self, a: str, b: str) -> bool:
        """True when `a` and `b` have the same shape whatever the inputs."""
        return a == b or self._find(a) == self._find(b) or (a in self.scalars and b in self.scalars)

    def _find(self, name: str) -> str:
        while self._parent.get(name, name) != name:
            name = self._parent[name]
        return name

    def _union(self, a: str, b: str) -> None:
        self._parent[self._find(a)] = self._find(b)


def _is_none(node: ast.expr | None) -> bool:
    return node is None or isinstance(node, ast.Constant) and node.value is None


def _is_true(node: ast.expr | None) -> bool:
    return node is not None and not (isinstance(node, ast.Constant) and not node.value)
