"""Kernel ridge regression whose kernel and regularization hyperparameters are
fit to a validation set: the validation loss of the closed-form solution, plus
the log determinant of the regularized kernel matrix (slogdet)."""

import numpy as np
import numpy.random as npr


def rbf_kernel(X1, X2, log_lengthscale):
    diffs = X1[:, None, :] - X2[None, :, :]
    return np.exp(-0.5 * np.sum(diffs**2, axis=-1) / np.exp(2 * log_lengthscale))


def laplace_kernel(X1, X2, log_lengthscale):
    dists = np.sqrt(np.sum((X1[:, None, :] - X2[None, :, :]) ** 2, axis=-1) + 1e-12)
    return np.exp(-dists / np.exp(log_lengthscale))


def fit_predict(hyper, X_train, y_train, X_test, kernel=rbf_kernel):
    K = kernel(X_train, X_train, hyper["log_lengthscale"])
    A = K + np.exp(hyper["log_reg"]) * np.eye(len(X_train))
    alpha = np.linalg.solve(A, y_train)
    _, logdet = np.linalg.slogdet(A)
    return kernel(X_test, X_train, hyper["log_lengthscale"]) @ alpha, logdet


rs = npr.RandomState(0)
X_train = rs.uniform(-2, 2, size=(10, 2))
y_train = np.sin(X_train[:, 0]) + 0.5 * X_train[:, 1] ** 2 + 0.1 * rs.randn(10)
X_val = rs.uniform(-2, 2, size=(6, 2))
y_val = np.sin(X_val[:, 0]) + 0.5 * X_val[:, 1] ** 2


def validation_loss(hyper, kernels=(rbf_kernel, laplace_kernel)):
    total = 0.0
    for weight, kernel in zip(hyper["mixture"], kernels):
        preds, logdet = fit_predict(hyper, X_train, y_train, X_val, kernel=kernel)
        total = total + weight**2 * (np.mean((preds - y_val) ** 2) + 1e-3 * logdet)
    return total


objective = validation_loss


def example():
    hyper = {"log_lengthscale": 0.2, "log_reg": -2.0, "mixture": np.array([1.0, 0.5])}
    return (hyper,), "hyper"
