"""The user's operation that a statement of a generated gradient comes from.

A generated function heads the lines that reverse each of the user's lines with
`# line N: statement` (`# line N (context): statement` for an inlined call), and its
forward statements assign the program's own variables. `raised_at` follows a traceback
into the generated function that was running and reads, from the statement that raised,
the program's `Assignment` it computes or reverses.
"""

from __future__ import annotations

import ast
import linecache
import re
import types
from collections.abc import Callable
from dataclasses import dataclass

from ..ir import Assignment, Program, assignments
from ..syntax import name_nodes

_HEADER = re.compile(r"#\s*line (\d+)(?: \((.*)\))?: (.*)$")
_BACKWARD = "# backward"


@dataclass(frozen=True)
class Raised:
    """Where a generated function raised: the user's operation, and whether the statement
    was one of its adjoint (backward) lines rather than the operation itself."""

    assignment: Assignment
    backward: bool


def raised_at(error: BaseException, function: Callable, program: Program) -> Raised | None:
    """The operation of `program` whose generated statement in `function` raised `error`, or
    None where the traceback does not lead to one."""
    frame = _outermost_frame(error.__traceback__, function.__code__.co_filename)
    if frame is None:
        return None
    code, lineno = frame
    lines = linecache.getlines(code.co_filename)
    try:
        tree = ast.parse("".join(lines))
    except SyntaxError:
        return None
    definition = next((node for node in tree.body if isinstance(node, ast.FunctionDef)
                       and node.name == code.co_name), None)
    if definition is None:
        return None
    statement = _innermost_statement(definition.body, lineno)
    if statement is None:
        return None
    backward = any(line.strip() == _BACKWARD
                   for line in lines[definition.lineno:statement.lineno - 1])
    header = _header_above(lines, statement.lineno, definition.lineno)
    candidates = assignments(program.body)
    # A forward statement assigns the program's own variable; a backward one reverses an
    # operation of the line its block's header names.
    found = None if backward else _assignment_of(statement, None, candidates)
    found = found or _assignment_of(statement, header, candidates)
    return None if found is None else Raised(found, backward)


def _outermost_frame(trace: types.TracebackType | None,
                     filename: str) -> tuple[types.CodeType, int] | None:
    """The code and line of the first frame of the traceback in the generated file."""
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == filename:
            return trace.tb_frame.f_code, trace.tb_lineno
        trace = trace.tb_next
    return None


def _innermost_statement(body: list[ast.stmt], lineno: int) -> ast.stmt | None:
    """The statement of `body` (inside a loop or `if`, the one in its body) on `lineno`."""
    for statement in body:
        if not statement.lineno <= lineno <= (statement.end_lineno or statement.lineno):
            continue
        for inner in ("body", "orelse"):
            found = _innermost_statement(getattr(statement, inner, []), lineno)
            if found is not None:
                return found
        return statement
    return None


def _header_above(lines: list[str], lineno: int, first: int) -> tuple[int, str | None, str] | None:
    """The `# line N (context): statement` header nearest above line `lineno` (1-based),
    as (N, context, statement); None where the forward's `# forward` comes first."""
    for text in reversed(lines[first:lineno - 1]):
        stripped = text.strip()
        if stripped == "# forward":
            return None
        match = _HEADER.match(stripped)
        if match:
            return int(match.group(1)), match.group(2), match.group(3)
    return None


def _assignment_of(statement: ast.stmt, header: tuple[int, str | None, str] | None,
                   candidates: list[Assignment]) -> Assignment | None:
    """The assignment a generated statement computes (by its target, where `header` is None)
    or, under a header,
    the one of the header's line whose adjoint (`dv` for its output `v`) the statement reads,
    else the line's first."""
    if header is None:
        targets = _targets(statement)
        return next((a for a in candidates if a.target in targets), None)
    lineno, context, text = header
    on_line = [a for a in candidates if a.origin.lineno == lineno and a.context == context]
    on_line = [a for a in on_line if text.startswith(a.statement)] or on_line
    read = {n.id for n in name_nodes(statement) if isinstance(n.ctx, ast.Load)}
    reversed_here = [a for a in on_line if f"d{a.target}" in read]
    return (reversed_here or on_line or [None])[0]


def _targets(statement: ast.stmt) -> set[str]:
    """The names a statement assigns."""
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        targets = [statement.target]
    else:
        return set()
    return {n.id for target in targets for n in name_nodes(target)}
