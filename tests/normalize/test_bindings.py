"""bindings.py: every value a name of its own (`y`, `y_1`, `y_2` for the user's reassigned
`y`), a returned temporary renamed after the function, and the record of in-place writes
(`y[0] = ...`, `s += v`), which s2sad writes into new memory."""

import ast

import pytest

from s2sad.normalize import normalize
from s2sad.normalize.lowering import Normalizer

from . import functions as fn
from .listing import expected, line_of, lowered, problems


def writes_of(fun):
    normalizer = Normalizer(fun)
    normalizer.program()
    return [(w.new, w.old, w.statement, w.arrays_only, w.origin.lineno) for w in normalizer.writes]


def test_reassignment_makes_a_new_version_each_time():
    assert lowered(fn.reassigned) == expected("""
        y = numpy.multiply(x, 2.0)
        y_1 = numpy.add(y, x)
        y_2 = numpy.multiply(y_1, y_1)
        return y_2
    """)


def test_user_variables_are_marked_and_temporaries_are_not():
    # The returned value, named after the function, is a temporary too: no user's name.
    program = normalize(fn.nested_arithmetic)
    assert [a.user_variable for a in program.body] == [False, False, False, False]
    program = normalize(fn.reassigned)
    assert all(a.user_variable for a in program.body)


def test_a_plain_copy_is_an_identity():
    assert lowered(fn.plain_copy) == expected("""
        y = identity(x)
        plain_copy = numpy.multiply(y, 2.0)
        return plain_copy
    """)


def test_tuple_assignment_reads_every_value_before_binding():
    # a, b = b, a swaps: b_1 holds the old a, not the new one.
    assert lowered(fn.swap) == expected("""
        a_1 = identity(b)
        b_1 = identity(a)
        swap = numpy.subtract(a_1, b_1)
        return swap
    """)


def test_a_subscript_write_is_a_new_version():
    program = normalize(fn.subscript_write)
    assert lowered(fn.subscript_write) == expected("""
        y = numpy.zeros(3)
        y_1 = setitem(y, 0, x)
        return y_1
    """)
    assert ast.unparse(program.body[1].value) == "_updated(y, 0, x)"
    assert writes_of(fn.subscript_write) == [
        ("y_1", "y", "y[0] = x", False, line_of(fn.subscript_write, "y[0] = x"))]


def test_an_augmented_assignment_is_a_new_version_written_in_place_only_for_arrays():
    assert lowered(fn.augmented) == expected("""
        s_1 = numpy.add(s, v)
        return s_1
    """)
    assert writes_of(fn.augmented) == [
        ("s_1", "s", "s += v", True, line_of(fn.augmented, "s += v"))]


def test_an_augmented_subscript_reads_the_region_then_writes_it():
    assert lowered(fn.augmented_subscript) == expected("""
        y_part = getitem(y, 1:)
        y_part_x = numpy.multiply(y_part, x)
        y_1 = setitem(y, 1:, y_part_x)
        return y_1
    """)
    assert [w[:2] for w in writes_of(fn.augmented_subscript)] == [("y_1", "y")]


@pytest.mark.parametrize("fun", [fn.nested_arithmetic, fn.reassigned, fn.plain_copy, fn.swap,
                                 fn.subscript_write, fn.augmented, fn.augmented_subscript,
                                 fn.if_else, fn.for_loop, fn.if_in_loop, fn.loop_with_break,
                                 fn.calls_helper, fn.calls_doubles_in_a_loop],
                         ids=lambda f: f.__name__)
def test_every_name_is_assigned_once_on_each_path(fun):
    assert problems(normalize(fun)) == []


def test_a_name_from_one_arm_reassigned_after_the_if_gets_a_new_version():
    program = normalize(fn.one_arm_then_reassigned)
    assert problems(program) == []
