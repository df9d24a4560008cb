"""The namespace cases of ``test_array_namespaces.py`` on real CuPy arrays, on the GPU.

Each case's gradient is computed from the same generated source on NumPy and
on CuPy arrays; the CuPy results must stay on the device (``cupy.ndarray``)
and match NumPy to 1e-6 relative. Skipped where CuPy or a CUDA GPU is missing.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import namespace_functions as nf
import numpy as np
import pytest
from test_array_namespaces import CASE_BY_NAME, CASES, VJP_CASES, Case
from test_template_namespaces import ON_ANY_NAMESPACE
from test_templates import random_like, rng_for, wrt_argument

import s2sad

REASON = "needs CuPy and a CUDA GPU"

cupy = pytest.importorskip("cupy", reason=REASON)


def _gpu_count() -> int:
    try:
        return cupy.cuda.runtime.getDeviceCount()
    except (RuntimeError, OSError):  # CUDARuntimeError (no driver or device), no libcudart
        return 0


if _gpu_count() < 1:
    pytest.skip(REASON, allow_module_level=True)


def to_device(value: Any) -> Any:
    """NumPy arrays and scalars as CuPy arrays, recursively; others unchanged."""
    if isinstance(value, (np.ndarray, np.generic)):
        return cupy.asarray(value)
    if isinstance(value, (tuple, list)):
        return type(value)(to_device(item) for item in value)
    if isinstance(value, dict):
        return {key: to_device(item) for key, item in value.items()}
    return value


def assert_device_matches(result: Any, expected: Any, where: str = "result") -> None:
    """`result` has `expected`'s structure, with CuPy arrays close to its NumPy arrays.

    A Python scalar in `expected` (a value computed with `float()`) may stay a
    Python scalar; every array must be a ``cupy.ndarray``, not a host array.
    """
    if isinstance(expected, (tuple, list)):
        assert type(result) is type(expected), f"{where}: {type(result)} is not {type(expected)}"
        assert len(result) == len(expected), f"{where}: {len(result)} items, not {len(expected)}"
        for i, (r, e) in enumerate(zip(result, expected, strict=True)):
            assert_device_matches(r, e, f"{where}[{i}]")
        return
    if isinstance(expected, dict):
        assert isinstance(result, dict) and result.keys() == expected.keys(), where
        for key in expected:
            assert_device_matches(result[key], expected[key], f"{where}[{key!r}]")
        return
    if isinstance(expected, (int, float)) and not isinstance(result, cupy.ndarray):
        assert not isinstance(result, (np.ndarray, np.generic)), f"{where}: {type(result)}"
        np.testing.assert_allclose(result, expected, rtol=1e-6, err_msg=where)
        return
    assert isinstance(result, cupy.ndarray), (
        f"{where} is a {type(result).__module__}.{type(result).__qualname__}, not a "
        "cupy.ndarray: the generated code left the GPU"
    )
    expected = np.asarray(expected)
    assert result.shape == expected.shape, f"{where}: shape {result.shape} != {expected.shape}"
    assert result.dtype == expected.dtype, f"{where}: dtype {result.dtype} != {expected.dtype}"
    # 1e-6 relative; the absolute floor only absorbs rounding in entries that cancel to ~0,
    # since the GPU sums in another order than NumPy.
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    np.testing.assert_allclose(cupy.asnumpy(result), expected, rtol=1e-6, atol=1e-10 * scale,
                               err_msg=where)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_grad_on_cupy_matches_numpy(case: Case) -> None:
    gradient = s2sad.grad(case.fun, wrt=case.wrt)
    expected = gradient(*case.fresh_args())
    result = gradient(*case.converted_args(to_device))
    assert_device_matches(result, expected, f"grad of {case.name}")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_grad_single_wrt_on_cupy(case: Case) -> None:
    gradient = s2sad.grad(case.fun, wrt=case.wrt_names[-1])
    expected = gradient(*case.fresh_args())
    assert_device_matches(gradient(*case.converted_args(to_device)), expected,
                          f"d{case.wrt_names[-1]} of {case.name}")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_value_and_grad_on_cupy_matches_numpy(case: Case) -> None:
    function = s2sad.value_and_grad(case.fun, wrt=case.wrt)
    value, grads = function(*case.fresh_args())
    device_value, device_grads = function(*case.converted_args(to_device))
    assert_device_matches(device_value, value, f"value of {case.name}")
    assert_device_matches(device_grads, grads, f"gradients of {case.name}")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_vjp_with_scalar_cotangent_on_cupy(case: Case) -> None:
    function = s2sad.vjp(case.fun, wrt=case.wrt)
    cotangent = np.asarray(-1.5)
    expected = function(*case.fresh_args(), cotangent=cotangent)
    result = function(*case.converted_args(to_device), cotangent=to_device(cotangent))
    assert_device_matches(result, expected, f"vjp of {case.name}")


@pytest.mark.parametrize(("case", "cotangent"), VJP_CASES, ids=[c.name for c, _ in VJP_CASES])
def test_vjp_on_cupy_matches_numpy(case: Case, cotangent: Any) -> None:
    function = s2sad.vjp(case.fun, wrt=case.wrt)
    expected = function(*case.fresh_args(), cotangent=cotangent)
    result = function(*case.converted_args(to_device), cotangent=to_device(cotangent))
    assert_device_matches(result, expected, f"vjp of {case.name}")


@pytest.mark.parametrize("case", [CASE_BY_NAME["lecture_dag"], CASE_BY_NAME["mlp_loss"],
                                  CASE_BY_NAME["integer_array_indexing"]], ids=str)
def test_saved_module_runs_on_cupy(case: Case, tmp_path: Any) -> None:
    gradient = s2sad.grad(case.fun, wrt=case.wrt)
    path = tmp_path / f"{case.name}_grad.py"
    gradient.save(path)
    spec = importlib.util.spec_from_file_location(f"{case.name}_saved_cupy_grad", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    saved = getattr(module, f"{case.fun.__name__}_grad")
    result = saved(*case.converted_args(to_device))
    assert_device_matches(result, gradient(*case.fresh_args()), f"saved grad of {case.name}")


def test_dict_argument_gradient_on_cupy() -> None:
    rng = np.random.default_rng(7)
    params = {"x": rng.standard_normal((4, 3)), "w": rng.standard_normal((3, 2)),
              "b": rng.standard_normal(2)}
    gradient = s2sad.grad(nf.dict_params)
    expected = gradient({key: value.copy() for key, value in params.items()})
    result = gradient(to_device(params))
    assert_device_matches(result, expected, "gradient of dict_params")


@pytest.mark.parametrize(("key", "i", "case"), ON_ANY_NAMESPACE,
                         ids=[f"{key}-{i}" for key, i, _ in ON_ANY_NAMESPACE])
def test_template_case_on_the_gpu(key, i, case):
    """Every template case of tests/template_cases*.py, on CuPy arrays."""
    rng = rng_for(key, i, salt="cupy")
    args = case.make_args(rng)
    cotangent = random_like(rng, case.fun(*args))
    vjp = s2sad.vjp(case.fun, wrt=wrt_argument(case))
    expected = vjp(*args, cotangent=cotangent)
    result = vjp(*to_device(args), cotangent=to_device(cotangent))
    assert_device_matches(result, expected, f"[{key}-{i}] gradient")
