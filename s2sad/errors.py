"""Errors raised by s2sad: each names the user's file, line and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """A place in the user's source: file, 1-based line, 0-based column, the line's text."""

    filename: str
    lineno: int
    col: int
    line: str

    def pointer(self) -> str:
        """The line, then a caret under the column."""
        text = self.line.rstrip("\n")
        stripped = text.lstrip()
        indent = len(text) - len(stripped)
        caret = " " * max(self.col - indent, 0) + "^"
        return f"    {stripped}\n    {caret}"


class S2SADError(Exception):
    """Base class of every error s2sad raises about a user's function."""

    def __init__(self, message: str, origin: Origin | None = None, hint: str | None = None):
        self.message = message
        self.origin = origin
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.origin is not None:
            where = f'File "{self.origin.filename}", line {self.origin.lineno}, column {self.origin.col + 1}'
            parts.append(f"{where}:\n{self.origin.pointer()}")
        parts.append(self.message)
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)


class UnsupportedSyntaxError(S2SADError):
    """A Python construct s2sad does not differentiate (yet)."""


class UnknownFunctionError(S2SADError):
    """A call to a function s2sad has no adjoint rule for."""


class UnsupportedArgumentError(S2SADError):
    """A keyword or argument value a rule does not support."""


class SourceUnavailableError(S2SADError):
    """The function's source code cannot be read."""


class WrtError(S2SADError):
    """The `wrt` argument names no parameter of the function."""


class ArgumentTypeError(S2SADError, TypeError):
    """An argument to differentiate with respect to holds values s2sad gives no gradient:
    integers, booleans, complex numbers, or a list it cannot follow. Raised when the gradient
    runs, pointing at the parameter."""


class NotScalarError(S2SADError):
    """`grad` of a function whose output is not a scalar."""


class ArrayLibraryError(S2SADError):
    """An operation the arguments' array library (dask.array) cannot run, where NumPy can:
    a function it lacks, arguments it refuses, an in-place write it has no form of. Raised
    when the gradient runs, pointing at the user's operation."""
