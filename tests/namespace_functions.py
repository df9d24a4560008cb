"""Forward functions for the array-namespace tests (NumPy, the fake_xp stand-in, CuPy).

s2sad reads a function's source, so these live at module level in a real file.
Together they reach every registered adjoint rule (``s2sad.templates.REGISTRY``)
and its method forms; ``tests/test_array_namespaces.py`` pairs each with its
inputs and checks that the set still covers the registry.

Every function is written with ``np.`` calls as a user would write it: the
forward function itself is only run on NumPy inputs (finite differences), the
generated gradient must run on any array namespace.
"""

from __future__ import annotations

import numpy as np

import s2sad

# Arithmetic, with broadcasting against rows, columns and Python scalars.


def broadcast_arithmetic(a, b, c):
    """a (3, 4), b (4,), c (3, 1)."""
    u = a + b
    v = u - c
    w = v * b
    z = w / (c * c + 1.0)
    s = 2.0 * z - 1.0 / (b * b + 3.0) + (-a)
    return np.sum(s * s)


def arithmetic_functions(a, b, c):
    """The NumPy spellings: add, subtract, multiply, divide, negative, positive."""
    u = np.add(a, b)
    v = np.subtract(u, c)
    w = np.multiply(v, np.positive(b))
    z = np.divide(w, np.negative(c * c + 1.0))
    return np.sum(z * z)


def scalar_broadcast(s, a):
    """s a 0-d array (a CuPy scalar stays a 0-d device array), a (3, 4)."""
    u = s * a + s
    v = a / s
    return np.sum(u * u) + np.sum(v)


def powers(a, p):
    """Scalar and array exponents; a (3, 4) positive, p (4,)."""
    u = a ** 2 + a ** 0.5
    v = np.power(a, p)
    w = a ** p
    return np.sum(u * v + w)


# Elementwise functions.


def elementwise(a):
    u = np.tanh(a) + np.exp(0.5 * a)
    v = np.log(a * a + 1.0) * np.sqrt(a * a + 2.0)
    w = np.sin(a) * np.cos(2.0 * a)
    return np.sum(u * v + w + np.abs(a))


def extrema_elementwise(a, b):
    """a (3, 4), b (4,): maximum/minimum broadcast b over rows."""
    u = np.maximum(a, b)
    v = np.minimum(a, 0.25 * b)
    return np.sum(u * u + 3.0 * v)


def where_select(a, b, mask):
    """a (3, 4), b (4,), mask a boolean (3, 4) argument."""
    u = np.where(a > 0.0, a * a, 3.0 * b)
    v = np.where(mask, 0.5 * a, b)
    return np.sum(u) + np.sum(v * v)


# Reductions.


def sum_axes(x):
    """x (2, 3, 4): sums over every kind of axis argument."""
    u = np.sum(x, axis=0)
    v = np.sum(x, axis=1, keepdims=True)
    w = np.sum(x, axis=(0, 2))
    z = x.sum(axis=-1)
    return np.sum(u * u) + np.sum(v * v) + np.sum(w * w) + x.sum() + np.sum(z * z)


def mean_axes(x):
    u = np.mean(x, axis=0)
    v = np.mean(x, axis=2, keepdims=True)
    w = x.mean(axis=(0, 1))
    return np.mean(u * u) + np.sum(v * v) + np.sum(w * w) + x.mean()


def max_min_axes(x):
    u = np.max(x, axis=1)
    v = np.min(x, axis=0, keepdims=True)
    w = x.max(axis=-1, keepdims=True)
    z = x.min(axis=(1, 2))
    return np.sum(u * u) + np.sum(v) + np.sum(w * x) + np.sum(z) + np.max(x) - x.min()


def norms(x, m):
    """x (2, 3, 4), m (3, 4)."""
    u = np.linalg.norm(x)
    v = np.linalg.norm(m, axis=1)
    w = np.linalg.norm(x, axis=0, keepdims=True)
    z = np.linalg.norm(m, "fro")
    return u + np.sum(v * v) + np.sum(w * x) + z


# Products in several ranks.


def matmul_ranks(m, n, v, w, t):
    """m (3, 4), n (4, 2), v (4,), w (3,), t (2, 3, 4)."""
    mat = m @ n
    matvec = m @ v
    vecmat = w @ m
    vecvec = v @ v
    batched = t @ n
    functional = np.matmul(t, v)
    return (
        np.sum(mat * mat) + np.sum(matvec) + np.sum(vecmat * vecmat) + vecvec
        + np.sum(batched * batched) + np.sum(functional)
    )


def dot_ranks(m, n, v, w, t):
    """m (3, 4), n (4, 2), v (4,), w (3,), t (2, 3, 4): np.dot and the .dot method."""
    mat = np.dot(m, n)
    matvec = m.dot(v)
    vecmat = np.dot(w, m)
    vecvec = np.dot(v, v)
    scaled = np.dot(2.0, v)
    tensor = np.dot(t, n)
    return (
        np.sum(mat * mat) + np.sum(matvec) + np.sum(vecmat * vecmat) + vecvec
        + np.sum(scaled * v) + np.sum(tensor * tensor)
    )


