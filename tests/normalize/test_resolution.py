"""resolution.py: local names read their current version; module constants and closure
values become named constants of the program; arrays and other data they hold become
externals, read when the gradient is called; NumPy's constants go through the array
namespace; anything else a function reads from outside is refused at its line."""

import ast

import pytest

from s2sad.errors import UnsupportedSyntaxError
from s2sad.normalize import normalize

from . import functions as fn
from .listing import expected, line_of, lowered


def test_global_constants_stay_names_and_are_recorded():
    program = normalize(fn.global_constants)
    assert lowered(fn.global_constants) == expected("""
        x_SCALE = numpy.multiply(x, SCALE)
        sum_x = numpy.sum(x, axis=AXIS)
        global_constants = numpy.add(x_SCALE, sum_x)
        return global_constants
    """)
    assert program.constants == {"SCALE": 3.0, "AXIS": 1}


def test_a_numpy_constant_is_read_through_the_namespace():
    program = normalize(fn.numpy_constant)
    assert lowered(fn.numpy_constant) == expected("""
        numpy_constant = numpy.multiply(x, xp.pi)
        return numpy_constant
    """)
    assert program.constants == {}


def test_closure_values_are_constants():
    closure = fn.make_closure(1.5)
    program = normalize(closure)
    assert lowered(closure) == expected("""
        x_scale = numpy.multiply(x, scale)
        closure = numpy.add(x_scale, offset)
        return closure
    """)
    assert program.constants == {"scale": 1.5, "offset": 2.0}


def test_the_namespace_gets_another_name_where_the_function_uses_xp():
    program = normalize(fn.parameter_named_xp)
    assert program.namespace == "xp_"
    (node,) = program.body
    assert node.op == "numpy.tanh" and ast.unparse(node.value) == "xp_.tanh(xp)"


def refusal(fun):
    with pytest.raises(UnsupportedSyntaxError) as caught:
        normalize(fun)
    return caught.value


def test_an_undefined_name_is_refused_at_its_line():
    error = refusal(fn.undefined_name)
    assert "`NOT_DEFINED` is not defined" in error.message
    assert error.origin.filename == fn.__file__
    assert error.origin.lineno == line_of(fn.undefined_name, "NOT_DEFINED")


def test_an_array_from_a_closure_is_an_external_read_at_call_time():
    closure = fn.make_array_closure()
    program = normalize(closure)
    assert lowered(closure) == expected("""
        closure = numpy.multiply(x, weights)
        return closure
    """)
    (external,) = program.externals
    assert (external.parameter, external.name, external.where) == ("weights", "weights", "closure")
    assert external.origin.lineno == line_of(closure, "x * weights")
    assert external.current() is closure.__closure__[0].cell_contents
    assert program.constants == {}


def test_a_module_as_a_value_is_refused():
    error = refusal(fn.module_as_value)
    assert "the module `np` can only be used to call its functions" in error.message
    assert error.origin.lineno == line_of(fn.module_as_value, "return np")
