"""Matrix products' adjoints written for their operands' ranks, where a variant of the
gradient knows them from the call's arguments (concrete.py): `g @ b.T` in place of
`_matmul_dlhs(g, a, b)`, which finds the ranks at every call."""

from __future__ import annotations

import ast
from collections.abc import Callable


def specialize_products(node: ast.AST, ndim: Callable[[str], int | None]) -> ast.AST:
    """`node` with each `_matmul_dlhs(g, a, b)` and `_matmul_drhs(g, a, b)` whose `a` and `b`
    have ranks `ndim` tells (1 or 2) replaced by the expression those ranks make it."""
    return _Products(ndim).visit(node)


class _Products(ast.NodeTransformer):
    def __init__(self, ndim: Callable[[str], int | None]):
        self.ndim = ndim

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        written = _product_adjoint(node, self.ndim)
        return node if written is None else written


def _product_adjoint(node: ast.AST, ndim: Callable[[str], int | None]) -> ast.expr | None:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("_matmul_dlhs", "_matmul_drhs") and len(node.args) == 3
            and not node.keywords and all(isinstance(a, ast.Name) for a in node.args[1:])):
        return None
    g, a, b = node.args
    ranks = ndim(a.id), ndim(b.id)
    if node.func.id == "_matmul_dlhs":
        if ranks == (2, 2):
            return _matmul(g, _transposed(b))  # g @ b.T
        if ranks == (2, 1):
            return _times(_column(g), b)  # the outer product of g and b
        if ranks == (1, 2):
            return _matmul(b, g)  # b @ g
        if ranks == (1, 1):
            return _times(g, b)
        return None
    if ranks == (2, 2):
        return _matmul(_transposed(a), g)  # a.T @ g
    if ranks == (2, 1):
        return _matmul(_transposed(a), g)
    if ranks == (1, 2):
        return _times(_column(a), g)  # the outer product of a and g
    if ranks == (1, 1):
        return _times(g, a)
    return None


def _matmul(a: ast.expr, b: ast.expr) -> ast.expr:
    return ast.BinOp(a, ast.MatMult(), b)


def _times(a: ast.expr, b: ast.expr) -> ast.expr:
    return ast.BinOp(a, ast.Mult(), b)


def _transposed(a: ast.Name) -> ast.expr:
    return ast.Attribute(ast.Name(a.id, ast.Load()), "T", ast.Load())


def _column(a: ast.expr) -> ast.expr:
    """`a[:, None]`."""
    index = ast.Tuple([ast.Slice(), ast.Constant(None)], ast.Load())
    return ast.Subscript(a, index, ast.Load())
