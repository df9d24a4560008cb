"""Forward mode and what is built on it: jvp, jacfwd, jacrev, hessian and hvp, against
central differences and JAX (or autograd where JAX is not installed)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp
from test_tangents import numerical_jvp

import s2sad

rng = np.random.default_rng(21)
SCALE = 0.7


def mlp(w1, b1, w2, x):
    h = np.tanh(x @ w1 + b1)
    return np.sum((h @ w2) ** 2) / x.shape[0]


def recurrent(w, x, h):
    for t in range(x.shape[0]):
        h = np.tanh(w @ h + x[t])
    return h


def branchy(x, a):
    if np.sum(x) > 0:
        y = np.exp(x) * a
    else:
        y = np.sin(x) - a
    return y


def halving(x):
    s = np.sum(x ** 2)
    while s > 0.1:
        s = s * 0.5
    return s


def two_outputs(x, w):
    z = w @ x
    return np.sum(z ** 2), np.tanh(z)


def layers(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
    return np.sum(x ** 2)


def dict_layers(params, x):
    return layers([(layer["W"], layer["b"]) for layer in params], x)


def of_a_list(xs, w):
    total = 0.0
    for i in range(len(xs)):
        total = total + np.sum(np.tanh(w @ xs[i]))
    return total


def one_arm_varies(x, b):
    if np.sum(x) > 0:
        y = np.sin(x)
    else:
        y = b * x
    return y


def chosen(x, w, a, b):
    """Found by the random programs: the tangent of the conditional expression's result was
    unbound on the path where it does not vary."""
    v0 = w + (w - w)
    a += v0[0] + a
    return a if (not a < 0.0) else b


def nested_carry(x, m, d):
    """Found by the random programs: the tangent of `d`, which the inner loop carries, was
    zeroed at every iteration of the outer loop."""
    x = np.ones(3) * np.sin(np.sin(d[-1]))
    for i in range(3):
        for row in m:
            x = np.tanh(row)
            d = np.tanh(m @ d)
        x = np.sin((d / (1.0 + d * d)) ** 2)
    return -x


def swapped(x, w, d):
    """Found by the random programs: w's tangent stayed the first iteration's after the loop
    gave w a value that does not vary."""
    for e in d:
        d, w = w * 1.0, x * 1.0
    return np.sum(d)


OFFSET = np.array([0.5, -0.25, 1.0])


def reads_a_global(x):
    return np.cos(x + OFFSET) * x


CASES = [
    ("mlp", mlp, lambda: [rng.standard_normal((4, 5)) * SCALE, rng.standard_normal(5),
                          rng.standard_normal((5, 3)), rng.standard_normal((6, 4))], (0, 1, 2)),
    ("loop", recurrent, lambda: [rng.standard_normal((3, 3)) * SCALE, rng.standard_normal((4, 3)),
                                 rng.standard_normal(3)], (0, 1, 2)),
    ("branch, one way", branchy, lambda: [np.abs(rng.standard_normal(3)), 0.7], (0, 1)),
    ("branch, the other", branchy, lambda: [-np.abs(rng.standard_normal(3)), 0.7], (0, 1)),
    ("an arm that does not vary", one_arm_varies, lambda: [np.abs(rng.standard_normal(3)), 0.7],
     (1,)),
    ("the arm that varies", one_arm_varies, lambda: [-np.abs(rng.standard_normal(3)), 0.7],
     (1,)),
    ("conditional expression", chosen, lambda: [np.zeros(3), np.zeros(3), 0.25, -1.1], (3,)),
    ("a value an inner loop carries", nested_carry,
     lambda: [rng.standard_normal(3), rng.standard_normal((3, 3)) * 0.6, rng.standard_normal(3)],
     (1,)),
    ("a carried value that stops varying", swapped,
     lambda: [rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(3)], (1,)),
    ("while", halving, lambda: [rng.standard_normal(3)], (0,)),
    ("tuple output", two_outputs, lambda: [rng.standard_normal(3), rng.standard_normal((2, 3))],
     (0, 1)),
    ("global", reads_a_global, lambda: [rng.standard_normal(3)], (0,)),
]


def tangent_for(value):
    if isinstance(value, float):
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(value))


@pytest.mark.parametrize(("fun", "make", "wrt"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_jvp_matches_central_differences(fun, make, wrt):
    args = make()
    tangents = [tangent_for(args[i]) for i in wrt]
    value, tangent = s2sad.jvp(fun, wrt=wrt)(*args, tangent=tuple(tangents))
    expected = numerical_jvp(fun, args, wrt, tangents)
    if isinstance(expected, tuple):
        for got, want, out in zip(tangent, expected, value):
            assert_close(got, want)
        assert_close(value[0], fun(*args)[0])
    else:
        assert_close(tangent, expected)
        assert_close(value, fun(*args))


def test_jvp_of_list_items():
    xs, w = [rng.standard_normal(3), rng.standard_normal(3)], rng.standard_normal((2, 3))
    txs = [rng.standard_normal(3), rng.standard_normal(3)]
    _, tangent = s2sad.jvp(of_a_list, wrt="xs")(xs, w, tangent=txs)
    e = 1e-6
    plus = of_a_list([x + e * t for x, t in zip(xs, txs)], w)
    minus = of_a_list([x - e * t for x, t in zip(xs, txs)], w)
    assert tangent == pytest.approx((plus - minus) / (2 * e), rel=1e-6)


def _shifted(tree, tangent, scale):
    if isinstance(tree, dict):
        return {k: _shifted(tree[k], tangent[k], scale) for k in tree}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_shifted(a, b, scale) for a, b in zip(tree, tangent))
    return tree + scale * tangent


@pytest.mark.parametrize("fun", [layers, dict_layers], ids=["(W, b) tuples", "dicts"])
def test_jvp_of_a_list_of_layers(fun):
    """A wrong tangent before: the leaves read at the start took the values, not the tangents."""
    shapes = [((3, 4), (4,)), ((4, 2), (2,))]
    make = (lambda W, b: (W, b)) if fun is layers else (lambda W, b: {"W": W, "b": b})
    params = [make(rng.standard_normal(w), rng.standard_normal(b)) for w, b in shapes]
    tangent = [make(rng.standard_normal(w), rng.standard_normal(b)) for w, b in shapes]
    x, e = rng.standard_normal((5, 3)), 1e-6
    _, got = s2sad.jvp(fun)(params, x, tangent=tangent)
    expected = (fun(_shifted(params, tangent, e), x) - fun(_shifted(params, tangent, -e), x)) / (2 * e)
    assert got == pytest.approx(expected, rel=1e-6)


def test_jvp_against_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    w1, b1, w2, x = CASES[0][2]()
    tw1, tw2 = rng.standard_normal(w1.shape), rng.standard_normal(w2.shape)

    def reference(w1, w2):
        h = jnp.tanh(x @ w1 + b1)
        return jnp.sum((h @ w2) ** 2) / x.shape[0]

    value, tangent = s2sad.jvp(mlp, wrt=("w1", "w2"))(w1, b1, w2, x, tangent=(tw1, tw2))
    want_value, want_tangent = jax.jvp(reference, (w1, w2), (tw1, tw2))
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    np.testing.assert_allclose(tangent, want_tangent, rtol=1e-10)


def test_jvp_keeps_float32():
    x = rng.standard_normal(3).astype(np.float32)
    value, tangent = s2sad.jvp(lambda_free_cube)(x, tangent=np.ones(3, np.float32))
    assert value.dtype == tangent.dtype == np.float32
    np.testing.assert_allclose(tangent, 3.0 * x ** 2 + np.cos(x), rtol=1e-6)


def lambda_free_cube(x):
    return x ** 3 + np.sin(x)


def test_jvp_source_reads_like_the_forward():
    source = s2sad.jvp(recurrent, wrt="w").source
    assert "def recurrent_jvp(w, x, h, *, tangent):" in source
    assert "# forward, each line's tangents after it" in source
    assert "# line 28: h = np.tanh(w @ h + x[t])" in source
    assert "th_1 = _zeros_like(h_1)" in source  # zero until the loop varies it
    assert "return h_1, th_1" in source


def test_jvp_refusals_are_located():
    x = np.ones(3)
    with pytest.raises(TypeError, match="tangent="):
        s2sad.jvp(mlp)(x)
    with pytest.raises(TypeError, match="a tuple of 2 tangents"):
        s2sad.jvp(two_outputs, wrt=(0, 1))(x, np.ones((2, 3)), tangent=x)
    with pytest.raises(ValueError, match="must have its shape"):
        s2sad.jvp(lambda_free_cube)(x, tangent=np.ones(4))


def no_tangent_rule(x):
    return np.sum(opaque(x))


def opaque(x):
    return x * 2.0


@pytest.fixture
def opaque_rule():
    """A rule of the user's for `opaque`, without a tangent: registered for the test only."""
    from s2sad.templates import REGISTRY

    @s2sad.adjoint(opaque)
    def opaque_adjoint(y, x):
        dx = dy * 2.0  # noqa: F821, F841 - a rule's template: parsed, never run

    yield REGISTRY[opaque]
    del REGISTRY[opaque]


