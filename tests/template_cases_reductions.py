"""Template cases of the reductions: products, nan-reductions, averages, extrema, spreads,
variances, cumulative sums and products, differences, traces and norms.

tests/template_cases.py keeps the first cases of sum, mean, max, min and norm;
these add the other reductions and the options of all of them: `axis` as None,
an int, a negative int and a tuple, `keepdims` both ways, positional options,
method forms. Inputs with zeros (products), nans (nan-reductions) and ties
(extrema) are fixed `Value`s; elsewhere the domain keeps finite differences
away from ties and kinks.
"""

import numpy as np
from template_cases import SCALAR, Case, Value, add_cases

import s2sad

NAN = np.nan
NANS_34 = Value(np.array([[1.0, NAN, -0.5, 2.0],
                          [NAN, NAN, 0.3, 1.2],
                          [0.7, -1.1, NAN, 0.4]]))
NANS_5 = Value(np.array([0.5, NAN, -1.5, 2.0, NAN]))
ONE_ZERO = Value(np.array([[1.5, 0.0, -2.0], [0.5, 1.2, -0.7]]))
TWO_ZEROS = Value(np.array([0.0, 2.0, 0.0, -1.5]))
ROWS_OF_ZEROS = Value(np.array([[0.0, 2.0, 0.0], [1.5, 0.0, 3.0], [1.0, -2.0, 0.5]]))
ZEROS_ALONG_ROWS = Value(np.array([[1.5, 0.0, 2.0, -1.0],
                                   [0.0, 2.0, 0.0, 3.0],
                                   [1.0, 2.0, 3.0, 0.5]]))
ZEROS_5 = Value(np.array([2.0, 0.0, 3.0, 0.0, 1.5]))


# ---- sum, nansum ---------------------------------------------------------------------------


def sum_initial(x, s):
    return np.sum(x, axis=0, initial=s)


def sum_initial_literal(x):
    return np.sum(x, initial=2.5)


def sum_method_tuple(x):
    return x.sum(axis=(0, -1))


def sum_positional_options(x):
    return np.sum(x, 1, None, None, True)


def np_nansum(x):
    return np.nansum(x)


def nansum_axis0(x):
    return np.nansum(x, axis=0)


def nansum_negative_keepdims(x):
    return np.nansum(x, axis=-1, keepdims=True)


def nansum_tuple(x):
    return np.nansum(x, axis=(0, 2))


def nansum_all_keepdims(x):
    return np.nansum(x, keepdims=True)


def nansum_initial(x, s):
    return np.nansum(x, axis=1, initial=s)


add_cases(
    "numpy.sum",
    Case(sum_initial, ((3, 4), SCALAR)),
    Case(sum_initial_literal, ((2, 3),)),
    Case(sum_method_tuple, ((2, 3, 4),)),
    Case(sum_positional_options, ((3, 4),)),
)
add_cases(
    "numpy.nansum",
    Case(np_nansum, ((3, 4),)),
    Case(np_nansum, (NANS_34,), wrt=("x",)),
    Case(np_nansum, (NANS_5,), wrt=("x",)),
    Case(nansum_axis0, (NANS_34,), wrt=("x",)),
    Case(nansum_negative_keepdims, (NANS_34,), wrt=("x",)),
    Case(nansum_tuple, ((2, 3, 4),)),
    Case(nansum_all_keepdims, (NANS_34,), wrt=("x",)),
    Case(nansum_initial, ((3, 4), SCALAR)),
)


# ---- mean, nanmean, average ----------------------------------------------------------------


def mean_positional_tuple(x):
    return np.mean(x, (0, 1), None, None, True)


def np_nanmean(x):
    return np.nanmean(x)


def nanmean_axis0(x):
    return np.nanmean(x, axis=0)


def nanmean_negative_keepdims(x):
    return np.nanmean(x, axis=-1, keepdims=True)


def nanmean_tuple(x):
    return np.nanmean(x, axis=(1, 2))


def np_average(a):
    return np.average(a)


def average_axis(a):
    return np.average(a, axis=-1)


def average_weighted(a, w):
    return np.average(a, weights=w)


def average_weights_along_axis(a, w):
    return np.average(a, axis=1, weights=w)


