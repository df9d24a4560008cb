"""Small constructors of the syntax the passes write: a name read, an assignment, a call."""

from __future__ import annotations

import ast
from typing import TypeVar

T = TypeVar("T")


def load(name: str) -> ast.Name:
    """The name `name`, read."""
    return ast.Name(name, ast.Load())


def assign(name: str, value: ast.expr) -> ast.Assign:
    """`name = value`."""
    return ast.Assign([ast.Name(name, ast.Store())], value)


def call(function: str, *args: ast.expr) -> ast.Call:
    """`function(*args)`, a function called by its name."""
    return ast.Call(load(function), list(args), [])


def name_nodes(node: ast.AST) -> list[ast.Name]:
    """The names in `node`, in no set order: `ast.walk`'s `Name` nodes, found about four
    times as fast (the passes look for names in every statement, many times over)."""
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        if type(item) is ast.Name:
            found.append(item)
        else:
            _push_children(item, stack)
    return found


def nodes_in(node: ast.AST) -> list[ast.AST]:
    """Every node in `node`, itself included, in no set order: `ast.walk`'s, found faster."""
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        found.append(item)
        _push_children(item, stack)
    return found


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
"""Each node class's fields that may hold syntax: all but `ctx`, whose Load and Store
nodes are no one's search."""


def _push_children(item: ast.AST, stack: list[ast.AST]) -> None:
    kind = type(item)
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f != "ctx")
    for field in fields:
        value = getattr(item, field, None)
        if type(value) is list:
            stack.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            stack.append(value)


def copied(node: T) -> T:
    """A copy of the syntax `node` (a node or a list of them) for a pass to change: its
    fields copied through, its positions and other attributes shared (`copy.deepcopy` does
    the same several times slower, keeping a memo no syntax tree needs)."""
    if type(node) is list:
        return [copied(item) for item in node]
    if not isinstance(node, ast.AST):
        return node
    copy = node.__class__.__new__(node.__class__)
    attributes = copy.__dict__
    attributes.update(node.__dict__)
    for field in node._fields:
        value = attributes.get(field)
        if type(value) is list or isinstance(value, ast.AST):
            attributes[field] = copied(value)
    return copy
