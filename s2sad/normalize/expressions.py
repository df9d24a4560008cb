"""Expressions: nested expressions split into one operation each, constants folded."""

from __future__ import annotations

import ast

from ..fold import fold_numbers, literal_number
from ..ir import (
    Assignment,
    Operation,
)
from ..parser import (
    BINARY_OPS,
    UNARY_OPS,
    UNSUPPORTED_HINTS,
    construct,
    op_symbol,
)
from .trees import Lowered


class ExpressionLowering:
    """The expressions part of the `Normalizer` (see lowering.py, which holds the state
    these methods share)."""

    def atom(self, node: ast.expr) -> ast.expr:
        """`node` as a name or constant, assigning any operation to a temporary."""
        result = self.operation_or_atom(node)
        if isinstance(result, ast.expr):
            return result
        return self.temporary(result, node)

    def operation_or_atom(self, node: ast.expr) -> Operation | ast.expr:
        """An atom (a name or constant), or one operation."""
        if isinstance(node, ast.Constant):
            return node
        if isinstance(node, Lowered):
            return node.value
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Subscript):  # (`attribute` follows a static receiver itself)
            value = self.static_or_none(node)
            if value is not None:
                return value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return node
        if isinstance(node, ast.BinOp):
            op = BINARY_OPS.get(type(node.op))
            if op is None:
                raise self.unsupported(node, f"the operator `{op_symbol(node)}` is not supported",
                                       "write it with + - * / ** @ or a NumPy function")
            left, right = self.atom(node.left), self.atom(node.right)
            joined = self.static_join(node, left, right)
            if joined is not None:  # `args + (np.ones(n),)`, of tuples known now
                return joined
            folded = fold_numbers(node.op, left, right)
            if folded is not None:  # `0.5 * delta` with delta=1.0, from an inlined default
                return folded
            return Operation(ast.BinOp(left, node.op, right), op, [left, right])
        if isinstance(node, ast.UnaryOp):
            operand = self.atom(node.operand)
            if isinstance(node.op, ast.USub) and isinstance(operand, ast.Attribute):
                return ast.UnaryOp(node.op, operand)  # -np.inf: a constant, as -1.0 is
            return Operation(ast.UnaryOp(node.op, operand), UNARY_OPS[type(node.op)], [operand])
        if isinstance(node, ast.Compare):
            operands = [self.atom(node.left)] + [self.atom(c) for c in node.comparators]
            value = ast.Compare(operands[0], node.ops, operands[1:])
            return Operation(value, "compare", operands)
        if isinstance(node, ast.BoolOp):
            operands = [self.atom(v) for v in node.values]
            return Operation(ast.BoolOp(node.op, operands), "boolop", operands)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                return self.leaf(node)
            value = self.atom(node.value)
            index = self.index(node.slice)
            position = literal_number(index)
            if isinstance(value, (ast.Tuple, ast.List)) and type(position) is int \
                    and -len(value.elts) <= position < len(value.elts):
                return value.elts[position]  # `pair(x)[0]`, of a call returning a tuple
            return Operation(ast.Subscript(value, index, ast.Load()), "getitem", [value, index])
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.Tuple, ast.List)):
            elements = [self.atom(e) for e in node.elts]
            return type(node)(elements, ast.Load())
        if isinstance(node, ast.IfExp):
            return self.conditional_expression(node)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp)):
            return self.comprehension(node)
        if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
            values = [self.atom(v) for v in node.values]  # a dict display, `{"loss": loss}`
            return Operation(ast.Dict(list(node.keys), values), "dict", values)
        hint = UNSUPPORTED_HINTS.get(type(node), "rewrite it with array operations")
        raise self.unsupported(node, f"s2sad cannot differentiate {construct(node)}", hint)

    def leaf(self, node: ast.Subscript) -> ast.Name:
        """`params["layer"]["w"]`: a leaf of a dict argument, read once at the function's start."""
        path: list[str] = []
        root: ast.expr = node
        while isinstance(root, ast.Subscript) and isinstance(root.slice, ast.Constant) \
                and isinstance(root.slice.value, str):
            path.insert(0, root.slice.value)
            root = root.value
        # The dict is the function's own argument, read here directly, through a closure, or
        # passed to an inlined function.
        bound = self.scope.lookup(root.id) if isinstance(root, ast.Name) else None
        parameter = bound.id if isinstance(bound, ast.Name) else None
        if parameter not in self.adjoint_names:
            raise self.unsupported(node, "only the function's own dict arguments can be read by key",
                                   "read the dict's values with constant keys in the function "
                                   "that takes it, `params[\"w\"]`")
        key = (parameter, tuple(path))
        if key not in self.leaves:
            name = self.names.fresh("_".join([parameter, *path]))
            value: ast.expr = ast.Name(parameter, ast.Load())
            for part in path:
                value = ast.Subscript(value, ast.Constant(part), ast.Load())
            self.leaves[key] = Assignment(name, value, "leaf", [ast.Name(parameter, ast.Load())], {},
                                          self.origin(node), self.statement_text(self.scope.statement),
                                          user_variable=True)
        return ast.Name(self.leaves[key].target, ast.Load())

    def index(self, node: ast.expr) -> ast.expr:
        """An index with every part reduced to an atom; slices and `...` kept as written."""
        if isinstance(node, ast.Tuple):
            return ast.Tuple([self.index_part(e) for e in node.elts], ast.Load())
        return self.index_part(node)

    def index_part(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Slice):
            parts = [self.atom(p) if p is not None else None for p in (node.lower, node.upper, node.step)]
            return ast.Slice(*parts)
        return self.atom(node)
