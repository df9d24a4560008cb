"""Writing one statement the way black writes it when it fits a line.

`ast.unparse` and black differ on a short line in a few ways only: black prefers double
quotes, hugs `**` between simple operands (`x**2`), parenthesizes a power under a unary
operator (`-(x**2)`), and spaces the colons of a slice whose bounds are expressions
(`x[t + 1 :]`). `black_line` writes a statement with those rules, and says when it meets
something whose black form it does not know (a string with both quotes or escapes, an
f-string, a one-element subscript tuple, non-ASCII text): that statement goes to black.

The rules follow black's own (its `hug_power_op`, `visit_factor` and
`is_complex_subscript`); the tests hold every generated module to black's output.
"""

from __future__ import annotations

import ast
import itertools

_UNARY_WRAPPED = (ast.USub, ast.UAdd, ast.Invert)


class Unsure(Exception):
    """The statement holds something whose black form `black_line` does not know."""


def black_line(statement: ast.AST) -> str:
    """`statement` as black writes it when it fits the line; raises `Unsure`."""
    text = _BlackStyle().visit(statement)
    if not text.isascii():
        raise Unsure("non-ASCII text: black measures its width")
    return text


class _BlackStyle(ast._Unparser):  # the standard library's unparser, with black's choices
    def _write_constant(self, value: object) -> None:
        if isinstance(value, str):
            self.write(_quoted(value))
        elif isinstance(value, bytes):
            raise Unsure("a bytes literal")
        else:
            super()._write_constant(value)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        raise Unsure("an f-string")

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Pow) and _negative(node.left):
            raise Unsure("a negative number under a power")
        if isinstance(node.op, ast.Pow) and _simple_before(node.left) \
                and _simple_after(node.right):
            with self.require_parens(self.binop_precedence["**"], node):
                self.set_precedence(self.binop_precedence["**"].next(), node.left)
                self.traverse(node.left)
                self.write("**")
                self.set_precedence(self.binop_precedence["**"], node.right)
                self.traverse(node.right)
            return
        super().visit_BinOp(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        operand = node.operand
        if isinstance(node.op, _UNARY_WRAPPED) and isinstance(operand, ast.BinOp) \
                and isinstance(operand.op, ast.Pow) \
                and not isinstance(operand.left, (ast.Attribute, ast.Subscript, ast.Call)):
            # black: `-x ** 2` is `-(x**2)`, so the power's binding is seen
            wrapped = ast.UnaryOp(node.op, _Parenthesized(operand))
            super().visit_UnaryOp(wrapped)
            return
        super().visit_UnaryOp(node)

    def visit__Parenthesized(self, node: _Parenthesized) -> None:
        with self.delimit("(", ")"):
            self.traverse(node.inner)

    def visit_Tuple(self, node: ast.Tuple) -> None:
        if len(node.elts) == 1:  # black: `(tx,) = tangent`, not `tx, = tangent`
            with self.delimit("(", ")"):
                self.traverse(node.elts[0])
                self.write(",")
            return
        super().visit_Tuple(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        index = node.slice
        if isinstance(index, ast.Tuple) and len(index.elts) == 1:
            raise Unsure("a one-element tuple as an index")
        super().visit_Subscript(node)

    def visit_Slice(self, node: ast.Slice) -> None:
        bounds = (node.lower, node.upper, node.step)
        if all(bound is None or _trivial(bound) for bound in bounds):
            super().visit_Slice(node)
            return
        # black: a slice with expressions spaces its colons like binary operators
        pieces = [self._text(node.lower)] if node.lower else []
        pieces.append(":")
        if node.upper:
            pieces.append(self._text(node.upper))
        if node.step:
            pieces += [":", self._text(node.step)]
        text = pieces[0]
        for before, piece in itertools.pairwise(pieces):
            text += piece if before == ":" and piece == ":" else " " + piece
        self.write(text)

    def _text(self, node: ast.expr) -> str:
        return _BlackStyle().visit(node)


class _Parenthesized(ast.expr):
    _fields = ("inner",)


def _quoted(value: str) -> str:
    """A string literal in black's quotes: double, unless the text holds a double quote."""
    if not value.isprintable() or "\\" in value:
        raise Unsure("a string with escapes")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    raise Unsure("a string with both quotes")


def _trivial(bound: ast.expr) -> bool:
    """A slice bound black writes its colon against: a name, a constant, or either under
    a unary minus, plus or inversion."""
    while isinstance(bound, ast.UnaryOp) and isinstance(bound.op, _UNARY_WRAPPED):
        bound = bound.operand
    return isinstance(bound, (ast.Name, ast.Constant))


def _simple_before(node: ast.expr) -> bool:
    """An operand black hugs `**` on the left of: a name, a number, or a dotted name."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) or _number(node)


def _simple_after(node: ast.expr) -> bool:
    """An operand black hugs `**` on the right of: one that starts with a name, a number,
    or a dotted name that is not called or indexed."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _simple_after(node.left)
    return _simple_before(node)


def _number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not isinstance(node.value, (str, bytes)) \
        and node.value is not ...


def _negative(node: ast.expr) -> bool:
    return _number(node) and not isinstance(node.value, complex) and node.value < 0
