"""scipy's rules in use: gradients of small realistic losses (a Gaussian process's marginal
likelihood, a mixture model, a Bayesian logistic regression) against central differences and
autograd; the ways a module names scipy's functions; the calls refused; what a generated
module imports; and s2sad without scipy.

Every rule is also checked alone, by tests/test_templates.py, on the cases of
tests/template_cases_scipy.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.special
import scipy.stats
import scipy.stats as st
from gradcheck import assert_close, numerical_vjp
from scipy.special import log_expit, log_softmax, logsumexp, softmax
from scipy.stats import multivariate_normal, norm

import s2sad
from s2sad.registry import home_of, op_key
from s2sad.templates import REGISTRY

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")
asp = pytest.importorskip("autograd.scipy.special")
amvn = pytest.importorskip("autograd.scipy.stats.multivariate_normal")
anorm = pytest.importorskip("autograd.scipy.stats.norm")


def check(fun, args, wrt, reference=None, **tolerance):
    """s2sad's gradient of `fun` with respect to the arguments `wrt` (positions) against central
    differences, and against `reference` (autograd's gradient function) where given."""
    grads = s2sad.grad(fun, wrt=wrt)(*args)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for g, e in zip(grads, numerical_vjp(fun, args, wrt, 1.0)):
        assert_close(g, e, **tolerance)
    if reference is not None:
        expected = reference(*args)
        expected = expected if isinstance(expected, tuple) else (expected,)
        for g, e in zip(grads, expected):
            np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-11)
    return grads


# ---- a Gaussian process's negative log marginal likelihood ---------------------------------


def gp_negative_log_likelihood(log_ell, log_sf, log_sn, X, y):
    diff = X[:, None, :] - X[None, :, :]
    squared = np.sum(diff * diff, axis=-1)
    K = np.exp(2.0 * log_sf) * np.exp(-0.5 * squared / np.exp(2.0 * log_ell))
    K = K + np.exp(2.0 * log_sn) * np.eye(X.shape[0])
    return -multivariate_normal.logpdf(y, np.zeros(X.shape[0]), K)


def gp_autograd(log_ell, log_sf, log_sn, X, y):
    diff = X[:, None, :] - X[None, :, :]
    squared = anp.sum(diff * diff, axis=-1)
    K = anp.exp(2.0 * log_sf) * anp.exp(-0.5 * squared / anp.exp(2.0 * log_ell))
    K = K + anp.exp(2.0 * log_sn) * anp.eye(X.shape[0])
    return -amvn.logpdf(y, anp.zeros(X.shape[0]), K)


def test_gaussian_process_marginal_likelihood():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2.0, 2.0, (7, 2))
    y = np.sin(X[:, 0]) + 0.1 * rng.standard_normal(7)
    args = [np.array(0.2), np.array(-0.1), np.array(-1.5), X, y]
    check(gp_negative_log_likelihood, args, (0, 1, 2, 3, 4),
          autograd.grad(gp_autograd, argnum=(0, 1, 2, 3, 4)))


def test_gaussian_process_with_python_float_hyperparameters():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((5, 1)), rng.standard_normal(5)
    grads = check(gp_negative_log_likelihood, [0.3, 0.1, -1.0, X, y], (0, 1, 2),
                  autograd.grad(gp_autograd, argnum=(0, 1, 2)))
    assert all(type(g) is float for g in grads)


# ---- a mixture of normals: logsumexp with weights b= along an axis ----------------------------


def mixture_negative_log_likelihood(means, log_scales, logits, x):
    weights = softmax(logits)
    components = norm.logpdf(x[:, None], means[None, :], np.exp(log_scales)[None, :])
    return -np.sum(logsumexp(components, axis=1, b=weights[None, :]))


def mixture_autograd(means, log_scales, logits, x):
    """The same likelihood, the weights' logarithms added (autograd's logsumexp does not
    differentiate b)."""
    log_weights = logits - asp.logsumexp(logits)
    components = anorm.logpdf(x[:, None], means[None, :], anp.exp(log_scales)[None, :])
    return -anp.sum(asp.logsumexp(components + log_weights[None, :], axis=1))


def mixture_log_softmax(means, log_scales, logits, x):
    components = norm.logpdf(x[:, None], means, np.exp(log_scales)) + log_softmax(logits)
    return -np.sum(logsumexp(components, axis=-1))


def test_mixture_model_with_logsumexp_weights_and_axis():
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(-2.0, 0.5, 6), rng.normal(1.5, 1.0, 9)])
    args = [np.array([-1.0, 0.5, 2.0]), np.array([0.1, -0.3, 0.2]), np.array([0.3, -0.2, 0.1]), x]
    reference = autograd.grad(mixture_autograd, argnum=(0, 1, 2, 3))
    check(mixture_negative_log_likelihood, args, (0, 1, 2, 3), reference)
    check(mixture_log_softmax, args, (0, 1, 2, 3), reference)


def test_logsumexp_weights_against_autograd_for_the_values():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((4, 3)), rng.uniform(0.5, 2.0, (4, 3))

    def ours(a):
        return np.sum(logsumexp(a, axis=0, b=b) ** 2)

    def theirs(a):
        return anp.sum(asp.logsumexp(a, axis=0, b=b) ** 2)

    check(ours, [a], (0,), autograd.grad(theirs))