def average_weights_along_axes(a, w):
    return np.average(a, axis=(2, 0), weights=w)


def average_keepdims(a, w):
    return np.average(a, axis=0, weights=w, keepdims=True)


def average_positional(a, w):
    return np.average(a, -1, w)


def average_constant_weights(a):
    return np.average(a, axis=0, weights=[1.0, 2.0, 3.0])


def average_weights_loss(a, w, c):
    return np.sum(np.average(a, axis=1, weights=w) * c)


add_cases("numpy.mean", Case(mean_positional_tuple, ((2, 3, 4),)))
add_cases(
    "numpy.nanmean",
    Case(np_nanmean, ((3, 4),)),
    Case(np_nanmean, (NANS_34,), wrt=("x",)),
    Case(np_nanmean, (NANS_5,), wrt=("x",)),
    Case(nanmean_axis0, (NANS_34,), wrt=("x",)),
    Case(nanmean_negative_keepdims, (NANS_34,), wrt=("x",)),
    Case(nanmean_tuple, ((2, 3, 4),)),
)
add_cases(
    "numpy.average",
    Case(np_average, ((3, 4),)),
    Case(average_axis, ((2, 3, 4),)),
    Case(average_weighted, ((3, 4), (3, 4)), domain="positive"),
    Case(average_weights_along_axis, ((2, 3, 4), (3,)), domain="positive",
         loss=average_weights_loss),
    Case(average_weights_along_axes, ((2, 3, 4), (4, 2)), domain="positive"),
    Case(average_weights_along_axes, ((2, 3, 4), (2, 3, 4)), domain="positive"),
    Case(average_keepdims, ((3, 4), (3,)), domain="positive"),
    Case(average_positional, ((3, 4), (4,)), domain="positive"),
    Case(average_constant_weights, ((3, 2),)),
)


# ---- prod ----------------------------------------------------------------------------------


def np_prod(x):
    return np.prod(x)


def prod_axis0(x):
    return np.prod(x, axis=0)


def prod_axis_negative(x):
    return np.prod(x, axis=-1)


def prod_axis_tuple(x):
    return np.prod(x, axis=(0, 2))


def prod_keepdims(x):
    return np.prod(x, axis=1, keepdims=True)


def prod_all_keepdims(x):
    return np.prod(x, keepdims=True)


def prod_method(x):
    return x.prod()


def prod_method_axis(x):
    return x.prod(axis=0)


def prod_method_keepdims(x):
    return x.prod(-1, keepdims=True)


def prod_loss(x, c):
    return np.sum(np.prod(x, axis=-1) * c)


add_cases(
    "numpy.prod",
    Case(np_prod, ((3, 4),)),
    Case(np_prod, ((5,),)),
    Case(np_prod, ((),)),
    Case(prod_axis0, ((3, 4),)),
    Case(prod_axis_negative, ((2, 3, 4),), loss=prod_loss),
    Case(prod_axis_tuple, ((2, 3, 4),)),
    Case(prod_keepdims, ((2, 3, 4),)),
    Case(prod_all_keepdims, ((3, 4),)),
    Case(prod_method, ((2, 3),)),
    Case(prod_method_axis, ((3, 4),)),
    Case(prod_method_keepdims, ((2, 3, 4),)),
    # Zeros: one, two in one product, and rows with none, one and two.
    Case(np_prod, (ONE_ZERO,), wrt=("x",)),
    Case(prod_axis0, (ONE_ZERO,), wrt=("x",)),
    Case(np_prod, (TWO_ZEROS,), wrt=("x",)),
    Case(prod_axis_negative, (ROWS_OF_ZEROS,), wrt=("x",)),
    Case(prod_method_axis, (ROWS_OF_ZEROS,), wrt=("x",)),
)


# ---- max, amax, min, amin, ptp --------------------------------------------------------------


def max_positional_tuple(x):
    return np.max(x, (0, 1))


def min_negative_keepdims(x):
    return np.min(x, axis=-2, keepdims=True)


def np_amax(x):
    return np.amax(x)


def amax_axis_negative(x):
    return np.amax(x, axis=-1)


def amax_tuple_keepdims(x):
    return np.amax(x, axis=(0, 2), keepdims=True)


