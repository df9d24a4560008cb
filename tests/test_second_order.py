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


# ---- through the generated loops: tapes, reversed steps, while loops ------------------------


def recurrent(w, x):
    h = np.zeros(3)
    for t in range(x.shape[0]):
        h = np.tanh(w @ h + x[t])
    return np.sum(h ** 2)


def growing(x):
    s = 0.0
    while s < 5.0:
        s = s + np.sum(x ** 2)
    return s * np.sum(np.sin(x))


def nested_steps(w, x):
    h = x
    for i in range(2):
        for j in range(2):
            h = np.tanh(w @ h) + h * 0.5
    return np.sum(h ** 2)


def stopping(w, x):
    h = x
    for t in range(6):
        h = np.tanh(w @ h)
        if np.sum(h) < -0.5:
            break
    return np.sum(h)


@pytest.mark.parametrize(("inner", "arguments"), [
    (recurrent, lambda rng: [rng.standard_normal((3, 3)) * 0.5, rng.standard_normal((4, 3))]),
    (growing, lambda rng: [rng.standard_normal(3)]),
    (nested_steps, lambda rng: [rng.standard_normal((3, 3)) * 0.5, rng.standard_normal(3)]),
    (stopping, lambda rng: [rng.standard_normal((3, 3)), rng.standard_normal(3)]),
], ids=["for over reversed steps", "while", "nested loops", "break"])
def test_second_order_through_generated_loops(inner, arguments):
    """The first gradient's loops run backwards over its tape; the second differentiates them
    (the tape read by position: GradFunction.differentiable_source)."""
    gradient = s2sad.grad(inner)
    args = arguments(np.random.default_rng(11))

    def gradient_norm_of_one(x):
        return np.sum(gradient(x) ** 2)

    def gradient_norm_of_two(w, x):
        return np.sum(gradient(w, x) ** 2)

    gradient_norm = gradient_norm_of_one if len(args) == 1 else gradient_norm_of_two
    got = s2sad.grad(gradient_norm)(*args)
    assert_close(got, numerical_vjp(gradient_norm, args, [0], 1.0)[0], rtol=1e-5)
    if inner is not growing:
        autograd = pytest.importorskip("autograd")
        anp = pytest.importorskip("autograd.numpy")
        import types
        first = autograd.grad(types.FunctionType(inner.__code__, {**inner.__globals__, "np": anp}))
        reference = autograd.grad(lambda *a: anp.sum(first(*a) ** 2))(*args)
        np.testing.assert_allclose(got, reference, rtol=1e-9, atol=1e-12)


def alternating(w, xs):
    h = np.zeros(3)
    for t in range(xs.shape[0]):
        u = w @ xs[t]
        if t % 2:
            h = h + np.tanh(u)
        else:
            h = h * 0.5 + u
    return np.sum(h * h)


def test_a_branch_in_a_loop_is_refused_for_second_order_in_the_users_words():
    rng = np.random.default_rng(5)
    w, xs, v = rng.standard_normal((3, 3)), rng.standard_normal((4, 3)), rng.standard_normal((3, 3))
    assert np.all(np.isfinite(s2sad.grad(alternating)(w, xs)))  # first order is fine
    with pytest.raises(s2sad.UnsupportedSyntaxError) as refused:
        s2sad.hvp(alternating)(w, xs, vector=v)
    message = str(refused.value)
    assert "only one arm of an `if` computes" in message and "np.where" in message
    assert "tanh_u" not in message and refused.value.origin.filename == __file__
