"""The generated code a reviewer would pass: no alias lines, no useless lines, each cleanup
checked against the source it must (not) contain and the gradient against central
differences."""

import re

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

rng = np.random.default_rng(6)


def randn(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def check_gradient(fun, args, wrt):
    gradient = s2sad.grad(fun, wrt=wrt)
    got = gradient(*args)
    got = got if isinstance(got, tuple) else (got,)
    expected = numerical_vjp(fun, args, list(wrt), 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)
    return gradient.source


def backward_of(source):
    """The lines of the gradient function after `# backward`, before the helpers."""
    body = source.split("# backward", 1)[1]
    return body.split("\ndef _", 1)[0]


ALIAS = re.compile(r"^\s*(\w+) = (\w+)\s*$", re.MULTILINE)


# -- copy propagation ---------------------------------------------------------------------

def recurrent(w, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ w + xs[t])
    return np.sum(h * h)


def huber_sum(w, x):
    r = x @ w
    if np.sum(r) > 0.0:
        s = np.sum(r * r)
    else:
        s = np.sum(abs(r) - 0.5)
    return s


def renamed(x, w):
    y = x * w
    z = y
    u = z
    return np.sum(u * x) + np.sum(z)


def alias_then_added_into(x):
    y = np.sin(x)
    z = y
    total = np.sum(z * z)
    z2 = z * 3.0
    return total + np.sum(z2 * y)


def test_a_loop_carried_adjoint_gets_no_alias_at_the_iteration_boundary():
    source = check_gradient(recurrent, [randn(3, 3, scale=0.5), randn(4, 3), randn(3)], (0, 1, 2))
    backward = backward_of(source)
    assert "dh_1 = dh" not in backward
    assert "the next iteration begins" not in backward


def test_an_arm_reads_the_adjoint_it_was_given_not_an_alias_of_it():
    source = check_gradient(huber_sum, [randn(3), randn(4, 3)], (0, 1))
    backward = backward_of(source)
    assert not [m for m in ALIAS.findall(backward) if m[0].startswith("d") and m[1].startswith("d")]


@pytest.mark.parametrize("fun", [renamed, alias_then_added_into])
def test_backward_aliases_of_adjoints_go(fun):
    source = check_gradient(fun, [randn(4), randn(4)][: fun.__code__.co_argcount],
                            tuple(range(fun.__code__.co_argcount)))
    backward = backward_of(source)
    assert not [m for m in ALIAS.findall(backward) if m[0].startswith("d") and m[1].startswith("d")]


# -- no del that frees nothing --------------------------------------------------------------

def argument_alias(x, w):
    x0 = x
    y = x0 * w
    z = np.sin(y) * w
    return np.sum(z * z)


def test_no_del_of_an_alias_while_the_value_it_names_lives():
    source = check_gradient(renamed, [randn(4), randn(4)], (0, 1))
    deleted = [set(line.strip()[4:].split(", ")) for line in source.splitlines()
               if line.strip().startswith("del ")]
    assert {"z"} not in deleted  # z = y: y still holds the array
    assert any({"y", "z", "u"} <= names for names in deleted)  # freed together, once


def test_no_del_of_an_alias_of_an_argument():
    source = check_gradient(argument_alias, [randn(3), randn(3)], (0, 1))
    assert not [line for line in source.splitlines()
                if line.strip().startswith("del ") and "x0" in line.strip()[4:].split(", ")]


# -- second order -----------------------------------------------------------------------------

first_order = s2sad.grad(lambda x: np.sum(x**2))
first_order_line = first_order.fun.__code__.co_firstlineno


def second_order(x):
    return np.sum(np.sin(first_order(x)))


def test_inlined_gradient_code_is_named_as_called_and_cites_the_users_line():
    source = check_gradient(second_order, [randn(3)], (0,))
    line = first_order_line
    assert "lambda_" not in backward_of(source)
    assert f"# line {line} (first_order, called on line {line + 5}): np.sum(x**2)" in source


# -- options left at their defaults -----------------------------------------------------------

def reshapes(x):
    return np.sum(np.sin(x.reshape(-1)) * np.reshape(x, (12,), order="F") * np.reshape(x, (12,)))


def test_a_default_option_is_not_written_and_another_is():
    source = check_gradient(reshapes, [randn(3, 4)], (0,))
    assert 'order="C"' not in source
    assert 'order="F"' in backward_of(source)


def leapfrog(a, b, n):
    x = a
    v = b
    for i in range(n):
        v = v - 0.01 * x
        x = x + 0.01 * v
    return x * x + v


def test_a_line_that_restates_an_alias_goes_and_the_alias_with_it():
    gradient = s2sad.grad(leapfrog, wrt=(0, 1))
    got = gradient(0.3, -0.2, 20)
    expected = numerical_vjp(leapfrog, [0.3, -0.2, 20], [0, 1], 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)
    source = gradient.source_for(0.3, -0.2, 20)  # the variant for Python numbers
    assert "dx_1" not in source  # dx_1 = dx, then dx = dx_1
    check_gradient(leapfrog, [np.array(0.3), np.array(-0.2), 5], (0, 1))


# -- copies only where the caller would share memory -----------------------------------------

def affine_loss(w, c, x):
    y = x @ w + c
    return np.sum(y * y)


def summed_pair(a, b):
    return np.sum(np.sin(a + b))


def plus(a, b):
    return a + b


def test_a_gradient_in_memory_of_its_own_is_not_copied():
    source = check_gradient(affine_loss, [randn(3, 2), randn(2), randn(4, 3)], (0, 1))
    assert "copy=True" not in source


def test_gradients_that_share_memory_are_copied_apart():
    a, b = randn(3), randn(3)
    source = check_gradient(summed_pair, [a, b], (0, 1))
    assert source.count(".copy()  # the caller gets memory of its own") == 1
    da, db = s2sad.grad(summed_pair, wrt=(0, 1))(a, b)
    assert not np.shares_memory(da, db)


def test_a_gradient_that_is_the_cotangent_is_copied():
    a, b, cotangent = randn(3), randn(3), randn(3)
    da, db = s2sad.vjp(plus, wrt=(0, 1))(a, b, cotangent=cotangent)
    assert not np.shares_memory(da, cotangent) and not np.shares_memory(db, cotangent)
    assert not np.shares_memory(da, db)
    assert_close(da, cotangent)
    assert_close(db, cotangent)


# -- a scalar is not unbroadcast ----------------------------------------------------------------

def mean_over_rows(w, xs):
    total = 0.0
    for x in xs:
        total = total + np.sum(np.sin(x * w))
    return total / xs.shape[0]


def test_dividing_a_loop_total_by_a_length_needs_no_unbroadcast():
    source = check_gradient(mean_over_rows, [randn(3), randn(4, 3)], (0, 1))
    assert "_unbroadcast(dmean_over_rows" not in source
    assert "dtotal = dmean_over_rows / " in source


def test_an_iteration_header_over_only_aliases_goes():
    source = check_gradient(leapfrog, [np.array(0.3), np.array(-0.2), 5], (0, 1))
    assert "the next iteration begins" not in source


# -- a loop's carried adjoint read before it is rebound --------------------------------------

def huber(r, delta):
    if abs(r) <= delta:
        return 0.5 * r * r
    return delta * (abs(r) - 0.5 * delta)


def huber_total(w, b, x, y):
    total = 0.0
    for xi, yi in zip(x, y):
        r = np.dot(w, xi) + b - yi
        total = total + huber(r, 1.0)
    return total


def test_a_carried_adjoint_feeds_its_other_reader_before_it_is_rebound():
    x = randn(6, 3)
    source = check_gradient(huber_total, [randn(3), 0.2, x, x @ randn(3)], (0, 1))
    backward = backward_of(source)
    assert "dtotal_1" not in backward
    assert not [m for m in ALIAS.findall(backward) if m[0].startswith("d") and m[1].startswith("d")]


# -- "read N times" counts the reads on the path that ran -------------------------------------

def test_a_read_count_counts_only_the_arm_that_adds():
    x = randn(6, 3)
    source = check_gradient(huber_total, [randn(3), 0.2, x, x @ randn(3)], (0, 1))
    assert "# r is read twice" in source  # 0.5 * r and then * r; abs(r) is the other arm's
    assert "r is read 3 times" not in source


def either_square(x, flag):
    y = np.sin(x)
    if flag > 0:
        z = y * y
    else:
        z = y + y + y
    return np.sum(z)


@pytest.mark.parametrize("flag, reads", [(1.0, "twice"), (-1.0, "3 times")])
def test_each_arm_says_how_often_it_reads(flag, reads):
    source = check_gradient(either_square, [randn(4), flag], (0,))
    assert f"# y is read {reads}" in backward_of(source)


# -- a value read through new axes gets its adjoint without them --------------------------------

def biased(x, b):
    return np.sum(np.tanh(x + b[:, None, None]) ** 2)


def test_a_bias_read_through_new_axes_gets_a_sum_not_zeros_and_a_scatter():
    source = check_gradient(biased, [randn(2, 3, 4, 5), randn(3, 1, 1)[:, 0, 0]], (0, 1))
    backward = backward_of(source)
    assert "zeros_like(b)" not in backward
    assert "[:, None, None] +=" not in backward
    assert re.search(r"db = \w+\[:, 0, 0\]", backward)


# -- a view is freed with the array it views -------------------------------------------------

def reshaped(x, w):
    return np.sum(np.sin((x @ w).reshape(-1)) ** 2)


def test_no_del_of_a_view_while_its_base_lives():
    source = check_gradient(reshaped, [randn(3, 4), randn(4, 2)], (0, 1))
    deleted = [set(line.strip()[4:].split(", ")) for line in backward_of(source).splitlines()
               if line.strip().startswith("del ")]
    views = re.findall(r"(\w+) = xp\.reshape\((\w+), ", backward_of(source))
    assert views
    for view, base in views:
        assert not [names for names in deleted if base in names and view not in names]


# -- forward lines headed by the user's line -----------------------------------------------

def _line_of(fun, text):
    import inspect

    lines, first = inspect.getsourcelines(fun)
    return first + next(i for i, line in enumerate(lines) if text in line)


def _headers_over(source, statement):
    """The `# line N: ...` header nearest above each line of `source` that is `statement`."""
    found, current = [], None
    for line in source.splitlines():
        match = re.fullmatch(r"\s*# line (\d+)(?: \([^()]*\))?: (.*)", line)
        if match:
            current = (int(match[1]), match[2])
        elif line.strip() == statement:
            found.append(current)
    return found


def test_each_forward_line_is_headed_by_the_user_line_it_comes_from_once():
    source = check_gradient(recurrent, [randn(3, 3) * 0.5, randn(4, 3), randn(3)], (0,))
    forward = source.split("# forward", 1)[1].split("# backward", 1)[0]
    headers = re.findall(r"# line (\d+): (.*)", forward)
    assert headers == [
        (str(_line_of(recurrent, "h = h0")), "h = h0"),
        (str(_line_of(recurrent, "for t in")), "for t in range(xs.shape[0]):"),
        (str(_line_of(recurrent, "np.tanh(")), "h = np.tanh(h @ w + xs[t])"),
        (str(_line_of(recurrent, "return np.sum")), "return np.sum(h * h)"),
    ]
    assert _headers_over(forward, "h_w = h @ w") == [
        (_line_of(recurrent, "np.tanh("), "h = np.tanh(h @ w + xs[t])")]


def test_a_hessian_vector_product_heads_the_gradient_s_lines_by_the_user_s():
    """The hvp differentiates the gradient's source, whose forward lines carry their
    headers: `h = h0` is line `h = h0`, not the loop's next iteration."""
    source = s2sad.hvp(recurrent).source
    assert _headers_over(source, "h = h0") == [
        (_line_of(recurrent, "h = h0"), "h = h0")]
    assert "the next iteration begins" not in source
