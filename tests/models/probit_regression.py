"""Ordinal probit regression: the probability of each ordered category is the
difference of two normal CDFs at the cutpoints; the cutpoints are kept ordered by
cumulating exponentiated increments."""

import numpy as np
import numpy.random as npr
from scipy.stats import norm


def cutpoints_from(params):
    return params["first_cut"] + np.concatenate(
        [np.zeros(1), np.cumsum(np.exp(params["log_gaps"]))]
    )


def ordinal_log_likelihood(params, X, y):
    eta = X @ params["beta"]
    cuts = np.concatenate([np.array([-np.inf]), cutpoints_from(params), np.array([np.inf])])
    upper = norm.cdf(cuts[y + 1] - eta)
    lower = norm.cdf(cuts[y] - eta)
    return np.sum(np.log(upper - lower + 1e-12))


def probit_log_likelihood(beta, X, y_binary):
    eta = X @ beta
    return np.sum(y_binary * norm.logcdf(eta) + (1 - y_binary) * norm.logcdf(-eta))


rs = npr.RandomState(0)
num_data, num_features, num_categories = 20, 3, 4
X = rs.randn(num_data, num_features)
latent = X @ np.array([1.0, -0.5, 0.3]) + rs.randn(num_data)
y = np.digitize(latent, np.array([-0.7, 0.0, 0.8]))
y_binary = (latent > 0).astype(float)


def objective(params):
    return -(
        ordinal_log_likelihood(params, X, y) + probit_log_likelihood(params["beta"], X, y_binary)
    )


def example():
    params = {
        "beta": np.array([0.5, -0.2, 0.1]),
        "first_cut": -0.5,
        "log_gaps": np.array([-0.5, -0.3]),
    }
    return (params,), "params"
