"""The normalizer: a function's statements as single operations in SSA form."""

from __future__ import annotations

import ast
import builtins
import copy
import math
import operator
import types
from dataclasses import dataclass, field

import numpy

from ..errors import Origin, UnknownFunctionError, UnsupportedSyntaxError
from ..ir import (
    Assignment,
    Branch,
    Effect,
    Loop,
    Node,
    Parameter,
    Program,
    assignments,
    control_nodes,
    index_expression,
)
from ..names import NameAllocator
from ..resolve import MISSING, canonical_name, is_array_module, is_constant_value, module_path
from ..templates import HELPER_NAMES
from .aliasing import InPlaceGuard, Write, refuse_read_only_writes, refuse_stale_views
from .rules import rule_hint, ruled_call
from .source import (
    GeneratedDependency,
    Source,
    display_name,
    is_generated_helper,
    is_gradient_function,
    load,
    load_generated,
)
from .syntax import (
    BINARY_OPS,
    BUILTIN_OPERATIONS,
    RESERVED_NAMES,
    UNARY_OPS,
    UNSUPPORTED_HINTS,
    LoopItems,
    ResultNames,
    always_exits,
    assigned_names,
    construct,
    exits_on_some_path,
    is_docstring,
    op_symbol,
    range_of,
)


def parse(fun: types.FunctionType) -> Program:
    """Read and normalize `fun`; raise an `S2SADError` for anything unsupported."""
    return Normalizer(fun).program()