def np_amin(x):
    return np.amin(x)


def amin_axis0(x):
    return np.amin(x, axis=0)


def amin_tuple(x):
    return np.amin(x, axis=(-1, 0))


def np_ptp(x):
    return np.ptp(x)


def ptp_axis0(x):
    return np.ptp(x, axis=0)


def ptp_negative_keepdims(x):
    return np.ptp(x, axis=-1, keepdims=True)


def ptp_tuple(x):
    return np.ptp(x, axis=(0, 2))


def ptp_all_keepdims(x):
    return np.ptp(x, keepdims=True)


TIE = Value(np.array([1.0, 3.0, -2.0, 3.0, -2.0]))
TIES_23 = Value(np.array([[1.0, 2.0, 2.0], [0.5, 0.5, 1.0]]))

add_cases(
    "numpy.max",
    Case(max_positional_tuple, ((3, 4, 2),), domain="distinct"),
)
add_cases(
    "numpy.min",
    Case(min_negative_keepdims, ((2, 3, 4),), domain="distinct"),
)
add_cases(
    "numpy.amax",
    Case(np_amax, ((3, 4),), domain="distinct"),
    Case(amax_axis_negative, ((2, 3, 4),), domain="distinct"),
    Case(amax_tuple_keepdims, ((2, 3, 4),), domain="distinct"),
    Case(np_amax, (TIE,), wrt=("x",)),
    Case(amax_axis_negative, (TIES_23,), wrt=("x",)),
)
add_cases(
    "numpy.amin",
    Case(np_amin, ((5,),), domain="distinct"),
    Case(amin_axis0, ((3, 4),), domain="distinct"),
    Case(amin_tuple, ((2, 3, 4),), domain="distinct"),
    Case(np_amin, (TIE,), wrt=("x",)),
    Case(amin_axis0, (TIES_23,), wrt=("x",)),
)
add_cases(
    "numpy.ptp",
    Case(np_ptp, ((3, 4),), domain="distinct"),
    Case(ptp_axis0, ((3, 4),), domain="distinct"),
    Case(ptp_negative_keepdims, ((2, 3, 4),), domain="distinct"),
    Case(ptp_tuple, ((2, 3, 4),), domain="distinct"),
    Case(ptp_all_keepdims, ((5,),), domain="distinct"),
    # Ties of the largest and of the smallest share the adjoint, as for max and min.
    Case(np_ptp, (TIE,), wrt=("x",)),
)


# ---- var, std ------------------------------------------------------------------------------


def np_var(x):
    return np.var(x)


def var_axis0(x):
    return np.var(x, axis=0)


def var_ddof_negative_axis(x):
    return np.var(x, axis=-1, ddof=1)


def var_tuple_keepdims(x):
    return np.var(x, axis=(0, 2), keepdims=True)


def var_all_keepdims_ddof(x):
    return np.var(x, ddof=2, keepdims=True)


def var_positional_ddof(x):
    return np.var(x, 0, None, None, 1)


def var_method(x):
    return x.var()


def var_method_ddof(x):
    return x.var(axis=1, ddof=1)


def np_std(x):
    return np.std(x)


def std_axis0(x):
    return np.std(x, axis=0)


def std_ddof_negative_axis(x):
    return np.std(x, axis=-1, ddof=1)


def std_tuple_keepdims(x):
    return np.std(x, axis=(0, 2), keepdims=True)


def std_all_keepdims_ddof(x):
    return np.std(x, ddof=1, keepdims=True)


def std_method(x):
    return x.std()


def std_method_keepdims(x):
    return x.std(0, keepdims=True)


def std_loss(x, c):
    return np.sum(np.std(x, axis=-1, ddof=1) * c)


add_cases(
    "numpy.var",
    Case(np_var, ((3, 4),)),
    Case(np_var, ((5,),)),
    Case(var_axis0, ((3, 4),)),
    Case(var_ddof_negative_axis, ((2, 3, 4),)),
    Case(var_tuple_keepdims, ((2, 3, 4),)),
    Case(var_all_keepdims_ddof, ((3, 4),)),
    Case(var_positional_ddof, ((4, 3),)),
    Case(var_method, ((2, 3),)),
    Case(var_method_ddof, ((3, 4),)),
)
add_cases(
    "numpy.std",
    Case(np_std, ((3, 4),)),
    Case(np_std, ((5,),)),
    Case(std_axis0, ((3, 4),)),
    Case(std_ddof_negative_axis, ((2, 3, 4),), loss=std_loss),
    Case(std_tuple_keepdims, ((2, 3, 4),)),
    Case(std_all_keepdims_ddof, ((3, 4),)),
    Case(std_method, ((2, 3),)),
    Case(std_method_keepdims, ((3, 4),)),
)


