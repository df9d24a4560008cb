"""Options of the reductions that s2sad does not reproduce exactly are refused when the
gradient is generated, with an error that names the option and points at the call."""

from __future__ import annotations

import numpy as np
import pytest

import s2sad


def sum_out(x, buffer):
    return np.sum(x, axis=0, out=buffer)


def sum_method_out(x, buffer):
    return x.sum(0, None, buffer)


def sum_dtype(x):
    return np.sum(x, dtype="float32")


def sum_where_false(x):
    return np.sum(x, where=False)


def sum_where_mask(x, mask):
    return np.sum(x, where=mask)


def nansum_out(x, buffer):
    return np.nansum(x, out=buffer)


def nansum_where(x):
    return np.nansum(x, where=False)


def mean_out(x, buffer):
    return np.mean(x, 0, None, buffer)


def mean_dtype(x):
    return x.mean(dtype="float32")


def mean_where(x):
    return np.mean(x, where=False)


def nanmean_dtype(x):
    return np.nanmean(x, dtype="float32")


def nanmean_out(x, buffer):
    return np.nanmean(x, out=buffer)


def average_returned(x, w):
    return np.average(x, weights=w, returned=True)


def prod_initial(x):
    return np.prod(x, initial=2.0)


def prod_method_out(x, buffer):
    return x.prod(out=buffer)


def prod_dtype(x):
    return np.prod(x, dtype="float32")


def prod_where(x):
    return np.prod(x, where=False)


def max_initial(x):
    return np.max(x, initial=0.0)


def max_method_out(x, buffer):
    return x.max(out=buffer)


def amax_where(x):
    return np.amax(x, where=False, initial=0.0)


def min_initial(x):
    return x.min(initial=1.0)


def amin_out(x, buffer):
    return np.amin(x, out=buffer)


def ptp_out(x, buffer):
    return np.ptp(x, out=buffer)


def var_mean(x, m):
    return np.var(x, mean=m)


def var_correction(x):
    return np.var(x, correction=1)


def var_method_dtype(x):
    return x.var(dtype="float32")


def std_where(x):
    return np.std(x, where=False)


def std_out(x, buffer):
    return x.std(out=buffer)


def std_correction(x):
    return x.std(correction=1)


def cumsum_out(x, buffer):
    return np.cumsum(x, out=buffer)


def cumsum_method_dtype(x):
    return x.cumsum(dtype="float32")


def cumprod_out(x, buffer):
    return x.cumprod(0, None, buffer)


def cumprod_dtype(x):
    return np.cumprod(x, dtype="float32")


def trace_out(x, buffer):
    return np.trace(x, out=buffer)


def trace_method_dtype(x):
    return x.trace(dtype="float32")


def diff_prepend_variable(x, p):
    return np.diff(x, prepend=p)


def norm_ord_zero(x):
    return np.linalg.norm(x, 0)


def norm_unknown_string(x):
    return np.linalg.norm(x, "spectral")


def norm_ord_variable(x, p):
    return np.linalg.norm(x, p)


REFUSED = [
    (sum_out, "out="),
    (sum_method_out, "with `out=`"),
    (sum_dtype, "dtype="),
    (sum_where_false, "where="),
    (sum_where_mask, "`where` as a literal"),
    (nansum_out, "out="),
    (nansum_where, "where="),
    (mean_out, "with `out=`"),
    (mean_dtype, "dtype="),
    (mean_where, "where="),
    (nanmean_dtype, "dtype="),
    (nanmean_out, "out="),
    (average_returned, "returned=True"),
    (prod_initial, "initial="),
    (prod_method_out, "out="),
    (prod_dtype, "dtype="),
    (prod_where, "where="),
    (max_initial, "initial="),
    (max_method_out, "out="),
    (amax_where, "initial="),
    (min_initial, "initial="),
    (amin_out, "out="),
    (ptp_out, "out="),
    (var_mean, "`mean` as a literal"),
    (var_correction, "correction="),
    (var_method_dtype, "dtype="),
    (std_where, "where="),
    (std_out, "out="),
    (std_correction, "correction="),
    (cumsum_out, "out="),
    (cumsum_method_dtype, "dtype="),
    (cumprod_out, "with `out=`"),
    (cumprod_dtype, "dtype="),
    (trace_out, "out="),
    (trace_method_dtype, "dtype="),
    (diff_prepend_variable, "`prepend` as a literal"),
    (norm_ord_zero, "ord=0"),
    (norm_unknown_string, "matrix norm orders"),
    (norm_ord_variable, "`ord` as a literal"),
]


@pytest.mark.parametrize(("fun", "says"), REFUSED, ids=[f.__name__ for f, _ in REFUSED])
def test_refused_when_generated(fun, says):
    with pytest.raises(s2sad.UnsupportedArgumentError) as info:
        _ = s2sad.grad(fun).source
    message = str(info.value)
    assert says in message, message
    assert "test_reduction_refusals.py" in message and "^" in message, message


def test_a_refusal_is_an_s2sad_error_naming_the_line():
    with pytest.raises(s2sad.S2SADError) as info:
        _ = s2sad.grad(prod_initial).source
    line = prod_initial.__code__.co_firstlineno + 1
    assert f"line {line}" in str(info.value)


def options_at_their_defaults(x):
    a = np.sum(x, axis=0, dtype=None, out=None, keepdims=False, where=True)
    b = np.max(x, axis=1, out=None, keepdims=False, initial=None, where=True)
    c = np.var(x, 0, None, None, 0, False)
    d = np.linalg.norm(x, None, 1, False)
    return np.sum(a) + np.sum(b) + np.sum(c) + np.sum(d)


def test_options_given_at_their_defaults_are_accepted():
    x = np.arange(12.0).reshape(3, 4) / 7.0
    dx = s2sad.grad(options_at_their_defaults)(x)
    assert dx.shape == x.shape and np.all(np.isfinite(dx))