# ---- a Bayesian logistic regression: a normal prior, log_expit likelihood --------------------


def negative_log_posterior(w, prior_scale, X, labels):
    margins = (2.0 * labels - 1.0) * (X @ w)
    return -(np.sum(log_expit(margins)) + np.sum(norm.logpdf(w, 0.0, prior_scale)))


def negative_log_posterior_autograd(w, prior_scale, X, labels):
    """log_expit(m) is -log(1 + exp(-m)) (autograd has no log_expit)."""
    margins = (2.0 * labels - 1.0) * anp.dot(X, w)
    return -(anp.sum(-anp.logaddexp(0.0, -margins)) + anp.sum(anorm.logpdf(w, 0.0, prior_scale)))


def logistic_data(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((20, 3))
    labels = (X @ np.array([1.5, -2.0, 0.5]) + 0.3 * rng.standard_normal(20) > 0).astype(float)
    return rng.standard_normal(3), X, labels


def test_bayesian_logistic_regression():
    w, X, labels = logistic_data(4)
    check(negative_log_posterior, [w, 1.7, X, labels], (0, 1, 2),
          autograd.grad(negative_log_posterior_autograd, argnum=(0, 1, 2)))


posterior_gradient = s2sad.grad(negative_log_posterior, wrt="w")


def gradient_norm(w, prior_scale, X, labels):
    g = posterior_gradient(w, prior_scale, X, labels)
    return np.sum(g * g)


def test_bayesian_logistic_regression_second_order():
    w, X, labels = logistic_data(5)
    inner = autograd.grad(negative_log_posterior_autograd)

    def reference(w, prior_scale, X, labels):
        return anp.sum(inner(w, prior_scale, X, labels) ** 2)

    check(gradient_norm, [w, 1.3, X, labels], (0, 1), autograd.grad(reference, argnum=(0, 1)))


# ---- the ways a module names scipy's functions ---------------------------------------------


def norm_by_path(x, s):
    return np.sum(scipy.stats.norm.logpdf(x, 0.5, s))


def norm_by_alias(x, s):
    return np.sum(st.norm.logpdf(x, 0.5, s))


def norm_by_name(x, s):
    return np.sum(norm.logpdf(x, 0.5, s))


def test_a_distribution_s_method_is_found_however_the_module_names_it():
    x, s = np.array([0.3, -1.2, 2.0]), np.array([1.5, 0.7, 1.1])
    expected = numerical_vjp(norm_by_name, [x, s], (0, 1), 1.0)
    for fun in (norm_by_path, norm_by_alias, norm_by_name):
        gradient = s2sad.grad(fun, wrt=("x", "s"))
        for g, e in zip(gradient(x, s), expected):
            assert_close(g, e)
        assert "from scipy.stats import norm\n" in gradient.source
        assert "norm.logpdf(x, 0.5, s)" in gradient.source


def test_every_scipy_rule_is_keyed_by_the_path_of_the_function_it_is_for():
    keys = [key for key in REGISTRY if key.name.startswith("scipy.")]
    assert len(keys) >= 35
    for key in keys:
        _, _, rest = key.name.partition(".stats.")
        if rest:
            instance, method = rest.split(".")
            function = getattr(getattr(scipy.stats, instance), method)
        else:
            function = getattr(scipy.special, key.name.rsplit(".", 1)[1])
        assert op_key(function, search=False) == key, key
    assert home_of(scipy.special.logsumexp) == ("scipy.special", "logsumexp")  # not _logsumexp
    assert home_of(scipy.stats.norm.logpdf) == ("scipy.stats", "norm.logpdf")
    assert op_key(scipy.stats.t.logpdf, search=False) != op_key(scipy.stats.norm.logpdf)
    assert scipy.stats.t.ppf not in REGISTRY and scipy.special.erfcinv in REGISTRY


# ---- a user's rule for another distribution's method ---------------------------------------


@pytest.fixture
def registered():
    """Rules registered by a test are removed after it."""
    keys = set(REGISTRY)
    yield
    for key in set(REGISTRY) - keys:
        del REGISTRY[key]


def _ppf_rule(y, x):
    dx = dy / norm.pdf(y)  # noqa: F841, F821 (a template: parsed, never run)


def norm_ppf(x):
    return np.sum(norm.ppf(x) ** 2)


def t_ppf(x):
    return np.sum(st.t.ppf(x, 3.0))


def test_a_user_rule_for_a_method_of_a_distribution_is_its_instance_s_alone(registered):
    s2sad.adjoint(norm.ppf)(_ppf_rule)  # the form the unknown-function hint shows
    assert str(op_key(norm.ppf)) == "scipy.stats.norm.ppf"
    x = np.array([0.2, 0.55, 0.9])
    gradient = s2sad.grad(norm_ppf)
    assert_close(gradient(x), numerical_vjp(norm_ppf, [x], [0], 1.0)[0])
    assert "from scipy.stats import norm\n" in gradient.source
    with pytest.raises(s2sad.UnknownFunctionError, match="t.ppf"):
        _ = s2sad.grad(t_ppf).source  # t's ppf is another method: the rule is not its


# ---- calls refused -------------------------------------------------------------------------


def logsumexp_signed(a):
    value, _sign = logsumexp(a, b=a, return_sign=True)
    return value


def iv_of_varied_order(v, x):
    return np.sum(scipy.special.iv(v * 2.0, x))


def polygamma_of_varied_order(n, x):
    return np.sum(scipy.special.polygamma(n + 1.0, x))


def poisson_of_varied_counts(k, mu):
    return np.sum(st.poisson.logpmf(k * 1.0, mu))


def mvn_singular(x):
    return multivariate_normal.logpdf(x, cov=np.eye(2), allow_singular=True)


def frozen_distribution(x):
    return np.sum(norm(0.0, 2.0).logpdf(x))


mvn_gradient = s2sad.grad(lambda x, m: multivariate_normal.logpdf(x, cov=m @ m.T), wrt="m")


def mvn_second_order(x, m):
    return np.sum(mvn_gradient(x, m) ** 2)


def test_a_gradient_of_a_multivariate_normal_gradient():
    """Refused before (its adjoint's helpers had no rules); now its adjoint is written in
    operations that have them."""
    rng = np.random.default_rng(5)
    x, m = rng.standard_normal(2), rng.standard_normal((2, 2)) + 2.0 * np.eye(2)
    got = s2sad.grad(mvn_second_order, wrt="m")(x, m)
    assert_close(got, numerical_vjp(mvn_second_order, [x, m], [1], 1.0)[0], rtol=1e-5)


@pytest.mark.parametrize(("fun", "wrt", "error", "message"), [
    (logsumexp_signed, "a", s2sad.UnsupportedArgumentError, "return_sign=True is not supported"),
    (iv_of_varied_order, "v", s2sad.UnsupportedArgumentError, "no gradient with respect to `v`"),
    (polygamma_of_varied_order, "n", s2sad.UnsupportedArgumentError, "with respect to `n`"),
    (poisson_of_varied_counts, "k", s2sad.UnsupportedArgumentError, "with respect to `k`"),
    (mvn_singular, "x", s2sad.UnsupportedArgumentError, "allow_singular=True is not supported"),
    (frozen_distribution, "x", s2sad.UnknownFunctionError, "calls to `norm`"),
])
def test_unsupported_calls_are_located_errors(fun, wrt, error, message):
    with pytest.raises(error, match=message) as info:
        _ = s2sad.grad(fun, wrt=wrt).source
    assert "test_scipy.py" in str(info.value)


# ---- what a generated module imports; s2sad without scipy -----------------------------------


def t_with_degrees(x, df):
    return np.sum(st.t.logpdf(x, df) + scipy.special.gammaln(df))


def numpy_only(x):
    return np.sum(np.tanh(x))


def test_a_generated_module_imports_scipy_only_where_it_calls_it(tmp_path):
    assert "import scipy" not in s2sad.grad(numpy_only).source
    assert "from scipy" not in s2sad.grad(numpy_only).source
    gradient = s2sad.grad(t_with_degrees, wrt=("x", "df"))
    source = gradient.source
    assert "from scipy.special import digamma, gammaln\nfrom scipy.stats import t\n" in source
    helper = source.split("def _polygamma(", 1)[1]
    assert "from scipy import special" in helper  # the helper's own import, when it runs
    assert "\nimport scipy" not in source and source.count("from scipy import special") == 1
    x, df = np.array([0.3, -1.0, 2.5]), np.array([2.0, 4.5, 7.0])
    path = tmp_path / "t_grad.py"
    gradient.save(path)
    script = (f"import sys, json, numpy as np; sys.modules['s2sad'] = None; "
              f"sys.path.insert(0, {str(tmp_path)!r}); import t_grad; "
              f"dx, ddf = t_grad.t_with_degrees_grad(np.array({x.tolist()}), "
              f"np.array({df.tolist()})); print(json.dumps([dx.tolist(), ddf.tolist()]))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    expected = numerical_vjp(t_with_degrees, [x, df], (0, 1), 1.0)
    for g, e in zip(json.loads(done.stdout), expected):
        assert_close(np.array(g), e)


def test_s2sad_imports_and_differentiates_without_scipy(tmp_path):
    script = tmp_path / "without_scipy.py"
    script.write_text(textwrap.dedent("""
        import sys
        sys.modules["scipy"] = None  # as if scipy were not installed
        import numpy as np
        import s2sad
        from s2sad.templates import REGISTRY

        def loss(x):
            return np.sum(np.tanh(x))

        assert not any(key.name.startswith("scipy.") for key in REGISTRY)
        assert "s2sad.templates.scipy" not in sys.modules
        print(s2sad.grad(loss)(np.zeros(3)).tolist())
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout) == [1.0, 1.0, 1.0]


def test_importing_s2sad_imports_no_scipy():
    script = "import sys, s2sad; print(sorted(m for m in sys.modules if m.startswith('scipy')))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
