"""Pytrees, functions as values, varargs, comprehensions and random draws: each gradient
against central differences and autograd, in the argument's own structure and types."""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib.util
import re

import autograd
import numpy as np
import pytest
import structure_functions as sf
from gradcheck import assert_close, numerical_vjp

import s2sad

rng = np.random.default_rng(5)


def randn(*shape):
    return rng.standard_normal(shape)


def flatten(tree):
    """The array and float leaves of a pytree, in order."""
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in flatten(value)]
    if dataclasses.is_dataclass(tree):
        return [leaf for f in dataclasses.fields(tree) for leaf in flatten(getattr(tree, f.name))]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in flatten(item)]
    return [tree]


def rebuild(tree, leaves):
    """`tree` with its leaves replaced, in order, by `leaves` (consumed)."""
    if isinstance(tree, dict):
        return {k: rebuild(v, leaves) for k, v in tree.items()}
    if dataclasses.is_dataclass(tree):
        return type(tree)(**{f.name: rebuild(getattr(tree, f.name), leaves)
                             for f in dataclasses.fields(tree)})
    if isinstance(tree, (list, tuple)):
        items = [rebuild(item, leaves) for item in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else type(tree)(items)
    return leaves.pop(0)


def assert_same_structure(actual, expected):
    assert type(actual) is type(expected), (type(actual), type(expected))
    if isinstance(expected, dict):
        assert list(actual) == list(expected)
        for k in expected:
            assert_same_structure(actual[k], expected[k])
    elif dataclasses.is_dataclass(expected):
        for f in dataclasses.fields(expected):
            assert_same_structure(getattr(actual, f.name), getattr(expected, f.name))
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same_structure(a, e)


def check_tree(fun, args, position=0, reference=True, **kwargs):
    """s2sad's gradient with respect to args[position] against central differences of the
    forward over that argument's leaves, and against autograd where `reference`."""
    before = copy.deepcopy(args)
    gradient = s2sad.grad(fun, wrt=position)(*args, **kwargs)
    tree = args[position]
    leaves = flatten(tree)

    def over_leaves(*flat):
        call = list(args)
        call[position] = rebuild(tree, list(flat))
        return fun(*call, **kwargs)

    expected = numerical_vjp(over_leaves, leaves, range(len(leaves)), 1.0)
    assert_same_structure(gradient, tree)
    for got, want in zip(flatten(gradient), expected):
        assert_close(got, want)
    if reference:
        by_autograd = autograd.grad(lambda flat: over_leaves(*flat))(leaves)
        for got, want in zip(flatten(gradient), by_autograd):
            assert_close(got, want)
    for a, b in zip(flatten(args), flatten(before)):  # the caller's arrays are untouched
        np.testing.assert_array_equal(a, b)
    return gradient


layers = [(randn(3, 4), randn(4)), (randn(4, 4), randn(4)), (randn(4, 2), randn(2))]
x = randn(5, 3)


@pytest.mark.parametrize("fun", [sf.mlp, sf.mlp_last_layer_linear, sf.mlp_enumerate,
                                 sf.middle_layers, sf.callee_reads_parts])
def test_lists_of_weight_and_bias_tuples(fun):
    inputs = randn(5, 4) if fun is sf.middle_layers else x  # it starts at the second layer
    check_tree(fun, (layers, inputs))


def test_tuples_of_layers_and_transposed_zip():
    check_tree(sf.mlp, (tuple(layers), x))
    check_tree(sf.transposed, ([(randn(3, 2), randn(2)), (randn(3, 2), randn(2))], x))


def test_consecutive_pairs_of_a_list():
    check_tree(sf.consecutive_pairs, ([randn(3), randn(3), randn(3)],))


def test_dicts_tuples_of_dicts_and_dicts_of_lists():
    check_tree(sf.dict_items, ({"w": randn(3), "bias": randn(2)},))
    check_tree(sf.tuple_of_dicts, (({"W": randn(3, 4), "b": randn(4)}, {"W": randn(4, 2)}), x))
    check_tree(sf.dict_of_lists, ({"weights": [randn(3, 3), randn(3, 2)],
                                   "scales": [randn(2), randn(2)]}, x))


def test_a_namedtuple_gets_a_namedtuple_gradient():
    gradient = check_tree(sf.namedtuple_layer, (sf.Layer(randn(3, 2), randn(2)), x),
                          reference=False)
    assert isinstance(gradient, sf.Layer)


def test_a_dataclass_gets_a_dataclass_gradient():
    params = sf.Params(randn(3, 2), randn(2), 0.7)
    gradient = check_tree(sf.dataclass_params, (params, x), reference=False)
    assert isinstance(gradient, sf.Params) and isinstance(gradient.scale, float)


def test_the_generated_code_reads_leaves_and_rebuilds_the_structure():
    source = s2sad.grad(sf.mlp).source_for(layers, x)
    assert "params[2][1]" in source and "_gradient_tree(" in source
    assert not re.search(r"^\s+for ", source.split("def _namespace")[0], re.MULTILINE)  # unrolled


def test_another_structure_is_another_gradient():
    g = s2sad.grad(sf.mlp)
    two = layers[:2]
    assert g.source_for(two, x) != g.source_for(layers, x)
    check_tree(sf.mlp, (two, x))


def test_functions_as_arguments_defaults_and_list_items():
    check_tree(sf.passes_functions, ([randn(3, 4)], x))
    check_tree(sf.mlp_last_layer_linear, (layers, x))
    g = s2sad.grad(sf.mlp_last_layer_linear)
    sin = g(layers, x, np.sin)
    expected = numerical_vjp(lambda *flat: sf.mlp_last_layer_linear(rebuild(layers, list(flat)),
                                                                    x, np.sin),
                             flatten(layers), range(6), 1.0)
    for got, want in zip(flatten(sin), expected):
        assert_close(got, want)
    check_tree(sf.list_of_functions, ([randn(3), randn(3)], randn(3)))


def test_a_computed_default():
    w = randn(3)
    assert_close(s2sad.grad(sf.computed_default)(w), np.full(3, 1.0 / 3))
    assert "scale=0.333" in s2sad.grad(sf.computed_default).source


def test_varargs_keywords_and_keyword_only_parameters():
    w = randn(4, 2)
    a, b = randn(5, 2), randn(5, 1)
    check_tree(sf.varargs, (w, a, b))
    check_tree(sf.calls_with_spread, (w, (a, b)))
    v, t = randn(3), randn(3)
    got = s2sad.grad(sf.keywords)(v, t, target=2.0 * t, weight=0.5)
    assert_close(got, numerical_vjp(lambda v: sf.keywords(v, t, target=2.0 * t, weight=0.5),
                                    [v], [0], 1.0)[0])
    got = s2sad.grad(sf.keyword_only)(v, x=t, power=3.0)
    assert_close(got, numerical_vjp(lambda v: sf.keyword_only(v, x=t, power=3.0), [v], [0], 1.0)[0])


def test_comprehensions_and_generator_expressions():
    check_tree(sf.stacks_a_comprehension, ([randn(2, 3), randn(2, 3)], randn(3)))
    check_tree(sf.comprehension_over_rows, (randn(3), randn(4, 3)))
    check_tree(sf.generator_over_range, (randn(3),))
    check_tree(sf.dict_comprehension, ({"a": randn(3), "b": randn(3)},))


def seeded(fun, seed_of):
    """`fun` with its random generator made afresh before each call: the same draws each time."""
    def call(*args):
        return fun(*args[:-1], seed_of())
    return call


def test_random_draws_are_the_forward_draws():
    mu, log_sigma = randn(4), 0.3 * randn(4)
    g = s2sad.grad(sf.reparameterized, wrt=(0, 1))
    got = g(mu, log_sigma, np.random.RandomState(3))
    def forward(m, s):
        return sf.reparameterized(m, s, np.random.RandomState(3))
    expected = numerical_vjp(forward, [mu, log_sigma], [0, 1], 1.0)
    for a, b in zip(got, expected):
        assert_close(a, b)
    source = g.source_for(mu, log_sigma, np.random.RandomState(3))
    def code(text):  # without the headers, which quote the user's lines
        return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))

    assert code(source.split("# backward")[0]).count(".randn(") == 2  # the unused draw is kept
    assert code(source).count(".randn(") == 2  # and nothing draws again


