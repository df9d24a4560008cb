"""Adjoint rules, one module per family of operators, and their registry."""

from . import (
    arithmetic,
    elementwise,
    elementwise_helpers,
    generated,
    helpers,
    indexing,
    linalg,
    linalg_helpers,
    nn,
    nn_helpers,
    nondifferentiable,
    reductions,
    reductions_helpers,
    sequences,
    sequences_helpers,
    shape,
    shape_helpers,
    signal,
    signal_helpers,
)
from .registry import (
    METHODS,
    NONDIFFERENTIABLE,
    REGISTRY,
    Template,
    adjoint,
    is_nondifferentiable,
    lookup,
)

HELPER_MODULES = (
    helpers,
    elementwise_helpers,
    linalg_helpers,
    nn_helpers,
    reductions_helpers,
    sequences_helpers,
    shape_helpers,
    signal_helpers,
)
"""The modules whose `_`-named functions generated code may call, each copied into the
modules that call it. A family of templates with helpers of its own adds its module here."""


def _helpers_of(module) -> dict[str, object]:
    return {
        name: value for name, value in vars(module).items()
        if name.startswith("_") and callable(value) and getattr(value, "__module__", "") == module.__name__
    }


HELPERS = {name: value for module in HELPER_MODULES for name, value in _helpers_of(module).items()}
"""Every helper generated code may call, by name."""

HELPER_NAMES = frozenset(HELPERS)


__all__ = [
    "HELPERS",
    "HELPER_MODULES",
    "HELPER_NAMES",
    "METHODS",
    "NONDIFFERENTIABLE",
    "REGISTRY",
    "Template",
    "adjoint",
    "arithmetic",
    "elementwise",
    "generated",
    "indexing",
    "is_nondifferentiable",
    "linalg",
    "lookup",
    "nn",
    "nondifferentiable",
    "reductions",
    "sequences",
    "shape",
    "signal",
]
