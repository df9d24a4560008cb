"""The scope of the function being lowered: its source, local versions and functions."""

from __future__ import annotations

import ast
import types
from dataclasses import dataclass, field

from ..errors import Origin
from ..parser import (
    Source,
)


@dataclass
class Scope:
    """The function being normalized: the user's, or one inlined into it."""

    source: Source
    versions: dict[str, ast.expr] = field(default_factory=dict)
    functions: dict[str, tuple[ast.FunctionDef | ast.Lambda, Scope]] = field(default_factory=dict)
    parent: Scope | None = None
    call_site: str | None = None
    statement: ast.AST | None = None
    aliases: dict[str, types.ModuleType] = field(default_factory=dict)
    arguments: dict[str, ast.expr] = field(default_factory=dict)
    """An inlined function's parameters bound to the caller's values."""
    generated: bool = False
    """True for the source of a gradient function being differentiated again."""

    def lookup(self, name: str) -> ast.expr | None:
        """The current value of a local name, here or in an enclosing function."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.versions:
                return scope.versions[name]
            scope = scope.parent
        return None

    def local_function(self, name: str):
        scope: Scope | None = self
        while scope is not None:
            if name in scope.versions:
                return None
            if name in scope.functions:
                return scope.functions[name]
            scope = scope.parent
        return None


def caller_origin(scope: Scope, node: ast.AST) -> Origin:
    """Where `node` stands in the source of `scope`'s function."""
    source = scope.source
    lineno = getattr(node, "lineno", 1)
    if source.user_lines is not None and lineno in source.user_lines:
        return source.user_lines[lineno].origin
    line = source.lines[lineno - 1] if lineno - 1 < len(source.lines) else ""
    return Origin(source.filename, lineno + source.first_line - 1,
                  getattr(node, "col_offset", 0) + source.indent, " " * source.indent + line)