def test_a_rule_without_a_tangent_is_a_located_refusal(opaque_rule):
    with pytest.raises(s2sad.UnknownFunctionError, match="no tangent") as refused:
        _ = s2sad.jvp(no_tangent_rule).source
    assert "test_forward_mode.py" in str(refused.value) and "opaque(x)" in str(refused.value)


def test_a_tangent_of_ones_own(opaque_rule):
    @s2sad.tangent(opaque)
    def opaque_tangent(y, x):
        ty = tx * 2.0  # noqa: F821, F841 - a rule's template: parsed, never run

    _, tangent = s2sad.jvp(no_tangent_rule)(rng.standard_normal(3), tangent=np.ones(3))
    assert tangent == pytest.approx(6.0)


def test_a_saved_jvp_module_runs_alone(tmp_path):
    path = tmp_path / "mlp_jvp.py"
    s2sad.jvp(mlp, wrt="w1").save(path)
    script = ("import numpy as np, mlp_jvp\n"
              "r = np.random.default_rng(0)\n"
              "w1, b1, w2, x = r.standard_normal((4, 5)), r.standard_normal(5), "
              "r.standard_normal((5, 3)), r.standard_normal((6, 4))\n"
              "print(mlp_jvp.mlp_jvp(w1, b1, w2, x, tangent=np.ones((4, 5)))[1])\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, check=True, env={"PYTHONPATH": str(tmp_path)})
    assert "s2sad" not in path.read_text().split("def mlp_jvp")[0].replace(
        "Generated by s2sad", "")
    assert float(done.stdout) == pytest.approx(
        s2sad.jvp(mlp, wrt="w1")(*_mlp_arguments(), tangent=np.ones((4, 5)))[1])


def _mlp_arguments():
    r = np.random.default_rng(0)
    return r.standard_normal((4, 5)), r.standard_normal(5), r.standard_normal((5, 3)), \
        r.standard_normal((6, 4))


# ---- Jacobians --------------------------------------------------------------------------


def test_jacobians_have_jax_shapes_and_agree():
    x, w = rng.standard_normal(3), rng.standard_normal((2, 3))
    forward = s2sad.jacfwd(two_outputs, wrt=(0, 1))(x, w)
    reverse = s2sad.jacrev(two_outputs, wrt=(0, 1))(x, w)
    assert [[block.shape for block in row] for row in forward] == [[(3,), (2, 3)],
                                                                  [(2, 3), (2, 2, 3)]]
    for row_f, row_r in zip(forward, reverse):
        for a, b in zip(row_f, row_r):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    e = 1e-6
    column = (two_outputs(x + e * np.eye(3)[1], w)[1] - two_outputs(x - e * np.eye(3)[1], w)[1])
    assert_close(forward[1][0][:, 1], column / (2 * e))
    assert s2sad.jacobian is s2sad.jacrev


def test_jacobians_against_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    w, x, h = CASES[1][2]()

    def reference(w, x, h):
        for t in range(x.shape[0]):
            h = jnp.tanh(w @ h + x[t])
        return h

    want = jax.jacfwd(reference, argnums=(0, 2))(w, x, h)
    for make in (s2sad.jacfwd, s2sad.jacrev):
        got = make(recurrent, wrt=("w", "h"))(w, x, h)
        for a, b in zip(got, want):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_the_jacobian_source_says_how_it_loops():
    forward = s2sad.jacfwd(recurrent, wrt="w").source
    assert "one Jacobian-vector product per element of w" in forward
    assert "for index, tangent in _basis(w):" in forward
    reverse = s2sad.jacrev(recurrent, wrt="w").source
    assert "one vector-Jacobian product per element of the output" in reverse


def test_a_jacobian_keeps_float32():
    x = rng.standard_normal(3).astype(np.float32)
    jacobian = s2sad.jacfwd(lambda_free_cube)(x)
    assert jacobian.dtype == np.float32
    np.testing.assert_allclose(jacobian, np.diag(3 * x ** 2 + np.cos(x)), rtol=1e-5)


# ---- Hessians ---------------------------------------------------------------------------


def features(a, x):
    return np.sum(np.tanh(a @ x) ** 2) + 0.1 * np.sum(x ** 4)


def test_hessian_against_its_formula_and_jax():
    a, x = rng.standard_normal((4, 5)) / 2.0, rng.standard_normal(5)
    t = np.tanh(a @ x)
    s = 1.0 - t * t
    formula = 2.0 * (a.T * (s * s - 2.0 * t * t * s)) @ a + np.diag(1.2 * x * x)
    got = s2sad.hessian(features, wrt="x")(a, x)
    np.testing.assert_allclose(got, formula, rtol=1e-10, atol=1e-12)
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)
    blocks = s2sad.hessian(features, wrt=(0, 1))(a, x)
    want = jax.hessian(lambda a, x: jnp.sum(jnp.tanh(a @ x) ** 2) + 0.1 * jnp.sum(x ** 4),
                       argnums=(0, 1))(a, x)
    for row, want_row in zip(blocks, want):
        for block, want_block in zip(row, want_row):
            np.testing.assert_allclose(block, want_block, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("fun", [features, mlp], ids=["features", "mlp"])
def test_hvp_is_the_gradient_differentiated_along_the_vector(fun):
    args = [rng.standard_normal((4, 5)) / 2.0, rng.standard_normal(5)] if fun is features else \
        CASES[0][2]()
    wrt = (0, 1)
    vectors = tuple(rng.standard_normal(np.shape(args[i])) for i in wrt)
    got = s2sad.hvp(fun, wrt=wrt)(*args, vector=vectors)
    gradient = s2sad.grad(fun, wrt=wrt)
    e = 1e-6
    plus = gradient(*[a + e * v for a, v in zip(args[:2], vectors)], *args[2:])
    minus = gradient(*[a - e * v for a, v in zip(args[:2], vectors)], *args[2:])
    for g, p, m in zip(got, plus, minus):
        assert_close(g, (p - m) / (2 * e), rtol=1e-5)
    assert "def " + fun.__name__ + "_hvp(" in s2sad.hvp(fun, wrt=wrt).source


def test_hvp_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = importlib.import_module("autograd.numpy")
    a, x = rng.standard_normal((4, 5)) / 2.0, rng.standard_normal(5)
    v = rng.standard_normal(5)
    want = autograd.hessian_vector_product(
        lambda x: anp.sum(anp.tanh(a @ x) ** 2) + 0.1 * anp.sum(x ** 4))(x, v)
    np.testing.assert_allclose(s2sad.hvp(features, wrt="x")(a, x, vector=v), want, rtol=1e-10)


def test_the_lecture_second_derivative_as_a_hessian():
    """g1 = grad(sum(x ** 2)) has the Hessian 2 I."""
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2sad.hessian(squares)(x), 2.0 * np.eye(3))
    assert numerical_vjp(squares, [x], [0], 1.0)[0] == pytest.approx(2 * x)


def squares(x):
    return np.sum(x ** 2)
