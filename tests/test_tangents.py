"""Forward mode over the whole registry: every rule's tangent against central differences.

Each template case (`tests/template_cases.py`) is run through `s2sad.jvp` with a random
tangent of its differentiated arguments, and the output's tangent is compared with the
directional derivative by central differences, in float64 and in float32. A rule without
a tangent must be a located refusal, and is listed as such in docs/operators.md.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from gradcheck import assert_close
from template_cases import Case
from test_templates import (
    PAIRS,
    describe,
    double,
    random_like,
    rng_for,
    single,
    single_args,
    single_params,
    wrt_argument,
)

import s2sad
from s2sad.templates import REGISTRY


def _as_float(value: Any) -> Any:
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return float(value)
    return np.array(value, dtype=np.float64, copy=True)


def _axpy(point: Any, direction: Any, scale: float) -> Any:
    if isinstance(point, (list, tuple)):
        return type(point)(_axpy(p, d, scale) for p, d in zip(point, direction))
    return point + scale * direction


def _difference(plus: Any, minus: Any, eps: float) -> Any:
    if isinstance(plus, tuple):
        return tuple(_difference(p, m, eps) for p, m in zip(plus, minus))
    return (np.asarray(plus, dtype=np.float64) - np.asarray(minus, dtype=np.float64)) / (2 * eps)


def numerical_jvp(f, args: list[Any], wrt_indices: tuple[int, ...], tangents: list[Any],
                  eps: float = 1e-6) -> Any:
    """Central differences of `f` along `tangents` (one per argument in `wrt_indices`), in
    float64, each evaluation on fresh copies of the arguments."""
    base = [copy.deepcopy(a) for a in args]
    for i in wrt_indices:
        base[i] = _as_float(base[i])

    def shifted(scale: float) -> Any:
        call = [copy.deepcopy(a) for a in base]
        for i, t in zip(wrt_indices, tangents):
            call[i] = _axpy(call[i], _as_float(t), scale)
        return f(*call)

    return _difference(shifted(eps), shifted(-eps), eps)


def random_tangents(rng: np.random.Generator, case: Case, args: list[Any]) -> list[Any]:
    return [random_like(rng, args[i]) for i in case.wrt_indices]


def tangent_argument(case: Case, tangents: list[Any]) -> Any:
    return tangents[0] if len(case.wrt) == 1 else tuple(tangents)


def compare(actual: Any, expected: Any, context: str, **tolerance: float) -> None:
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected), (
            f"{context}\nexpected a tuple of {len(expected)} tangents, got {actual!r}")
        for k, (a, e) in enumerate(zip(actual, expected)):
            compare(a, e, f"{context}[{k}]", **tolerance)
        return
    assert np.shape(actual) == np.shape(expected), (
        f"{context}\nthe tangent has shape {np.shape(actual)}, the output {np.shape(expected)}")
    assert_close(actual, expected, name=f"{context}\ntangent", **tolerance)


def tangent_dtypes(value: Any) -> set[str]:
    if isinstance(value, tuple):
        return set().union(*(tangent_dtypes(v) for v in value))
    return {np.asarray(value).dtype.name}


def _refused(key: str, case: Case, args: list[Any], tangents: list[Any]) -> None:
    with pytest.raises(s2sad.UnknownFunctionError, match="no tangent"):
        s2sad.jvp(case.fun, wrt=wrt_argument(case))(*args, tangent=tangent_argument(case, tangents))


@pytest.mark.parametrize(("key", "i", "case"), single_params(PAIRS))
def test_template_tangent_matches_finite_differences(key: str, i: int, case: Case):
    rng = rng_for(key, i, salt="tangent")
    args = case.make_args(rng)
    tangents = random_tangents(rng, case, args)
    if REGISTRY[key].tangent_form() is None:
        _refused(key, case, args, tangents)
        return
    before = copy.deepcopy((args, tangents))
    context = f"[{key}-{i}] jvp {describe(case, args)}"

    with np.errstate(divide="raise", invalid="raise"):
        value, tangent = s2sad.jvp(case.fun, wrt=wrt_argument(case))(
            *args, tangent=tangent_argument(case, tangents))

    after = (args, tangents)
    for b, a in zip(before[0] + before[1], after[0] + after[1]):
        if isinstance(b, np.ndarray):
            assert np.array_equal(a, b, equal_nan=True), f"{context}\nan argument was modified"
    compare(value, case.fun(*copy.deepcopy(args)), f"{context}\nvalue")
    compare(tangent, numerical_jvp(case.fun, args, case.wrt_indices, tangents), context)


@pytest.mark.parametrize(("key", "i", "case"), single_params(PAIRS))
def test_template_tangent_keeps_float32(key: str, i: int, case: Case):
    rng = rng_for(key, i, salt="tangent float32")
    args = single_args(case, case.make_args(rng))
    tangents = [single(t) for t in random_tangents(rng, case, args)]
    if REGISTRY[key].tangent_form() is None:
        _refused(key, case, args, tangents)
        return
    context = f"[{key}-{i}] float32 jvp {describe(case, args)}"

    with np.errstate(divide="raise", invalid="raise"):
        _, tangent = s2sad.jvp(case.fun, wrt=wrt_argument(case))(
            *args, tangent=tangent_argument(case, tangents))

    expected = numerical_jvp(case.fun, [double(a) for a in args], case.wrt_indices,
                             [double(t) for t in tangents])
    scale = max([1.0, *(float(np.max(np.abs(e), initial=0.0)) for e in
                        (expected if isinstance(expected, tuple) else (expected,)))])
    compare(tangent, expected, context, rtol=1e-3, atol=1e-4 * scale)
    output_dtypes = tangent_dtypes(case.fun(*copy.deepcopy(args)))
    assert tangent_dtypes(tangent) <= output_dtypes | {"float32"}, (
        f"{context}\ntangent dtypes {tangent_dtypes(tangent)}, outputs {output_dtypes}")
