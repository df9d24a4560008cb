"""The log-likelihood of a linear-Gaussian state space model by the Kalman filter;
the model is a NamedTuple of arrays, the noise levels on a log scale."""

from typing import NamedTuple

import numpy as np
import numpy.random as npr
from scipy.stats import multivariate_normal


class LinearGaussianSSM(NamedTuple):
    A: np.ndarray  # transition
    C: np.ndarray  # emission
    log_q: np.ndarray  # log process noise variances
    log_r: np.ndarray  # log observation noise variances


def kalman_log_likelihood(model, observations, m0, P0):
    A, C = model.A, model.C
    Q = np.diag(np.exp(model.log_q))
    R = np.diag(np.exp(model.log_r))
    m, P = m0, P0
    log_lik = 0.0
    for y in observations:
        # predict
        m = A @ m
        P = A @ P @ A.T + Q
        # update
        S = C @ P @ C.T + R
        log_lik = log_lik + multivariate_normal.logpdf(y, C @ m, S)
        K = np.linalg.solve(S, C @ P).T
        m = m + K @ (y - C @ m)
        P = P - K @ S @ K.T
    return log_lik


rs = npr.RandomState(0)
state_dim, obs_dim, num_steps = 2, 2, 6
theta = 0.3
true_A = 0.95 * np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
true_C = np.array([[1.0, 0.0], [0.5, 1.0]])
x = np.zeros(state_dim)
observations = []
for _ in range(num_steps):
    x = true_A @ x + 0.3 * rs.randn(state_dim)
    observations.append(true_C @ x + 0.2 * rs.randn(obs_dim))
observations = np.array(observations)
m0, P0 = np.zeros(state_dim), np.eye(state_dim)


def objective(model):
    return -kalman_log_likelihood(model, observations, m0, P0)


def example():
    model = LinearGaussianSSM(
        A=np.array([[0.9, -0.2], [0.25, 0.85]]),
        C=np.array([[1.1, 0.1], [0.4, 0.9]]),
        log_q=np.log(np.array([0.1, 0.08])),
        log_r=np.log(np.array([0.05, 0.06])),
    )
    return (model,), "model"
