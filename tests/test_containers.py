"""Dict arguments: gradients come back as dicts of the same shape."""

import copy

import container_functions as cf
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

rng = np.random.default_rng(12)


def leaf_gradient(fun, params, path, *rest):
    """Central differences of `fun` with respect to one leaf of the dict `params`."""

    def with_leaf(value):
        changed = copy.deepcopy(params)
        holder = changed
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = value
        return fun(changed, *rest)

    leaf = params
    for key in path:
        leaf = leaf[key]
    return numerical_vjp(with_leaf, [leaf], [0], 1.0)[0]


def test_nested_dict_gradient_has_the_argument_structure():
    params = {"layer1": {"w": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)},
              "w2": rng.standard_normal((4, 2)), "unused": rng.standard_normal(2)}
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    before = copy.deepcopy(params)
    grads = s2sad.grad(cf.nested_params)(params, x, y)
    assert set(grads) == set(params) and set(grads["layer1"]) == {"w", "b"}
    np.testing.assert_array_equal(grads["unused"], np.zeros(2))
    for path in (("layer1", "w"), ("layer1", "b"), ("w2",)):
        got = grads
        for key in path:
            got = got[key]
        assert_close(got, leaf_gradient(cf.nested_params, params, path, x, y))
    for key in ("w2", "unused"):
        np.testing.assert_array_equal(params[key], before[key])


def test_a_dict_that_is_not_differentiated_and_reads_inside_a_loop():
    params = {"h0": rng.standard_normal(3), "w": rng.standard_normal((3, 3)) * 0.5}
    config, xs = {"scale": 0.7}, rng.standard_normal((4, 3))
    grads = s2sad.grad(cf.config_and_loop, wrt="params")(params, config, xs)
    for path in (("h0",), ("w",)):
        assert_close(grads[path[0]], leaf_gradient(cf.config_and_loop, params, path, config, xs))


def test_integer_leaves_are_refused():
    with pytest.raises(TypeError, match=r"params\['w'\]"):
        s2sad.grad(cf.nested_reader)({"w": np.arange(3)})


def test_a_callee_reads_keys_of_its_callers_dict():
    params = {"w": np.array([1.0, -2.0]), "b": np.array([3.0])}
    got = s2sad.grad(cf.reads_in_a_callee)(params)
    assert set(got) == {"w", "b"}
    assert_close(got["w"], np.ones(2))
    assert_close(got["b"], np.zeros(1))


def check_against_differences(fun, args, wrt):
    before = copy.deepcopy(args)
    got = s2sad.grad(fun, wrt=wrt)(*args)
    got = got if isinstance(wrt, tuple) else (got,)
    for position, gradient in zip(wrt if isinstance(wrt, tuple) else (wrt,), got):
        expected = numerical_vjp(fun, args, [position], 1.0)[0]
        assert_close(np.asarray(gradient), np.asarray(expected))
    for a, b in zip(args, before):
        np.testing.assert_equal(a, b)
    return got


@pytest.mark.parametrize("kind", [list, tuple])
def test_list_and_tuple_arguments_get_gradients_of_their_structure(kind):
    ws = kind([rng.standard_normal((4, 3)) * 0.5, rng.standard_normal((2, 4)) * 0.5])
    x = rng.standard_normal(3)
    dws, dx = s2sad.grad(cf.layers_in_a_list, wrt=(0, 1))(ws, x)
    assert type(dws) is kind and [d.shape for d in dws] == [(4, 3), (2, 4)]
    for k in range(2):
        def one_layer(w, k=k):
            changed = list(ws)
            changed[k] = w
            return cf.layers_in_a_list(kind(changed), x)
        assert_close(dws[k], numerical_vjp(one_layer, [ws[k]], [0], 1.0)[0])
    assert_close(dx, numerical_vjp(lambda v: cf.layers_in_a_list(ws, v), [x], [0], 1.0)[0])


def test_unpacking_a_tuple_argument():
    pair = (rng.standard_normal(3), rng.standard_normal(3))
    x = rng.standard_normal(3)
    grads = s2sad.grad(cf.unpacks_a_pair)(pair, x)
    assert type(grads) is tuple and len(grads) == 2
    assert_close(grads[0], x)
    assert_close(grads[1], 2.0 * pair[1])


def test_constant_and_run_time_indices_into_a_list_argument():
    ws = [rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3))]
    x = rng.standard_normal(3)
    dws = s2sad.grad(cf.indexes_a_list)(ws, x, 2)
    np.testing.assert_array_equal(dws[1], np.zeros((2, 3)))
    assert_close(dws[0], np.outer(np.ones(2), x))
    assert_close(dws[2], 2.0 * ws[2])


def test_a_nested_list_used_as_an_array_is_refused_where_it_is_used():
    # A list inside a list is followed as a static tree: its item is a list, not an array.
    with pytest.raises(s2sad.S2SADError, match="matmul") as caught:
        s2sad.grad(cf.layers_in_a_list)([[np.eye(3)]], np.ones(3))
    assert caught.value.origin.lineno == cf.layers_in_a_list.__code__.co_firstlineno + 3


def test_a_list_argument_used_as_an_array_is_refused_at_run_time():
    with pytest.raises(s2sad.ArgumentTypeError, match="a list the function reads whole"):
        s2sad.grad(cf.nested_reader)([1.0, 2.0])


@pytest.mark.parametrize(("fun", "args", "wrt"), [
    (cf.collects_hidden_states, [rng.standard_normal((3, 3)) * 0.5, rng.standard_normal((4, 3)),
                                 rng.standard_normal(3)], (0, 2)),
    (cf.sums_a_built_list, [rng.standard_normal(3), rng.standard_normal((4, 3))], 0),
    (cf.concatenates_a_built_list, [rng.standard_normal(3), rng.standard_normal(2)], (0, 1)),
    (cf.arrays_a_list_display, [rng.standard_normal(3), rng.standard_normal(3)], (0, 1)),
], ids=["append-stack", "append-sum", "append-concatenate", "display-array"])
def test_lists_built_in_the_body(fun, args, wrt):
    check_against_differences(fun, args, wrt)
