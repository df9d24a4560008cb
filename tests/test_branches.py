"""Branches on data: both arms against finite differences and autograd, and the refusals."""

import branch_functions as bf
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

rng = np.random.default_rng(5)

CASES = [
    ("all positive", bf.relu_or_leaky, [rng.uniform(0.5, 1.0, 4), 0.3], (0, 1)),
    ("any below -1", bf.relu_or_leaky, [np.array([-2.0, 0.5, 0.3]), 0.3], (0, 1)),
    ("neither", bf.relu_or_leaky, [np.array([-0.5, 0.5, 0.3]), 0.3], (0,)),
    ("huber both arms", bf.huber_total, [np.array([0.3, 0.1]), np.array([0.0, 0.2])], (0, 1)),
    ("huber linear arm", bf.huber_total, [np.array([2.0, 1.5]), np.array([0.0, 0.2])], (0, 1)),
    ("small weights", bf.clipped_scale, [rng.standard_normal(3), rng.uniform(0.1, 0.3, 3)], (0, 1)),
    ("large weights", bf.clipped_scale, [rng.standard_normal(3), rng.uniform(1.0, 2.0, 3)], (0, 1)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_the_arm_that_ran_is_differentiated(case):
    _, fun, args, wrt = case
    got = s2sad.grad(fun, wrt=wrt)(*args)
    expected = numerical_vjp(fun, args, list(wrt), 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)


@pytest.mark.parametrize("x", [np.array([1.0, 2.0]), np.array([-1.0, -3.0])], ids=["then", "else"])
def test_tuple_returns_on_both_paths(x):
    cotangent = (0.7, -1.3)
    got = s2sad.vjp(bf.two_outputs)(x, cotangent=cotangent)
    assert_close(got, numerical_vjp(bf.two_outputs, [x], [0], cotangent)[0])


def test_huber_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def huber(r, delta=1.0):
        a = anp.abs(r)
        return 0.5 * r * r if a <= delta else delta * (a - 0.5 * delta)

    def reference(x, y):
        r = anp.sum(x - y)
        return huber(r) + huber(2.0 * r, delta=0.5)

    for x in (np.array([0.3, 0.1]), np.array([2.0, 1.5])):
        y = np.array([0.0, 0.2])
        expected = autograd.grad(reference, argnum=(0, 1))(x, y)
        for g, e in zip(s2sad.grad(bf.huber_total, wrt=(0, 1))(x, y), expected):
            np.testing.assert_allclose(g, e, rtol=1e-12)


def test_the_backward_replays_the_recorded_branch():
    source = s2sad.grad(bf.huber_total, wrt="x").source
    forward, backward = source.split("# backward")
    for condition in ("a_cmp", "a_2_cmp"):
        assert f"    {condition} = " in forward and f"    if {condition}:" in forward
        assert f"    if {condition}:" in backward
    assert "(huber, called on line" in backward


def test_a_value_defined_on_one_path_only_is_refused():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="not defined"):
        _ = s2sad.grad(bf.defined_in_one_arm).source


def test_a_path_without_return_is_refused():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="one path through this `if` returns"):
        _ = s2sad.grad(bf.returns_on_one_path).source


@pytest.mark.parametrize("scale", [1.0, -1.0], ids=["then", "loop arm"])
def test_a_loop_inside_an_arm_reassigning_an_outer_variable(scale):
    """Found by the random programs: the branch merge dropped the outer variable's adjoint."""
    x, w = rng.standard_normal(3), scale * rng.uniform(0.5, 1.0, 3)
    got = s2sad.grad(bf.loop_inside_an_arm, wrt=(0, 1))(x, w)
    expected = numerical_vjp(bf.loop_inside_an_arm, [x, w], [0, 1], 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)
