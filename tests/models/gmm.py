# ruff: noqa: B008 - written as autograd's and JAX's examples write them
"""A Gaussian mixture model's log-likelihood (autograd's examples/gmm.py).

The parameters are a dict; the log-likelihood zips over the components'
parameter arrays and combines the clusters with logsumexp.
"""

import numpy as np
import numpy.random as npr
from scipy.special import logsumexp
from scipy.stats import multivariate_normal as mvn


def init_gmm_params(num_components, D, scale, rs=npr.RandomState(0)):
    return {
        "log proportions": rs.randn(num_components) * scale,
        "means": rs.randn(num_components, D) * scale,
        "lower triangles": np.zeros((num_components, D, D)) + np.eye(D),
    }


def log_normalize(x):
    return x - logsumexp(x)


def unpack_gmm_params(params):
    normalized_log_proportions = log_normalize(params["log proportions"])
    return normalized_log_proportions, params["means"], params["lower triangles"]


def gmm_log_likelihood(params, data):
    cluster_lls = []
    for log_proportion, mean, cov_sqrt in zip(*unpack_gmm_params(params)):
        cov = np.dot(cov_sqrt.T, cov_sqrt)
        cluster_lls.append(log_proportion + mvn.logpdf(data, mean, cov))
    return np.sum(logsumexp(np.vstack(cluster_lls), axis=0))


def make_pinwheel(
    radial_std, tangential_std, num_classes, num_per_class, rate, rs=npr.RandomState(0)
):
    rads = np.linspace(0, 2 * np.pi, num_classes, endpoint=False)

    features = rs.randn(num_classes * num_per_class, 2) * np.array([radial_std, tangential_std])
    features[:, 0] += 1
    labels = np.repeat(np.arange(num_classes), num_per_class)

    angles = rads[labels] + rate * np.exp(features[:, 0])
    rotations = np.stack([np.cos(angles), -np.sin(angles), np.sin(angles), np.cos(angles)])
    rotations = np.reshape(rotations.T, (-1, 2, 2))

    return np.einsum("ti,tij->tj", features, rotations)


data = make_pinwheel(radial_std=0.3, tangential_std=0.05, num_classes=3, num_per_class=6, rate=0.4)

objective = lambda params: -gmm_log_likelihood(params, data)


def example():
    init_params = init_gmm_params(num_components=3, D=2, scale=0.5)
    init_params["lower triangles"] = init_params["lower triangles"] * 1.3
    return (init_params,), "params"
