# ruff: noqa: B008 - written as autograd's and JAX's examples write them
"""A recurrent neural network character model (autograd's examples/rnn.py).

The parameters are a dict; the prediction loops over the time steps of a batch
of one-hot encoded strings, calling a nested function that concatenates its
`*args` with a column of ones.
"""

import numpy as np
import numpy.random as npr
from scipy.special import logsumexp


def create_rnn_params(input_size, state_size, output_size, param_scale=0.01, rs=npr.RandomState(0)):
    return {
        "init hiddens": rs.randn(1, state_size) * param_scale,
        "change": rs.randn(input_size + state_size + 1, state_size) * param_scale,
        "predict": rs.randn(state_size + 1, output_size) * param_scale,
    }


def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def rnn_predict(params, inputs):
    def update_rnn(input, hiddens):
        return np.tanh(concat_and_multiply(params["change"], input, hiddens))

    def hiddens_to_output_probs(hiddens):
        output = concat_and_multiply(params["predict"], hiddens)
        return output - logsumexp(output, axis=1, keepdims=True)  # Normalize log-probs.

    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init hiddens"], num_sequences, axis=0)
    output = [hiddens_to_output_probs(hiddens)]

    for input in inputs:  # Iterate over time steps.
        hiddens = update_rnn(input, hiddens)
        output.append(hiddens_to_output_probs(hiddens))
    return output


def rnn_log_likelihood(params, inputs, targets):
    logprobs = rnn_predict(params, inputs)
    loglik = 0.0
    num_time_steps, num_examples, _ = inputs.shape
    for t in range(num_time_steps):
        loglik += np.sum(logprobs[t] * targets[t])
    return loglik / (num_time_steps * num_examples)


# Set up the data.
alphabet = " acdegilmnoprstuy"


def string_to_one_hot(string, maxchar):
    """Converts an ASCII string to a one-of-k encoding."""
    codes = np.array([alphabet.index(c) for c in string]).T
    return np.array(codes[:, None] == np.arange(maxchar)[None, :], dtype=int)


def build_dataset(lines, sequence_length, maxchar):
    # Pad each line to the sequence length and stack them as (time, sequence, char).
    seqs = np.zeros((sequence_length, len(lines), maxchar))
    for ix, line in enumerate(lines):
        padded_line = (line + " " * sequence_length)[:sequence_length]
        seqs[:, ix, :] = string_to_one_hot(padded_line, maxchar)
    return seqs


text_lines = ["import numpy", "autograd", "recurrent", "lstm model"]
num_chars = len(alphabet)
train_inputs = build_dataset(text_lines, sequence_length=6, maxchar=num_chars)


def training_loss(params, iter):
    return -rnn_log_likelihood(params, train_inputs, train_inputs)


objective = training_loss


def example():
    init_params = create_rnn_params(
        input_size=num_chars, output_size=num_chars, state_size=3, param_scale=0.5
    )
    return (init_params, 0), "params"
