"""Forward functions that the API, error, CLI and saved-module tests differentiate.

s2sad reads a function's source, so every function under test lives here, at
module level, in a real file. Functions that s2sad must refuse carry a marker
comment ``# E:<name>`` on the line the error has to point at; the error tests
find the line by its marker, so adding functions above does not break them.
"""

import math

import custom_rules_module as crm
import numpy as np

import s2sad

SCALE = 2.0
OFFSET = 0.5
WEIGHTS = np.ones(3)


# ---- supported functions ---------------------------------------------------


def dag(w1, w2, x):
    x0 = x
    x1 = w1 @ x0
    x2 = x0 + w2 @ x1
    x3 = w1 @ (x1 + x2)
    return np.sum(x3 * x3)


def three_args(a, b, c):
    return np.sum(np.tanh(a) * b + c * c * a)


@s2sad.grad
def bare_decorated(x):
    return np.sum(np.sin(x) * x)


@s2sad.grad(wrt=("b", "a"))
def decorated_wrt(a, b):
    return np.sum(a * b * b)


@s2sad.value_and_grad(wrt="w")
def decorated_value_and_grad(w, x):
    return np.sum(np.tanh(x @ w))


def elementwise(x, y):
    return np.tanh(x) * y


def pair(x, y):
    return x * y, np.sin(x) + y


def non_scalar(x):
    return np.tanh(x) * 2.0


def sum_of_inputs(x, y):
    z = x + y
    return np.sum(z)


def returns_argument(x):
    return x


def returns_first_of_two(x, y):
    return x


def copies_argument(x):
    y = x
    return np.sum(y)


def square(x):
    return x * x


def overwritten(x):
    x = x * 2.0
    x = np.sin(x)
    return np.sum(x * x)


def read_many_times(x):
    y = x * x + x * 3.0 + np.exp(x)
    return np.sum(y * x)


def ignores_second(x, y):
    return np.sum(x * x)


def uses_constants(x):
    return np.sum(SCALE * x * x + OFFSET * x)


def shape_arithmetic(x):
    n = x.shape[0]
    return np.sum(x * x / n)


def shape_from_len(x):
    n = len(x)
    return np.sum(x * x / n)


def builtin_abs(x):
    return np.sum(abs(x) * x)


def gathers_rows(w, x, rows):
    b = np.tanh(w)
    a = x[rows, 1:]
    return np.sum(a * b)


def shadows_a_helper_name(x, _unbroadcast):
    return np.sum(np.tanh(x + _unbroadcast))


def float_reduction(x):
    return np.mean(np.tanh(x) * 3.0)


def plain_mean(x):
    return np.mean(x)


def siamese(w, b, xa, xb):
    ea = np.tanh(w @ xa + b)
    eb = np.tanh(w @ xb + b)
    diff = ea - eb
    return np.sum(diff * diff)


def siamese_untied(wa, wb, b, xa, xb):
    ea = np.tanh(wa @ xa + b)
    eb = np.tanh(wb @ xb + b)
    diff = ea - eb
    return np.sum(diff * diff)


def matmul_loss(w, x):
    return np.sum(np.tanh(w @ x))


# ---- functions s2sad refuses -----------------------------------------------


def uses_for(x):
    y = x
    for i in range(3):
        y = y * x
    return np.sum(y)


def returns_inside_a_loop(x):
    y = x
    for i in range(3):
        y = y * x
        if np.sum(y) > 10.0:
            return np.sum(y)  # E:return_in_loop
    return np.sum(y)


def uses_while(x):
    y = x
    while np.sum(y) < 10.0:
        y = y * 2.0
    return np.sum(y)


def uses_if(x):
    if x.shape[0] > 2:  # E:if
        x = x * 2.0
    return np.sum(x)


def uses_augassign(x):
    y = x * 2.0
    y += x
    return np.sum(y)


def uses_unpacking(x, y):
    a, b = x, y
    return np.sum(a * b)


def uses_try(x):
    try:  # E:try
        y = x * 2.0
    except ValueError:
        y = x
    return np.sum(y)


def uses_with(x):
    with np.errstate(all="ignore"):  # E:with
        y = np.log(x)
    return np.sum(y)


def uses_lambda(x):
    y = x * (lambda t: t)(2.0)  # E:lambda  # noqa: PLC3002
    return np.sum(y)


def uses_lambda_assignment(x):
    double = lambda t: t * 2.0
    return np.sum(double(x))


def uses_nested_def(x):
    def inner(t):
        return t * 2.0

    return np.sum(inner(x))


def uses_global(x):
    global SCALE  # E:global  # noqa: PLW0602
    return np.sum(x * SCALE)


def helper(t):
    return t * 2.0


def calls_user_function(x):
    y = helper(x)
    return np.sum(y)


def uses_out(x, y):
    z = np.sum(x, out=y)  # E:out
    return z


def uses_fft(x):
    y = np.abs(np.fft.fft(x))  # E:fft
    return np.sum(y)


def uses_bessel_i0(x):
    y = np.i0(x)  # E:i0
    return np.sum(y * y)


def uses_out_keyword(x):
    return np.sum(np.tanh(x, out=x))  # E:out_keyword


def uses_axis_variable(x, axis):
    y = np.sum(x * x, axis=axis)  # E:axis
    return np.sum(y)


def no_return(x):
    y = x * 2.0  # E:no_return  # noqa: F841


# ---- refused by the calls and assignments of issue 3 --------------------------


def augassign_on_a_view(x):
    y = x * 1.0
    v = y[0]
    y += 1.0  # E:augassign_view
    return np.sum(v * y)


def augassign_on_a_copy(x):
    y = x * 1.0
    z = y
    y += x  # E:augassign_copy
    return np.sum(z)


def calls_itself(x):
    return np.sum(x) + calls_itself(x)  # E:recursion


def early_return(t):
    return t
    return t * 2.0  # E:callee_return


def calls_early_return(x):
    return np.sum(early_return(x))


def two_args(a, b):
    return a * b


def calls_with_missing_argument(x):
    return np.sum(two_args(x))  # E:missing_argument


def has_loop(t):
    for _ in range(3):
        t = t * 2.0
        if np.sum(t) > 10.0:
            return t  # E:callee_loop
    return t


def calls_callee_with_loop(x):
    return np.sum(has_loop(x))


def calls_builtin_without_source(x):
    return np.sum(x) * math.erf(0.5)  # E:no_source


def uses_yield(x):
    yield np.sum(x)  # E:yield


def uses_nonlocal(x):
    total = 0.0

    def add(t):
        nonlocal total  # E:nonlocal
        total = total + np.sum(t)
        return total

    return add(x)


def uses_class(x):
    class Holder:  # E:class
        value = 1.0

    return np.sum(x) * Holder.value


async def uses_async(x):  # E:async
    return np.sum(x)


def passes_a_varied_option(x):
    return np.sum(crm.log_gamma(x, scale=np.sum(x)))  # E:varied_option


def returns_a_multi_output_tuple(a):
    return np.linalg.slogdet(a)  # E:tuple_return


def writes_into_out(x, buffer):
    return np.sum(np.tanh(x, out=buffer))  # E:out_variable
