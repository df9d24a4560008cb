"""Forward functions with loops."""

import numpy as np


def rnn(w, u, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h * h)


def lecture_depth(w, x, k):
    for i in range(k):
        x = np.tanh(w[i] @ x)
    return np.sum(x)


def rows(x, w):
    total = 0.0
    for row in x:
        total = total + np.sum(np.tanh(row * w))
    return total


def enumerated(x, w):
    acc = w * 0.0
    for i, row in enumerate(x):
        acc = acc + row * (i + 1.0)
    return np.sum(acc * w)


def zipped(a, b):
    s = 0.0
    for p, q in zip(a, b):
        s = s + p * q
    return s


def nested(w, x):
    y = x
    for i in range(2):
        for j in range(3):
            y = np.sin(w * y + j)
        y = y * 0.5
    return np.sum(y)


def branch_inside(x, w):
    y = x
    for i in range(4):
        if np.sum(y) > 0:
            y = y * w
        else:
            y = y - w
    return np.sum(y * y)


def scalar_loop(a, b, n):
    x = a
    v = b
    for i in range(n):
        v = v - 0.01 * x
        x = x + 0.01 * v
    return x * x + v


def step(h, w):
    return np.tanh(w @ h)


def calls_in_loop(w, h):
    for i in range(3):
        h = step(h, w)
    return np.sum(h)


def empty_loop(x, n):
    y = x
    for i in range(n):
        y = y * 2.0
    return np.sum(y)


def scalar_loop_over_elements(k, c, x0, v0, n):
    x = x0
    v = v0
    for i in range(n):
        a = -k[i] * x - c[i] * v
        v = v + 0.01 * a
        x = x + 0.01 * v
    return x * x + v * v


def halve_until_small(x, w):
    y = x * w
    while np.sum(y * y) > 1.0:
        y = y * 0.5 + w * 0.01
    return np.sum(y)


def fill_states(w, x0):
    h = np.zeros((4, x0.shape[0]))
    h[0] = x0
    for t in range(3):
        h[t + 1] = np.tanh(w @ h[t])
    return np.sum(h * h)


def update_parts(x, v):
    y = x * 1.0
    y[1:3] = v
    y[0] += 2.0 * v[0]
    y[-1] *= 3.0
    return np.sum(y * y)


def writes_into_argument(x, v):
    x[0] = v
    return np.sum(x * x)


def branch_defined_values(w, xs):
    total = 0.0
    for x in xs:
        r = w * x
        if r > 0.0:
            total = total + 0.5 * r * r
        else:
            total = total - r
    return total


def skips_with_continue(x, w):
    total = 0.0
    for e in x:
        if e < 0.0:
            continue
        y = np.tanh(e * w)
        if y > 0.5:
            total = total + y * y
            continue
        total = total + y
    return total


def needed_through_the_back_edge(x, w):
    h = x
    c = x * 0.0
    for i in range(3):
        b = c * 2.0 + w
        c = np.tanh(h + 1.0)
        h = b
    return np.sum(h)


def tanh_steps(x, n):
    for i in range(n):
        x = np.tanh(x)
    return np.sum(x)


def nested_empty(x, n):
    for i in range(n):
        for j in range(n):
            x = np.tanh(x)
    return np.sum(x)


def iterates_what_it_reassigns(x, a):
    x[0] = a
    for e0 in x:
        for e1 in x:
            x = np.tanh(x) + e1 * 0.1
    return np.sum(x)


def writes_through_an_alias(x):
    y = x
    y[0] = 0.5
    return np.sum(x)


def loop_that_only_prints(x, a):
    for i in range(2):
        print("a =", a)
    return np.sum(x)


def aliased_by_a_conditional_expression(x):
    y = x if np.sum(x) > 0.5 else x  # noqa: RUF034 - both arms alias x, on purpose
    x[0] = 0.5
    return np.sum(y)


def breaks_on_data(x, w):
    """`break` on a data-dependent test: the backward runs the iterations that started."""
    h = x
    for i in range(10):
        h = np.tanh(w * h)
        if np.sum(h) < 0.5:
            break
        h = h + 0.1
    return np.sum(h * h)


def breaks_nested(x):
    """`break` inside nested `if`s of a `while True` loop."""
    s = 0.0
    k = 0
    while True:
        s = s + np.sin(x[k]) * x[k]
        k = k + 1
        if k >= 3:  # noqa: SIM102 - a break two ifs deep, on purpose
            if s > 0.2:
                break
        if k >= 5:
            break
    return s


def breaks_over_elements(x):
    """`break` in a loop over an array's elements: the sum of squares before the first negative."""
    total = 0.0
    for e in x:
        if e < 0:
            break
        total = total + e * e
    return total


def breaks_inner_loop(x, w):
    """A `break` leaves the inner loop only; the outer loop goes on."""
    h = x
    for i in range(3):
        for j in range(4):
            h = np.tanh(w @ h)
            if np.max(np.abs(h)) < 0.3:
                break
        h = h * 1.5
    return np.sum(h)


def breaks_at_once(x):
    """An unconditional `break`: one iteration runs."""
    y = x
    for i in range(5):
        y = y * x
        break
    return np.sum(y)


def last_value_read_after(w, x):
    """`a` is the body's own value; after the loop it is the last iteration's."""
    h = x[0]
    for t in range(3):
        a = np.tanh(w @ h)
        h = a * 2.0
    return np.sum(a)


def last_value_and_a_later_loop(w, x):
    h = x[0]
    for t in range(3):
        a = np.tanh(w @ h)
        h = a * 2.0
    s = np.sum(a)
    for t in range(2):
        a = h * 3.0
        s = s + np.sum(a)
    return s


def reused_name_in_two_loops(w, x):
    """A name the first loop's body defines, which the second loop's body overwrites before
    reading (the restore pattern of a generated gradient: `h_1 = h`)."""
    h = np.tanh(x[0])
    tape = []
    for t in range(2):
        h_1 = np.tanh(w @ h)
        tape.append(h)
        h = h_1
    dh = h
    for t in range(2):
        h_1 = h
        h = tape[1 - t]
        dh = dh * (1.0 - h_1 * h_1)
    return np.sum(dh)


def reversed_range(w, x):
    h = np.zeros(3)
    steps = range(3)
    hs = []
    for t in steps:
        hs.append(h)
        h = np.tanh(w @ h + x[t])
    s = np.sum(h)
    for t in reversed(steps):
        s = s + np.sum(hs[t] * w[0]) * x[t, 0]
    return s
