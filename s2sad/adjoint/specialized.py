"""Helpers' calls written out for the ranks and shapes a variant of the gradient knows from
the call's arguments (concrete.py): `g @ b.T` in place of `_matmul_dlhs(g, a, b)`, and
`g.sum(axis=0)` in place of `_unbroadcast(g, b)`, which find them at every call."""

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


def summed_to(value: ast.expr, shape: tuple[int, ...], to: tuple[int, ...]) -> ast.expr | None:
    """`value`, an adjoint of shape `shape`, summed over the axes broadcasting added to
    make `shape` from `to`; None where `to` does not broadcast to `shape`."""
    lead = len(shape) - len(to)
    if lead < 0 or any(n not in (1, m) for n, m in zip(to, shape[lead:])):
        return None
    stretched = tuple(i for i, n in enumerate(to) if n == 1 and shape[lead + i] != 1)
    if lead:
        value = _sum(value, tuple(range(lead)), False)
    if stretched:
        value = _sum(value, stretched, True)
    return value


def _sum(value: ast.expr, axes: tuple[int, ...], keepdims: bool) -> ast.expr:
    """`value.sum(axis=axes)`: the adjoint of an array with axes to sum is an array."""
    axis = ast.Constant(axes[0]) if len(axes) == 1 else ast.Tuple(
        [ast.Constant(a) for a in axes], ast.Load())
    keywords = [ast.keyword("axis", axis)]
    if keepdims:
        keywords.append(ast.keyword("keepdims", ast.Constant(True)))
    return ast.Call(ast.Attribute(value, "sum", ast.Load()), [], keywords)
