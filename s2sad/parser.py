"""Source → normalized program: one operation per statement, names resolved.

The parser reads a function's source, checks that every construct is one s2sad
differentiates, resolves the names it reads (numpy and cupy modules, functions
imported from them, module-level constants), and splits every expression into
single operations assigned to named temporaries, in static single assignment
form. Source positions are kept for the backward's comments and for errors.
"""

from __future__ import annotations

import ast
import inspect
import os
import textwrap
import types

import numpy

from .errors import (
    Origin,
    SourceUnavailableError,
    UnknownFunctionError,
    UnsupportedSyntaxError,
)
from .ir import Assignment, Parameter, Program
from .names import NameAllocator
from .resolve import (
    MISSING,
    Resolver,
    canonical_name,
    is_array_module,
    is_constant_value,
    module_path,
)
from .templates import HELPER_NAMES

BINARY_OPS = {
    ast.Add: canonical_name(numpy.add),
    ast.Sub: canonical_name(numpy.subtract),
    ast.Mult: canonical_name(numpy.multiply),
    ast.Div: canonical_name(numpy.divide),
    ast.Pow: canonical_name(numpy.power),
    ast.MatMult: canonical_name(numpy.matmul),
    ast.Mod: canonical_name(numpy.remainder),
    ast.FloorDiv: canonical_name(numpy.floor_divide),
}
UNARY_OPS = {
    ast.USub: canonical_name(numpy.negative),
    ast.UAdd: canonical_name(numpy.positive),
    ast.Not: "builtins.not",
    ast.Invert: "builtins.invert",
}

# Builtins that mean a NumPy function: (the operation, how the forward writes it).
BUILTIN_OPERATIONS = {
    "builtins.abs": (canonical_name(numpy.abs), None),
    "builtins.sum": (canonical_name(numpy.sum), ("sum", {"axis": 0})),
}

RESERVED_NAMES = HELPER_NAMES

# How error messages name a construct: `an if statement`, not `a If statement`.
_CONSTRUCT_NAMES = {
    ast.For: "a `for` loop",
    ast.While: "a `while` loop",
    ast.If: "an `if` statement",
    ast.AugAssign: "an augmented assignment (`+=`, `*=` ...)",
    ast.Try: "a `try` statement",
    ast.With: "a `with` statement",
    ast.FunctionDef: "a nested function definition",
    ast.ClassDef: "a class definition",
    ast.Global: "a `global` statement",
    ast.Nonlocal: "a `nonlocal` statement",
    ast.Lambda: "a lambda",
    ast.IfExp: "a conditional expression (`a if c else b`)",
    ast.ListComp: "a list comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Yield: "`yield`",
    ast.Await: "`await`",
    ast.Expr: "an expression statement",
    ast.Assert: "an `assert` statement",
    ast.Delete: "a `del` statement",
    ast.Raise: "a `raise` statement",
    ast.Import: "an `import` statement",
    ast.ImportFrom: "an `import` statement",
}

_UNSUPPORTED_HINTS = {
    ast.For: "loops are not supported yet; write the computation without the loop",
    ast.While: "loops are not supported yet; write the computation without the loop",
    ast.If: "branches are not supported yet; use np.where for elementwise choices",
    ast.AugAssign: "write `x = x + y` instead of `x += y`",
    ast.Try: "move error handling outside the differentiated function",
    ast.With: "move the `with` block outside the differentiated function",
    ast.FunctionDef: "define helper functions outside the differentiated function",
    ast.ClassDef: "define classes outside the differentiated function",
    ast.Global: "pass the value as an argument instead",
    ast.Nonlocal: "pass the value as an argument instead",
    ast.Lambda: "define the lambda outside the differentiated function",
    ast.IfExp: "use np.where(condition, a, b) instead of a conditional expression",
    ast.ListComp: "write the computation with array operations instead",
    ast.GeneratorExp: "write the computation with array operations instead",
    ast.Yield: "generators cannot be differentiated",
    ast.Await: "async code cannot be differentiated",
}


