"""Cases of the runtime helpers that the adjoint rules of helpers call (gradients of
gradients), registered into tests/test_runtime.py's CASES, which imports this module: the same
checks as every helper (NumPy and the fake_xp namespace, no writes into arguments, against a
plain NumPy definition or central differences)."""

import numpy as np
from test_runtime import JOINS, Call, cases, normal


@cases("_joined_part_spread")
def joined_part_spread(rng, ns):
    """The transpose of `_joined_part` in its adjoint: the join of zeros with the part in
    arrays[i]'s place."""
    calls = []
    for join, shapes, axis, ndmin in JOINS:
        arrays = [normal(rng, *shape) for shape in shapes]
        g = normal(rng, *join(arrays).shape)
        for i in range(len(arrays)):
            part = normal(rng, *shapes[i])
            zeros = [np.zeros(shape) for shape in shapes]
            expected = join(zeros[:i] + [part] + zeros[i + 1:])
            calls.append(Call((part, g, arrays, i, axis, ndmin), expected,
                              label=f"{shapes} {axis} {ndmin} {i}"))
    return calls


@cases("_joined_region")
def joined_region(rng, ns):
    """The region of a join's result that arrays[i] fills, and arrays[i]'s shape: read from
    the join of the arrays, it gives arrays[i] back."""
    calls = []
    for join, shapes, axis, ndmin in JOINS:
        arrays = [normal(rng, *shape) for shape in shapes]
        joined = join(arrays)
        for i in range(len(arrays)):
            calls.append(Call((joined, arrays, i, axis, ndmin), arrays[i],
                              view=lambda result, g, *_: g[result[0]].reshape(result[1]),
                              label=f"{shapes} {axis} {ndmin} {i}"))
    return calls
