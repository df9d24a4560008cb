"""Tests of the CuPy stand-in ``fake_xp``: it computes like NumPy, NumPy refuses it."""

from __future__ import annotations

import copy
import operator
import pickle
from collections.abc import Callable
from typing import Any

import fake_xp
import numpy
import pytest
from fake_xp import FakeArray

RNG = numpy.random.default_rng(0)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))
M = RNG.standard_normal((4, 2))


def fake(array: Any) -> FakeArray:
    """A FakeArray holding a fresh copy of ``array``."""
    return fake_xp.asarray(numpy.array(array, copy=True))


def check(result: Any, expected: Any) -> None:
    """``result`` is a FakeArray equal to NumPy's ``expected``."""
    assert isinstance(result, FakeArray), type(result)
    assert isinstance(result.data, numpy.ndarray)
    numpy.testing.assert_allclose(result.data, expected)


# Construction, unwrapping and the namespace protocol.


def test_asarray_wraps_arrays_and_scalars() -> None:
    a = fake_xp.asarray(A)
    assert a.data is A
    assert fake_xp.asarray(a) is a
    check(fake_xp.asarray(2.5), numpy.asarray(2.5))
    assert fake_xp.asarray(a, dtype=numpy.float32).dtype == numpy.float32
    with pytest.raises(TypeError, match=r"fake_xp\.asarray"):
        FakeArray([1.0, 2.0])


def test_to_numpy_unwraps_recursively() -> None:
    a, b = fake(A), fake(B)
    out = fake_xp.to_numpy({"w": (a, [b, 3.0]), "n": None})
    assert out["w"][0] is a.data
    assert out["w"][1][0] is b.data
    assert out["w"][1][1] == 3.0
    assert out["n"] is None


def test_array_namespace() -> None:
    a = fake(A)
    assert a.__array_namespace__() is fake_xp.namespace
    assert a.__array_namespace__(api_version="2023.12") is fake_xp.namespace
    assert fake_xp.namespace.__name__ == "fake_xp"


def test_attributes() -> None:
    a = fake(A)
    assert a.shape == (3, 4)
    assert a.ndim == 2
    assert a.size == 12
    assert a.dtype == numpy.float64
    check(a.T, A.T)
    check(a.real, A)
    assert len(a) == 3
    assert "FakeArray(" in repr(a)


# Operators.

BINARY = [
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.floordiv,
    operator.mod,
    operator.pow,
    operator.lt,
    operator.le,
    operator.gt,
    operator.ge,
    operator.eq,
    operator.ne,
]


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.__name__)
def test_binary_operators(op: Callable[[Any, Any], Any]) -> None:
    a, b = numpy.abs(A) + 0.5, numpy.abs(B) + 0.5
    check(op(fake(a), fake(b)), op(a, b))
    check(op(fake(a), 2.0), op(a, 2.0))
    check(op(2.0, fake(a)), op(2.0, a))
    check(op(numpy.float64(2.0), fake(a)), op(numpy.float64(2.0), a))
    check(op(fake(a), numpy.float32(2.0)), op(a, numpy.float32(2.0)))


