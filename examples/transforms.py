"""Forward mode, Hessians and checkpointing on the lecture's models, each checked here
against central differences.

* `mlp_jvp`: the directional derivative of the lecture's tanh MLP loss along a change of w1
  (forward mode: one pass, the tangent of each value beside it).
* `mlp_hvp`: the Hessian-vector product of that loss with respect to w1, forward mode
  through the generated gradient, without forming the Hessian.
* `features_hessian`: the full Hessian of a function of 8 parameters.
* `rnn_gradient`: backpropagation through 400 steps that keeps about √400 = 20 states
  instead of 400 (`checkpoint=True`).

Run it, or print a module: `s2sad show examples/transforms.py:mlp_hvp`.
"""

import numpy as np

import s2sad


def mlp(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    r = h @ w2 + b2 - y
    return 0.5 * np.sum(r * r) / x.shape[0]


mlp_jvp = s2sad.jvp(mlp, wrt="w1")
mlp_hvp = s2sad.hvp(mlp, wrt="w1")


def features(a, x):
    return np.sum(np.tanh(a @ x) ** 2) + 0.1 * np.sum(x ** 4)


features_hessian = s2sad.hessian(features, wrt="x")


def rnn(w, u, xs, h):
    for t in range(xs.shape[0]):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h * h)


rnn_gradient = s2sad.grad(rnn, wrt=("w", "u"), checkpoint=True)


def main() -> None:
    rng = np.random.default_rng(0)
    w1, b1 = rng.standard_normal((4, 8)) / 2.0, rng.standard_normal(8)
    w2, b2 = rng.standard_normal((8, 3)) / 3.0, rng.standard_normal(3)
    x, y = rng.standard_normal((16, 4)), rng.standard_normal((16, 3))
    v, e = rng.standard_normal((4, 8)), 1e-6

    value, slope = mlp_jvp(w1, b1, w2, b2, x, y, tangent=v)
    difference = (mlp(w1 + e * v, b1, w2, b2, x, y) - mlp(w1 - e * v, b1, w2, b2, x, y)) / (2 * e)
    print(f"jvp: loss {value:.6f}, slope along v {slope:.8f} (central difference {difference:.8f})")

    gradient = s2sad.grad(mlp, wrt="w1")
    product = mlp_hvp(w1, b1, w2, b2, x, y, vector=v)
    numerical = (gradient(w1 + e * v, b1, w2, b2, x, y)
                 - gradient(w1 - e * v, b1, w2, b2, x, y)) / (2 * e)
    print(f"hvp: largest difference from the gradient's central difference "
          f"{np.max(np.abs(product - numerical)):.2e}")

    a, p = rng.standard_normal((5, 8)) / 2.0, rng.standard_normal(8)
    hessian = features_hessian(a, p)
    print(f"Hessian: {hessian.shape}, symmetric to {np.max(np.abs(hessian - hessian.T)):.1e}")

    w, u = rng.standard_normal((16, 16)) / 5.0, rng.standard_normal((16, 2))
    xs, h0 = rng.standard_normal((400, 2)), np.zeros(16)
    dw, du = rnn_gradient(w, u, xs, h0)
    full = s2sad.grad(rnn, wrt=("w", "u"))(w, u, xs, h0)
    print(f"checkpointed RNN gradient: same as the full tape to "
          f"{max(np.max(np.abs(dw - full[0])), np.max(np.abs(du - full[1]))):.1e}")


if __name__ == "__main__":
    main()