def test_draws_of_a_generator_and_of_numpy_global_state():
    mu = randn(3)
    got = s2sad.grad(sf.reparameterized_generator)(mu, np.random.default_rng(7))
    expected = numerical_vjp(lambda m: sf.reparameterized_generator(m, np.random.default_rng(7)),
                             [mu], [0], 1.0)[0]
    assert_close(got, expected)
    np.random.seed(11)
    got = s2sad.grad(sf.global_draws)(mu)
    np.random.seed(11)
    eps = np.random.randn(3)
    assert_close(got, 2.0 * (mu + eps))


def test_a_loop_over_a_generator_function():
    weights = randn(3 * 4 + 4 + 4 * 2 + 2)
    check_tree(sf.flat_weights_mlp, (weights, x))


def test_bound_methods_and_partials_are_differentiated_as_their_functions():
    w, targets = randn(3, 2), randn(5, 2)
    model = sf.Model(targets)
    got = s2sad.grad(model.loss)(w, x)
    assert_close(got, numerical_vjp(model.loss, [w, x], [0], 1.0)[0])
    model.targets = 2.0 * targets  # the instance's data is read at each call
    assert_close(s2sad.grad(model.loss)(w, x), numerical_vjp(model.loss, [w, x], [0], 1.0)[0])
    partial = functools.partial(sf.scaled_loss, 0.5)
    got = s2sad.grad(partial)(w, x)
    assert_close(got, numerical_vjp(partial, [w, x], [0], 1.0)[0])
    got = s2sad.grad(partial, wrt=1)(w, x)
    assert_close(got, numerical_vjp(partial, [w, x], [1], 1.0)[0])


