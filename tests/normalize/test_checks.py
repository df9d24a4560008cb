"""checks.py: s2sad writes `y[0] = v` and `s += v` into new memory, so it refuses a write
after which NumPy would show the update through a view made before it and read after it;
where that depends on whether `s` holds an array, it guards the write when the gradient
runs. A write into a view NumPy makes read-only is refused, as NumPy refuses it."""

import pytest

from s2sad import ir
from s2sad.errors import UnsupportedSyntaxError
from s2sad.normalize import normalize

from . import functions as fn
from .listing import expected, line_of, lowered


def refusal(fun):
    with pytest.raises(UnsupportedSyntaxError) as caught:
        normalize(fun)
    return caught.value


def test_a_view_read_after_a_write_is_refused_at_the_write():
    error = refusal(fn.view_read_after_write)
    assert error.origin.filename == fn.__file__
    assert error.origin.lineno == line_of(fn.view_read_after_write, "x[0] = 5.0")
    made = line_of(fn.view_read_after_write, "v = x[0]")
    assert f"`x[0] = 5.0` would also change `v` (line {made})" in error.message


def test_an_alias_read_after_a_write_is_refused():
    error = refusal(fn.alias_read_after_write)
    assert error.origin.lineno == line_of(fn.alias_read_after_write, "x[0] = 1.0")
    assert "change `v`" in error.message


def test_a_write_in_a_branch_with_a_view_read_after_the_if_is_refused():
    error = refusal(fn.transpose_read_after_write_in_branch)
    assert error.origin.lineno == line_of(fn.transpose_read_after_write_in_branch, "x[0] = 1.0")


def test_a_view_only_read_before_the_write_is_accepted():
    assert lowered(fn.view_used_before_write) == expected("""
        v = getitem(x, 0)
        w = numpy.multiply(v, 2.0)
        x_1 = setitem(x, 0, 5.0)
        view_used_before_write = numpy.multiply(w, x_1)
        return view_used_before_write
    """)


def test_indexing_by_a_list_copies_so_it_is_accepted():
    assert lowered(fn.list_index_copies) == expected("""
        v = getitem(x, [0, 1])
        x_1 = setitem(x, 0, 5.0)
        list_index_copies = numpy.multiply(v, x_1)
        return list_index_copies
    """)


def test_a_view_made_again_in_each_iteration_is_accepted():
    assert lowered(fn.view_rebuilt_each_iteration) == expected("""
        steps = range: range(3)
        x_1 = identity(x)
        for i in steps [x_1 <- x_2]:
            v = getitem(x_1, 0)
            v_times_2 = numpy.multiply(v, 2.0)
            x_2 = setitem(x_1, 0, v_times_2)
            x_1 = phi(x_2)
        return x_1
    """)


def test_an_augmented_update_of_a_view_is_guarded_when_the_gradient_runs():
    # s = x[0] is a view of x only where x is a matrix: `s += 1.0` then changes x too.
    program = normalize(fn.augmented_view)
    assert lowered(fn.augmented_view) == expected("""
        s = getitem(x, 0)
        effect: _refuse_in_place(s, 's += 1.0', {'x': x})
        s_1 = numpy.add(s, 1.0)
        augmented_view = numpy.multiply(s_1, x)
        return augmented_view
    """)
    error = program.in_place_errors[("s += 1.0", "x")]
    assert isinstance(error, UnsupportedSyntaxError)
    assert error.origin.lineno == line_of(fn.augmented_view, "s += 1.0")
    assert isinstance(program.body[1], ir.Effect)


def test_an_augmented_update_without_views_is_not_guarded():
    program = normalize(fn.augmented)
    assert program.in_place_errors == {}
    assert not any(isinstance(node, ir.Effect) for node in program.body)


def test_a_write_into_a_read_only_view_is_refused():
    error = refusal(fn.write_into_broadcast)
    assert "writes into a read-only view (`broadcast_to`)" in error.message
    assert error.origin.lineno == line_of(fn.write_into_broadcast, "b[0] = 1.0")
