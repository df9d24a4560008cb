"""An Elman RNN trained by SGD to output the mean of a sequence of numbers.

h_t = tanh(h_{t-1} @ W + x_t @ U + b) over the time steps, then a linear readout
y = h_T @ v + c and a squared loss. The time loop is an ordinary `for` inside the
differentiated function: s2sad saves what the backward needs on a tape in the
forward and runs the iterations in reverse (backpropagation through time).
A batch of sequences is processed at once: h has one row per sequence.
"""

from collections.abc import Callable

import numpy as np

import s2sad


@s2sad.value_and_grad(wrt=("w", "u", "b", "v", "c"))
def loss(w, u, b, v, c, xs, h0, target):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ w + xs[t] @ u + b)
    y = h @ v + c
    r = y - target
    return np.mean(r * r)


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


def init_params(rng: np.random.Generator, n_in: int, hidden: int) -> list[np.ndarray]:
    """w (hidden x hidden), u (n_in x hidden), b (hidden), v (hidden), c (0-d)."""
    return [
        0.5 * rng.standard_normal((hidden, hidden)) / np.sqrt(hidden),
        rng.standard_normal((n_in, hidden)) / np.sqrt(n_in),
        np.zeros(hidden),
        rng.standard_normal(hidden) / np.sqrt(hidden),
        np.array(0.0),
    ]


def make_batch(rng: np.random.Generator, steps: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of uniform numbers in [-1, 1] (steps x batch x 1) and their means."""
    xs = rng.uniform(-1.0, 1.0, size=(steps, batch, 1))
    return xs, xs.mean(axis=(0, 2))


def check_gradient(rng: np.random.Generator) -> None:
    """Compare the generated gradient with central differences on a tiny RNN."""
    params = init_params(rng, n_in=2, hidden=3)
    xs = rng.standard_normal((4, 2, 2))
    h0 = np.zeros((2, 3))
    target = rng.standard_normal(2)
    args = [*params, xs, h0, target]
    _, grads = loss(*args)
    worst = max(
        float(np.max(np.abs(g - central_difference(loss.fun, args, i))))
        for i, g in enumerate(grads)
    )
    print(f"gradient check on a 3-unit RNN: max |s2sad - central differences| = {worst:.2e}\n")


def main() -> None:
    """Check the gradient once, then train with SGD, printing the loss as it falls."""
    rng = np.random.default_rng(0)
    check_gradient(rng)

    hidden, length, batch = 16, 10, 32
    params = init_params(rng, n_in=1, hidden=hidden)
    h0 = np.zeros((batch, hidden))
    test_xs, test_target = make_batch(rng, length, 256)
    test_h0 = np.zeros((256, hidden))
    learning_rate, steps = 0.2, 100

    for step in range(steps + 1):
        if step % 20 == 0:
            test = loss.fun(*params, test_xs, test_h0, test_target)
            print(f"step {step:3d}  held-out loss {test:.5f}")
        xs, target = make_batch(rng, length, batch)
        _, grads = loss(*params, xs, h0, target)
        params = [p - learning_rate * g for p, g in zip(params, grads)]
    print(f"(predicting 0 everywhere would score {np.mean(test_target**2):.5f})")


if __name__ == "__main__":
    main()
