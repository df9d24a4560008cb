"""Generated gradients run in the arguments' array namespace, never hard-wired NumPy.

Each case's gradient is computed twice from the same generated source: on
NumPy arrays, and on ``fake_xp`` arrays, which NumPy refuses the way it
refuses CuPy arrays. The fake results must be ``FakeArray`` instances (nothing
fell back to NumPy on the host) and equal to the NumPy results. The cases
reach every registered adjoint rule; ``test_cupy.py`` runs the same cases on
CuPy.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fake_xp
import namespace_functions as nf
import numpy as np
import pytest
from fake_xp import FakeArray
from template_cases import CASES as TEMPLATE_CASES

import s2sad
from s2sad.ir import assignments
from s2sad.normalize import normalize
from s2sad.templates import METHODS, REGISTRY, lookup


@dataclass(frozen=True)
class Case:
    """A forward function, its NumPy inputs and the arguments to differentiate."""

    name: str
    fun: Callable[..., Any]
    args: tuple[Any, ...]
    wrt: str | tuple[str, ...]
    host: tuple[str, ...] = ()
    """Arguments that stay NumPy values (host index arrays, NumPy scalars) on any namespace."""

    @property
    def wrt_names(self) -> tuple[str, ...]:
        return (self.wrt,) if isinstance(self.wrt, str) else self.wrt

    def as_tuple(self, grads: Any) -> tuple[Any, ...]:
        """The gradients as a tuple: one name in `wrt` gives one array, a tuple a tuple."""
        return (grads,) if isinstance(self.wrt, str) else grads

    def __str__(self) -> str:
        return self.name

    def fresh_args(self) -> list[Any]:
        """Copies of the inputs, so that no test can change another's."""
        return [a.copy() if isinstance(a, np.ndarray) else a for a in self.args]

    def params(self) -> list[str]:
        return list(self.fun.__code__.co_varnames[: self.fun.__code__.co_argcount])

    def wrt_indices(self) -> list[int]:
        return [self.params().index(name) for name in self.wrt_names]

    def converted_args(self, convert: Callable[[Any], Any]) -> list[Any]:
        """Fresh inputs, each converted by `convert` unless it is a `host` argument."""
        return [arg if name in self.host else convert(arg)
                for name, arg in zip(self.params(), self.fresh_args(), strict=True)]


_RNG = np.random.default_rng(20240607)


def _normal(*shape: int) -> np.ndarray:
    return _RNG.standard_normal(shape)


def _positive(*shape: int) -> np.ndarray:
    return _RNG.uniform(0.5, 2.0, shape)


def _onehot(rows: int, classes: int) -> np.ndarray:
    return np.eye(classes)[_RNG.integers(classes, size=rows)]


