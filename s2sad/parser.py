"""The parsing stage: a function's source read, parsed and located, and what s2sad knows
of Python's syntax.

`load` reads a function's definition and where it sits in its file (for located
errors); `load_generated` does the same for a gradient function's generated source
(second order). The tables and small facts below (operators, constructs, loops,
statements that always exit) are what the lowering in `s2sad.normalize` consults.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import textwrap
import types
from dataclasses import dataclass

import numpy

from .errors import Origin, SourceUnavailableError, UnsupportedSyntaxError
from .ir import Effect, Operation, Program, assignments, walk
from .names import NameAllocator
from .resolve import Resolver, canonical_name
from .runtime import HELPER_NAMES


def read_source(fun: types.FunctionType) -> tuple[str, int, int, str]:
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
        raise _no_source(fun, exc) from None
    text = "".join(lines)
    indent = len(lines[0]) - len(lines[0].lstrip())
    return textwrap.dedent(text), max(first, 1), indent, filename


_LINECACHE_HINT = (
    "register the source text with linecache under the name you compile it with, as IPython "
    "does for its cells: `linecache.cache[name] = (len(src), None, src.splitlines(True), "
    "name)`, then `exec(compile(src, name, 'exec'), namespace)`"
)


def _no_source(fun: types.FunctionType, exc: Exception) -> SourceUnavailableError:
    """Why the source of `fun` cannot be read, and how to make it readable."""
    code = fun.__code__
    where = f"{fun.__qualname__} (defined in {code.co_filename}, line {code.co_firstlineno})"
    if code.co_filename == "<stdin>":
        return SourceUnavailableError(
            f"cannot read the source of {where}: s2sad reads a function's source, and "
            "Python keeps none for code typed into the interactive interpreter or read "
            "from standard input",
            hint="define it in a .py file and import it, or work in IPython or Jupyter, "
            "which keep their cells' source",
        )
    if code.co_filename.startswith("<"):
        return SourceUnavailableError(
            f"cannot read the source of {where}: s2sad reads a function's source, and "
            "Python keeps none for code compiled from a string (`exec`, `compile`, "
            "`python -c`)",
            hint="define it in a .py file and import it; or, for source you `exec`, "
            + _LINECACHE_HINT,
        )
    if not os.path.exists(code.co_filename):
        return SourceUnavailableError(
            f"cannot read the source of {where}: the file does not exist (any more)",
            hint="s2sad reads the source from the function's file when it generates the "
            "gradient: keep the file, or " + _LINECACHE_HINT,
        )
    return SourceUnavailableError(
        f"cannot read the source of {where} ({exc})",
        hint="define the function in a .py file, and keep the file as it was imported",
    )


PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def display_name(filename: str) -> str:
    """The file as shown in generated code: relative to its project's root, whatever the cwd.

    The root is the nearest folder above the file holding pyproject.toml,
    setup.py, setup.cfg or .git; without one, the file's own name.
    """
    path = os.path.abspath(filename)
    folder = os.path.dirname(path)
    while True:
        if any(os.path.exists(os.path.join(folder, m)) for m in PROJECT_MARKERS):
            return os.path.relpath(path, folder).replace(os.sep, "/")
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.basename(path)
        folder = parent


def find_definition(tree: ast.Module, fun: types.FunctionType) -> ast.FunctionDef | ast.Lambda:
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
        if isinstance(node, ast.FunctionDef) and node.name == fun.__name__:
            return node
    raise SourceUnavailableError(f"cannot find the definition of {fun.__qualname__} in its source")


@dataclass
class Source:
    """A function's definition and where it comes from."""

    definition: ast.FunctionDef | ast.Lambda
    name: str
    filename: str
    lines: list[str]
    first_line: int
    indent: int
    resolver: Resolver
    user_lines: dict[int, UserLine] | None = None
    """For a gradient's generated source: the user's line each of its lines came from."""


@dataclass(frozen=True)
class UserLine:
    """Where a line of generated code came from: the user's line, the statement written
    there, and the function it was inlined from (None for the differentiated function)."""

    origin: Origin
    statement: str
    context: str | None


_HEADER = re.compile(r"# line (\d+)(?: \(([^()]*)\))?: (.*)")


def is_gradient_function(target: object) -> bool:
    """A function made by `s2sad.grad` (or value_and_grad, vjp): its class says so."""
    return getattr(type(target), "__s2sad_gradient__", False) is True


def is_generated_helper(target: object) -> bool:
    """A helper function defined in a generated module (reached through a gradient's source)."""
    return isinstance(target, types.FunctionType) and target.__name__ in HELPER_NAMES and (
        target.__module__ or "").startswith("s2sad_generated")


