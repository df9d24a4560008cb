"""The forward functions the normalize tests lower: s2sad reads their source from this file,
so the tests find their lines here (see listing.line_of)."""

import numpy as np

SCALE = 3.0
AXIS = 1


# expressions


def nested_arithmetic(x, y):
    return (x + y) * (x - 2.0) / y


def folded_numbers(x):
    return x * (2.0 * 3.0 + 1.0)


def negative_fold(x):
    return x * (1.0 - 3.0)


def minus_power(x):
    return -x ** 2


def method_and_attribute(x):
    return x.sum(axis=0) + x.T


def subscript_and_slice(x, i):
    return x[i] * x[1:3]


def huge_integer(x):
    return x * 10 ** 400


# bindings


def reassigned(x):
    y = x * 2.0
    y = y + x
    y = y * y
    return y


def plain_copy(x):
    y = x
    return y * 2.0


def swap(a, b):
    a, b = b, a
    return a - b


def subscript_write(x):
    y = np.zeros(3)
    y[0] = x
    return y


def augmented(s, v):
    s += v
    return s


def augmented_subscript(y, x):
    y[1:] *= x
    return y


def one_arm_then_reassigned(x):
    y = x
    if x > 0:
        z = x * x
        y = z * z
    z = y * 3.0
    return z * x


# control flow


def if_else(x):
    if x > 0:
        y = x * 2.0
    else:
        y = -x
    return y


def if_without_else(x):
    y = x
    if x > 0:
        y = y * 3.0
    return y


def early_return(x):
    if x > 0:
        return x
    return -x


def for_loop(x):
    s = 0.0
    p = x
    for i in range(3):
        s = s + p
        p = p * x
    return s + p


def loop_over_rows(x):
    s = 0.0
    for row in x:
        s = s + row
    return s


def if_in_loop(x):
    s = x
    for i in range(3):
        if s > 1.0:
            s = s * 0.5
        else:
            s = s + 1.0
    return s


def while_loop(x):
    y = x
    while y < 10.0:
        y = y * 2.0
    return y


def loop_with_break(x):
    s = x
    for i in range(5):
        s = s * 2.0
        if s > 3.0:
            break
    return s


def conditional_expression(x):
    y = x if x > 0 else x * x
    return y + 1.0


def conditional_operand(x):
    return (x if x > 0 else 1.0) * 2.0


def numpy_condition(x):
    if np.sum(x) > 0:
        y = x
    else:
        y = -x
    return y


# resolution


def global_constants(x):
    return x * SCALE + np.sum(x, axis=AXIS)


def numpy_constant(x):
    return x * np.pi


def make_closure(scale):
    offset = 2.0

    def closure(x):
        return x * scale + offset

    return closure


def make_array_closure():
    weights = np.ones(3)

    def closure(x):
        return x * weights

    return closure


def undefined_name(x):
    return x * NOT_DEFINED  # noqa: F821


def module_as_value(x):
    return np


def parameter_named_xp(xp):
    return np.tanh(xp)


# calls


def helper(a, b=2.0):
    t = a * b
    return t + 1.0


def calls_helper(x):
    y = helper(x)
    return helper(y, b=x)


def caller_with_helpers_name(x):
    t = x + 1.0
    u = helper(t)
    return t * u


def pair(a):
    return a, a * a


def calls_pair(x):
    u, v = pair(x)
    return u + v


def doubles_in_a_loop(a):
    for i in range(2):
        a = a * 2.0
    return a


def calls_doubles_in_a_loop(x):
    y = doubles_in_a_loop(x)
    return x + y


def local_function(x):
    def twice(v):
        return v * 2.0

    return twice(x) + twice(1.0)


def helper_in_condition(x):
    if helper(x) > 0:
        y = x
    else:
        y = -x
    return y


def calls_numpy(x):
    return np.sum(np.tanh(x), axis=0)


def calls_builtins(x):
    return abs(x) + sum(x)


def array_of_a_list(x):
    return np.array([x, x])


def recursive(x):
    return recursive(x)


# checks


def view_read_after_write(x):
    v = x[0]
    x[0] = 5.0
    return v * x


def alias_read_after_write(x):
    v = x
    x[0] = 1.0
    return v + x


def transpose_read_after_write_in_branch(x):
    v = x.T
    if np.sum(x) > 0:
        x[0] = 1.0
    return v


def view_used_before_write(x):
    v = x[0]
    w = v * 2.0
    x[0] = 5.0
    return w * x


def list_index_copies(x):
    v = x[[0, 1]]
    x[0] = 5.0
    return v * x


def view_rebuilt_each_iteration(x):
    for i in range(3):
        v = x[0]
        x[0] = v * 2.0
    return x


def augmented_view(x):
    s = x[0]
    s += 1.0
    return s * x


def write_into_broadcast(x):
    b = np.broadcast_to(x, (3, 3))
    b[0] = 1.0
    return b