# ---- cumsum, cumprod -----------------------------------------------------------------------


def np_cumsum(x):
    return np.cumsum(x)


def cumsum_axis0(x):
    return np.cumsum(x, axis=0)


def cumsum_axis_negative(x):
    return np.cumsum(x, axis=-1)


def cumsum_method(x):
    return x.cumsum()


def cumsum_method_axis(x):
    return x.cumsum(1)


def np_cumprod(x):
    return np.cumprod(x)


def cumprod_axis0(x):
    return np.cumprod(x, axis=0)


def cumprod_axis_negative(x):
    return np.cumprod(x, axis=-1)


def cumprod_method(x):
    return x.cumprod()


def cumprod_method_axis(x):
    return x.cumprod(axis=1)


def cumprod_loss(x, c):
    return np.sum(np.cumprod(x, axis=0) * c)


add_cases(
    "numpy.cumsum",
    Case(np_cumsum, ((3, 4),)),
    Case(np_cumsum, ((5,),)),
    Case(np_cumsum, ((),)),
    Case(cumsum_axis0, ((3, 4),)),
    Case(cumsum_axis_negative, ((2, 3, 4),)),
    Case(cumsum_method, ((2, 3),)),
    Case(cumsum_method_axis, ((2, 3, 4),)),
)
add_cases(
    "numpy.cumprod",
    Case(np_cumprod, ((3, 4),)),
    Case(np_cumprod, ((5,),)),
    Case(cumprod_axis0, ((3, 4),), loss=cumprod_loss),
    Case(cumprod_axis_negative, ((2, 3, 4),)),
    Case(cumprod_method, ((2, 3),)),
    Case(cumprod_method_axis, ((3, 4),)),
    # Zeros: the first of a row takes the products after it; those after it take nothing.
    Case(np_cumprod, (ZEROS_5,), wrt=("x",)),
    Case(np_cumprod, (ZEROS_ALONG_ROWS,), wrt=("x",)),
    Case(cumprod_axis_negative, (ZEROS_ALONG_ROWS,), wrt=("x",)),
    Case(cumprod_axis0, (ZEROS_ALONG_ROWS,), wrt=("x",)),
    Case(cumprod_method_axis, (ROWS_OF_ZEROS,), wrt=("x",)),
)


# ---- diff ----------------------------------------------------------------------------------


def np_diff(x):
    return np.diff(x)


def diff_axis0(x):
    return np.diff(x, axis=0)


def diff_twice(x):
    return np.diff(x, 2, 1)


def diff_none(x):
    return np.diff(x, n=0)


def diff_prepend(x):
    return np.diff(x, prepend=0.0)


def diff_append_row(x):
    return np.diff(x, axis=0, append=[[1.0, 2.0, 3.0]])


def diff_both_twice(x):
    return np.diff(x, n=2, axis=-1, prepend=1.5, append=[[2.0], [-1.0]])


add_cases(
    "numpy.diff",
    Case(np_diff, ((5,),)),
    Case(np_diff, ((3, 4),)),
    Case(diff_axis0, ((4, 3),)),
    Case(diff_twice, ((2, 5, 3),)),
    Case(diff_none, ((3,),)),
    Case(diff_prepend, ((2, 4),)),
    Case(diff_append_row, ((4, 3),)),
    Case(diff_both_twice, ((2, 4),)),
)


# ---- trace ---------------------------------------------------------------------------------


def np_trace(x):
    return np.trace(x)


def trace_offset(x):
    return np.trace(x, 1)


def trace_negative_offset(x):
    return np.trace(x, offset=-1)


def trace_axes(x):
    return np.trace(x, axis1=1, axis2=2)


