"""Adjoint rules, one module per family of operators; importing the package registers them.

The rules are source that is parsed, never run (see `s2sad.registry`); the helpers they call
are those of `s2sad.runtime`. The registry's tables and lookups are re-exported here, so
that whoever reads them through this package finds every rule in them.
"""

from importlib.util import find_spec

from ..registry import (
    METHODS,
    NONDIFFERENTIABLE,
    REGISTRY,
    Template,
    adjoint,
    is_nondifferentiable,
    lookup,
    tangent,
)
from . import (
    arithmetic,
    elementwise,
    generated,
    indexing,
    linalg,
    nn,
    nondifferentiable,
    reductions,
    sequences,
    shape,
    signal,
)

if find_spec("scipy") is not None:  # scipy is optional: its rules only where it is installed
    from . import scipy as scipy

__all__ = [
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
    "tangent",
]
