"""Template cases of the signal family: convolve, correlate, sliding_window_view, interp.

Lengths cover both orders of the two arguments and even and odd lengths, where
NumPy's 'same' mode centres its result differently.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from template_cases import Case, Value, add_cases

import s2sad

# ---- convolve and correlate --------------------------------------------------------------


def convolve(a, v):
    return np.convolve(a, v)


def convolve_same(a, v):
    return np.convolve(a, v, mode="same")


def convolve_valid(a, v):
    return np.convolve(a, v, "valid")


def correlate(a, v):
    return np.correlate(a, v)


def correlate_same(a, v):
    return np.correlate(a, v, mode="same")


def correlate_full(a, v):
    return np.correlate(a, v, mode="full")


def convolve_loss(a, v, c):
    return np.sum(np.convolve(a, v, mode="same") * c)


LENGTHS = [((5,), (3,)), ((3,), (5,)), ((6,), (4,)), ((4,), (6,)), ((4,), (4,)), ((1,), (3,))]

add_cases(
    "numpy.convolve",
    *[Case(f, shapes) for f in (convolve, convolve_same, convolve_valid) for shapes in LENGTHS],
    Case(convolve_same, ((6,), (3,)), loss=convolve_loss),
)
add_cases(
    "numpy.correlate",
    *[Case(f, shapes) for f in (correlate, correlate_same, correlate_full) for shapes in LENGTHS],
    Case(correlate_same, ((2,), (5,))),
)


# ---- sliding_window_view -----------------------------------------------------------------


def windows(x):
    return sliding_window_view(x, 3)


def windows_tuple(x):
    return np.lib.stride_tricks.sliding_window_view(x, (2, 3))


def windows_axis(x):
    return sliding_window_view(x, 2, axis=0)


def windows_axes(x):
    return sliding_window_view(x, (2, 2), axis=(-1, 0))


def windows_repeated_axis(x):
    return sliding_window_view(x, (2, 3), axis=(0, 0))


def windows_summed(x):
    w = sliding_window_view(x, 4)
    return np.sum(w * w, axis=-1)


add_cases(
    "numpy.lib.stride_tricks.sliding_window_view",
    Case(windows, ((6,),)),
    Case(windows_tuple, ((3, 5),)),
    Case(windows_axis, ((4, 3),)),
    Case(windows_axes, ((3, 4, 3),)),
    Case(windows_repeated_axis, ((7, 2),)),
    Case(windows_summed, ((8,),)),
)


# ---- interp --------------------------------------------------------------------------------


KNOTS = Value(np.array([-1.5, -0.5, 0.3, 1.2, 2.0]))


def interp(x, k, fp):
    return np.interp(x, k, fp)


def interp_fill(x, k, fp, left):
    return np.interp(x, k, fp, left=left, right=-2.0)


def interp_fill_right(x, k, fp, right):
    return np.interp(x, k, fp, right=right)


def interp_periodic(x, k, fp):
    return np.interp(x, k, fp, period=3.0)


def interp_keywords(x, k, fp):
    return np.interp(x, xp=k, fp=fp)


add_cases(
    "numpy.interp",
    Case(interp, ((7,), KNOTS, (5,))),
    Case(interp, ((2, 3), KNOTS, (5,))),
    Case(interp, ((), KNOTS, (5,))),
    Case(interp, ((4,), Value(np.array([0.5])), (1,))),
    Case(interp_fill, ((9,), KNOTS, (5,), ())),
    Case(interp_fill_right, ((9,), KNOTS, (5,), ())),
    Case(interp_periodic, ((8,), KNOTS, (5,))),
    Case(interp_keywords, ((6,), KNOTS, (5,))),
)


# ---- the helpers of these gradients, differentiated by a gradient of a gradient -------------
# Each `second_*` function calls a first-order gradient, whose code calls the adjoint helpers;
# each `third_*` a second-order one, whose code calls the adjoints of those helpers.


def _convolve_loss(a, v):
    return np.sum(np.sin(np.convolve(a, v, mode="same")))


def _convolve_valid_loss(a, v):
    return np.sum(np.convolve(a, v, "valid") ** 3)


def _correlate_loss(a, v):
    return np.sum(np.sin(np.correlate(a, v, mode="same")))


def _correlate_full_loss(a, v):
    return np.sum(np.correlate(a, v, mode="full") ** 3)


_convolve_gradient = s2sad.grad(_convolve_loss, wrt=(0, 1))
_convolve_valid_gradient = s2sad.grad(_convolve_valid_loss, wrt=(0, 1))
_correlate_gradient = s2sad.grad(_correlate_loss, wrt=(0, 1))
_correlate_full_gradient = s2sad.grad(_correlate_full_loss, wrt=(0, 1))


def second_convolve(a, v):
    da, dv = _convolve_gradient(a, v)
    return np.sum(da * da) + np.sum(np.sin(dv))


def second_convolve_valid(a, v):
    da, dv = _convolve_valid_gradient(a, v)
    return np.sum(np.sin(da)) + np.sum(dv * v)


def second_correlate(a, v):
    da, dv = _correlate_gradient(a, v)
    return np.sum(da * da) + np.sum(np.sin(dv))


def second_correlate_full(a, v):
    da, dv = _correlate_full_gradient(a, v)
    return np.sum(np.sin(da)) + np.sum(dv * v)


SECOND_CONVOLVE = (Case(second_convolve, ((6,), (3,))), Case(second_convolve_valid, ((4,), (6,))))
SECOND_CORRELATE = (Case(second_correlate, ((2,), (5,))), Case(second_correlate, ((5,), (4,))),
                    Case(second_correlate_full, ((4,), (3,))))
add_cases("helper._convolve_dlhs", *SECOND_CONVOLVE)
add_cases("helper._convolve_drhs", *SECOND_CONVOLVE)
add_cases("helper._correlate_dlhs", *SECOND_CORRELATE)
add_cases("helper._correlate_drhs", *SECOND_CORRELATE)

_second_convolve_gradient = s2sad.grad(second_convolve, wrt=(0, 1))
_second_correlate_gradient = s2sad.grad(second_correlate, wrt=(0, 1))


def third_convolve(a, v):
    da, dv = _second_convolve_gradient(a, v)
    return np.sum(np.sin(da)) + np.sum(dv * dv)


def third_correlate(a, v):
    da, dv = _second_correlate_gradient(a, v)
    return np.sum(da * a) + np.sum(np.sin(dv))


THIRD_SIGNAL = (Case(third_convolve, ((6,), (3,))), Case(third_correlate, ((2,), (5,))),
                Case(third_correlate, ((6,), (3,))))
add_cases("helper._full_length", *THIRD_SIGNAL)
add_cases("helper._kept_part", *THIRD_SIGNAL)


def _windows_loss(x):
    return np.sum(np.sin(sliding_window_view(x, 3)))


def _windows_axes_loss(x):
    return np.sum(sliding_window_view(x, (2, 2), axis=(-1, 0)) ** 3)


_windows_gradient = s2sad.grad(_windows_loss)
_windows_axes_gradient = s2sad.grad(_windows_axes_loss)


def second_windows(x):
    return np.sum(_windows_gradient(x) ** 2)


def second_windows_axes(x):
    return np.sum(np.sin(_windows_axes_gradient(x)))


add_cases("helper._sliding_window_adjoint", Case(second_windows, ((6,),)),
          Case(second_windows_axes, ((3, 4),)))


def _interp_loss(x, k, fp):
    return np.sum(np.sin(np.interp(x, k, fp)))


def _interp_periodic_loss(x, k, fp):
    return np.sum(np.interp(x, k, fp, period=3.0) ** 3)


def _interp_fill_loss(x, k, fp, left, right):
    return np.sum(np.sin(np.interp(x, k, fp, left=left, right=right)))


_interp_gradient = s2sad.grad(_interp_loss, wrt=(0, 2))
_interp_periodic_gradient = s2sad.grad(_interp_periodic_loss, wrt=(0, 2))
_interp_fill_gradient = s2sad.grad(_interp_fill_loss, wrt=(0, 2, 3, 4))


def second_interp(x, k, fp):
    dx, dfp = _interp_gradient(x, k, fp)
    return np.sum(dx * dx) + np.sum(np.sin(dfp))


def second_interp_periodic(x, k, fp):
    dx, dfp = _interp_periodic_gradient(x, k, fp)
    return np.sum(np.sin(dx)) + np.sum(dfp * fp)


def second_interp_fill(x, k, fp, left, right):
    dx, dfp, dleft, dright = _interp_fill_gradient(x, k, fp, left, right)
    return np.sum(dx * dx) + np.sum(np.sin(dfp)) + dleft * dright


SECOND_INTERP = (Case(second_interp, ((7,), KNOTS, (5,))),
                 Case(second_interp_periodic, ((2, 4), KNOTS, (5,))),
                 Case(second_interp_fill, ((9,), KNOTS, (5,), (), ())))
add_cases("helper._interp_x_adjoint", *SECOND_INTERP)
add_cases("helper._interp_fp_adjoint", *SECOND_INTERP)
add_cases("helper._interp_outside_adjoint", Case(second_interp_fill, ((9,), KNOTS, (5,), (), ())),
          Case(second_interp_fill, ((3, 4), KNOTS, (5,), (), ())))

_second_interp_gradient = s2sad.grad(second_interp, wrt=(0, 2))
_second_interp_fill_gradient = s2sad.grad(second_interp_fill, wrt=(0, 2, 3, 4))


def third_interp(x, k, fp):
    dx, dfp = _second_interp_gradient(x, k, fp)
    return np.sum(np.sin(dx)) + np.sum(dfp * dfp)


def third_interp_fill(x, k, fp, left, right):
    dx, dfp, dleft, dright = _second_interp_fill_gradient(x, k, fp, left, right)
    return np.sum(dx * x) + np.sum(np.sin(dfp)) + dleft * dright


THIRD_INTERP = (Case(third_interp, ((7,), KNOTS, (5,))),
                Case(third_interp_fill, ((3, 3), KNOTS, (5,), (), ())))
add_cases("helper._interp_slope", *THIRD_INTERP)
add_cases("helper._interp_slope_adjoint", *THIRD_INTERP)
add_cases("helper._interp_fp_tangent", *THIRD_INTERP)