def trace_axes_reversed(x):
    return np.trace(x, 0, -1, 0)


def trace_method(x):
    return x.trace()


def trace_method_offset(x):
    return x.trace(1, 0, 2)


add_cases(
    "numpy.trace",
    Case(np_trace, ((3, 3),)),
    Case(np_trace, ((3, 4),)),
    Case(trace_offset, ((3, 4),)),
    Case(trace_negative_offset, ((4, 3),)),
    Case(trace_axes, ((2, 3, 4),)),
    Case(trace_axes_reversed, ((3, 2, 4),)),
    Case(trace_method, ((4, 4),)),
    Case(trace_method_offset, ((3, 2, 4),)),
)


# ---- linalg.norm: vector orders ------------------------------------------------------------


def norm_ord1(x):
    return np.linalg.norm(x, 1)


def norm_ord1_axis0(x):
    return np.linalg.norm(x, ord=1, axis=0)


def norm_inf(x):
    return np.linalg.norm(x, np.inf)


def norm_negative_inf_keepdims(x):
    return np.linalg.norm(x, -np.inf, axis=1, keepdims=True)


def norm_ord3_negative_axis(x):
    return np.linalg.norm(x, 3, axis=-1)


def norm_half(x):
    return np.linalg.norm(x, 0.5, 0)


def norm_ord_minus1(x):
    return np.linalg.norm(x, -1)


def norm_ord2_axis(x):
    return np.linalg.norm(x, 2, axis=1)


def norm_one_axis_tuple(x):
    return np.linalg.norm(x, 3, (1,), True)


# ---- linalg.norm: matrix orders ------------------------------------------------------------


def norm_nuc(x):
    return np.linalg.norm(x, "nuc")


def norm_nuc_axes(x):
    return np.linalg.norm(x, "nuc", axis=(1, 2))


def norm_spectral(x):
    return np.linalg.norm(x, 2)


def norm_spectral_axes_keepdims(x):
    return np.linalg.norm(x, ord=2, axis=(0, 2), keepdims=True)


def norm_smallest_singular(x):
    return np.linalg.norm(x, -2)


def norm_smallest_singular_reversed(x):
    return np.linalg.norm(x, -2, axis=(-1, -2))


def norm_columns(x):
    return np.linalg.norm(x, 1)


def norm_columns_min_keepdims(x):
    return np.linalg.norm(x, -1, axis=(0, 1), keepdims=True)


def norm_rows(x):
    return np.linalg.norm(x, np.inf)


def norm_rows_min_reversed(x):
    return np.linalg.norm(x, -np.inf, axis=(-1, -2))


def norm_fro_reversed_keepdims(x):
    return np.linalg.norm(x, "fro", (2, 0), True)


def norm_nuc_loss(x, c):
    return np.sum(np.linalg.norm(x, "nuc", axis=(1, 2)) * c)


add_cases(
    "numpy.linalg.norm",
    Case(norm_ord1, ((5,),)),
    Case(norm_ord1_axis0, ((3, 4),)),
    Case(norm_inf, ((6,),)),
    Case(norm_negative_inf_keepdims, ((3, 4),)),
    Case(norm_ord3_negative_axis, ((2, 3, 4),)),
    Case(norm_half, ((3, 4),), domain="positive"),
    Case(norm_ord_minus1, ((4,),)),
    Case(norm_ord2_axis, ((3, 4),)),
    Case(norm_one_axis_tuple, ((2, 3, 4),)),
    # The largest magnitude attained twice: shared, as central differences measure.
    Case(norm_inf, (Value(np.array([3.0, -3.0, 1.0])),), wrt=("x",)),
    Case(norm_nuc, ((3, 4),)),
    Case(norm_nuc_axes, ((2, 3, 4),), loss=norm_nuc_loss),
    Case(norm_spectral, ((4, 3),)),
    Case(norm_spectral_axes_keepdims, ((3, 2, 4),)),
    Case(norm_smallest_singular, ((3, 3),)),
    Case(norm_smallest_singular_reversed, ((2, 3, 4),)),
    Case(norm_columns, ((3, 4),)),
    Case(norm_columns_min_keepdims, ((4, 3),)),
    Case(norm_rows, ((4, 3),)),
    Case(norm_rows_min_reversed, ((2, 3, 4),)),
    Case(norm_fro_reversed_keepdims, ((2, 3, 4),)),
    # Two columns of the same absolute sum share the adjoint.
    Case(norm_columns, (Value(np.array([[1.0, -2.0], [2.0, 1.0]])),), wrt=("x",)),
)