CASES: list[Case] = [
    Case("broadcast_arithmetic", nf.broadcast_arithmetic,
         (_normal(3, 4), _normal(4), _normal(3, 1)), ("a", "b", "c")),
    Case("arithmetic_functions", nf.arithmetic_functions,
         (_normal(3, 4), _normal(4), _normal(3, 1)), ("a", "b", "c")),
    Case("scalar_broadcast", nf.scalar_broadcast, (np.asarray(1.7), _normal(3, 4)), ("s", "a")),
    Case("powers", nf.powers, (_positive(3, 4), _normal(4)), ("a", "p")),
    Case("elementwise", nf.elementwise, (_normal(3, 4),), "a"),
    Case("second_order", nf.second_order, (_normal(3, 4), _normal(4, 2), _normal(4)), ("a", "b", "v")),
    Case("writes", nf.writes, (_normal(3, 4), _normal(4)), ("a", "b")),
    Case("branches_then", nf.branches, (_positive(3, 4), _normal(4)), ("a", "b")),
    Case("branches_else", nf.branches, (-_positive(3, 4), _positive(4)), ("a", "b")),
    Case("extrema_elementwise", nf.extrema_elementwise, (_normal(3, 4), _normal(4)), ("a", "b")),
    Case("where_select", nf.where_select, (_normal(3, 4), _normal(4), _normal(3, 4) > 0.0),
         ("a", "b")),
    Case("sum_axes", nf.sum_axes, (_normal(2, 3, 4),), "x"),
    Case("mean_axes", nf.mean_axes, (_normal(2, 3, 4),), "x"),
    Case("max_min_axes", nf.max_min_axes, (_normal(2, 3, 4),), "x"),
    Case("norms", nf.norms, (_normal(2, 3, 4), _normal(3, 4)), ("x", "m")),
    Case("matmul_ranks", nf.matmul_ranks,
         (_normal(3, 4), _normal(4, 2), _normal(4), _normal(3), _normal(2, 3, 4)),
         ("m", "n", "v", "w", "t")),
    Case("dot_ranks", nf.dot_ranks,
         (_normal(3, 4), _normal(4, 2), _normal(4), _normal(3), _normal(2, 3, 4)),
         ("m", "n", "v", "w", "t")),
    Case("outer_products", nf.outer_products, (_normal(4), _normal(3), _normal(2, 2)),
         ("v", "w", "m")),
    Case("transposes", nf.transposes, (_normal(3, 4), _normal(2, 3, 4)), ("m", "t")),
    Case("reshapes", nf.reshapes, (_normal(3, 4), _normal(2, 3, 4)), ("m", "t")),
    Case("basic_indexing", nf.basic_indexing, (_normal(2, 3, 4),), "t"),
    Case("integer_array_indexing", nf.integer_array_indexing,
         (_normal(5, 3), np.array([0, 2, 2, 4, 0, 2])), "m"),
    Case("literal_indexing", nf.literal_indexing, (_normal(5, 3),), "m"),
    Case("host_index_first", nf.host_index_first, (np.array([3, 0, 3, 1]), _normal(4, 2)), "m",
         host=("idx",)),
    Case("host_scalar_first", nf.host_scalar_first, (np.float64(1.25), _normal(3, 4)), "m",
         host=("s",)),
    Case("copies", nf.copies, (_normal(3, 4),), "a"),
    Case("lecture_dag", nf.lecture_dag, (_normal(3, 3), _normal(3, 3), _normal(3, 2)),
         ("w1", "w2")),
    Case("mlp_loss", nf.mlp_loss,
         (0.5 * _normal(2, 8), 0.1 * _normal(8), 0.5 * _normal(8, 3), 0.1 * _normal(3),
          _normal(6, 2), _onehot(6, 3)),
         ("w1", "b1", "w2", "b2")),
]
"""Scalar-valued functions, for grad, value_and_grad and vjp with a 0-d cotangent."""

CASE_BY_NAME = {case.name: case for case in CASES}

VJP_CASES: list[tuple[Case, Any]] = [
    (Case("tanh_layer", nf.tanh_layer, (_normal(3, 4), _normal(3, 1), _normal(4, 5)),
          ("w", "b", "x")), _normal(3, 5)),
    (Case("two_outputs", nf.two_outputs, (_normal(3, 4), _normal(4)), ("a", "v")),
     (_normal(3), _normal(3, 4))),
    (Case("matmul_ranks_vjp", nf.matmul_ranks, CASE_BY_NAME["matmul_ranks"].args, ("m", "t")),
     np.float64(0.75)),
]
"""Functions with any output, each with a NumPy cotangent of the output's shape."""


def to_fake(value: Any) -> Any:
    """NumPy arrays and scalars as FakeArrays, recursively; others unchanged."""
    if isinstance(value, (np.ndarray, np.generic)):
        return fake_xp.asarray(value.copy())
    if isinstance(value, (tuple, list)):
        return type(value)(to_fake(item) for item in value)
    return value


def assert_fake_matches(fake: Any, expected: Any, where: str = "result") -> None:
    """`fake` has `expected`'s structure, with FakeArrays equal to its NumPy arrays.

    The two results come from the same generated source running the same NumPy
    kernels, so they must agree to rounding; a Python scalar in `expected`
    (a value computed with `float()`) may stay a Python scalar.
    """
    if isinstance(expected, (tuple, list)):
        assert type(fake) is type(expected), f"{where}: {type(fake)} is not {type(expected)}"
        assert len(fake) == len(expected), f"{where}: {len(fake)} items, expected {len(expected)}"
        for i, (f, e) in enumerate(zip(fake, expected, strict=True)):
            assert_fake_matches(f, e, f"{where}[{i}]")
        return
    if isinstance(expected, dict):
        assert isinstance(fake, dict) and fake.keys() == expected.keys(), where
        for key in expected:
            assert_fake_matches(fake[key], expected[key], f"{where}[{key!r}]")
        return
    if isinstance(expected, (int, float)) and not isinstance(fake, FakeArray):
        assert not isinstance(fake, (np.ndarray, np.generic)), f"{where}: {type(fake)}"
        np.testing.assert_allclose(fake, expected, rtol=1e-12, atol=1e-15, err_msg=where)
        return
    assert isinstance(fake, FakeArray), (
        f"{where} is a {type(fake).__module__}.{type(fake).__qualname__}, not a FakeArray: "
        "the generated code left the arguments' array namespace"
    )
    expected = np.asarray(expected)
    assert fake.shape == expected.shape, f"{where}: shape {fake.shape} != {expected.shape}"
    assert fake.dtype == expected.dtype, f"{where}: dtype {fake.dtype} != {expected.dtype}"
    np.testing.assert_allclose(fake.data, expected, rtol=1e-12, atol=1e-15, err_msg=where)


