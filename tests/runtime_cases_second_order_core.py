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
        calls.append(Call((g, a.shape, indices, axis), expected, label=f"{np.shape(indices)} {axis}",
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
        calls.append(Call((g, a.shape, indices, axis), expected, label=f"{indices.shape} {axis}",
                          **NUMERICAL))
    return calls


# ---- multivariate_normal's and dirichlet's rules, written in operations that have rules -------


def _dtype_named(result, *_):
    """A form `(dim, zero)` as its dimension, its zero's dtype by name and the zero."""
    return result[0], str(result[1].dtype), result[1]


@cases("_mvn_form")
def mvn_form(rng, ns):
    x, mean, cov = normal(rng, 4, 3), normal(rng, 3), np.eye(3)
    low = [value.astype(np.float32) for value in (x, mean, cov)]
    return [
        Call((x, mean, cov), (3, "float64", np.zeros(())), view=_dtype_named, label="matrix"),
        Call((*low[:2], 2.0), (3, "float32", np.zeros((), np.float32)), view=_dtype_named, label="float32"),
        Call((x, None, cov), (3, "float64", np.zeros(())), view=_dtype_named, label="mean None"),
        Call((normal(rng, 5), None, 1), (1, "float64", np.zeros(())), view=_dtype_named,
             label="mean None, a number cov"),
        Call((normal(rng, 5), np.array(0.3), np.array(1.3)), (1, "float64", np.zeros(())),
             view=_dtype_named, label="dimension 1"),
    ]


@cases("_mvn_points_shape")
def mvn_points_shape(rng, ns):
    return [Call((normal(rng, *shape), (dim, np.zeros(()))), expected, label=f"{shape} {dim}")
            for shape, dim, expected in (((4, 3), 3, (4, 3)), ((5,), 1, (5, 1)), ((3,), 3, (3,)),
                                         ((), 1, (1,)), ((2, 2, 2), 2, (2, 2, 2)))]


@cases("_mvn_mean_row")
def mvn_mean_row(rng, ns):
    mean = normal(rng, 3)
    return [
        Call((mean, (3, np.zeros(()))), mean, label="a vector"),
        Call((mean.astype(np.float32), (3, np.zeros(()))), mean.astype(np.float32)
             .astype(np.float64), label="cast to the points' dtype"),
        Call((None, (3, np.zeros(()))), np.zeros(3), label="None"),
        Call((np.array(0.3), (1, np.zeros(()))), np.array([0.3]), label="dimension 1"),
    ]


def mvn_full_covariance(cov, dim):
    """The covariance matrix multivariate_normal makes of `cov` (NumPy)."""
    cov = np.asarray(cov, dtype=float)
    if dim == 1:
        return cov.reshape(1, 1)
    return cov * np.eye(dim) if cov.ndim == 0 else np.diag(cov) if cov.ndim == 1 else cov.copy()


MVN_COVARIANCES = [(lambda rng: normal(rng, 3, 3), 3, "matrix"),
                   (lambda rng: normal(rng, 3), 3, "vector"),
                   (lambda rng: np.array(1.7), 3, "number"),
                   (lambda rng: np.array(1.3), 1, "dimension 1"),
                   (lambda rng: normal(rng, 1), 1, "a vector of dimension 1")]


@cases("_mvn_covariance")
def mvn_covariance(rng, ns):
    calls = []
    for make, dim, label in MVN_COVARIANCES:
        cov = make(rng)
        calls.append(Call((cov, (dim, np.zeros(()))), mvn_full_covariance(cov, dim),
                          label=label))
    calls.append(Call((2.0, (2, np.zeros(()))), 2.0 * np.eye(2), label="a float"))
    return calls


@cases("_mvn_covariance_adjoint")
def mvn_covariance_adjoint(rng, ns):
    calls = []
    for make, dim, label in MVN_COVARIANCES:
        cov, g = make(rng), normal(rng, dim, dim)
        expected = vjp(lambda c, dim=dim: mvn_full_covariance(c, dim), [cov], 0, g)
        calls.append(Call((g, cov, (dim, np.zeros(()))), expected, label=label,
                          **NUMERICAL))
    return calls


@cases("_mvn_weights_shape")
def mvn_weights_shape(rng, ns):
    return [Call((normal(rng, *shape),), expected, label=str(shape))
            for shape, expected in (((4, 3), (4, 1)), ((3,), (1,)), ((2, 2, 2), (2, 2, 1)))]


@cases("_mvn_rows_shape")
def mvn_rows_shape(rng, ns):
    return [Call(((dim, np.zeros(())),), (-1, dim), label=str(dim)) for dim in (1, 3)]


def dirichlet_full_reference(x, k):
    """`x` completed to `k` components as scipy.stats.dirichlet completes it (NumPy)."""
    if x.shape[0] == k:
        return x.copy()
    return np.concatenate([x, 1.0 - x.sum(axis=0, keepdims=True)], axis=0)


DIRICHLET_SHAPES = [((2, 4), 3, "completed"), ((3, 4), 3, "whole"), ((2,), 3, "one point"),
                    ((3,), 3, "one whole point")]


@cases("_dirichlet_completed")
def dirichlet_completed_tangent(rng, ns):
    calls = []
    for shape, k, label in DIRICHLET_SHAPES:
        x, t, alpha = rng.uniform(0.1, 0.3, shape), normal(rng, *shape), rng.uniform(0.5, 2.0, k)
        calls.append(Call((t, alpha), vjp_free_tangent(x, t, k), label=label, **NUMERICAL))
    return calls


def vjp_free_tangent(x, t, k, h=1e-6):
    """The derivative of `dirichlet_full_reference` at `x` along `t`, by central differences."""
    return (dirichlet_full_reference(x + h * t, k) - dirichlet_full_reference(x - h * t, k)) / (2 * h)


@cases("_dirichlet_uncompleted")
def dirichlet_uncompleted(rng, ns):
    calls = []
    for shape, k, label in DIRICHLET_SHAPES:
        x, alpha = rng.uniform(0.1, 0.3, shape), rng.uniform(0.5, 2.0, k)
        g = normal(rng, k, *shape[1:])
        expected = vjp(lambda v, k=k: dirichlet_full_reference(v, k), [x], 0, g)
        calls.append(Call((g, x, alpha), expected, label=label, **NUMERICAL))
    return calls


@cases("_dirichlet_scaled")
def dirichlet_scaled(rng, ns):
    calls = []
    for shape, k, label in DIRICHLET_SHAPES:
        x, alpha = rng.uniform(0.1, 0.3, shape), rng.uniform(0.5, 2.0, k)
        w, slope = normal(rng, *shape[1:]), normal(rng, k, *shape[1:])
        along = slope if shape[0] == k else slope[:-1] - slope[-1:]
        calls.append(Call((w, slope, x, alpha), w * along, label=label))
    return calls


@cases("_dirichlet_column_shape")
def dirichlet_column_shape(rng, ns):
    alpha = rng.uniform(0.5, 2.0, 3)
    return [Call((alpha, normal(rng, 3, 4)), (3, 1), label="points"),
            Call((alpha, normal(rng, 3, 2, 2)), (3, 1, 1), label="a grid of points"),
            Call((alpha, normal(rng, 3)), (3,), label="one point")]


@cases("_dirichlet_points_shape")
def dirichlet_points_shape(rng, ns):
    return [Call((normal(rng, 3, 4),), (4,), label="points"),
            Call((normal(rng, 3),), (), label="one point")]


@cases("_dirichlet_rows_shape")
def dirichlet_rows_shape(rng, ns):
    return [Call((normal(rng, 3, 4),), (3, -1), label="points"),
            Call((normal(rng, 4),), (4, -1), label="one point")]
