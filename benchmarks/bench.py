"""Generated gradients (s2sad) against hand-written NumPy gradients, single-threaded.

Usage: python benchmarks/bench.py [--quick]

Every case first asserts that both (and autograd, when installed) give the same
gradients, then times them interleaved, repeat by repeat, so that all see the same
machine state, and prints a Markdown table of the fastest repeat per call.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import sys
import time
import timeit
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

import s2sad

try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None

try:
    import autograd
    import autograd.numpy as anp
except ImportError:
    autograd = None


# ---------------------------------------------------------------- the lecture's DAG


def dag(w1, w2, x):
    x0 = x
    x1 = w1 @ x0
    x2 = x0 + w2 @ x1
    x3 = w1 @ (x1 + x2)
    return np.sum(x3 * x3)


def dag_hand(w1: np.ndarray, w2: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d/dw1 and d/dw2 of sum(x3 * x3), written by hand."""
    x1 = w1 @ x
    x2 = x + w2 @ x1
    s = x1 + x2
    x3 = w1 @ s
    dx3 = 2.0 * x3
    ds = w1.T @ dx3
    dw2 = ds @ x1.T
    dx1 = ds + w2.T @ ds
    dw1 = dx3 @ s.T + dx1 @ x.T
    return dw1, dw2


def dag_autograd(w1: np.ndarray, w2: np.ndarray, x: np.ndarray) -> float:
    """The DAG written with autograd.numpy."""
    x1 = w1 @ x
    x2 = x + w2 @ x1
    x3 = w1 @ (x1 + x2)
    return anp.sum(x3 * x3)


# ------------------------------------------------- two-layer tanh MLP, softmax CE


