"""Variants of a gradient generated for the shapes and dtypes of its NumPy arguments: what
they leave out, where they keep the general code, and that their gradients are right."""

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

rng = np.random.default_rng(33)


def dag(w1, w2, x):
    x1 = w1 @ x
    x2 = x + w2 @ x1
    x3 = w1 @ (x1 + x2)
    return np.sum(x3 * x3)


def affine(w, b, x):
    return np.sum(np.tanh(x @ w + b))


def grows(x, m, n):
    s = x
    for _ in range(n):
        s = s * m  # (4,) at first, (3, 4) after one step
    return np.sum(s)


def matvec(w, v):
    return np.sum(np.tanh(w @ v) * v[:2].sum())


def check(fun, args, wrt, calls=2):
    gradient = s2sad.grad(fun, wrt=wrt)
    expected = numerical_vjp(fun, args, list(wrt), 1.0)
    for _ in range(calls):
        got = gradient(*args)
        for g, e in zip(got, expected):
            assert_close(np.asarray(g), np.asarray(e))
    return gradient


def test_the_dag_variant_writes_products_for_their_ranks_and_needs_no_unbroadcasting():
    args = [rng.standard_normal((3, 3)), rng.standard_normal((3, 3)), rng.standard_normal((3, 2))]
    gradient = check(dag, args, (0, 1))
    variant = gradient.source_for(*args).split("\ndef _")[0]  # the function, not its helpers
    for general in ("_unbroadcast", "_matmul_dlhs", "_matmul_drhs", "_namespace(",
                    "_check_differentiable"):
        assert general not in variant
    assert "@ x1_x2.T" in variant and "w1.T @" in variant
    assert "full_like" not in variant and "2.0 * ddag * x3" in variant  # no filled seed
    # The general gradient, the one saved, still serves any arguments.
    assert "_matmul_dlhs" in gradient.source and "_namespace(" in gradient.source


def softmax_cross_entropy(w, b, x, y):
    z = x @ w + b
    zs = z - np.max(z, axis=1, keepdims=True)
    log_p = zs - np.log(np.sum(np.exp(zs), axis=1, keepdims=True))
    return -np.mean(np.sum(y * log_p, axis=1))


def test_the_softmax_variant_broadcasts_its_spreads_and_computes_no_unread_value():
    args = [rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal((4, 5)),
            np.eye(3)[[0, 2, 1, 1]]]
    gradient = check(softmax_cross_entropy, args, (0, 1))
    variant = gradient.source_for(*args).split("\ndef _")[0]
    for general in ("_spread", "full_like", "xp.max(", "xp.sum(", ".size"):
        assert general not in variant
    assert "z.max(axis=1, keepdims=True)" in variant and "/ 4 * y" in variant
    # the loss's own value is not the gradient's: the forward stops at what the backward reads
    assert "\n    log_p = " not in variant and "= xp.log(" not in variant
    assert "- dlog_p.sum(axis=1, keepdims=True)" in variant  # the negation taken up


def squared_error(w, x, y):
    d = x @ w - y
    return np.sum(d ** 2) / 2.0 + np.sum((d / 4.0) ** 2)


def test_the_adjoint_of_a_sum_of_squares_scales_the_seed_not_a_filled_array():
    args = [rng.standard_normal((3, 2)), rng.standard_normal((5, 3)), rng.standard_normal((5, 2))]
    gradient = check(squared_error, args, (0,))
    variant = gradient.source_for(*args).split("\ndef _")[0]
    assert "full_like" not in variant and variant.count(" * 2 * ") == 2


def summed_product(x, y):
    return np.sum(x * y)


def summed_and_multiplied(x, y, w):
    z = x * y
    return np.sum(z) + np.sum(np.tanh(z @ w))


def cancelled(w):
    w += -w  # a fill minus itself: the adjoint of w's two reads
    return np.sum(w)


def test_a_fill_beside_itself_stays_the_array_its_shape_needs():
    """Found by the long random hunt: `dw_1 - dw_1` of a fill read as both operands."""
    args = [rng.standard_normal(3)]
    gradient = check(cancelled, args, (0,))
    got = gradient(*args)[0]
    assert isinstance(got, np.ndarray) and got.shape == (3,)


def test_a_fill_read_by_two_products_is_the_number_at_each_and_the_product_goes():
    args = [rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), rng.standard_normal((3, 2))]
    variant = check(summed_product, args[:2], (0, 1)).source_for(*args[:2]).split("\ndef _")[0]
    assert "full_like" not in variant and "dsummed_product * y" in variant
    assert "x_y = " not in variant  # the forward computed it for the fill's shape alone
    # a fill added into another adjoint of its shape is the number added
    variant = check(summed_and_multiplied, args, (0, 1, 2)).source_for(*args).split("\ndef _")[0]
    assert "full_like" not in variant and "dz += dsummed_and_multiplied  #" in variant


def summed_rows(x, w):
    return np.sum(np.tanh(np.sum(x * w, axis=1)))


def summed_columns(x, w):
    return np.sum(np.sin(np.sum(x * w, axis=0)) + np.mean(x * x))


@pytest.mark.parametrize("fun, expanded", [(summed_rows, "[:, None] * w"),
                                           (summed_columns, "[None] * w")])
def test_a_spread_without_kept_axes_broadcasts_with_the_axes_put_back(fun, expanded):
    args = [rng.standard_normal((4, 3)), rng.standard_normal((4, 3))]
    gradient = check(fun, args, (0,))  # the spread read once: by x's adjoint
    variant = gradient.source_for(*args).split("\ndef _")[0]
    assert "_spread" not in variant and expanded in variant


