"""A small convnet trained by SGD on synthetic images: conv2d → relu → max-pool → linear →
softmax cross-entropy, each layer a call into `s2sad.nn`.

The images are 1×12×12: a horizontal bar, a vertical bar or a diagonal, at a random
place, in noise. `python examples/convnet.py --source` prints the generated module:
its forward calls the layers, whose source it copies, and its backward calls their
adjoints (`_conv_dweight`, `_max_pool_dinput`, `_cross_entropy_dlogits`).
"""

import sys

import numpy as np

import s2sad
from s2sad import nn


@s2sad.value_and_grad(wrt=("kernels", "bias", "weights", "offsets"))
def loss(kernels, bias, weights, offsets, images, labels):
    features = nn.relu(nn.conv2d(images, kernels, padding=1) + bias[:, None, None])
    pooled = nn.max_pool2d(features, 2)
    logits = pooled.reshape(pooled.shape[0], -1) @ weights + offsets
    return nn.cross_entropy(logits, labels)


def make_images(rng: np.random.Generator, n: int, size: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """`n` noisy 1×size×size images of three kinds of stroke, and their labels (0, 1, 2)."""
    labels = rng.integers(3, size=n)
    images = 0.3 * rng.standard_normal((n, 1, size, size))
    for i, (label, place) in enumerate(zip(labels, rng.integers(2, size - 2, size=n))):
        if label == 0:
            images[i, 0, place, 2:-2] += 1.0
        elif label == 1:
            images[i, 0, 2:-2, place] += 1.0
        else:
            images[i, 0].flat[:: size + 1] += 1.0
    return images, labels


def main() -> None:
    """Train for a few SGD steps, printing the loss as it falls, then the accuracy."""
    if "--source" in sys.argv:
        print(loss.source)
        return
    rng = np.random.default_rng(0)
    images, labels = make_images(rng, 256)
    channels, classes = 4, 3
    params = [
        0.3 * rng.standard_normal((channels, 1, 3, 3)),
        np.zeros(channels),
        rng.standard_normal((channels * 6 * 6, classes)) / np.sqrt(channels * 36),
        np.zeros(classes),
    ]
    for step in range(61):
        batch = rng.choice(len(labels), size=32, replace=False)
        value, grads = loss(*params, images[batch], labels[batch])
        params = [p - 0.5 * g for p, g in zip(params, grads)]
        if step % 10 == 0:
            print(f"step {step:3d}  loss {value:.4f}")
    kernels, bias, weights, offsets = params
    pooled = nn.max_pool2d(nn.relu(nn.conv2d(images, kernels, padding=1) + bias[:, None, None]), 2)
    predicted = np.argmax(pooled.reshape(len(labels), -1) @ weights + offsets, axis=1)
    print(f"training accuracy {np.mean(predicted == labels):.2f}")


if __name__ == "__main__":
    main()