def is_generated_source(source: Source) -> bool:
    """Code s2sad wrote: a gradient's module (read from its file like any function's, or
    from its differentiable source), or the function whose gradient a Hessian is."""
    module = getattr(source.resolver.function, "__module__", None) or ""
    return source.user_lines is not None or module.startswith(("s2sad_generated",
                                                                "s2sad_gradient_of"))


@dataclass
class GeneratedDependency:
    """A gradient function whose generated source a program differentiates again."""

    gradient: object
    source: str

    def unchanged(self) -> bool:
        return self.gradient.unchanged() and self.gradient.differentiable_source is self.source


def load_generated(gradient, node: ast.AST, normalizer) -> Source:
    """The source of a gradient function, to differentiate it again (second order)."""
    function = gradient.function
    text = gradient.differentiable_source
    definition = next(n for n in ast.parse(text).body
                      if isinstance(n, ast.FunctionDef) and n.name == function.__name__)
    return Source(definition, function.__name__, function.__code__.co_filename, text.splitlines(),
                   1, 0, Resolver(function), user_lines(definition, text, gradient.program))


def user_lines(definition: ast.FunctionDef, text: str, program: Program) -> dict[int, UserLine]:
    """The user's line behind each line of a gradient's generated function: its
    `# line N: ...` header's (forward lines and backward blocks alike), with the exact
    origin of the program assignment a forward statement assigns where that is on the
    header's line; any other line is the statement's before it."""
    lines = text.splitlines()
    forward = {a.target: UserLine(a.origin, a.statement, a.context) for a in assignments(program.body)}
    origins = {(n.origin.lineno, n.context): n.origin for n in walk(program.body)
               if not isinstance(n, Effect)}
    origins.setdefault((program.return_origin.lineno, None), program.return_origin)
    headers: dict[int, UserLine] = {}
    for number, line in enumerate(lines, 1):
        match = _HEADER.fullmatch(line.strip())
        if match is not None:
            lineno, context, statement = int(match[1]), match[2], match[3]
            origin = origins.get((lineno, context)) or Origin(program.filename, lineno, 0, statement)
            headers[number] = UserLine(origin, statement, context)
    mapped: dict[int, UserLine] = {}
    current: UserLine | None = None
    seen = definition.lineno
    statements = sorted((n for n in ast.walk(definition) if isinstance(n, ast.stmt)
                         and n is not definition), key=lambda n: n.lineno)
    for stmt in statements:
        for number in range(seen, stmt.lineno + 1):
            current = headers.get(number, current)
        seen = stmt.lineno + 1
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        named = [forward[t.id] for t in targets if isinstance(t, ast.Name) and t.id in forward]
        if named and (current is None or (named[0].origin.lineno, named[0].context)
                      == (current.origin.lineno, current.context)):
            current = named[0]
        if current is not None:
            mapped.update(dict.fromkeys(range(stmt.lineno, stmt.end_lineno + 1), current))
    return mapped


def load(fun: types.FunctionType) -> Source:
    """Read, parse and locate the definition of `fun`."""
    text, first_line, indent, filename = read_source(fun)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        try:
            tree = ast.parse("(" + text.strip() + ")")
        except SyntaxError:
            raise SourceUnavailableError(
                f"cannot parse the source of {fun.__qualname__}",
                hint="give the function a name with `def`",
            ) from None
    lines = text.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncFunctionDef) and node.name == fun.__name__:
            origin = Origin(filename, node.lineno + first_line - 1, node.col_offset + indent,
                            " " * indent + lines[node.lineno - 1])
            raise UnsupportedSyntaxError(f"`{fun.__name__}` is an async function, which s2sad "
                                         "cannot differentiate", origin,
                                         "differentiate a plain `def` function")
    definition = find_definition(tree, fun)
    name = fun.__name__ if fun.__name__ != "<lambda>" else "lambda_"
    return Source(definition, name, filename, lines, first_line, indent, Resolver(fun))


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

# Operations whose result may share memory with their first argument.
VIEW_OPS = {
    "identity", "phi", "getitem", "attribute.T", "method.reshape", "method.transpose", "method.ravel",
    "numpy.transpose", "numpy.reshape", "numpy.ravel", "numpy.squeeze", "numpy.expand_dims",
    "numpy.swapaxes", "numpy.moveaxis", "numpy.broadcast_to",
    "numpy.lib.stride_tricks.sliding_window_view",
    "attribute.mT", "method.swapaxes", "method.squeeze", "method.diagonal", "numpy.diagonal",
    "numpy.matrix_transpose", "numpy.flip", "numpy.fliplr", "numpy.flipud", "numpy.rot90",
    "numpy.atleast_1d", "numpy.atleast_2d", "numpy.atleast_3d",
}

