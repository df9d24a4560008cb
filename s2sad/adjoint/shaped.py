"""A variant of the gradient rewritten for what it knows of the shapes of its values
(concrete.py, from the call's arguments): spreads and fills that broadcasting makes
needless, shapes read as the literals they are, reductions of arrays as their methods.

A reduction's adjoint copies the incoming adjoint along the reduced axes
(`_spread(g, x, axis)`, or `xp.full_like(x, g)` for a sum of everything), and the rule
before it in the backward (`exp`'s, a product's) often multiplies that copy by a value
of `x`'s shape at once. Broadcasting does the copying within the product:

* `_spread(g, x, 1) * e` is `g * e` for a `g` of shape `(n, 1)` and an `e` of `x`'s
  shape `(n, m)`, and `g[:, None] * e` for a `g` of shape `(n,)`;
* `xp.full_like(a, s) * e` is `s * e` for a number `s` and an `e` of `a`'s shape, and
  `xp.full_like(a, s) * 2 * e` (the adjoint of `sum(e ** 2)`) is `s * 2 * e`: a power of
  two scales the number exactly as it scales each element of the fill;
* a fill `t = xp.full_like(a, s)` that every line reading it meets with an operand of
  `a`'s shape (`sum(x * y)`'s, read by both factors' adjoints) is `s` at each of them,
  and `d += xp.full_like(a, s)` into a `d` of `a`'s shape is `d += s`;
* `2.0 * (s * e)` (two equal contributions, doubled) is `2.0 * s * e` for a number `s`:
  the number doubled first, exactly the same values (doubling is exact) with one array
  operation fewer;
* `a + (-b).sum(axis=1) / c` is `a - b.sum(axis=1) / c`: a negation an addition takes
  up, exactly the same values (negation is exact and rounding symmetric).

`t.size`, `t.ndim` and `t.shape` of a known shape are literals; a rule that read `t` for
its size alone then no longer keeps `t`, and the forward no longer computes it where
nothing else reads it. `xp.sum(t, axis=1)` of an array `t` is `t.sum(axis=1)`: the same
reduction, without NumPy's function-level dispatch, which costs more than the sum of a
small array.

Each value keeps its shape and its numbers; only arrays that were made to be used once,
and calls' overhead, go.
"""

from __future__ import annotations

import ast
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from ..syntax import copied
from .blocks import Block, BranchLines, Line, LoopLines, lines_in, own_syntax

Shape = tuple[int, ...]
ShapeOfName = Callable[[str], "Shape | None"]

_ELEMENTWISE_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_UNARY_FUNCTIONS = frozenset({"exp", "log", "tanh", "sin", "cos", "sqrt", "abs", "negative",
                              "square", "sign", "expm1", "log1p"})
"""The array module's functions whose result has their one argument's shape."""
_METHODS = {"sum": "sum", "mean": "mean", "max": "max", "amax": "max", "min": "min",
            "amin": "min", "prod": "prod"}
"""The array module's reductions an array has as a method of the same arguments."""


def shaped_backward(blocks: list[Block], shape_of_name: ShapeOfName, namespace: str,
                    keep: set[str]) -> list[Block]:
    """The backward's blocks rewritten for the shapes `shape_of_name` gives; the names of
    `keep` (the gradients, the outputs) keep their values as they are."""
    rewrite = _Rewrite(ShapeOf(shape_of_name, namespace), namespace)
    return _fills_as_numbers(_blocks(blocks, rewrite), rewrite, keep)


def shaped_forward(statements: list[ast.stmt], shape_of_name: ShapeOfName,
                   namespace: str) -> list[ast.stmt]:
    """The forward's statements rewritten for the shapes `shape_of_name` gives (their
    `source_node`, which heads them, kept)."""
    rewrite = _Rewrite(ShapeOf(shape_of_name, namespace), namespace)
    return [rewrite.visit(copied(statement)) for statement in statements]


def _rewritten(line: Line, rewrite: ast.NodeTransformer) -> Line:
    statement = line.statement
    if isinstance(statement, BranchLines):
        return Line(replace(statement, test=rewrite.visit(copied(statement.test)),
                            body=_blocks(statement.body, rewrite),
                            orelse=_blocks(statement.orelse, rewrite)), line.comment)
    if isinstance(statement, LoopLines):
        return Line(replace(statement, body=_blocks(statement.body, rewrite)), line.comment)
    if isinstance(statement, ast.Assign):
        return Line(_with_value(statement, rewrite.visit(copied(statement.value))), line.comment)
    if isinstance(statement, ast.AugAssign):
        return Line(rewrite.visit(_with_value(statement, copied(statement.value))), line.comment)
    return line


