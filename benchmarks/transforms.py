"""Forward mode, Hessians and checkpointing: s2sad against hand-written NumPy, JAX (eager and
jit) and autograd, single-threaded, measured in one run.

Usage: python benchmarks/transforms.py [--quick]

Cases: the jvp of the lecture's MLP (small and 784-512-10), the Hessian-vector product of
the softmax MLP loss at 784-512-10, the full Hessian of a 50-parameter function, and the
gradient of a 4,000-step RNN (hidden 256) with and without checkpointing, with the peak
memory of each NumPy implementation (tracemalloc). Every implementation is first checked
against the hand-written one; times are the best repeat per call, repeats interleaved, and
ratios are to the hand-written NumPy code.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "XLA_FLAGS"):
    os.environ[_var] = "1" if _var != "XLA_FLAGS" else (
        "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench
import numpy as np
from bench import measure, mlp, mlp_autograd, mlp_inputs, mlp_squared, rnn, rnn_hand

import s2sad

threadpool_limits, autograd = bench.threadpool_limits, bench.autograd
anp = getattr(bench, "anp", None)

try:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
except ImportError:
    jax = None


# ------------------------------------------------ jvp of the lecture's MLP (squared loss)


def mlp_squared_jvp_hand(w1, b1, w2, b2, x, y, tw1):
    """The loss and its derivative along tw1, written by hand."""
    h = np.tanh(x @ w1 + b1)
    r = h @ w2 + b2 - y
    th = (x @ tw1) * (1.0 - h * h)
    tr = th @ w2
    return 0.5 * np.sum(r * r) / x.shape[0], np.sum(r * tr) / x.shape[0]


def mlp_squared_jax(w1, b1, w2, b2, x, y):
    h = jnp.tanh(x @ w1 + b1)
    r = h @ w2 + b2 - y
    return 0.5 * jnp.sum(r * r) / x.shape[0]


def mlp_squared_anp(w1, b1, w2, b2, x, y):
    h = anp.tanh(x @ w1 + b1)
    r = h @ w2 + b2 - y
    return 0.5 * anp.sum(r * r) / x.shape[0]


def jvp_impls() -> dict[str, Callable]:
    impls: dict[str, Callable] = {"hand": mlp_squared_jvp_hand}
    s2 = s2sad.jvp(mlp_squared, wrt="w1")
    impls["s2sad"] = lambda w1, b1, w2, b2, x, y, tw1: s2(w1, b1, w2, b2, x, y, tangent=tw1)
    if jax is not None:
        def jax_jvp(w1, b1, w2, b2, x, y, tw1):
            return jax.jvp(lambda w: mlp_squared_jax(w, b1, w2, b2, x, y), (w1,), (tw1,))
        impls["jax eager"] = jax_jvp
        impls["jax.jit"] = jax.jit(jax_jvp)
    if autograd is not None:
        def autograd_jvp(w1, b1, w2, b2, x, y, tw1):
            return autograd.make_jvp(lambda w: mlp_squared_anp(w, b1, w2, b2, x, y))(w1)(tw1)
        impls["autograd"] = autograd_jvp
    return impls


# ------------------------------------- Hessian-vector product of the softmax MLP loss


def mlp_hvp_hand(w1, b1, w2, b2, x, y, v):
    """d/dw1 of the loss's gradient along v (forward over reverse, by hand)."""
    batch = x.shape[0]
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    dz = (p - y) / batch
    s = 1.0 - h * h
    dh = dz @ w2.T
    th = (x @ v) * s
    tz = th @ w2
    tp = p * (tz - np.sum(p * tz, axis=1, keepdims=True))
    tda = ((tp / batch) @ w2.T) * s - dh * (2.0 * h * th)
    return x.T @ tda


