"""Finite-difference oracle for gradient tests.

`numerical_vjp` computes a vector-Jacobian product by central differences, in
float64, without touching the caller's arguments; `assert_close` compares a
gradient with it and says where and by how much they differ.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def _contract(output: Any, cotangent: Any) -> float:
    """`sum(output * cotangent)`, summed over the items of tuple outputs."""
    if isinstance(output, tuple):
        if not isinstance(cotangent, (tuple, list)) or len(cotangent) != len(output):
            raise ValueError(
                f"a function returning {len(output)} values needs a tuple of "
                f"{len(output)} cotangents, got {type(cotangent).__name__}"
            )
        return float(sum(_contract(o, c) for o, c in zip(output, cotangent)))
    out = np.asarray(output, dtype=np.float64)
    cot = np.asarray(cotangent, dtype=np.float64)
    if out.shape != cot.shape:
        raise ValueError(f"cotangent of shape {cot.shape} for an output of shape {out.shape}")
    return float(np.sum(out * cot))


def _as_float(value: Any) -> Any:
    """`value` as float64: a Python float stays a float, anything else becomes an array copy."""
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return float(value)
    return np.array(value, dtype=np.float64, copy=True)


def numerical_vjp(
    f: Callable[..., Any],
    args: Sequence[Any],
    wrt_indices: Sequence[int],
    cotangent: Any,
    eps: float = 1e-6,
) -> list[Any]:
    """Central differences of `sum(f(*args) * cotangent)` with respect to `args[i]`, i in `wrt_indices`.

    Returns one gradient per index, of the argument's shape: a float for a
    Python number, a float64 array otherwise. Tuple outputs take a tuple of
    cotangents. Every evaluation gets fresh copies of the arguments, so
    neither `args` nor the arrays they hold are ever modified.
    """
    base = [copy.deepcopy(a) for a in args]
    for i in wrt_indices:
        base[i] = _as_float(base[i])

    def objective(position: int, value: Any) -> float:
        call_args = [copy.deepcopy(a) for a in base]
        call_args[position] = value
        return _contract(f(*call_args), cotangent)

    gradients: list[Any] = []
    for i in wrt_indices:
        point = base[i]
        if isinstance(point, float):
            gradients.append(
                (objective(i, point + eps) - objective(i, point - eps)) / (2.0 * eps)
            )
            continue
        gradient = np.zeros_like(point)
        for index in np.ndindex(point.shape):
            shifted = point.copy()
            shifted[index] = point[index] + eps
            plus = objective(i, shifted)
            shifted[index] = point[index] - eps
            minus = objective(i, shifted)
            gradient[index] = (plus - minus) / (2.0 * eps)
        gradients.append(gradient)
    return gradients


def assert_close(
    actual: Any,
    expected: Any,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    name: str = "gradient",
) -> None:
    """Assert `actual` matches `expected` in shape and value (`|a - e| <= atol + rtol * |e|`)."""
    actual_array = np.asarray(actual)
    expected_array = np.asarray(expected, dtype=np.float64)
    if actual_array.shape != expected_array.shape:
        raise AssertionError(
            f"{name}: shape {actual_array.shape} ({type(actual).__name__}), "
            f"expected {expected_array.shape}"
        )
    if not np.issubdtype(actual_array.dtype, np.number) or actual_array.dtype == np.bool_:
        raise AssertionError(f"{name}: dtype {actual_array.dtype} is not numeric")
    actual_array = actual_array.astype(np.float64)
    if np.allclose(actual_array, expected_array, rtol=rtol, atol=atol, equal_nan=False):
        return
    error = np.abs(actual_array - expected_array)
    error = np.where(np.isnan(error), np.inf, error)
    bad = error > atol + rtol * np.abs(expected_array)
    worst = np.unravel_index(np.argmax(error), error.shape) if error.ndim else ()
    with np.printoptions(precision=6, suppress=True, threshold=60):
        lines = [
            (f"{name}: {int(np.count_nonzero(bad))} of {bad.size} elements differ "
             f"(rtol={rtol}, atol={atol})"),
            (f"  worst at index {worst}: actual {actual_array[worst]!r}, "
             f"expected {expected_array[worst]!r}, |difference| {error[worst]:.3g}"),
            f"  actual:\n{actual_array}",
            f"  expected:\n{expected_array}",
        ]
        if expected_array.ndim and np.any(expected_array):
            ratio = np.divide(actual_array, expected_array, out=np.full_like(actual_array, np.nan),
                              where=expected_array != 0)
            lines.append(f"  actual / expected:\n{ratio}")
    raise AssertionError("\n".join(lines))