def _blocks(blocks: list[Block], rewrite: ast.NodeTransformer) -> list[Block]:
    return [Block(block.header, [_rewritten(line, rewrite) for line in block.lines])
            for block in blocks]


def _fills_as_numbers(blocks: list[Block], rewrite: _Rewrite, keep: set[str]) -> list[Block]:
    """`blocks` without each fill `t = xp.full_like(a, s)` of a number `s` that every line
    reading `t` meets, in elementwise arithmetic, with an operand of `a`'s shape: those read
    `s` instead (the fill read twice, as `sum(x * y)`'s adjoint is, which the rule before
    could not take up where `t` was written out once)."""
    lines = list(lines_in(blocks))
    stored = Counter(name.id for line in lines for node in own_syntax(line)
                     for name in ast.walk(node)
                     if isinstance(name, ast.Name) and not isinstance(name.ctx, ast.Load))
    fills: dict[str, tuple[ast.expr, ast.expr]] = {}
    for block in blocks:
        for line in block.lines:
            statement = line.statement
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                    and isinstance(statement.targets[0], ast.Name) and line.comment is None \
                    and rewrite._is_fill(statement.value):
                name, (filled, fill) = statement.targets[0].id, statement.value.args
                if name not in keep and stored.get(name) == 1 \
                        and rewrite.shape_of(fill) == () \
                        and not any(n.id in stored for n in ast.walk(fill)
                                    if isinstance(n, ast.Name)):
                    fills[name] = filled, fill
    # The operand beside a read must keep its shape: it reads none of these fills.
    numbers = {name: fill for name, (filled, fill) in fills.items()
               if _read_beside(name, rewrite.shape_of(filled), lines, rewrite.shape_of,
                               set(fills))}
    if not numbers:
        return blocks
    kept = [Block(block.header, [line for line in block.lines if not _assigns(line, numbers)])
            for block in blocks]
    return _blocks([block for block in kept if block.lines], _Substitute(numbers))


def _read_beside(name: str, shape: Shape | None, lines: list[Line], shape_of: ShapeOf,
                 fills: set[str]) -> bool:
    """Whether every read of `name` in `lines` is an operand of elementwise arithmetic
    whose other operand has `shape` and reads none of `fills`."""
    if shape is None:
        return False
    for line in lines:
        statement = line.statement
        if isinstance(statement, (ast.Assign, ast.AugAssign)) and any(
                isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
                for target in
                (statement.targets if isinstance(statement, ast.Assign) else [statement.target])
                for n in ast.walk(target)):
            return False  # an index of a target, which the value alone is rewritten in
        for node in own_syntax(line):
            beside = {id(operand) for parent in ast.walk(node)
                      if isinstance(parent, ast.BinOp) and isinstance(parent.op, _ELEMENTWISE_OPS)
                      for operand, other in ((parent.left, parent.right),
                                             (parent.right, parent.left))
                      if shape_of(other) == shape
                      and not any(isinstance(n, ast.Name) and n.id in fills
                                  for n in ast.walk(other))}
            for read in ast.walk(node):
                if isinstance(read, ast.Name) and read.id == name \
                        and isinstance(read.ctx, ast.Load) and id(read) not in beside:
                    return False
    return True


def _assigns(line: Line, names: dict[str, ast.expr]) -> bool:
    statement = line.statement
    return isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name) \
        and statement.targets[0].id in names


class _Substitute(ast.NodeTransformer):
    """Each read of a name of `values`, as a copy of its value."""

    def __init__(self, values: dict[str, ast.expr]):
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id in self.values:
            return copied(self.values[node.id])
        return node


def _with_value(statement: ast.Assign | ast.AugAssign, value: ast.expr) -> ast.stmt:
    """A copy of the assignment `statement` that assigns `value`."""
    if isinstance(statement, ast.Assign):
        return ast.Assign(statement.targets, value)
    return ast.AugAssign(statement.target, statement.op, value)


