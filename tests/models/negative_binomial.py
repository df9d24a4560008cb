"""Negative binomial regression for overdispersed counts, with the dispersion on a
log scale: the log-likelihood is written with gammaln."""

import numpy as np
import numpy.random as npr
from scipy.special import gammaln


def nb_log_likelihood(counts, mu, r):
    return (
        gammaln(counts + r)
        - gammaln(r)
        - gammaln(counts + 1.0)
        + r * np.log(r / (r + mu))
        + counts * np.log(mu / (r + mu))
    )


def objective(weights, log_dispersion, X, counts):
    mu = np.exp(X @ weights)
    r = np.exp(log_dispersion)
    return -np.mean(nb_log_likelihood(counts, mu, r))


rs = npr.RandomState(0)
X = np.column_stack([np.ones(30), rs.randn(30, 2)])
counts = rs.negative_binomial(3.0, 3.0 / (3.0 + np.exp(X @ np.array([1.0, 0.4, -0.3])))).astype(
    float
)


def example():
    return (np.array([0.8, 0.2, -0.1]), 0.7, X, counts), ("weights", "log_dispersion")
