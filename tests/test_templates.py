"""Every registered adjoint template, checked against central finite differences.

The cases live in `tests/template_cases.py`, keyed by registry key. A template
registered without cases fails `test_every_template_has_cases`, so a new rule
cannot go untested.
"""

from __future__ import annotations

import copy
import inspect
import re
import zlib
from typing import Any

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp
from template_cases import CASES, Case, Scalar, np_sum, np_tanh

import s2sad
from s2sad.templates import METHODS, REGISTRY, is_nondifferentiable

PAIRS = [(key, i, case) for key in sorted(CASES) for i, case in enumerate(CASES[key])]
IDS = [f"{key}-{i}" for key, i, _ in PAIRS]
LOSS_PAIRS = [(key, i, case) for key, i, case in PAIRS if case.loss is not None]


def rng_for(key: str, i: int, salt: str = "") -> np.random.Generator:
    """A generator seeded by the test's identity, so each test draws the same inputs alone or in a run."""
    return np.random.default_rng(zlib.crc32(f"{salt}{key}-{i}".encode()))


def random_like(rng: np.random.Generator, value: Any) -> Any:
    """A random cotangent for `value`: an array of its shape, a tuple for a tuple, a float for a number."""
    if isinstance(value, tuple):
        return tuple(random_like(rng, v) for v in value)
    if isinstance(value, np.ndarray):
        return rng.standard_normal(value.shape)
    return float(rng.standard_normal())


def snapshot(values: Any) -> Any:
    return copy.deepcopy(values)


def assert_unchanged(before: Any, after: Any, what: str) -> None:
    if isinstance(before, (tuple, list)):
        for i, (b, a) in enumerate(zip(before, after)):
            assert_unchanged(b, a, f"{what}[{i}]")
        return
    if isinstance(before, np.ndarray):
        assert isinstance(after, np.ndarray) and after.dtype == before.dtype, f"{what} changed type"
        assert np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"), (
            f"{what} was modified in place")
    else:
        assert type(before) is type(after) and before == after, f"{what} was modified"


def describe(case: Case, args: list[Any]) -> str:
    shapes = ", ".join(
        f"{p}={np.shape(a)}" if isinstance(a, (np.ndarray, float)) else f"{p}={a!r}"
        for p, a in zip(case.params, args)
    )
    return f"{case.name}({shapes}) wrt {case.wrt}\n{inspect.getsource(case.fun)}"


def wrt_argument(case: Case) -> str | tuple[str, ...]:
    """`wrt` as a user writes it: a name for one argument, a tuple of names for several."""
    return case.wrt[0] if len(case.wrt) == 1 else case.wrt


class DtypeDrift(AssertionError):
    """A gradient whose dtype is not the one its argument's dtype calls for."""


def check_gradients(case: Case, args: list[Any], grads: Any, expected: list[Any],
                    context: str, dtype: type = np.float64, **tolerance: float) -> None:
    """Shapes, then values against `expected`, then dtypes (a `DtypeDrift` if one is not `dtype`)."""
    if len(case.wrt) == 1:
        grads = (grads,)
    assert isinstance(grads, tuple) and len(grads) == len(case.wrt), (
        f"{context}\nexpected a tuple of {len(case.wrt)} gradients, got {grads!r}"
    )
    for name, index, actual, wanted in zip(case.wrt, case.wrt_indices, grads, expected):
        assert np.shape(actual) == np.shape(args[index]), (
            f"{context}\nd{name} has shape {np.shape(actual)}, "
            f"but {name} has shape {np.shape(args[index])}"
        )
        assert_close(actual, wanted, name=f"{context}\nd{name}", **tolerance)
    for name, actual in zip(case.wrt, grads):
        if np.asarray(actual).dtype != dtype:
            raise DtypeDrift(f"{context}\nd{name} has dtype {np.asarray(actual).dtype}, "
                             f"expected {np.dtype(dtype).name}")


# ---- coverage of the registry ------------------------------------------------------------