def mlp(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    zs = z - np.max(z, axis=1, keepdims=True)
    log_p = zs - np.log(np.sum(np.exp(zs), axis=1, keepdims=True))
    return -np.mean(np.sum(y * log_p, axis=1))


def mlp_hand(
    w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the mean softmax cross-entropy, written by hand (y one-hot)."""
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    dz = (p - y) / x.shape[0]
    dw2 = h.T @ dz
    db2 = dz.sum(axis=0)
    da = (dz @ w2.T) * (1.0 - h * h)
    dw1 = x.T @ da
    db1 = da.sum(axis=0)
    return dw1, db1, dw2, db2


def mlp_autograd(
    w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: np.ndarray
) -> float:
    """The MLP loss written with autograd.numpy."""
    h = anp.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    zs = z - anp.max(z, axis=1, keepdims=True)
    log_p = zs - anp.log(anp.sum(anp.exp(zs), axis=1, keepdims=True))
    return -anp.mean(anp.sum(y * log_p, axis=1))


# ------------------------------------------- the lecture's tanh MLP, squared loss


def mlp_squared(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    r = h @ w2 + b2 - y
    return 0.5 * np.sum(r * r) / x.shape[0]


def mlp_squared_hand(
    w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the mean squared error of a tanh MLP, written by hand."""
    h = np.tanh(x @ w1 + b1)
    dz = (h @ w2 + b2 - y) / x.shape[0]
    dw2 = h.T @ dz
    db2 = dz.sum(axis=0)
    da = (dz @ w2.T) * (1.0 - h * h)
    return x.T @ da, da.sum(axis=0), dw2, db2


def mlp_squared_autograd(
    w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: np.ndarray
) -> float:
    """The squared-loss MLP written with autograd.numpy."""
    h = anp.tanh(x @ w1 + b1)
    r = h @ w2 + b2 - y
    return 0.5 * anp.sum(r * r) / x.shape[0]


# ------------------------------------------- Elman RNN, backpropagation through time


def rnn(w, u, b, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(w @ h + u @ xs[t] + b)
    return np.sum(h * h)


def rnn_hand(
    w: np.ndarray, u: np.ndarray, b: np.ndarray, xs: np.ndarray, h0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BPTT by hand: the forward keeps every hidden state, the backward walks them in reverse."""
    hs = [h0]
    for t in range(xs.shape[0]):
        hs.append(np.tanh(w @ hs[-1] + u @ xs[t] + b))
    dw = np.zeros_like(w)
    du = np.zeros_like(u)
    db = np.zeros_like(b)
    dh = 2.0 * hs[-1]
    for t in range(xs.shape[0] - 1, -1, -1):
        h = hs[t + 1]
        da = dh * (1.0 - h * h)
        dw += np.outer(da, hs[t])
        du += np.outer(da, xs[t])
        db += da
        dh = w.T @ da
    return dw, du, db


def rnn_autograd(
    w: np.ndarray, u: np.ndarray, b: np.ndarray, xs: np.ndarray, h0: np.ndarray
) -> float:
    """The RNN written with autograd.numpy."""
    h = h0
    for t in range(xs.shape[0]):
        h = anp.tanh(w @ h + u @ xs[t] + b)
    return anp.sum(h * h)


# ------------------------------- damped oscillator, explicit Euler, Python scalars


def oscillator(k, c, x0, v0, n):
    x = x0
    v = v0
    for i in range(n):
        a = -k[i] * x - c[i] * v
        v = v + 0.01 * a
        x = x + 0.01 * v
    return x * x + v * v


def oscillator_hand(
    k: np.ndarray, c: np.ndarray, x0: float, v0: float, n: int
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """The oscillator's gradient by hand, as an engineer writes a scalar loop for speed.

    The coefficients are turned into Python lists first (.tolist()), because Python
    floats are several times faster than NumPy scalars in scalar arithmetic; the
    forward keeps x and v of every step in lists, and the backward writes dk[i] and
    dc[i] into preallocated lists that become arrays at the end.
    """
    ks = k.tolist()
    cs = c.tolist()
    xs = [0.0] * n
    vs = [0.0] * n
    x, v = x0, v0
    for i in range(n):
        xs[i] = x
        vs[i] = v
        v = v + 0.01 * (-ks[i] * x - cs[i] * v)
        x = x + 0.01 * v
    dk = [0.0] * n
    dc = [0.0] * n
    dx = 2.0 * x
    dv = 2.0 * v
    for i in range(n - 1, -1, -1):
        dv += 0.01 * dx
        da = 0.01 * dv
        dk[i] = -da * xs[i]
        dc[i] = -da * vs[i]
        dx -= da * ks[i]
        dv -= da * cs[i]
    return np.array(dk), np.array(dc), dx, dv


def oscillator_autograd(k: np.ndarray, c: np.ndarray, x0: float, v0: float, n: int) -> float:
    """The oscillator written for autograd (the forward is the same Python)."""
    return oscillator(k, c, x0, v0, n)


# ----------------------------------------------------------------------- harness


def dag_inputs(rng: np.random.Generator, n: int, cols: int) -> tuple[np.ndarray, ...]:
    """w1, w2 (n x n, scaled by 1/sqrt(n)) and x (n x cols)."""
    scale = 1.0 / np.sqrt(n)
    return (
        scale * rng.standard_normal((n, n)),
        scale * rng.standard_normal((n, n)),
        rng.standard_normal((n, cols)),
    )


def mlp_inputs(
    rng: np.random.Generator, batch: int, n_in: int, n_hidden: int, n_out: int
) -> tuple[np.ndarray, ...]:
    """Weights, biases, a batch of inputs and one-hot labels."""
    return (
        rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in),
        0.1 * rng.standard_normal(n_hidden),
        rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden),
        0.1 * rng.standard_normal(n_out),
        rng.standard_normal((batch, n_in)),
        np.eye(n_out)[rng.integers(n_out, size=batch)],
    )


def rnn_inputs(
    rng: np.random.Generator, steps: int, n_hidden: int, n_in: int
) -> tuple[np.ndarray, ...]:
    """w (scaled to keep tanh out of saturation), u, b, a sequence xs (steps x n_in), h0."""
    return (
        0.9 * rng.standard_normal((n_hidden, n_hidden)) / np.sqrt(n_hidden),
        rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in),
        0.1 * rng.standard_normal(n_hidden),
        rng.standard_normal((steps, n_in)),
        np.zeros(n_hidden),
    )


def oscillator_inputs(rng: np.random.Generator, n: int) -> tuple[np.ndarray | float | int, ...]:
    """Stiffness and damping per step, x0 and v0 as Python floats, and n."""
    return rng.uniform(0.5, 2.0, n), rng.uniform(0.0, 0.2, n), 1.0, 0.0, n


def cases() -> list[tuple[str, dict[str, Callable[..., object]], tuple[np.ndarray, ...]]]:
    """(name, implementations, arguments) for every benchmark case."""
    rng = np.random.default_rng(0)
    dag_impls: dict[str, Callable[..., object]] = {
        "hand": dag_hand,
        "s2sad": s2sad.grad(dag, wrt=("w1", "w2")),
    }
    mlp_impls: dict[str, Callable[..., object]] = {
        "hand": mlp_hand,
        "s2sad": s2sad.grad(mlp, wrt=("w1", "b1", "w2", "b2")),
    }
    squared_impls: dict[str, Callable[..., object]] = {
        "hand": mlp_squared_hand,
        "s2sad": s2sad.grad(mlp_squared, wrt=("w1", "b1", "w2", "b2")),
    }
    rnn_impls: dict[str, Callable[..., object]] = {
        "hand": rnn_hand,
        "s2sad": s2sad.grad(rnn, wrt=("w", "u", "b")),
    }
    oscillator_impls: dict[str, Callable[..., object]] = {
        "hand": oscillator_hand,
        "s2sad": s2sad.grad(oscillator, wrt=("k", "c", "x0", "v0")),
    }
    if autograd is not None:
        rnn_impls["autograd"] = autograd.grad(rnn_autograd, argnum=(0, 1, 2))
        oscillator_impls["autograd"] = autograd.grad(oscillator_autograd, argnum=(0, 1, 2, 3))
        dag_impls["autograd"] = autograd.grad(dag_autograd, argnum=(0, 1))
        mlp_impls["autograd"] = autograd.grad(mlp_autograd, argnum=(0, 1, 2, 3))
        squared_impls["autograd"] = autograd.grad(mlp_squared_autograd, argnum=(0, 1, 2, 3))
    return [
        ("DAG 5x5, x 5x5", dag_impls, dag_inputs(rng, 5, 5)),
        ("DAG 512x512, x 512x64", dag_impls, dag_inputs(rng, 512, 64)),
        ("MLP 16-16-4, batch 8, squared loss", squared_impls, mlp_inputs(rng, 8, 16, 16, 4)),
        ("MLP 16-16-4, batch 8, softmax CE", mlp_impls, mlp_inputs(rng, 8, 16, 16, 4)),
        ("MLP 784-512-10, batch 256", mlp_impls, mlp_inputs(rng, 256, 784, 512, 10)),
        ("RNN 100 steps, hidden 256, input 128", rnn_impls, rnn_inputs(rng, 100, 256, 128)),
        ("scalar loop 2000 steps", oscillator_impls, oscillator_inputs(rng, 2000)),
    ]


def check(name: str, impls: dict[str, Callable[..., object]], args: tuple[np.ndarray, ...]) -> None:
    """Assert that every implementation gives the hand-written gradients."""
    expected = impls["hand"](*args)
    for label, fn in impls.items():
        got = fn(*args)
        assert len(got) == len(expected), f"{name}: {label} returned {len(got)} gradients"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert np.shape(g) == np.shape(e), f"{name}: {label} gradient {i} shape {np.shape(g)}"
            assert np.allclose(g, e, rtol=1e-7, atol=1e-10), f"{name}: {label} gradient {i} differs"


def loops_for(timer: timeit.Timer, min_time: float) -> int:
    """Smallest number of loops from 1, 2, 5, 10, 20, ... whose run takes >= min_time."""
    number = 1
    while True:
        for factor in (1, 2, 5):
            if timer.timeit(number * factor) >= min_time:
                return number * factor
        number *= 10


def measure(
    impls: dict[str, Callable[..., object]],
    args: tuple[np.ndarray, ...],
    repeats: int,
    min_time: float,
) -> dict[str, float]:
    """Fastest microseconds per call of each implementation, repeats interleaved."""
    timers = {label: timeit.Timer(lambda fn=fn: fn(*args)) for label, fn in impls.items()}
    loops = {label: loops_for(timer, min_time) for label, timer in timers.items()}
    best = dict.fromkeys(impls, float("inf"))
    for _ in range(repeats):
        for label, timer in timers.items():
            best[label] = min(best[label], timer.timeit(loops[label]) / loops[label])
    return {label: 1e6 * seconds for label, seconds in best.items()}


def main() -> None:
    """Check every case, time it, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few short repeats (smoke test)")
    options = parser.parse_args()
    repeats, min_time = (2, 0.02) if options.quick else (7, 0.2)

    limits = threadpool_limits(1) if threadpool_limits is not None else nullcontext()
    started = time.perf_counter()
    rows = []
    with limits:
        for name, impls, args in cases():
            check(name, impls, args)
            us = measure(impls, args, repeats, min_time)
            extra = f"{us['autograd']:.1f}" if "autograd" in us else "n/a"
            ratio = us["s2sad"] / us["hand"]
            rows.append(
                f"| {name} | {us['hand']:.1f} | {us['s2sad']:.1f} | {ratio:.2f} | {extra} |"
            )

    print(f"numpy {np.__version__}, one thread, best of {repeats} repeats\n")
    print("| case | hand-written (µs) | s2sad (µs) | ratio | autograd (µs) |")
    print("|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
