"""A restricted Boltzmann machine trained by contrastive divergence: the loss is
the free energy of the data minus that of samples from a Gibbs step, the samples
drawn from a global RandomState and held fixed (no gradient flows through them)."""

import numpy as np
import numpy.random as npr
from scipy.special import expit


def free_energy(params, v):
    W, b_visible, b_hidden = params["W"], params["b_visible"], params["b_hidden"]
    return -v @ b_visible - np.sum(np.logaddexp(0.0, v @ W + b_hidden), axis=1)


def gibbs_step(params, v, rs):
    p_hidden = expit(v @ params["W"] + params["b_hidden"])
    h = (rs.rand(*p_hidden.shape) < p_hidden).astype(float)
    p_visible = expit(h @ params["W"].T + params["b_visible"])
    return (rs.rand(*p_visible.shape) < p_visible).astype(float)


def contrastive_divergence_loss(params, data, rs, k=1):
    v = data
    for _ in range(k):
        v = gibbs_step(params, v, rs)
    return np.mean(free_energy(params, data)) - np.mean(free_energy(params, v))


rs = npr.RandomState(0)
num_visible, num_hidden = 6, 3
data = (rs.rand(10, num_visible) < 0.4).astype(float)


def objective(params):
    return contrastive_divergence_loss(params, data, rs)


def example():
    init_rs = npr.RandomState(1)
    params = {
        "W": 0.3 * init_rs.randn(num_visible, num_hidden),
        "b_visible": np.zeros(num_visible),
        "b_hidden": np.zeros(num_hidden),
    }
    return (params,), "params"
