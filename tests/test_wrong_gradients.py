"""Issue 8's silent wrong gradients, crashes and refusals, each against central differences."""

import subprocess
import sys
from pathlib import Path

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


# ---- 1: tuple returns, has_aux ----------------------------------------------------------


def test_grad_of_a_tuple_return_is_refused_with_a_located_hint():
    with pytest.raises(s2sad.NotScalarError) as info:
        s2sad.grad(fns.loss_and_activations)(RNG.normal(size=(3, 3)), RNG.normal(size=3))
    text = str(info.value)
    assert "has_aux=True" in text and "vjp" in text
    assert fns.__file__ in text and "return np.sum(y**2), y" in text
    with pytest.raises(s2sad.NotScalarError, match="has_aux"):
        _ = s2sad.value_and_grad(fns.loss_and_activations).source


def test_has_aux_returns_the_gradient_of_the_loss_and_the_aux_value():
    w, x = RNG.normal(size=(3, 3)), RNG.normal(size=3)
    dw, y = s2sad.grad(fns.loss_and_activations, has_aux=True)(w, x)
    np.testing.assert_array_equal(y, np.tanh(w @ x))
    expected = numerical_vjp(lambda w, x: fns.loss_and_activations(w, x)[0], [w, x], [0], 1.0)
    assert_close(dw, expected[0], rtol=1e-6, atol=1e-8)
    (loss, aux), dw2 = s2sad.value_and_grad(fns.loss_and_activations, has_aux=True)(w, x)
    assert loss == pytest.approx(np.sum(np.tanh(w @ x) ** 2))
    np.testing.assert_array_equal(aux, y)
    assert_close(dw2, expected[0], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fun", [fns.loss_and_stats, fns.loss_and_carried,
                                 fns.loss_with_unruled_diagnostic])
def test_aux_may_be_any_value_and_needs_no_rule(fun):
    w, x = RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=3)
    dw, aux = s2sad.grad(fun, has_aux=True)(w, x)
    expected_aux = fun(w, x)[1]
    assert type(aux) is type(expected_aux)
    np.testing.assert_equal(aux, expected_aux)
    expected = numerical_vjp(lambda w, x: fun(w, x)[0], [w, x], [0], 1.0)
    assert_close(dw, expected[0], rtol=1e-6, atol=1e-8)


def test_has_aux_needs_a_pair():
    with pytest.raises(s2sad.NotScalarError, match="pair"):
        _ = s2sad.grad(fns.three_values, has_aux=True).source
    with pytest.raises(s2sad.NotScalarError, match="pair"):
        _ = s2sad.grad(fns.positive_sum, has_aux=True).source


def test_a_diagnostic_without_a_rule_is_still_refused_where_the_loss_needs_it():
    with pytest.raises(s2sad.UnknownFunctionError, match="fft"):
        _ = s2sad.grad(fns.spectrum_loss).source


# ---- 2: stale gradients -----------------------------------------------------------------


def test_a_redefined_helper_or_changed_constant_is_used_at_the_next_call(monkeypatch):
    x = np.array([1.0, 2.0, -1.5])
    gradient = s2sad.grad(fns.calls_changing_helper)
    assert_close(gradient(x), 4.0 * x)
    monkeypatch.setattr(fns, "changing_helper", lambda x: x**3)
    assert_close(gradient(x), 6.0 * x * x)
    assert_close(s2sad.grad(fns.calls_changing_helper)(x), 6.0 * x * x)
    monkeypatch.setattr(fns, "SCALE", 0.5)
    assert_close(gradient(x), 1.5 * x * x)
    assert "SCALE = 0.5" in gradient.source
    monkeypatch.undo()
    assert_close(gradient(x), 4.0 * x)


def test_a_closure_variable_rebound_between_calls_is_read_again():
    def make():
        factor = 2.0

        def f(x):
            return np.sum(x * factor)

        def rebind(value):
            nonlocal factor
            factor = value

        return f, rebind

    f, rebind = make()
    gradient = s2sad.grad(f)
    assert_close(gradient(np.ones(2)), np.full(2, 2.0))
    rebind(5.0)
    assert_close(gradient(np.ones(2)), np.full(2, 5.0))


# ---- 7, 8: generated names, loops inlined twice ----------------------------------------