def test_every_template_has_cases():
    missing = sorted(str(key) for key in REGISTRY if len(CASES.get(str(key), [])) < 2)
    assert not missing, f"registered templates with fewer than 2 cases in template_cases.py: {missing}"
    unknown = sorted(set(CASES) - {str(key) for key in REGISTRY})
    assert not unknown, f"template_cases.py has cases for unregistered keys: {unknown}"


def test_cases_of_a_template_use_several_shapes():
    single = sorted(key for key, cases in CASES.items()
                    if len({c.signature() for c in cases}) < 2)
    assert not single, f"templates whose cases all use the same argument shapes: {single}"


def test_broadcasting_templates_have_broadcasting_cases():
    missing = sorted(str(key) for key, template in REGISTRY.items() if template.broadcasts
                     and not any(c.broadcasts() for c in CASES.get(str(key), [])))
    assert not missing, f"broadcasting templates without a broadcasting case: {missing}"


def test_every_method_has_a_method_form_case():
    missing = []
    for method, key in sorted(METHODS.items()):
        if is_nondifferentiable("method." + method) or key not in REGISTRY:
            continue
        written = re.compile(r"\.\s*" + re.escape(method) + r"\s*\(")
        if not any(written.search(inspect.getsource(c.fun)) for c in CASES.get(str(key), [])):
            missing.append(f".{method}() -> {key}")
    assert not missing, f"registered methods without a method-form case: {missing}"


@pytest.mark.parametrize("make", [s2sad.grad, s2sad.vjp])
def test_one_name_in_a_wrt_tuple_gives_a_tuple(make):
    """`wrt=("x",)` names a tuple of arguments, so the gradients come back as a 1-tuple."""
    x = np.array([1.0, 2.0, 3.0])
    kwargs = {} if make is s2sad.grad else {"cotangent": np.ones(3)}
    fun = np_sum if make is s2sad.grad else np_tanh
    grads = make(fun, wrt=("x",))(x, **kwargs)
    assert isinstance(grads, tuple) and len(grads) == 1, f"got {type(grads).__name__}"


# ---- finite differences ------------------------------------------------------------------


@pytest.mark.parametrize(("key", "i", "case"), PAIRS, ids=IDS)
def test_template_matches_finite_differences(key: str, i: int, case: Case):
    rng = rng_for(key, i)
    args = case.make_args(rng)
    output = case.fun(*args)
    cotangent = random_like(rng, output)
    args_before, cotangent_before = snapshot(args), snapshot(cotangent)
    context = f"[{key}-{i}] {describe(case, args)}"

    vjp = s2sad.vjp(case.fun, wrt=wrt_argument(case))
    expected = numerical_vjp(case.fun, args, case.wrt_indices, cotangent)
    # The second call runs the variant generated for the arguments' kinds and shapes.
    for call in ("", " (second call)"):
        with np.errstate(divide="raise", invalid="raise"):
            grads = vjp(*args, cotangent=cotangent)
        assert_unchanged(args_before, args, "an argument")
        assert_unchanged(cotangent_before, cotangent, "the cotangent")
        check_gradients(case, args, grads, expected, context + call)


def numerical_contract(case: Case, args: list[Any], c: Any) -> float:
    """`sum(fun(*args) * c)` computed by NumPy, to check that a case's loss matches its function."""
    out = case.fun(*copy.deepcopy(args))
    return float(np.sum(np.asarray(out, dtype=np.float64) * c))


@pytest.mark.parametrize(("key", "i", "case"), LOSS_PAIRS,
                         ids=[f"{key}-{i}" for key, i, _ in LOSS_PAIRS])
