"""Cases of the runtime helpers that the adjoint rules of helpers call (gradients of
gradients), registered into tests/test_runtime.py's CASES, which imports this module: the same
checks as every helper (NumPy and the fake_xp namespace, no writes into arguments, against a
plain NumPy definition or central differences)."""

import numpy as np
from test_runtime import JOINS, NUMERICAL, Call, cases, normal, vjp


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


TAKES = [(np.array([2, 0, 2]), 1), (np.array([[1, 0]]), 0), (np.array([5, -1, 11, 5]), None),
         (1, -1), (np.array([0, 2]), -2), ([1, 1], 0)]
"""(indices, axis) of `take` from a (3, 4) array, with repeated elements."""

ALONG_AXIS = [(np.array([[0, 3], [1, 1], [2, 0]]), 1), (np.array([[2, 0, 1, 1]]), 0),
              (np.array([[0, 1, 2, 0], [0, 0, 0, 0]]), -2), (np.array([7, 0, 11, 7]), None)]
"""(indices, axis) of `take_along_axis` from a (3, 4) array, with repeated elements."""


@cases("_take_adjoint")
def take_adjoint(rng, ns):
    calls = []
    a = normal(rng, 3, 4)
    for indices, axis in TAKES:
        g = normal(rng, *np.shape(np.take(a, indices, axis=axis)))
        expected = vjp(lambda x, indices=indices, axis=axis: np.take(x, indices, axis=axis),
                       [a], 0, g)
        calls.append(Call((g, a, indices, axis), expected, label=f"{np.shape(indices)} {axis}",
                          **NUMERICAL))
    return calls


@cases("_along_axis_adjoint")
def along_axis_adjoint(rng, ns):
    calls = []
    a = normal(rng, 3, 4)
    for indices, axis in ALONG_AXIS:
        g = normal(rng, *np.take_along_axis(a, indices, axis=axis).shape)
        expected = vjp(lambda x, indices=indices, axis=axis: np.take_along_axis(x, indices, axis),
                       [a], 0, g)
        calls.append(Call((g, a, indices, axis), expected, label=f"{indices.shape} {axis}",
                          **NUMERICAL))
    return calls
