"""Programs that once got a wrong gradient, a crash or a refusal without an error's cause.

Each is issue 8's example (or a random program's, shrunk), kept in a file because s2sad
reads source; `tests/test_wrong_gradients.py` checks each against central differences.
"""

import numpy as np
import wrong_gradient_callees as callees

# ---- a helper that rebinds its parameter in a loop -------------------------------------


def doubled_sum(b):
    for i in range(2):
        b = b * 2.0
    return np.sum(b)


def rebinds_in_callee(x):
    return doubled_sum(x) + np.sum(np.cos(x))


def scaled_from(b, x):
    for i in range(2):
        b = b * 2.0
    return b * x


def rebinds_a_literal(x):
    return np.sum(scaled_from(1.0, x))


def counts_from_default(x, b=1.0):
    for i in range(3):
        b = b + 1.0
    return b * x


def rebinds_a_default(x):
    return np.sum(counts_from_default(x))


# ---- an accumulator reset in the outer loop and summed by the inner one ----------------


def reset_accumulator(x):
    s = 0.0
    for i in range(3):
        acc = 0.0
        for j in range(4):
            acc = acc + x[i, j]
        s = s + acc * acc
    return s


def reset_accumulator_rows(x):
    s = 0.0
    for row in x:
        acc = 0.0
        for e in row:
            acc = acc + e
        s = s + acc * acc
    return s


def reset_accumulator_in_branch(x):
    s = 0.0
    for i in range(3):
        if x[i, 0] > 0.0:
            acc = 0.0
            for j in range(4):
                acc = acc + np.sin(x[i, j])
            s = s + acc * acc
    return s


# ---- random programs that found the two causes above (../shared/regressions) -----------


def random_program_1(x, beta=0.5):
    h3 = x[-3, :]
    for i1, row2 in enumerate(x):
        acc6 = np.zeros((4,))
        for row5 in row2:
            acc6 = acc6 + row5
        h3 = np.tanh(h3 @ x[[2, -2, 0, 1]] + np.exp(np.tanh(abs(acc6))))
    z10 = h3
    return np.mean(np.cos(z10))


def _act1(a):
    if a[2, -2] > 0.36:
        pass
    n1 = 0
    while n1 < 2:
        n1 += 1
        a = a + 0.85 * np.ones((3, 1))
    return np.maximum(a[2:3], -a[1:2])


def _layer2(a, w):
    lst2 = [1.73 - a[0, 0:3], w[:, 2]]
    z3 = sum(lst2)
    return (z3.reshape(-1, 1) - a[1:2, 2:3]) * np.tanh(a[[1]])


def random_program_2(w, b, alpha, x):
    alpha += w / 0.5
    lst4 = [w * np.ones((3, 4)), 2.0**x]
    z5 = np.concatenate(lst4)
    z6 = _act1(x)
    z7 = np.stack([
        np.tanh(np.where(alpha * np.ones((4, 3)) > 0.01, alpha * np.ones((4, 3)),
                         w * np.ones((4, 3)))),
        np.stack([alpha * np.ones((4, 2)), w * np.ones((4, 2))]).max(axis=0)
        @ (alpha * np.ones((2, 3))),
        np.maximum(z5[0:4, 0:3], np.arctan(alpha)),
    ]).max(axis=0)
    z8 = z7[:, 1::2] + b.transpose(1, 0)
    z10 = _layer2(np.tanh(z7.reshape((3, 4))), x)
    return np.mean(z6 * z6) + np.mean(np.cos(z8)) + 1.49 * np.mean(np.cos(z10))


def _proj1(a, w, b, scale=0.5):
    for i2, row3 in enumerate(a):
        b = b + (scale * np.ones((3, 4)) - w)
    return np.ones((4,))


def _stats2(a, w):
    z4 = _proj1(w[1], 1.14, w)
    return (np.tanh(np.matmul(a[:, -3:] - z4[:3], z4 * w)),
            z4 * np.ones((3, 1)) / 3.0 - (w[2, 1] + w[-2, -2]))


def random_program_3(x, pair):
    z6 = pair[1]
    m10, _ = _stats2(pair[0], pair[0])
    return 1.74 * np.mean(np.cos(m10)) + np.sum(np.sin(x)) + np.sum(np.sin(z6))


# ---- tuple returns and has_aux ---------------------------------------------------------


def loss_and_activations(w, x):
    y = np.tanh(w @ x)
    return np.sum(y**2), y


def loss_and_stats(w, x):
    y = np.tanh(w @ x)
    stats = {"mean": np.mean(y), "peak": np.max(y)}
    return np.sum(y**2), (stats, y.shape)


def loss_and_carried(w, x):
    h = x
    for t in range(3):
        h = np.tanh(w @ h)
    return np.sum(h * h), h


def loss_with_unruled_diagnostic(w, x):
    y = np.tanh(w @ x)
    spectrum = np.abs(np.fft.fft(y))
    return np.sum(y**2), spectrum


def spectrum_loss(w, x):
    return np.sum(loss_with_unruled_diagnostic(w, x)[1])


def three_values(w, x):
    return np.sum(w), np.sum(x), 1.0


# ---- a helper whose code or constant changes between calls -----------------------------


SCALE = 2.0


def changing_helper(x):
    return x**2


