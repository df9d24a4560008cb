"""Template cases of the signal family: convolve, correlate, sliding_window_view, interp.

Lengths cover both orders of the two arguments and even and odd lengths, where
NumPy's 'same' mode centres its result differently.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from template_cases import Case, Value, add_cases

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
