"""A corpus of realistic models, written the way autograd's and JAX's examples write them.

Each module defines `objective` (the function to differentiate) and `example()`,
which returns `(args, wrt)`: arguments small enough for a finite-difference check,
and the names of the arguments to differentiate (a name, or a tuple of names).
A model that draws random numbers reads them from a RandomState or Generator that
is a module global, a closure variable, a default argument or an argument, or
from a seed it is passed; `tests/test_models.py` restores every such generator
before each call, so that every forward run sees the same draws.

The modules import `numpy`, `numpy.random`, `scipy.special` and `scipy.stats` (and
one of them `s2sad.nn`) and nothing else, so the test can execute the same source
a second time with autograd's wrappers in their place.
"""

MODELS = (
    "neural_net",
    "logistic_regression",
    "softmax_regression",
    "bayesian_neural_net",
    "rnn",
    "lstm",
    "variational_autoencoder",
    "generative_adversarial_net",
    "gaussian_process",
    "gp_cholesky",
    "gmm",
    "ica",
    "black_box_svi",
    "fluidsim",
    "convnet",
    "convnet_nn",
    "poisson_glm",
    "mixture_density_network",
    "ode_euler",
    "hopfield",
    "rbm",
    "policy_gradient",
    "maml_sinusoid",
    "word2vec",
    "kernel_ridge",
    "constrained_quadratic",
    "attention",
    "kalman_filter",
    "hmm",
    "probit_regression",
    "negative_binomial",
)
