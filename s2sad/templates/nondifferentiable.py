"""Operations whose results carry no gradient: shapes, comparisons, indices, roundings.

Only operations whose result is constant in every differentiated input (or piecewise
constant, such as floor) belong here: a rule-less call on a varied value is refused,
an entry here passes its result through with a zero gradient. So `np.arange`, whose
values move with its start and step, and random sampling with varied parameters
(`rng.normal(mu, sigma)`) are not listed; `np.full` and `np.linspace` have rules.
"""

import numpy as np

from ..registry import nondifferentiable

# The parser's own operations, and builtins.
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
    "builtins.round",
    "builtins.slice",
    "attribute.shape",
    "attribute.ndim",
    "attribute.size",
    "attribute.dtype",
)

# Shapes, indices and tests.
nondifferentiable(
    np.shape,
    np.ndim,
    np.size,
    np.argmax,
    np.argmin,
    np.argsort,
    np.nonzero,
    np.isnan,
    np.isinf,
    np.isfinite,
    np.isclose,
    np.allclose,
    np.array_equal,
    np.array_equiv,
    np.signbit,
    methods=("argmax", "argmin", "argsort", "nonzero", "any", "all"),
)

# Comparisons and logical operations.
nondifferentiable(
    np.greater,
    np.greater_equal,
    np.less,
    np.less_equal,
    np.equal,
    np.not_equal,
    np.logical_and,
    np.logical_or,
    np.logical_not,
    np.logical_xor,
)

# Piecewise constant functions: their derivative is 0 wherever it exists.
nondifferentiable(
    np.floor,
    np.ceil,
    np.round,
    np.around,
    np.rint,
    np.trunc,
    np.fix,
    np.sign,
    np.floor_divide,
    methods=("round",),
)

# Arrays whose values do not depend on the arguments' values.
nondifferentiable(
    np.zeros,
    np.ones,
    np.empty,
    np.zeros_like,
    np.ones_like,
    np.eye,
    np.identity,
)

# Random numbers drawn from shapes and integer ranges alone.
nondifferentiable(
    np.random.default_rng,
    np.random.seed,
    np.random.rand,
    np.random.randn,
    np.random.random,
    np.random.random_sample,
    np.random.standard_normal,
    np.random.randint,
    methods=("integers", "random", "standard_normal"),
)
