"""A Gaussian process marginal likelihood computed by hand with a Cholesky factor;
the kernel hyperparameters are a NamedTuple of Python floats."""

from typing import NamedTuple

import numpy as np
import numpy.random as npr


class KernelParams(NamedTuple):
    log_amplitude: float
    log_lengthscale: float
    log_noise: float


def rbf_kernel(x1, x2, amplitude, lengthscale):
    sqdist = np.sum(x1**2, 1)[:, None] + np.sum(x2**2, 1)[None, :] - 2 * x1 @ x2.T
    return amplitude**2 * np.exp(-0.5 * sqdist / lengthscale**2)


def log_marginal_likelihood(p, X, y, kernel=rbf_kernel):
    n = len(y)
    K = kernel(X, X, np.exp(p.log_amplitude), np.exp(p.log_lengthscale))
    K = K + (np.exp(2 * p.log_noise) + 1e-6) * np.eye(n)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return -0.5 * y @ alpha - np.sum(np.log(np.diag(L))) - 0.5 * n * np.log(2 * np.pi)


rs = npr.RandomState(0)
X = rs.uniform(-3, 3, size=(10, 2))
y = np.sin(X[:, 0]) * np.cos(X[:, 1]) + 0.1 * rs.randn(10)


def objective(params):
    return -log_marginal_likelihood(params, X, y)


def example():
    return (KernelParams(0.1, 0.2, -1.0),), "params"
