"""Cases of the runtime helpers that tangent (forward-mode) rules call, registered into
tests/test_runtime.py's CASES, which imports this module: the same checks as every helper
(NumPy and the fake_xp namespace, no writes into arguments, against a plain NumPy definition
or central differences)."""

from functools import partial

import numpy as np
from test_runtime import (
    INTERP_CASES,
    NUMERICAL,
    POOL_CASES,
    Call,
    cases,
    cross_entropy_reference,
    interp,
    normal,
    pool_reference,
)


def directional(f, x, t, h=1e-6):
    """The derivative of `f` at `x` along `t`, by central differences."""
    return (np.asarray(f(x + h * t)) - np.asarray(f(x - h * t))) / (2 * h)


@cases("_max_pool_tangent")
def max_pool_tangent(rng, ns):
    calls = []
    for shape, size, stride, dims in POOL_CASES:
        x, t = normal(rng, *shape), normal(rng, *shape)
        f = partial(pool_reference, size=size, stride=stride, dims=dims, reduce=np.max)
        calls.append(Call((t, x, f(x), size, stride, dims), directional(f, x, t),
                          label=f"{shape} {size} {stride} {dims}", **NUMERICAL))
    # Ties: each window's tangent is its first maximum's, in row-major order (as the adjoint).
    x = np.array([[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    t = normal(rng, *x.shape)
    for stride in (1, 2):
        y = pool_reference(x, 2, stride, 2, np.max)
        expected = np.empty(y.shape)
        for o in np.ndindex(*y.shape):
            rows, cols = slice(o[0] * stride, o[0] * stride + 2), slice(o[1] * stride, o[1] * stride + 2)
            first = np.unravel_index(np.argmax(x[rows, cols]), (2, 2))
            expected[o] = t[rows, cols][first]
        calls.append(Call((t, x, y, 2, stride, 2), expected, label=f"ties, stride {stride}"))
    t32 = normal(rng, 4, 4).astype(np.float32)
    x = normal(rng, 4, 4)
    calls.append(Call((t32, x, pool_reference(x, 2, None, 2, np.max), 2, None, 2),
                      directional(partial(pool_reference, size=2, stride=None, dims=2, reduce=np.max),
                                  x, t32.astype(float)).astype(np.float32),
                      label="float32 tangent", rtol=1e-5, atol=1e-6))
    return calls


@cases("_cross_entropy_tangent")
def cross_entropy_tangent(rng, ns):
    calls = []
    for shape in ((4, 3), (2, 3, 5)):
        logits, t = normal(rng, *shape), normal(rng, *shape)
        labels = rng.integers(0, shape[-1], shape[:-1])
        expected = np.asarray(directional(partial(cross_entropy_reference, labels=labels), logits, t))
        calls.append(Call((t, logits, labels), expected, label=str(shape), **NUMERICAL))
    return calls


@cases("_interp_slope")
def interp_slope(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots, fp = np.array(x), np.array(knots), normal(rng, len(knots))
        f = partial(interp, knots=knots, fp=fp, left=left, right=right, period=period)
        calls.append(Call((x, knots, fp, period), directional(f, x, np.ones_like(x)),
                          label=f"{left} {right} {period}", **NUMERICAL))
    calls.append(Call((np.array([0.5, 2.0]), np.array([1.0]), np.array([3.0]), None), np.zeros(2),
                      label="one knot"))
    return calls


def interp_stencil_reference(x, knots, left, right, period):
    """Per sample: the positions in fp of the knots around it, and their values' weights."""
    x, knots = np.asarray(x, dtype=float), np.asarray(knots, dtype=float)
    source = np.arange(len(knots))
    if period is not None:
        x, knots = x % period, knots % period
        order = np.argsort(knots)
        knots, source = knots[order], source[order]
        knots = np.concatenate([knots[-1:] - period, knots, knots[:1] + period])
        source = np.concatenate([source[-1:], source, source[:1]])
    lower, upper = np.empty(x.shape, dtype=np.intp), np.empty(x.shape, dtype=np.intp)
    lower_weight, upper_weight = np.empty(x.shape), np.empty(x.shape)
    for i in np.ndindex(*x.shape):
        s = x[i]
        j = min(max(int(np.searchsorted(knots, s, side="right")) - 1, 0), len(knots) - 2)
        t = min(max((s - knots[j]) / (knots[j + 1] - knots[j]), 0.0), 1.0)
        keep = period is not None or ((left is None or s >= knots[0])
                                      and (right is None or s <= knots[-1]))
        lower[i], upper[i] = source[j], source[j + 1]
        lower_weight[i], upper_weight[i] = (1.0 - t) * keep, t * keep
    return {"lower": lower, "upper": upper, "lower_weight": lower_weight,
            "upper_weight": upper_weight}


@cases("_interp_stencil")
def interp_stencil(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots, fp = np.array(x), np.array(knots), normal(rng, len(knots))
        calls.append(Call((x, knots, fp, left, right, period),
                          interp_stencil_reference(x, knots, left, right, period),
                          label=f"{left} {right} {period}"))
    return calls


@cases("_interp_outside")
def interp_outside(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots = np.array(x), np.array(knots)
        for below in (True, False):
            expected = np.zeros(x.shape, dtype=bool) if period is not None else (
                x < knots[0] if below else x > knots[-1])
            calls.append(Call((x, knots, period, below), expected, label=f"{period} below={below}"))
    return calls


# ---- linalg and reductions (tangent helpers of templates/linalg.py, templates/reductions.py) --


def numerical_jvp(f, x, t, step=1e-6):
    """The directional derivative of `f` at `x` along `t`, by central differences."""
    plus, minus = f(x + step * t), f(x - step * t)
    if isinstance(plus, tuple):
        return tuple(np.asarray((p - m) / (2 * step)) for p, m in zip(plus, minus))
    return np.asarray((np.asarray(plus) - np.asarray(minus)) / (2 * step))


NUMERICAL_JVP = {"rtol": 1e-6, "atol": 1e-8}


def spd_matrix(rng, *shape):
    m = normal(rng, *shape)
    return m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])


@cases("_solve_columns")
def solve_columns(rng, ns):
    return [Call((normal(rng, 3),), (Ellipsis, None), label="a vector"),
            Call((normal(rng, 3, 2),), Ellipsis, label="a matrix"),
            Call((normal(rng, 2, 3, 1),), Ellipsis, label="a stack of columns")]


@cases("_cholesky_tangent")
def cholesky_tangent(rng, ns):
    calls = []
    for shape in ((3, 3), (2, 3, 3)):
        a, t = spd_matrix(rng, *shape), normal(rng, *shape)
        expected = numerical_jvp(
            lambda a: np.linalg.cholesky((a + np.swapaxes(a, -1, -2)) / 2), a, t)
        calls.append(Call((t, np.linalg.cholesky(a)), expected, label=str(shape), **NUMERICAL_JVP))
    return calls


@cases("_pinv_tangent")
def pinv_tangent(rng, ns):
    calls = []
    for shape in ((3, 2), (2, 3), (3, 3), (2, 3, 2)):
        a, t = normal(rng, *shape), normal(rng, *shape)
        calls.append(Call((t, np.linalg.pinv(a), a), numerical_jvp(np.linalg.pinv, a, t),
                          label=str(shape), rtol=1e-5, atol=1e-7))
    return calls


@cases("_inverse_gaps")
def inverse_gaps(rng, ns):
    calls = []
    for shape in ((3,), (2, 4)):
        values = normal(rng, *shape)
        gaps = values[..., None, :] - values[..., :, None]
        n = shape[-1]
        expected = np.where(np.eye(n, dtype=bool), 0.0, 1.0 / np.where(np.eye(n) == 1, 1.0, gaps))
        calls.append(Call((values,), expected, label=str(shape)))
    return calls


def _sign_aligned(vectors, reference):
    """`vectors` with each column's sign matched to `reference`'s (singular vectors' signs
    are arbitrary; central differences must not see a flip)."""
    signs = np.sign(np.sum(vectors * reference, axis=-2, keepdims=True))
    return vectors * signs


@cases("_svd_left_tangent")
def svd_left_tangent(rng, ns):
    calls = []
    for shape in ((4, 3), (3, 4), (3, 3), (2, 4, 3)):
        a, t = normal(rng, *shape), normal(rng, *shape)
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        v = np.swapaxes(vh, -1, -2)
        rotated = np.swapaxes(u, -1, -2) @ t @ v
        left = numerical_jvp(
            lambda a, u=u: _sign_aligned(np.linalg.svd(a, full_matrices=False)[0], u), a, t)
        right = numerical_jvp(lambda a, v=v: _sign_aligned(
            np.swapaxes(np.linalg.svd(a, full_matrices=False)[2], -1, -2), v), a, t)
        calls.append(Call((t, rotated, u, s, v), left, label=f"{shape} u", rtol=1e-5, atol=1e-7))
        calls.append(Call((np.swapaxes(t, -1, -2), np.swapaxes(rotated, -1, -2), v, s, u), right,
                          label=f"{shape} v", rtol=1e-5, atol=1e-7))
    return calls


@cases("_singular_values_tangent")
def singular_values_tangent(rng, ns):
    calls = []
    for shape in ((4, 3), (3, 4), (2, 3, 3)):
        a, t = normal(rng, *shape), normal(rng, *shape)
        expected = numerical_jvp(lambda a: np.linalg.svd(a, compute_uv=False), a, t)
        calls.append(Call((t, a), expected, label=str(shape), **NUMERICAL_JVP))
    return calls


@cases("_cumprod_tangent")
def cumprod_tangent(rng, ns):
    calls = []
    zeros = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 2.0, 0.0, 3.0], [1.0, 2.0, 3.0, 0.5]])
    for x, axis, label in ((normal(rng, 3, 4), 0, "axis 0"), (normal(rng, 3, 4), -1, "axis -1"),
                           (zeros, 1, "zeros along rows"), (zeros, 0, "zeros along columns"),
                           (np.array([2.0, 0.0, 3.0, 0.0, 1.5]), 0, "two zeros")):
        t = normal(rng, *x.shape)
        expected = numerical_jvp(lambda x, axis=axis: np.cumprod(x, axis=axis), x, t)
        calls.append(Call((t, x, np.cumprod(x, axis=axis), axis), expected, label=label,
                          **NUMERICAL_JVP))
    return calls


@cases("_diff_padded")
def diff_padded(rng, ns):
    t = normal(rng, 2, 3)
    return [
        Call((t, -1, 1.5, None), np.concatenate([np.zeros((2, 1)), t], axis=-1),
             label="a number prepended"),
        Call((t, 0, None, [[1.0, 2.0, 3.0]]), np.concatenate([t, np.zeros((1, 3))], axis=0),
             label="a row appended"),
        Call((t, 1, [[1.0], [2.0]], 2.0),
             np.concatenate([np.zeros((2, 1)), t, np.zeros((2, 1))], axis=1), label="both"),
    ]


@cases("_vector_norm_tangent")
def vector_norm_tangent(rng, ns):
    calls = []
    for ord, axis, keepdims in ((1, 0, False), (3, -1, False), (0.5, 1, True), (np.inf, 1, False),
                                (-np.inf, 0, True), (-1, (1,), False)):
        x, t = normal(rng, 3, 4), normal(rng, 3, 4)
        x = np.abs(x) + 0.5 if ord == 0.5 else x
        y = np.linalg.norm(x, ord, axis, keepdims)
        expected = numerical_jvp(
            lambda x, ord=ord, axis=axis, keepdims=keepdims: np.linalg.norm(x, ord, axis,
                                                                            keepdims), x, t)
        calls.append(Call((t, x, y, ord, axis, keepdims), expected, label=f"ord {ord}",
                          **NUMERICAL_JVP))
    tie = np.array([3.0, -3.0, 1.0])
    t = normal(rng, 3)
    calls.append(Call((t, tie, 3.0, np.inf, None, False), np.array((t[0] - t[1]) / 2),
                      label="a tie of the largest magnitude"))
    return calls


@cases("_matrix_norm_tangent")
def matrix_norm_tangent(rng, ns):
    calls = []
    for ord, axis, keepdims in (("nuc", (1, 2), False), (2, (0, 2), True), (-2, (2, 1), False),
                                (1, (1, 2), False), (-1, (0, 1), True), (np.inf, (1, 2), False),
                                (-np.inf, (2, 1), False)):
        x, t = normal(rng, 2, 3, 4), normal(rng, 2, 3, 4)
        expected = numerical_jvp(
            lambda x, ord=ord, axis=axis, keepdims=keepdims: np.linalg.norm(x, ord, axis,
                                                                            keepdims), x, t)
        calls.append(Call((t, x, ord, axis, keepdims), expected, label=f"ord {ord}",
                          rtol=1e-5, atol=1e-7))
    tie = np.array([[1.0, -2.0], [2.0, 1.0]])  # both columns' absolute sums are 3
    t = normal(rng, 2, 2)
    shares = np.sign(tie) * t
    calls.append(Call((t, tie, 1, (0, 1), False), np.array(shares.sum() / 2),
                      label="a tie of two columns"))
    return calls


@cases("_norm_tangent")
def norm_tangent(rng, ns):
    x1, t1 = normal(rng, 5), normal(rng, 5)
    x2, t2 = normal(rng, 3, 4), normal(rng, 3, 4)
    return [
        Call((t1, x1, np.asarray(np.linalg.norm(x1, 3)), 3, False),
             numerical_jvp(lambda x: np.linalg.norm(x, 3), x1, t1), label="a vector",
             **NUMERICAL_JVP),
        Call((t2, x2, np.linalg.norm(x2, "nuc", keepdims=True), "nuc", True),
             numerical_jvp(lambda x: np.linalg.norm(x, "nuc", keepdims=True), x2, t2),
             label="a matrix", rtol=1e-5, atol=1e-7),
    ]


@cases("_average_order")
def average_order(rng, ns):
    a = normal(rng, 2, 3, 4)
    return [Call((normal(rng, 2, 3, 4), a, None), (0, 1, 2), label="weights of a's shape"),
            Call((normal(rng, 3), a, 1), (0,), label="one axis"),
            Call((normal(rng, 4, 2), a, (2, 0)), (1, 0), label="axes out of order")]


@cases("_average_shape")
def average_shape(rng, ns):
    a = normal(rng, 2, 3, 4)
    return [Call((normal(rng, 2, 3, 4), a, None), (2, 3, 4), label="weights of a's shape"),
            Call((normal(rng, 3), a, 1), (1, 3, 1), label="one axis"),
            Call((normal(rng, 4, 2), a, (2, 0)), (2, 1, 4), label="axes out of order")]


# ---- scipy's tangent helpers (s2sad/runtime/scipy.py) -----------------------------------


@cases("_with_weights")
def logsumexp_weights_applied(rng, ns):
    w, b = normal(rng, 2, 3), normal(rng, 3)
    return [Call((w, None), w, label="no weights"),
            Call((w, b), w * b, label="weights broadcast")]


@cases("_mvn_covariance_basis")
def mvn_covariance_bases(rng, ns):
    from test_runtime import covariance

    precision = covariance(rng, 3)
    return [Call((covariance(rng, 3), precision), 1.0, label="a matrix"),
            Call((rng.uniform(0.5, 2.0, 3), precision), np.eye(3), label="a diagonal"),
            Call((1.7, precision), np.eye(3), label="a number"),
            Call((np.array(1.3), np.array([[0.7]])), np.eye(1), label="dimension 1")]


@cases("_dirichlet_slope")
def dirichlet_points_slope(rng, ns):
    from test_runtime import NUMERICAL, dirichlet_samples, scipy_stats, vjp

    logpdf = scipy_stats().dirichlet.logpdf
    whole, short, alpha = dirichlet_samples(rng)
    ones = np.ones(short.shape[1])
    return [
        Call((whole, alpha), (alpha[:, None] - 1.0) / whole, label="the formula's"),
        Call((short, alpha), vjp(lambda x: logpdf(x, alpha), [short], 0, ones),
             label="completed", **NUMERICAL),
        Call((short[:, 0].copy(), alpha), vjp(lambda x: logpdf(x, alpha), [short[:, 0]], 0, 1.0),
             label="one point", **NUMERICAL),
    ]


@cases("_dirichlet_weights")
def dirichlet_alpha_weights(rng, ns):
    from test_runtime import dirichlet_samples, scipy_special

    whole, short, alpha = dirichlet_samples(rng)
    if ns.fake:
        return [Call((whole, alpha), raises=(TypeError, "NumPy arrays only"), label="refused")]
    sp = scipy_special()
    full = np.concatenate([short, 1.0 - short.sum(axis=0, keepdims=True)])
    shift = sp.digamma(alpha.sum()) - sp.digamma(alpha)
    return [Call((whole, alpha), np.log(whole).T + shift, label="whole"),
            Call((short, alpha), np.log(full).T + shift, label="completed"),
            Call((whole[:, 0].copy(), alpha), np.log(whole[:, 0]) + shift, label="one point")]
