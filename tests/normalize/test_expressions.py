"""expressions.py: a nested expression becomes one operation per assignment, each operand a
name or a literal, temporaries named after what they compute; Python numbers that meet are
folded into one literal."""

import ast

from s2sad.normalize import normalize

from . import functions as fn
from .listing import expected, is_atom, lowered


def test_nested_arithmetic_is_split_innermost_first():
    # (x + y) * (x - 2.0) / y: the two sums, their product, then the quotient, which takes
    # the function's name since it is returned.
    assert lowered(fn.nested_arithmetic) == expected("""
        x_y = numpy.add(x, y)
        x_minus_2 = numpy.subtract(x, 2.0)
        x_y_x_minus_2 = numpy.multiply(x_y, x_minus_2)
        nested_arithmetic = numpy.divide(x_y_x_minus_2, y)
        return nested_arithmetic
    """)


def test_each_assignment_is_one_operation_over_atoms():
    program = normalize(fn.nested_arithmetic)
    for node in program.body:
        assert all(is_atom(a) for a in node.args), node.target
        assert isinstance(node.value, ast.BinOp)
        assert is_atom(node.value.left) and is_atom(node.value.right)


def test_python_numbers_that_meet_are_folded():
    # 2.0 * 3.0 + 1.0 is 7.0 before x is multiplied.
    assert lowered(fn.folded_numbers) == expected("""
        folded_numbers = numpy.multiply(x, 7.0)
        return folded_numbers
    """)


def test_a_negative_fold_stays_a_literal():
    program = normalize(fn.negative_fold)
    (node,) = program.body
    assert node.op == "numpy.multiply"
    assert ast.unparse(node.args[1]) == "-2.0"
    assert ast.literal_eval(node.args[1]) == -2.0


def test_unary_minus_applies_to_the_power():
    # -x ** 2 is -(x ** 2) in Python: the power first, then its negative.
    assert lowered(fn.minus_power) == expected("""
        x_pow_2 = numpy.power(x, 2)
        minus_power = numpy.negative(x_pow_2)
        return minus_power
    """)


def test_methods_and_attributes_take_the_receiver_first():
    assert lowered(fn.method_and_attribute) == expected("""
        sum_x = method.sum(x, axis=0)
        x_T = attribute.T(x)
        method_and_attribute = numpy.add(sum_x, x_T)
        return method_and_attribute
    """)


def test_subscripts_keep_their_index():
    assert lowered(fn.subscript_and_slice) == expected("""
        x_i = getitem(x, i)
        x_part = getitem(x, 1:3)
        subscript_and_slice = numpy.multiply(x_i, x_part)
        return subscript_and_slice
    """)


def test_a_fold_of_integers_too_large_for_a_float_does_not_crash():
    program = normalize(fn.huge_integer)
    assert [a.op for a in program.body] == ["numpy.multiply"]
