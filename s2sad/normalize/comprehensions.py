"""Comprehensions and generator expressions, lowered as the loops they are.

Over a container whose structure is known when the gradient is generated (trees.py),
`[W @ h for W in ws]` unrolls into a static list of one value per item, which
`np.stack`, `sum` or an unpacking then read as written. Over a range or an array's rows,
it becomes a loop that appends to a list, as `hs.append(...)` in a loop is lowered, with
its condition as an `if` around the append.
"""

from __future__ import annotations

import ast
import copy

from ..syntax import name_nodes
from .trees import static


class ComprehensionLowering:
    """The comprehension part of the `Normalizer` (see lowering.py, which holds the state
    these methods share)."""

    def comprehension(self, node: ast.ListComp | ast.GeneratorExp | ast.DictComp | ast.SetComp):
        """The value of a comprehension: a static list (or dict), or a list a loop builds."""
        if isinstance(node, ast.SetComp):
            raise self.unsupported(node, "a set comprehension has no order to differentiate in",
                                   "use a list comprehension")
        for generator in node.generators:
            if generator.is_async:
                raise self.unsupported(node, "async comprehensions are not supported",
                                       "use a plain comprehension")
        targets = {n.id for g in node.generators for n in name_nodes(g.target)}
        saved = {name: self.scope.versions.get(name) for name in targets}
        try:
            static_values = self.unrolled_comprehension(node, list(node.generators))
            if static_values is not None:
                if isinstance(node, ast.DictComp):
                    keys, values = zip(*static_values) if static_values else ((), ())
                    return static(ast.Dict(list(keys), list(values)))
                return static(ast.List(static_values, ast.Load()))
            if isinstance(node, ast.DictComp):
                raise self.unsupported(node, "a dict comprehension is followed only over a "
                                       "container whose items are known when the gradient is "
                                       "generated", "build the dict from a container argument, "
                                       "or compute its values with array operations")
            return self.comprehension_loop(node)
        finally:
            for name, version in saved.items():  # the comprehension's variables are its own
                if version is None:
                    self.scope.versions.pop(name, None)
                else:
                    self.scope.versions[name] = version

    def unrolled_comprehension(self, node, generators: list[ast.comprehension]) -> list | None:
        """The comprehension's values, one per item, where every generator iterates a static
        tree and every condition is known now; None where the first generator is not static."""
        generator, rest = generators[0], generators[1:]
        items = self.unrolled_items(generator.iter)
        if items is None:
            return None
        values: list = []
        for item in items:
            self.bind_static(generator.target, item, node)
            if not all(self.static_condition(test) for test in generator.ifs):
                continue
            if rest:
                inner = self.unrolled_comprehension(node, rest)
                if inner is None:
                    raise self.unsupported(rest[0].iter, "a comprehension over a container may "
                                           "nest only loops over containers",
                                           "write the inner loop as a `for` statement")
                values += inner
            elif isinstance(node, ast.DictComp):
                values.append((self.atom(node.key), self.atom(node.value)))
            else:
                values.append(self.atom(node.elt))
        return values

    def static_condition(self, test: ast.expr) -> bool:
        """A comprehension's condition over static items: it must be known now."""
        value = self.operation_or_atom(test)
        if isinstance(value, ast.Constant):
            return bool(value.value)
        raise self.unsupported(test, "in a comprehension over a container, a condition must be "
                               "known when the gradient is generated",
                               "write the loop as a `for` statement with an `if`")

    def comprehension_loop(self, node: ast.ListComp | ast.GeneratorExp) -> ast.expr:
        """`[e for x in xs if c]` over a range or an array: the list a loop appends to."""
        items = self.names.fresh("items")
        start = ast.copy_location(ast.Assign([ast.Name(items, ast.Store())], ast.List([], ast.Load())), node)
        append = ast.Expr(ast.Call(ast.Attribute(ast.Name(items, ast.Load()), "append", ast.Load()),
                                   [node.elt], []))
        body: ast.stmt = ast.copy_location(append, node)
        for generator in reversed(node.generators):
            for test in reversed(generator.ifs):
                body = ast.copy_location(ast.If(test, [body], []), test)
            body = ast.copy_location(ast.For(generator.target, generator.iter, [body], []), node)
        for part in ast.walk(body):  # the lines the comprehension's own nodes do not give
            if "lineno" in part._attributes and not hasattr(part, "lineno"):
                ast.copy_location(part, node)
        statement = self.scope.statement
        self.statements([start, body])
        self.scope.statement = statement
        value = self.scope.versions.pop(items)
        return copy.copy(value)

