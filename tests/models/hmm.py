"""A hidden Markov model's log-likelihood by the forward algorithm in log space;
the unnormalized log parameters are a dict, normalized by logsumexp."""

import numpy.random as npr
from scipy.special import logsumexp


def normalize(log_weights, axis=-1):
    return log_weights - logsumexp(log_weights, axis=axis, keepdims=True)


def hmm_log_likelihood(params, observations):
    log_pi = normalize(params["initial"])
    log_A = normalize(params["transitions"])
    log_B = normalize(params["emissions"])
    log_alpha = log_pi + log_B[:, observations[0]]
    for obs in observations[1:]:
        log_alpha = logsumexp(log_alpha[:, None] + log_A, axis=0) + log_B[:, obs]
    return logsumexp(log_alpha)


rs = npr.RandomState(0)
num_states, num_symbols = 3, 4
sequences = [rs.randint(num_symbols, size=length) for length in (6, 4, 7)]


def objective(params):
    return -sum(hmm_log_likelihood(params, seq) for seq in sequences) / len(sequences)


def example():
    init_rs = npr.RandomState(1)
    params = {
        "initial": init_rs.randn(num_states),
        "transitions": init_rs.randn(num_states, num_states),
        "emissions": init_rs.randn(num_states, num_symbols),
    }
    return (params,), "params"
