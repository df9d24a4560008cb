"""A modern (dense) Hopfield network (Ramsauer et al., 2020): a query is updated
by a few attention-like retrieval steps, and the stored patterns are trained so
that corrupted queries retrieve their clean pattern. The energy is a logsumexp."""

import numpy as np
import numpy.random as npr
from scipy.special import logsumexp


def energy(patterns, xi, beta):
    return -logsumexp(beta * patterns @ xi) / beta + 0.5 * xi @ xi


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def retrieve(patterns, xi, beta, num_steps=3):
    for _ in range(num_steps):
        xi = patterns.T @ softmax(beta * patterns @ xi)
    return xi


def retrieval_loss(patterns, queries, clean, beta=2.0):
    retrieved = np.stack([retrieve(patterns, q, beta) for q in queries])
    energies = np.array([energy(patterns, r, beta) for r in retrieved])
    return np.mean(np.sum((retrieved - clean) ** 2, axis=1)) + 0.01 * np.mean(energies)


rs = npr.RandomState(0)
num_patterns, dim = 4, 5
clean = np.sign(rs.randn(num_patterns, dim))
queries = clean + 0.5 * rs.randn(num_patterns, dim)


def objective(patterns):
    return retrieval_loss(patterns, queries, clean)


def example():
    return (0.5 * rs.randn(num_patterns, dim),), "patterns"