@dataclass
class Scope:
    """The function being normalized: the user's, or one inlined into it."""

    source: Source
    versions: dict[str, ast.expr] = field(default_factory=dict)
    functions: dict[str, tuple[ast.FunctionDef | ast.Lambda, Scope]] = field(default_factory=dict)
    parent: Scope | None = None
    call_site: str | None = None
    statement: ast.AST | None = None
    aliases: dict[str, types.ModuleType] = field(default_factory=dict)
    arguments: dict[str, ast.expr] = field(default_factory=dict)
    """An inlined function's parameters bound to the caller's values."""
    generated: bool = False
    """True for the source of a gradient function being differentiated again."""

    def lookup(self, name: str) -> ast.expr | None:
        """The current value of a local name, here or in an enclosing function."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.versions:
                return scope.versions[name]
            scope = scope.parent
        return None

    def local_function(self, name: str):
        scope: Scope | None = self
        while scope is not None:
            if name in scope.versions:
                return None
            if name in scope.functions:
                return scope.functions[name]
            scope = scope.parent
        return None


_BUILTIN_TYPES = (float, int, bool, complex)
"""Builtin types a function may pass as values, as dtypes: `x.astype(float)`."""


class Normalizer:
    def __init__(self, fun: types.FunctionType):
        self.fun = fun
        source = load(fun)
        self.definition = source.definition
        self.scope = Scope(source)
        self.dependencies: list = [source.resolver]
        self.call_stack: list[tuple[str, int]] = []
        self.writes: list[Write] = []
        """The in-place updates of the user's code, which s2sad writes into new memory."""
        self.spelling: dict[str, str] = {}
        self.in_place_errors: dict[tuple[str, str], UnsupportedSyntaxError] = {}
        """How the user wrote each value: a variable's name, or a temporary's expression."""
        taken = {n.id for n in ast.walk(self.definition) if isinstance(n, ast.Name)}
        taken |= {a.arg for a in ast.walk(self.definition) if isinstance(a, ast.arg)}
        self.check_reserved(self.definition)
        self.namespace = "xp" if "xp" not in taken else "xp_"
        taken |= {self.namespace, *HELPER_NAMES}
        self.names = NameAllocator(taken, self.namespace)
        self.body: list[Node] = []
        self.leaves: dict[tuple[str, tuple[str, ...]], Assignment] = {}
        self.adjoint_names: dict[str, str] = {}
        self.constants: dict[str, object] = {}
        self.functions: dict[str, tuple[str, str]] = {}
        self.result_names: ResultNames | None = None
        self.returns_tuple = False
        self.last_returned_tuple = False
        self.return_origin: Origin | None = None
        self.return_statement = ""
        self.path: list[ast.expr] = []
        """The branch conditions (or their negations) on the way to the statement at hand."""
        self.breaks: list[tuple[int, list[list[ast.expr]]]] = []
        """For each enclosing loop: where its body's path starts, and the paths to its breaks."""

    def check_reserved(self, definition: ast.AST) -> None:
        for node in ast.walk(definition):
            name = node.id if isinstance(node, ast.Name) else node.arg if isinstance(node, ast.arg) else None
            if name in RESERVED_NAMES:
                raise self.unsupported(node, f"`{name}` is the name of a helper the generated code defines",
                                       "rename it")

    # ---- positions -------------------------------------------------------
    def origin(self, node: ast.AST) -> Origin:
        return caller_origin(self.scope, node)

    def statement_text(self, node: ast.AST) -> str:
        text = "\n".join(self.scope.source.lines)
        segment = ast.get_source_segment(text, node) or ast.unparse(node)
        return " ".join(segment.split())

    def unsupported(self, node: ast.AST, message: str, hint: str) -> UnsupportedSyntaxError:
        return UnsupportedSyntaxError(message, self.origin(node), hint)

    # ---- the function ----------------------------------------------------
    def program(self) -> Program:
        definition = self.definition
        params = self.parameters(definition.args)
        for p in params:
            self.scope.versions[p.name] = ast.Name(p.name, ast.Load())
        # The gradients handed back are `d<parameter>`: keep those names from inlined code.
        self.adjoint_names = {p.name: self.names.fresh("d" + p.name) for p in params}
        name = self.fun.__name__ if self.fun.__name__.isidentifier() else "out"
        outputs = self.function_body(definition, name)
        self.body[:0] = list(self.leaves.values())
        refuse_read_only_writes(self.body, self.writes)
        self.guard_in_place_writes(refuse_stale_views(self.body, outputs, self.writes,
                                                      self.spelling))
        return Program(
            name=self.fun.__name__ if self.fun.__name__ != "<lambda>" else "lambda_",
            filename=self.scope.source.filename,
            display_filename=display_name(self.scope.source.filename),
            params=params,
            body=self.body,
            outputs=outputs,
            returns_tuple=self.returns_tuple,
            return_origin=self.return_origin,
            return_statement=self.return_statement,
            namespace=self.namespace,
            constants=self.constants,
            functions=self.functions,
            dependencies=self.dependencies,
            in_place_errors=self.in_place_errors,
            taken_names=self.names.taken,
            adjoint_names=self.adjoint_names,
            leaves={key: a.target for key, a in self.leaves.items()},
        )

    def function_body(self, definition: ast.FunctionDef | ast.Lambda, result_name: str) -> list[ast.expr]:
        """Normalize a function's statements; the values it returns (phis where paths meet)."""
        if isinstance(definition, ast.Lambda):
            statements: list[ast.stmt] = [ast.copy_location(ast.Return(definition.body), definition.body)]
        else:
            statements = [s for i, s in enumerate(definition.body) if i or not is_docstring(s)]
        outer = self.result_names
        self.result_names = ResultNames(self.names, result_name)
        try:
            returned = self.statements(statements)
        finally:
            self.result_names = outer
        if returned is None:
            where = statements[-1] if statements else definition
            raise self.unsupported(where, f"`{self.scope.source.name}` must return a value on every "
                                   "path to be differentiated", "end the function with `return <expression>`")
        return returned

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

    def if_statement(self, stmt: ast.If, rest: list[ast.stmt]) -> list[ast.expr] | None:
        """`if` on data: the condition recorded, each arm normalized, the paths joined by phis."""
        self.scope.statement = stmt
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
        self.body.append(Branch(test, then_nodes, else_nodes, self.origin(stmt),
                                f"if {self.source_of(stmt.test)}:", self.scope.call_site))
        return joined

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
            index_name, items = self.loop_items(stmt)
            steps = self.names.fresh("steps")
            self.assign(steps, (items.steps, "range", [], {}), stmt.iter)
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
        if isinstance(stmt, ast.For):
            header = f"for {self.source_of(stmt.target)} in {self.source_of(stmt.iter)}:"
        else:
            header = f"while {self.source_of(stmt.test)}:"
        exit_test, trips = None, None
        if break_paths:
            exit_test = _any_path(break_paths)
            trips = steps if isinstance(stmt, ast.While) else self.names.fresh("trips")
        self.body.append(Loop(index_name, ast.Name(steps, ast.Load()), body, pairs, self.origin(stmt),
                              header, self.scope.call_site, test, exit_test, trips))

    def own_value(self, name: str, stmt: ast.For | ast.While) -> None:
        """Give `name` a value under a name of its own before a loop carries it.

        A loop writes each new value back into the name the variable held when it began. A
        literal has no name, and an inlined function's parameter holds its caller's value
        under the caller's name: writing there would change the caller's variable.
        """
        current = self.scope.lookup(name)
        bound = self.scope.arguments.get(name)
        if isinstance(current, ast.Name) and name in self.scope.versions and (
                bound is None or ast.dump(bound) != ast.dump(current)):
            return
        own = self.new_version(name)
        self.assign(own, copy.copy(current), stmt, user_variable=True,
                    statement=f"{name} = {ast.unparse(current)}, before the loop")
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
            self.assign(name, (copy.copy(value), "phi", [value], {}), stmt, user_variable=True,
                        statement=text)
        finally:
            self.body = outer

    def condition(self, test: ast.expr, stmt: ast.AST) -> ast.Name:
        """Record the condition of a branch, as written: it carries no gradient."""
        value = Verbatim(self, inline_calls=True).visit(copy.deepcopy(test))
        name = self.names.temporary(value)
        self.assign(name, (value, "condition", [], {}), test)
        return ast.Name(name, ast.Load())

    def source_of(self, node: ast.AST) -> str:
        text = ast.get_source_segment("\n".join(self.scope.source.lines), node) or ast.unparse(node)
        return " ".join(text.split())

    def conditional_expression(self, node: ast.IfExp) -> ast.Name:
        """`a if c else b`: a branch whose arms compute one value each."""
        test = self.condition(node.test, node)
        result = self.names.temporary(ast.Name("choice", ast.Load()))
        outer = self.body
        arms = []
        for expression in (node.body, node.orelse):
            self.body = []
            value = self.atom(expression)
            self.assign(result, (copy.copy(value), "phi", [value], {}), expression, user_variable=False)
            arms.append(self.body)
        self.body = outer
        statement = self.scope.statement
        text = self.statement_text(statement) if statement is not None else self.source_of(node)
        self.body.append(Branch(test, arms[0], arms[1], self.origin(node), text, self.scope.call_site))
        return ast.Name(result, ast.Load())

    def parameters(self, args: ast.arguments) -> list[Parameter]:
        if args.vararg or args.kwarg:
            node = args.vararg or args.kwarg
            raise self.unsupported(node, "`*args` and `**kwargs` parameters are not supported",
                                   "name each parameter")
        keyword_only = []
        if self.scope.generated:  # a gradient function's cotangent: keyword-only, 1.0 by default
            keyword_only = [Parameter(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
        elif args.kwonlyargs or args.posonlyargs:
            node = (args.kwonlyargs or args.posonlyargs)[0]
            raise self.unsupported(node, "keyword-only and positional-only parameters are not supported",
                                   "use ordinary parameters")
        positional = args.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += list(args.defaults)
        params = []
        for arg, default in zip(positional, defaults):
            if default is not None:
                try:
                    ast.literal_eval(default)
                except ValueError:
                    raise self.unsupported(default, "default values must be literal constants",
                                           "pass the value as an argument") from None
            params.append(Parameter(arg.arg, default, self.origin(arg)))
        return params + keyword_only

    # ---- statements -------------------------------------------------------
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
        self.bind(name, (appended, "list.append", [old, value], {}), call, start)
        new = self.scope.versions[name]
        if isinstance(old, ast.Name) and isinstance(new, ast.Name):
            self.record_write(new.id, old.id, call)
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
        self.assign(new, (call, "setitem", [old, index, value], {}), target, user_variable=True)
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
        if not names or not all(isinstance(n, ast.Name) for n in names):
            raise self.unsupported(
                target, "only assignments to names, tuples of names and parts of arrays are "
                "supported", "assign each value to its own name",
            )
        start = len(self.body)
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
                (ast.Subscript(whole, ast.Constant(i), ast.Load()), "getitem", [whole, ast.Constant(i)], {})
                for i in range(len(names))
            ]
        for name, part in zip(names, parts):
            self.bind(name.id, part, value_node, start)

    def bind(self, name: str, value, node: ast.expr, start: int) -> None:
        """Give the user variable `name` a new version holding `value`.

        A value computed by this statement under a temporary name (the result
        of an inlined call) takes the user's name instead of being copied.
        """
        new = self.new_version(name)
        made_here = isinstance(value, ast.Name) and any(
            a.target == value.id for a in assignments(self.body[start:]))
        if made_here:
            self.rename(value.id, new, start)
        else:
            self.assign(new, value, node, user_variable=True)
        self.scope.versions[name] = ast.Name(new, ast.Load())

    def new_version(self, name: str) -> str:
        """A name for a new value of the user's variable `name`."""
        if self.scope.call_site is not None:
            version = self.names.fresh(name)
        else:
            version = self.names.version(name) if self.scope.lookup(name) is not None else name
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

    def record_write(self, new: str, old: str, node: ast.AST, arrays_only: bool = False) -> None:
        """`new` is `old` updated in place by the statement `node` (`arrays_only`: where `old`
        holds an array)."""
        self.writes.append(Write(new, old, self.origin(node), " ".join(ast.unparse(node).split()),
                                 arrays_only))

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

    def assign(self, target: str, operation, node: ast.AST, user_variable: bool = False,
               statement: str | None = None) -> None:
        if isinstance(operation, (ast.List, ast.Tuple)):  # `ys = [a, b]`: a list of values
            operation = (operation, "sequence", [operation], {})
        elif isinstance(operation, ast.expr):  # a plain copy: `y = x`
            operation = (operation, "identity", [operation], {})
        value, op, args, keywords = operation
        self.body.append(
            Assignment(
                target=target,
                value=value,
                op=op,
                args=args,
                keywords=keywords,
                origin=self.origin(node),
                statement=statement or self.statement_text(self.scope.statement),
                user_variable=user_variable,
                context=self.scope.call_site,
            )
        )

    def temporary(self, operation, node: ast.expr) -> ast.Name:
        """Assign one operation to a temporary named after what it computes."""
        temp = self.names.temporary(operation[0])
        self.spelling[temp] = self.source_of(node)
        self.assign(temp, operation, node)
        return ast.Name(temp, ast.Load())

    # ---- expressions ------------------------------------------------------
    def atom(self, node: ast.expr) -> ast.expr:
        """`node` as a name or constant, assigning any operation to a temporary."""
        result = self.operation_or_atom(node)
        if isinstance(result, ast.expr):
            return result
        return self.temporary(result, node)

    def operation_or_atom(self, node: ast.expr):
        """An atom (ast.expr), or one operation as (value, op, args, keywords)."""
        if isinstance(node, ast.Constant):
            return node
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return node
        if isinstance(node, ast.BinOp):
            op = BINARY_OPS.get(type(node.op))
            if op is None:
                raise self.unsupported(node, f"the operator `{op_symbol(node)}` is not supported",
                                       "write it with + - * / ** @ or a NumPy function")
            left, right = self.atom(node.left), self.atom(node.right)
            folded = _fold_numbers(node.op, left, right)
            if folded is not None:  # `0.5 * delta` with delta=1.0, from an inlined default
                return folded
            return ast.BinOp(left, node.op, right), op, [left, right], {}
        if isinstance(node, ast.UnaryOp):
            operand = self.atom(node.operand)
            if isinstance(node.op, ast.USub) and isinstance(operand, ast.Attribute):
                return ast.UnaryOp(node.op, operand)  # -np.inf: a constant, as -1.0 is
            return ast.UnaryOp(node.op, operand), UNARY_OPS[type(node.op)], [operand], {}
        if isinstance(node, ast.Compare):
            operands = [self.atom(node.left)] + [self.atom(c) for c in node.comparators]
            value = ast.Compare(operands[0], node.ops, operands[1:])
            return value, "compare", operands, {}
        if isinstance(node, ast.BoolOp):
            operands = [self.atom(v) for v in node.values]
            return ast.BoolOp(node.op, operands), "boolop", operands, {}
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                return self.leaf(node)
            value = self.atom(node.value)
            index = self.index(node.slice)
            position = _literal_number(index)
            if isinstance(value, (ast.Tuple, ast.List)) and type(position) is int \
                    and -len(value.elts) <= position < len(value.elts):
                return value.elts[position]  # `pair(x)[0]`, of a call returning a tuple
            return ast.Subscript(value, index, ast.Load()), "getitem", [value, index], {}
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.Tuple, ast.List)):
            elements = [self.atom(e) for e in node.elts]
            return type(node)(elements, ast.Load())
        if isinstance(node, ast.IfExp):
            return self.conditional_expression(node)
        if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
            values = [self.atom(v) for v in node.values]  # a dict display, `{"loss": loss}`
            return ast.Dict(list(node.keys), values), "dict", values, {}
        hint = UNSUPPORTED_HINTS.get(type(node), "rewrite it with array operations")
        raise self.unsupported(node, f"s2sad cannot differentiate {construct(node)}", hint)

    def leaf(self, node: ast.Subscript) -> ast.Name:
        """`params["layer"]["w"]`: a leaf of a dict argument, read once at the function's start."""
        path: list[str] = []
        root: ast.expr = node
        while isinstance(root, ast.Subscript) and isinstance(root.slice, ast.Constant) \
                and isinstance(root.slice.value, str):
            path.insert(0, root.slice.value)
            root = root.value
        # The dict is the function's own argument, read here directly, through a closure, or
        # passed to an inlined function.
        bound = self.scope.lookup(root.id) if isinstance(root, ast.Name) else None
        parameter = bound.id if isinstance(bound, ast.Name) else None
        if parameter not in self.adjoint_names:
            raise self.unsupported(node, "only the function's own dict arguments can be read by key",
                                   "read the dict's values with constant keys in the function "
                                   "that takes it, `params[\"w\"]`")
        key = (parameter, tuple(path))
        if key not in self.leaves:
            name = self.names.fresh("_".join([parameter, *path]))
            value: ast.expr = ast.Name(parameter, ast.Load())
            for part in path:
                value = ast.Subscript(value, ast.Constant(part), ast.Load())
            self.leaves[key] = Assignment(name, value, "leaf", [ast.Name(parameter, ast.Load())], {},
                                          self.origin(node), self.statement_text(self.scope.statement),
                                          user_variable=True)
        return ast.Name(self.leaves[key].target, ast.Load())

    def name(self, node: ast.Name) -> ast.expr:
        local = self.scope.lookup(node.id)
        if local is not None:
            return copy.copy(local)
        if self.scope.local_function(node.id) is not None:
            raise self.unsupported(node, f"the function `{node.id}` can only be called here",
                                   "call it; functions as values are not supported")
        value = self.scope.source.resolver.lookup(node.id)
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
        raise self.unsupported(
            node,
            f"`{node.id}` is a global {type(value).__name__}, not a constant s2sad can copy "
            "into the generated module",
            f"pass `{node.id}` to the function as an argument",
        )

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
            raise self.unsupported(node, f"`{ast.unparse(node)}` can only be called here",
                                   "call it, or pass the value it holds as an argument")
        receiver = self.atom(node.value)
        return ast.Attribute(receiver, node.attr, ast.Load()), "attribute." + node.attr, [receiver], {}

    def namespace_expr(self, path: str) -> ast.expr:
        expr: ast.expr = ast.Name(self.namespace, ast.Load())
        for part in path.split(".")[1:]:
            expr = ast.Attribute(expr, part, ast.Load())
        return expr

    def call(self, node: ast.Call):
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.unsupported(arg, "`*args` in calls is not supported", "pass each argument")
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.unsupported(keyword.value, "`**kwargs` in calls is not supported",
                                       "pass each keyword argument")
        func = node.func
        if isinstance(func, ast.Name) and self.scope.local_function(func.id) is not None:
            definition, scope = self.scope.local_function(func.id)
            return self.inline(definition, scope.source, scope, node)
        target = self.module_attribute(func) if isinstance(func, (ast.Attribute, ast.Name)) else MISSING
        if isinstance(func, ast.Name) and self.scope.lookup(func.id) is not None:
            raise self.unsupported(func, f"calling the local value `{func.id}` is not supported",
                                   "call NumPy functions by name; calls to your own functions "
                                   "are not supported yet")
        if target is MISSING and isinstance(func, ast.Attribute):
            receiver = self.atom(func.value)
            args = [receiver] + [self.atom(a) for a in node.args]
            keywords = {k.arg: self.atom(k.value) for k in node.keywords}
            value = ast.Call(ast.Attribute(receiver, func.attr, ast.Load()), args[1:],
                             [ast.keyword(k, v) for k, v in keywords.items()])
            return value, "method." + func.attr, args, keywords
        if target is MISSING and not isinstance(func, (ast.Name, ast.Attribute)):
            raise self.unsupported(func, f"s2sad cannot differentiate a call of `{ast.unparse(func)}`",
                                   "call NumPy functions by name; define helpers outside the "
                                   "differentiated function and pass their results in")
        if target is MISSING:
            raise self.unsupported(func, f"`{ast.unparse(func)}` is not defined",
                                   "import it at module level or pass its value as an argument")
        canonical = self.scope.source.resolver.canonical_name(target)
        if is_gradient_function(target):
            source = load_generated(target, node, self)
            self.dependencies.append(GeneratedDependency(target, target.source))
            return self.inline(None, source, None, node)
        if is_generated_helper(target):
            args = [self.atom(a) for a in node.args]
            keywords = {k.arg: self.atom(k.value) for k in node.keywords}
            call = ast.Call(ast.Name(target.__name__, ast.Load()), args,
                            [ast.keyword(k, v) for k, v in keywords.items()])
            op = "setitem" if target.__name__ == "_updated" else f"helper.{target.__name__}"
            return call, op, args, keywords
        ruled = ruled_call(self, target, node) if canonical is None else None
        if ruled is not None:  # s2sad.nn, stop_gradient, a function with an s2sad.adjoint rule
            return ruled
        if canonical is None and isinstance(target, types.FunctionType):
            return self.inline(None, load(target), None, node)
        if canonical is None:
            shown = ast.unparse(func)
            raise UnknownFunctionError(
                f"s2sad cannot differentiate calls to `{shown}`: it has no adjoint rule, and it "
                "is neither a NumPy/CuPy function, a supported builtin nor a Python function "
                "whose source s2sad can read",
                self.origin(func),
                rule_hint(shown),
            )
        args = [self.atom(a) for a in node.args]
        keywords = {k.arg: self.atom(k.value) for k in node.keywords}
        op = canonical
        if canonical in ("numpy.array", "numpy.asarray") and args and isinstance(args[0], (ast.List, ast.Tuple)):
            op = canonical + "(list)"  # an array built from values: its own rule
        if canonical in BUILTIN_OPERATIONS:
            op, rewrite = BUILTIN_OPERATIONS[canonical]
            if rewrite is not None:
                name, extra = rewrite
                keywords = {**{k: ast.Constant(v) for k, v in extra.items()}, **keywords}
                canonical = "numpy." + name
        if canonical.startswith("builtins."):
            callee: ast.expr = ast.Name(canonical.split(".", 1)[1], ast.Load())
        else:
            callee = self.namespace_expr(self.written_path(func, target, canonical))
        value = ast.Call(callee, args, [ast.keyword(k, v) for k, v in keywords.items()])
        return value, op, args, keywords

    def is_user_function(self, func: ast.expr, target: object, canonical: str | None) -> bool:
        """Whether a call of `func` (resolved to `target`) runs the user's own code."""
        if isinstance(func, ast.Name) and self.scope.local_function(func.id) is not None:
            return True
        return canonical is None and isinstance(target, types.FunctionType)

    def inline(self, definition, source: Source | None, parent: Scope | None, node: ast.Call):
        """The value of calling a user function: its body, normalized into this program."""
        if definition is None:
            definition = source.definition
        if all(source.resolver is not known for known in self.dependencies):
            self.dependencies.append(source.resolver)
        name = getattr(definition, "name", "lambda")
        key = (source.filename, source.first_line + definition.lineno)
        if key in self.call_stack:
            raise self.unsupported(node, f"`{name}` calls itself: recursion is not supported",
                                   "write the computation without recursion")
        args = [self.atom(a) for a in node.args]
        keywords = {k.arg: self.atom(k.value) for k in node.keywords}
        call_line = self.origin(node).lineno
        scope = Scope(source, parent=parent, call_site=f"{name}, called on line {call_line}",
                       generated=source.filename.startswith("<s2sad "))
        caller = self.scope
        self.scope = scope
        self.call_stack.append(key)
        try:
            if not scope.generated:
                self.check_reserved(definition)
            params = self.parameters(definition.args)
            self.scope.arguments = self.bind_arguments(name, params, args, keywords, node, caller)
            self.scope.versions.update(self.scope.arguments)
            returned = self.function_body(definition, f"{name}_result")
            if len(returned) == 1 and not self.last_returned_tuple:
                return returned[0]
            return ast.Tuple(returned, ast.Load())
        finally:
            self.call_stack.pop()
            self.scope = caller

    def bind_arguments(self, name, params, args, keywords, node, caller) -> dict[str, ast.expr]:
        """The inlined function's parameters bound to the call's arguments (or defaults)."""
        names = [p.name for p in params]
        if len(args) > len(names) or set(keywords) - set(names):
            raise UnsupportedSyntaxError(
                f"`{name}` takes the arguments ({', '.join(names)})", caller_origin(caller, node),
                "call it with those arguments")
        bound: dict[str, ast.expr] = dict(zip(names, args))
        for param in params[len(args):]:
            if param.name in keywords:
                bound[param.name] = keywords[param.name]
            elif param.default is not None:
                bound[param.name] = ast.Constant(ast.literal_eval(param.default))
            else:
                raise UnsupportedSyntaxError(
                    f"`{name}` needs the argument `{param.name}`", caller_origin(caller, node),
                    "pass every argument without a default")
        return bound

    def written_path(self, func: ast.expr, target: object, canonical: str) -> str:
        """`numpy.max` for `np.max` as written, even where the canonical name is an alias's."""
        if isinstance(func, ast.Attribute):
            parent = self.module_attribute(func.value)
            if is_array_module(parent) and getattr(parent, func.attr, None) is target:
                return module_path(parent) + "." + func.attr
        return canonical

    def index(self, node: ast.expr) -> ast.expr:
        """An index with every part reduced to an atom; slices and `...` kept as written."""
        if isinstance(node, ast.Tuple):
            return ast.Tuple([self.index_part(e) for e in node.elts], ast.Load())
        return self.index_part(node)

    def index_part(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Slice):
            parts = [self.atom(p) if p is not None else None for p in (node.lower, node.upper, node.step)]
            return ast.Slice(*parts)
        return self.atom(node)


_NUMBER_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
                     ast.Div: operator.truediv, ast.Pow: operator.pow}


def _fold_numbers(op: ast.operator, left: ast.expr, right: ast.expr) -> ast.expr | None:
    """`left op right` as one literal where both are Python numbers, as Python computes it."""
    numbers = [_literal_number(left), _literal_number(right)]
    function = _NUMBER_OPERATORS.get(type(op))
    if function is None or None in numbers:
        return None
    try:
        value = function(*numbers)
    except (ArithmeticError, ValueError):
        return None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return ast.Constant(value) if value >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-value))


def _literal_number(node: ast.expr) -> int | float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal_number(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


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

    def __init__(self, normalizer: Normalizer, inline_calls: bool = False):
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


def caller_origin(scope: Scope, node: ast.AST) -> Origin:
    """Where `node` stands in the source of `scope`'s function."""
    source = scope.source
    lineno = getattr(node, "lineno", 1)
    line = source.lines[lineno - 1] if lineno - 1 < len(source.lines) else ""
    return Origin(source.filename, lineno + source.first_line - 1,
                  getattr(node, "col_offset", 0) + source.indent, " " * source.indent + line)


