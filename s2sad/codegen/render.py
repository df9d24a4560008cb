"""Writing a module's syntax out as formatted source, comments included.

ast has no comments, so a module codegen builds carries them as statements of its own:
`Comment`, a comment on a line of its own, and `Commented`, a statement with a comment at
its end. `render` writes the module as black would: each statement that fits its line
through `style.black_line`, each that does not (or that holds something `black_line` is
unsure of) through black itself, alone, at its indentation. black is imported only then,
so a gradient whose lines all fit is written in microseconds per line.
"""

from __future__ import annotations

import ast
import copy
import sys
from collections.abc import Callable

from ..adjoint.blocks import Header
from .style import Unsure, black_line

LINE_LENGTH = 88
_INDENT = "    "


class Comment(ast.stmt):
    """`# text`, on a line of its own."""

    _fields = ("text",)


class Commented(ast.stmt):
    """`statement  # text`; where `movable` and that line would be too long, the comment
    goes on the line above instead."""

    _fields = ("statement", "text", "movable")


def render(module: ast.Module, header: str) -> str:
    """The source of `module` under the comment line `header`, formatted as black formats
    it: one blank line after the imports, two around each function."""
    ast.fix_missing_locations(module)
    lines = [header]
    previous: ast.stmt | None = None
    for statement in module.body:
        if previous is not None:
            lines += [""] * _blank_lines(previous, statement)
        lines += _lines(statement, 0)
        previous = statement
    return "\n".join(lines) + "\n"


def format_source(source: str, line_length: int = LINE_LENGTH) -> str:
    """Format with black, so generated code reads like hand-formatted code."""
    import black

    return black.format_str(source, mode=black.Mode(line_length=line_length))


def _blank_lines(previous: ast.stmt, statement: ast.stmt) -> int:
    if isinstance(previous, ast.FunctionDef) or isinstance(statement, ast.FunctionDef):
        return 2
    return 1 if _is_import(previous) and not _is_import(statement) else 0


def _is_import(statement: ast.stmt) -> bool:
    if isinstance(statement, Commented):
        statement = statement.statement
    return isinstance(statement, (ast.Import, ast.ImportFrom))


def _lines(statement: ast.stmt, depth: int) -> list[str]:
    """`statement` as lines indented `depth` levels."""
    indent = _INDENT * depth
    if isinstance(statement, (Comment, Header)):
        return [f"{indent}# {statement.text}"]
    if _written_by_lines(statement):
        return _compound(statement, depth)
    try:
        lines = [indent + line for line in _text(statement, black_line, depth).split("\n")]
    except Unsure:
        return _by_black(_text(statement, ast.unparse, depth), depth)
    if any(len(line) > LINE_LENGTH for line in lines):
        if isinstance(statement, ast.Delete) and all(isinstance(t, ast.Name) for t in statement.targets):
            # black's split of a long `del`: one name a line (the names cannot fit one line
            # inside the parentheses when they did not after `del `)
            return [f"{indent}del (", *(f"{indent}{_INDENT}{t.id}," for t in statement.targets),
                    f"{indent})"]
        return _by_black(_text(statement, ast.unparse, depth), depth)
    return lines


def _text(statement: ast.stmt, write: Callable[[ast.AST], str], depth: int) -> str:
    """A simple statement's text, its parts written by `write`: a returned tuple without
    the parentheses ast.unparse gives it; a comment trailing its statement where it fits
    the line (at `depth`), above it where not."""
    if isinstance(statement, Commented):
        text = write(statement.statement)
        trailing = f"{text}  # {statement.text}"
        if statement.movable and len(trailing) > LINE_LENGTH - len(_INDENT) * max(depth, 1):
            return f"# {statement.text}\n{text}"
        return trailing
    if isinstance(statement, ast.Return) and isinstance(statement.value, ast.Tuple) \
            and len(statement.value.elts) > 1:
        return "return " + ", ".join(write(e) for e in statement.value.elts)
    return write(statement)


