"""Forward functions that read data from their module and from closures, as example
programs do: a loss over module-level `inputs` and `targets`, a factory's closure, a lambda
built at module level, a callee that reads its own module's data."""

import callee_data
import numpy as np

rs = np.random.RandomState(0)
inputs = rs.randn(6, 3)
targets = rs.randn(6)
L2 = 0.1
layers = [rs.randn(3, 3), rs.randn(3)]


def squared_error(w):
    return np.sum((inputs @ w - targets) ** 2) + L2 * np.sum(w * w)


def log_posterior(w, inputs, targets, penalty):
    predictions = np.tanh(inputs @ w)
    return -np.sum((predictions - targets) ** 2) - penalty * np.sum(w ** 2)


objective = lambda w: -log_posterior(w, inputs, targets, L2)


def make_objective(features, labels):
    def loss(w):
        logits = features @ w
        return np.sum(np.logaddexp(0.0, -labels * logits))
    return loss


def reads_a_global_list(x):
    return np.sum(np.tanh(layers[0] @ x + layers[1]))


def reads_data_of_its_callees_module(w):
    return callee_data.fit(w) + np.sum(w * inputs[0])


def reads_the_shape_of_a_global(w):
    return np.sum(w * inputs.shape[0])


def tanh_fit(w):
    return np.sum(np.tanh(inputs @ w) ** 2)
