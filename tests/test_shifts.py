"""The max subtracted before a (log-)softmax: no adjoint flows to it where no output
depends on it, and the general backward where one does."""

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

rng = np.random.default_rng(17)


def log_softmax_loss(z, y):
    zs = z - np.max(z, axis=1, keepdims=True)
    log_p = zs - np.log(np.sum(np.exp(zs), axis=1, keepdims=True))
    return -np.mean(np.sum(y * log_p, axis=1))


def softmax_loss(z, y):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    return np.sum((p - y) ** 2)


def both_loss(z, y):
    zs = z - np.max(z, axis=0, keepdims=True)
    e = np.exp(zs)
    s = np.sum(e, axis=0, keepdims=True)
    return np.sum(y * (zs - np.log(s))) + np.sum(np.sqrt(e / s))


def logsumexp(z, y):
    m = np.max(z, axis=1, keepdims=True)
    zs = z - m
    return np.sum(y * (m + np.log(np.sum(np.exp(zs), axis=1, keepdims=True))))


def other_axis(z, y):
    zs = z - np.max(z, axis=1, keepdims=True)
    log_p = zs - np.log(np.sum(np.exp(zs), axis=0, keepdims=True))
    return np.sum(y * log_p)


def shifted_read_elsewhere(z, y):
    zs = z - np.max(z, axis=1, keepdims=True)
    log_p = zs - np.log(np.sum(np.exp(zs), axis=1, keepdims=True))
    return np.sum(y * log_p) + np.sum(zs * zs)


def unshifted_minus_normalizer(z, y):
    zs = z - np.max(z, axis=1, keepdims=True)
    return np.sum(y * (z - np.log(np.sum(np.exp(zs), axis=1, keepdims=True))))


def check(fun):
    z, y = rng.standard_normal((5, 4)) * 3.0, rng.uniform(0.0, 1.0, (5, 4))
    gradient = s2sad.grad(fun)
    expected = numerical_vjp(fun, [z, y], [0], 1.0)[0]
    for _ in range(2):  # the general gradient, then the variant for these shapes
        assert_close(gradient(z, y), expected)
    return gradient.source.split("\ndef _")[0]


@pytest.mark.parametrize("fun", [log_softmax_loss, softmax_loss, both_loss])
def test_the_max_before_a_softmax_gets_no_adjoint(fun):
    assert "_extremum_adjoint" not in check(fun)


@pytest.mark.parametrize("fun", [logsumexp, other_axis, shifted_read_elsewhere,
                                 unshifted_minus_normalizer])
def test_a_max_an_output_depends_on_keeps_its_adjoint(fun):
    assert "_extremum_adjoint" in check(fun)


def test_the_hessian_of_a_softmax_loss_matches_differences_of_the_gradient():
    z, y = rng.standard_normal((3, 4)), rng.uniform(0.0, 1.0, (3, 4))
    v = rng.standard_normal((3, 4))
    got = s2sad.hvp(log_softmax_loss)(z, y, vector=v)
    gradient = s2sad.grad(log_softmax_loss)
    eps = 1e-5
    expected = (gradient(z + eps * v, y) - gradient(z - eps * v, y)) / (2 * eps)
    assert_close(got, expected, rtol=1e-6, atol=1e-8)
