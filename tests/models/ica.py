"""Independent component analysis with Student-t noise (autograd's examples/ica.py).

The weights, the latent sources and the noise level are packed into one flat
parameter vector and unpacked inside the objective.
"""

import numpy as np
import numpy.random as npr
from scipy.stats import t


def make_ica_funs(observed_dimension, latent_dimension):
    """These functions implement independent component analysis.

    The model is:
    latents are drawn i.i.d. for each data point from a product of student-ts.
    weights are the same across all datapoints.
    each data = latents * weghts + noise."""

    def sample(weights, n_samples, noise_std, rs):
        latents = rs.randn(latent_dimension, n_samples)
        latents = np.array(sorted(latents.T, key=lambda a_entry: a_entry[0])).T
        noise = rs.randn(n_samples, observed_dimension) * noise_std
        observed = predict(weights, latents) + noise
        return latents, observed

    def predict(weights, latents):
        return np.dot(weights, latents).T

    def logprob(weights, latents, noise_std, observed):
        preds = predict(weights, latents)
        log_lik = np.sum(t.logpdf(preds, 2.4, observed, noise_std))
        return log_lik

    num_weights = observed_dimension * latent_dimension

    def unpack_weights(weights):
        return np.reshape(weights, (observed_dimension, latent_dimension))

    return num_weights, sample, logprob, unpack_weights


observed_dimension = 4
latent_dimension = 2
true_noise_var = 1.0
n_samples = 10

num_weights, sample, logprob, unpack_weights = make_ica_funs(observed_dimension, latent_dimension)

num_latent_params = latent_dimension * n_samples
total_num_params = num_weights + num_latent_params + 1


def unpack_params(params):
    weights = unpack_weights(params[:num_weights])
    latents = np.reshape(
        params[num_weights : num_weights + num_latent_params], (latent_dimension, n_samples)
    )
    noise_std = np.exp(params[-1])
    return weights, latents, noise_std


rs = npr.RandomState(0)
true_weights = np.zeros((observed_dimension, latent_dimension))
for i in range(latent_dimension):
    true_weights[:, i] = np.sin(np.linspace(0, 4 + i * 3.2, observed_dimension))

true_latents, data = sample(true_weights, n_samples, np.sqrt(true_noise_var), rs)


def objective(params):
    weight_matrix, latents, noise_std = unpack_params(params)
    return -logprob(weight_matrix, latents, noise_std, data) / (n_samples * observed_dimension)


def example():
    init_params = rs.randn(total_num_params)
    return (init_params,), "params"
