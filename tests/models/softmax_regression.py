"""Multinomial logistic (softmax) regression with an L2 penalty; parameters in a dict."""

import numpy as np
import numpy.random as npr
import scipy.special

rs = npr.RandomState(0)
num_classes = 4
num_features = 5
num_data = 20

X = rs.randn(num_data, num_features)
true_W = rs.randn(num_features, num_classes)
y = np.argmax(X @ true_W + 0.5 * rs.randn(num_data, num_classes), axis=1)
Y = np.eye(num_classes)[y]


def init_params(scale=0.1):
    return {"W": scale * rs.randn(num_features, num_classes), "b": np.zeros(num_classes)}


def predict_log_probs(params, X):
    logits = X @ params["W"] + params["b"]
    return logits - scipy.special.logsumexp(logits, axis=-1, keepdims=True)


def loss(params, X, Y, l2=0.01):
    nll = -np.mean(np.sum(Y * predict_log_probs(params, X), axis=1))
    return nll + l2 * sum(np.sum(v**2) for v in params.values())


def objective(params):
    return loss(params, X, Y, l2=0.05)


def example():
    return (init_params(),), "params"