@pytest.mark.parametrize("seed", [2.0, 2, np.float64(2.0), np.float32(2.0), np.array(2.0)])
def test_a_seed_of_any_kind_scales_the_variant_s_gradient_as_the_general_one(seed):
    args = [rng.standard_normal((4, 3)), rng.standard_normal((4, 3))]
    gradient = s2sad.grad(summed_rows, wrt=(0, 1))
    expected = numerical_vjp(summed_rows, args, [0, 1], 1.0)
    for _ in range(2):  # the second call runs the variant
        for g, e in zip(gradient(*args, dsummed_rows=seed), expected):
            assert_close(np.asarray(g), 2.0 * np.asarray(e))


def test_a_broadcast_operand_is_still_summed_back_to_its_shape():
    args = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((5, 3))]
    gradient = check(affine, args, (0, 1))
    variant = gradient.source_for(*args).split("\ndef _")[0]
    assert "db = dx_w_b.sum(axis=0)" in variant and "_unbroadcast" not in variant


def test_a_loop_variable_whose_shape_changes_keeps_the_general_code():
    args = [rng.standard_normal(4), rng.standard_normal((3, 1)), 3]
    gradient = check(grows, args, (0, 1))
    assert "_unbroadcast" in gradient.source_for(*args).split("\ndef _")[0]


def test_matrix_vector_products_are_written_for_their_ranks():
    args = [rng.standard_normal((2, 3)), rng.standard_normal(3)]
    gradient = check(matvec, args, (0, 1))
    variant = gradient.source_for(*args).split("\ndef _")[0]
    assert "_matmul_d" not in variant and "[:, None] *" in variant


def test_each_shape_gets_its_variant_up_to_a_limit_then_the_general_gradient():
    gradient = s2sad.grad(affine, wrt=(0, 1))
    for rows in range(1, 12):
        args = [rng.standard_normal((3, 2)), rng.standard_normal(2),
                rng.standard_normal((rows, 3))]
        expected = numerical_vjp(affine, args, [0, 1], 1.0)
        for _ in range(2):
            for g, e in zip(gradient(*args), expected):
                assert_close(g, e)
    assert len(gradient._built.variants) == 8


def cast_inside(w, x):
    return np.sum(np.tanh(w.astype(np.float32) @ x))


def test_float64_code_needs_no_cast_of_its_gradients_and_a_cast_keeps_it():
    args = [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))]
    plain = check(matvec_sum, args, (0, 1))
    assert "_as_argument" not in plain.source_for(*args).split("\ndef _")[0]
    gradient = s2sad.grad(cast_inside, wrt=(0, 1))  # float32 values inside: the cast stays
    gradient(*args)
    assert all(g.dtype == np.float64 for g in gradient(*args))  # the variant's
    assert "_as_argument(dw, w)" in gradient.source_for(*args)


def matvec_sum(w, x):
    return np.sum(np.tanh(w @ x))


def test_float32_arguments_get_float32_gradients_from_the_variant():
    args = [rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal(4).astype(np.float32),
            rng.standard_normal((5, 3)).astype(np.float32)]
    gradient = s2sad.grad(affine, wrt=(0, 1))
    expected = numerical_vjp(affine, args, [0, 1], 1.0)
    for _ in range(2):
        got = gradient(*args)
        for g, e in zip(got, expected):
            assert g.dtype == np.float32
            assert_close(g, e, rtol=1e-4, atol=1e-4)


def test_integer_arguments_are_refused_by_the_variant_too():
    gradient = s2sad.grad(affine, wrt=(0, 1))
    args = [np.ones((3, 4), dtype=np.int64), np.ones(4), np.ones((5, 3))]
    for _ in range(2):
        with pytest.raises(TypeError, match="cannot differentiate with respect to w"):
            gradient(*args)


def test_a_variant_is_the_same_text_for_the_same_facts():
    args = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((5, 3))]
    first = s2sad.grad(affine, wrt=(0, 1)).source_for(*args)
    again = s2sad.grad(affine, wrt=(0, 1)).source_for(*[a + 1.0 for a in args])
    assert first == again


def variadic(a, *xs):
    return np.sum(a * xs[0] + xs[1])


def test_a_variadic_function_runs_the_general_gradient_on_every_call():
    args = [rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal((2, 3))]
    check(variadic, args, (0,), calls=3)


DATA = {"x": rng.standard_normal((4, 3))}


def reads_a_global(w):
    return np.sum(np.tanh(DATA["x"] @ w))


def test_a_global_whose_shape_changes_between_calls_gives_the_gradient_at_each_call():
    w = rng.standard_normal((3, 2))
    gradient = s2sad.grad(reads_a_global)
    for rows in (4, 4, 7, 7, 1, 1):
        DATA["x"] = rng.standard_normal((rows, 3))
        assert_close(gradient(w), numerical_vjp(reads_a_global, [w], [0], 1.0)[0])


def scaled(w, x, scale=2.0):
    return np.sum((x @ w) * scale)


def test_arguments_given_by_keyword_are_not_specialized_and_stay_right():
    w, x = rng.standard_normal((3, 2)), rng.standard_normal((4, 3))
    gradient = s2sad.grad(scaled)
    for _ in range(2):
        assert_close(gradient(w, x=x, scale=0.5), numerical_vjp(
            lambda w: scaled(w, x, 0.5), [w], [0], 1.0)[0])
        assert_close(gradient(w, x), numerical_vjp(lambda w: scaled(w, x), [w], [0], 1.0)[0])


def elman(w, u, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h * h)


def test_a_loop_over_a_known_length_runs_over_a_literal_range():
    args = [0.3 * rng.standard_normal((4, 4)), rng.standard_normal((4, 2)),
            rng.standard_normal((5, 2)), rng.standard_normal(4)]
    gradient = check(elman, args, (0, 1))
    assert "range(5)" in gradient.source_for(*args)
