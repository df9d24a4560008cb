"""A Poisson generalized linear model with a log link; the parameters are a
dataclass holding a weight vector and a Python float intercept."""

from dataclasses import dataclass

import numpy as np
import numpy.random as npr
from scipy.special import gammaln


@dataclass
class GLMParams:
    weights: np.ndarray
    intercept: float


def poisson_log_likelihood(p, X, counts):
    eta = X @ p.weights + p.intercept
    return np.sum(counts * eta - np.exp(eta) - gammaln(counts + 1.0))


def log_prior(p, prior_scale=2.0):
    return -0.5 * (np.sum(p.weights**2) + p.intercept**2) / prior_scale**2


rs = npr.RandomState(0)
num_data, num_features = 25, 3
X = rs.randn(num_data, num_features) * 0.5
true_weights = np.array([0.5, -0.3, 0.8])
counts = rs.poisson(np.exp(X @ true_weights + 0.7)).astype(float)


def objective(params):
    return -(poisson_log_likelihood(params, X, counts) + log_prior(params)) / num_data


def example():
    return (GLMParams(weights=np.array([0.1, 0.0, -0.1]), intercept=0.2),), "params"