def parse(fun: types.FunctionType) -> Program:
    """Read and normalize `fun`; raise an `S2SADError` for anything unsupported."""
    return _Normalizer(fun).program()


def _read_source(fun: types.FunctionType) -> tuple[str, int, int, str]:
    """The function's source text, its first line number, its indent, and its file."""
    if not isinstance(fun, types.FunctionType):
        raise SourceUnavailableError(
            f"s2sad differentiates Python functions; got {type(fun).__name__} {fun!r}",
            hint="pass a function defined with `def` in a .py file",
        )
    if getattr(fun, "__wrapped__", None) is not None:
        raise SourceUnavailableError(
            f"{fun.__qualname__} is a wrapper made by a decorator; s2sad differentiates source "
            "code, and what the wrapper does is not in the source of the function it wraps",
            hint="apply s2sad.grad to the undecorated function, or pass `f.__wrapped__` if the "
            "decorator does not change what the function computes",
        )
    filename = fun.__code__.co_filename
    try:
        lines, first = inspect.getsourcelines(fun)
    except (OSError, TypeError) as exc:
        raise SourceUnavailableError(
            f"cannot read the source of {fun.__qualname__} ({exc})",
            hint="define the function in a .py file; source typed into an interactive "
            "interpreter is not kept",
        ) from None
    text = "".join(lines)
    indent = len(lines[0]) - len(lines[0].lstrip())
    return textwrap.dedent(text), max(first, 1), indent, filename


_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def _display_name(filename: str) -> str:
    """The file as shown in generated code: relative to its project's root, whatever the cwd.

    The root is the nearest folder above the file holding pyproject.toml,
    setup.py, setup.cfg or .git; without one, the file's own name.
    """
    path = os.path.abspath(filename)
    folder = os.path.dirname(path)
    while True:
        if any(os.path.exists(os.path.join(folder, m)) for m in _PROJECT_MARKERS):
            return os.path.relpath(path, folder).replace(os.sep, "/")
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.basename(path)
        folder = parent


def _find_definition(tree: ast.Module, fun: types.FunctionType) -> ast.FunctionDef | ast.Lambda:
    if fun.__name__ == "<lambda>":
        lambdas = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)]
        names = fun.__code__.co_varnames[: fun.__code__.co_argcount]
        matching = [n for n in lambdas if tuple(a.arg for a in n.args.args) == names]
        if len(matching) == 1:
            return matching[0]
        raise SourceUnavailableError(
            f"cannot tell which lambda on line {fun.__code__.co_firstlineno} is meant",
            hint="give the function a name with `def`",
        )
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fun.__name__:
            if isinstance(node, ast.AsyncFunctionDef):
                break
            return node
    raise SourceUnavailableError(f"cannot find the definition of {fun.__qualname__} in its source")


