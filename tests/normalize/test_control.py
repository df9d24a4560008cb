"""control.py: `if` as a Branch whose arms end with `phi`s where a variable's paths meet;
loops as index loops carrying what their body reassigns, the body ending with the `phi`s
that copy the next iteration's values back; conditional expressions as Branches."""

import ast

import pytest

from s2sad import ir
from s2sad.normalize import normalize

from . import functions as fn
from .listing import expected, lowered, problems


def test_if_else_records_the_condition_and_lowers_each_arm():
    # y is new in both arms: each arm assigns it under the same name, so nothing needs a phi.
    assert lowered(fn.if_else) == expected("""
        x_cmp = condition: x > 0
        if x_cmp:
            y = numpy.multiply(x, 2.0)
        else:
            y = numpy.negative(x)
        return y
    """)


def test_a_variable_one_arm_reassigns_meets_in_a_phi_at_the_end_of_both_arms():
    assert lowered(fn.if_without_else) == expected("""
        y = identity(x)
        x_cmp = condition: x > 0
        if x_cmp:
            y_1 = numpy.multiply(y, 3.0)
            y_2 = phi(y_1)
        else:
            y_2 = phi(y)
        return y_2
    """)


def test_a_phi_says_where_the_paths_meet():
    branch = normalize(fn.if_without_else).body[2]
    assert isinstance(branch, ir.Branch)
    assert branch.statement == "if x > 0:"
    assert branch.body[-1].statement == "the paths of `if x > 0:` meet"


def test_an_early_return_moves_the_rest_into_the_other_arm():
    assert lowered(fn.early_return) == expected("""
        x_cmp = condition: x > 0
        if x_cmp:
            early_return = phi(x)
        else:
            early_return = numpy.negative(x)
        return early_return
    """)


def test_a_for_loop_carries_what_its_body_reassigns():
    assert lowered(fn.for_loop) == expected("""
        s = identity(0.0)
        p = identity(x)
        steps = range: range(3)
        for i in steps [p <- p_1, s <- s_1]:
            s_1 = numpy.add(s, p)
            p_1 = numpy.multiply(p, x)
            p = phi(p_1)
            s = phi(s_1)
        for_loop = numpy.add(s, p)
        return for_loop
    """)


def test_a_loop_over_an_array_reads_one_row_per_step():
    assert lowered(fn.loop_over_rows) == expected("""
        s = identity(0.0)
        steps = range: range(len(x))
        for step in steps [s <- s_1]:
            row = getitem(x, step)
            s_1 = numpy.add(s, row)
            s = phi(s_1)
        return s
    """)


def test_an_if_in_a_loop_joins_before_the_loop_copies_back():
    assert lowered(fn.if_in_loop) == expected("""
        s = identity(x)
        steps = range: range(3)
        for i in steps [s <- s_3]:
            s_cmp = condition: s > 1.0
            if s_cmp:
                s_1 = numpy.multiply(s, 0.5)
                s_3 = phi(s_1)
            else:
                s_2 = numpy.add(s, 1.0)
                s_3 = phi(s_2)
            s = phi(s_3)
        return s
    """)


def test_a_while_loop_tests_its_condition_and_counts_its_trips():
    assert lowered(fn.while_loop) == expected("""
        y = identity(x)
        while y < 10.0 (trips) [y <- y_1]:
            y_1 = numpy.multiply(y, 2.0)
            y = phi(y_1)
        return y
    """)
    loop = normalize(fn.while_loop).body[1]
    assert isinstance(loop.test, ast.Compare) and loop.exit is None


def test_a_break_becomes_the_loops_exit_test():
    # The rest of the iteration after `break` goes to the other arm: here there is none.
    assert lowered(fn.loop_with_break) == expected("""
        s = identity(x)
        steps = range: range(5)
        for i in steps exit s_1_cmp (trips) [s <- s_1]:
            s_1 = numpy.multiply(s, 2.0)
            s_1_cmp = condition: s_1 > 3.0
            if s_1_cmp:
                pass
            else:
                pass
            s = phi(s_1)
        return s
    """)


def test_a_conditional_expression_is_a_branch_of_one_value_each():
    assert lowered(fn.conditional_expression) == expected("""
        x_cmp = condition: x > 0
        if x_cmp:
            y = phi(x)
        else:
            x_x = numpy.multiply(x, x)
            y = phi(x_x)
        conditional_expression = numpy.add(y, 1.0)
        return conditional_expression
    """)


def test_a_conditional_operand_is_a_temporary_choice():
    assert lowered(fn.conditional_operand) == expected("""
        x_cmp = condition: x > 0
        if x_cmp:
            choice = phi(x)
        else:
            choice = phi(1.0)
        conditional_operand = numpy.multiply(choice, 2.0)
        return conditional_operand
    """)


def test_a_condition_is_kept_as_written_through_the_namespace():
    assert lowered(fn.numpy_condition).splitlines()[0] == "sum_x_cmp = condition: xp.sum(x) > 0"


@pytest.mark.parametrize("fun", [fn.if_else, fn.if_without_else, fn.early_return, fn.for_loop,
                                 fn.loop_over_rows, fn.if_in_loop, fn.while_loop,
                                 fn.loop_with_break, fn.conditional_expression,
                                 fn.conditional_operand, fn.numpy_condition],
                         ids=lambda f: f.__name__)
def test_phis_close_every_arm_and_loop_body(fun):
    assert problems(normalize(fun)) == []
