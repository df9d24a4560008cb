"""The helpers generated modules call: plain functions over the arguments' array namespace.

A generated module defines in full (copies, with `inspect.getsource`) every helper it
calls and the helpers those call, so a saved module runs without s2sad. Helpers are
therefore written for that copy: each reads `numpy` (the generated module's
`import numpy`), `_namespace` and the other helpers by their own names, and nothing
else of s2sad; each module imports what it calls explicitly, so it also runs, and is
linted, as ordinary code here.

`core` holds the helpers every family uses (the arguments' namespace, checks of the
arguments, unbroadcasting, reductions' reshapes, matmul's and dot's adjoints); the other
modules hold those of one family of rules (`s2sad.templates.<family>`), under its name.
"""

from . import (
    core,
    elementwise,
    jacobians,
    linalg,
    loops,
    nn,
    reductions,
    scipy,
    sequences,
    shape,
    signal,
    tangents,
)

HELPER_MODULES = (
    core,
    elementwise,
    linalg,
    nn,
    reductions,
    sequences,
    shape,
    signal,
    scipy,
    tangents,
    jacobians,
    loops,
)
"""The modules whose `_`-named functions generated code may call, each copied into the
modules that call it, in this order (a generated module lists its helpers in the order of
these modules, then of their definitions). A family of rules with helpers of its own adds
its module here."""


def _helpers_of(module) -> dict[str, object]:
    return {
        name: value
        for name, value in vars(module).items()
        if name.startswith("_")
        and callable(value)
        and getattr(value, "__module__", "") == module.__name__
    }


HELPERS = {
    name: value
    for module in HELPER_MODULES
    for name, value in _helpers_of(module).items()
}
"""Every helper generated code may call, by name."""

HELPER_NAMES = frozenset(HELPERS)

__all__ = ["HELPERS", "HELPER_MODULES", "HELPER_NAMES"]
