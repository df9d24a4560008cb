"""A one-block transformer encoder for sequence regression: multi-head self-attention
and a feed-forward layer, each with a residual connection and layer normalization.
The parameters are a dataclass of arrays; the heads are a list comprehension
concatenated at the end."""

from dataclasses import dataclass

import numpy as np
import numpy.random as npr
from scipy.special import logsumexp


@dataclass
class BlockParams:
    W_q: np.ndarray
    W_k: np.ndarray
    W_v: np.ndarray
    W_o: np.ndarray
    ln_gain: np.ndarray
    ln_bias: np.ndarray
    W_ff: np.ndarray
    b_ff: np.ndarray
    w_out: np.ndarray


num_heads = 2
seq_len, d_model = 5, 4
d_head = d_model // num_heads


def layer_norm(x, gain, bias, eps=1e-5):
    mean = np.mean(x, axis=-1, keepdims=True)
    var = np.var(x, axis=-1, keepdims=True)
    return gain * (x - mean) / np.sqrt(var + eps) + bias


def attention_head(q, k, v, mask):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    scores = np.where(mask, scores, -1e9)
    weights = np.exp(scores - logsumexp(scores, axis=-1, keepdims=True))
    return weights @ v


def multi_head_attention(p, x, mask):
    q, k, v = x @ p.W_q, x @ p.W_k, x @ p.W_v
    heads = [
        attention_head(
            q[..., h * d_head : (h + 1) * d_head],
            k[..., h * d_head : (h + 1) * d_head],
            v[..., h * d_head : (h + 1) * d_head],
            mask,
        )
        for h in range(num_heads)
    ]
    return np.concatenate(heads, axis=-1) @ p.W_o


def encoder_block(p, x, mask):
    x = layer_norm(x + multi_head_attention(p, x, mask), p.ln_gain, p.ln_bias)
    return x + np.tanh(x @ p.W_ff + p.b_ff)


def init_block(rs, scale=0.5):
    return BlockParams(
        W_q=scale * rs.randn(d_model, d_model),
        W_k=scale * rs.randn(d_model, d_model),
        W_v=scale * rs.randn(d_model, d_model),
        W_o=scale * rs.randn(d_model, d_model),
        ln_gain=np.ones(d_model),
        ln_bias=np.zeros(d_model),
        W_ff=scale * rs.randn(d_model, d_model),
        b_ff=np.zeros(d_model),
        w_out=scale * rs.randn(d_model),
    )


rs = npr.RandomState(0)
sequences = rs.randn(3, seq_len, d_model)
targets = np.sum(sequences[:, :, 0], axis=1)
causal_mask = np.tril(np.ones((seq_len, seq_len), dtype=bool))


def objective(params):
    encoded = encoder_block(params, sequences, causal_mask)
    preds = np.mean(encoded, axis=1) @ params.w_out
    return np.mean((preds - targets) ** 2)


def example():
    return (init_block(npr.RandomState(1)),), "params"
