"""Programs that once got a wrong gradient, a crash or a refusal without an error's cause.

Each is issue 8's example (or a random program's, shrunk), kept in a file because s2sad
reads source; `tests/test_wrong_gradients.py` checks each against central differences.
"""

import numpy as np


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
    m10, m11 = _stats2(pair[0], pair[0])
    return 1.74 * np.mean(np.cos(m10)) + np.sum(np.sin(x)) + np.sum(np.sin(z6))
