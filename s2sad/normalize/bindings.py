"""SSA bindings: every value gets a name of its own; renaming, and the record of in-place writes."""

from __future__ import annotations

import ast

from ..ir import (
    Assignment,
    Branch,
    Effect,
    Loop,
    Node,
    Operation,
    assignments,
    control_nodes,
)
from .checks import InPlaceGuard, Write
from .scope import Scope
from .trees import FunctionValue, is_static


def _position_of(nodes: list[Node], target: str) -> tuple[list[Node], int]:
    """The node list that assigns `target`, through branches and loops, and its position."""
    for position, node in enumerate(nodes):
        if isinstance(node, Assignment) and node.target == target:
            return nodes, position
        inner = [node.body, node.orelse] if isinstance(node, Branch) else [node.body] if \
            isinstance(node, Loop) else []
        for body in inner:
            found = _position_of(body, target)
            if found[1] >= 0:
                return found
    return nodes, -1


def _rename_in(nodes: list[ast.AST], old: str, new: str) -> None:
    for node in nodes:
        for name in ast.walk(node):
            if isinstance(name, ast.Name) and name.id == old:
                name.id = new


class SSABindings:
    """The bindings part of the `Normalizer` (see lowering.py, which holds the state
    these methods share)."""

    def bind(self, name: str, value, node: ast.expr, start: int) -> None:
        """Give the user variable `name` a new version holding `value`.

        A value computed by this statement under a temporary name (the result
        of an inlined call) takes the user's name instead of being copied.
        """
        if isinstance(value, ast.Name) and value.id in self.leaf_names:
            self.scope.versions[name] = ast.Name(self.name_leaf(value.id, name), ast.Load())
            return
        if is_static(value):
            self.scope.versions[name] = value  # known when the gradient is generated
            return
        new = self.new_version(name)
        made_here = isinstance(value, ast.Name) and any(
            a.target == value.id for a in assignments(self.body[start:]))
        if made_here:
            self.rename(value.id, new, start)
        else:
            self.assign(new, value, node, user_variable=True)
        self.scope.versions[name] = ast.Name(new, ast.Load())

    def name_leaf(self, leaf: str, name: str) -> str:
        """A container argument's leaf takes the name of the first variable it is bound to
        (`for W, b in params:` reads `W_1 = params[1][0]`); the leaf's variable."""
        leaf = self.leaf_aliases.get(leaf, leaf)  # a static tree still holds the old name
        if leaf in self.named_leaves:
            return leaf
        new = self.new_version(name)
        self.leaf_aliases[leaf] = new
        for assignment in self.leaves.values():
            if assignment.target == leaf:
                assignment.target = new
        self.rename(leaf, new, 0)
        self.leaf_names.add(new)
        self.named_leaves.add(new)
        if leaf in self.leaf_types:
            self.leaf_types[new] = self.leaf_types[leaf]
        return new

    def new_version(self, name: str) -> str:
        """A name for a new value of the user's variable `name`."""
        if self.scope.call_site is not None:
            version = self.names.fresh(name)
        elif self.scope.lookup(name) is None and name not in self.retired:
            version = name  # the variable's first value on this path
        else:
            version = self.names.version(name)
        self.spelling[version] = name
        return version

    def rename(self, old: str, new: str, start: int) -> None:
        """Rename the variable `old`, defined at or after body[start], to `new`."""
        for assignment in assignments(self.body[start:]):
            if assignment.target == old:
                assignment.target = new
                assignment.user_variable = True
            _rename_in([assignment.value, *assignment.args, *assignment.keywords.values()], old, new)
        for node in control_nodes(self.body[start:]):
            if isinstance(node, Loop):
                node.carried = [(new if a == old else a, new if b == old else b)
                                for a, b in node.carried]
                _rename_in([e for e in (node.test, node.exit) if e is not None], old, new)
            elif isinstance(node, Branch):
                _rename_in([node.test], old, new)
            else:
                _rename_in([node.statement], old, new)
        for scope in self._scopes():
            for key, value in scope.versions.items():
                if isinstance(value, ast.Name) and value.id == old:
                    scope.versions[key] = ast.Name(new, ast.Load())
        for write in self.writes:
            write.new = new if write.new == old else write.new
            write.old = new if write.old == old else write.old
        if old in self.spelling:
            self.spelling.setdefault(new, self.spelling[old])

    def _scopes(self):
        scope: Scope | None = self.scope
        while scope is not None:
            yield scope
            scope = scope.parent

    def record_write(self, new: str, old: str, node: ast.AST, arrays_only: bool = False,
                     list_only: bool = False) -> None:
        """`new` is `old` updated in place by the statement `node` (`arrays_only`: where `old`
        holds an array; `list_only`: the update changes the list, not its items)."""
        self.writes.append(Write(new, old, self.origin(node), " ".join(ast.unparse(node).split()),
                                 arrays_only, list_only))

    def guard_in_place_writes(self, guards: list[InPlaceGuard]) -> None:
        """Before each write that NumPy makes in place only for arrays, a check that refuses
        the call where the value is an array sharing memory with a view read after it (a
        row `s = x[0]` of a matrix, not an element)."""
        for guard in guards:
            nodes, position = _position_of(self.body, guard.write.new)
            views = ast.Dict([ast.Constant(shown) for shown in guard.views],
                             [ast.Name(name, ast.Load()) for name in guard.views.values()])
            check = ast.Call(ast.Name("_refuse_in_place", ast.Load()),
                             [ast.Name(guard.write.old, ast.Load()),
                              ast.Constant(guard.write.statement), views], [])
            nodes.insert(position, Effect(ast.Expr(check)))
            for shown, error in guard.errors.items():
                self.in_place_errors[(guard.write.statement, shown)] = error

    def assign(self, target: str, operation: Operation | ast.expr, node: ast.AST, user_variable: bool = False,
               statement: str | None = None) -> None:
        self.refuse_static_operands(operation, node)
        if isinstance(operation, (ast.List, ast.Tuple)):  # `ys = [a, b]`: a list of values
            operation = Operation(operation, "sequence", [operation])
        elif isinstance(operation, ast.expr):  # a plain copy: `y = x`
            operation = Operation(operation, "identity", [operation])
        self.body.append(
            Assignment(
                target=target,
                value=operation.value,
                op=operation.op,
                args=operation.args,
                keywords=operation.keywords,
                origin=self.origin(node),
                statement=self.written(node, statement or self.statement_text(self.scope.statement)),
                user_variable=user_variable,
                context=self.context(node),
            )
        )

    def refuse_static_operands(self, operation: Operation | ast.expr, node: ast.AST) -> None:
        """A function value or a dict argument reaches an operation that needs a value."""
        operands = operation.args + list(operation.keywords.values()) if isinstance(
            operation, Operation) else [operation]
        for operand in operands:
            for part in ast.walk(operand):
                if is_static(part) and (isinstance(part, ast.Dict) or not isinstance(
                        part, (ast.List, ast.Tuple)) or part.record is not None):
                    what = ("a function" if isinstance(part, FunctionValue) else
                            "a dict" if part.record is None else f"a {part.record.__name__}")
                    raise self.unsupported(node, f"{what} is used here as an array value",
                                           "call the function, or read the container's arrays "
                                           "by key, field or index")

    def temporary(self, operation: Operation, node: ast.expr) -> ast.Name:
        """Assign one operation to a temporary named after what it computes."""
        temp = self.names.temporary(operation.value)
        self.spelling[temp] = self.source_of(node)
        self.assign(temp, operation, node)
        return ast.Name(temp, ast.Load())