@pytest.mark.parametrize("fun", [fns.reads_builtin_in_callee, fns.builtins_in_callee])
def test_temporaries_never_shadow_the_builtins_the_code_calls(fun):
    args = [RNG.normal(size=3), 0.4][: fun.__code__.co_argcount]
    source = s2sad.grad(fun).source
    assert "abs = " not in source and "min = " not in source
    check(fun, args)


def test_a_loop_inlined_twice_with_different_trip_counts():
    args = [RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=3), RNG.normal(size=3)]
    check(fns.loop_inlined_twice, args, wrt=(0, 1, 2))


# ---- 9, 12: writes NumPy's memory sharing does not make visible ------------------------


@pytest.mark.parametrize("fun, args, wrt", [
    (fns.rnn, [RNG.normal(size=(3, 2)), RNG.normal(size=(2, 3))], (0, 1)),
    (fns.weighted_then_product, [RNG.normal(size=3)], (0,)),
    (fns.tanh_recurrence, [RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3))], (0, 1)),
    (fns.renamed_after_loop, [RNG.normal(size=3)], (0,)),
    (fns.rewrites_own_slice, [RNG.normal(size=3)], (0,)),
    (fns.bumps_a_float_parameter, [RNG.normal(size=3)], (0,)),
    (fns.literal_in_list, [RNG.normal(size=3)], (0,)),
    (fns.helper_in_condition, [np.array([0.5, -0.2, 0.4])], (0,)),
    (fns.helper_in_condition, [np.array([-0.5, -0.2, 0.4])], (0,)),
])
def test_supported_code_is_differentiated(fun, args, wrt):
    check(fun, args, wrt)


def test_a_closure_reads_its_enclosing_functions_dict_argument():
    p = {"w": RNG.normal(size=2), "b": RNG.normal(size=2)}
    got = s2sad.grad(fns.closure_reads_dict)(p)
    assert set(got) == {"w", "b"}
    assert_close(got["w"], p["b"])
    assert_close(got["b"], p["w"])


def test_a_view_read_after_the_write_is_refused_in_the_users_words():
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        _ = s2sad.grad(fns.view_read_after_write).source
    text = str(info.value)
    assert "`y[0] = 5.0` would also change `y[0:2]`" not in text
    assert "would also change `v`" in text and "y[0] = 5.0" in text
    assert "_part" not in text and "y_1" not in text


# ---- 13: errors inside inlined helpers point into the helper's file --------------------


@pytest.mark.parametrize("fun, line", [(fns.calls_stale_view, "a[0] = 5.0"),
                                       (fns.calls_read_only, "w[0] = 1.0")])
def test_an_error_in_an_inlined_helper_quotes_the_helpers_line(fun, line):
    import wrong_gradient_callees as callees

    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        _ = s2sad.grad(fun).source
    origin = info.value.origin
    assert origin.filename == callees.__file__
    lines = Path(callees.__file__).read_text().splitlines()
    assert lines[origin.lineno - 1].strip() == line
    assert line in str(info.value)


# ---- 4: arguments the output does not read ---------------------------------------------


def _assert_zeros_like(got, argument, where="gradient"):
    assert type(got) is type(argument) or (isinstance(argument, np.generic)
                                           and isinstance(got, (np.ndarray, np.generic))), where
    if isinstance(argument, dict):
        assert list(got) == list(argument), where
        for key in argument:
            _assert_zeros_like(got[key], argument[key], f"{where}[{key!r}]")
    elif isinstance(argument, (list, tuple)):
        assert len(got) == len(argument), where
        for position, (g, a) in enumerate(zip(got, argument)):
            _assert_zeros_like(g, a, f"{where}[{position}]")
    else:
        assert np.shape(got) == np.shape(argument), where
        assert np.asarray(got).dtype == np.asarray(argument).dtype, where
        assert not np.any(got), where


@pytest.mark.parametrize("argument", [
    {"a": np.ones(2), "b": {"c": np.ones((1, 3), dtype=np.float32)}},
    [np.ones(2), np.ones(3)],
    (np.ones(2), [np.ones((2, 2)), 2.0]),
    np.ones((2, 3), dtype=np.float32),
    2.5,
])
def test_an_unread_argument_gets_zeros_in_its_own_structure(argument):
    _assert_zeros_like(s2sad.grad(fns.ignores_its_argument, wrt="ws")(argument), argument)
    x = RNG.normal(size=3)
    dx, dws = s2sad.grad(fns.reads_only_x, wrt=(0, 1))(x, argument)
    assert_close(dx, np.cos(x))
    _assert_zeros_like(dws, argument)


