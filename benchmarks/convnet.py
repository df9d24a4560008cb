"""The convnet's gradient (s2sad.nn layers) against a hand-written NumPy backward, single-threaded.

Usage: python benchmarks/convnet.py [--quick]

Batch 32 of 1×28×28 images, 8 kernels 3×3, relu, 2×2 max-pool, a linear layer to 10
classes, mean softmax cross-entropy; gradients with respect to every parameter. The
timing harness is bench.py's: both are checked to agree, then timed interleaved.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from bench import check, measure, threadpool_limits
from numpy.lib.stride_tricks import as_strided

import s2sad
from s2sad import nn


def convnet(kernels, bias, weights, offsets, images, labels):
    features = nn.relu(nn.conv2d(images, kernels) + bias[:, None, None])
    pooled = nn.max_pool2d(features, 2)
    logits = pooled.reshape(pooled.shape[0], -1) @ weights + offsets
    return nn.cross_entropy(logits, labels)


def convnet_hand(kernels, bias, weights, offsets, images, labels):
    """The gradient by hand: im2col kept from the forward, one GEMM per product, the
    max-pool's adjoint routed to each window's first maximum, `(p - onehot) / n`."""
    n, c, h, w = images.shape
    d, _, kh, kw = kernels.shape
    oh, ow = h - kh + 1, w - kw + 1
    sn, sc, sh, sw = images.strides
    windows = as_strided(images, (n, c, kh, kw, oh, ow), (sn, sc, sh, sw, sh, sw))
    cols = windows.reshape(n, c * kh * kw, oh * ow)  # a copy: the im2col matrix, kept
    z = kernels.reshape(d, -1) @ cols + bias[:, None]
    a = np.maximum(z, 0.0).reshape(n, d, oh, ow)
    parts = [a[:, :, i::2, j::2][:, :, : oh // 2, : ow // 2] for i in (0, 1) for j in (0, 1)]
    pooled = np.maximum(np.maximum(parts[0], parts[1]), np.maximum(parts[2], parts[3]))
    flat = pooled.reshape(n, -1)
    logits = flat @ weights + offsets
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    dlogits = e / e.sum(axis=1, keepdims=True)
    dlogits[np.arange(n), labels] -= 1.0
    dlogits /= n
    dweights = flat.T @ dlogits
    doffsets = dlogits.sum(axis=0)
    dpooled = (dlogits @ weights.T).reshape(pooled.shape)
    da = np.zeros_like(a)
    unclaimed = np.ones(pooled.shape, dtype=bool)
    for k, (i, j) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):
        hit = (parts[k] == pooled) & unclaimed
        unclaimed ^= hit
        np.multiply(dpooled, hit, out=da[:, :, i : i + oh // 2 * 2 : 2, j : j + ow // 2 * 2 : 2])
    dz = da.reshape(n, d, -1) * (z > 0)
    dbias = dz.sum(axis=(0, 2))
    dkernels = (dz @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(kernels.shape)
    return dkernels, dbias, dweights, doffsets


def convnet_inputs(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Kernels, bias, linear weights and offsets, 32 images 1×28×28 and their labels."""
    return (
        rng.standard_normal((8, 1, 3, 3)) / 3.0,
        0.1 * rng.standard_normal(8),
        rng.standard_normal((8 * 13 * 13, 10)) / np.sqrt(8 * 13 * 13),
        0.1 * rng.standard_normal(10),
        rng.standard_normal((32, 1, 28, 28)),
        rng.integers(10, size=32),
    )


NAME = "convnet, batch 32, 1x28x28, 8 kernels 3x3"


def main() -> None:
    """Check both gradients agree, time them, print the README table's row."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few short repeats (smoke test)")
    repeats, min_time = (2, 0.02) if parser.parse_args().quick else (7, 0.2)
    impls = {"hand": convnet_hand,
             "s2sad": s2sad.grad(convnet, wrt=("kernels", "bias", "weights", "offsets"))}
    args = convnet_inputs(np.random.default_rng(0))
    limits = threadpool_limits(1) if threadpool_limits is not None else nullcontext()
    with limits:
        check(NAME, impls, args)
        us = measure(impls, args, repeats, min_time)
    print(f"| {NAME} | {us['hand']:.1f} | {us['s2sad']:.1f} | {us['s2sad'] / us['hand']:.2f} | n/a |")


if __name__ == "__main__":
    main()
