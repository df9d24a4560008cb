# ruff: noqa: B008, RUF007 - written as autograd's and JAX's examples write them
"""A generative adversarial net (autograd's examples/generative_adversarial_net.py).

The generator's noise is drawn from a RandomState that is an argument of the
objective; the objective is differentiated with respect to both networks.
"""

import numpy as np
import numpy.random as npr


def relu(x):
    return np.maximum(0, x)


def sigmoid(x):
    return 0.5 * (np.tanh(x) + 1.0)


def logsigmoid(x):
    return x - np.logaddexp(0, x)


def init_random_params(scale, layer_sizes, rs=npr.RandomState(0)):
    """Build a list of (weights, biases) tuples,
    one for each layer in the net."""
    return [
        (scale * rs.randn(m, n), scale * rs.randn(n))  # weight matrix, bias vector
        for m, n in zip(layer_sizes[:-1], layer_sizes[1:])
    ]


def batch_normalize(activations):
    mbmean = np.mean(activations, axis=0, keepdims=True)
    return (activations - mbmean) / (np.std(activations, axis=0, keepdims=True) + 1)


def neural_net_predict(params, inputs):
    """Params is a list of (weights, bias) tuples.
    inputs is an (N x D) matrix."""
    inpW, inpb = params[0]
    inputs = relu(np.dot(inputs, inpW) + inpb)
    for W, b in params[1:-1]:
        outputs = batch_normalize(np.dot(inputs, W) + b)
        inputs = relu(outputs)
    outW, outb = params[-1]
    outputs = np.dot(inputs, outW) + outb
    return outputs


def generate_from_noise(gen_params, num_samples, noise_dim, rs):
    noise = rs.rand(num_samples, noise_dim)
    samples = neural_net_predict(gen_params, noise)
    return sigmoid(samples)


def gan_objective(gen_params, dsc_params, real_data, num_samples, noise_dim, rs):
    fake_data = generate_from_noise(gen_params, num_samples, noise_dim, rs)
    logprobs_fake = logsigmoid(neural_net_predict(dsc_params, fake_data))
    logprobs_real = logsigmoid(neural_net_predict(dsc_params, real_data))
    return np.mean(logprobs_real) - np.mean(logprobs_fake)


# Model hyper-parameters
gen_layer_sizes = [3, 5, 5, 4]
dsc_layer_sizes = [4, 5, 5, 1]
noise_dim = gen_layer_sizes[0]
batch_size = 6

data_rs = npr.RandomState(5)
train_images = np.round(data_rs.rand(2 * batch_size, gen_layer_sizes[-1]))


def objective(gen_params, dsc_params, iter, rs):
    idx = iter % 2
    batch = slice(idx * batch_size, (idx + 1) * batch_size)
    return gan_objective(gen_params, dsc_params, train_images[batch], batch_size, noise_dim, rs)


def example():
    init_gen_params = init_random_params(0.5, gen_layer_sizes)
    init_dsc_params = init_random_params(0.5, dsc_layer_sizes)
    return (init_gen_params, init_dsc_params, 1, npr.RandomState(0)), ("gen_params", "dsc_params")
