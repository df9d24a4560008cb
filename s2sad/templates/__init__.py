"""Adjoint rules, one module per family of operators, and their registry."""

from . import arithmetic, elementwise, indexing, linalg, nondifferentiable, reductions, shape
from .registry import (
    METHODS,
    NONDIFFERENTIABLE,
    REGISTRY,
    Template,
    adjoint,
    is_nondifferentiable,
    lookup,
)

__all__ = [
    "METHODS",
    "NONDIFFERENTIABLE",
    "REGISTRY",
    "Template",
    "adjoint",
    "arithmetic",
    "elementwise",
    "indexing",
    "is_nondifferentiable",
    "linalg",
    "lookup",
    "nondifferentiable",
    "reductions",
    "shape",
]