def outer_products(v, w, m):
    """v (4,), w (3,), m (2, 2): np.outer flattens its arguments."""
    o = np.outer(w, v)
    p = np.outer(m, w)
    return np.sum(o * o) + np.sum(p * p)


# Rearranging elements.


def transposes(m, t):
    """m (3, 4), t (2, 3, 4)."""
    a = m.T
    b = np.transpose(m)
    c = np.transpose(t, (1, 2, 0))
    d = t.transpose(2, 0, 1)
    e = t.transpose((1, 0, 2))
    f = t.T
    return (
        np.sum(a * b) + np.sum(c * c * c) + np.sum(d[0] * d[1])
        + np.sum(e * e) + np.sum(f[0] * f[1])
    )


def reshapes(m, t):
    """m (3, 4), t (2, 3, 4)."""
    a = m.reshape(6, 2)
    b = m.reshape((2, -1))
    c = np.reshape(t, (4, 6))
    d = t.reshape(-1)
    return np.sum(a @ b) + np.sum(c * c * c) + np.sum(d * d)


# Indexing.


def basic_indexing(t):
    """t (2, 3, 4): integers, slices, None and Ellipsis; overlapping reads add up."""
    a = t[0]
    b = t[1, 1:3]
    c = t[:, None, -1, ::2]
    d = t[..., 1]
    e = t[0, :, None]
    return np.sum(a * a) + np.sum(b * b * b) + np.sum(c * c) + np.sum(d * d) + np.sum(e)


def integer_array_indexing(m, idx):
    """m (5, 3), idx an integer array with repeats: rows read several times add up."""
    rows = m[idx]
    cols = m[:, idx[:2]]
    return np.sum(rows * rows) + np.sum(cols * cols * cols)


def literal_indexing(m):
    """m (5, 3): a list literal with repeats, np.newaxis and negative integers."""
    a = m[[0, 2, 2, 4]]
    b = m[np.newaxis, 1]
    c = m[-1, ::-1]
    return np.sum(a * a * a) + np.sum(b * b) + np.sum(c * m[0])


# Host values beside device arrays: the namespace comes from the device arrays.


def host_index_first(idx, m):
    """idx a host (NumPy) integer array with repeats, m an array of the tested namespace."""
    rows = m[idx]
    return np.sum(rows * rows)


def host_scalar_first(s, m):
    """s a NumPy scalar (numpy.float64), m an array of the tested namespace."""
    u = s * m
    return np.sum(u * m)


# Copies, conversions and plain assignment.


def copies(a):
    b = a
    c = np.copy(b)
    d = a.copy()
    e = float(np.sum(c * d))
    return e + np.sum(b * b)


# Networks.


def lecture_dag(w1, w2, x):
    """The lecture's DAG: w1 is read twice."""
    x0 = x
    x1 = w1 @ x0
    x2 = x0 + w2 @ x1
    x3 = w1 @ (x1 + x2)
    return np.sum(x3 * x3)


def mlp_loss(w1, b1, w2, b2, x, y_onehot):
    """A two-layer tanh MLP with a numerically stable softmax cross-entropy."""
    h = np.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(y_onehot * log_probs, axis=1))


def dict_params(params):
    """params a dict of arrays; its gradient is a dict of the same keys."""
    h = np.tanh(params["x"] @ params["w"] + params["b"])
    return np.sum(h * h)


# Non-scalar outputs, for vjp.


def tanh_layer(w, b, x):
    """w (3, 4), b (3, 1), x (4, 5): a (3, 5) output."""
    return np.tanh(w @ x + b)


def two_outputs(a, v):
    """a (3, 4), v (4,): a (3,) and a (3, 4) output."""
    return a @ v, np.exp(a) * v


def branches(a, b):
    if np.sum(a) > 0:
        c = a * b
    elif np.max(b) > 10.0:
        c = a - b
    else:
        c = np.tanh(a)
    d = b if np.mean(b) > 0 else -b
    return np.sum(c * d)


def writes(a, b):
    y = a * 1.0
    y[0] = b
    y[1:, :2] += b[:2]
    return np.sum(y * y)


def _inner(a, b, v):
    y = a * 1.0
    y[0] = 2.0 * a[1]
    return np.sum(np.tanh(y @ b)) + np.sum(np.sum(a * a, axis=0) * v) + np.sum(np.dot(v, b))


_inner_gradient = s2sad.grad(_inner, wrt=(0, 1, 2))


def second_order(a, b, v):
    da, db, dv = _inner_gradient(a, b, v)
    return np.sum(da * da) + np.sum(np.sin(db)) + np.sum(dv * v) + np.sum(
        np.broadcast_to(v, (2, 4)) * np.array(v, copy=True))