def test_a_library_function_without_a_rule_is_refused_not_inlined():
    with pytest.raises(s2sad.UnknownFunctionError, match="does not inline a library's source") as info:
        s2sad.grad(sf.calls_a_library_function)(np.eye(2))
    assert "scipy.linalg.expm(x)" in info.value.origin.line


def test_type_tests_are_decided_for_the_arguments_types():
    check_tree(sf.flattened_norm, ([randn(2, 2), (randn(3), {"a": randn(2)})],))
    check_tree(sf.flattened_norm, (randn(3),))
    # autograd's boxes are not ndarrays: only finite differences judge these two
    check_tree(sf.scales_if_callable, (randn(3), np.tanh), reference=False)
    check_tree(sf.scales_if_callable, (randn(3),), reference=False)
    assert_close(s2sad.grad(sf.scales_if_callable)(1.5), 3.0)


def test_type_comparisons_are_decided_for_the_arguments_types():
    check_tree(sf.branches_on_type, ({"W": randn(3, 2)}, x))
    check_tree(sf.branches_on_type, ((randn(3, 2),), x))
    check_tree(sf.branches_on_type, ([(randn(3, 2), randn(2))], x))


def test_an_int_argument_is_a_value_not_a_new_gradient_per_step():
    params = [(randn(3, 2), randn(2))]
    g = s2sad.grad(sf.batch_loss)
    assert g.source_for(params, 0) == g.source_for(params, 1)
    for step in (0, 1):
        check_tree(sf.batch_loss, (params, step))


@pytest.mark.parametrize(("fun", "args", "where", "message"), [
    (sf.breaks_out_of_the_layers, (layers, x), "break", "`break` in a loop over a container"),
    (sf.indexes_with_a_run_time_value, (layers, randn(3), 0), "params[int(",
     "known only when it runs"),
])
def test_what_a_structured_gradient_cannot_follow_is_refused_at_its_line(fun, args, where,
                                                                         message):
    with pytest.raises(s2sad.S2SADError) as info:
        s2sad.grad(fun)(*args)
    assert message in info.value.message
    assert where in info.value.origin.line
    assert info.value.origin.filename == sf.__file__


def test_a_bound_method_that_loops_over_the_instances_layers():
    network = sf.Network(layers)
    got = s2sad.grad(network.loss)(x)
    assert_close(got, numerical_vjp(network.loss, [x], [0], 1.0)[0])
    assert "# line" in s2sad.grad(network.loss).source
    assert "for W, b in self.layers:" in s2sad.grad(network.loss).source


def test_leaves_of_a_gradient_never_share_memory():
    """`sum(pair)` and `p["a"] + p["b"]` give both leaves the same adjoint: each gets its own."""
    dx, dpair = s2sad.grad(lambda x, pair: np.sum(sum(pair) * x), wrt=(0, 1))(
        randn(3), (randn(3), randn(3)))
    assert not np.shares_memory(dpair[0], dpair[1])
    assert not any(np.shares_memory(dx, d) for d in dpair)
    dp = s2sad.grad(lambda p: np.sum(p["a"] + p["b"]))({"a": randn(3), "b": randn(3)})
    assert not np.shares_memory(dp["a"], dp["b"])


def test_the_gradient_for_a_structure_can_be_saved_and_run_from_its_file(tmp_path):
    path = tmp_path / "mlp_grad.py"
    g = s2sad.grad(sf.mlp)
    g.save_for(path, layers, x)
    spec = importlib.util.spec_from_file_location("mlp_grad", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    saved = module.mlp_grad(layers, x)
    for a, b in zip(flatten(saved), flatten(g(layers, x))):
        np.testing.assert_array_equal(a, b)
    assert "import s2sad" not in path.read_text()


def test_the_generic_source_points_to_source_for_where_it_is_refused():
    with pytest.raises(s2sad.S2SADError, match=r"source_for\(\*args\)") as info:
        s2sad.grad(sf.varargs).source  # noqa: B018 - the property generates the gradient
    assert info.value.origin.line.strip().startswith("def varargs")
    assert "inputs @ weights" in s2sad.grad(sf.varargs).source_for(randn(4, 2), randn(5, 2),
                                                                    randn(5, 1))