def test_an_unread_argument_holding_integers_is_refused():
    with pytest.raises(TypeError, match=r"ws\[1\]"):
        s2sad.grad(fns.ignores_its_argument, wrt="ws")([np.ones(2), 3])


# ---- 10: generation from several threads at once ---------------------------------------


def test_gradients_generated_from_eight_threads_at_once_without_warm_up(tmp_path):
    """In a fresh interpreter, so that nothing (black, the name index) is imported yet."""
    script = tmp_path / "threads.py"
    script.write_text(
        "import sys, threading\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import numpy as np\n"
        "import wrong_gradient_functions as fns\n"
        "import s2sad\n"
        "funs = [fns.rebinds_in_callee, fns.reset_accumulator_rows, fns.rnn, fns.literal_in_list,\n"
        "        fns.weighted_then_product, fns.renamed_after_loop, fns.helper_in_condition,\n"
        "        fns.bumps_a_float_parameter]\n"
        "errors, barrier = [], threading.Barrier(len(funs))\n"
        "def run(f):\n"
        "    barrier.wait()\n"
        "    try:\n"
        "        _ = s2sad.grad(f).source\n"
        "    except Exception as error:\n"
        "        errors.append(repr(error))\n"
        "threads = [threading.Thread(target=run, args=(f,)) for f in funs]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print('errors:', errors)\n"
        "sys.exit(1 if errors else 0)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# ---- `s += v` is in place only where s holds an array ----------------------------------


def test_an_element_accumulated_in_place_is_a_number_and_differentiated():
    check(fns.accumulates_from_first, [RNG.normal(size=3)])


def test_a_row_accumulated_in_place_is_refused_when_the_gradient_runs(tmp_path):
    gradient = s2sad.grad(fns.accumulates_from_first)
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        gradient(RNG.normal(size=(3, 2)))
    assert info.value.origin.filename == fns.__file__
    assert "s += x[i] * x[i]" in str(info.value) and "would also change `x`" in str(info.value)
    path = tmp_path / "accumulates_grad.py"
    gradient.save(path)
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - the saved module
    saved = namespace[gradient._build().gradient.name]
    with pytest.raises(TypeError, match="would show through `x`"):
        saved(RNG.normal(size=(3, 2)))


# ---- found by the random-program hunt ---------------------------------------------------


@pytest.mark.parametrize("fun", [fns.sums_a_number, fns.scales_by_a_number, fns.ignores_a_number])
@pytest.mark.parametrize("a, kind", [(0.5, float), (np.float32(0.5), np.float32),
                                     (np.float64(0.5), np.float64)])
def test_a_number_argument_gets_a_number_of_its_type(fun, a, kind):
    for x in (RNG.normal(size=3), RNG.normal(size=3).astype(np.float32)):
        dx, da = s2sad.grad(fun, wrt=(0, 1))(x, a)
        assert type(da) is kind, f"{fun.__name__}: {da!r} for a {type(a).__name__}"
        assert dx.dtype == x.dtype
        expected = numerical_vjp(fun, [x.astype(float), float(a)], [0, 1], 1.0)
        assert_close(float(da), expected[1], rtol=1e-5, atol=1e-6, name="da")


def test_an_unread_dict_of_numpy_numbers_gets_numpy_zeros():
    _, dp = s2sad.grad(lambda x, p: np.sum(x), wrt=(0, 1))(np.ones(2), {"c": np.float32(0.5)})
    assert type(dp["c"]) is np.float32 and dp["c"] == 0.0


@pytest.mark.parametrize("fun", [fns.divides_in_place_by_float64, fns.divides_by_float64])
def test_a_float32_argument_met_with_float64_gets_a_float32_gradient(fun):
    w, z = RNG.normal(size=3).astype(np.float32), RNG.normal(size=3)
    dw, dz = s2sad.grad(fun, wrt=(0, 1))(w.copy(), z)
    assert dw.dtype == np.float32 and dz.dtype == np.float64
    expected = numerical_vjp(lambda a, b: fun(a.copy(), b), [w.astype(float), z], [0, 1], 1.0)
    assert_close(dw, expected[0], rtol=1e-6, atol=1e-7, name="dw")
    assert_close(dz, expected[1], rtol=1e-5, atol=1e-6, name="dz")


def test_a_loop_that_gives_the_new_value_a_second_name_reads_it_next_iteration():
    """`w = x` at the end of each iteration: the next one's `w[1]` reads the new x (the
    variant that reads an indexed 1-D argument once as numbers must not apply)."""
    x, w = np.array([1.16, 0.31, 0.85]), np.array([0.1, -0.2, 0.8])
    value, _ = s2sad.value_and_grad(fns.renames_the_new_value_in_a_loop, wrt=(0, 1))(x, w)
    assert value == fns.renames_the_new_value_in_a_loop(x.copy(), w.copy())
    check(fns.renames_the_new_value_in_a_loop, [RNG.normal(size=3), RNG.normal(size=3)], (0, 1))


@pytest.mark.parametrize("fun", [fns.swaps_then_updates_in_a_loop,
                                 fns.swaps_then_updates_in_a_branch,
                                 fns.updates_after_reading_an_element,
                                 fns.updates_after_a_conditional_element])
def test_an_update_in_place_no_other_name_sees_is_differentiated(fun):
    """NumPy changes memory that no name read afterwards shares: nothing to refuse."""
    x = np.array([0.5, -1.0, 1.2])
    second = RNG.normal(size=3) if "swaps" in fun.__name__ else 0.3
    got = s2sad.grad(fun, wrt=(0, 1))(x.copy(), second)
    expected = numerical_vjp(lambda a, b: fun(np.array(a, copy=True), np.array(b, copy=True)),
                             [x, second], [0, 1], 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e, rtol=1e-6, atol=1e-8)


def test_a_list_argument_read_whole_gets_the_gradient_of_its_structure():
    """`sum(ws)` of a list argument: the generic gradient refuses to take the list whole,
    and the gradient generated for its structure (two arrays) adds them, as Python does."""
    ws = [np.array([0.5, -1.0, 1.2]), np.array([0.3, 0.2, -0.1])]
    dx, dws = s2sad.grad(fns.sums_a_list_argument, wrt=(0, 1))(np.ones(3), ws)
    assert_close(dx, np.ones(3))
    assert type(dws) is list and len(dws) == 2
    expected = numerical_vjp(lambda a, b: fns.sums_a_list_argument(np.ones(3), [a, b]), ws,
                             [0, 1], 1.0)
    for got, want in zip(dws, expected):
        assert_close(got, want)


@pytest.mark.parametrize("x", [np.array([1.3, 0.5]), np.array([-1.3, 0.5])])
def test_a_name_one_arm_assigned_then_reassigned_after_the_if(x):
    """`z` of the `if` arm and `z` after it were one name: the backward of `y = z * z` read
    the later value (found by the per-pass IR tests)."""
    check(fns.reassigns_a_name_one_arm_assigned, [x])


def test_an_in_place_update_of_a_tuple_arguments_item_is_refused():
    """`v0 = tp[0]; v0 += tp[0]` doubles the caller's tp[0] in NumPy, read after it: the
    run-time check looks inside the tuple (found by the random-program hunt)."""
    tp = (np.array([0.0, 0.0, -1.0]), np.zeros(3))
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="would also change `tp`"):
        s2sad.grad(fns.updates_a_tuple_items_alias, wrt=(0, 1))(np.zeros(3), tp)
    taken = (np.array([1.0, 0.5, 0.2]), np.zeros(3))  # v0 a copy: nothing shares its memory
    dx, dtp = s2sad.grad(fns.updates_a_tuple_items_alias, wrt=(0, 1))(np.zeros(3), taken)
    assert_close(dtp[0], np.ones(3))
    assert_close(dx, np.ones(3))


def test_a_parameter_a_loop_rebinds_keeps_the_callers_type_in_its_gradient():
    """The gradient's last lines read the parameter for its type: a loop that rebound it
    (here to a float32 number, or a float to an array) gave the gradient the new value's type
    (found by the random-program hunt)."""
    m = np.full((1, 1), 0.5, dtype=np.float32)
    _, db = s2sad.grad(fns.rebinds_an_unread_parameter_in_a_loop, wrt=(0, 1))(np.ones(3), 0.0, m)
    assert type(db) is float and db == 0.0
    x = np.array([0.5, -1.0, 1.2])
    dx, da = s2sad.grad(fns.rebinds_a_number_parameter_to_an_array, wrt=(0, 1))(x, 0.7)
    assert type(da) is float
    assert_close(da, np.sum(x * x))  # the output is a * sum(x * x)
    assert_close(dx, 2 * 0.7 * x)
