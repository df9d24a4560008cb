"""Small constructors of the syntax the passes write: a name read, an assignment, a call."""

from __future__ import annotations

import ast


def load(name: str) -> ast.Name:
    """The name `name`, read."""
    return ast.Name(name, ast.Load())


def assign(name: str, value: ast.expr) -> ast.Assign:
    """`name = value`."""
    return ast.Assign([ast.Name(name, ast.Store())], value)


def call(function: str, *args: ast.expr) -> ast.Call:
    """`function(*args)`, a function called by its name."""
    return ast.Call(load(function), list(args), [])
