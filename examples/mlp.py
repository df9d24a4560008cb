"""A two-layer tanh MLP with softmax cross-entropy, trained by SGD on three Gaussian blobs.

The differentiated function is straight-line NumPy; the data, the one-hot labels,
the training loop and the accuracy all live outside it, in ordinary Python.
"""

import numpy as np

import s2sad


@s2sad.value_and_grad(wrt=("w1", "b1", "w2", "b2"))
def loss(w1, b1, w2, b2, x, y_onehot):
    h = np.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(y_onehot * log_probs, axis=1))


def predict(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """Class index with the largest logit, per row of x."""
    w1, b1, w2, b2 = params
    return np.argmax(np.tanh(x @ w1 + b1) @ w2 + b2, axis=1)


def make_blobs(
    rng: np.random.Generator, per_class: int = 100, classes: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Points around `classes` centres on a circle of radius 2, and their integer labels."""
    angles = 2.0 * np.pi * np.arange(classes) / classes
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    labels = np.repeat(np.arange(classes), per_class)
    x = centres[labels] + 1.0 * rng.standard_normal((labels.size, 2))
    return x, labels


def main() -> None:
    """Train with minibatch SGD, printing the loss as it falls, then the accuracy."""
    rng = np.random.default_rng(0)
    x, labels = make_blobs(rng)
    y_onehot = np.eye(3)[labels]

    hidden = 16
    params = [
        rng.standard_normal((2, hidden)) / np.sqrt(2.0),
        np.zeros(hidden),
        rng.standard_normal((hidden, 3)) / np.sqrt(hidden),
        np.zeros(3),
    ]
    learning_rate, batch, steps = 0.1, 32, 500

    for step in range(steps):
        rows = rng.choice(labels.size, size=batch, replace=False)
        value, grads = loss(*params, x[rows], y_onehot[rows])
        if step % 50 == 0:
            full = loss.fun(*params, x, y_onehot)
            print(f"step {step:3d}  training loss {full:.4f}  minibatch loss {value:.4f}")
        params = [p - learning_rate * g for p, g in zip(params, grads)]
    print(f"step {steps:3d}  training loss {loss.fun(*params, x, y_onehot):.4f}")

    accuracy = np.mean(predict(params, x) == labels)
    print(f"training accuracy: {accuracy:.1%}")


if __name__ == "__main__":
    main()
