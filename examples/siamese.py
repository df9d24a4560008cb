"""A siamese network: one sub-network, tanh(W @ a + b), applied to both elements of a pair.

Both branches read W and b, so the gradient of W is the SUM of the two branches'
contributions. This script checks that twice: against central finite differences,
and against the sum of the gradients of an untied copy (one W per branch).
Columns of `xa` and `xb` are the pairs; `target` is the wanted squared distance
between the two embeddings (0 for a similar pair, 1 for a dissimilar one).
"""

from collections.abc import Callable

import numpy as np

import s2sad


@s2sad.grad(wrt=("w", "b"))
def pair_loss(w, b, xa, xb, target):
    ea = np.tanh(w @ xa + b)
    eb = np.tanh(w @ xb + b)
    diff = ea - eb
    residual = np.sum(diff * diff, axis=0) - target
    return np.mean(residual * residual)


@s2sad.grad(wrt=("wa", "wb"))
def untied_pair_loss(wa, wb, b, xa, xb, target):
    ea = np.tanh(wa @ xa + b)
    eb = np.tanh(wb @ xb + b)
    diff = ea - eb
    residual = np.sum(diff * diff, axis=0) - target
    return np.mean(residual * residual)


def central_difference(
    f: Callable[..., float], args: list[np.ndarray], index: int, eps: float = 1e-6
) -> np.ndarray:
    """Estimate df/d(args[index]) entry by entry with central differences."""
    args = [np.array(a, dtype=float) for a in args]
    target = args[index]
    estimate = np.zeros_like(target)
    for i in np.ndindex(target.shape):
        saved = target[i]
        target[i] = saved + eps
        up = f(*args)
        target[i] = saved - eps
        down = f(*args)
        target[i] = saved
        estimate[i] = (up - down) / (2.0 * eps)
    return estimate


def make_pairs(
    rng: np.random.Generator, pairs: int = 200, dim: int = 4, classes: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random pairs of noisy class members as columns, and their target squared distances."""
    centres = 1.5 * rng.standard_normal((classes, dim))
    label_a = rng.integers(classes, size=pairs)
    label_b = rng.integers(classes, size=pairs)
    xa = (centres[label_a] + 0.3 * rng.standard_normal((pairs, dim))).T
    xb = (centres[label_b] + 0.3 * rng.standard_normal((pairs, dim))).T
    target = (label_a != label_b).astype(float)
    return xa, xb, target


def main() -> None:
    """Check the shared-weight gradient, then train a few steps of gradient descent."""
    rng = np.random.default_rng(0)
    xa, xb, target = make_pairs(rng)
    embedding = 3
    w = 0.2 * rng.standard_normal((embedding, xa.shape[0]))
    b = np.zeros((embedding, 1))

    dw, db = pair_loss(w, b, xa, xb, target)
    fd_w = central_difference(pair_loss.fun, [w, b, xa, xb, target], 0)
    dw_a, dw_b = untied_pair_loss(w, w, b, xa, xb, target)
    print(f"max |dW - finite differences|          = {np.max(np.abs(dw - fd_w)):.2e}")
    print(f"max |dW - (dW branch a + dW branch b)| = {np.max(np.abs(dw - (dw_a + dw_b))):.2e}")
    print(
        f"max |dW branch a|, max |dW branch b|   = {np.abs(dw_a).max():.3f}, "
        f"{np.abs(dw_b).max():.3f}\n"
    )

    learning_rate, steps = 0.05, 200
    for step in range(steps + 1):
        if step % 40 == 0:
            print(f"step {step:3d}  loss {pair_loss.fun(w, b, xa, xb, target):.4f}")
        dw, db = pair_loss(w, b, xa, xb, target)
        w = w - learning_rate * dw
        b = b - learning_rate * db


if __name__ == "__main__":
    main()
