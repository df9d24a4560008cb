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


def test_a_callee_cannot_read_keys_of_its_callers_dict():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="dict arguments"):
        _ = s2sad.grad(cf.reads_in_a_callee).source
