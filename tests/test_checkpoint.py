"""Checkpointed loops: the same gradients as the full tape, from about √T saved states."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad


def recurrent(w, x):
    h = np.zeros(w.shape[0])
    for t in range(x.shape[0]):
        h = np.tanh(w @ h + x[t])
    return np.sum(h ** 2)


def two_states(w, x):
    h = np.zeros(3)
    c = np.ones(3)
    for t in range(x.shape[0]):
        c = c * 0.5 + np.tanh(x[t])
        h = np.tanh(w @ h + c)
        last = h * c
    return np.sum(h) + np.sum(last)


def nested(w, x):
    h = x[0]
    for i in range(x.shape[0]):
        for j in range(2):
            h = np.tanh(w @ h) + x[i]
    return np.sum(h)


def stops(w, x):
    h = x[0]
    for t in range(x.shape[0]):
        h = np.tanh(w @ h)
        if np.sum(h) > 10.0:
            break
    return np.sum(h)


CASES = [(recurrent, 11), (two_states, 9), (nested, 5), (stops, 6)]


@pytest.mark.parametrize(("fun", "steps"), CASES, ids=[f.__name__ for f, _ in CASES])
def test_checkpointed_gradient_matches_the_full_tape(fun, steps):
    rng = np.random.default_rng(3)
    w, x = rng.standard_normal((3, 3)) * 0.5, rng.standard_normal((steps, 3))
    got = s2sad.grad(fun, wrt=(0, 1), checkpoint=True)(w, x)
    expected = numerical_vjp(fun, [w, x], [0, 1], 1.0)
    for g, e in zip(got, expected):
        assert_close(g, e)


def test_the_source_says_it_checkpoints():
    source = s2sad.grad(recurrent, checkpoint=True).source
    assert "checkpoints.append(h)" in source and "_segment_length(steps)" in source
    assert "for start in reversed(range(0, len(steps), segment)):" in source
    assert "checkpoints" not in s2sad.grad(recurrent).source
    # A loop that may break cannot run a segment again as it ran: it keeps its full tape.
    assert "checkpoints" not in s2sad.grad(stops, checkpoint=True).source


def test_value_and_grad_and_vjp_checkpoint_too():
    rng = np.random.default_rng(5)
    w, x = rng.standard_normal((3, 3)) * 0.5, rng.standard_normal((7, 3))
    value, dw = s2sad.value_and_grad(recurrent, checkpoint=True)(w, x)
    assert value == pytest.approx(recurrent(w, x))
    assert_close(dw, s2sad.grad(recurrent)(w, x))
    dw = s2sad.vjp(recurrent, checkpoint=True)(w, x, cotangent=2.0)
    assert_close(dw, 2.0 * s2sad.grad(recurrent)(w, x))


def peak(function, *args) -> int:
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_tape_keeps_about_the_square_root_of_the_steps():
    rng = np.random.default_rng(7)
    size, steps = 32, 2500
    w, x = rng.standard_normal((size, size)) * 0.1, rng.standard_normal((steps, size))
    full, checkpointed = s2sad.grad(recurrent), s2sad.grad(recurrent, checkpoint=True)
    for _ in range(2):  # generated before measuring: the general gradient, then the variant
        full(w, x), checkpointed(w, x)
    # The full tape holds every step's state; the checkpoints and one segment's tape about
    # 2 √T of them (100 here), beside one step's temporaries.
    whole, bounded = peak(full, w, x), peak(checkpointed, w, x)
    assert whole > steps * size * 8
    assert bounded < whole / 5, (whole, bounded)