# ---- gradients of gradients: the helpers the reductions' adjoints call ----------------------
# Each case differentiates a gradient whose code calls the helper, with an outer function that
# is not linear in it, so that the helper's adjoint is reached for every operand it reads.


def _sine_of_trace(x):
    return np.sum(np.sin(np.trace(x, 1)))


def _sine_of_trace_axes(x):
    return np.sum(np.sin(np.trace(x, axis1=2, axis2=0)))


_trace_gradient = s2sad.grad(_sine_of_trace)
_trace_axes_gradient = s2sad.grad(_sine_of_trace_axes)


def second_trace(x):
    return np.sum(_trace_gradient(x) ** 2)


def second_trace_axes(x):
    return np.sum(np.cos(_trace_axes_gradient(x)))


add_cases("helper._trace_adjoint", Case(second_trace, ((3, 4),)),
          Case(second_trace_axes, ((3, 2, 3),)))


def _sine_of_std(x):
    return np.sum(np.sin(np.std(x, axis=0)))


def _sine_of_nanmean(x):
    return np.sum(np.sin(np.nanmean(x, axis=(0, 2), keepdims=True)))


def _sine_of_nanmean_rows(x):
    return np.sum(np.sin(np.nanmean(x, axis=0)))


def _sine_of_norm(x):
    return np.sum(np.sin(np.linalg.norm(x, axis=-1)))


def _sine_of_average(a, w):
    return np.sum(np.sin(np.average(a, axis=1, weights=w)))


def _sine_of_average_all(a, w):
    return np.sin(np.average(a, weights=w))


def _sine_of_average_axes(a, w):
    return np.sum(np.sin(np.average(a, axis=(2, 0), weights=w, keepdims=True)))


def _sine_of_plain_average(a):
    return np.sum(np.sin(np.average(a, axis=0)))


_std_gradient = s2sad.grad(_sine_of_std)
_nanmean_gradient = s2sad.grad(_sine_of_nanmean)
_nanmean_rows_gradient = s2sad.grad(_sine_of_nanmean_rows)
_norm_gradient = s2sad.grad(_sine_of_norm)
_average_gradient = s2sad.grad(_sine_of_average, wrt=("a", "w"))
_average_all_gradient = s2sad.grad(_sine_of_average_all, wrt=("a", "w"))
_average_axes_gradient = s2sad.grad(_sine_of_average_axes, wrt=("a", "w"))
_plain_average_gradient = s2sad.grad(_sine_of_plain_average)


def second_std(x):
    return np.sum(np.cos(_std_gradient(x)))


def second_nanmean(x):
    return np.sum(_nanmean_gradient(x) ** 2)


def second_nanmean_rows(x):
    return np.sum(np.cos(_nanmean_rows_gradient(x)))


def second_norm(x):
    return np.sum(np.cos(_norm_gradient(x)))


def second_average(a, w):
    da, dw = _average_gradient(a, w)
    return np.sum(da * da) + np.sum(np.cos(dw))


def second_average_all(a, w):
    da, dw = _average_all_gradient(a, w)
    return np.sum(np.cos(da)) + np.sum(dw * dw)


def second_average_axes(a, w):
    da, dw = _average_axes_gradient(a, w)
    return np.sum(da * da) + np.sum(np.cos(dw))


def second_plain_average(a):
    return np.sum(np.cos(_plain_average_gradient(a)))


add_cases("helper._expand_reduced", Case(second_std, ((3, 4),)),
          Case(second_nanmean_rows, (NANS_34,), wrt=("x",)), Case(second_nanmean, ((2, 3, 4),)),
          Case(second_norm, ((2, 3),)))
add_cases("helper._zeros_to_ones", Case(second_std, ((3, 4),)), Case(second_norm, ((2, 3),)),
          Case(second_std, ((2, 3),)))
