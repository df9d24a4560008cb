"""Control flow: `if`, loops and conditional expressions, joined by `phi` assignments."""

from __future__ import annotations

import ast
import copy
from typing import Any

from ..ir import (
    Branch,
    Loop,
    Node,
    Operation,
)
from ..parser import (
    LoopItems,
    always_exits,
    assigned_names,
    range_of,
)
from ..resolve import MISSING, canonical_name


def _any_path(paths: list[list[ast.expr]]) -> ast.expr:
    """True where one of `paths` (each a list of conditions, in the order they are tested) was
    taken; `and` tests each condition only where the ones before it held, as the `if`s did."""
    alternatives = []
    for path in paths:
        if not path:
            return ast.Constant(True)
        alternatives.append(path[0] if len(path) == 1 else ast.BoolOp(ast.And(), list(path)))
    return alternatives[0] if len(alternatives) == 1 else ast.BoolOp(ast.Or(), alternatives)


class Verbatim(ast.NodeTransformer):
    """A condition as written, its names resolved: it is computed, never differentiated.

    With `inline_calls`, a call of the user's own function is computed before the condition
    (an `if`'s is tested once); not where `and`/`or` may skip it, nor in a `while` condition,
    which is tested again at each iteration.
    """

    def __init__(self, normalizer: Any, inline_calls: bool = False):
        """`normalizer`: the `Normalizer` whose names and calls the condition resolves."""
        self.normalizer = normalizer
        self.inline_calls = inline_calls

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        node.values[0] = self.visit(node.values[0])
        inline, self.inline_calls = self.inline_calls, False
        try:
            node.values[1:] = [self.visit(v) for v in node.values[1:]]
        finally:
            self.inline_calls = inline
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        node.test = self.visit(node.test)
        inline, self.inline_calls = self.inline_calls, False
        try:
            node.body, node.orelse = self.visit(node.body), self.visit(node.orelse)
        finally:
            self.inline_calls = inline
        return node

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self.normalizer.name(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        if self.normalizer.module_attribute(node) is not MISSING:
            result = self.normalizer.attribute(node)
            if isinstance(result, ast.expr):
                return result
        node.value = self.visit(node.value)
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        func = node.func
        target = self.normalizer.module_attribute(func)
        canonical = canonical_name(target) if target is not MISSING else None
        if self.inline_calls and self.normalizer.is_user_function(func, target, canonical):
            return self.normalizer.atom(node)
        if canonical is not None and not canonical.startswith("builtins."):
            node.func = self.normalizer.namespace_expr(canonical)
        elif canonical is None and not (isinstance(func, ast.Attribute) and target is MISSING):
            raise self.normalizer.unsupported(
                func, f"conditions may call NumPy functions, builtins and methods, not "
                f"`{ast.unparse(func)}`", "compute the value before the `if` and test that")
        elif isinstance(func, ast.Attribute) and target is MISSING:
            node.func.value = self.visit(func.value)
        node.args = [self.visit(a) for a in node.args]
        for keyword in node.keywords:
            keyword.value = self.visit(keyword.value)
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.expr:
        raise self.normalizer.unsupported(node, "a lambda in a condition is not supported",
                                          "compute the value before the `if`")


class ControlFlowLowering:
    """The control part of the `Normalizer` (see lowering.py, which holds the state
    these methods share)."""

    def if_statement(self, stmt: ast.If, rest: list[ast.stmt]) -> list[ast.expr] | None:
        """`if` on data: the condition recorded, each arm normalized, the paths joined by phis.
        A condition known when the gradient is generated (`i < len(params) - 1` in a loop
        over the layers) keeps only the arm it takes."""
        self.scope.statement = stmt
        known = self.known_condition(stmt.test)
        if known is not None:
            chosen = stmt.body if known else stmt.orelse
            return self.statements(chosen if always_exits(chosen) else chosen + rest)
        test = self.condition(stmt.test, stmt)
        outer, versions = self.body, dict(self.scope.versions)
        arms = []
        for statements, taken in ((stmt.body, test), (stmt.orelse, ast.UnaryOp(ast.Not(), test))):
            self.body, self.scope.versions = [], dict(versions)
            arm = statements if always_exits(statements) else statements + rest
            self.path.append(taken)
            try:
                returned = self.statements(arm)
            finally:
                self.path.pop()
            arms.append((self.body, self.scope.versions, returned))
        self.body, self.scope.versions = outer, versions
        self.scope.statement = stmt
        (then_nodes, then_versions, then_returned), (else_nodes, else_versions, else_returned) = arms
        joined: list[ast.expr] | None = None
        if (then_returned is None) != (else_returned is None):
            raise self.unsupported(stmt, "one path through this `if` returns and another does not",
                                   "return a value on every path, or on none")
        if then_returned is not None:
            if len(then_returned) != len(else_returned):
                raise self.unsupported(stmt, "the paths through this `if` return different numbers "
                                       "of values", "return the same number of values on every path")
            joined = []
            for position, (left, right) in enumerate(zip(then_returned, else_returned)):
                name = self.result_names.name(position)
                for nodes, value in ((then_nodes, left), (else_nodes, right)):
                    if not (isinstance(value, ast.Name) and value.id == name):
                        self.phi(nodes, name, value, stmt)
                joined.append(ast.Name(name, ast.Load()))
        else:
            for variable in sorted(then_versions.keys() & else_versions.keys()):
                left, right = then_versions[variable], else_versions[variable]
                if ast.dump(left) == ast.dump(right):
                    self.scope.versions[variable] = left
                    continue
                name = self.new_version(variable)
                self.phi(then_nodes, name, left, stmt)
                self.phi(else_nodes, name, right, stmt)
                self.scope.versions[variable] = ast.Name(name, ast.Load())
            # A value one arm alone assigns is dropped here; its name stays taken on that path.
            self.retired |= {v.id for v in [*then_versions.values(), *else_versions.values()]
                             if isinstance(v, ast.Name)}
        self.body.append(Branch(test, then_nodes, else_nodes, self.origin(stmt),
                                self.written(stmt, self.statement_text(stmt)),
                                self.context(stmt)))
        return joined

    def known_condition(self, test: ast.expr) -> bool | None:
        """The value of a condition over numbers known now (an unrolled loop's index, the
        length of a container), or None."""
        normalizer = self

        class Known(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.expr:
                value = normalizer.scope.lookup(node.id)
                return value if isinstance(value, ast.Constant) else node

            def visit_Call(self, node: ast.Call) -> ast.expr:
                value = normalizer.static_or_none(node)
                return value if isinstance(value, ast.Constant) else node

            def visit_Compare(self, node: ast.Compare) -> ast.expr:
                # `type(x) is list`, `type(x) == np.ndarray`, for a type the call tells
                left = node.left
                if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.IsNot, ast.Eq,
                                                                   ast.NotEq)) \
                        and isinstance(left, ast.Call) and normalizer.is_builtin(left.func, "type") \
                        and len(left.args) == 1:
                    known = normalizer.known_type(left.args[0])
                    classes = normalizer.known_classes(node.comparators[0])
                    if isinstance(known, type) and classes is not None and len(classes) == 1:
                        same = known is classes[0]
                        return ast.Constant(same if isinstance(node.ops[0], (ast.Is, ast.Eq))
                                            else not same)
                self.generic_visit(node)
                return node

        folded = Known().visit(copy.deepcopy(test))
        allowed = (ast.Constant, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.operator,
                   ast.unaryop, ast.cmpop, ast.boolop, ast.expr_context)
        if not all(isinstance(n, allowed) for n in ast.walk(folded)):
            return None
        try:
            expression = ast.fix_missing_locations(ast.Expression(folded))
            return bool(eval(compile(expression, "<condition>", "eval"), {}))
        except Exception:  # noqa: BLE001 - a condition Python would fail on is lowered as written
            return None

    def loop_statement(self, stmt: ast.For | ast.While) -> None:
        """A `for` loop over a range, an array's rows, `enumerate` or `zip`, normalized to an
        index loop; or a `while` loop, whose iterations are counted."""
        self.scope.statement = stmt
        if stmt.orelse:
            raise self.unsupported(stmt, "a loop's `else` is not supported", "move the `else` part "
                                   "after the loop")
        for node in ast.walk(stmt):
            if isinstance(node, ast.Return):
                raise self.unsupported(node, "`return` inside a loop is not supported yet",
                                       "`break` out of the loop and return after it")
        if isinstance(stmt, ast.For):
            if isinstance(stmt.iter, ast.Call):  # `zip(*unpack(params))`: spread first
                stmt = copy.copy(stmt)
                stmt.iter = self.spread(stmt.iter)
            generator = self.generator_of(stmt.iter)
            if generator is not None:
                self.generator_loop(stmt, generator)
                return
            unrolled = self.unrolled_items(stmt.iter)
            if unrolled is not None:
                self.unrolled_loop(stmt, unrolled)
                return
            stmt = self.unpacked_items(self.reversed_items(stmt))
            index_name, items = self.loop_items(stmt)
            steps = self.names.fresh("steps")
            self.assign(steps, Operation(items.steps, "range", []), stmt.iter)
        else:
            index_name, items, steps = "_", LoopItems(ast.Constant(None), []), self.names.fresh("trips")
        carried = sorted(name for name in assigned_names(stmt.body)
                         if self.scope.lookup(name) is not None)
        for name in carried:
            self.own_value(name, stmt)
        entry = {name: self.scope.versions[name] for name in carried}
        outer = self.body
        self.body = []
        for name in carried:
            self.scope.versions[name] = copy.copy(entry[name])
        test = Verbatim(self).visit(copy.deepcopy(stmt.test)) if isinstance(stmt, ast.While) else None
        for target, source in items.bindings(index_name):
            self.scope.statement = stmt
            self.bind(target, source, stmt.iter, len(self.body))
        self.breaks.append((len(self.path), []))
        try:
            statements_returned = self.statements(list(stmt.body))
        finally:
            _, break_paths = self.breaks.pop()
        assert statements_returned is None
        pairs = []
        for name in carried:
            new, old = self.scope.versions[name], entry[name]
            if ast.dump(new) != ast.dump(old):
                self.phi(self.body, old.id, new, stmt, "the next iteration begins")
                pairs.append((old.id, new.id if isinstance(new, ast.Name) else old.id))
            self.scope.versions[name] = copy.copy(old)
        body, self.body = self.body, outer
        exit_test, trips = None, None
        if break_paths:
            exit_test = _any_path(break_paths)
            trips = steps if isinstance(stmt, ast.While) else self.names.fresh("trips")
        self.body.append(Loop(index_name, ast.Name(steps, ast.Load()), body, pairs, self.origin(stmt),
                              self.written(stmt, self.statement_text(stmt)), self.context(stmt), test,
                              exit_test, trips))

    def reversed_items(self, stmt: ast.For) -> ast.For:
        """`for t in reversed(steps)`: the loop over `steps[::-1]`, which for a range, a list,
        a tuple or an array's rows holds the same items in the same order."""
        iterator = stmt.iter
        if not (isinstance(iterator, ast.Call) and isinstance(iterator.func, ast.Name)
                and iterator.func.id == "reversed" and self.scope.lookup("reversed") is None
                and len(iterator.args) == 1 and not iterator.keywords):
            return stmt
        loop = copy.copy(stmt)
        backwards = ast.Slice(None, None, ast.UnaryOp(ast.USub(), ast.Constant(1)))
        loop.iter = ast.copy_location(ast.Subscript(iterator.args[0], backwards, ast.Load()), iterator)
        return loop

    def unpacked_items(self, stmt: ast.For) -> ast.For:
        """`for W, b in layers:` over a sequence known only when it runs: the loop over its
        items, each unpacked at the start of the body (`W, b = item`)."""
        is_call = isinstance(stmt.iter, ast.Call) and isinstance(stmt.iter.func, ast.Name) \
            and stmt.iter.func.id in ("range", "enumerate", "zip")
        if is_call or not isinstance(stmt.target, (ast.Tuple, ast.List)):
            return stmt
        item = self.names.fresh("item")
        unpack = ast.copy_location(ast.Assign([stmt.target], ast.copy_location(
            ast.Name(item, ast.Load()), stmt.target)), stmt.target)
        loop = copy.copy(stmt)
        loop.target = ast.copy_location(ast.Name(item, ast.Store()), stmt.target)
        loop.body = [unpack, *stmt.body]
        return loop

    def own_value(self, name: str, stmt: ast.For | ast.While) -> None:
        """Give `name` a value under a name of its own before a loop carries it.

        A loop writes each new value back into the name the variable held when it began. A
        literal has no name, an inlined function's parameter holds its caller's value under
        the caller's name (writing there would change the caller's variable), and the
        function's own parameter must keep the caller's argument for the gradient's last
        lines.
        """
        current = self.scope.lookup(name)
        bound = self.scope.arguments.get(name)
        if isinstance(current, ast.Name) and name in self.scope.versions and (
                bound is None or ast.dump(bound) != ast.dump(current)) \
                and current.id not in self.arguments and current.id not in self.leaf_names:
            return
        own = self.new_version(name)
        shown = ast.unparse(current)
        text = f"the argument {name}, as the loop begins" if shown == name \
            else f"{name} = {shown}, before the loop"
        self.assign(own, copy.copy(current), stmt, user_variable=True, statement=text)
        self.scope.versions[name] = ast.Name(own, ast.Load())

    def iterated(self, node: ast.expr, stmt: ast.For) -> ast.expr:
        """What a loop iterates over; a snapshot where the body rebinds that name, since
        `for e in x` goes on iterating the array x held when the loop began."""
        sequence = self.atom(node)
        if isinstance(node, ast.Name) and node.id in assigned_names(stmt.body):
            snapshot = self.names.fresh(f"{node.id}_items")
            self.assign(snapshot, sequence, node)
            return ast.Name(snapshot, ast.Load())
        return sequence

    def loop_items(self, stmt: ast.For) -> tuple[str, LoopItems]:
        """The loop's index variable and how each iteration's named items are read."""
        iterator, target = stmt.iter, stmt.target
        call = iterator.func.id if isinstance(iterator, ast.Call) and isinstance(
            iterator.func, ast.Name) and self.scope.lookup(iterator.func.id) is None else None
        if call == "range" and isinstance(target, ast.Name):
            index = self.new_version(target.id)
            self.scope.versions[target.id] = ast.Name(index, ast.Load())
            args = [self.atom(a) for a in iterator.args]
            return index, LoopItems(ast.Call(ast.Name("range", ast.Load()), args, []), [])
        if call == "enumerate" and isinstance(target, ast.Tuple) and len(target.elts) == 2 \
                and all(isinstance(e, ast.Name) for e in target.elts) and len(iterator.args) == 1:
            index = self.new_version(target.elts[0].id)
            self.scope.versions[target.elts[0].id] = ast.Name(index, ast.Load())
            sequence = self.iterated(iterator.args[0], stmt)
            return index, LoopItems(range_of([sequence]), [(target.elts[1].id, sequence)])
        if call == "zip" and isinstance(target, ast.Tuple) and len(target.elts) == len(iterator.args) \
                and all(isinstance(e, ast.Name) for e in target.elts):
            sequences = [self.iterated(a, stmt) for a in iterator.args]
            index = self.names.fresh("step")
            return index, LoopItems(range_of(sequences),
                                     [(e.id, s) for e, s in zip(target.elts, sequences)])
        if isinstance(target, ast.Name) and call is None:
            sequence = self.iterated(iterator, stmt)
            index = self.names.fresh("step")
            return index, LoopItems(range_of([sequence]), [(target.id, sequence)])
        raise self.unsupported(stmt.target, "this kind of `for` loop is not supported",
                               "loop over range(...), an array, enumerate(...) or zip(...)")

    def phi(self, nodes: list[Node], name: str, value: ast.expr, stmt: ast.If | ast.For,
            statement: str | None = None) -> None:
        """At the end of an arm (or a loop's body): `name` holds `value` where the paths meet."""
        outer, self.body = self.body, nodes
        text = statement or f"the paths of `if {self.source_of(stmt.test)}:` meet"
        try:
            self.assign(name, Operation(copy.copy(value), "phi", [value]), stmt, user_variable=True,
                        statement=text)
        finally:
            self.body = outer

    def condition(self, test: ast.expr, stmt: ast.AST) -> ast.Name:
        """Record the condition of a branch, as written: it carries no gradient."""
        value = Verbatim(self, inline_calls=True).visit(copy.deepcopy(test))
        name = self.names.temporary(value)
        self.assign(name, Operation(value, "condition", []), test)
        return ast.Name(name, ast.Load())

    def conditional_expression(self, node: ast.IfExp) -> ast.Name:
        """`a if c else b`: a branch whose arms compute one value each."""
        test = self.condition(node.test, node)
        result = self.names.temporary(ast.Name("choice", ast.Load()))
        outer = self.body
        arms = []
        for expression in (node.body, node.orelse):
            self.body = []
            value = self.atom(expression)
            self.assign(result, Operation(copy.copy(value), "phi", [value]), expression, user_variable=False)
            arms.append(self.body)
        self.body = outer
        statement = self.scope.statement
        text = self.statement_text(statement) if statement is not None else self.source_of(node)
        self.body.append(Branch(test, arms[0], arms[1], self.origin(node), self.written(node, text),
                                self.context(node)))
        return ast.Name(result, ast.Load())
