"""The public API: grad, value_and_grad, vjp and the GradFunction they return.

Every gradient is checked against central finite differences of the forward
function (and against autograd for the lecture's DAG), never against numbers
s2sad produced itself.
"""

from __future__ import annotations

import importlib.util
import re
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import autograd
import autograd.numpy as anp
import forward_functions as ff
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

ROOT = Path(__file__).resolve().parent.parent
RNG = np.random.default_rng(20240601)


def central_difference(
    f: Callable, args: Sequence, index: int, cotangent=None, eps: float = 1e-6
):
    """d/d(args[index]) of sum(f(*args) * cotangent) by central differences, in float64.

    `cotangent` is None for a scalar output, an array, or a tuple of arrays
    for a function returning a tuple. Python floats give a float.
    """

    def objective(values):
        out = f(*values)
        if cotangent is None:
            return float(out)
        if isinstance(out, tuple):
            return float(sum(np.sum(o * c) for o, c in zip(out, cotangent)))
        return float(np.sum(out * cotangent))

    base = [a if np.isscalar(a) else np.array(a, copy=True) for a in args]
    point = base[index] if np.isscalar(base[index]) else base[index].astype(np.float64)
    if isinstance(point, float):
        up = objective(base[:index] + [point + eps] + base[index + 1:])
        down = objective(base[:index] + [point - eps] + base[index + 1:])
        return (up - down) / (2.0 * eps)
    estimate = np.zeros_like(point)
    for i in np.ndindex(point.shape):
        shifted = point.copy()
        shifted[i] += eps
        up = objective(base[:index] + [shifted] + base[index + 1:])
        shifted[i] -= 2.0 * eps
        down = objective(base[:index] + [shifted] + base[index + 1:])
        estimate[i] = (up - down) / (2.0 * eps)
    return estimate