class _Normalizer:
    def __init__(self, fun: types.FunctionType):
        self.fun = fun
        source, first_line, self.indent, self.filename = _read_source(fun)
        self.source_lines = source.splitlines()
        self.first_line = first_line
        try:
            tree = ast.parse(source)
        except SyntaxError:
            try:
                tree = ast.parse("(" + source.strip() + ")")
            except SyntaxError:
                raise SourceUnavailableError(
                    f"cannot parse the source of {fun.__qualname__}",
                    hint="give the function a name with `def`",
                ) from None
        self.definition = _find_definition(tree, fun)
        self.resolver = Resolver(fun)
        taken = {n.id for n in ast.walk(self.definition) if isinstance(n, ast.Name)}
        taken |= {a.arg for a in ast.walk(self.definition) if isinstance(a, ast.arg)}
        for node in ast.walk(self.definition):
            name = node.id if isinstance(node, ast.Name) else node.arg if isinstance(node, ast.arg) else None
            if name in RESERVED_NAMES:
                raise self.unsupported(node, f"`{name}` is the name of a helper the generated code defines",
                                       "rename it")
        self.namespace = "xp" if "xp" not in taken else "xp_"
        taken.add(self.namespace)
        self.names = NameAllocator(taken, self.namespace)
        self.versions: dict[str, str] = {}
        self.body: list[Assignment] = []
        self.constants: dict[str, object] = {}
        self.statement: ast.stmt | ast.expr | None = None

    # ---- positions -------------------------------------------------------
    def origin(self, node: ast.AST) -> Origin:
        lineno = getattr(node, "lineno", 1)
        line = self.source_lines[lineno - 1] if lineno - 1 < len(self.source_lines) else ""
        return Origin(
            filename=self.filename,
            lineno=lineno + self.first_line - 1,
            col=getattr(node, "col_offset", 0) + self.indent,
            line=" " * self.indent + line,
        )

    def statement_text(self, node: ast.AST) -> str:
        segment = ast.get_source_segment("\n".join(self.source_lines), node) or ast.unparse(node)
        return " ".join(segment.split())

    def unsupported(self, node: ast.AST, message: str, hint: str) -> UnsupportedSyntaxError:
        return UnsupportedSyntaxError(message, self.origin(node), hint)

    # ---- the function ----------------------------------------------------
    def program(self) -> Program:
        definition = self.definition
        params = self.parameters(definition.args)
        for p in params:
            self.versions[p.name] = p.name
        if isinstance(definition, ast.Lambda):
            statements: list[ast.stmt] = [ast.copy_location(ast.Return(definition.body), definition.body)]
        else:
            statements = list(definition.body)
            if statements and _is_docstring(statements[0]):
                statements = statements[1:]
        returned = None
        for index, stmt in enumerate(statements):
            if isinstance(stmt, ast.Return):
                if index != len(statements) - 1:
                    raise self.unsupported(
                        stmt, "statements after `return` never run",
                        "branches and early returns are not supported yet; return at the end",
                    )
                returned = stmt
            else:
                self.statement_(stmt)
        if returned is None or returned.value is None:
            where = returned or (statements[-1] if statements else definition)
            raise self.unsupported(where, f"{self.fun.__qualname__} must return a value to differentiate",
                                   "end the function with `return <expression>`")
        outputs, is_tuple = self.return_(returned)
        return Program(
            name=self.fun.__name__ if self.fun.__name__ != "<lambda>" else "lambda_",
            filename=self.filename,
            display_filename=_display_name(self.filename),
            params=params,
            body=self.body,
            outputs=outputs,
            returns_tuple=is_tuple,
            return_origin=self.origin(returned),
            return_statement=self.statement_text(returned),
            namespace=self.namespace,
            constants=self.constants,
            taken_names=self.names.taken,
        )

    def parameters(self, args: ast.arguments) -> list[Parameter]:
        if args.vararg or args.kwarg:
            node = args.vararg or args.kwarg
            raise self.unsupported(node, "`*args` and `**kwargs` parameters are not supported",
                                   "name each parameter")
        if args.kwonlyargs or args.posonlyargs:
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
            params.append(Parameter(arg.arg, default))
        return params

    # ---- statements -------------------------------------------------------
    def statement_(self, stmt: ast.stmt) -> None:
        self.statement = stmt
        if isinstance(stmt, ast.Pass):
            return
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                target = stmt.targets[0] if len(stmt.targets) == 1 else stmt
                raise self.unsupported(
                    target, "only assignments to a single name are supported",
                    "unpacking, chained and subscript assignments are not supported yet; "
                    "assign each value to its own name",
                )
            name = stmt.targets[0].id
            value = self.operation_or_atom(stmt.value)
            new = self.names.version(name) if name in self.versions else name
            self.assign(new, value, stmt.value, user_variable=True)
            self.versions[name] = new
            return
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            self.statement_(ast.copy_location(ast.Assign([stmt.target], stmt.value), stmt))
            return
        hint = _UNSUPPORTED_HINTS.get(type(stmt), "rewrite it as assignments of array expressions")
        raise self.unsupported(stmt, f"s2sad cannot differentiate {_construct(stmt)}", hint)

    def return_(self, stmt: ast.Return) -> tuple[list[ast.expr], bool]:
        self.statement = stmt
        value = stmt.value
        if isinstance(value, ast.Tuple):
            return [self.atom(e) for e in value.elts], True
        if isinstance(value, (ast.Name, ast.Constant)):
            return [self.atom(value)], False
        operation = self.operation_or_atom(value)
        target = self.names.fresh(self.fun.__name__ if self.fun.__name__.isidentifier() else "out")
        self.assign(target, operation, value)
        return [ast.Name(target, ast.Load())], False

    def assign(self, target: str, operation, node: ast.expr, user_variable: bool = False) -> None:
        if isinstance(operation, ast.expr):  # a plain copy: `y = x`
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
                statement=self.statement_text(self.statement),
                user_variable=user_variable,
            )
        )

    # ---- expressions ------------------------------------------------------
    def atom(self, node: ast.expr) -> ast.expr:
        """`node` as a name or constant, assigning any operation to a temporary."""
        result = self.operation_or_atom(node)
        if isinstance(result, ast.expr):
            return result
        temp = self.names.temporary(result[0])
        self.assign(temp, result, node)
        return ast.Name(temp, ast.Load())

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
                raise self.unsupported(node, f"the operator `{_op_symbol(node)}` is not supported",
                                       "write it with + - * / ** @ or a NumPy function")
            left, right = self.atom(node.left), self.atom(node.right)
            return ast.BinOp(left, node.op, right), op, [left, right], {}
        if isinstance(node, ast.UnaryOp):
            operand = self.atom(node.operand)
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
                raise self.unsupported(
                    node, "dict arguments are not supported yet",
                    "pass each array as its own argument",
                )
            value = self.atom(node.value)
            index = self.index(node.slice)
            return ast.Subscript(value, index, ast.Load()), "getitem", [value, index], {}
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.Tuple, ast.List)):
            elements = [self.atom(e) for e in node.elts]
            return type(node)(elements, ast.Load())
        hint = _UNSUPPORTED_HINTS.get(type(node), "rewrite it with array operations")
        raise self.unsupported(node, f"s2sad cannot differentiate {_construct(node)}", hint)

    def name(self, node: ast.Name) -> ast.expr:
        if node.id in self.versions:
            return ast.Name(self.versions[node.id], ast.Load())
        value = self.resolver.lookup(node.id)
        if value is MISSING:
            raise self.unsupported(node, f"`{node.id}` is not defined before this line",
                                   "assign it before use or pass it as an argument")
        if is_constant_value(value):
            self.constants[node.id] = value
            return ast.Name(node.id, ast.Load())
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
        if not isinstance(node, ast.Name) or node.id in self.versions:
            return MISSING
        value = self.resolver.lookup(node.id)
        for attr in reversed(chain):
            if value is MISSING:
                return MISSING
            value = getattr(value, attr, MISSING)
        return value

    def attribute(self, node: ast.Attribute):
        value = self.module_attribute(node)
        if value is not MISSING:
            parent = self.module_attribute(node.value)
            if value is None:  # np.newaxis
                return ast.Constant(None)
            if is_array_module(parent) and not callable(value):
                return self.namespace_expr(module_path(parent) + "." + node.attr)
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
        target = self.module_attribute(func) if isinstance(func, (ast.Attribute, ast.Name)) else MISSING
        if isinstance(func, ast.Name) and func.id in self.versions:
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
        canonical = self.resolver.canonical_name(target)
        if canonical is None:
            shown = ast.unparse(func)
            raise UnknownFunctionError(
                f"s2sad cannot differentiate calls to `{shown}`: it is neither a NumPy/CuPy "
                "function nor a supported builtin",
                self.origin(func),
                "calls to your own functions are not supported yet; compute non-differentiable "
                "values outside and pass them as arguments",
            )
        args = [self.atom(a) for a in node.args]
        keywords = {k.arg: self.atom(k.value) for k in node.keywords}
        op = canonical
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


def _construct(node: ast.AST) -> str:
    return _CONSTRUCT_NAMES.get(type(node), f"a `{type(node).__name__}` expression")


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(
        stmt.value.value, str
    )


def _op_symbol(node: ast.BinOp) -> str:
    return {ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>"}.get(
        type(node.op), type(node.op).__name__
    )