class ShapeOf:
    """The shape of an expression of the backward where the variant knows it, else None."""

    def __init__(self, of_name: Callable[[str], Shape | None], namespace: str):
        self.of_name, self.namespace = of_name, namespace

    def __call__(self, node: ast.expr) -> Shape | None:
        if isinstance(node, ast.Name):
            return self.of_name(node.id)
        if isinstance(node, ast.Constant):
            return () if type(node.value) in (int, float) else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (*_ELEMENTWISE_OPS, ast.Pow)):
            return broadcast(self(node.left), self(node.right))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            left, right = self(node.left), self(node.right)
            if left is None or right is None or len(left) != 2 or len(right) != 2 \
                    or left[1] != right[0]:
                return None
            return left[0], right[1]
        if isinstance(node, ast.Attribute):
            if node.attr in ("size", "ndim"):
                return ()
            if node.attr == "T":
                shape = self(node.value)
                return None if shape is None else shape[::-1]
            return None
        if isinstance(node, ast.Call):
            return self._call(node)
        return None

    def _call(self, node: ast.Call) -> Shape | None:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return None
        if func.attr == "sum" and not node.args:  # `value.sum(axis=..., keepdims=...)`
            options = {k.arg: k.value for k in node.keywords}
            if set(options) - {"axis", "keepdims"}:
                return None
            shape = self(func.value)
            axes = literal_axes(options.get("axis"), shape)
            keepdims = options.get("keepdims")
            if axes is None or keepdims is not None and not isinstance(keepdims, ast.Constant):
                return None
            return reduced(shape, axes, bool(keepdims.value) if keepdims else False)
        if isinstance(func.value, ast.Name) and func.value.id == self.namespace \
                and func.attr in _UNARY_FUNCTIONS and len(node.args) == 1 and not node.keywords:
            return self(node.args[0])
        return None


class _Rewrite(ast.NodeTransformer):
    def __init__(self, shape_of: ShapeOf, namespace: str):
        self.shape_of, self.namespace = shape_of, namespace

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        """`t.size`, `t.ndim`, `t.shape` of a known shape, as the literal they read."""
        self.generic_visit(node)
        if not (isinstance(node.value, ast.Name) and isinstance(node.ctx, ast.Load)
                and node.attr in ("size", "ndim", "shape")):
            return node
        shape = self.shape_of(node.value)
        if shape is None:
            return node
        if node.attr == "shape":
            return ast.Tuple([ast.Constant(n) for n in shape], ast.Load())
        return ast.Constant(math.prod(shape) if node.attr == "size" else len(shape))

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        """`t.shape[0]` of a known shape as the literal length."""
        self.generic_visit(node)
        shape, index = node.value, node.slice
        if isinstance(node.ctx, ast.Load) and isinstance(shape, ast.Tuple) \
                and all(isinstance(n, ast.Constant) for n in shape.elts) \
                and isinstance(index, ast.Constant) and type(index.value) is int \
                and -len(shape.elts) <= index.value < len(shape.elts):
            return shape.elts[index.value]
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AugAssign:
        """`t += xp.full_like(a, s)` of a `t` of `a`'s shape as `t += s`."""
        self.generic_visit(node)
        value, target = node.value, node.target
        if self._is_fill(value) and isinstance(target, ast.Name) \
                and isinstance(node.op, _ELEMENTWISE_OPS) and self.shape_of(value.args[1]) == () \
                and self.shape_of(target) is not None \
                and self.shape_of(target) == self.shape_of(value.args[0]):
            return ast.AugAssign(target, node.op, value.args[1])
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        """`xp.sum(t, ...)` of an array `t` (a known shape of one axis or more) as
        `t.sum(...)`."""
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id == self.namespace and func.attr in _METHODS and node.args \
                and not any(k.arg is None for k in node.keywords) \
                and not any(isinstance(a, ast.Starred) for a in node.args):
            shape = self.shape_of(node.args[0])
            if shape:
                method = ast.Attribute(node.args[0], _METHODS[func.attr], ast.Load())
                return ast.Call(method, node.args[1:], node.keywords)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            negated = _without_negation(node.right)
            if negated is not None:  # a + -b is a - b; a - -b is a + b
                op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
                node = ast.BinOp(node.left, op, negated)
        if not isinstance(node.op, _ELEMENTWISE_OPS):
            return node
        for side in ("left", "right"):
            other = node.right if side == "left" else node.left
            operand = self._broadcast_operand(getattr(node, side), other)
            if operand is not None:
                left, right = (operand, other) if side == "left" else (other, operand)
                node = ast.BinOp(left, node.op, right)
                break
        inner = node.right
        if isinstance(node.op, ast.Mult) and isinstance(node.left, ast.Constant) \
                and node.left.value == 2.0 and isinstance(inner, ast.BinOp) \
                and isinstance(inner.op, ast.Mult) and self.shape_of(inner.left) == ():
            return ast.BinOp(ast.BinOp(node.left, ast.Mult(), inner.left), ast.Mult(), inner.right)
        return node

    def _broadcast_operand(self, node: ast.expr, other: ast.expr) -> ast.expr | None:
        """What broadcasts in place of `node`, a spread or a fill, met by `other`; None where
        `node` is neither or `other`'s shape does not make up for it."""
        scaled = _scaled_by_power_of_two(node)
        if scaled is not None:  # `xp.full_like(a, s) * 2`, the fill of `s * 2`
            fill, op, factor = scaled
            if self._is_fill(fill) and self.shape_of(fill.args[1]) == ():
                scaled_fill = ast.Call(fill.func, [fill.args[0], ast.BinOp(fill.args[1], op,
                                                                          factor)], [])
                return self._broadcast_operand(scaled_fill, other)
        if not isinstance(node, ast.Call) or node.keywords:
            return None
        if self._is_fill(node):
            filled, fill = node.args
            if self.shape_of(fill) != ():
                return None
            same = isinstance(filled, ast.Name) and isinstance(other, ast.Name) \
                and filled.id == other.id
            shape = self.shape_of(filled)
            return fill if same or shape is not None and shape == self.shape_of(other) else None
        if not (isinstance(node.func, ast.Name) and node.func.id == "_spread"
                and len(node.args) == 3 and isinstance(node.args[1], ast.Name)):
            return None
        spread, x, axis = node.args
        shape = self.shape_of(x)
        axes = literal_axes(axis, shape)
        if shape is None or axes is None or self.shape_of(other) != shape:
            return None
        if self._is_fill(spread) and self.shape_of(spread.args[1]) == ():
            return spread.args[1]  # every element the same number
        given = self.shape_of(spread)
        if given is None:
            return None
        if given == () or given == reduced(shape, axes, keepdims=True):
            return spread
        if given == reduced(shape, axes, keepdims=False):
            return _expanded(spread, len(shape), axes)
        return None

    def _is_fill(self, node: ast.expr) -> bool:
        """`xp.full_like(a, s)`."""
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "full_like" and isinstance(node.func.value, ast.Name) \
            and node.func.value.id == self.namespace and len(node.args) == 2 \
            and not node.keywords


