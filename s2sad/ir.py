"""The program representation handed from the parser to the adjoint pass.

A forward function becomes a list of `Assignment`s, each computing one
operation over names and constants (one operation per statement), in static
single assignment form: every name is assigned once.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .errors import Origin


@dataclass
class Assignment:
    """`target = value`, one operation, `op` naming its adjoint rule.

    `args` and `keywords` are the operation's operands as written, already
    reduced to names, constants and non-differentiable expressions; for a
    method call or an attribute the receiver is `args[0]`.
    """

    target: str
    value: ast.expr
    op: str
    args: list[ast.expr]
    keywords: dict[str, ast.expr]
    origin: Origin
    statement: str
    user_variable: bool = False
    context: str | None = None


@dataclass
class Parameter:
    """A parameter of the forward function; `default` is a literal or None."""

    name: str
    default: ast.expr | None = None


@dataclass
class Program:
    """A normalized forward function."""

    name: str
    filename: str
    display_filename: str
    params: list[Parameter]
    body: list[Assignment]
    outputs: list[ast.expr]
    returns_tuple: bool
    return_origin: Origin
    return_statement: str
    namespace: str = "xp"
    constants: dict[str, object] = field(default_factory=dict)
    effects: list[tuple[int, ast.stmt]] = field(default_factory=list)
    """Statements run for their effect (`print`, `assert`), each before body[position]."""
    taken_names: set[str] = field(default_factory=set)