# Views that NumPy makes read-only: a write through them fails.
READ_ONLY_VIEW_OPS = {"numpy.lib.stride_tricks.sliding_window_view", "numpy.broadcast_to",
                      "numpy.diagonal", "method.diagonal"}

# How error messages name a construct: `an if statement`, not `a If statement`.
CONSTRUCT_NAMES = {
    ast.For: "a `for` loop",
    ast.While: "a `while` loop",
    ast.AugAssign: "an augmented assignment (`+=`, `*=` ...)",
    ast.Try: "a `try` statement",
    ast.With: "a `with` statement",
    ast.FunctionDef: "a nested function definition",
    ast.ClassDef: "a class definition",
    ast.Global: "a `global` statement",
    ast.Nonlocal: "a `nonlocal` statement",
    ast.Lambda: "a lambda",
    ast.ListComp: "a list comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Yield: "`yield`",
    ast.Await: "`await`",
    ast.Expr: "an expression statement",
    ast.Delete: "a `del` statement",
    ast.Raise: "a `raise` statement",
    ast.Import: "an `import` statement",
    ast.ImportFrom: "an `import` statement",
}

UNSUPPORTED_HINTS = {
    ast.Try: "move error handling outside the differentiated function",
    ast.With: "move the `with` block outside the differentiated function",
    ast.ClassDef: "define classes outside the differentiated function",
    ast.Global: "pass the value as an argument instead",
    ast.Nonlocal: "pass the value as an argument instead",
    ast.Lambda: "define the lambda outside the differentiated function",
    ast.ListComp: "write the computation with array operations instead",
    ast.GeneratorExp: "write the computation with array operations instead",
    ast.Yield: "generators cannot be differentiated",
    ast.Await: "async code cannot be differentiated",
}


@dataclass
class LoopItems:
    """How a loop runs: the range of its index, and the named items read at each index."""

    steps: ast.expr
    items: list[tuple[str, ast.expr]]

    def bindings(self, index: str) -> list[tuple[str, Operation]]:
        """`item = sequence[index]` for each named item, as getitem operations."""
        position = ast.Name(index, ast.Load())
        return [
            (name, Operation(ast.Subscript(sequence, position, ast.Load()), "getitem",
                             [sequence, position]))
            for name, sequence in self.items
        ]


def range_of(sequences: list[ast.expr]) -> ast.expr:
    """`range(len(a))`, or `range(min(len(a), len(b)))` for several sequences."""
    lengths = [ast.Call(ast.Name("len", ast.Load()), [s], []) for s in sequences]
    count = lengths[0] if len(lengths) == 1 else ast.Call(ast.Name("min", ast.Load()), lengths, [])
    return ast.Call(ast.Name("range", ast.Load()), [count], [])


def assigned_names(statements: list[ast.stmt]) -> set[str]:
    """Names the statements assign, in any nested block; `y[i] = ...` and `y.append(v)`
    assign `y`."""
    names = set()
    for stmt in statements:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(
                    node.value.func, ast.Attribute) and node.value.func.attr == "append" \
                    and isinstance(node.value.func.value, ast.Name):
                names.add(node.value.func.value.id)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                base = node.value
                while isinstance(base, ast.Subscript):
                    base = base.value
                if isinstance(base, ast.Name):
                    names.add(base.id)
    return names


class ResultNames:
    """Names for the values a function returns, shared by all its `return`s."""

    def __init__(self, names: NameAllocator, base: str):
        self.allocator = names
        self.base = base
        self.allocated: dict[int, str] = {}

    def name(self, position: int) -> str:
        if position not in self.allocated:
            base = self.base if position == 0 else f"{self.base}_{position}"
            self.allocated[position] = self.allocator.fresh(base)
        return self.allocated[position]


def always_exits(statements: list[ast.stmt]) -> bool:
    """True when every path through `statements` ends in `return`, `continue` or `break`."""
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, (ast.Return, ast.Continue, ast.Break)):
        return True
    return isinstance(last, ast.If) and always_exits(last.body) and always_exits(last.orelse)


def exits_on_some_path(stmt: ast.If) -> bool:
    """True when a path through the `if` returns, or continues or leaves the loop around it."""
    pending: list[ast.AST] = [stmt]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Return, ast.Continue, ast.Break)):
            return True
        if not isinstance(node, (ast.For, ast.While, ast.FunctionDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
    return False


def construct(node: ast.AST) -> str:
    return CONSTRUCT_NAMES.get(type(node), f"a `{type(node).__name__}` expression")


def is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(
        stmt.value.value, str
    )


SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@",
    ast.Mod: "%", ast.FloorDiv: "//", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.LShift: "<<", ast.RShift: ">>",
}


def op_symbol(node: ast.BinOp | ast.AugAssign) -> str:
    return SYMBOLS.get(type(node.op), type(node.op).__name__)