def _scaled_by_power_of_two(node: ast.expr) -> tuple[ast.expr, ast.operator, ast.expr] | None:
    """`(x, op, c)` for `node` a `x * c` or `x / c` of a literal power of two `c` (which
    scales each number exactly, whichever way it is grouped); else None."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div))):
        return None
    factor = node.right
    if not (isinstance(factor, ast.Constant) and type(factor.value) in (int, float)
            and factor.value > 0 and math.frexp(factor.value)[0] == 0.5):
        return None
    return node.left, node.op, factor


def _without_negation(node: ast.expr) -> ast.expr | None:
    """`-node` written without a negation of its own, where `node` holds one that can come
    out (`-b`, `(-b) * c`, `(-b).sum(axis=1) / c`); None where it holds none."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return node.operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        left = _without_negation(node.left)
        if left is not None:
            return ast.BinOp(left, node.op, node.right)
        right = _without_negation(node.right)
        if right is not None:
            return ast.BinOp(node.left, node.op, right)
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "sum" and not node.args:
        inner = _without_negation(node.func.value)
        if inner is not None:
            return ast.Call(ast.Attribute(inner, "sum", ast.Load()), [], node.keywords)
    return None


def broadcast(a: Shape | None, b: Shape | None) -> Shape | None:
    """The broadcast shape of `a` and `b`; None where either is unknown or they clash."""
    if a is None or b is None:
        return None
    result = []
    for m, n in zip(a[::-1] + (1,) * (len(b) - len(a)), b[::-1] + (1,) * (len(a) - len(b))):
        if m != n and 1 not in (m, n):
            return None
        result.append(max(m, n) if 1 in (m, n) else m)
    return tuple(result[::-1])


def literal_axes(axis: ast.expr | None, shape: Shape | None) -> tuple[int, ...] | None:
    """The axes a literal `axis` (None, an int or a tuple of them) names in an array of
    `shape`, made non-negative; None where `axis` is not literal or `shape` unknown."""
    if shape is None:
        return None
    if axis is None or isinstance(axis, ast.Constant) and axis.value is None:
        return tuple(range(len(shape)))
    items = axis.elts if isinstance(axis, ast.Tuple) else [axis]
    axes = []
    for item in items:
        if not (isinstance(item, ast.Constant) and type(item.value) is int
                and -len(shape) <= item.value < len(shape)):
            return None
        axes.append(item.value % len(shape))
    return tuple(sorted(set(axes)))


def reduced(shape: Shape | None, axes: tuple[int, ...], keepdims: bool) -> Shape | None:
    """`shape` reduced over `axes`: 1 along them with `keepdims`, else without them."""
    if shape is None:
        return None
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _expanded(value: ast.expr, ndim: int, axes: tuple[int, ...]) -> ast.expr:
    """`value[:, None]`: the reduced axes put back, of length 1."""
    index = [ast.Constant(None) if i in axes else ast.Slice() for i in range(ndim)]
    while index and isinstance(index[-1], ast.Slice):
        index.pop()
    return ast.Subscript(value, ast.Tuple(index, ast.Load()) if len(index) > 1 else index[0],
                         ast.Load())
