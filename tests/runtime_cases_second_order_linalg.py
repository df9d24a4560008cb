"""Cases of the runtime helpers that the second-order rules of the linear-algebra and reduction
families call (a gradient of a gradient reaches them), registered into tests/test_runtime.py's
CASES, which imports this module: the same checks as every helper (NumPy and the fake_xp
namespace, no writes into arguments, new memory, against a plain NumPy definition or central
differences)."""

from functools import partial

import numpy as np
from test_runtime import NUMERICAL, Call, cases, normal, vjp

from s2sad.runtime.reductions import _average_weights


@cases("_average_unshaped")
def average_unshaped(rng, ns):
    """The transpose of `_average_weights` (the weights shaped as np.average shapes them against
    `a`), for each shape the weights may have: the vector-Jacobian product of that shaping."""
    a = normal(rng, 2, 3, 4)
    calls = []
    for shape, axis in (((2, 3, 4), None), ((2, 3, 4), 1), ((3,), 1), ((4, 2), (2, 0)),
                        ((2, 4), (0, 2))):
        weights = normal(rng, *shape)
        g = normal(rng, *_average_weights(weights, a, axis).shape)
        expected = vjp(partial(_average_weights, a=a, axis=axis), [weights], 0, g)
        calls.append(Call((g, weights, a, axis), expected, label=f"{shape} {axis}", **NUMERICAL))
    return calls


# ---- the products' recurrences ---------------------------------------------------------------

RECURRENCE_AXES = (((5,), 0), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1), ((2, 3, 4), (2, 0)),
                   ((2, 3), None), ((0, 3), 0))


def rows_of(x, axis):
    """`x` with the axes `axis` names moved first and read as one (in C order), and the inverse."""
    axes = tuple(range(x.ndim)) if axis is None else (
        (axis,) if isinstance(axis, int) else axis)
    axes = tuple(a % x.ndim for a in axes)
    moved = np.moveaxis(x, axes, tuple(range(len(axes))))
    rows = moved.reshape((-1,) + moved.shape[len(axes):])
    return rows, lambda r: np.moveaxis(r.reshape(moved.shape), tuple(range(len(axes))), axes)


def with_zeros(rng, shape):
    """Normal values with about a third of them exactly zero (recurrences must be exact there)."""
    x = normal(rng, *shape)
    return np.where(rng.uniform(size=shape) < 0.3, 0.0, x)


@cases("_forward_recurrence")
def forward_recurrence(rng, ns):
    calls = []
    for shape, axis in RECURRENCE_AXES:
        h, x = normal(rng, *shape), with_zeros(rng, shape)
        rows_h, back = rows_of(h, axis)
        rows_x, _ = rows_of(x, axis)
        u = np.zeros_like(rows_h)
        for i in range(len(u)):  # u_i = Σ_(j≤i) h_j x_(j+1) ⋯ x_i, term by term
            for j in range(i + 1):
                u[i] += rows_h[j] * np.prod(rows_x[j + 1:i + 1], axis=0)
        calls.append(Call((h, x, axis), back(u), label=f"{shape} {axis}"))
    h32, x32 = normal(rng, 3).astype(np.float32), normal(rng, 3).astype(np.float32)
    u32 = np.array([h32[0], h32[1] + x32[1] * h32[0], h32[2] + x32[2] * (h32[1] + x32[1] * h32[0])],
                   dtype=np.float32)
    calls.append(Call((h32, x32, 0), u32, rtol=1e-6, atol=1e-6, label="float32"))
    return calls


@cases("_reverse_recurrence")
def reverse_recurrence(rng, ns):
    calls = []
    for shape, axis in RECURRENCE_AXES:
        g, x = normal(rng, *shape), with_zeros(rng, shape)
        rows_g, back = rows_of(g, axis)
        rows_x, _ = rows_of(x, axis)
        s = np.zeros_like(rows_g)
        for j in range(len(s)):  # s_j = Σ_(i≥j) g_i x_(j+1) ⋯ x_i, term by term
            for i in range(j, len(s)):
                s[j] += rows_g[i] * np.prod(rows_x[j + 1:i + 1], axis=0)
        calls.append(Call((g, x, axis), back(s), label=f"{shape} {axis}"))
    return calls


@cases("_shifted")
def shifted(rng, ns):
    calls = []
    for shape, axis in RECURRENCE_AXES:
        u = normal(rng, *shape)
        rows, back = rows_of(u, axis)
        for step in (1, -1, 2):
            y = np.zeros_like(rows)
            for i in range(len(rows)):
                if 0 <= i - step < len(rows):
                    y[i] = rows[i - step]
            calls.append(Call((u, axis, step), back(y), label=f"{shape} {axis} {step}"))
    return calls


@cases("_row_end")
def row_end(rng, ns):
    calls = []
    for shape, axis in RECURRENCE_AXES[:-1]:
        x = normal(rng, *shape).astype(np.float32)
        rows, back = rows_of(x, axis)
        for last in (False, True):
            ends = np.zeros_like(rows)
            ends[-1 if last else 0] = 1.0
            calls.append(Call((x, axis, last), back(ends), label=f"{shape} {axis} {last}"))
    return calls


@cases("_row_axes")
def row_axes(rng, ns):
    x = normal(rng, 2, 3, 4)
    return [Call((x, -1), ((2,), (0,))), Call((x, (2, 0)), ((2, 0), (0, 1))),
            Call((x, None), ((0, 1, 2), (0, 1, 2)))]


# ---- the norms' -------------------------------------------------------------------------------


@cases("_norm_shares")
def norm_shares(rng, ns):
    """Each singular value's share of the spectral norm's gradient (2) or of the smallest
    singular value's (-2): ties of the extreme share equally, in the values' dtype."""
    s = np.array([[3.0, 2.0, 1.0], [2.0, 2.0, 0.5]])
    return [Call((s, 2), np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]]), label="largest"),
            Call((s, -2), np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]), label="smallest"),
            Call((np.array([1.0, 1.0], dtype=np.float32), -2),
                 np.array([0.5, 0.5], dtype=np.float32), label="float32 tie")]
