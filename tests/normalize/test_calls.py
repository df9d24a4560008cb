"""calls.py: NumPy calls become one operation named by the function's canonical name and
written through the array namespace; the user's own functions are inlined, their parameters
bound to the caller's values, their names kept apart from the caller's."""

import ast

import pytest

from s2sad.errors import UnsupportedSyntaxError
from s2sad.normalize import normalize

from . import functions as fn
from .listing import expected, line_of, lowered, problems


def test_numpy_calls_are_canonical_operations_written_through_the_namespace():
    program = normalize(fn.calls_numpy)
    assert lowered(fn.calls_numpy) == expected("""
        tanh_x = numpy.tanh(x)
        calls_numpy = numpy.sum(tanh_x, axis=0)
        return calls_numpy
    """)
    assert [ast.unparse(a.value) for a in program.body] == ["xp.tanh(x)", "xp.sum(tanh_x, axis=0)"]


def test_builtin_abs_and_sum_are_numpys():
    program = normalize(fn.calls_builtins)
    assert lowered(fn.calls_builtins) == expected("""
        abs_x = numpy.absolute(x)
        sum_x = numpy.sum(x, axis=0)
        calls_builtins = numpy.add(abs_x, sum_x)
        return calls_builtins
    """)
    assert ast.unparse(program.body[1].value) == "xp.sum(x, axis=0)"


def test_an_array_of_a_list_has_a_rule_of_its_own():
    assert lowered(fn.array_of_a_list) == expected("""
        array_of_a_list = numpy.array(list)([x, x])
        return array_of_a_list
    """)


def test_a_helper_is_inlined_with_the_callers_values_bound():
    # helper(x) binds a=x and the default b=2.0; helper(y, b=x) binds a=y, b=x. The second
    # call's `t` is a name of its own.
    assert lowered(fn.calls_helper) == expected("""
        t = numpy.multiply(x, 2.0)
        y = numpy.add(t, 1.0)
        t_2 = numpy.multiply(y, x)
        calls_helper = numpy.add(t_2, 1.0)
        return calls_helper
    """)


def test_inlined_code_points_at_the_helpers_lines_and_the_call():
    program = normalize(fn.calls_helper)
    first = line_of(fn.calls_helper, "y = helper(x)")
    second = line_of(fn.calls_helper, "return helper(y, b=x)")
    assert [a.context for a in program.body] == [
        f"helper, called on line {first}", f"helper, called on line {first}",
        f"helper, called on line {second}", f"helper, called on line {second}"]
    assert [a.origin.lineno for a in program.body] == [
        line_of(fn.helper, "t = a * b"), line_of(fn.helper, "return t + 1.0")] * 2


def test_a_helpers_names_do_not_hide_the_callers():
    assert lowered(fn.caller_with_helpers_name) == expected("""
        t = numpy.add(x, 1.0)
        t_2 = numpy.multiply(t, 2.0)
        u = numpy.add(t_2, 1.0)
        caller_with_helpers_name = numpy.multiply(t, u)
        return caller_with_helpers_name
    """)


def test_a_helper_returning_a_tuple_is_unpacked():
    assert lowered(fn.calls_pair) == expected("""
        v = numpy.multiply(x, x)
        u = identity(x)
        calls_pair = numpy.add(u, v)
        return calls_pair
    """)


def test_a_helper_looping_over_its_parameter_leaves_the_callers_value_alone():
    # The loop carries a copy of x (named y, the value the call returns), never x itself.
    assert lowered(fn.calls_doubles_in_a_loop) == expected("""
        steps = range: range(2)
        y = identity(x)
        for i in steps [y <- a_2]:
            a_2 = numpy.multiply(y, 2.0)
            y = phi(a_2)
        calls_doubles_in_a_loop = numpy.add(x, y)
        return calls_doubles_in_a_loop
    """)
    assert problems(normalize(fn.calls_doubles_in_a_loop)) == []


def test_a_nested_function_is_inlined_and_its_numbers_folded():
    # twice(1.0) is 1.0 * 2.0: a literal once inlined.
    assert lowered(fn.local_function) == expected("""
        twice_result = numpy.multiply(x, 2.0)
        local_function = numpy.add(twice_result, 2.0)
        return local_function
    """)


def test_a_helper_in_a_condition_is_computed_before_it():
    assert lowered(fn.helper_in_condition) == expected("""
        t = numpy.multiply(x, 2.0)
        helper_result = numpy.add(t, 1.0)
        helper_result_cmp = condition: helper_result > 0
        if helper_result_cmp:
            y = identity(x)
        else:
            y = numpy.negative(x)
        return y
    """)


def test_recursion_is_refused_at_the_call():
    with pytest.raises(UnsupportedSyntaxError, match="`recursive` calls itself") as caught:
        normalize(fn.recursive)
    assert caught.value.origin.lineno == line_of(fn.recursive, "return recursive(x)")
