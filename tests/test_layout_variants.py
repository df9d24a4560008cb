"""A float64 NumPy variant writes a large product of a transposed operand, `a.T @ b`, as
`(b.T @ a).T` (which OpenBLAS computes faster) where the F-ordered result meets only
products and other F-ordered arrays: never a returned gradient, a loop, or a C-ordered
operand of elementwise arithmetic."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from test_shape_variants import dag

import s2sad

rng = np.random.default_rng(12)


def layer(w, x):
    y = w @ x
    return np.sum(y * np.tanh(y))


def mixed(w, u, x):
    y = w @ x
    z = np.tanh(u @ y) + y
    return np.sum(z * z)


def looped(w, u, x):
    h = w @ x
    for _ in range(2):
        h = np.tanh(h)
    z = u @ h
    return np.sum(z * z)


def _inputs(count, n=128, m=16, dtype=np.float64):
    weights = [rng.standard_normal((n, n)) / np.sqrt(n) for _ in range(count)]
    return [a.astype(dtype) for a in (*weights, rng.standard_normal((n, m)))]


def _with_autograd_numpy(fun):
    return type(fun)(fun.__code__, {**fun.__globals__, "np": anp}, fun.__name__)


def _check(fun, args, wrt):
    """The variant's gradients against autograd's and central differences along a random
    direction; each one C-ordered, like the argument it is the gradient of."""
    gradient = s2sad.grad(fun, wrt=wrt)
    gradient(*args)  # the first call runs the general gradient, the second the variant
    got = gradient(*args)
    expected = autograd.grad(_with_autograd_numpy(fun), wrt)(*args)
    for index, g, e in zip(wrt, got, expected):
        assert g.flags.c_contiguous and g.dtype == args[index].dtype
        np.testing.assert_allclose(g, e, rtol=1e-4 if g.dtype == np.float32 else 1e-10,
                                   atol=1e-4 if g.dtype == np.float32 else 1e-10)
        if g.dtype == np.float64:
            direction = rng.standard_normal(g.shape)
            eps = 1e-6
            plus, minus = list(args), list(args)
            plus[index] = args[index] + eps * direction
            minus[index] = args[index] - eps * direction
            slope = (fun(*plus) - fun(*minus)) / (2 * eps)
            assert np.isclose(np.sum(g * direction), slope, rtol=1e-6, atol=1e-6)
    return gradient.source_for(*args)


def test_the_dag_s_products_of_transposed_weights_are_swapped_and_its_gradients_right():
    args = _inputs(2)
    variant = _check(dag, args, (0, 1))
    assert "dx1_x2 = (dx3.T @ w1).T  # w1.T @ dx3, in the layout BLAS computes faster" in variant
    assert "dx1 = dx1_x2 + (dx1_x2.T @ w2).T" in variant
    assert "# x1 is read twice; w2.T @ dx1_x2, in the layout BLAS computes faster" in variant


@pytest.mark.parametrize("fun, count, wrt, kept", [
    (layer, 1, (1,), "dx = w.T @"),  # the product is the returned gradient
    (mixed, 2, (0, 1), "u.T @"),  # added to the C-ordered adjoint that `y`'s own read gives
    (looped, 2, (0, 1), "u.T @"),  # read by the loop's backward
], ids=["returned", "beside-a-c-ordered-array", "read-by-a-loop"])
def test_a_product_whose_result_meets_an_unfriendly_reader_keeps_its_layout(fun, count, wrt,
                                                                            kept):
    variant = _check(fun, _inputs(count), wrt)
    assert kept in variant and "the layout BLAS" not in variant


def test_float32_and_small_products_keep_their_layout():
    """OpenBLAS computes float32's swapped products no faster; small ones cost their call."""
    assert "the layout BLAS" not in _check(dag, _inputs(2, dtype=np.float32), (0, 1))
    assert "the layout BLAS" not in _check(dag, _inputs(2, n=32, m=8), (0, 1))


def test_the_general_gradient_keeps_its_layout():
    gradient = s2sad.grad(dag, wrt=(0, 1))
    assert "the layout BLAS" not in gradient.source


def _random_product_program(seed: int) -> str:
    """A straight-line program of products of two (n, n) weights with (n, m) values, sums,
    differences, tanh, scaled and sliced reads, whose values are read once or several times
    (their adjoints accumulate), maybe a loop, ending in a sum of products of them."""
    choose = np.random.default_rng(seed)
    values = ["x"]
    lines = []

    def some() -> str:
        return values[int(choose.integers(len(values)))]

    for k in range(int(choose.integers(3, 8))):
        form = int(choose.integers(7))
        a, b = some(), some()
        weight = ("w", "u")[int(choose.integers(2))]
        expression = [f"{weight} @ {a}", f"{weight} @ ({a} + {b})", f"{a} + {weight} @ {b}",
                      f"np.tanh({weight} @ {a})", f"{weight}.T @ {a} - 0.5 * {b}",
                      f"{a} * {b} + {weight} @ {a}", f"{weight} @ {a} * 2.0"][form]
        lines.append(f"    v{k} = {expression}")
        values.append(f"v{k}")
    if choose.integers(3) == 0:
        lines += ["    s = v0", "    for _ in range(2):", "        s = np.tanh(s)",
                  f"    v{len(values)} = u @ s"]
        values.append(f"v{len(values)}")
    last, other = values[-1], some()
    tail = ["np.sum({0} * {1})", "np.sum({0} * {0}) + np.sum({1}[:, :4])",
            "np.sum(np.sum({0}, axis=0) ** 2) + np.mean({1})"][int(choose.integers(3))]
    return "import numpy as np\n\n\ndef program(w, u, x):\n" + "\n".join(lines) + \
        f"\n    return {tail.format(last, other)}\n"


def test_random_product_programs_swap_some_products_and_their_gradients_are_autograd_s(
        tmp_path):
    """Random programs at sizes the pass rewrites: every variant's gradients match autograd's
    and are C-ordered, and the programs do meet the swap (else the test would test nothing)."""
    from random_programs import load_function

    swapped = 0
    for seed in range(40):
        source = _random_product_program(seed)
        fun = load_function(source, "program", tmp_path)
        try:
            swapped += "the layout BLAS" in _check(fun, _inputs(2, n=96, m=32), (0, 1, 2))
        except AssertionError as error:
            raise AssertionError(f"{error}\nfor the program\n{source}") from None
    assert swapped >= 10
