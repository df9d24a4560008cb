"""Statements: each of the user's statements lowered to single operations."""

from __future__ import annotations

import ast
import copy

import numpy

from ..ir import (
    Effect,
    Operation,
    assignments,
    index_expression,
)
from ..parser import (
    UNSUPPORTED_HINTS,
    construct,
    exits_on_some_path,
)
from .trees import is_static


class StatementLowering:
    """The statements part of the `Normalizer` (see lowering.py, which holds the state
    these methods share)."""

    def statements(self, statements: list[ast.stmt]) -> list[ast.expr] | None:
        """Normalize statements into the current node list; the returned values, if they return."""
        for index, stmt in enumerate(statements):
            rest = statements[index + 1:]
            if isinstance(stmt, (ast.Return, ast.Continue, ast.Break)):
                if rest:
                    raise self.unsupported(rest[0], f"statements after `{ast.unparse(stmt)}` never run",
                                           "remove them")
                if isinstance(stmt, ast.Break):  # the loop ends after this iteration
                    start, paths = self.breaks[-1]
                    paths.append(list(self.path[start:]))
                # `continue`, `break`: the rest of the iteration already went to the other arm.
                return self.returned(stmt) if isinstance(stmt, ast.Return) else None
            if isinstance(stmt, ast.If):
                if exits_on_some_path(stmt):
                    return self.if_statement(stmt, rest)
                self.if_statement(stmt, [])
                continue
            if isinstance(stmt, (ast.For, ast.While)):
                self.loop_statement(stmt)
                continue
            self.statement_(stmt)
        return None

    def returned(self, stmt: ast.Return) -> list[ast.expr]:
        """The values `return` hands back, each an atom named after the function where new."""
        self.scope.statement = stmt
        if stmt.value is None:
            raise self.unsupported(stmt, "`return` without a value", "return the value to differentiate")
        start = len(self.body)
        value = self.operation_or_atom(stmt.value)
        is_tuple = isinstance(value, (ast.Tuple, ast.List)) and isinstance(stmt.value, (ast.Tuple, ast.Call))
        parts = list(value.elts) if is_tuple else [value]
        atoms = []
        for position, part in enumerate(parts):
            if not isinstance(part, ast.expr) or isinstance(part, (ast.List, ast.Tuple)):
                atoms.append(ast.Name(self.result_names.name(position), ast.Load()))
                self.assign(atoms[-1].id, part, stmt.value)
            elif isinstance(part, ast.Name) and part.id in {a.target for a in assignments(self.body[start:])}:
                name = self.result_names.name(position)
                self.rename(part.id, name, start)
                atoms.append(ast.Name(name, ast.Load()))
            else:
                atoms.append(part)
        self.last_returned_tuple = is_tuple
        if self.scope.call_site is None:
            self.returns_tuple = is_tuple
            self.return_origin = self.origin(stmt)
            self.return_statement = self.statement_text(stmt)
        return atoms

    def statement_(self, stmt: ast.stmt) -> None:
        self.scope.statement = stmt
        if isinstance(stmt, ast.Pass):
            return
        if self.scope.generated and self.generated_bookkeeping(stmt):
            return
        if isinstance(stmt, ast.FunctionDef):
            if stmt.decorator_list:
                raise self.unsupported(stmt.decorator_list[0], "decorated nested functions are not "
                                       "supported", "define the function without a decorator")
            self.check_reserved(stmt)
            self.scope.functions[stmt.name] = (stmt, self.scope)
            return
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            stmt = ast.copy_location(ast.Assign([stmt.target], stmt.value), stmt)
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1:
                raise self.unsupported(stmt, "chained assignments (`a = b = ...`) are not supported",
                                       "assign each name on its own line")
            self.assign_statement(stmt.targets[0], stmt.value)
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Yield):
            self.yield_statement(stmt.value)
            return
        if isinstance(stmt, (ast.Expr, ast.Assert)) and self.effect(stmt):
            return
        if isinstance(stmt, ast.Expr) and self.list_append(stmt.value):
            return
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Subscript):
            read = ast.Subscript(copy.deepcopy(stmt.target.value), copy.deepcopy(stmt.target.slice),
                                 ast.Load())
            value = ast.copy_location(ast.BinOp(ast.copy_location(read, stmt.target), stmt.op,
                                                stmt.value), stmt)
            self.subscript_write(stmt.target, value, stmt)
            return
        if isinstance(stmt, ast.AugAssign):
            if not isinstance(stmt.target, ast.Name):
                raise self.unsupported(stmt.target, "augmented assignments to attributes are not "
                                       "supported", "assign to a name")
            old = self.name(ast.Name(stmt.target.id, ast.Load()))
            value = ast.copy_location(ast.BinOp(ast.Name(stmt.target.id, ast.Load()), stmt.op, stmt.value),
                                      stmt)
            self.assign_statement(stmt.target, value)
            new = self.scope.versions[stmt.target.id]
            if isinstance(old, ast.Name) and isinstance(new, ast.Name):
                self.record_write(new.id, old.id, stmt, arrays_only=True)
            return
        hint = UNSUPPORTED_HINTS.get(type(stmt), "rewrite it as assignments of array expressions")
        raise self.unsupported(stmt, f"s2sad cannot differentiate {construct(stmt)}", hint)

    def list_append(self, call: ast.expr) -> bool:
        """`ys.append(v)` on a list the function built: `ys` takes the value `ys + [v]`."""
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "append" and isinstance(call.func.value, ast.Name)
                and len(call.args) == 1 and not call.keywords):
            return False
        name = call.func.value.id
        if self.scope.lookup(name) is None:
            return False
        start = len(self.body)
        old, value = self.atom(call.func.value), self.atom(call.args[0])
        appended = ast.BinOp(old, ast.Add(), ast.List([value], ast.Load()))
        self.bind(name, Operation(appended, "list.append", [old, value]), call, start)
        new = self.scope.versions[name]
        if isinstance(old, ast.Name) and isinstance(new, ast.Name):
            self.record_write(new.id, old.id, call, list_only=True)
        return True

    def generated_bookkeeping(self, stmt: ast.stmt) -> bool:
        """In a gradient function's own source: its namespace line, checks and `del`s."""
        if isinstance(stmt, ast.Delete):
            return True
        call = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        name = call.func.id if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) else None
        if isinstance(stmt, ast.Assign) and name == "_namespace":
            self.scope.aliases[stmt.targets[0].id] = numpy
            return True
        return isinstance(stmt, ast.Expr) and name is not None and name.startswith("_check_")

    def effect(self, stmt: ast.Expr | ast.Assert) -> bool:
        """Keep `print(...)` and `assert ...` in the forward, in order; they get no adjoints."""
        if isinstance(stmt, ast.Assert):
            message = self.atom(stmt.msg) if stmt.msg is not None else None
            kept: ast.stmt = ast.Assert(self.atom(stmt.test), message)
        else:
            call = stmt.value
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                    and self.scope.source.resolver.lookup(call.func.id) is print
                    and self.scope.lookup(call.func.id) is None):
                return False
            args = [self.atom(a) for a in call.args]
            keywords = [ast.keyword(k.arg, self.atom(k.value)) for k in call.keywords]
            kept = ast.Expr(ast.Call(ast.Name("print", ast.Load()), args, keywords))
        self.body.append(Effect(kept))
        return True

    def subscript_write(self, target: ast.Subscript, value_node: ast.expr, node: ast.stmt) -> None:
        """`y[index] = value`: a new version of `y`, a copy with the region replaced."""
        if not isinstance(target.value, ast.Name) or self.scope.lookup(target.value.id) is None:
            raise self.unsupported(target, "only parts of local arrays can be assigned",
                                   "assign to a part of an array variable, `y[i] = ...`")
        old = self.name(target.value)
        index = self.index(target.slice)
        value = self.atom(value_node)
        call = ast.Call(ast.Name("_updated", ast.Load()), [old, index_expression(index), value], [])
        name = target.value.id
        new = self.new_version(name)
        self.assign(new, Operation(call, "setitem", [old, index, value]), target, user_variable=True)
        self.scope.versions[name] = ast.Name(new, ast.Load())
        if isinstance(old, ast.Name):
            self.record_write(new, old.id, node)

    def assign_statement(self, target: ast.expr, value_node: ast.expr) -> None:
        """`target = value_node` for a name or a tuple of names."""
        if isinstance(target, ast.Subscript):
            self.subscript_write(target, value_node, self.scope.statement)
            return
        if isinstance(target, ast.Name) and isinstance(value_node, ast.Lambda):
            self.scope.functions[target.id] = (value_node, self.scope)
            return
        names = [target] if isinstance(target, ast.Name) else getattr(target, "elts", None)
        start = len(self.body)
        if names and not all(isinstance(n, ast.Name) for n in names):
            value = self.operation_or_atom(value_node)
            if is_static(value) or isinstance(value, (ast.Tuple, ast.List)):
                self.bind_static(target, value, value_node)  # `*hidden, (W, b) = params`
                return
        if not names or not all(isinstance(n, ast.Name) for n in names):
            raise self.unsupported(
                target, "only assignments to names, tuples of names and parts of arrays are "
                "supported", "assign each value to its own name",
            )
        value = self.operation_or_atom(value_node)
        if isinstance(target, ast.Name):
            self.bind(target.id, value, value_node, start)
            return
        if isinstance(value, (ast.Tuple, ast.List)):
            if len(value.elts) != len(names):
                raise self.unsupported(target, f"{len(names)} names for {len(value.elts)} values",
                                       "unpack as many names as there are values")
            parts: list = list(value.elts)
        else:
            whole = value if isinstance(value, ast.expr) else self.temporary(value, value_node)
            parts = [
                Operation(ast.Subscript(whole, ast.Constant(i), ast.Load()), "getitem",
                          [whole, ast.Constant(i)])
                for i in range(len(names))
            ]
        for name, part in zip(names, parts):
            self.bind(name.id, part, value_node, start)