def test_template_grad_on_scalar_loss(key: str, i: int, case: Case):
    rng = rng_for(key, i, salt="loss")
    args = case.make_args(rng)
    c = random_like(rng, case.fun(*args))
    loss_args = [*args, c]
    # The loss must be `sum(fun(...) * c)`: a check on the test itself.
    assert_close(case.loss(*loss_args), numerical_contract(case, args, c), name="loss value")
    before = snapshot(loss_args)
    context = f"[{key}-{i}] loss {case.loss.__name__}\n{describe(case, args)}"

    gradient = s2sad.grad(case.loss, wrt=wrt_argument(case))
    expected = numerical_vjp(case.loss, loss_args, case.wrt_indices, 1.0)
    for call in ("", " (second call)"):  # the second runs the variant for the arguments
        with np.errstate(divide="raise", invalid="raise"):
            grads = gradient(*loss_args)
        assert_unchanged(before, loss_args, "an argument")
        check_gradients(case, args, grads, expected, context + call)
    reference = numerical_vjp(case.fun, args, case.wrt_indices, c)
    for name, g, r in zip(case.wrt, grads if len(case.wrt) > 1 else (grads,), reference):
        assert_close(g, r, name=f"{context}\nd{name} against the vjp of {case.name}")


# ---- single precision --------------------------------------------------------------------
# The same cases with every float argument in float32 (random arrays, float arrays given as
# `Value`, Python floats as np.float32 scalars, and the cotangent): each gradient must be
# float32 too, and match finite differences taken in float64 at the same (rounded) point.


def single(value: Any) -> Any:
    """`value` in float32 where it holds floats; integers, booleans and options unchanged."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    if type(value) is float:
        return np.float32(value)
    if isinstance(value, tuple):
        return tuple(single(v) for v in value)
    return value


def double(value: Any) -> Any:
    """`value` back in float64 (exactly: every float32 is a float64)."""
    if isinstance(value, np.ndarray) and value.dtype == np.float32:
        return value.astype(np.float64)
    if isinstance(value, np.float32):
        return float(value)
    if isinstance(value, tuple):
        return tuple(double(v) for v in value)
    return value


def single_args(case: Case, args: list[Any]) -> list[Any]:
    """The case's float arguments in float32: the random ones and float arrays given exactly
    (a float given exactly is an option, such as a bound, and stays a Python float)."""
    return [single(a) if isinstance(spec, (tuple, Scalar)) or isinstance(a, np.ndarray) else a
            for spec, a in zip(case.args, args)]


def single_tolerance(expected: list[Any]) -> dict[str, float]:
    """float32's tolerance, its absolute part scaled to the size of the gradients."""
    scale = max([1.0, *(float(np.max(np.abs(e), initial=0.0)) for e in expected)])
    return {"rtol": 1e-3, "atol": 1e-4 * scale}


def single_params(pairs: list[tuple[str, int, Case]]) -> list[Any]:
    """The cases as test parameters, named by template and case number."""
    return [pytest.param(key, i, case, id=f"{key}-{i}") for key, i, case in pairs]


@pytest.mark.parametrize(("key", "i", "case"), single_params(PAIRS))
def test_template_keeps_float32(key: str, i: int, case: Case):
    rng = rng_for(key, i, salt="float32")
    args = single_args(case, case.make_args(rng))
    cotangent = single(random_like(rng, case.fun(*args)))
    context = f"[{key}-{i}] float32 {describe(case, args)}"

    vjp = s2sad.vjp(case.fun, wrt=wrt_argument(case))
    with np.errstate(divide="raise", invalid="raise"):
        grads = vjp(*args, cotangent=cotangent)

    expected = numerical_vjp(case.fun, [double(a) for a in args], case.wrt_indices,
                             double(cotangent))
    check_gradients(case, args, grads, expected, context, dtype=np.float32,
                    **single_tolerance(expected))


@pytest.mark.parametrize(("key", "i", "case"), single_params(LOSS_PAIRS))
def test_template_grad_keeps_float32(key: str, i: int, case: Case):
    rng = rng_for(key, i, salt="loss float32")
    args = single_args(case, case.make_args(rng))
    loss_args = [*args, single(random_like(rng, case.fun(*args)))]
    context = f"[{key}-{i}] float32 loss {case.loss.__name__}\n{describe(case, args)}"

    with np.errstate(divide="raise", invalid="raise"):
        grads = s2sad.grad(case.loss, wrt=wrt_argument(case))(*loss_args)

    expected = numerical_vjp(case.loss, [double(a) for a in loss_args], case.wrt_indices, 1.0)
    check_gradients(case, args, grads, expected, context, dtype=np.float32,
                    **single_tolerance(expected))
