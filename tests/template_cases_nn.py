"""Template cases for `s2sad.nn` and for the user rules of `custom_rules_module`.

Pools and relu draw "distinct" values, so finite differences never cross a tie
or the kink at 0; convolutions cover stride, padding and dilation, batched and
unbatched inputs, 1-d and 2-d.
"""

import custom_rules_module as custom
import numpy as np
import scipy.special
from template_cases import Case, Value, add_cases

import s2sad
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


# ---- the helpers of these gradients, differentiated by a gradient of a gradient -------------
# Each `second_*` function calls a first-order gradient, whose code calls the adjoint helpers
# (and, in its forward, the layer's forward helper); each `third_*` a second-order one, whose
# code calls the adjoints of those helpers.


def _conv2d_loss(x, w):
    return np.sum(np.sin(nn.conv2d(x, w)))


def _conv1d_loss(x, w):
    return np.sum(np.sin(nn.conv1d(x, w, stride=2, padding=1, dilation=2)))


_conv2d_gradient = s2sad.grad(_conv2d_loss, wrt=(0, 1))
_conv1d_gradient = s2sad.grad(_conv1d_loss, wrt=(0, 1))


def second_conv2d(x, w):
    dx, dw = _conv2d_gradient(x, w)
    return np.sum(dx * dx) + np.sum(dw * w)


def second_conv1d(x, w):
    dx, dw = _conv1d_gradient(x, w)
    return np.sum(dx * x) + np.sum(np.sin(dw))


_second_conv2d_gradient = s2sad.grad(second_conv2d, wrt=(0, 1))
_second_conv1d_gradient = s2sad.grad(second_conv1d, wrt=(0, 1))


def third_conv2d(x, w):
    dx, dw = _second_conv2d_gradient(x, w)
    return np.sum(np.sin(dx)) + np.sum(dw * dw)


def third_conv1d(x, w):
    dx, dw = _second_conv1d_gradient(x, w)
    return np.sum(dx * dx) + np.sum(dw * w)


SECOND_CONV = (Case(second_conv2d, ((2, 2, 4, 4), (3, 2, 2, 2))),
               Case(second_conv1d, ((2, 9), (3, 2, 3))))
add_cases("helper._conv_dinput", *SECOND_CONV)
add_cases("helper._conv_dweight", *SECOND_CONV)
add_cases("helper._conv", Case(third_conv2d, ((1, 2, 4, 3), (2, 2, 2, 2))),
          Case(third_conv1d, ((2, 9), (3, 2, 3))))


def _max_pool2d_loss(x):
    return np.sum(np.sin(nn.max_pool2d(x, 2)))


def _max_pool1d_loss(x):
    return np.sum(np.sin(nn.max_pool1d(x, 3, stride=2)))


def _avg_pool2d_loss(x):
    return np.sum(np.sin(nn.avg_pool2d(x, (3, 2), stride=(2, 1))))


def _avg_pool1d_loss(x):
    return np.sum(np.sin(nn.avg_pool1d(x, 2)))


_max_pool2d_gradient = s2sad.grad(_max_pool2d_loss)
_max_pool1d_gradient = s2sad.grad(_max_pool1d_loss)
_avg_pool2d_gradient = s2sad.grad(_avg_pool2d_loss)
_avg_pool1d_gradient = s2sad.grad(_avg_pool1d_loss)


def second_max_pool2d(x):
    return np.sum(_max_pool2d_gradient(x) * x)


def second_max_pool1d(x):
    return np.sum(np.sin(_max_pool1d_gradient(x)))


def second_avg_pool2d(x):
    return np.sum(_avg_pool2d_gradient(x) * x)


def second_avg_pool1d(x):
    return np.sum(np.sin(_avg_pool1d_gradient(x)))


_second_max_pool2d_gradient = s2sad.grad(second_max_pool2d)
_second_max_pool1d_gradient = s2sad.grad(second_max_pool1d)
_second_avg_pool2d_gradient = s2sad.grad(second_avg_pool2d)
_second_avg_pool1d_gradient = s2sad.grad(second_avg_pool1d)


def third_max_pool2d(x):
    return np.sum(np.sin(_second_max_pool2d_gradient(x)))


def third_max_pool1d(x):
    return np.sum(_second_max_pool1d_gradient(x) * x)


def third_avg_pool2d(x):
    return np.sum(np.sin(_second_avg_pool2d_gradient(x)))


def third_avg_pool1d(x):
    return np.sum(_second_avg_pool1d_gradient(x) * x)


SECOND_MAX_POOL = (Case(second_max_pool2d, ((2, 2, 4, 4),), domain="distinct"),
                   Case(second_max_pool1d, ((2, 9),), domain="distinct"))