def _by_black(text: str, depth: int) -> list[str]:
    """Source that does not fit its line, split by black at its indentation."""
    formatted = format_source(text + "\n", LINE_LENGTH - len(_INDENT) * depth)
    indent = _INDENT * depth
    return [indent + line if line else line for line in formatted.rstrip("\n").split("\n")]


def _written_by_lines(statement: ast.stmt) -> bool:
    """A compound statement, written head and body apart (a statement in its body may
    need black where the rest does not)."""
    return isinstance(statement, (ast.FunctionDef, ast.If, ast.For, ast.While))


def _compound(statement: ast.stmt, depth: int) -> list[str]:
    """A function, `if`, `for` or `while`: its head, its docstring, its body, and its
    `elif`s or `else`."""
    indent = _INDENT * depth
    docstring = _docstring(statement)
    lines = _head(statement, depth)
    body = statement.body
    if docstring is not None:
        lines += _docstring_lines(docstring, depth + 1)
        body = body[1:]
    for inner in body:
        lines += _lines(inner, depth + 1)
    orelse = getattr(statement, "orelse", None)
    if orelse:
        if isinstance(statement, ast.If) and len(orelse) == 1 and isinstance(orelse[0], ast.If) \
                and not _holds_comments(statement):
            elif_lines = _compound(orelse[0], depth)
            lines += [indent + "el" + elif_lines[0].lstrip(), *elif_lines[1:]]
        else:
            lines += [indent + "else:", *(line for inner in orelse for line in _lines(inner, depth + 1))]
    return lines


def _holds_comments(statement: ast.stmt) -> bool:
    """A statement written line by line before: its `else: if` kept as written (ast.unparse
    would have made it an `elif`)."""
    return any(isinstance(node, (Comment, Commented, Header)) or isinstance(node, ast.Return)
               and isinstance(node.value, ast.Tuple) for node in ast.walk(statement))


def _head(statement: ast.stmt, depth: int) -> list[str]:
    """The first line of a compound statement as black writes it (more where it is split)."""
    emptied = copy.copy(statement)
    emptied.body = [ast.Pass()]
    if hasattr(emptied, "orelse"):
        emptied.orelse = []
    ast.fix_missing_locations(emptied)
    try:
        head = [_INDENT * depth + black_line(emptied).split("\n")[0]]
    except Unsure:
        head = None
    if head is None or len(head[0]) > LINE_LENGTH:
        head = _by_black(ast.unparse(emptied), depth)[:-1]
    return head


def _docstring(statement: ast.stmt) -> ast.Expr | None:
    first = statement.body[0] if isinstance(statement, ast.FunctionDef) and statement.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        return first
    return None


def _docstring_lines(docstring: ast.Expr, depth: int) -> list[str]:
    """A docstring as black writes it (its `fix_multiline_docstring`): the first line
    stripped, the others re-indented to the body, each stripped at its end."""
    text = docstring.value.value
    if '"""' in text or "\\" in text or text.endswith('"') or not text.isascii():
        return _by_black(f"def _():\n{_INDENT}{ast.unparse(docstring)}", depth - 1)[1:]
    indent = _INDENT * depth
    lines = text.expandtabs().split("\n")
    if len(lines) == 1:
        return [f'{indent}"""{text.strip()}"""']
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()),
                 default=sys.maxsize)
    fixed = [lines[0].strip()]
    if margin < sys.maxsize:
        last = len(lines) - 2
        for position, line in enumerate(lines[1:]):
            stripped = line[margin:].rstrip()
            fixed.append(indent + stripped if stripped or position == last else "")
    fixed[0] = f'{indent}"""{fixed[0]}'
    if len(fixed) > 1 and len(fixed[-1]) + 3 > LINE_LENGTH:
        return [*fixed, f'{indent}"""']
    fixed[-1] += '"""'
    return fixed
