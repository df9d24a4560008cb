"""A robust line fit: the mean Huber loss of the residuals, by gradient descent.

`huber` branches on the data and returns early; `loss` calls it once per data point
inside a `for` over `zip(x, y)`. s2sad inlines the call, records which branch each
iteration took, and replays the matching adjoint in the backward. A tenth of the
points are gross outliers: least squares is dragged towards them, the Huber fit is not.
"""

from collections.abc import Callable

import numpy as np

import s2sad


def huber(r, delta):
    if abs(r) <= delta:
        return 0.5 * r * r
    return delta * (abs(r) - 0.5 * delta)


@s2sad.value_and_grad(wrt=("w", "b"))
def loss(w, b, x, y):
    total = 0.0
    for xi, yi in zip(x, y):
        r = np.dot(w, xi) + b - yi
        total = total + huber(r, 1.0)
    return total / x.shape[0]


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


def make_data(
    rng: np.random.Generator, n: int = 100, slope: float = 2.0, intercept: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Points (n x 1) on a noisy line, a tenth of them shifted up by 8 to 12."""
    x = rng.uniform(-2.0, 2.0, size=(n, 1))
    y = slope * x[:, 0] + intercept + 0.3 * rng.standard_normal(n)
    outliers = rng.choice(n, size=n // 10, replace=False)
    y[outliers] += rng.uniform(8.0, 12.0, size=outliers.size)
    return x, y


def main() -> None:
    """Check the gradient once, fit the line by gradient descent, compare with least squares."""
    rng = np.random.default_rng(0)
    x, y = make_data(rng)

    w, b = np.array([0.5]), 0.0
    _, (dw, db) = loss(w, b, x, y)
    fd_w = central_difference(loss.fun, [w, b, x, y], 0)
    fd_b = central_difference(loss.fun, [w, b, x, y], 1)
    worst = max(np.max(np.abs(dw - fd_w)), abs(db - fd_b))
    print(f"max |s2sad - central differences| = {worst:.2e}\n")

    learning_rate, steps = 0.2, 60
    for step in range(steps + 1):
        value, (dw, db) = loss(w, b, x, y)
        if step % 10 == 0:
            print(f"step {step:3d}  mean Huber loss {value:.4f}  w = {w[0]:.3f}  b = {b:.3f}")
        w = w - learning_rate * dw
        b = b - learning_rate * db

    design = np.column_stack([x[:, 0], np.ones(len(y))])
    (ls_w, ls_b), *_ = np.linalg.lstsq(design, y, rcond=None)
    print("\ntrue line:     w = 2.000  b = 1.000")
    print(f"Huber fit:     w = {w[0]:.3f}  b = {b:.3f}")
    print(f"least squares: w = {ls_w:.3f}  b = {ls_b:.3f}")


if __name__ == "__main__":
    main()
