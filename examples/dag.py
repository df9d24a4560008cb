"""The lecture's three-operator DAG: generated gradient, checked against finite differences.

w1 is read by two operators (lines x1 and x3), so its gradient is the sum of two
contributions; the generated source shows that accumulation explicitly.
"""

from collections.abc import Callable

import numpy as np

import s2sad


@s2sad.grad(wrt=("w1", "w2"))
def q(w1, w2, x):
    x0 = x
    x1 = w1 @ x0
    x2 = x0 + w2 @ x1
    x3 = w1 @ (x1 + x2)
    return np.sum(x3 * x3)


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


def main() -> None:
    """Print the generated source, then the gradients next to finite differences."""
    print(q.source)

    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((3, 3))
    w2 = rng.standard_normal((3, 3))
    x = rng.standard_normal((3, 2))

    dw1, dw2 = q(w1, w2, x)
    fd_w1 = central_difference(q.fun, [w1, w2, x], 0)
    fd_w2 = central_difference(q.fun, [w1, w2, x], 1)

    np.set_printoptions(precision=5, suppress=True)
    for name, generated, estimate in (("w1", dw1, fd_w1), ("w2", dw2, fd_w2)):
        print(f"d{name} (s2sad):\n{generated}")
        print(f"d{name} (central differences):\n{estimate}")
        print(f"max |difference| for {name}: {np.max(np.abs(generated - estimate)):.2e}\n")


if __name__ == "__main__":
    main()
