"""Writing a module's syntax out as source, comments included.

ast has no comments, so a module codegen builds carries them as statements of its own:
`Comment`, a comment on a line of its own, and `Commented`, a statement with a comment at
its end. `render` writes each statement with `ast.unparse`; a compound statement that
holds comments it writes line by line around them.
"""

from __future__ import annotations

import ast
import copy

from ..adjoint.blocks import Header

LINE_LENGTH = 88


class Comment(ast.stmt):
    """`# text`, on a line of its own."""

    _fields = ("text",)


class Commented(ast.stmt):
    """`statement  # text`; where `movable` and that line would be too long, the comment
    goes on the line above instead."""

    _fields = ("statement", "text", "movable")


def render(module: ast.Module) -> str:
    """The source of `module`: its statements one after another (black puts the blank lines
    between them)."""
    ast.fix_missing_locations(module)
    return "\n".join(line for statement in module.body for line in _lines(statement))


def _lines(statement: ast.stmt) -> list[str]:
    if isinstance(statement, (Comment, Header)):
        return [f"# {statement.text}"]
    if isinstance(statement, Commented):
        return _commented(statement)
    if isinstance(statement, ast.Return) and isinstance(statement.value, ast.Tuple) \
            and len(statement.value.elts) > 1:
        return ["return " + ", ".join(ast.unparse(e) for e in statement.value.elts)]
    if not _written_by_lines(statement):
        return ast.unparse(statement).splitlines()
    docstring = _docstring(statement)
    head = ast.unparse(_emptied(statement, docstring)).splitlines()
    lines = head if docstring else head[:-1]
    lines += _indented(statement.body[1:] if docstring else statement.body)
    if getattr(statement, "orelse", None):
        lines += ["else:", *_indented(statement.orelse)]
    return lines


def _commented(commented: Commented) -> list[str]:
    """A statement with its comment: trailing where it fits the line, above it where not."""
    text = ast.unparse(commented.statement)
    trailing = f"{text}  # {commented.text}"
    if commented.movable and len(trailing) > LINE_LENGTH - 4:
        return [f"# {commented.text}", text]
    return [trailing]


def _written_by_lines(statement: ast.stmt) -> bool:
    """A compound statement ast.unparse cannot write whole: one holding comments, or a
    returned tuple (which it would parenthesize)."""
    return isinstance(statement, (ast.FunctionDef, ast.If, ast.For)) and any(
        isinstance(node, (Comment, Commented, Header)) or isinstance(node, ast.Return)
        and isinstance(node.value, ast.Tuple) for node in ast.walk(statement))


def _docstring(statement: ast.stmt) -> ast.Expr | None:
    first = statement.body[0] if isinstance(statement, ast.FunctionDef) and statement.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        return first
    return None


def _emptied(statement: ast.stmt, docstring: ast.Expr | None) -> ast.stmt:
    """`statement` with no body but its docstring (or `pass`) and no `else`: its head."""
    head = copy.copy(statement)
    head.body = [docstring or ast.Pass()]
    if hasattr(head, "orelse"):
        head.orelse = []
    return ast.fix_missing_locations(head)


def _indented(statements: list[ast.stmt]) -> list[str]:
    return ["    " + line for statement in statements for line in _lines(statement)]
