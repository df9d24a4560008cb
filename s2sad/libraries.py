"""What an array library other than NumPy refuses in a running gradient, as located errors.

A generated gradient calls the arguments' own array library (`_namespace`): dask.array for
dask arrays. dask.array implements part of NumPy's API, on chunked arrays that have no
views and no in-place scatter (`np.add.at`), so a gradient can call a function it lacks or
pass arguments it refuses. Such an error is raised inside dask, or about one of its objects;
`library_refusal` turns it into an `ArrayLibraryError` that points at the user's operation
(codegen/origins.py reads which) and names what dask refused. Any other error is left as
it is.
"""

from __future__ import annotations

import types
from collections.abc import Callable

from .catalog import shown
from .codegen.origins import raised_at
from .errors import ArrayLibraryError, S2SADError
from .ir import Program
from .registry import Kind, op_key

LIBRARIES = {"dask": "dask"}
"""The array libraries whose refusals are reported, by top-level package: the name the
message gives their arrays."""

_SPECIALS = {"getitem": "this indexing", "setitem": "this indexed assignment"}

HINT = ("dask.array implements part of NumPy's API, on chunked arrays without views or "
        "in-place scatter; compute this value into memory first where it fits (`.compute()`), "
        "rechunk where dask asks for other chunks, or write this step with functions "
        "dask.array has")


def library_of(error: BaseException) -> str | None:
    """The array library (a package of LIBRARIES) that raised `error`, or whose object it is
    about (an attribute that a dask module or array lacks)."""
    if isinstance(error, AttributeError):
        owner = getattr(error, "obj", None)
        package = _package(owner.__name__ if isinstance(owner, types.ModuleType)
                           else type(owner).__module__)
        if package in LIBRARIES:
            return package
    trace, last = error.__traceback__, None
    while trace is not None:
        package = _package(trace.tb_frame.f_globals.get("__name__"))
        if package in LIBRARIES:
            return package
        trace, last = trace.tb_next, trace
    if isinstance(error, (TypeError, AttributeError)) and last is not None:
        # A call the library's function refuses before it runs (a keyword NumPy's has and
        # its lacks), or a result it gives in another form (a tuple for NumPy's named
        # tuple), where the library's arrays or namespace are at hand.
        for value in last.tb_frame.f_locals.values():
            package = _package(value.__name__ if isinstance(value, types.ModuleType)
                               else type(value).__module__)
            if package in LIBRARIES:
                return package
    return None


def _package(module: object) -> str:
    """The top-level package of a module's name."""
    return str(module or "").partition(".")[0]


def library_refusal(error: BaseException, function: Callable,
                    program_of: Callable[[], Program]) -> ArrayLibraryError | None:
    """The located refusal for an error the array library raised in the generated
    `function` (whose program `program_of` gives, only then), or None where the error is
    not the library's."""
    library = None if isinstance(error, S2SADError) else library_of(error)
    if library is None:
        return None
    reason = _reason(error)
    program = program_of()
    raised = raised_at(error, function, program)
    if raised is None:
        return ArrayLibraryError(f"the gradient of {program.name} cannot run on "
                                 f"{LIBRARIES[library]} arrays: {reason}", None, HINT)
    operation = _operation(raised.assignment.op)
    what = f"the gradient of {operation}" if raised.backward else operation
    return ArrayLibraryError(f"{what} cannot run on {LIBRARIES[library]} arrays: {reason}",
                             raised.assignment.origin, HINT)


def _operation(op: str) -> str:
    """The operation as the user wrote it (`np.linalg.det`, `.reshape()`, indexing)."""
    key = op_key(op)
    if key is None or key.kind is Kind.HELPER:
        return "this line"
    if key.kind is Kind.SPECIAL:
        return _SPECIALS.get(key.name, "this line")
    return f"`{shown(key)}`"


def _reason(error: BaseException) -> str:
    """What the library refused, in its own words."""
    if isinstance(error, AttributeError) and getattr(error, "name", None):
        owner = getattr(error, "obj", None)
        if isinstance(owner, types.ModuleType):
            return f"{owner.__name__} has no function `{error.name}`"
        package = type(owner).__module__.partition(".")[0]
        if package in LIBRARIES:
            if error.name == "at":  # np.add.at, which dask's ufuncs have no form of
                return (f"{package} has no scatter-add (`np.{owner.__name__}.at`), which "
                        "this gradient writes with")
            if hasattr(owner, "__name__"):
                return f"{package}'s `{owner.__name__}` has no `.{error.name}`"
            return f"{LIBRARIES[package]} arrays have no `.{error.name}`"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")
