"""Data read from the forward function's globals and closures: inputs without gradients,
read when the gradient is called, never copied into the generated code."""

from __future__ import annotations

import ast

import autograd
import autograd.numpy as anp
import callee_data
import external_functions as ef
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp
from test_saved_module import run_saved

import s2sad


def keyword_only(source: str, name: str) -> list[str]:
    definition = next(node for node in ast.parse(source).body
                      if isinstance(node, ast.FunctionDef) and node.name == name)
    return [a.arg for a in definition.args.kwonlyargs]


def check(fun, *args):
    gradient = s2sad.grad(fun)(*args)
    expected = numerical_vjp(fun, args, [0], 1.0)[0]
    assert_close(gradient, expected)
    return gradient


def test_module_data_is_read_at_each_call(monkeypatch):
    w = np.array([0.3, -0.2, 0.5])
    g = s2sad.grad(ef.squared_error)
    first = check(ef.squared_error, w)
    source = g.source
    assert "inputs" in keyword_only(source, "squared_error_grad")
    module_names = [t.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)]
    assert "inputs" not in module_names  # the values are not written into the module
    monkeypatch.setattr(ef, "inputs", ef.inputs * 2.0 + 1.0)
    second = g(w)
    assert g.source == source  # same type: the same gradient code, called with the new data
    assert not np.allclose(first, second)
    assert_close(second, numerical_vjp(ef.squared_error, [w], [0], 1.0)[0])

    def autograd_loss(w):
        return anp.sum((ef.inputs @ w - ef.targets) ** 2) + ef.L2 * anp.sum(w * w)
    assert_close(second, autograd.grad(autograd_loss)(w))


def test_a_lambda_over_module_data_and_a_callee_taking_it_as_arguments():
    w = np.array([0.1, 0.4, -0.3])
    gradient = check(ef.objective, w)
    expected = autograd.grad(lambda w: anp.sum((anp.tanh(ef.inputs @ w) - ef.targets) ** 2)
                             + ef.L2 * anp.sum(w ** 2))(w)
    assert_close(gradient, expected)


def test_a_factory_closure_is_read_from_its_cells():
    rng = np.random.default_rng(3)
    features, labels = rng.standard_normal((5, 3)), np.sign(rng.standard_normal(5))
    loss = ef.make_objective(features, labels)
    w = rng.standard_normal(3)
    g = s2sad.grad(loss)
    check(loss, w)
    assert "(a closure)" in g.source
    other = ef.make_objective(features * 3.0, labels)
    assert_close(s2sad.grad(other)(w), numerical_vjp(other, [w], [0], 1.0)[0])


def test_a_global_list_of_arrays_and_a_global_shape():
    x = np.array([0.5, -1.0, 2.0])
    check(ef.reads_a_global_list, x)
    w = np.array([1.0, 2.0, 3.0])
    g = check(ef.reads_the_shape_of_a_global, w)
    np.testing.assert_allclose(g, np.full(3, float(ef.inputs.shape[0])))


def test_same_names_in_two_modules_are_two_parameters(monkeypatch):
    w = np.array([0.2, 0.1, -0.4])
    g = s2sad.grad(ef.reads_data_of_its_callees_module)
    check(ef.reads_data_of_its_callees_module, w)
    names = keyword_only(g.source, "reads_data_of_its_callees_module_grad")
    assert len([n for n in names if n.startswith("inputs")]) == 2, names
    assert "the global inputs" in g.source  # the renamed one says whose it is
    monkeypatch.setattr(callee_data, "inputs", np.zeros(3))
    assert_close(g(w), numerical_vjp(ef.reads_data_of_its_callees_module, [w], [0], 1.0)[0])


def test_a_global_that_changes_type_regenerates(monkeypatch):
    w = np.array([0.3, -0.2, 0.5])
    g = s2sad.grad(ef.squared_error)
    g(w)
    monkeypatch.setattr(ef, "L2", np.float64(0.5))  # a constant becomes data read at call time
    assert not g.unchanged()
    assert_close(g(w), numerical_vjp(ef.squared_error, [w], [0], 1.0)[0])
    assert "L2" in keyword_only(g.source, "squared_error_grad")


def test_the_saved_module_takes_the_data_as_keywords(tmp_path):
    w = np.array([0.3, -0.2, 0.5])
    g = s2sad.grad(ef.squared_error)
    path = tmp_path / "squared_error_grad.py"
    g.save(path)
    (saved,) = run_saved(tmp_path, path, "squared_error_grad", [w],
                         {"inputs": ef.inputs, "targets": ef.targets})
    np.testing.assert_array_equal(saved, g(w))


@pytest.mark.parametrize("mode", [s2sad.value_and_grad, s2sad.vjp])
def test_other_modes_pass_the_data_too(mode):
    w = np.array([0.3, -0.2, 0.5])
    f = mode(ef.squared_error)
    result = f(w) if mode is s2sad.value_and_grad else (None, f(w, cotangent=1.0))
    assert_close(result[1], numerical_vjp(ef.squared_error, [w], [0], 1.0)[0])


def test_closures_of_one_factory_each_get_their_own_values():
    def make(scale):
        return lambda x: np.sum(scale * x ** 2)
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(s2sad.grad(make(2.0))(x), 4.0 * x)
    np.testing.assert_allclose(s2sad.grad(make(3.0))(x), 6.0 * x)


def test_second_order_through_a_gradient_that_reads_module_data():
    g1 = s2sad.grad(ef.tanh_fit)

    def gradient_norm(w):
        return np.sum(g1(w) ** 2)

    w = np.array([0.3, 0.1, -0.2])
    got = s2sad.grad(gradient_norm)(w)
    assert_close(got, numerical_vjp(gradient_norm, [w], [0], 1.0)[0], rtol=1e-4)
    expected = autograd.grad(lambda w: anp.sum(autograd.grad(
        lambda v: anp.sum(anp.tanh(ef.inputs @ v) ** 2))(w) ** 2))(w)
    assert_close(got, expected)
