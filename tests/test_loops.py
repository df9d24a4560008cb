"""Loops: finite differences, autograd, and how much the tape keeps."""

import tracemalloc

import loop_functions as lf
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

rng = np.random.default_rng(9)


def randn(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


CASES = [
    ("rnn", lf.rnn, [randn(4, 4, scale=0.5), randn(4, 3, scale=0.5), randn(6, 3), randn(4)], (0, 1, 3)),
    ("lecture depth", lf.lecture_depth, [randn(3, 4, 4, scale=0.5), randn(4), 3], (0, 1)),
    ("rows", lf.rows, [randn(5, 3), randn(3)], (0, 1)),
    ("enumerate", lf.enumerated, [randn(4, 3), randn(3)], (0, 1)),
    ("zip", lf.zipped, [randn(5), randn(4)], (0, 1)),
    ("nested", lf.nested, [randn(3, scale=0.5), randn(3)], (0, 1)),
    ("branch inside", lf.branch_inside, [randn(3), randn(3, scale=0.3)], (0, 1)),
    ("scalar loop", lf.scalar_loop, [0.3, -0.2, 50], (0, 1)),
    ("calls in loop", lf.calls_in_loop, [randn(3, 3, scale=0.5), randn(3)], (0, 1)),
    ("zero iterations", lf.empty_loop, [randn(3), 0], (0,)),
    ("break on data", lf.breaks_on_data, [randn(3), np.array([0.9, 1.1, 0.7])], (0, 1)),
    ("break before the data test", lf.breaks_on_data, [np.array([1.0, 2.0, 3.0]),
                                                       np.array([0.9, 1.1, 0.7])], (0, 1)),
    ("break nested", lf.breaks_nested, [randn(6)], (0,)),
    ("break over elements", lf.breaks_over_elements, [np.array([1.0, 2.0, -1.0, 3.0])], (0,)),
    ("break never taken", lf.breaks_over_elements, [np.array([1.0, 2.0, 1.0, 3.0])], (0,)),
    ("break inner loop", lf.breaks_inner_loop, [randn(3), randn(3, 3, scale=0.6)], (0, 1)),
    ("break at once", lf.breaks_at_once, [randn(3)], (0,)),
    # A wrong gradient before: the adjoint the code after the loop gives the body's value
    # reached every iteration, not the last one only.
    ("last value read after", lf.last_value_read_after, [randn(3, 3, scale=0.5), randn(3, 3)], (0, 1)),
    ("last value and a later loop", lf.last_value_and_a_later_loop,
     [randn(3, 3, scale=0.5), randn(3, 3)], (0, 1)),
    ("a name reused by two loops", lf.reused_name_in_two_loops,
     [randn(3, 3, scale=0.5), randn(3, 3)], (0, 1)),
    ("reversed range", lf.reversed_range, [randn(3, 3, scale=0.5), randn(3, 3)], (0, 1)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loop_gradient_matches_finite_differences(case):
    _, fun, args, wrt = case
    copies = [np.copy(a) for a in args]
    got = s2sad.grad(fun, wrt=wrt)(*args)
    expected = numerical_vjp(fun, args, list(wrt), 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)


def test_rnn_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def reference(w, u, xs, h0):
        h = h0
        for t in range(xs.shape[0]):
            h = anp.tanh(w @ h + u @ xs[t])
        return anp.sum(h * h)

    args = [randn(5, 5, scale=0.4), randn(5, 2, scale=0.4), randn(20, 2), randn(5)]
    expected = autograd.grad(reference, argnum=(0, 1, 3))(*args)
    for g, e in zip(s2sad.grad(lf.rnn, wrt=(0, 1, 3))(*args), expected):
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


def test_the_backward_is_a_loop_not_an_unrolling():
    source = s2sad.grad(lf.rnn, wrt=(0, 1, 3)).source
    assert source.count("for t in steps:") == 1
    assert source.count("for t in reversed(steps):") == 1
    assert source.count("tape.pop()") == 1 and source.count("tape.append(") == 1


def _peak_bytes(gradient, steps, hidden):
    args = [randn(hidden, hidden, scale=0.05), randn(hidden, 8, scale=0.1), randn(steps, 8),
            randn(hidden)]
    gradient(*args)
    tracemalloc.start()
    try:
        gradient(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_1000_step_rnn_tapes_about_one_hidden_state_per_step():
    """What each extra step costs at the peak: the tape's share, fixed costs cancelled out."""
    hidden = 256
    gradient = s2sad.grad(lf.rnn, wrt=(0, 1, 3))
    per_step = (_peak_bytes(gradient, 2000, hidden) - _peak_bytes(gradient, 1000, hidden)) / 1000
    state_bytes = hidden * 8
    assert state_bytes <= per_step < 1.5 * state_bytes, f"{per_step:.0f} bytes a step"


def test_a_loop_index_scatters_with_plain_indexing():
    """A range index is one int: no element repeats, so `dk[i] += ...` is exact and fast."""
    source = s2sad.grad(lf.scalar_loop_over_elements, wrt=(0, 1)).source
    assert "dk[i] += " in source and "add.at" not in source
    k, c = rng.uniform(0.5, 1.5, 30), rng.uniform(0.0, 0.1, 30)
    got = s2sad.grad(lf.scalar_loop_over_elements, wrt=(0, 1))(k, c, 0.3, -0.2, 30)
    expected = numerical_vjp(lf.scalar_loop_over_elements, [k, c, 0.3, -0.2, 30], [0, 1], 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)


@pytest.mark.parametrize("scale", [0.2, 3.0], ids=["no iteration", "several iterations"])
def test_while_loop_with_a_data_dependent_trip_count(scale):
    x, w = randn(4) * scale, randn(4) * scale
    got = s2sad.grad(lf.halve_until_small, wrt=(0, 1))(x, w)
    expected = numerical_vjp(lf.halve_until_small, [x, w], [0, 1], 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)
    source = s2sad.grad(lf.halve_until_small, wrt=(0, 1)).source
    assert "trips += 1" in source and "for _ in range(trips):" in source


SUBSCRIPT_CASES = [
    ("states filled in a loop", lf.fill_states, [randn(3, 3, scale=0.5), randn(3)], (0, 1)),
    ("slices, += and *= on parts", lf.update_parts, [randn(5), randn(2)], (0, 1)),
    ("a write into an argument", lf.writes_into_argument, [randn(3), 0.7], (0, 1)),
]


@pytest.mark.parametrize("case", SUBSCRIPT_CASES, ids=[c[0] for c in SUBSCRIPT_CASES])
def test_subscript_writes(case):
    _, fun, args, wrt = case
    copies = [np.copy(a) for a in args]
    got = s2sad.grad(fun, wrt=wrt)(*args)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)  # the caller's arrays are never written
    expected = numerical_vjp(fun, args, list(wrt), 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)


@pytest.mark.parametrize("xs", [[-1.0, 1.0], [1.0, -1.0], [-1.0, -2.0]])
def test_values_one_arm_defines_are_taped_only_when_that_arm_ran(xs):
    xs = np.array(xs)
    got = s2sad.grad(lf.branch_defined_values, wrt="w")(1.5, xs)
    assert_close(got, numerical_vjp(lf.branch_defined_values, [1.5, xs], [0], 1.0)[0])


def test_continue_skips_the_rest_of_an_iteration():
    x = np.array([0.3, -0.5, 1.2, 2.0, -0.1, 0.05])
    source = s2sad.grad(lf.skips_with_continue, wrt=(0, 1)).source
    forward = source.split("# backward")[0].split("# forward")[1]
    assert all(line.strip() != "continue" for line in forward.splitlines())
    got = s2sad.grad(lf.skips_with_continue, wrt=(0, 1))(x, 0.9)
    expected = numerical_vjp(lf.skips_with_continue, [x, 0.9], [0, 1], 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)


def test_values_needed_only_through_the_back_edge():
    """`c` is computed after `b` reads it: only the next iteration makes it matter."""
    x, w = randn(3), randn(3)
    got = s2sad.grad(lf.needed_through_the_back_edge, wrt=(0, 1))(x, w)
    expected = numerical_vjp(lf.needed_through_the_back_edge, [x, w], [0, 1], 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)


def test_a_loop_that_runs_zero_times_leaves_its_variables_untouched():
    """Found by the random programs: the forward never assigned what the backward read."""
    x = randn(3)
    np.testing.assert_allclose(s2sad.grad(lf.empty_loop)(x, 0), 2.0 ** 0 * np.ones(3))
    np.testing.assert_allclose(s2sad.grad(lf.tanh_steps)(x, 0), np.ones(3))


def test_no_value_assigned_in_a_loop_stands_in_for_another_s_shape():
    source = s2sad.grad(lf.tanh_steps).source
    assert "full_like(x_1, " in source  # the value the loop leaves, under its own name
    assert "# line 158: the argument x, as the loop begins" in source


@pytest.mark.parametrize("n", [0, 2])
def test_a_variable_only_a_nested_loop_reassigns(n):
    """Found by the random programs: the outer loop dropped the adjoint of x."""
    x = randn(3)
    got = s2sad.grad(lf.nested_empty)(x, n)
    assert_close(got, numerical_vjp(lf.nested_empty, [x, n], [0], 1.0)[0])


def test_for_iterates_over_the_array_the_loop_began_with():
    """Python's `for e in x` keeps iterating the old array after the body rebinds x."""
    x = randn(3) * 0.5
    got = s2sad.grad(lf.iterates_what_it_reassigns, wrt=(0, 1))(x.copy(), 0.2)
    expected = numerical_vjp(lambda x, a: lf.iterates_what_it_reassigns(x.copy(), a), [x, 0.2],
                             [0, 1], 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)


def test_a_write_through_an_alias_of_a_value_read_later_is_refused():
    """Found by the random programs: NumPy's write through y = x also changes x."""
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="would also change `x`"):
        _ = s2sad.grad(lf.writes_through_an_alias).source


def test_a_loop_whose_body_only_prints(capsys):
    """Found by the random programs: the loop's range was folded away from under it."""
    x = randn(3)
    np.testing.assert_array_equal(s2sad.grad(lf.loop_that_only_prints)(x, 1.5), np.ones(3))
    assert capsys.readouterr().out == "a = 1.5\na = 1.5\n"


def test_an_alias_made_by_a_conditional_expression_is_seen():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="would also change `y`"):
        _ = s2sad.grad(lf.aliased_by_a_conditional_expression).source