def central_differences(case: Case, index: int, eps: float = 1e-6) -> np.ndarray:
    """d fun / d args[index] by central differences, on NumPy."""
    args = case.fresh_args()
    target = args[index]
    estimate = np.zeros_like(target)
    for i in np.ndindex(target.shape):
        saved = target[i]
        target[i] = saved + eps
        up = case.fun(*args)
        target[i] = saved - eps
        down = case.fun(*args)
        target[i] = saved
        estimate[i] = (up - down) / (2.0 * eps)
    return estimate


# The cases cover every adjoint rule.


def _operations(fun: Callable[..., Any]) -> set[str]:
    return {assignment.op for assignment in assignments(normalize(fun).body)}


def test_cases_cover_every_registered_rule() -> None:
    """Every rule runs on the stand-in: here, or through its template cases, which
    tests/test_template_namespaces.py runs on fake_xp arrays."""
    reached = set(TEMPLATE_CASES)
    for case in CASES + [case for case, _ in VJP_CASES]:
        for op in _operations(case.fun):
            template = lookup(op)
            if template is not None:
                reached.add(template.key)
    missing = sorted({str(key) for key in REGISTRY} - reached)
    assert not missing, f"add cases to template_cases*.py or namespace_functions.py for {missing}"


def test_cases_cover_every_differentiable_method() -> None:
    methods = {name for name, key in METHODS.items() if key in REGISTRY}
    used = set()
    functions = [case.fun for case in CASES] + [
        case.fun for cases in TEMPLATE_CASES.values() for case in cases]
    for fun in functions:
        used |= {op[len("method."):] for op in _operations(fun) if op.startswith("method.")}
    missing = sorted(methods - used)
    assert not missing, f"add forward functions to template_cases*.py that call {missing}"


# NumPy is right to begin with: otherwise agreeing with it proves little.


@pytest.mark.parametrize("case", CASES, ids=str)
def test_numpy_gradient_matches_finite_differences(case: Case) -> None:
    grads = case.as_tuple(s2sad.grad(case.fun, wrt=case.wrt)(*case.fresh_args()))
    assert len(grads) == len(case.wrt_names)
    for name, index, g in zip(case.wrt_names, case.wrt_indices(), grads, strict=True):
        # A 0-d argument's gradient may be a NumPy scalar, as NumPy's reductions return.
        assert isinstance(g, (np.ndarray, np.generic)), f"d{name} is a {type(g)}"
        np.testing.assert_allclose(g, central_differences(case, index), rtol=1e-5, atol=1e-6,
                                   err_msg=f"d{name} of {case.name}")


# The same source on NumPy and on the fake namespace.


@pytest.mark.parametrize("case", CASES, ids=str)
def test_grad_on_fake_arrays_matches_numpy(case: Case) -> None:
    gradient = s2sad.grad(case.fun, wrt=case.wrt)
    expected = gradient(*case.fresh_args())
    result = gradient(*case.converted_args(to_fake))
    assert_fake_matches(result, expected, f"grad of {case.name}")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_grad_single_wrt_on_fake_arrays(case: Case) -> None:
    """One wrt name gives one array, not a tuple; here the last wrt argument."""
    gradient = s2sad.grad(case.fun, wrt=case.wrt_names[-1])
    expected = gradient(*case.fresh_args())
    assert isinstance(expected, np.ndarray)
    assert_fake_matches(gradient(*case.converted_args(to_fake)), expected,
                        f"d{case.wrt_names[-1]} of {case.name}")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_value_and_grad_on_fake_arrays_matches_numpy(case: Case) -> None:
    function = s2sad.value_and_grad(case.fun, wrt=case.wrt)
    value, grads = function(*case.fresh_args())
    np.testing.assert_allclose(value, case.fun(*case.fresh_args()), rtol=1e-12)
    fake_value, fake_grads = function(*case.converted_args(to_fake))
    assert_fake_matches(fake_value, value, f"value of {case.name}")
    assert_fake_matches(fake_grads, grads, f"gradients of {case.name}")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_vjp_with_scalar_cotangent_on_fake_arrays(case: Case) -> None:
    """A 0-d cotangent scales the gradient; as a FakeArray it must stay one."""
    function = s2sad.vjp(case.fun, wrt=case.wrt)
    cotangent = np.asarray(-1.5)
    expected = function(*case.fresh_args(), cotangent=cotangent)
    grads = s2sad.grad(case.fun, wrt=case.wrt)(*case.fresh_args())
    for e, g in zip(case.as_tuple(expected), case.as_tuple(grads), strict=True):
        np.testing.assert_allclose(e, -1.5 * g, rtol=1e-12, atol=1e-12)
    result = function(*case.converted_args(to_fake), cotangent=to_fake(cotangent))
    assert_fake_matches(result, expected, f"vjp of {case.name}")


