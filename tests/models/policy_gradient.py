# ruff: noqa: B008, RUF007 - written as autograd's and JAX's examples write them
"""REINFORCE: the score-function surrogate of a softmax policy over discrete
actions, the log-likelihood of the actions taken weighted by their normalized
discounted returns, plus an entropy bonus. Episodes are recorded at import."""

import numpy as np
import numpy.random as npr
from scipy.special import logsumexp


def init_policy_params(sizes, scale=0.3, rs=npr.RandomState(0)):
    return [(scale * rs.randn(m, n), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def policy_logits(params, states):
    h = states
    for i, (W, b) in enumerate(params):
        h = h @ W + b
        if i < len(params) - 1:
            h = np.tanh(h)
    return h


def log_policy(params, states):
    logits = policy_logits(params, states)
    return logits - logsumexp(logits, axis=1, keepdims=True)


def discounted_returns(rewards, gamma):
    returns = np.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns


def surrogate_objective(params, episodes, entropy_coef=0.01):
    total = 0.0
    for states, actions, advantages in episodes:
        log_probs = log_policy(params, states)
        taken = log_probs[np.arange(len(actions)), actions]
        entropy = -np.sum(np.exp(log_probs) * log_probs, axis=1)
        total = total + np.sum(taken * advantages) + entropy_coef * np.sum(entropy)
    return total / len(episodes)


rs = npr.RandomState(0)
state_dim, num_actions, horizon = 3, 3, 6


def record_episode(rs):
    states = rs.randn(horizon, state_dim)
    actions = rs.randint(num_actions, size=horizon)
    rewards = (actions == np.argmax(states, axis=1)).astype(float)
    returns = discounted_returns(rewards, gamma=0.9)
    advantages = (returns - returns.mean()) / (returns.std() + 1e-8)
    return states, actions, advantages


episodes = [record_episode(rs) for _ in range(3)]


def objective(params):
    return -surrogate_objective(params, episodes)


def example():
    return (init_policy_params([state_dim, 4, num_actions]),), "params"