add_cases(
    "helper._average_adjoint",
    Case(second_average, ((2, 3, 4), (3,)), domain="positive"),
    Case(second_average_all, ((3, 4), (3, 4)), domain="positive"),
    Case(second_average_axes, ((2, 3, 4), (4, 2)), domain="positive"),
    Case(second_plain_average, ((3, 2),)),
)
add_cases(
    "helper._average_weights_adjoint",
    Case(second_average, ((2, 3, 4), (3,)), domain="positive"),
    Case(second_average_all, ((3, 4), (3, 4)), domain="positive"),
    Case(second_average_axes, ((2, 3, 4), (4, 2)), domain="positive"),
)


# Third order: the second-order gradient of average calls these (the weights shaped against
# `a`, and back), through the adjoint of `_average_weights_adjoint`.
_second_average_gradient = s2sad.grad(second_average, wrt=("a", "w"))
_second_average_axes_gradient = s2sad.grad(second_average_axes, wrt=("a", "w"))


def third_average(a, w):
    da, dw = _second_average_gradient(a, w)
    return np.sum(np.sin(da)) + np.sum(dw * dw)


def third_average_axes(a, w):
    da, dw = _second_average_axes_gradient(a, w)
    return np.sum(da * da) + np.sum(np.sin(dw))


for key in ("helper._average_weights", "helper._average_unshaped"):
    add_cases(
        key,
        Case(third_average, ((2, 3, 4), (3,)), domain="positive"),
        Case(third_average_axes, ((2, 3, 4), (4, 2)), domain="positive"),
    )


# The products' helpers, at the zeros too: each product's adjoint is a polynomial in `x`, whose
# derivatives the recurrences compute exactly there.


def _sine_of_cumprod(x):
    return np.sum(np.sin(np.cumprod(x, axis=0)))


def _sine_of_flat_cumprod(x):
    return np.sum(np.sin(np.cumprod(x)))


def _sine_of_prod(x):
    return np.sum(np.sin(np.prod(x, axis=-1)))


def _sine_of_prod_axes(x):
    return np.sum(np.sin(np.prod(x, axis=(0, 2), keepdims=True)))


def _cumprod_squares(x):
    return np.cumprod(x, axis=-1) ** 2


_cumprod_gradient = s2sad.grad(_sine_of_cumprod)
_flat_cumprod_gradient = s2sad.grad(_sine_of_flat_cumprod)
_prod_gradient = s2sad.grad(_sine_of_prod)
_prod_axes_gradient = s2sad.grad(_sine_of_prod_axes)
_cumprod_jvp = s2sad.jvp(_cumprod_squares)


def second_cumprod(x):
    return np.sum(np.cos(_cumprod_gradient(x)))


def second_flat_cumprod(x):
    return np.sum(_flat_cumprod_gradient(x) ** 2)


def second_prod(x):
    return np.sum(np.cos(_prod_gradient(x)))


def second_prod_axes(x):
    return np.sum(_prod_axes_gradient(x) ** 2)


def cumprod_tangent(x, t):
    _, tangent = _cumprod_jvp(x, tangent=t)
    return np.sum(np.sin(tangent))


_second_cumprod_gradient = s2sad.grad(second_cumprod)
_second_prod_gradient = s2sad.grad(second_prod)


def third_cumprod(x):
    return np.sum(np.sin(_second_cumprod_gradient(x)))


def third_prod(x):
    return np.sum(_second_prod_gradient(x) ** 2)


add_cases(
    "helper._cumprod_adjoint",
    Case(second_cumprod, ((3, 4),)),
    Case(second_flat_cumprod, ((2, 3),)),
    Case(second_cumprod, (ZEROS_ALONG_ROWS,), wrt=("x",)),
    Case(second_flat_cumprod, (ZEROS_5,), wrt=("x",)),
)
add_cases(
    "helper._cumprod_tangent",
    Case(cumprod_tangent, ((3, 4), (3, 4))),
    Case(cumprod_tangent, ((5,), (5,))),
    Case(cumprod_tangent, (ZEROS_ALONG_ROWS, (3, 4)), wrt=("x", "t")),
)
add_cases(
    "helper._product_of_others",
    Case(second_prod, ((3, 4),)),
    Case(second_prod_axes, ((2, 3, 4),)),
    Case(second_prod, (ROWS_OF_ZEROS,), wrt=("x",)),
    Case(second_prod, (Value(np.array([[0.0, 2.0, 0.0, 1.5], [1.0, 0.0, 0.0, 0.0]])),),
         wrt=("x",)),
)
for key in ("helper._forward_recurrence", "helper._reverse_recurrence", "helper._shifted"):
    add_cases(
        key,
        Case(third_cumprod, ((3, 2),)),
        Case(third_prod, ((2, 3),)),
        Case(third_cumprod, (Value(np.array([[1.5, 0.0], [0.0, 2.0], [0.0, 3.0]])),),
             wrt=("x",)),
    )


