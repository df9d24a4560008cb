"""One gradient step of logistic regression on dask arrays: s2sad's generated gradient
against the gradient written by hand the way dask-glm writes it.

Usage: python benchmarks/dask_logistic.py [--rows N] [--repeats R] [--workers W]

The data (float64, chunked along the rows) is generated once and persisted on a local
dask cluster (W worker processes, one thread each); each timed step builds the gradient's
graph and computes it there: s2sad's gradient of `examples/dask_logistic.py`'s loss
(`mean(logaddexp(0, X @ w) - y * (X @ w))`), and dask-glm's `X.T.dot(sigmoid(X.dot(w)) - y)`
divided by the number of rows. The two are first checked against each other; then the
steps run interleaved, and the medians and their ratio are printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, wait

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import s2sad

_spec = importlib.util.spec_from_file_location("dask_logistic_example",
                                               ROOT / "examples" / "dask_logistic.py")
example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(example)

s2sad_gradient = s2sad.grad(example.logistic_loss)


def sigmoid(x):
    """dask-glm's sigmoid."""
    return 1 / (1 + da.exp(-x))


def hand_gradient(w, X, y):
    """dask-glm's logistic gradient (`families.Logistic.gradient`), for the mean loss."""
    return X.T.dot(sigmoid(X.dot(w)) - y) / X.shape[0]


def step_time(gradient, w, X, y) -> float:
    """Seconds to build the gradient's graph and compute it on the cluster."""
    start = time.perf_counter()
    dask.compute(gradient(w, X, y))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4_000_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        X, y, _ = example.synthetic(args.rows, args.features, args.chunk)
        X, y = client.persist([X, y])
        wait([X, y])
        w = 0.1 * np.random.default_rng(3).standard_normal(args.features)
        ours, theirs = dask.compute(s2sad_gradient(w, X, y), hand_gradient(w, X, y))
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)
        times = {"s2sad": [], "hand-written (dask-glm)": []}
        for _ in range(args.repeats):
            times["s2sad"].append(step_time(s2sad_gradient, w, X, y))
            times["hand-written (dask-glm)"].append(step_time(hand_gradient, w, X, y))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.rows:,} x {args.features} float64, {X.numblocks[0]} chunks, "
          f"{args.workers} workers x 1 thread, median of {args.repeats}")
    for name, median in medians.items():
        print(f"  {name:24s} {1e3 * median:8.1f} ms per gradient step")
    print(f"  ratio s2sad / hand-written: {medians['s2sad'] / medians['hand-written (dask-glm)']:.2f}")


if __name__ == "__main__":
    main()