add_cases("helper._max_pool", *SECOND_MAX_POOL)
add_cases("helper._max_pool_dinput", *SECOND_MAX_POOL)
add_cases("helper._max_pool_tangent", Case(third_max_pool2d, ((1, 2, 4, 6),), domain="distinct"),
          Case(third_max_pool1d, ((3, 7),), domain="distinct"))
add_cases("helper._avg_pool_dinput", Case(second_avg_pool2d, ((2, 5, 4),)),
          Case(second_avg_pool1d, ((2, 3, 6),)))
add_cases("helper._avg_pool", Case(third_avg_pool2d, ((1, 5, 3),)),
          Case(third_avg_pool1d, ((2, 8),)))


def _softmax_loss(x):
    return np.sum(np.sin(nn.softmax(x)))


def _softmax_axis_0_loss(x):
    return np.sum(nn.softmax(x, axis=0) ** 3)


def _log_softmax_loss(x):
    return np.sum(np.sin(nn.log_softmax(x)))


def _log_softmax_axis_1_loss(x):
    return np.sum(nn.log_softmax(x, axis=1) ** 2)


def _logsumexp_loss(x):
    return np.sin(nn.logsumexp(x))


def _logsumexp_axis_loss(x):
    return np.sum(nn.logsumexp(x, axis=(0, 2)) ** 2)


def _logsumexp_keepdims_loss(x):
    return np.sum(np.sin(nn.logsumexp(x, axis=-1, keepdims=True)) * x)


_softmax_gradient = s2sad.grad(_softmax_loss)
_softmax_axis_0_gradient = s2sad.grad(_softmax_axis_0_loss)
_log_softmax_gradient = s2sad.grad(_log_softmax_loss)
_log_softmax_axis_1_gradient = s2sad.grad(_log_softmax_axis_1_loss)
_logsumexp_gradient = s2sad.grad(_logsumexp_loss)
_logsumexp_axis_gradient = s2sad.grad(_logsumexp_axis_loss)
_logsumexp_keepdims_gradient = s2sad.grad(_logsumexp_keepdims_loss)


def second_softmax(x):
    return np.sum(np.sin(_softmax_gradient(x)))


def second_softmax_axis_0(x):
    return np.sum(_softmax_axis_0_gradient(x) * x)


def second_log_softmax(x):
    return np.sum(np.sin(_log_softmax_gradient(x)))


def second_log_softmax_axis_1(x):
    return np.sum(_log_softmax_axis_1_gradient(x) * x)


def second_logsumexp(x):
    return np.sum(np.sin(_logsumexp_gradient(x)))


def second_logsumexp_axis(x):
    return np.sum(_logsumexp_axis_gradient(x) * x)


def second_logsumexp_keepdims(x):
    return np.sum(np.sin(_logsumexp_keepdims_gradient(x)))


add_cases("helper._softmax", Case(second_softmax, ((3, 4),)),
          Case(second_softmax_axis_0, ((3, 2, 2),)))
add_cases("helper._log_softmax", Case(second_log_softmax, ((3, 4),)),
          Case(second_log_softmax_axis_1, ((2, 3, 2),)))
SECOND_LOGSUMEXP = (Case(second_logsumexp, ((3, 4),)), Case(second_logsumexp_axis, ((2, 3, 2),)),
                    Case(second_logsumexp_keepdims, ((3, 5),)))
add_cases("helper._logsumexp", *SECOND_LOGSUMEXP)
add_cases("helper._logsumexp_dinput", *SECOND_LOGSUMEXP)


def _cross_entropy_loss(z, labels):
    return np.sin(nn.cross_entropy(z, labels))


_cross_entropy_gradient = s2sad.grad(_cross_entropy_loss)


def second_cross_entropy(z, labels):
    return np.sum(np.sin(_cross_entropy_gradient(z, labels)))


_second_cross_entropy_gradient = s2sad.grad(second_cross_entropy)


def third_cross_entropy(z, labels):
    return np.sum(np.sin(_second_cross_entropy_gradient(z, labels)))


SECOND_CROSS_ENTROPY = (Case(second_cross_entropy, ((4, 5), LABELS_4)),
                        Case(second_cross_entropy, ((2, 3, 4), LABELS_23)))
add_cases("helper._cross_entropy", *SECOND_CROSS_ENTROPY)
add_cases("helper._cross_entropy_dlogits", *SECOND_CROSS_ENTROPY)
add_cases("helper._cross_entropy_tangent", Case(third_cross_entropy, ((4, 5), LABELS_4)),
          Case(third_cross_entropy, ((2, 3, 4), LABELS_23)))