# Norms of orders other than 2 (vector) and "fro": their helpers' adjoints.


def _sine_of_vector_norm(x):
    return np.sum(np.sin(np.linalg.norm(x, 3, axis=-1)))


def _sine_of_half_norm(x):
    return np.sum(np.sin(np.linalg.norm(x, 0.5, axis=0, keepdims=True)))


def _sine_of_max_norm(x):
    return np.sum(np.sin(np.linalg.norm(x, np.inf, axis=1)))


def _sine_of_nuclear_norm(x):
    return np.sum(np.sin(np.linalg.norm(x, "nuc", axis=(1, 2))))


def _sine_of_spectral_norm(x):
    return np.sum(np.sin(np.linalg.norm(x, 2, axis=(0, 2), keepdims=True)))


def _sine_of_column_norm(x):
    return np.sum(np.sin(np.linalg.norm(x, 1, axis=(0, 1))))


def _sine_of_norm_2(x):
    return np.sin(np.linalg.norm(x, 2))


def _sine_of_norm_3(x):
    return np.sin(np.linalg.norm(x, 3))


def _sine_of_norm_nuc(x):
    return np.sin(np.linalg.norm(x, "nuc"))


_vector_norm_gradient = s2sad.grad(_sine_of_vector_norm)
_half_norm_gradient = s2sad.grad(_sine_of_half_norm)
_max_norm_gradient = s2sad.grad(_sine_of_max_norm)
_nuclear_norm_gradient = s2sad.grad(_sine_of_nuclear_norm)
_spectral_norm_gradient = s2sad.grad(_sine_of_spectral_norm)
_column_norm_gradient = s2sad.grad(_sine_of_column_norm)
_norm_2_gradient = s2sad.grad(_sine_of_norm_2)
_norm_3_gradient = s2sad.grad(_sine_of_norm_3)
_norm_nuc_gradient = s2sad.grad(_sine_of_norm_nuc)


def second_vector_norm(x):
    return np.sum(np.cos(_vector_norm_gradient(x)))


def second_half_norm(x):
    return np.sum(_half_norm_gradient(x) ** 2)


def second_max_norm(x):
    return np.sum(np.cos(_max_norm_gradient(x)))


def second_nuclear_norm(x):
    return np.sum(np.cos(_nuclear_norm_gradient(x)))


def second_spectral_norm(x):
    return np.sum(_spectral_norm_gradient(x) ** 2)


def second_column_norm(x):
    return np.sum(np.cos(_column_norm_gradient(x)))


def second_norm_2(x):
    return np.sum(np.cos(_norm_2_gradient(x)))


def second_norm_3(x):
    return np.sum(_norm_3_gradient(x) ** 2)


def second_norm_nuc(x):
    return np.sum(np.cos(_norm_nuc_gradient(x)))


add_cases(
    "helper._vector_norm_adjoint",
    Case(second_vector_norm, ((2, 3, 4),)),
    Case(second_half_norm, ((3, 4),), domain="positive"),
    Case(second_max_norm, ((3, 4),), domain="positive"),
)
add_cases(
    "helper._matrix_norm_adjoint",
    Case(second_nuclear_norm, ((2, 3, 4),)),
    Case(second_spectral_norm, ((3, 2, 4),)),
    Case(second_column_norm, ((3, 4),)),
)
add_cases(
    "helper._norm_adjoint",
    Case(second_norm_2, ((4,),)),
    Case(second_norm_2, ((4, 3),)),
    Case(second_norm_3, ((5,),)),
    Case(second_norm_nuc, ((3, 4),)),
)
