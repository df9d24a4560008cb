"""Reading a function's source: the text, where it sits in its file, its definition."""

from __future__ import annotations

import ast
import inspect
import os
import textwrap
import types
from dataclasses import dataclass

from ..errors import Origin, SourceUnavailableError, UnsupportedSyntaxError
from ..resolve import Resolver
from ..templates import HELPER_NAMES


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
        raise SourceUnavailableError(
            f"cannot read the source of {fun.__qualname__} ({exc})",
            hint="define the function in a .py file; source typed into an interactive "
            "interpreter is not kept",
        ) from None
    text = "".join(lines)
    indent = len(lines[0]) - len(lines[0].lstrip())
    return textwrap.dedent(text), max(first, 1), indent, filename


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


def is_gradient_function(target: object) -> bool:
    """A function made by `s2sad.grad` (or value_and_grad, vjp): its class says so."""
    return getattr(type(target), "__s2sad_gradient__", False) is True


def is_generated_helper(target: object) -> bool:
    """A helper function defined in a generated module (reached through a gradient's source)."""
    return isinstance(target, types.FunctionType) and target.__name__ in HELPER_NAMES and (
        target.__module__ or "").startswith("s2sad_generated")


@dataclass
class GeneratedDependency:
    """A gradient function whose generated source a program differentiates again."""

    gradient: object
    source: str

    def unchanged(self) -> bool:
        return self.gradient.unchanged() and self.gradient.source is self.source


def load_generated(gradient, node: ast.AST, normalizer) -> Source:
    """The source of a gradient function, to differentiate it again (second order)."""
    if gradient.mode != "grad" or gradient.has_aux:
        kind = "has_aux=True" if gradient.has_aux else gradient.mode
        raise normalizer.unsupported(node, f"differentiating a `{kind}` function is not "
                                     "supported", "differentiate a function built with s2sad.grad")
    function = gradient.function
    text = gradient.source
    definition = next(n for n in ast.parse(text).body
                      if isinstance(n, ast.FunctionDef) and n.name == function.__name__)
    return Source(definition, function.__name__, function.__code__.co_filename, text.splitlines(),
                   1, 0, Resolver(function))


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


