"""Operations whose results carry no gradient: shapes, comparisons, indices."""

import numpy as np

from .registry import nondifferentiable

nondifferentiable(
    "compare",
    "condition",
    "range",
    "leaf",
    "boolop",
    "builtins.not",
    "builtins.invert",
    "builtins.len",
    "builtins.int",
    "attribute.shape",
    "attribute.ndim",
    "attribute.size",
    "attribute.dtype",
    np.floor_divide,
    np.shape,
    np.ndim,
    np.size,
    np.argmax,
    np.argmin,
    np.argsort,
    np.sign,
    np.floor,
    np.ceil,
    np.round,
    np.zeros_like,
    np.ones_like,
    np.isnan,
    np.isfinite,
    np.greater,
    np.less,
    np.equal,
    methods=("argmax", "argmin", "argsort", "nonzero", "any", "all"),
)