def assert_gradients(f, args, wrt_indices, gradients, cotangent=None, rtol=1e-6, atol=1e-7):
    """`gradients` (one per index) match central differences of `f`."""
    assert len(gradients) == len(wrt_indices)
    for index, gradient in zip(wrt_indices, gradients):
        expected = central_difference(f, args, index, cotangent)
        assert np.shape(gradient) == np.shape(args[index])
        np.testing.assert_allclose(gradient, expected, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of argument {index}")


def randn(*shape):
    return RNG.standard_normal(shape)


def load_example(name: str):
    """A fresh copy of examples/<name>.py, imported by path."""
    path = ROOT / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def autograd_dag(w1, w2, x):
    x0 = x
    x1 = w1 @ x0
    x2 = x0 + w2 @ x1
    x3 = w1 @ (x1 + x2)
    return anp.sum(x3 * x3)


# ---- the three ways of calling grad ------------------------------------------


def test_grad_as_function():
    a, b, c = randn(4), randn(4), randn(4)
    g = s2sad.grad(ff.three_args, wrt=("a", "b", "c"))
    assert isinstance(g, s2sad.GradFunction)
    assert_gradients(ff.three_args, [a, b, c], [0, 1, 2], g(a, b, c))


def test_grad_as_bare_decorator():
    x = randn(5)
    assert isinstance(ff.bare_decorated, s2sad.GradFunction)
    assert ff.bare_decorated.wrt == ("x",)
    assert_gradients(ff.bare_decorated.fun, [x], [0], [ff.bare_decorated(x)])


def test_grad_as_decorator_with_wrt_keeps_the_order_of_wrt():
    a, b = randn(3), randn(3)
    assert ff.decorated_wrt.wrt == ("b", "a")
    db, da = ff.decorated_wrt(a, b)
    assert_gradients(ff.decorated_wrt.fun, [a, b], [1, 0], [db, da])


# ---- wrt ----------------------------------------------------------------------


@pytest.mark.parametrize("wrt", ["b", 1, -2])
def test_single_wrt_gives_a_single_array(wrt):
    a, b, c = randn(3), randn(3), randn(3)
    g = s2sad.grad(ff.three_args, wrt=wrt)
    result = g(a, b, c)
    assert isinstance(result, np.ndarray)
    assert g.wrt == ("b",)
    assert_gradients(ff.three_args, [a, b, c], [1], [result])


def test_default_wrt_is_the_first_argument():
    a, b, c = randn(3), randn(3), randn(3)
    result = s2sad.grad(ff.three_args)(a, b, c)
    assert isinstance(result, np.ndarray)
    assert_gradients(ff.three_args, [a, b, c], [0], [result])


@pytest.mark.parametrize("wrt", [("c", "a"), (2, 0), (-1, "a"), ["c", -3]])
def test_tuple_wrt_gives_a_tuple_in_wrt_order(wrt):
    a, b, c = randn(3), randn(3), randn(3)
    result = s2sad.grad(ff.three_args, wrt=wrt)(a, b, c)
    assert isinstance(result, tuple) and len(result) == 2
    assert_gradients(ff.three_args, [a, b, c], [2, 0], list(result))


@pytest.mark.parametrize("wrt", [("b",), [1], (-2,)])
def test_one_element_tuple_wrt_gives_a_one_element_tuple(wrt):
    a, b, c = randn(3), randn(3), randn(3)
    result = s2sad.grad(ff.three_args, wrt=wrt)(a, b, c)
    assert isinstance(result, tuple), f"wrt={wrt!r} returned {type(result).__name__}"
    assert len(result) == 1
    assert_gradients(ff.three_args, [a, b, c], [1], list(result))


@pytest.mark.parametrize(
    ("wrt", "words"),
    [
        ("d", ["'d'", "a, b, c"]),
        (3, ["3", "out of range"]),
        (-4, ["-4", "out of range"]),
        (("a", "a"), ["'a'", "twice"]),
        (("a", 0), ["'a'", "twice"]),
        ((), ["empty"]),
    ],
)
def test_bad_wrt_raises_wrt_error(wrt, words):
    g = s2sad.grad(ff.three_args, wrt=wrt)
    with pytest.raises(s2sad.WrtError) as info:
        g(randn(3), randn(3), randn(3))
    assert isinstance(info.value, s2sad.S2SADError)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("wrt", [1.0, ("a", 1.5), object()])
def test_a_wrt_of_the_wrong_type_is_refused_with_a_message_about_wrt(wrt):
    with pytest.raises(s2sad.WrtError) as info:
        s2sad.grad(ff.three_args, wrt=wrt)
    assert "wrt" in str(info.value), str(info.value)


def test_wrt_error_does_not_depend_on_what_was_built_before():
    """`wrt=True` is not an argument index, whether or not `wrt=1` was built first."""
    with pytest.raises(s2sad.WrtError):
        _ = s2sad.grad(ff.ignores_second, wrt=True).source
    _ = s2sad.grad(ff.ignores_second, wrt=1).source
    with pytest.raises(s2sad.WrtError):
        _ = s2sad.grad(ff.ignores_second, wrt=True).source


# ---- value_and_grad and vjp ----------------------------------------------------


def test_value_and_grad_returns_the_value_and_the_gradients():
    a, b, c = randn(3), randn(3), randn(3)
    value, (da, dc) = s2sad.value_and_grad(ff.three_args, wrt=("a", "c"))(a, b, c)
    assert value == pytest.approx(ff.three_args(a, b, c), rel=1e-12)
    assert_gradients(ff.three_args, [a, b, c], [0, 2], [da, dc])


def test_value_and_grad_decorator_with_a_single_wrt():
    w, x = randn(3, 2), randn(4, 3)
    value, dw = ff.decorated_value_and_grad(w, x)
    assert value == pytest.approx(ff.decorated_value_and_grad.fun(w, x), rel=1e-12)
    assert isinstance(dw, np.ndarray)
    assert_gradients(ff.decorated_value_and_grad.fun, [w, x], [0], [dw])


def test_value_and_grad_of_a_non_scalar_output_raises_not_scalar_error():
    g = s2sad.value_and_grad(ff.non_scalar)
    with pytest.raises(s2sad.NotScalarError):
        g(randn(3))


def test_vjp_of_a_non_scalar_output():
    x, y = randn(2, 3), randn(2, 3)
    cotangent = randn(2, 3)
    dx, dy = s2sad.vjp(ff.elementwise, wrt=("x", "y"))(x, y, cotangent=cotangent)
    assert_gradients(ff.elementwise, [x, y], [0, 1], [dx, dy], cotangent=cotangent)


def test_vjp_of_a_function_returning_a_tuple():
    x, y = randn(4), randn(4)
    cotangents = (randn(4), randn(4))
    dx, dy = s2sad.vjp(ff.pair, wrt=("x", "y"))(x, y, cotangent=cotangents)
    assert_gradients(ff.pair, [x, y], [0, 1], [dx, dy], cotangent=cotangents)


@pytest.mark.parametrize(
    ("fun", "cotangent"),
    [
        (ff.returns_argument, 1.0),
        (ff.returns_argument, np.ones((2, 3))),
        (ff.non_scalar, np.ones((2, 3))),
        (ff.non_scalar, np.ones(4)),
    ],
)
def test_vjp_refuses_a_cotangent_of_the_wrong_shape(fun, cotangent):
    """A cotangent that does not match the output's shape is an error, not a gradient of another shape."""
    x = randn(3)
    try:
        dx = s2sad.vjp(fun)(x, cotangent=cotangent)
    except (ValueError, TypeError, s2sad.S2SADError):
        return
    pytest.fail(f"cotangent of shape {np.shape(cotangent)} for an output of shape (3,) gave a "
                f"gradient of shape {np.shape(dx)} for an argument of shape (3,)")


def test_vjp_needs_a_cotangent():
    with pytest.raises(TypeError, match="cotangent"):
        s2sad.vjp(ff.elementwise)(randn(3), randn(3))
    with pytest.raises(TypeError, match="2"):
        s2sad.vjp(ff.pair)(randn(3), randn(3), cotangent=randn(3))


# ---- source, fun, save, cache ---------------------------------------------------


def test_source_fun_and_save(tmp_path):
    g = s2sad.grad(ff.three_args, wrt=("a", "b"))
    assert g.fun is ff.three_args
    source = g.source
    assert source.startswith("# Generated by s2sad")
    assert "def three_args_grad(a, b, c" in source
    compile(source, "<generated>", "exec")
    path = tmp_path / "three_args_grad.py"
    g.save(path)
    assert path.read_text() == source
    path.write_text("# edited\n")
    with pytest.raises(FileExistsError):
        g.save(path)
    assert path.read_text() == "# edited\n"
    g.save(path, overwrite=True)
    assert path.read_text() == source


def test_a_second_grad_with_the_same_options_reuses_the_generated_function():
    first = s2sad.grad(ff.read_many_times)
    second = s2sad.grad(ff.read_many_times)
    assert first is not second
    assert first.source is second.source
    assert first._build() is second._build()
    other = s2sad.value_and_grad(ff.read_many_times)
    assert other._build() is not first._build()


def test_a_changed_module_constant_is_picked_up_by_a_new_gradient(monkeypatch):
    x = randn(4)
    before = s2sad.grad(ff.uses_constants)
    assert "SCALE = 2.0" in before.source
    assert_gradients(ff.uses_constants, [x], [0], [before(x)])
    monkeypatch.setattr(ff, "SCALE", 3.0)
    after = s2sad.grad(ff.uses_constants)
    assert "SCALE = 3.0" in after.source
    assert_gradients(ff.uses_constants, [x], [0], [after(x)])


# ---- errors of grad at call time ------------------------------------------------


def test_grad_of_a_non_scalar_output_raises_not_scalar_error_mentioning_vjp():
    g = s2sad.grad(ff.non_scalar)
    with pytest.raises(s2sad.NotScalarError) as info:
        g(randn(3))
    assert isinstance(info.value, s2sad.S2SADError)
    assert "vjp" in str(info.value)
    assert ff.__file__ in str(info.value)


def test_traceback_shows_the_generated_line():
    q = s2sad.grad(ff.dag, wrt=("w1", "w2"))
    w1, w2, x = randn(3, 3), randn(3, 4), randn(3, 2)  # w2 @ x1 cannot work
    with pytest.raises(ValueError) as info:
        q(w1, w2, x)
    text = "".join(traceback.format_exception(info.value))
    filename = q.function.__code__.co_filename
    assert f'File "{filename}"' in text and Path(filename).read_text() == q.source
    assert re.search(r"^\s+\w+ = w2 @ x1\s*$", text, re.MULTILINE), text


def test_traceback_shows_a_generated_backward_line():
    """An error raised in the backward shows the backward line and its helper."""
    q = s2sad.grad(ff.matmul_loss, wrt="w")
    w, x = randn(3, 4), randn(4, 2)
    dw = q(w, x)
    assert_gradients(ff.matmul_loss, [w, x], [0], [dw])
    with pytest.raises(ValueError) as info:
        q(w, x, dmatmul_loss=np.ones(5))  # a seed that does not fit the output
    text = "".join(traceback.format_exception(info.value))
    assert "matmul_loss_grad" in text
    assert "full_like(" in text or "_matmul_dlhs(" in text, text


# ---- memory: inputs untouched, gradients own their memory ------------------------


def _copies(arrays):
    return [np.array(a, copy=True) for a in arrays]


@pytest.mark.parametrize(
    ("fun", "wrt", "shapes"),
    [
        (ff.sum_of_inputs, ("x", "y"), [(3,), (3,)]),
        (ff.read_many_times, "x", [(4,)]),
        (ff.overwritten, "x", [(4,)]),
        (ff.dag, ("w1", "w2", "x"), [(3, 3), (3, 3), (3, 2)]),
        (ff.siamese, ("w", "b", "xa", "xb"), [(2, 3), (2, 1), (3, 4), (3, 4)]),
        (ff.copies_argument, "x", [(3,)]),
    ],
)
def test_grad_leaves_inputs_unchanged_and_gradients_own_their_memory(fun, wrt, shapes):
    args = [randn(*s) for s in shapes]
    saved = _copies(args)
    result = s2sad.grad(fun, wrt=wrt)(*args)
    gradients = list(result) if isinstance(result, tuple) else [result]
    for arg, copy in zip(args, saved):
        np.testing.assert_array_equal(arg, copy)
    for i, g in enumerate(gradients):
        assert g.flags.writeable
        for arg in args:
            assert not np.shares_memory(g, arg)
        for other in gradients[i + 1:]:
            assert not np.shares_memory(g, other)


def test_vjp_of_an_identity_gives_fresh_memory():
    x = randn(3)
    cotangent = randn(3)
    saved_x, saved_c = _copies([x, cotangent])
    dx = s2sad.vjp(ff.returns_argument)(x, cotangent=cotangent)
    np.testing.assert_array_equal(dx, cotangent)
    assert dx.flags.writeable
    assert not np.shares_memory(dx, cotangent) and not np.shares_memory(dx, x)
    dx[...] = 0.0
    np.testing.assert_array_equal(x, saved_x)
    np.testing.assert_array_equal(cotangent, saved_c)


def test_vjp_of_a_partial_identity_gives_fresh_memory_and_zeros():
    x, y = randn(3), randn(3)
    cotangent = randn(3)
    saved = _copies([x, y, cotangent])
    dx, dy = s2sad.vjp(ff.returns_first_of_two, wrt=("x", "y"))(x, y, cotangent=cotangent)
    np.testing.assert_array_equal(dx, cotangent)
    np.testing.assert_array_equal(dy, np.zeros(3))
    for g in (dx, dy):
        assert g.flags.writeable
        for a in (x, y, cotangent):
            assert not np.shares_memory(g, a)
    assert not np.shares_memory(dx, dy)
    for a, copy in zip((x, y, cotangent), saved):
        np.testing.assert_array_equal(a, copy)


def test_vjp_leaves_the_cotangents_unchanged():
    x, y = randn(4), randn(4)
    cotangents = (randn(4), randn(4))
    saved = _copies([x, y, *cotangents])
    dx, dy = s2sad.vjp(ff.pair, wrt=("x", "y"))(x, y, cotangent=cotangents)
    for a, copy in zip((x, y, *cotangents), saved):
        np.testing.assert_array_equal(a, copy)
    for g in (dx, dy):
        for a in (x, y, *cotangents):
            assert not np.shares_memory(g, a)


# ---- kinds of arguments ----------------------------------------------------------


def test_python_float_arguments():
    assert s2sad.grad(ff.square)(3.0) == pytest.approx(6.0)
    a, b, c = 0.3, -1.2, 0.7
    grads = s2sad.grad(ff.three_args, wrt=(0, 1, 2))(a, b, c)
    assert_gradients(ff.three_args, [a, b, c], [0, 1, 2], [float(g) for g in grads])


def test_zero_dimensional_array_arguments():
    a, b, c = np.array(0.3), np.array(-1.2), np.array(0.7)
    grads = s2sad.grad(ff.three_args, wrt=(0, 1, 2))(a, b, c)
    for g in grads:
        assert np.shape(g) == ()
    assert_gradients(ff.three_args, [a, b, c], [0, 1, 2], list(grads))
    assert float(s2sad.grad(ff.square)(np.array(3.0))) == pytest.approx(6.0)


@pytest.mark.parametrize("fun", [ff.float_reduction, ff.read_many_times])
def test_float32_inputs_keep_float32_gradients(fun):
    x = randn(5).astype(np.float32)
    dx = s2sad.grad(fun)(x)
    assert dx.dtype == np.float32
    assert_gradients(fun, [x], [0], [dx], rtol=1e-4, atol=1e-4)


def test_float32_dag_keeps_float32_gradients():
    args = [randn(3, 3).astype(np.float32), randn(3, 3).astype(np.float32),
            randn(3, 2).astype(np.float32)]
    dw1, dw2 = s2sad.grad(ff.dag, wrt=(0, 1))(*args)
    assert dw1.dtype == np.float32 and dw2.dtype == np.float32
    expected = autograd.grad(autograd_dag, (0, 1))(*[a.astype(np.float64) for a in args])
    np.testing.assert_allclose(dw1, expected[0], rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(dw2, expected[1], rtol=1e-4, atol=1e-3)


def test_integer_inputs_do_not_truncate_gradients():
    """An integer array differentiates like its float value, or s2sad refuses it."""
    x = np.arange(3)
    try:
        dx = s2sad.grad(ff.plain_mean)(x)
    except (TypeError, ValueError, s2sad.S2SADError):
        return
    assert_gradients(ff.plain_mean, [x.astype(float)], [0], [dx])


# ---- what the gradient does ------------------------------------------------------


def test_overwritten_variables():
    x = randn(5)
    assert_gradients(ff.overwritten, [x], [0], [s2sad.grad(ff.overwritten)(x)])


def test_values_read_several_times_accumulate():
    x = randn(5)
    g = s2sad.grad(ff.read_many_times)
    assert_gradients(ff.read_many_times, [x], [0], [g(x)])
    assert re.search(r"# x is read (twice|\d+ times)", g.source)


def test_an_argument_that_does_not_affect_the_output_gets_zeros():
    x, y = randn(3), randn(2, 2)
    dx, dy = s2sad.grad(ff.ignores_second, wrt=("x", "y"))(x, y)
    np.testing.assert_array_equal(dy, np.zeros((2, 2)))
    assert dy.flags.writeable and not np.shares_memory(dy, y)
    assert_gradients(ff.ignores_second, [x, y], [0], [dx])


def test_module_level_constants():
    x = randn(4)
    g = s2sad.grad(ff.uses_constants)
    assert_gradients(ff.uses_constants, [x], [0], [g(x)])
    assert "OFFSET = 0.5" in g.source


def test_shape_arithmetic_is_not_differentiated():
    x = randn(4)
    g = s2sad.grad(ff.shape_arithmetic)
    assert_gradients(ff.shape_arithmetic, [x], [0], [g(x)])
    assert not re.search(r"\bdn\b", g.source)


def test_len_is_a_shape_computation():
    x = randn(4)
    g = s2sad.grad(ff.shape_from_len)
    assert_gradients(ff.shape_from_len, [x], [0], [g(x)])
    assert not re.search(r"\bdn\b", g.source)


def test_builtin_abs():
    x = randn(4)
    assert_gradients(ff.builtin_abs, [x], [0], [s2sad.grad(ff.builtin_abs)(x)])


def test_rows_gathered_by_an_index_array_with_a_slice():
    w, x, rows = randn(2), randn(3, 3), np.array([0, 2, 2, 1])
    dw, dx = s2sad.grad(ff.gathers_rows, wrt=("w", "x"))(w, x, rows)
    assert_gradients(ff.gathers_rows, [w, x, rows], [0, 1], [dw, dx])


def test_a_parameter_named_like_a_helper_is_refused_rather_than_shadowing_it():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="rename it") as info:
        _ = s2sad.grad(ff.shadows_a_helper_name, wrt=(0, 1)).source
    assert "_unbroadcast" in str(info.value) and "^" in str(info.value)


def test_siamese_weights_sum_the_contributions_of_both_branches():
    w, b, xa, xb = randn(2, 3), randn(2, 1), randn(3, 4), randn(3, 4)
    dw, db = s2sad.grad(ff.siamese, wrt=("w", "b"))(w, b, xa, xb)
    assert_gradients(ff.siamese, [w, b, xa, xb], [0, 1], [dw, db])
    dwa, dwb = s2sad.grad(ff.siamese_untied, wrt=("wa", "wb"))(w, w, b, xa, xb)
    np.testing.assert_allclose(dw, dwa + dwb, rtol=1e-12, atol=1e-12)
    assert np.abs(dwa).max() > 1e-3 and np.abs(dwb).max() > 1e-3


def test_the_lectures_dag_against_autograd_and_finite_differences():
    dag = load_example("dag")
    w1, w2, x = randn(3, 3), randn(3, 3), randn(3, 2)
    dw1, dw2 = dag.q(w1, w2, x)
    expected = autograd.grad(autograd_dag, (0, 1))(w1, w2, x)
    np.testing.assert_allclose(dw1, expected[0], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dw2, expected[1], rtol=1e-10, atol=1e-10)
    assert_gradients(dag.q.fun, [w1, w2, x], [0, 1], [dw1, dw2], rtol=1e-5, atol=1e-6)


def test_the_dags_source_has_line_headers_and_says_contributions_add_up():
    dag = load_example("dag")
    source = dag.q.source
    lines = (ROOT / "examples" / "dag.py").read_text().splitlines()
    start = lines.index("def q(w1, w2, x):")
    # x0 = x gets no block: x is not differentiated, so nothing flows through it
    for offset, line in enumerate(lines[start + 2:start + 6], start=start + 3):
        assert f"# line {offset}: {line.strip()}" in source, line
    shared = [s for s in source.splitlines() if "# w1 is read twice" in s]
    assert len(shared) == 1 and "dw1" in shared[0]


def test_vjp_can_return_the_value_beside_the_gradients():
    x, c = np.array([0.1, 0.5, -0.7]), np.array([1.0, 2.0, -1.0])
    v = s2sad.vjp(ff.pair, wrt=("x", "y"), return_value=True)
    y, cy = np.array([0.3, -0.2, 0.4]), np.array([0.5, 0.5, 2.0])
    value, gradients = v(x, y, cotangent=(c, cy))
    expected_value = ff.pair(x, y)
    for got, want in zip(value, expected_value):
        np.testing.assert_array_equal(got, want)
    plain = s2sad.vjp(ff.pair, wrt=("x", "y"))(x, y, cotangent=(c, cy))
    for got, want in zip(gradients, plain):
        np.testing.assert_array_equal(got, want)
    expected = numerical_vjp(ff.pair, [x, y], [0, 1], (c, cy))
    for got, want in zip(gradients, expected):
        assert_close(got, want)
    assert "Value of pair and its vector-Jacobian product" in v.source
    with pytest.raises(TypeError, match="return_value"):
        s2sad.vjp(ff.pair, return_value=1)
