"""Issue 8's silent wrong gradients, crashes and refusals, each against central differences."""

import numpy as np
import pytest
import wrong_gradient_functions as fns
from gradcheck import assert_close, numerical_vjp

import s2sad

RNG = np.random.default_rng(8)


def check(fun, args, wrt=(0,)):
    """s2sad's gradient of `fun` with respect to the positions `wrt`, against differences."""
    got = s2sad.grad(fun, wrt=tuple(wrt))(*args)
    expected = numerical_vjp(fun, args, list(wrt), 1.0)
    for position, g, e in zip(wrt, got, expected):
        assert_close(g, e, rtol=1e-6, atol=1e-8, name=f"gradient {position}")
    return got


@pytest.mark.parametrize("fun", [fns.rebinds_in_callee, fns.rebinds_a_literal,
                                 fns.rebinds_a_default])
def test_a_callee_rebinding_its_parameter_in_a_loop_leaves_the_callers_value(fun):
    check(fun, [RNG.normal(size=3)])


@pytest.mark.parametrize("fun", [fns.reset_accumulator, fns.reset_accumulator_rows,
                                 fns.reset_accumulator_in_branch])
def test_an_accumulator_reset_by_the_outer_loop_counts_every_outer_iteration(fun):
    x = RNG.normal(size=(3, 4))
    x[:, 0] = [0.5, -0.7, 0.9]
    check(fun, [x])


def test_random_programs_of_the_shared_regressions():
    check(fns.random_program_1, [RNG.normal(size=(3, 4))])
    check(fns.random_program_2, [-0.8, RNG.normal(size=(3, 1)), -1.06, RNG.normal(size=(3, 4))],
          wrt=(1, 2, 3))


def test_random_program_with_a_tuple_argument():
    x, pair = RNG.normal(size=(3, 4)), (RNG.normal(size=(3, 4)), RNG.normal(size=4))
    dpair = s2sad.grad(fns.random_program_3, wrt="pair")(x, pair)
    assert isinstance(dpair, tuple) and len(dpair) == 2
    first = numerical_vjp(lambda p0: fns.random_program_3(x, (p0, pair[1])), [pair[0]], [0], 1.0)
    assert_close(dpair[0], first[0], rtol=1e-6, atol=1e-8, name="dpair[0]")
    assert_close(dpair[1], np.cos(pair[1]), rtol=1e-12, atol=1e-12, name="dpair[1]")
