"""A variant's matrix products of a transposed operand, written in the layout this
machine's BLAS computes faster.

A matrix product's adjoint is a product of a transposed operand: `w1.T @ dx3` for a
`w1` of shape (512, 512) and a `dx3` of (512, 64). OpenBLAS (float64) computes the same
numbers as `(dx3.T @ w1).T` in 0.83–0.88 of the time where the transposed operand's
second axis is the longer (M > N for `a.T @ b` of shapes (K, M) and (K, N)): measured
0.56–0.62 at (256, 512, 10), 0.89–0.91 at (256, 784, 512), 0.93 at (256, 256, 100), no
gain where M ≤ N, none in float32. Its result is the transpose of a C-ordered array, an
F-ordered one, which is as fast as a C-ordered one as an operand of `@` and of
elementwise arithmetic with other F-ordered arrays, and slower anywhere else: beside a
C-ordered array (a strided walk), returned to a caller (whose `w -= lr * dw` would walk
it across), in a loop body.

So the rewrite follows each F-ordered value along the straight-line backward and keeps a
product swapped only where everything that reads the value (or what is computed from it)
is such a friendly reader; it never reaches a returned gradient. A variant knows the
shapes (concrete.py); the general gradient, CuPy's arrays (whose BLAS the measurements
do not speak for) and other dtypes are left as they are.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..syntax import copied
from .blocks import Block, Line, line_nodes
from .shaped import ShapeOf

Shape = tuple[int, ...]

_MIN_WORK = 2 ** 18
"""The fewest multiply-adds (K·M·N) of a product worth swapping: below that a product
costs little more than its call."""
_ELEMENTWISE = (ast.Add, ast.Sub, ast.Mult, ast.Div)


@dataclass(frozen=True)
class _Site:
    """A swappable product: the `position`-th `@` (in `ast.walk` order) of a top-level line."""

    block: int
    line: int
    position: int


def faster_products(blocks: list[Block], shape_of: ShapeOf, keep: set[str]) -> list[Block]:
    """`blocks` with each product `a.T @ b` worth it written `(b.T @ a).T`, where the
    F-ordered result (and what is computed from it) meets only friendly readers and no
    name of `keep` (the gradients, the outputs) holds it."""
    blocks = [Block(block.header, [_untransposed(line, shape_of.of_name) for line in block.lines])
              for block in blocks]
    sites = set(_candidates(blocks, shape_of.of_name))
    while sites:
        offending = _Flow(blocks, shape_of, sites, keep).offending()
        if not offending:
            break
        sites -= offending
    if not sites:
        return blocks
    return [Block(block.header, [_swapped(line, {s.position for s in sites
                                                 if (s.block, s.line) == (b, i)})
                                 for i, line in enumerate(block.lines)])
            for b, block in enumerate(blocks)]


def _untransposed(line: Line, shape_of_name: Callable[[str], Shape | None]) -> Line:
    """`line` assigning `(a @ b).T` of matrices (the adjoint of a transposed read, `w.T`)
    as the product `b.T @ a.T`: the same numbers, C-ordered rather than a transposed view."""
    statement = line.statement
    if not isinstance(statement, ast.Assign):
        return line
    value = statement.value
    if not (isinstance(value, ast.Attribute) and value.attr == "T"
            and isinstance(value.value, ast.BinOp) and isinstance(value.value.op, ast.MatMult)):
        return line
    product = value.value
    operands = [_matrix_name(operand, shape_of_name) for operand in (product.left, product.right)]
    if None in operands:
        return line
    (left, left_transposed), (right, right_transposed) = operands
    flipped = ast.BinOp(_transposed_if(right, not right_transposed), ast.MatMult(),
                        _transposed_if(left, not left_transposed))
    return Line(ast.Assign(statement.targets, flipped), line.comment)


def _matrix_name(node: ast.expr, shape_of_name: Callable[[str], Shape | None]
                 ) -> tuple[str, bool] | None:
    """`(name, transposed)` for `node` a name of a matrix or its `.T`, else None."""
    transposed = isinstance(node, ast.Attribute) and node.attr == "T"
    inner = node.value if transposed else node
    if not isinstance(inner, ast.Name):
        return None
    shape = shape_of_name(inner.id)
    return (inner.id, transposed) if shape is not None and len(shape) == 2 else None


def _transposed_if(name: str, transposed: bool) -> ast.expr:
    node = ast.Name(name, ast.Load())
    return ast.Attribute(node, "T", ast.Load()) if transposed else node


def _products(statement: ast.stmt) -> Iterator[tuple[int, ast.BinOp]]:
    products = (n for n in ast.walk(statement)
                if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult))
    return enumerate(products)


def _transposed_product(node: ast.BinOp) -> tuple[str, str] | None:
    """The names `a` and `b` of a product `a.T @ b`, else None."""
    left, right = node.left, node.right
    if isinstance(left, ast.Attribute) and left.attr == "T" and isinstance(left.value, ast.Name) \
            and isinstance(right, ast.Name):
        return left.value.id, right.id
    return None


def _candidates(blocks: list[Block], shape_of_name: Callable[[str], Shape | None]
                ) -> Iterator[_Site]:
    for b, block in enumerate(blocks):
        for i, line in enumerate(block.lines):
            if not isinstance(line.statement, (ast.Assign, ast.AugAssign)):
                continue
            for position, node in _products(line.statement):
                names = _transposed_product(node)
                if names is None:
                    continue
                a, c = shape_of_name(names[0]), shape_of_name(names[1])
                if a is None or c is None or len(a) != 2 or len(c) != 2 or a[0] != c[0]:
                    continue
                (k, m), n = a, c[1]
                if m > n and k * m * n >= _MIN_WORK:
                    yield _Site(b, i, position)


class _Flow:
    """Which F-ordered values the backward holds, with the swapped products each comes from,
    line by line; `offending` the swaps whose value meets an unfriendly reader."""

    def __init__(self, blocks: list[Block], shape_of: ShapeOf, sites: set[_Site], keep: set[str]):
        self.blocks, self.shape_of, self.sites, self.keep = blocks, shape_of, sites, keep
        self.origins: dict[str, frozenset[_Site]] = {}
        """The names that hold an F-ordered array now: the swaps it comes from."""
        self.offenses: set[_Site] = set()

    def offending(self) -> set[_Site]:
        for b, block in enumerate(self.blocks):
            for i, line in enumerate(block.lines):
                self._line(b, i, line)
        return self.offenses

    def _line(self, b: int, i: int, line: Line) -> None:
        statement = line.statement
        if not isinstance(statement, (ast.Assign, ast.AugAssign)):
            for node in line_nodes(line):  # a loop or branch reads or writes it: let it be
                for name in ast.walk(node):
                    if isinstance(name, ast.Name):
                        self.offend(self.origins.pop(name.id, frozenset()))
            return
        value = _Expression(self, b, i, statement).layout(statement.value)
        if isinstance(statement, ast.Assign):
            targets = [n.id for n in ast.walk(statement.targets[0]) if isinstance(n, ast.Name)]
            simple = len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)
            for target in targets:
                self.origins.pop(target, None)
            if value and simple and targets[0] not in self.keep:
                self.origins[targets[0]] = value
            else:
                self.offend(value)
            return
        target = statement.target
        held = self.origins.get(target.id, frozenset()) if isinstance(target, ast.Name) \
            else frozenset()
        if bool(held) != bool(value) or not isinstance(target, ast.Name) \
                or target.id in self.keep:
            self.offend(held | value)
            if isinstance(target, ast.Name):
                self.origins.pop(target.id, None)
        elif held:
            self.origins[target.id] = held | value

    def offend(self, sites: frozenset[_Site]) -> None:
        self.offenses |= sites


class _Expression:
    """The layout of one line's value: the swaps an F-ordered result comes from (empty for
    a C-ordered result or a number)."""

    def __init__(self, flow: _Flow, block: int, line: int, statement: ast.stmt):
        self.flow = flow
        self.sites = {id(node): _Site(block, line, p) for p, node in _products(statement)}

    def layout(self, node: ast.expr) -> frozenset[_Site]:
        if isinstance(node, ast.Name):
            return self.flow.origins.get(node.id, frozenset())
        if isinstance(node, ast.Constant):
            return frozenset()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            return self._product(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ELEMENTWISE):
            return self._elementwise(node, [node.left, node.right])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return self._elementwise(node, [node.operand])
        self._read_elsewhere(node)
        return frozenset()

    def _product(self, node: ast.BinOp) -> frozenset[_Site]:
        """A product reads F-ordered operands at full speed, as they are or transposed; its
        result is F-ordered where it is swapped, else C-ordered."""
        for operand in (node.left, node.right):
            inner = operand.value if isinstance(operand, ast.Attribute) and operand.attr == "T" \
                else operand
            if not isinstance(inner, ast.Name):
                self.layout(inner)
        site = self.sites[id(node)]
        if site not in self.flow.sites:
            return frozenset()
        if self.flow.origins.get(_transposed_product(node)[0]):
            self.flow.offend(frozenset({site}))  # `a` is F-ordered: `a.T @ b` is plain already
            return frozenset()
        return frozenset({site})

    def _elementwise(self, node: ast.expr, operands: list[ast.expr]) -> frozenset[_Site]:
        """F-ordered where every operand of more than one element is F-ordered and of the
        result's shape; beside anything else, each F-ordered operand offends."""
        layouts = [self.layout(operand) for operand in operands]
        held = frozenset().union(*layouts)
        if not held:
            return held
        shapes = [self.flow.shape_of(operand) for operand in operands]
        full = [(layout, shape) for layout, shape in zip(layouts, shapes)
                if shape is None or math.prod(shape) > 1]
        if all(layout and shape is not None for layout, shape in full) \
                and len({shape for _, shape in full}) == 1:
            return held
        self.flow.offend(held)
        return frozenset()

    def _read_elsewhere(self, node: ast.expr) -> None:
        """Any other expression (a call, an index, an attribute) reads an F-ordered name it
        holds at a stride: each one offends."""
        for name in ast.walk(node):
            if isinstance(name, ast.Name):
                self.flow.offend(self.flow.origins.get(name.id, frozenset()))


def _swapped(line: Line, positions: set[int]) -> Line:
    """`line` with its `position`-th products `a.T @ b` written `(b.T @ a).T`, and a comment
    that says what it is."""
    if not positions:
        return line
    statement = copied(line.statement)
    notes = []
    for position, node in _products(statement):
        if position in positions:
            a, b = _transposed_product(node)
            notes.append(f"{a}.T @ {b}")
            node.left = ast.Attribute(ast.Name(b, ast.Load()), "T", ast.Load())
            node.right = ast.Name(a, ast.Load())
    wrapped = _Transposed({id(n) for p, n in _products(statement) if p in positions})
    statement = wrapped.visit(statement)
    note = f"{', '.join(notes)}, in the layout BLAS computes faster"
    return Line(statement, f"{line.comment}; {note}" if line.comment else note)


class _Transposed(ast.NodeTransformer):
    """Each product of `ids`, transposed: `(b.T @ a).T`."""

    def __init__(self, ids: set[int]):
        self.ids = ids

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if id(node) in self.ids:
            return ast.Attribute(node, "T", ast.Load())
        return node
