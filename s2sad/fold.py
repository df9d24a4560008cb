"""Arithmetic on literal numbers, folded as Python computes it: the one constant folder of
the lowering (an inlined default, `0.5 * 1.0`) and of rule instantiation (`x ** (2 - 1)`)."""

from __future__ import annotations

import ast
import math
import operator

_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod,
              ast.FloorDiv: operator.floordiv}


def literal_number(node: ast.expr) -> int | float | None:
    """The Python number a literal (`2`, `-0.5`) writes, or None (booleans are not numbers)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = literal_number(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def number_literal(value: float) -> ast.expr:
    """A literal for `value`, a negative one as unary minus: `-0.5`."""
    return ast.Constant(value) if value >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-value))


def fold_numbers(op: ast.operator, left: ast.expr, right: ast.expr) -> ast.expr | None:
    """`left op right` as one literal where both are literal numbers and Python's result is a
    finite int or float; None where it is not (an error, a complex or infinite result)."""
    numbers = [literal_number(left), literal_number(right)]
    function = _OPERATORS.get(type(op))
    if function is None or None in numbers:
        return None
    try:
        value = function(*numbers)
    except (ArithmeticError, ValueError):
        return None
    if not isinstance(value, (int, float)) or isinstance(value, float) and not math.isfinite(value):
        return None
    return number_literal(value)


class Simplifier(ast.NodeTransformer):
    """Literal arithmetic folded, and the identities `x ** 1`, `x * 1`, `x / 1`, `x + 0`,
    `x - 0` and `1 * x` dropped: what instantiating a rule with literal options leaves."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        folded = fold_numbers(node.op, node.left, node.right)
        if folded is not None:
            return folded
        left, right = literal_number(node.left), literal_number(node.right)
        if isinstance(node.op, (ast.Pow, ast.Mult, ast.Div)) and right == 1:
            return node.left
        if isinstance(node.op, (ast.Add, ast.Sub)) and right == 0:
            return node.left
        if isinstance(node.op, ast.Mult) and left == 1:
            return node.right
        return node