@pytest.mark.parametrize(("case", "cotangent"), VJP_CASES, ids=[c.name for c, _ in VJP_CASES])
def test_vjp_on_fake_arrays_matches_numpy(case: Case, cotangent: Any) -> None:
    function = s2sad.vjp(case.fun, wrt=case.wrt)
    expected = function(*case.fresh_args(), cotangent=cotangent)
    result = function(*case.converted_args(to_fake), cotangent=to_fake(cotangent))
    assert_fake_matches(result, expected, f"vjp of {case.name}")


@pytest.mark.parametrize(("case", "cotangent"), VJP_CASES, ids=[c.name for c, _ in VJP_CASES])
def test_numpy_vjp_matches_finite_differences(case: Case, cotangent: Any) -> None:
    """<cotangent, f(x)> differentiated by central differences."""
    cotangents = cotangent if isinstance(cotangent, tuple) else (cotangent,)

    def pairing(*args: Any) -> float:
        outputs = case.fun(*args)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        return sum(float(np.sum(c * o)) for c, o in zip(cotangents, outputs, strict=True))

    grads = s2sad.vjp(case.fun, wrt=case.wrt)(*case.fresh_args(), cotangent=cotangent)
    paired = Case(case.name, pairing, case.args, case.wrt)
    grads = case.as_tuple(grads)
    for name, index, g in zip(case.wrt_names, case.wrt_indices(), grads, strict=True):
        np.testing.assert_allclose(g, central_differences(paired, index), rtol=1e-5, atol=1e-6,
                                   err_msg=f"d{name} of {case.name}")


@pytest.mark.parametrize("case", [CASE_BY_NAME["lecture_dag"], CASE_BY_NAME["mlp_loss"],
                                  CASE_BY_NAME["integer_array_indexing"]], ids=str)
def test_saved_module_runs_on_fake_arrays(case: Case, tmp_path: Any) -> None:
    """A saved module finds the namespace without s2sad, from its own helpers."""
    gradient = s2sad.grad(case.fun, wrt=case.wrt)
    path = tmp_path / f"{case.name}_grad.py"
    gradient.save(path)
    spec = importlib.util.spec_from_file_location(f"{case.name}_saved_grad", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    saved = getattr(module, f"{case.fun.__name__}_grad")
    result = saved(*case.converted_args(to_fake))
    assert_fake_matches(result, gradient(*case.fresh_args()), f"saved grad of {case.name}")


@pytest.mark.parametrize("wrap", [fake_xp.asarray, np.asarray], ids=["fake", "numpy"])
def test_wrt_tuple_of_one_name_gives_a_tuple(wrap: Callable[[Any], Any]) -> None:
    """`grad(f, wrt=("a",))` returns a 1-tuple, as `grad`'s docstring promises (and JAX)."""
    case = CASE_BY_NAME["elementwise"]
    grads = s2sad.grad(case.fun, wrt=("a",))(wrap(case.fresh_args()[0]))
    assert isinstance(grads, tuple) and len(grads) == 1, type(grads)


def test_dict_argument_gradient_on_fake_arrays() -> None:
    """A dict argument's gradient is a dict of FakeArrays, its namespace found inside the dict."""
    rng = np.random.default_rng(7)
    params = {"x": rng.standard_normal((4, 3)), "w": rng.standard_normal((3, 2)),
              "b": rng.standard_normal(2)}
    gradient = s2sad.grad(nf.dict_params)
    expected = gradient({key: value.copy() for key, value in params.items()})
    assert isinstance(expected, dict) and expected.keys() == params.keys()
    result = gradient({key: to_fake(value) for key, value in params.items()})
    assert_fake_matches(result, expected, "gradient of dict_params")
