"""Logistic regression on 10 million rows that are never in memory at once.

The data is a dask array, generated chunk by chunk from a seeded random generator whenever
a step needs it; the loss is plain NumPy code; s2sad's gradient of it, run on dask arrays,
builds a dask graph, and each step computes the loss and the gradient together from that
one graph, chunk by chunk, on a dask cluster (local worker processes here, or the
scheduler at --address). The weights are a NumPy vector, updated by gradient descent.

    python examples/dask_logistic.py                    # 10,000,000 x 10, chunks of 250,000
    python examples/dask_logistic.py --rows 200000 --workers 0   # small, threads in-process

Memory is bounded by the chunks in flight (a chunk of X is 20 MB), never by the data.
"""

from __future__ import annotations

import argparse
import time

import dask
import dask.array as da
import numpy as np

import s2sad


def logistic_loss(w, X, y):
    """Mean cross-entropy of labels y in {0, 1} under a logistic model (stable form)."""
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


step_terms = s2sad.value_and_grad(logistic_loss)


def synthetic(rows: int, features: int, chunk: int,
              seed: int = 0) -> tuple[da.Array, da.Array, np.ndarray]:
    """Rows of X drawn from a normal distribution, labels from a logistic model with known
    weights: lazily, so that each chunk is drawn (the same each time) where it is needed."""
    truth = np.random.default_rng(seed).standard_normal(features)
    X = da.random.default_rng(seed + 1).standard_normal((rows, features), chunks=(chunk, features))
    noise = da.random.default_rng(seed + 2).random(rows, chunks=chunk)
    y = (noise < 1.0 / (1.0 + da.exp(-(X @ truth)))).astype(np.float64)
    return X, y, truth


def train(X: da.Array, y: da.Array, steps: int, rate: float = 1.0,
          report: bool = True) -> tuple[np.ndarray, list[float]]:
    """Gradient descent from zero weights: each step computes the loss and its gradient in
    one dask computation, then moves the weights."""
    w = np.zeros(X.shape[1])
    losses = []
    for step in range(steps):
        start = time.perf_counter()
        loss, gradient = dask.compute(*step_terms(w, X, y))
        w = w - rate * gradient
        losses.append(float(loss))
        if report:
            print(f"step {step:2d}  loss {loss:.6f}  |gradient| {np.linalg.norm(gradient):.2e}"
                  f"  {time.perf_counter() - start:.1f} s")
    return w, losses


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=250_000, help="rows per chunk")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1.0, help="gradient descent step size")
    parser.add_argument("--workers", type=int, default=2,
                        help="local worker processes (0: dask's threads, in this process)")
    parser.add_argument("--address", help="the scheduler of a running dask cluster to use")
    args = parser.parse_args(argv)

    X, y, truth = synthetic(args.rows, args.features, min(args.chunk, args.rows))
    print(f"X: {X.shape[0]:,} x {X.shape[1]} float64 ({X.nbytes / 1e9:.1f} GB), "
          f"{X.numblocks[0]} chunks of {X.chunks[0][0] * X.shape[1] * 8 / 1e6:.0f} MB")
    if args.address or args.workers:
        from distributed import Client, LocalCluster

        cluster = None if args.address else LocalCluster(
            n_workers=args.workers, threads_per_worker=1, dashboard_address=None)
        with Client(args.address or cluster):
            w, _ = train(X, y, args.steps, args.rate)
        if cluster is not None:
            cluster.close()
    else:
        w, _ = train(X, y, args.steps, args.rate)
    cosine = w @ truth / (np.linalg.norm(w) * np.linalg.norm(truth))
    print(f"cosine between the learned and the true weights: {cosine:.4f}")


if __name__ == "__main__":
    main()