def mlp_jax(w1, b1, w2, b2, x, y):
    h = jnp.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    zs = z - jnp.max(z, axis=1, keepdims=True)
    log_p = zs - jnp.log(jnp.sum(jnp.exp(zs), axis=1, keepdims=True))
    return -jnp.mean(jnp.sum(y * log_p, axis=1))


def hvp_impls() -> dict[str, Callable]:
    impls: dict[str, Callable] = {"hand": mlp_hvp_hand}
    s2 = s2sad.hvp(mlp, wrt="w1")
    impls["s2sad"] = lambda w1, b1, w2, b2, x, y, v: s2(w1, b1, w2, b2, x, y, vector=v)
    if jax is not None:
        def jax_hvp(w1, b1, w2, b2, x, y, v):
            gradient = jax.grad(lambda w: mlp_jax(w, b1, w2, b2, x, y))
            return jax.jvp(gradient, (w1,), (v,))[1]
        impls["jax eager"] = jax_hvp
        impls["jax.jit"] = jax.jit(jax_hvp)
    if autograd is not None:
        def autograd_hvp(w1, b1, w2, b2, x, y, v):
            loss = lambda w: mlp_autograd(w, b1, w2, b2, x, y)
            return autograd.hessian_vector_product(loss)(w1, v)
        impls["autograd"] = autograd_hvp
    return impls


# --------------------------------------------------- the Hessian of a 50-parameter function


def tanh_features(a, x):
    return np.sum(np.tanh(a @ x) ** 2) + 0.1 * np.sum(x ** 4)


def tanh_features_hessian_hand(a, x):
    t = np.tanh(a @ x)
    s = 1.0 - t * t
    return 2.0 * (a.T * (s * s - 2.0 * t * t * s)) @ a + np.diag(1.2 * x * x)


def hessian_impls() -> dict[str, Callable]:
    impls: dict[str, Callable] = {"hand": tanh_features_hessian_hand,
                                  "s2sad": s2sad.hessian(tanh_features, wrt="x")}
    if jax is not None:
        def jax_features(a, x):
            return jnp.sum(jnp.tanh(a @ x) ** 2) + 0.1 * jnp.sum(x ** 4)
        impls["jax eager"] = jax.hessian(jax_features, argnums=1)
        impls["jax.jit"] = jax.jit(jax.hessian(jax_features, argnums=1))
    if autograd is not None:
        def autograd_features(a, x):
            return anp.sum(anp.tanh(a @ x) ** 2) + 0.1 * anp.sum(x ** 4)
        impls["autograd"] = autograd.hessian(autograd_features, argnum=1)
    return impls


# ---------------------------------------------------------- the 4,000-step RNN, checkpointed


def rnn_impls() -> dict[str, Callable]:
    impls: dict[str, Callable] = {
        "hand": rnn_hand,
        "s2sad checkpoint": s2sad.grad(rnn, wrt=("w", "u", "b"), checkpoint=True),
        "s2sad": s2sad.grad(rnn, wrt=("w", "u", "b")),
    }
    if jax is not None:
        def jax_loop(w, u, b, xs, h0):
            h = h0
            for t in range(xs.shape[0]):
                h = jnp.tanh(w @ h + u @ xs[t] + b)
            return jnp.sum(h * h)

        def jax_scan(w, u, b, xs, h0):
            step = jax.checkpoint(lambda h, x: (jnp.tanh(w @ h + u @ x + b), None))
            h, _ = jax.lax.scan(step, h0, xs)
            return jnp.sum(h * h)

        impls["jax eager"] = jax.grad(jax_loop, argnums=(0, 1, 2))
        impls["jax.jit"] = jax.jit(jax.grad(jax_scan, argnums=(0, 1, 2)))
    if autograd is not None:
        from bench import rnn_autograd
        impls["autograd"] = autograd.grad(rnn_autograd, argnum=(0, 1, 2))
    return impls


def peak_memory(function: Callable, args: tuple) -> float:
    """The peak of what Python allocated during one call, in MiB (NumPy's arrays included)."""
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()