def test_matmul_and_unary() -> None:
    check(fake(A) @ fake(M), A @ M)
    check(fake(M).__rmatmul__(fake(A)), A @ M)
    check(-fake(A), -A)
    check(+fake(A), A)
    check(abs(fake(A)), numpy.abs(A))
    q, r = divmod(fake(A), 0.7)
    check(q, A // 0.7)
    check(r, A % 0.7)


@pytest.mark.parametrize(
    "op, expected",
    [
        (operator.iadd, A + B),
        (operator.isub, A - B),
        (operator.imul, A * B),
        (operator.itruediv, A / B),
    ],
    ids=["iadd", "isub", "imul", "itruediv"],
)
def test_inplace_operators_mutate(op: Callable[[Any, Any], Any], expected: Any) -> None:
    a = fake(A)
    data = a.data
    result = op(a, fake(B))
    assert result is a
    assert a.data is data
    numpy.testing.assert_allclose(data, expected)


def test_plus_equals_mutates_aliases() -> None:
    a = fake(A)
    alias = a
    view = a[0]
    a += 1.0
    assert alias is a
    numpy.testing.assert_allclose(a.data, A + 1.0)
    numpy.testing.assert_allclose(view.data, A[0] + 1.0)


# Indexing and conversions.


def test_getitem() -> None:
    a = fake(A)
    check(a[1], A[1])
    check(a[:, 1:3], A[:, 1:3])
    check(a[..., None], A[..., None])
    check(a[fake(numpy.array([2, 0]))], A[[2, 0]])
    check(a[a > 0], A[A > 0])
    element = a[1, 2]
    assert isinstance(element, FakeArray)
    assert element.shape == ()
    assert float(element) == A[1, 2]
    check(a[numpy.array([0, 2])], A[[0, 2]])


def test_setitem() -> None:
    a = fake(A)
    a[0] = 0.0
    a[1, fake(numpy.array([0, 3]))] = fake(numpy.array([7.0, 8.0]))
    a[a > 1.0] = 1.0
    expected = A.copy()
    expected[0] = 0.0
    expected[1, [0, 3]] = [7.0, 8.0]
    expected[expected > 1.0] = 1.0
    numpy.testing.assert_allclose(a.data, expected)


def test_iteration_and_python_scalars() -> None:
    rows = list(fake(A))
    assert len(rows) == 3
    for row, expected in zip(rows, A, strict=True):
        check(row, expected)
    one = fake(numpy.array(3.0))
    assert float(one) == 3.0
    assert int(one) == 3
    assert bool(one) is True
    assert complex(one) == 3.0


def test_methods() -> None:
    a = fake(A)
    check(a.sum(), A.sum())
    check(a.sum(axis=1, keepdims=True), A.sum(axis=1, keepdims=True))
    check(a.mean(axis=0), A.mean(axis=0))
    check(a.max(), A.max())
    check(a.min(axis=1), A.min(axis=1))
    check(a.prod(), A.prod())
    check(a.reshape(4, 3), A.reshape(4, 3))
    check(a.reshape((2, 6)), A.reshape((2, 6)))
    check(a.transpose(), A.T)
    check(a.swapaxes(0, 1), A.T)
    check(a.ravel(), A.ravel())
    check(a.flatten(), A.flatten())
    check(a.dot(fake(M)), A @ M)
    check(fake(A[None]).squeeze(0), A)
    check(a.argmax(), A.argmax())
    check(a.argmin(axis=0), A.argmin(axis=0))
    check(a.any(), A.any())
    check(a.all(), A.all())
    assert a.astype(numpy.float32).dtype == numpy.float32
    assert a.astype(a.dtype, copy=False) is a
    assert a.item(0) == A.item(0)
    assert a.tolist() == A.tolist()
    copy = a.copy()
    copy.fill(2.0)
    numpy.testing.assert_allclose(copy.data, 2.0)
    numpy.testing.assert_allclose(a.data, A)


def test_pickle_roundtrip() -> None:
    check(pickle.loads(pickle.dumps(fake(A))), A)


# The namespace.


def test_namespace_functions() -> None:
    xp = fake(A).__array_namespace__()
    a, b, m = fake(A), fake(B), fake(M)
    check(xp.tanh(a), numpy.tanh(A))
    check(xp.sum(a, axis=1), A.sum(axis=1))
    check(xp.sum(a), A.sum())
    check(xp.full_like(a, 1.0), numpy.ones_like(A))
    check(xp.zeros_like(a), numpy.zeros_like(A))
    check(xp.broadcast_to(fake(A[0]), (5, 4)), numpy.broadcast_to(A[0], (5, 4)))
    check(xp.broadcast_to(2.0, (2, 3)), numpy.full((2, 3), 2.0))
    check(xp.reshape(a, (4, 3)), A.reshape(4, 3))
    check(xp.matmul(a, m), A @ M)
    check(xp.tensordot(a, b, axes=([1], [1])), numpy.tensordot(A, B, axes=([1], [1])))
    check(xp.outer(a[0], b[0]), numpy.outer(A[0], B[0]))
    check(xp.where(a > 0, a, b), numpy.where(A > 0, A, B))
    check(xp.sign(a), numpy.sign(A))
    check(xp.linalg.norm(a), numpy.linalg.norm(A))
    check(xp.linalg.norm(a, axis=0), numpy.linalg.norm(A, axis=0))
    check(xp.concatenate([a, b], axis=0), numpy.concatenate([A, B]))
    check(xp.stack((a, b)), numpy.stack((A, B)))
    check(xp.einsum("ij,jk->ik", a, m), A @ M)
    assert xp.result_type(a, 1.0) == numpy.float64
    assert xp.ndim(a) == 2
    assert xp.shape(a) == (3, 4)


def test_namespace_conversions_accept_host_arrays() -> None:
    xp = fake_xp.namespace
    a = xp.asarray(A)
    check(a, A)
    assert a.data is A
    copied = xp.array(a)
    check(copied, A)
    assert copied.data is not A


def test_namespace_results_are_wrapped_recursively() -> None:
    xp = fake_xp.namespace
    u, s, vt = xp.linalg.svd(fake(A), full_matrices=False)
    check((u * s) @ vt, A)
    result = xp.linalg.svd(fake(A), full_matrices=False)
    assert type(result).__name__ == "SVDResult"
    check(result.S, s.data)
    halves = xp.split(fake(numpy.arange(6.0)), 2)
    assert isinstance(halves, list)
    check(halves[1], [3.0, 4.0, 5.0])


def test_namespace_out_argument_returns_same_object() -> None:
    xp = fake_xp.namespace
    out = xp.zeros_like(fake(A))
    assert xp.add(fake(A), fake(B), out=out) is out
    numpy.testing.assert_allclose(out.data, A + B)


def test_ufunc_at_mutates_in_place() -> None:
    xp = fake_xp.namespace
    a = fake(numpy.zeros(4))
    data = a.data
    assert xp.add.at(a, fake(numpy.array([0, 1, 1, 3])), fake(numpy.ones(4))) is None
    assert a.data is data
    numpy.testing.assert_allclose(data, [1.0, 2.0, 0.0, 1.0])
    xp.add.at(a, (numpy.array([2, 2]),), 5.0)
    numpy.testing.assert_allclose(data, [1.0, 2.0, 10.0, 1.0])
    xp.negative.at(a, 0)
    numpy.testing.assert_allclose(data, [-1.0, 2.0, 10.0, 1.0])


def test_ufunc_methods() -> None:
    xp = fake_xp.namespace
    a = fake(A)
    check(xp.add(a, 1.0), A + 1.0)
    check(xp.add.reduce(a, axis=1), numpy.add.reduce(A, axis=1))
    check(xp.multiply.outer(a[0], a[1]), numpy.multiply.outer(A[0], A[1]))
    check(xp.maximum.accumulate(a, axis=0), numpy.maximum.accumulate(A, axis=0))
    assert xp.add.nin == 2
    assert xp.add.__name__ == "add"


def test_namespace_passes_types_and_constants_through() -> None:
    xp = fake_xp.namespace
    assert xp.pi == numpy.pi
    assert xp.float32 is numpy.float32
    assert xp.newaxis is None
    assert xp.inf == numpy.inf
    assert xp.finfo(xp.float64).eps == numpy.finfo(numpy.float64).eps
    assert xp.linalg.norm is xp.linalg.norm
    with pytest.raises(AttributeError):
        xp.no_such_function  # noqa: B018
    with pytest.raises(AttributeError):
        xp.__version__  # noqa: B018
    with pytest.raises(AttributeError):
        xp._core  # noqa: B018


def test_namespace_objects_copy() -> None:
    xp = fake_xp.namespace
    assert copy.deepcopy(xp.add)(1.0, 2.0) == 3.0
    assert copy.copy(xp.linalg).norm(fake(A)) == numpy.linalg.norm(A)


# Refusals, like CuPy.


@pytest.mark.parametrize(
    "call",
    [
        lambda a: numpy.tanh(a),
        lambda a: numpy.exp(a),
        lambda a: numpy.add(a, 1.0),
        lambda a: numpy.add.at(a, 0, 1.0),
        lambda a: numpy.sum(a),
        lambda a: numpy.mean(a, axis=0),
        lambda a: numpy.zeros_like(a),
        lambda a: numpy.broadcast_to(a, (2, 3, 4)),
        lambda a: numpy.where(a > 0, a, 0.0),
        lambda a: numpy.matmul(a, a.T),
        lambda a: numpy.dot(a, a.T),
        lambda a: numpy.reshape(a, (4, 3)),
        lambda a: numpy.linalg.norm(a),
        lambda a: numpy.ndim(a),
        lambda a: numpy.shape(a),
        lambda a: numpy.result_type(a),
        lambda a: numpy.concatenate([a, a]),
        lambda a: numpy.asarray(a),
        lambda a: numpy.array(a),
        lambda a: numpy.array(a, dtype=object),
        lambda a: numpy.array([a, a]),
        lambda a: numpy.float32(a[0, 0]),
        lambda a: numpy.arange(3)[a[0] > 0],
    ],
)
def test_numpy_refuses_fake_arrays(call: Callable[[FakeArray], Any]) -> None:
    with pytest.raises(TypeError):
        call(fake(A))


def test_refusal_messages() -> None:
    a = fake(A)
    with pytest.raises(TypeError, match="refuses implicit conversion to a NumPy array"):
        numpy.asarray(a)
    with pytest.raises(TypeError, match="does not support ufuncs"):
        numpy.tanh(a)
    with pytest.raises(TypeError, match=r"numpy\.sum\(\) was called on a FakeArray"):
        numpy.sum(a)


@pytest.mark.parametrize(
    "op",
    [operator.add, operator.sub, operator.mul, operator.truediv, operator.matmul, operator.lt],
    ids=lambda op: op.__name__,
)
def test_mixing_with_host_arrays_is_refused(op: Callable[[Any, Any], Any]) -> None:
    a, host = fake(numpy.ones((3, 3))), numpy.ones((3, 3))
    with pytest.raises(TypeError, match="refuses to mix with host NumPy arrays"):
        op(a, host)
    with pytest.raises(TypeError, match="refuses to mix with host NumPy arrays"):
        op(host, a)
    with pytest.raises(TypeError, match="refuses to mix with host NumPy arrays"):
        op(a, numpy.asarray(2.0))


def test_inplace_mixing_with_host_arrays_is_refused() -> None:
    a, host = fake(A), A.copy()
    with pytest.raises(TypeError):
        a += host
    with pytest.raises(TypeError):
        host += a
    numpy.testing.assert_array_equal(host, A)
    numpy.testing.assert_array_equal(a.data, A)
    with pytest.raises(TypeError, match="refuses to mix"):
        a[0] = A[1]


def test_namespace_refuses_host_arrays() -> None:
    xp = fake_xp.namespace
    a = fake(A)
    with pytest.raises(TypeError, match=r"fake_xp\.tanh\(\) got a numpy\.ndarray"):
        xp.tanh(A)
    with pytest.raises(TypeError, match=r"fake_xp\.add\(\) got a numpy\.ndarray"):
        xp.add(a, B)
    with pytest.raises(TypeError, match=r"fake_xp\.linalg\.norm\(\) got a numpy\.ndarray"):
        xp.linalg.norm(A)
    with pytest.raises(TypeError, match=r"fake_xp\.concatenate\(\) got a numpy\.ndarray"):
        xp.concatenate([a, B])
    with pytest.raises(TypeError, match=r"fake_xp\.add\.at\(\) got a numpy\.ndarray"):
        xp.add.at(numpy.zeros(3), 0, 1.0)
    with pytest.raises(TypeError, match=r"FakeArray\.dot\(\) got a numpy\.ndarray"):
        a.dot(M)
