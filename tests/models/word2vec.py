"""Skip-gram with negative sampling (word2vec): the embeddings are a dict of two
tables, read by integer arrays with repeats; the negative samples are drawn
inside the loss from a Generator built from the seed it is passed."""

import numpy as np
from scipy.special import expit

vocab_size, embed_dim, num_negatives = 8, 3, 3

corpus = np.array([0, 1, 2, 3, 1, 4, 5, 1, 2, 6, 7, 3, 0, 2])
window = 1
pairs = np.array(
    [
        (corpus[i], corpus[j])
        for i in range(len(corpus))
        for j in range(max(0, i - window), min(len(corpus), i + window + 1))
        if i != j
    ]
)
centers, contexts = pairs[:, 0], pairs[:, 1]


def log_sigmoid(x):
    return np.log(expit(x))


def negative_sampling_loss(params, centers, contexts, seed):
    rng = np.random.default_rng(seed)
    center_vecs = params["input"][centers]
    context_vecs = params["output"][contexts]
    negatives = rng.integers(0, vocab_size, size=(len(centers), num_negatives))
    negative_vecs = params["output"][negatives]
    positive = log_sigmoid(np.sum(center_vecs * context_vecs, axis=-1))
    negative = np.sum(log_sigmoid(-np.einsum("nd,nkd->nk", center_vecs, negative_vecs)), axis=-1)
    return -np.mean(positive + negative)


def objective(params, seed):
    return negative_sampling_loss(params, centers, contexts, seed)


def example():
    rs = np.random.RandomState(0)
    params = {
        "input": 0.5 * rs.randn(vocab_size, embed_dim),
        "output": 0.5 * rs.randn(vocab_size, embed_dim),
    }
    return (params, 42), "params"
