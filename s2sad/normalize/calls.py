"""Calls: rules for NumPy's functions, the user's own functions inlined."""

from __future__ import annotations

import ast
import builtins
import sysconfig
import types

from ..errors import SourceUnavailableError, UnknownFunctionError, UnsupportedSyntaxError
from ..ir import Operation
from ..parser import (
    BUILTIN_OPERATIONS,
    GeneratedDependency,
    Source,
    is_generated_helper,
    is_generated_source,
    is_gradient_function,
    load,
    load_generated,
)
from ..resolve import MISSING, is_array_module, module_path
from .rules import rule_hint, ruled_call
from .scope import Scope, caller_origin
from .trees import FunctionValue, Lowered, is_static, items_of, static

_RECURSION_LIMIT = 8
"""How deep a recursion over a static tree (a hand-written `flatten`) is followed."""

_LIBRARY_DIRS = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib",
                                                               "platlib")})


def is_library_function(function: types.FunctionType) -> bool:
    """A function of an installed package or of the standard library, not the user's code."""
    filename = getattr(function.__code__, "co_filename", "")
    return "site-packages" in filename or "dist-packages" in filename or any(
        filename.startswith(directory + "/") for directory in _LIBRARY_DIRS)


class CallLowering:
    """The calls part of the `Normalizer` (see lowering.py, which holds the state
    these methods share)."""

    def call(self, node: ast.Call):
        node = self.spread(node)
        static_result = self.static_or_none(node)
        if static_result is not None:
            return static_result
        func = node.func
        if self.is_builtin(func, "sum") and len(node.args) == 1 and not node.keywords:
            total = self.static_sum(node)
            if not isinstance(total, ast.Call):
                return total
            node = total
        if isinstance(func, ast.Name) and self.scope.local_function(func.id) is not None:
            definition, scope = self.scope.local_function(func.id)
            return self.inline(definition, scope.source, scope, node)
        target = self.module_attribute(func) if isinstance(func, (ast.Attribute, ast.Name)) else MISSING
        value = self.static_or_none(func) if target is MISSING else None
        if isinstance(value, FunctionValue):  # a function passed as a value: call what it holds
            if value.local is not None:
                definition, scope = value.local
                return self.inline(definition, scope.source, scope, node)
            target = value.function
        elif isinstance(func, ast.Name) and self.scope.lookup(func.id) is not None:
            raise self.unsupported(func, f"calling the local value `{func.id}` is not supported",
                                   "call the function by its own name (`def` it, or import "
                                   "it), not through a variable holding it")
        if target is MISSING and isinstance(func, ast.Attribute):
            receiver = self.atom(func.value)
            if is_static(receiver):
                raise self.unsupported(func, f"`.{func.attr}()` of a container argument is not "
                                       "supported", "read its items by index or key, or loop "
                                       "over it (`.items()`, `.keys()`, `.values()` of a dict)")
            args = [receiver] + [ast.Starred(self.atom(a.value), ast.Load()) if isinstance(
                a, ast.Starred) else self.atom(a) for a in node.args]
            keywords = {k.arg: self.atom(k.value) for k in node.keywords}
            value = ast.Call(ast.Attribute(receiver, func.attr, ast.Load()), args[1:],
                             [ast.keyword(k, v) for k, v in keywords.items()])
            return Operation(value, "method." + func.attr, args, keywords)
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
            self.dependencies.append(GeneratedDependency(target, target.differentiable_source))
            # The data it reads from its function's module, read from there at call time.
            supplied = {e.parameter: self.external_value(e.name, e.resolver, node)
                        for e in target.program.externals}
            if target.mode == "vjp":
                node = self.cotangent_as_seeds(node, target)
            return self.inline(None, source, None, node, supplied)
        if is_generated_helper(target):
            args = [self.atom(a) for a in node.args]
            keywords = {k.arg: self.atom(k.value) for k in node.keywords}
            call = ast.Call(ast.Name(target.__name__, ast.Load()), args,
                            [ast.keyword(k, v) for k, v in keywords.items()])
            op = "setitem" if target.__name__ == "_updated" else f"helper.{target.__name__}"
            return Operation(call, op, args, keywords)
        ruled = ruled_call(self, target, node) if canonical is None else None
        if ruled is not None:  # s2sad.nn, stop_gradient, a function with an s2sad.adjoint rule
            return ruled
        if canonical is None and isinstance(target, types.FunctionType):
            if is_library_function(target):
                raise UnknownFunctionError(
                    f"s2sad has no adjoint rule for `{ast.unparse(func)}`, a function of the "
                    f"installed library `{target.__module__.split('.')[0]}`, and it does not "
                    "inline a library's source: its internals are not written for s2sad",
                    self.origin(func), rule_hint(ast.unparse(func)))
            return self.inline(None, self.callee_source(target, func), None, node)
        if canonical is None:
            shown = ast.unparse(func)
            raise UnknownFunctionError(
                f"s2sad cannot differentiate calls to `{shown}`: it has no adjoint rule, and it "
                "is neither a NumPy/CuPy function, a supported builtin nor a Python function "
                "whose source s2sad can read",
                self.origin(func),
                rule_hint(shown),
            )
        args = [ast.Starred(self.atom(a.value), ast.Load()) if isinstance(a, ast.Starred)
                else self.atom(a) for a in node.args]
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
        return Operation(value, op, args, keywords)

    def cotangent_as_seeds(self, node: ast.Call, gradient) -> ast.Call:
        """A vjp function's call `v(x, cotangent=c)`: `c` passed as the generated function's
        seed parameter (a tuple's items as its seeds, for a function of several outputs)."""
        seeds = [name for name, _ in gradient.gradient_seeds]
        keywords = [k for k in node.keywords if k.arg != "cotangent"]
        given = next((k.value for k in node.keywords if k.arg == "cotangent"), None)
        if given is None:
            raise self.unsupported(node, "a vjp function needs the output's cotangent as "
                                   "`cotangent=`", "pass `cotangent=...`")
        if len(seeds) == 1:
            values = [given]
        else:
            value = self.operation_or_atom(given)
            items = items_of(value) if isinstance(value, ast.expr) else None
            if items is None or len(items) != len(seeds):
                raise self.unsupported(given, f"the function returns {len(seeds)} values: pass "
                                       f"a tuple of {len(seeds)} cotangents written out",
                                       "write `cotangent=(c1, c2)`")
            values = [Lowered(item) for item in items]
        keywords += [ast.keyword(seed, value) for seed, value in zip(seeds, values)]
        return ast.copy_location(ast.Call(node.func, node.args, keywords), node)

    def is_builtin(self, func: ast.expr, name: str) -> bool:
        """Whether `func` is the builtin `name`, not shadowed."""
        return isinstance(func, ast.Name) and func.id == name and self.scope.lookup(name) is None \
            and self.scope.source.resolver.lookup(name) is getattr(builtins, name)

    def static_sum(self, node: ast.Call) -> ast.expr | Operation | ast.Call:
        """`sum(values)` of values known now (a comprehension over a container): their sum,
        added in order as Python adds them; else the call, its argument lowered."""
        value = self.operation_or_atom(node.args[0])
        items = items_of(value) if isinstance(value, ast.expr) else None
        if items is None:
            lowered = value if isinstance(value, ast.expr) else self.temporary(value, node.args[0])
            return ast.copy_location(ast.Call(node.func, [Lowered(lowered)], []), node)
        if not items:
            return ast.Constant(0)
        total: Operation | ast.expr = items[0]
        for item in items[1:]:
            left = total if isinstance(total, ast.expr) else self.temporary(total, node)
            total = self.operation_or_atom(ast.copy_location(
                ast.BinOp(Lowered(left), ast.Add(), Lowered(item)), node))
        return total

    def spread(self, node: ast.Call) -> ast.Call:
        """`f(*args, **kw)` with `args` and `kw` static: the call with each item passed."""
        if not any(isinstance(a, ast.Starred) for a in node.args) and all(
                k.arg is not None for k in node.keywords):
            return node
        args: list[ast.expr] = []
        for arg in node.args:
            if not isinstance(arg, ast.Starred):
                args.append(arg)
                continue
            value = self.static_or_none(arg.value)
            if value is None:  # `*unpack(params)`: a call that returns a tuple
                value = self.operation_or_atom(arg.value)
            items = items_of(value) if isinstance(value, ast.expr) else None
            target = self.module_attribute(node.func) if isinstance(
                node.func, (ast.Attribute, ast.Name)) else MISSING
            drawn = (self.scope.source.resolver.canonical_name(target) or "").startswith(
                "numpy.random.")
            if items is None and (isinstance(node.func, ast.Attribute) and target is MISSING or drawn):
                # `rs.randn(*x.shape)`: a method call spreads a value known when it runs
                value = value if isinstance(value, ast.expr) else self.temporary(value, arg.value)
                args.append(ast.Starred(Lowered(value), ast.Load()))
                continue
            if items is None:
                raise self.unsupported(arg, "`*` in a call spreads only a container whose length "
                                       "is known when the gradient is generated (an argument, "
                                       "a tuple display)", "pass each argument")
            args += [Lowered(item) for item in items]
        keywords: list[ast.keyword] = []
        for keyword in node.keywords:
            if keyword.arg is not None:
                keywords.append(keyword)
                continue
            value = self.static_or_none(keyword.value)
            if not isinstance(value, ast.Dict) or value.record is not None:
                raise self.unsupported(keyword.value, "`**` in a call spreads only a dict whose "
                                       "keys are known when the gradient is generated",
                                       "pass each keyword argument")
            keywords += [ast.keyword(k.value, Lowered(v)) for k, v in zip(value.keys, value.values)]
        return ast.copy_location(ast.Call(node.func, args, keywords), node)

    def is_user_function(self, func: ast.expr, target: object, canonical: str | None) -> bool:
        """Whether a call of `func` (resolved to `target`) runs the user's own code."""
        if isinstance(func, ast.Name) and self.scope.local_function(func.id) is not None:
            return True
        return canonical is None and isinstance(target, types.FunctionType)

    def callee_source(self, target: types.FunctionType, func: ast.expr) -> Source:
        """The source of a function the call inlines; where it cannot be read, the refusal
        points at the call."""
        try:
            return load(target)
        except SourceUnavailableError as error:
            if error.origin is not None:
                raise
            raise SourceUnavailableError(f"s2sad inlines the call to `{ast.unparse(func)}`, "
                                         f"and {error.message}", self.origin(func),
                                         error.hint) from None

    def inline(self, definition, source: Source | None, parent: Scope | None, node: ast.Call,
               supplied: dict[str, ast.expr] | None = None):
        """The value of calling a user function: its body, normalized into this program."""
        if definition is None:
            definition = source.definition
        if all(source.resolver is not known for known in self.dependencies):
            self.dependencies.append(source.resolver)
        name = getattr(definition, "name", "lambda")
        written = self.source_of(node.func)
        if source.user_lines is not None and written.isidentifier():
            name = written  # a gradient function, named as the caller calls it
        key = (source.filename, source.first_line + definition.lineno)
        if self.call_stack.count(key) >= _RECURSION_LIMIT:
            raise self.unsupported(node, f"`{name}` calls itself: s2sad follows recursion only "
                                   "that ends when the gradient is generated (over a container's "
                                   f"structure), at most {_RECURSION_LIMIT} calls deep",
                                   "write the computation without recursion")
        args = [self.atom(a) for a in node.args]
        keywords = {**(supplied or {}), **{k.arg: self.atom(k.value) for k in node.keywords}}
        call_site = f"{name}, called on line {self.origin(node).lineno}"
        if self.scope.source.filename.startswith("<s2sad gradient of "):
            call_site = "the gradient"  # a Hessian's: the call is s2sad's, not the user's
        scope = Scope(source, parent=parent, call_site=call_site,
                       generated=is_generated_source(source))
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
        """The inlined function's parameters bound to the call's arguments (or defaults):
        extra positional arguments in `*args` as a tuple, extra keywords in `**kwargs` as a
        dict, both static (trees.py)."""
        positional = [p for p in params if p.kind == "positional"]
        vararg = next((p for p in params if p.kind == "vararg"), None)
        kwarg = next((p for p in params if p.kind == "kwarg"), None)
        named = {p.name for p in params if p.kind in ("positional", "keyword")}
        shown = ", ".join(p.name for p in params)
        if len(args) > len(positional) and vararg is None or set(keywords) - named and kwarg is None:
            raise UnsupportedSyntaxError(f"`{name}` takes the arguments ({shown})",
                                         caller_origin(caller, node), "call it with those arguments")
        bound: dict[str, ast.expr] = dict(zip([p.name for p in positional], args))
        if vararg is not None:
            bound[vararg.name] = static(ast.Tuple(list(args[len(positional):]), ast.Load()))
        for param in params:
            if param.name in bound or param.kind in ("vararg", "kwarg"):
                continue
            if param.name in keywords:
                bound[param.name] = keywords[param.name]
            elif param.default is not None:
                bound[param.name] = self.default_value(param.default)
            else:
                raise UnsupportedSyntaxError(
                    f"`{name}` needs the argument `{param.name}`", caller_origin(caller, node),
                    "pass every argument without a default")
        if kwarg is not None:
            extra = {k: v for k, v in keywords.items() if k not in named}
            bound[kwarg.name] = static(ast.Dict([ast.Constant(k) for k in extra], list(extra.values())))
        return bound

    def default_value(self, default: ast.expr) -> ast.expr:
        """A default the call leaves out, evaluated in the callee's module: a literal, a
        constant expression (`1.0 / 3`), a module constant, a function (`np.tanh`)."""
        try:
            return ast.Constant(ast.literal_eval(default))
        except ValueError:
            return self.atom(default)

    def written_path(self, func: ast.expr, target: object, canonical: str) -> str:
        """`numpy.max` for `np.max` as written, even where the canonical name is an alias's."""
        if isinstance(func, ast.Attribute):
            parent = self.module_attribute(func.value)
            if is_array_module(parent) and getattr(parent, func.attr, None) is target:
                return module_path(parent) + "." + func.attr
        return canonical