# ------------------------------------------------------------------------------- running


def same(got, expected, name: str, label: str) -> None:
    got, expected = _flat(got), _flat(expected)
    assert len(got) == len(expected), f"{name}: {label} gives {len(got)} values"
    for g, e in zip(got, expected):
        assert np.allclose(np.asarray(g), e, rtol=1e-6, atol=1e-9), f"{name}: {label} differs"


def _flat(value) -> list:
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _flat(item)]
    return [np.asarray(value)]


def blocking(function: Callable) -> Callable:
    """A JAX function that returns only when its result is computed (JAX dispatches work
    asynchronously: without this, a timing measures the dispatch)."""
    return lambda *args: jax.block_until_ready(function(*args))


def cases(quick: bool) -> list[tuple[str, dict[str, Callable], tuple]]:
    rng = np.random.default_rng(0)
    small = mlp_inputs(rng, 8, 16, 16, 4)
    large = mlp_inputs(rng, 256, 784, 512, 10)
    steps = 400 if quick else 4000
    rnn_args = (0.9 * rng.standard_normal((256, 256)) / 16.0,
                rng.standard_normal((256, 32)) / np.sqrt(32), 0.1 * rng.standard_normal(256),
                rng.standard_normal((steps, 32)), np.zeros(256))
    features = (rng.standard_normal((30, 50)) / np.sqrt(50), rng.standard_normal(50))
    listed = [
        ("jvp, MLP 16-16-4, batch 8", jvp_impls(), (*small, rng.standard_normal((16, 16)))),
        ("jvp, MLP 784-512-10, batch 256", jvp_impls(),
         (*large, rng.standard_normal((784, 512)))),
        ("hvp, softmax MLP 784-512-10, batch 256", hvp_impls(),
         (*large, rng.standard_normal((784, 512)))),
        ("Hessian, 50 parameters", hessian_impls(), features),
        (f"RNN {steps} steps, hidden 256", rnn_impls(), rnn_args),
    ]
    for _, impls, _ in listed:
        for label in impls:
            if label.startswith("jax"):
                impls[label] = blocking(impls[label])
    return listed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    options = parser.parse_args()
    repeats, min_time = (2, 0.02) if options.quick else (5, 0.2)
    limits = threadpool_limits(1) if threadpool_limits is not None else nullcontext()
    started = time.perf_counter()
    print(f"numpy {np.__version__}, jax {getattr(jax, '__version__', 'n/a')}, autograd "
          f"{'installed' if autograd else 'n/a'}; one thread, best of {repeats} repeats, µs per "
          "call (ratio to hand-written NumPy)\n")
    with limits:
        for name, impls, args in cases(options.quick):
            expected = impls["hand"](*args)
            for label, function in impls.items():
                same(function(*args), expected, name, label)
            slow = {label for label in impls if label in ("jax eager", "autograd")
                    and name.startswith("RNN")}
            fast = {label: f for label, f in impls.items() if label not in slow}
            us = measure(fast, args, repeats, min_time)
            for label in slow:
                begun = time.perf_counter()
                impls[label](*args)
                us[label] = 1e6 * (time.perf_counter() - begun)
            print(f"### {name}\n")
            print("| implementation | µs | ratio |" + (" peak MiB |" if name.startswith("RNN") else ""))
            print("|---|---:|---:|" + ("---:|" if name.startswith("RNN") else ""))
            for label in impls:
                row = f"| {label} | {us[label]:.0f} | {us[label] / us['hand']:.2f} |"
                if name.startswith("RNN"):
                    numpy_code = not label.startswith("jax")
                    row += f" {peak_memory(impls[label], args):.1f} |" if numpy_code else " n/a |"
                print(row)
            print()
    print(f"({time.perf_counter() - started:.0f} s; slow eager cells of the RNN timed once)")


if __name__ == "__main__":
    main()
