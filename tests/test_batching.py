"""Loops that batch their weight gradients (codegen/batching.py): the steps' factors are
kept and multiplied once after the loop. Checked against autograd, on the shapes where the
one product applies and those where the helpers fall back to the steps' own products."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import s2sad

rng = np.random.default_rng(7)


def rnn_columns(w, u, b, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(w @ h + u @ xs[t] + b)
    return np.sum(h * h)


def rnn_rows(w, u, b, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ w + xs[t] @ u + b)
    return np.sum(h * h)


def rnn_matrices(w, u, b, xs, h0):
    """Columns of a batch: `w @ h` with h a matrix."""
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(w @ h + u @ xs[t] + b[:, None])
    return np.sum(h * h)


def growing(w, u, b, xs, h0):
    """The factors' shapes change from step to step: the helpers add the steps' products."""
    total = 0.0
    for t in range(1, xs.shape[0]):
        total = total + np.sum(np.tanh(xs[:t] @ u.T @ w + b))
    return total


def decaying(w, u, b, xs, h0):
    """w is assigned in the loop: its adjoint is no sum of one weight's products."""
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(w @ h + u @ xs[t] + b)
        w = 0.9 * w
    return np.sum(h * h)


def _arguments(name, steps=6, hidden=5, inputs=3, dtype=np.float64):
    w = rng.standard_normal((hidden, hidden)) / hidden
    u = rng.standard_normal((hidden, inputs))
    b = 0.1 * rng.standard_normal(hidden)
    if name == "rnn_rows":
        w, u = w.T, u.T
        xs, h0 = rng.standard_normal((steps, 4, inputs)), rng.standard_normal((4, hidden))
    elif name == "rnn_matrices":
        xs, h0 = rng.standard_normal((steps, inputs, 4)), rng.standard_normal((hidden, 4))
    elif name == "growing":
        xs, h0 = rng.standard_normal((steps, inputs)), np.zeros(hidden)
    else:
        xs, h0 = rng.standard_normal((steps, inputs)), rng.standard_normal(hidden)
    return tuple(np.asarray(a, dtype) for a in (w, u, b, xs, h0))


FUNCTIONS = {f.__name__: f for f in (rnn_columns, rnn_rows, rnn_matrices, growing, decaying)}


def _reference(fun, args):
    namespace = fun.__globals__
    saved, namespace["np"] = namespace["np"], anp
    try:
        return autograd.grad(fun, (0, 1, 2))(*args)
    finally:
        namespace["np"] = saved


@pytest.mark.filterwarnings("ignore:Output seems independent of input")  # autograd, no step
@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("steps", [0, 1, 6, 150])  # 150: two products of 64 steps, then 22
def test_batched_loops_match_autograd(name, steps):
    fun = FUNCTIONS[name]
    args = _arguments(name, steps=max(steps, 1) if name == "growing" else steps)
    got = s2sad.grad(fun, wrt=("w", "u", "b"))(*args)
    for mine, theirs in zip(got, _reference(fun, args)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["rnn_columns", "rnn_rows", "rnn_matrices"])
def test_the_weights_adjoints_are_products_of_many_steps(name):
    source = s2sad.grad(FUNCTIONS[name], wrt=("w", "u", "b")).source
    backward = source.split("# backward")[1].split("\ndef ")[0]
    after = backward.split("for t in reversed(steps):")[1]
    loop = "\n".join(line for line in after.splitlines() if line.startswith(" " * 8))
    assert "_step(dw, dw_steps, " in loop and "_step(du, du_steps, " in loop
    assert "dw += _matmul" not in loop and "du += _matmul" not in loop
    assert "    dw += _matmul_d" in backward and "_steps(dw_steps, w)" in backward


def test_a_weight_assigned_in_the_loop_is_not_batched():
    source = s2sad.grad(decaying, wrt=("w", "u", "b")).source
    assert "dw_steps" not in source and "du_steps" in source


def test_float32_stays_float32():
    args = _arguments("rnn_columns", dtype=np.float32)
    got = s2sad.grad(rnn_columns, wrt=("w", "u", "b"))(*args)
    assert all(g.dtype == np.float32 for g in got)
    for mine, theirs in zip(got, _reference(rnn_columns, [a.astype(np.float64) for a in args])):
        np.testing.assert_allclose(mine, theirs, rtol=2e-4, atol=1e-5)


def test_second_order_and_checkpoints_read_the_loop_as_written():
    args = _arguments("rnn_columns")
    vector = rng.standard_normal(args[0].shape)
    hvp = s2sad.hvp(rnn_columns, wrt="w")(*args, vector=vector)
    namespace = rnn_columns.__globals__
    saved, namespace["np"] = namespace["np"], anp
    try:
        expected = autograd.grad(
            lambda w: anp.sum(autograd.grad(rnn_columns)(w, *args[1:]) * vector))(args[0])
    finally:
        namespace["np"] = saved
    np.testing.assert_allclose(hvp, expected, rtol=1e-9, atol=1e-12)
    checkpointed = s2sad.grad(rnn_columns, wrt=("w", "u", "b"), checkpoint=True)
    assert "_steps(" not in checkpointed.source.split("\ndef _")[0]
    for mine, theirs in zip(checkpointed(*args), _reference(rnn_columns, args)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