def calls_changing_helper(x):
    return np.sum(changing_helper(x)) * SCALE


# ---- generated names, loops inlined twice ----------------------------------------------


def mix1(a, scale=0.5):
    return abs(scale) < 0.51


def reads_builtin_in_callee(x, alpha):
    return np.sum(x) + mix1(alpha, scale=0.79)


def smallest_scale(a, b=0.3):
    return min(abs(a), b) + max(round(b, 1), 0.1) + len([a, b])


def builtins_in_callee(x):
    return np.sum(x) * smallest_scale(-0.2)


def deep(w, n, x):
    for i in range(n):
        x = np.tanh(w @ x)
    return x


def loop_inlined_twice(w, xa, xb):
    u = deep(w, 1, xa)
    v = deep(w, 3, xb)
    return np.sum(u) + np.sum(v)


# ---- writes that NumPy's memory sharing does not make visible --------------------------


def rnn(inputs, W):
    """google/tangent's `rnn` test function."""
    h = np.zeros((4, 3))
    for t in range(3):
        h[t + 1] = np.dot(inputs[t], W) + h[t]
    return np.sum(h[1:])


def weighted_then_product(x):
    y = np.zeros(3)
    for i in range(3):
        y[i] = x[i] * (i + 1.0)
    y[0] = y[0] * y[1]
    return np.sum(y)


def tanh_recurrence(x, w):
    hs = np.zeros((4, 3))
    for t in range(3):
        hs[t + 1] = np.tanh(hs[t] @ w + x[t])
    return np.sum(hs[1:])


def renamed_after_loop(x):
    y = np.zeros(3)
    for i in range(3):
        y[i] = x[i] * 2.0
    z = y
    return np.sum(z * z)


def rewrites_own_slice(x):
    y = x * 1.0
    y[0:2] = y[:2] * y[1:3]
    return np.sum(y)


def bumped(a, scale):
    scale += 1.0
    return a * scale


def bumps_a_float_parameter(x):
    return np.sum(bumped(x, 2.0))


def literal_in_list(x):
    return np.sum(np.array([x[0], -0.36, x[1]]) ** 2)


def closure_reads_dict(p):
    def inner(x):
        return x * p["w"]

    return np.sum(inner(p["b"]))


def positive_sum(x):
    return np.sum(x)


def helper_in_condition(x):
    if positive_sum(x) > 0.0:
        return np.sum(x**2)
    return np.sum(x)


def view_read_after_write(x):
    y = x * 1.0
    v = y[0:2]
    y[0] = 5.0
    return np.sum(v)


def calls_stale_view(x):
    return callees.stale_view(x * 1.0)


def calls_read_only(x):
    return callees.read_only(x * 1.0)


def ignores_its_argument(ws):
    return 1.11


def reads_only_x(x, ws):
    return np.sum(np.sin(x))


def accumulates_from_first(x):
    s = x[0]
    for i in range(1, 3):
        s += x[i] * x[i]
    return np.sum(s) + np.sum(x)


# ---- found by the random-program hunt ---------------------------------------------------


def sums_a_number(x, a):
    return np.sum(a) + np.sum(x)


def scales_by_a_number(x, a):
    return np.sum(x) * a


def ignores_a_number(x, a):
    return np.sum(x)


def divides_in_place_by_float64(w, z):
    w /= 1.0 + z * z  # w keeps its float32 dtype
    return np.sum(w)


def divides_by_float64(w, z):
    w = w / (1.0 + z * z)
    return np.sum(w)


def renames_the_new_value_in_a_loop(x, w):
    for i in range(3):
        x = w[1] - np.ones(3) * x[i]
        w = x
    return np.sum(x)


def swaps_then_updates_in_a_loop(x, d):
    v1 = np.sin(x)
    for i in range(2):
        d, v1 = v1, d
        d += 1.0
    return np.sum(d * v1)


def swaps_then_updates_in_a_branch(x, d):
    v1 = np.sin(x)
    if np.sum(x) > 0.0:
        d, v1 = v1, d
        d += 1.0
    return np.sum(d * v1)


def updates_after_reading_an_element(x, b):
    a = x[0]
    x += b
    return a * np.sum(x)


def updates_after_a_conditional_element(x, a):
    v0 = x[-1] if x[2] > 0.0 else a
    x -= 0.79
    return np.sum(x) * a + v0


def sums_a_list_argument(x, ws):
    return np.sum(sum(ws)) + np.sum(x)


def reassigns_a_name_one_arm_assigned(x):
    if np.sum(x) > 0.0:
        z = x * x
        y = z * z
    else:
        y = x
    z = y * 3.0
    return np.sum(z)


def updates_a_tuple_items_alias(x, tp):
    v0 = tp[0]
    if np.sum(tp[0]) > 0.0:
        v0 = tp[0] * 1.0
    v0 += tp[0]  # where the branch is not taken, v0 is tp[0] itself: NumPy doubles it
    return np.sum(tp[0]) + np.sum(x)


def rebinds_an_unread_parameter_in_a_loop(x, b, m):
    for i in range(1):
        acc = b
        for j in range(1):
            acc += m[i, j]
        b = b + acc * acc
    return np.sum(x)


def rebinds_a_number_parameter_to_an_array(x, a):
    for i in range(2):
        a = a * x
    return np.sum(a)
