"""Variants of a gradient specialized to Python numbers, and their fallbacks."""

import number_functions as nf
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad

rng = np.random.default_rng(21)


def test_the_oscillator_variant_reads_lists_of_numbers_and_matches_differences():
    args = [rng.uniform(0.5, 2.0, 40), rng.uniform(0.0, 0.2, 40), 1.0, 0.0, 40]
    gradient = s2sad.grad(nf.oscillator, wrt=(0, 1, 2, 3))
    variant = gradient.source_for(*args)
    assert "k_items = k.tolist()" in variant and "_unbroadcast" not in variant
    assert "_shape_of" not in variant
    assert "tolist" not in gradient.source  # the general version, for any arguments
    got = gradient(*args)
    for g, e in zip(got, numerical_vjp(nf.oscillator, args, [0, 1, 2, 3], 1.0)):
        assert_close(np.asarray(g), np.asarray(e))
    assert type(got[2]) is float


def test_an_array_where_a_number_was_expected_runs_the_general_version():
    args = [rng.uniform(0.5, 2.0, 5), rng.uniform(0.0, 0.2, 5), np.array([1.0, 0.5]), 0.0, 5]
    cotangent = np.array([0.3, -1.2])
    got = s2sad.vjp(nf.oscillator, wrt=(0, 2))(*args, cotangent=cotangent)
    for g, e in zip(got, numerical_vjp(nf.oscillator, args, [0, 2], cotangent)):
        assert_close(g, e)


def test_numpy_floats_count_as_numbers():
    args = [rng.uniform(0.5, 2.0, 5), rng.uniform(0.0, 0.2, 5), np.float64(1.0), 0.0, 5]
    gradient = s2sad.grad(nf.oscillator, wrt=(0, 2))
    assert "tolist" in gradient.source_for(*args)
    for g, e in zip(gradient(*args), numerical_vjp(nf.oscillator, args, [0, 2], 1.0)):
        assert_close(np.asarray(g), np.asarray(e))


@pytest.mark.parametrize(("fun", "args", "wrt"), [
    (nf.becomes_an_array, [0.3, rng.standard_normal(3)], (0, 1)),
    (nf.reads_the_whole_array_too, [rng.standard_normal(3), 0.7], (0, 1)),
], ids=["number becomes array", "array read whole"])
def test_variants_keep_arrays_that_are_not_numbers(fun, args, wrt):
    got = s2sad.grad(fun, wrt=wrt)(*args)
    for g, e in zip(got, numerical_vjp(fun, args, list(wrt), 1.0)):
        assert_close(np.asarray(g), np.asarray(e))
