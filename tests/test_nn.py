"""`s2sad.nn`: the layers' values against plain loops, their rules, and generated modules
that copy them and run without s2sad."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from gradcheck import assert_close

import s2sad
from s2sad import nn
from s2sad.templates import REGISTRY, is_nondifferentiable

ROOT = Path(__file__).resolve().parent.parent


def naive_conv2d(x, w, stride, padding, dilation):
    """One output element at a time: the definition."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, _, h, wd = x.shape
    d, _, kh, kw = w.shape
    oh = (h - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd - dilation * (kw - 1) - 1) // stride + 1
    y = np.zeros((n, d, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride: i * stride + dilation * (kh - 1) + 1: dilation,
                      j * stride: j * stride + dilation * (kw - 1) + 1: dilation]
            y[:, :, i, j] = np.einsum("nchw,dchw->nd", patch, w)
    return y


@pytest.mark.parametrize(("stride", "padding", "dilation"), [(1, 0, 1), (2, 1, 1), (1, 2, 2), (3, 0, 2)])
def test_conv2d_matches_its_definition(stride, padding, dilation):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 9, 8)), rng.standard_normal((4, 3, 3, 2))
    y = nn.conv2d(x, w, stride=stride, padding=padding, dilation=dilation)
    assert_close(y, naive_conv2d(x, w, stride, padding, dilation))


def test_unbatched_conv2d_gives_d_by_h_minus_h_plus_one():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((3, 10, 7)), rng.standard_normal((5, 3, 4, 2))
    y = nn.conv2d(x, w)
    assert y.shape == (5, 10 - 4 + 1, 7 - 2 + 1)
    assert_close(y, naive_conv2d(x[None], w, 1, 0, 1)[0])


def test_conv1d_is_conv2d_of_one_row():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 3, 11)), rng.standard_normal((4, 3, 3))
    expected = nn.conv2d(x[:, :, None], w[:, :, None], stride=(1, 2), dilation=(1, 2))[:, :, 0]
    assert_close(nn.conv1d(x, w, stride=2, dilation=2), expected)


def test_pools_activations_and_losses_match_numpy():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 6, 4))
    windows = x.reshape(2, 3, 3, 2, 2, 2)
    assert_close(nn.max_pool2d(x, 2), windows.max(axis=(3, 5)))
    assert_close(nn.avg_pool2d(x, 2), windows.mean(axis=(3, 5)))
    assert_close(nn.max_pool1d(x, 2), x.reshape(2, 3, 6, 2, 2).max(axis=-1))
    assert_close(nn.avg_pool1d(x, 3, stride=1)[..., 0], x[..., :3].mean(axis=-1))
    assert_close(nn.relu(x), np.where(x > 0, x, 0.0))
    assert_close(nn.sigmoid(x), 1.0 / (1.0 + np.exp(-x)))
    e = np.exp(x)
    assert_close(nn.softmax(x, axis=1), e / e.sum(axis=1, keepdims=True))
    assert_close(nn.log_softmax(x), np.log(e / e.sum(axis=-1, keepdims=True)))
    assert_close(nn.logsumexp(x, axis=(0, 2)), np.log(e.sum(axis=(0, 2))))
    assert_close(nn.logsumexp(1000.0 + x), 1000.0 + np.log(e.sum()))
    z, labels = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert_close(nn.cross_entropy(z, labels), -np.mean(np.log(p[np.arange(5), labels])))
    assert_close(nn.mse(z, 1.0), np.mean((z - 1.0) ** 2))


def test_max_pool_gives_a_tied_window_gradient_to_its_first_maximum():
    def pooled_sum(x):
        return np.sum(nn.max_pool2d(x, 2))

    x = np.array([[[1.0, 1.0], [0.0, 1.0]]])
    assert_close(s2sad.grad(pooled_sum)(x), np.array([[[1.0, 0.0], [0.0, 0.0]]]))


def test_every_layer_has_a_rule():
    for name in nn.__all__:
        key = f"s2sad.nn.{name}"
        assert key in REGISTRY or is_nondifferentiable(key), name


def convnet(kernels, weights, images, labels):
    features = nn.relu(nn.conv2d(images, kernels, padding=1))
    pooled = nn.avg_pool2d(nn.max_pool2d(features, 2), 2)
    return nn.cross_entropy(pooled.reshape(pooled.shape[0], -1) @ weights, labels)


def test_a_saved_convnet_gradient_runs_without_s2sad(tmp_path):
    path = tmp_path / "convnet_grad.py"
    gradient = s2sad.grad(convnet, wrt=("kernels", "weights"))
    gradient.save(path)
    assert "def conv2d(x, w, stride=1, padding=0, dilation=1):" in gradient.source
    assert "import s2sad" not in gradient.source and "from s2sad" not in gradient.source
    script = textwrap.dedent(f"""
        import sys
        sys.modules["s2sad"] = None  # importing s2sad now fails
        sys.path.insert(0, {str(tmp_path)!r})
        import numpy as np
        import convnet_grad
        rng = np.random.default_rng(0)
        args = (rng.standard_normal((2, 1, 3, 3)), rng.standard_normal((8, 3)),
                rng.standard_normal((4, 1, 8, 8)), np.array([0, 1, 2, 1]))
        dk, dw = convnet_grad.convnet_grad(*args)
        print(repr(float(dk.sum())), repr(float(dw.sum())))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((2, 1, 3, 3)), rng.standard_normal((8, 3)),
            rng.standard_normal((4, 1, 8, 8)), np.array([0, 1, 2, 1]))
    dk, dw = gradient(*args)
    assert result.stdout.split() == [repr(float(dk.sum())), repr(float(dw.sum()))]


def test_the_convnet_example_trains():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "convnet.py")],
                            capture_output=True, text=True, check=True)
    losses = [float(line.split()[-1]) for line in result.stdout.splitlines()
              if line.startswith("step")]
    assert losses[-1] < 0.5 * losses[0]
