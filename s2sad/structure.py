"""The structure of the arguments a call passes: what a gradient specialized to it may know.

A model's parameters come as containers (a list of `(W, b)` tuples, a dict of arrays, a
NamedTuple or a dataclass), and its options as numbers, strings or functions. When a call
passes such values, s2sad generates the gradient for their structure, as JAX traces for
it: containers are followed to their array leaves when the gradient is generated, loops
over them unroll, and the gradient comes back in the argument's structure. `Structure`
is that description, hashable, so one variant serves every call with the same structure.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from dataclasses import dataclass
from typing import Any

import numpy


@dataclass(frozen=True)
class Structure:
    """A value's structure: `kind` is "leaf" (an array or a float), "constant" (an int,
    bool, str or None, known when the gradient is generated), "function", "list", "tuple",
    "namedtuple", "dict" or "dataclass"; `keys` are a dict's keys or a record's fields,
    `children` the items' structures, `value` a constant or function itself, `type` the
    container's class."""

    kind: str
    children: tuple[Structure, ...] = ()
    keys: tuple = ()
    value: Any = None
    type: Any = None

    def __hash__(self) -> int:
        value = id(self.value) if self.kind == "function" else self.value
        return hash((self.kind, self.children, self.keys, value, self.type))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Structure):
            return NotImplemented
        same_value = self.value is other.value if self.kind == "function" else (
            type(self.value) is type(other.value) and self.value == other.value)
        return (self.kind, self.children, self.keys, self.type) == (
            other.kind, other.children, other.keys, other.type) and same_value

    @property
    def is_container(self) -> bool:
        return self.kind in ("list", "tuple", "namedtuple", "dict", "dataclass")

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children), default=0) if self.is_container else 0


_CONSTANTS = (bool, int, str, type(None))


def structure_of(value: Any) -> Structure:
    """The structure of one argument."""
    kind = type(value)
    if kind in (list, tuple):
        return Structure(kind.__name__, tuple(structure_of(v) for v in value))
    if isinstance(value, tuple) and hasattr(kind, "_fields"):
        return Structure("namedtuple", tuple(structure_of(v) for v in value), tuple(kind._fields),
                         type=kind)
    if kind is dict:
        return Structure("dict", tuple(structure_of(v) for v in value.values()), tuple(value),
                         type=dict)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = tuple(f.name for f in dataclasses.fields(value))
        return Structure("dataclass", tuple(structure_of(getattr(value, f)) for f in fields),
                         fields, type=kind)
    if kind in _CONSTANTS:
        return Structure("constant", value=value)
    if kind in (float, numpy.float64, numpy.ndarray):
        return Structure("leaf", type=kind)
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, numpy.ufunc,
                          types.MethodType, functools.partial)):
        return Structure("function", value=value)
    return Structure("leaf", type=kind if kind.__module__ in ("numpy", "builtins") else None)


def argument_structure(value: Any) -> Structure:
    """The structure of an argument as the call passes it: as `structure_of`, but an int
    stays a value read when the gradient runs (an iteration count, a step number), not a
    constant that would make a gradient per value; inside containers ints are structure."""
    if type(value) is int:
        return Structure("leaf", type=int)
    return structure_of(value)


def needs_structure(structures: tuple[Structure, ...]) -> bool:
    """Whether the generic gradient, which follows only flat lists and dicts of arrays, cannot
    serve arguments of these structures: nested containers, records, functions, constants
    inside containers."""
    def special(s: Structure) -> bool:
        if s.kind == "function":
            return True
        if not s.is_container:
            return False
        return s.kind in ("namedtuple", "dataclass") or any(
            c.is_container or c.kind != "leaf" for c in s.children)
    return any(special(s) for s in structures)


def has_container(structures: tuple[Structure, ...]) -> bool:
    return any(s.is_container or s.kind == "function" for s in structures)
