"""Calls to user functions and the assignment forms of issue 3, against finite differences."""

import call_functions as cf
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

rng = np.random.default_rng(11)


def randn(*shape):
    return rng.standard_normal(shape)


CASES = [
    (cf.siamese, [randn(3, 4), randn(3, 1), randn(4, 5), randn(4, 5)], (0, 1)),
    (cf.deep, [randn(3, 4) * 0.5, randn(2, 3) * 0.5, randn(4, 2)], (0, 1)),
    (cf.unpack_call, [rng.uniform(1.0, 2.0, 5)], (0,)),
    (cf.other_module, [randn(4)], (0,)),
    (cf.closure, [randn(3), randn(3)], (0, 1)),
    (cf.lambda_helper, [randn(4)], (0,)),
    (cf.augmented, [randn(4), randn(4)], (0, 1)),
    (cf.swap, [randn(3), randn(3) * 0.3], (0, 1)),
    (cf.unpack_rows, [randn(2, 3)], (0,)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_matches_finite_differences(case):
    fun, args, wrt = case
    copies = [a.copy() for a in args]
    got = s2sad.grad(fun, wrt=wrt)(*args)
    expected = numerical_vjp(fun, args, list(wrt), 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)


def test_shared_weights_sum_both_calls_contributions():
    w, b, xa, xb = randn(3, 4), randn(3, 1), randn(4, 5), randn(4, 5)
    dw, _ = s2sad.grad(cf.siamese, wrt=("w", "b"))(w, b, xa, xb)
    dwa, dwb = s2sad.grad(cf.siamese_untied, wrt=("wa", "wb"))(w, w, b, xa, xb)
    np.testing.assert_allclose(dw, dwa + dwb, rtol=1e-12, atol=1e-12)


def test_siamese_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def reference(w, b, xa, xb):
        d = anp.tanh(w @ xa + b) - anp.tanh(w @ xb + b)
        return anp.sum(d * d)

    args = [randn(3, 4), randn(3, 1), randn(4, 5), randn(4, 5)]
    expected = autograd.grad(reference, argnum=(0, 1))(*args)
    for g, e in zip(s2sad.grad(cf.siamese, wrt=(0, 1))(*args), expected):
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


def test_inlined_blocks_name_the_callee_and_the_call_site():
    source = s2sad.grad(cf.siamese, wrt=("w", "b")).source
    assert "(embed, called on line" in source
    code = [line.strip() for line in source.splitlines()]
    assert "ea = xp.tanh(w_xa_b)" in code and "eb = xp.tanh(w_xb_b)" in code


def test_callee_constants_come_along_into_the_saved_module():
    source = s2sad.grad(cf.other_module).source
    assert "\nGAIN = 0.5\n" in source and "xp.tanh(" in source


def test_vjp_of_a_function_returning_its_argument():
    x, cotangent = randn(3), randn(3)
    dx = s2sad.vjp(cf.returns_argument_unchanged)(x, cotangent=cotangent)
    np.testing.assert_array_equal(dx, cotangent)
    assert not np.shares_memory(dx, cotangent)


def test_print_and_assert_run_in_the_forward_and_get_no_adjoints(capsys):
    x, w = randn(4, 3), randn(3, 2)
    gradient = s2sad.grad(cf.with_effects, wrt="w")
    dw = gradient(x, w)
    assert capsys.readouterr().out.startswith("batch 4 mean activation")
    capsys.readouterr()
    expected = numerical_vjp(cf.with_effects, [x, w], [1], 1.0)[0]
    capsys.readouterr()
    assert_close(dw, expected)
    source = gradient.source
    assert "dmean_h" not in source and "print(" in source and "assert n > 0" in source
    with pytest.raises(AssertionError, match="empty batch"):
        gradient(np.zeros((0, 3)), w)
