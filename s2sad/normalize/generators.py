"""A `for` loop over the user's own generator function, lowered as the generator runs it.

`for W, b in unpack_layers(weights):` with `unpack_layers` a function that `yield`s: its
body is inlined, and at each `yield` the loop's target takes the yielded value and the
loop's body runs, in the caller's scope, as Python interleaves them. The generator's own
loops must be ones s2sad unrolls (over containers known when the gradient is generated),
so that each `yield` is reached a known number of times.
"""

from __future__ import annotations

import ast

from ..parser import is_docstring, load
from ..resolve import MISSING
from .scope import Scope


class GeneratorLowering:
    """The generator part of the `Normalizer` (see lowering.py, which holds the state
    these methods share)."""

    def generator_of(self, iterator: ast.expr):
        """The user's generator function a loop iterates a call of, with its scope, or None."""
        if not isinstance(iterator, ast.Call) or not isinstance(iterator.func, ast.Name):
            return None
        local = self.scope.local_function(iterator.func.id)
        if local is not None:
            definition, parent = local
            source = parent.source
        else:
            if self.scope.lookup(iterator.func.id) is not None:
                return None
            target = self.scope.source.resolver.lookup(iterator.func.id)
            if target is MISSING or not hasattr(target, "__code__") or \
                    not target.__code__.co_flags & 0x20:  # CO_GENERATOR
                return None
            source, parent = load(target), None
            definition = source.definition
        if not any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(definition)):
            return None
        return definition, source, parent

    def generator_loop(self, stmt: ast.For, generator) -> None:
        """The loop `stmt` over a call of the generator: its body run at each `yield`."""
        definition, source, parent = generator
        self.refuse_loop_exits(stmt, "a generator")
        call = stmt.iter
        args = [self.atom(a) for a in call.args]
        keywords = {k.arg: self.atom(k.value) for k in call.keywords}
        name = getattr(definition, "name", "generator")
        scope = Scope(source, parent=parent,
                      call_site=f"{name}, called on line {self.origin(call).lineno}")
        caller = self.scope
        self.scope = scope
        self.yields.append((stmt, caller, len(self.breaks)))
        try:
            self.check_reserved(definition)
            params = self.parameters(definition.args)
            scope.arguments = self.bind_arguments(name, params, args, keywords, call, caller)
            scope.versions.update(scope.arguments)
            body = [s for i, s in enumerate(definition.body) if i or not is_docstring(s)]
            if self.statements(body) is not None:
                raise self.unsupported(definition, f"`{name}` returns a value: s2sad follows a "
                                       "generator that only yields", "yield the values instead")
        finally:
            self.yields.pop()
            self.scope = caller

    def yield_statement(self, node: ast.Yield) -> None:
        """`yield value` in the generator a loop runs: the loop's body, with its target bound."""
        if not self.yields:
            raise self.unsupported(node, "s2sad follows a generator only where a `for` loop "
                                   "iterates a call of it", "loop over it: `for v in gen(...):`")
        stmt, caller, depth = self.yields[-1]
        if len(self.breaks) != depth:
            raise self.unsupported(node, "a `yield` inside a loop s2sad does not unroll",
                                   "loop over a container known when the gradient is generated")
        value = self.atom(node.value) if node.value is not None else ast.Constant(None)
        generator_scope, self.scope = self.scope, caller
        self.yields.pop()
        try:
            self.scope.statement = stmt
            self.bind_static(stmt.target, value, stmt)
            assert self.statements(list(stmt.body)) is None
        finally:
            self.yields.append((stmt, caller, depth))
            self.scope = generator_scope
