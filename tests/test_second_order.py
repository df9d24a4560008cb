"""Gradients of functions that call gradient functions."""

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

g1 = s2sad.grad(lambda x: sum(x**2))


def s2(x):
    return np.exp(g1(x)[0]) - np.exp(g1(x)[2])


def inner(w, x):
    return np.sum(np.tanh(w @ x) ** 2)


inner_gradient = s2sad.grad(inner, wrt="w")


def gradient_norm(w, x):
    dw = inner_gradient(w, x)
    return np.sum(dw * dw)


def test_the_lecture_second_derivative():
    got = s2sad.grad(s2)(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(got, [2 * np.e**2, 0.0, -2 * np.e**6], rtol=1e-12)


def test_gradient_of_a_gradient_norm_against_finite_differences_and_autograd():
    rng = np.random.default_rng(4)
    w, x = rng.standard_normal((3, 4)) * 0.5, rng.standard_normal((4, 2))
    dw, dx = s2sad.grad(gradient_norm, wrt=(0, 1))(w, x)
    expected = numerical_vjp(gradient_norm, [w, x], [0, 1], 1.0)
    assert_close(dw, expected[0])
    assert_close(dx, expected[1])
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    inner_autograd = autograd.grad(lambda w, x: anp.sum(anp.tanh(w @ x) ** 2))
    reference = autograd.grad(lambda w, x: anp.sum(inner_autograd(w, x) ** 2), argnum=(0, 1))(w, x)
    np.testing.assert_allclose(dw, reference[0], rtol=1e-10)
    np.testing.assert_allclose(dx, reference[1], rtol=1e-10)


def test_the_outer_gradient_keeps_the_parameter_name():
    assert "    return dx\n" in s2sad.grad(s2).source


shared_bias_gradient = s2sad.grad(lambda x, b: np.sum(np.tanh(x + b)), wrt=(0, 1))


def squared_gradients(x, b):
    dx, db = shared_bias_gradient(x, b)
    return np.sum(dx ** 2) + np.sum(db ** 2)


def test_second_order_adds_into_no_broadcast_view():
    """The adjoint of `_unbroadcast` is a read-only `broadcast_to` view: a later
    contribution adds to a copy, never into it."""
    x, b = np.random.default_rng(3).standard_normal((3, 2)), np.array([0.2, -0.4])
    got = s2sad.grad(squared_gradients, wrt=(0, 1))(x, b)
    expected = numerical_vjp(squared_gradients, [x, b], [0, 1], 1.0)
    for a, e in zip(got, expected):
        assert_close(a, e, rtol=1e-4)


max_gradient = s2sad.grad(lambda x: np.max(x ** 2))
summary_gradient = s2sad.value_and_grad(lambda x: np.sum(np.tanh(x) ** 2))
output_vjp = s2sad.vjp(lambda x: np.tanh(x) ** 2)


@pytest.mark.parametrize("outer", [
    lambda x: np.sum(max_gradient(x) ** 2),
    lambda x: np.sum(summary_gradient(x)[1] ** 2) * summary_gradient(x)[0],
    lambda x: np.sum(output_vjp(x, cotangent=np.cos(x)) ** 2),
], ids=["through np.max", "through value_and_grad", "through vjp"])
def test_second_order_through_max_value_and_grad_and_vjp(outer):
    x = np.array([0.3, -1.2, 0.8, 0.1])
    assert_close(s2sad.grad(outer)(x), numerical_vjp(outer, [x], [0], 1.0)[0], rtol=1e-4)
