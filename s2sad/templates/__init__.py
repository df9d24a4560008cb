"""Adjoint rules, one module per family of operators, and their registry."""

from . import (
    arithmetic,
    elementwise,
    generated,
    helpers,
    indexing,
    linalg,
    nondifferentiable,
    reductions,
    shape,
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

HELPER_NAMES = frozenset(
    name for name, value in vars(helpers).items()
    if name.startswith("_") and callable(value) and getattr(value, "__module__", "") == helpers.__name__
)
"""The functions generated code may call, copied into each module that calls them."""

__all__ = [
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
    "nondifferentiable",
    "reductions",
    "shape",
]
