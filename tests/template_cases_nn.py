"""Template cases for `s2sad.nn` and for the user rules of `custom_rules_module`.

Pools and relu draw "distinct" values, so finite differences never cross a tie
or the kink at 0; convolutions cover stride, padding and dilation, batched and
unbatched inputs, 1-d and 2-d.
"""

import custom_rules_module as custom
import numpy as np
import scipy.special
from template_cases import Case, Value, add_cases

from s2sad import nn

LABELS_4 = Value(np.array([0, 3, 1, 4]))
LABELS_23 = Value(np.array([[0, 3, 1], [2, 2, 0]]))


# ---- convolutions -------------------------------------------------------------------------


def conv2d_plain(x, w):
    return nn.conv2d(x, w)


def conv2d_unbatched_strided(x, w):
    return nn.conv2d(x, w, stride=2, padding=1)


def conv2d_dilated(x, w):
    return nn.conv2d(x, w, stride=(1, 2), padding=(2, 1), dilation=2)


def conv1d_plain(x, w):
    return nn.conv1d(x, w)


def conv1d_unbatched_dilated(x, w):
    return nn.conv1d(x, w, stride=2, padding=1, dilation=2)


add_cases(
    "s2sad.nn.conv2d",
    Case(conv2d_plain, ((2, 3, 5, 5), (4, 3, 3, 3))),
    Case(conv2d_unbatched_strided, ((2, 6, 5), (3, 2, 2, 3))),
    Case(conv2d_dilated, ((1, 2, 7, 6), (2, 2, 2, 3))),
)
add_cases(
    "s2sad.nn.conv1d",
    Case(conv1d_plain, ((2, 3, 9), (4, 3, 3))),
    Case(conv1d_unbatched_dilated, ((2, 9), (3, 2, 3))),
)


# ---- pooling ------------------------------------------------------------------------------


def max_pool2d_2(x):
    return nn.max_pool2d(x, 2)


def max_pool2d_overlapping(x):
    return nn.max_pool2d(x, 3, stride=2)


def max_pool2d_rectangular(x):
    return nn.max_pool2d(x, (2, 3), stride=1)


def max_pool1d_2(x):
    return nn.max_pool1d(x, 2)


def max_pool1d_overlapping(x):
    return nn.max_pool1d(x, 3, stride=2)


def avg_pool2d_2(x):
    return nn.avg_pool2d(x, 2)


def avg_pool2d_overlapping(x):
    return nn.avg_pool2d(x, (3, 2), stride=(2, 1))


def avg_pool1d_2(x):
    return nn.avg_pool1d(x, 2)


def avg_pool1d_overlapping(x):
    return nn.avg_pool1d(x, 3, stride=2)


add_cases(
    "s2sad.nn.max_pool2d",
    Case(max_pool2d_2, ((2, 3, 4, 6),), domain="distinct"),
    Case(max_pool2d_overlapping, ((3, 5, 7),), domain="distinct"),
    Case(max_pool2d_rectangular, ((1, 2, 4, 5),), domain="distinct"),
)
add_cases(
    "s2sad.nn.max_pool1d",
    Case(max_pool1d_2, ((2, 3, 8),), domain="distinct"),
    Case(max_pool1d_overlapping, ((3, 9),), domain="distinct"),
)
add_cases(
    "s2sad.nn.avg_pool2d",
    Case(avg_pool2d_2, ((2, 3, 4, 6),)),
    Case(avg_pool2d_overlapping, ((3, 7, 5),)),
)
add_cases(
    "s2sad.nn.avg_pool1d",
    Case(avg_pool1d_2, ((2, 3, 8),)),
    Case(avg_pool1d_overlapping, ((3, 9),)),
)


# ---- activations --------------------------------------------------------------------------


def relu(x):
    return nn.relu(x)


def relu_of_product(x, y):
    return nn.relu(x * y)


def sigmoid(x):
    return nn.sigmoid(x)


def sigmoid_twice(x):
    return nn.sigmoid(x) * x


def softmax_rows(x):
    return nn.softmax(x)


def softmax_axis_1(x):
    return nn.softmax(x, axis=1)


def log_softmax_rows(x):
    return nn.log_softmax(x)


def log_softmax_axis_0(x):
    return nn.log_softmax(x, axis=0)


def logsumexp_all(x):
    return nn.logsumexp(x)


def logsumexp_axis_1(x):
    return nn.logsumexp(x, axis=1)


def logsumexp_keepdims(x):
    return nn.logsumexp(x, axis=-1, keepdims=True)


def logsumexp_two_axes(x):
    return nn.logsumexp(x, axis=(0, 2))


add_cases(
    "s2sad.nn.relu",
    Case(relu, ((3, 4),), domain="distinct"),
    Case(relu_of_product, ((2, 3, 5), (2, 3, 5)), domain="distinct"),
)
add_cases("s2sad.nn.sigmoid", Case(sigmoid, ((3, 4),)), Case(sigmoid_twice, ((5,),)))
add_cases("s2sad.nn.softmax", Case(softmax_rows, ((3, 4),)), Case(softmax_axis_1, ((2, 3, 4),)))
add_cases(
    "s2sad.nn.log_softmax",
    Case(log_softmax_rows, ((3, 4),)),
    Case(log_softmax_axis_0, ((2, 3, 4),)),
)
add_cases(
    "s2sad.nn.logsumexp",
    Case(logsumexp_all, ((3, 4),)),
    Case(logsumexp_axis_1, ((2, 3, 4),)),
    Case(logsumexp_keepdims, ((3, 5),)),
    Case(logsumexp_two_axes, ((2, 3, 4),)),
)


# ---- losses -------------------------------------------------------------------------------


def cross_entropy(z, labels):
    return nn.cross_entropy(z, labels)


def cross_entropy_of_product(z, labels, w):
    return nn.cross_entropy(z @ w, labels)


def mse(p, t):
    return nn.mse(p, t)


def mse_broadcast(p, t):
    return nn.mse(p, t)


add_cases(
    "s2sad.nn.cross_entropy",
    Case(cross_entropy, ((4, 5), LABELS_4)),
    Case(cross_entropy, ((2, 3, 4), LABELS_23)),
    Case(cross_entropy_of_product, ((4, 3), LABELS_4, (3, 5))),
)
add_cases(
    "s2sad.nn.mse",
    Case(mse, ((3, 4), (3, 4))),
    Case(mse_broadcast, ((3, 4), (4,))),
    Case(mse_broadcast, ((2, 1), (1, 3)), wrt=("t",)),
)


# ---- rules of the user's own functions (tests/custom_rules_module.py) -------------------


def erf(x):
    return custom.erf(x)


def erf_of_product(x, y):
    return custom.erf(x * y) + x


def log_gamma(x):
    return custom.log_gamma(x)


def log_gamma_scaled(x):
    return custom.log_gamma(x, scale=2.5)


add_cases("custom_rules_module.erf", Case(erf, ((3, 4),)), Case(erf_of_product, ((5,), (5,))))
add_cases(
    "custom_rules_module.log_gamma",
    Case(log_gamma, ((3, 4),), domain="positive"),
    Case(log_gamma_scaled, ((5,),), domain="positive"),
)


def scaled_erfc(x):
    return scipy.special.erfcx(x)


def scaled_erfc_of_sum(x, y):
    return scipy.special.erfcx(x + y) * y


add_cases("scipy.special.erfcx", Case(scaled_erfc, ((3, 4),)),
          Case(scaled_erfc_of_sum, ((5,), (5,))))
