"""Name resolution: local versions, closures, globals, modules and their attributes."""

from __future__ import annotations

import ast
import builtins
import copy
import types

import numpy

from ..ir import External, Operation
from ..resolve import MISSING, is_array_module, is_constant_value, module_path
from ..structure import structure_of
from .trees import FunctionValue, is_function, is_static

_BUILTIN_TYPES = (float, int, bool, complex)
"""Builtin types a function may pass as values, as dtypes: `x.astype(float)`."""


def is_data(value: object) -> bool:
    """A value a function reads as data: an array, a NumPy number, a container of them, a
    random generator; not a function, class or module."""
    if isinstance(value, (numpy.ndarray, numpy.generic, list, tuple, dict,
                          numpy.random.RandomState, numpy.random.Generator)):
        return True
    if isinstance(value, (types.ModuleType, type)) or callable(value):
        return False
    return hasattr(value, "__array_namespace__") or hasattr(value, "shape") and hasattr(value, "dtype")


def _description(value: object) -> tuple:
    """What a gradient reading `value` at call time was generated for: its type and structure."""
    return type(value), structure_of(value)


class NameResolution:
    """The resolution part of the `Normalizer` (see lowering.py, which holds the state
    these methods share)."""

    def name(self, node: ast.Name) -> ast.expr:
        local = self.scope.lookup(node.id)
        if local is not None:
            return copy.copy(local)
        if self.scope.local_function(node.id) is not None:
            return FunctionValue(None, node.id, self.scope.local_function(node.id))
        value = self.scope.source.resolver.lookup(node.id)
        if value is MISSING and self.scope.generated:
            # The first derivative's loop saves a value one arm of a branch computes, under
            # the branch's condition; the second pass does not follow that condition.
            raise self.unsupported(
                node, "s2sad cannot differentiate the gradient of this line again: inside a "
                "loop, the gradient saves a value that only one arm of an `if` computes",
                "compute both arms and choose with np.where, so the value exists on every "
                "iteration, or move the `if` out of the loop")
        if value is MISSING:
            raise self.unsupported(node, f"`{node.id}` is not defined before this line",
                                   "assign it before use or pass it as an argument")
        if is_constant_value(value):
            if node.id in self.constants and self.constants[node.id] != value:
                raise self.unsupported(node, f"two modules define the constant `{node.id}` with "
                                       "different values", "rename one of them")
            self.constants[node.id] = value
            self.names.taken.add(node.id)
            return ast.Name(node.id, ast.Load())
        if any(value is t for t in _BUILTIN_TYPES) and value is getattr(builtins, node.id, None):
            return ast.Name(node.id, ast.Load())  # a dtype: `x.astype(float)`
        if is_array_module(value):
            raise self.unsupported(node, f"the module `{node.id}` can only be used to call its functions",
                                   f"call one of its functions, such as `{node.id}.tanh(x)`")
        if is_data(value):
            return self.external_value(node.id, self.scope.source.resolver, node)
        if is_function(value):
            return FunctionValue(value, node.id)
        raise self.unsupported(
            node,
            f"`{node.id}` is a global {type(value).__name__}, not a constant s2sad can copy "
            "into the generated module",
            f"pass `{node.id}` to the function as an argument",
        )

    def external_value(self, name: str, resolver, node: ast.AST) -> ast.expr:
        """The value of the global or closure variable `name` (of `resolver`'s function),
        read when the gradient is called (see `ir.External`): the gradient's keyword-only
        parameter, or, for a container, the static tree of its leaves."""
        parameter = self.external(name, resolver, node)
        structure = structure_of(resolver.current(name))
        if structure.is_container:  # followed as a static tree, as a container argument is
            self.structures.setdefault(parameter, structure)
            return self.static_argument(parameter, structure, node)
        return ast.Name(parameter, ast.Load())

    def external(self, name: str, resolver, node: ast.AST) -> str:
        """The gradient's keyword-only parameter for the variable `name` of `resolver`'s
        function."""
        for external in self.externals:
            if external.resolver is resolver and external.name == name:
                return external.parameter
        where = resolver.read_at_call_time(name, _description)
        # In the differentiated function itself, Python's scoping keeps the name free of
        # locals; in an inlined function, a local of the caller's may hold it.
        top = resolver is self.dependencies[0] and name not in self.arguments
        parameter = name if top and name not in self.claimed else self.names.fresh(name)
        self.claimed.add(parameter)
        self.names.taken.add(parameter)
        self.externals.append(External(parameter, name, resolver, where, self.origin(node)))
        return parameter

    def module_attribute(self, node: ast.expr):
        """The object an attribute chain rooted at a free name refers to, or MISSING."""
        chain = []
        while isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.scope.aliases:
            value = self.scope.aliases[node.id]
            for attr in reversed(chain):
                value = getattr(value, attr, MISSING)
                if value is MISSING:
                    return MISSING
            return value
        if not isinstance(node, ast.Name) or self.scope.lookup(node.id) is not None:
            return MISSING
        if chain and is_data(self.scope.source.resolver.current(node.id)):
            return MISSING  # `inputs.shape`, `rs.randn`: read from the value at call time
        return self.scope.source.resolver.lookup(node.id, *reversed(chain))

    def attribute(self, node: ast.Attribute):
        value = self.module_attribute(node)
        if value is not MISSING:
            parent = self.module_attribute(node.value)
            if value is None:  # np.newaxis
                return ast.Constant(None)
            if is_array_module(parent) and (not callable(value) or isinstance(value, type)
                                            and issubclass(value, numpy.generic)):
                return self.namespace_expr(module_path(parent) + "." + node.attr)  # np.pi, np.float32
            if is_constant_value(value):
                return ast.Constant(value)
            if is_function(value):
                return FunctionValue(value, ast.unparse(node))
            raise self.unsupported(node, f"`{ast.unparse(node)}` can only be called here",
                                   "call it, or pass the value it holds as an argument")
        receiver = self.atom(node.value)
        if is_static(receiver) and not isinstance(receiver, FunctionValue):
            return self.static_attribute(receiver, node.attr, node)
        return Operation(ast.Attribute(receiver, node.attr, ast.Load()), "attribute." + node.attr,
                         [receiver])

    def namespace_expr(self, path: str) -> ast.expr:
        expr: ast.expr = ast.Name(self.namespace, ast.Load())
        for part in path.split(".")[1:]:
            expr = ast.Attribute(expr, part, ast.Load())
        return expr
