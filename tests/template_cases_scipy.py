"""Template cases of the scipy family: scipy.special's functions, scipy.stats's densities, and
the helpers their gradients call (through gradients of gradients).

The functions call scipy in the ways a user's module does (`scipy.special.erf`, `from
scipy.special import logsumexp`, `from scipy.stats import norm`, `import scipy.stats as st`).
An offset or scale inside a case moves its random inputs into the function's domain (a
scale `s * s + 0.5`, a probability `0.4 * x` of a positive x); dirichlet's points are made
on the simplex in float64 (scipy refuses points whose sum is not 1 to 1e-9).
"""

import numpy as np
import scipy.special
import scipy.stats as st
from scipy.special import digamma, log_softmax, logsumexp, multigammaln, softmax
from scipy.stats import beta, dirichlet, gamma, multivariate_normal, norm, poisson, t
from template_cases import SCALAR, Case, Value, add_cases

import s2sad

# ---- gamma and beta functions ------------------------------------------------------------


def gammaln(x):
    return scipy.special.gammaln(x)


def gammaln_of_square(x):
    return scipy.special.gammaln(x * x + 0.5)


def digamma_of(x):
    return digamma(x)


def digamma_shifted(x):
    return scipy.special.psi(x + 1.0) * x


def polygamma_1(x):
    return scipy.special.polygamma(1, x)


def polygamma_2(x):
    return scipy.special.polygamma(2, x + 0.5)


def polygamma_orders(n, x):
    return scipy.special.polygamma(n, x)


def gamma_function(x):
    return scipy.special.gamma(x)


def beta_function(a, b):
    return scipy.special.beta(a, b)


def betaln(a, b):
    return scipy.special.betaln(a, b)


def multigammaln_3(a):
    return multigammaln(a + 2.0, 3)


def multigammaln_2(a):
    return multigammaln(a * 2.0, 2)


add_cases("scipy.special.gammaln", Case(gammaln, ((3, 4),), domain="positive"),
          Case(gammaln_of_square, ((5,),)))
add_cases("scipy.special.psi", Case(digamma_of, ((3,),), domain="positive"),
          Case(digamma_shifted, ((2, 3),), domain="positive"))
add_cases(
    "scipy.special.polygamma",
    Case(polygamma_1, ((4,),), domain="positive"),
    Case(polygamma_2, ((2, 3),), domain="positive"),
    Case(polygamma_orders, (Value(np.array([0, 1, 2])), (2, 3)), domain="positive"),
)
add_cases("scipy.special.gamma", Case(gamma_function, ((3,),), domain="positive"),
          Case(gamma_function, ((2, 2),), domain="positive"))
for _key, _fun in (("scipy.special.beta", beta_function), ("scipy.special.betaln", betaln)):
    add_cases(_key, Case(_fun, ((3,), (3,)), domain="positive"),
              Case(_fun, ((2, 3), (3,)), domain="positive"),
              Case(_fun, ((4,), SCALAR), domain="positive"))
add_cases("scipy.special.multigammaln", Case(multigammaln_3, ((4,),), domain="positive"),
          Case(multigammaln_2, ((2, 3),), domain="positive"),
          Case(multigammaln_3, (SCALAR,), domain="positive"))


# ---- error functions and the normal distribution -----------------------------------------


def erf(x):
    return scipy.special.erf(x)


def erf_of_product(x, y):
    return scipy.special.erf(x * y) + x


def erfc(x):
    return scipy.special.erfc(x)


def erfinv(x):
    return scipy.special.erfinv(0.4 * x)


def erfinv_shifted(x):
    return scipy.special.erfinv(0.4 * x - 0.5)


def erfcinv(x):
    return scipy.special.erfcinv(0.8 * x)


def ndtr(x):
    return scipy.special.ndtr(x)


def log_ndtr(x):
    return scipy.special.log_ndtr(x)


def log_ndtr_tails(x):
    return scipy.special.log_ndtr(4.0 * x)


def ndtri(x):
    return scipy.special.ndtri(0.4 * x)


add_cases("scipy.special.erf", Case(erf, ((3, 4),)), Case(erf_of_product, ((5,), (5,))))
add_cases("scipy.special.erfc", Case(erfc, ((3, 4),)), Case(erfc, ((5,),)))
add_cases("scipy.special.erfinv", Case(erfinv, ((3, 2),), domain="positive"),
          Case(erfinv_shifted, ((4,),), domain="positive"))
add_cases("scipy.special.erfcinv", Case(erfcinv, ((3, 2),), domain="positive"),
          Case(erfcinv, ((5,),), domain="positive"))
add_cases("scipy.special.ndtr", Case(ndtr, ((3, 4),)), Case(ndtr, ((5,),)))
add_cases("scipy.special.log_ndtr", Case(log_ndtr, ((3, 4),)), Case(log_ndtr_tails, ((6,),)))
add_cases("scipy.special.ndtri", Case(ndtri, ((3, 2),), domain="positive"),
          Case(ndtri, ((5,),), domain="positive"))


# ---- logistic functions, x log y ---------------------------------------------------------


def expit(x):
    return scipy.special.expit(x)


def logit(x):
    return scipy.special.logit(0.4 * x)


def log_expit(x):
    return scipy.special.log_expit(x)


def log_expit_wide(x):
    return scipy.special.log_expit(5.0 * x)


def xlogy(x, y):
    return scipy.special.xlogy(x - 1.0, y)


def xlog1py(x, y):
    return scipy.special.xlog1py(x - 1.0, y)


def xlogy_zero_x(x, y):
    return scipy.special.xlogy(x, y)


add_cases("scipy.special.expit", Case(expit, ((3, 4),)), Case(expit, ((5,),)))
add_cases("scipy.special.logit", Case(logit, ((3, 4),), domain="positive"),
          Case(logit, ((5,),), domain="positive"))
add_cases("scipy.special.log_expit", Case(log_expit, ((3, 4),)), Case(log_expit_wide, ((6,),)))
for _key, _fun in (("scipy.special.xlogy", xlogy), ("scipy.special.xlog1py", xlog1py)):
    add_cases(_key, Case(_fun, ((3, 4), (3, 4)), domain="positive"),
              Case(_fun, ((3, 4), (4,)), domain="positive"),
              Case(_fun, (SCALAR, (3,)), domain="positive"))
add_cases("scipy.special.xlogy",
          Case(xlogy_zero_x, (Value(np.array([0.0, 1.5, 0.0])), (3,)), domain="positive"))


# ---- modified Bessel functions -----------------------------------------------------------


def i0(x):
    return scipy.special.i0(x)


def i1(x):
    return scipy.special.i1(x)


def i0e(x):
    return scipy.special.i0e(x)


def i1e(x):
    return scipy.special.i1e(x)


def iv_half(x):
    return scipy.special.iv(1.5, x)


def iv_orders(v, x):
    return scipy.special.iv(v, x)


def ive_two(x):
    return scipy.special.ive(2.0, x)


def ive_orders(v, x):
    return scipy.special.ive(v, x)


ORDERS = Value(np.array([0.0, 1.0, 2.5]))

add_cases("scipy.special.i0", Case(i0, ((3, 4),)), Case(i0, ((5,),)))
add_cases("scipy.special.i1", Case(i1, ((3, 4),)), Case(i1, ((5,),)))
add_cases("scipy.special.i0e", Case(i0e, ((3, 4),), domain="distinct"),
          Case(i0e, ((5,),), domain="distinct"))
add_cases("scipy.special.i1e", Case(i1e, ((3, 4),), domain="distinct"),
          Case(i1e, ((5,),), domain="distinct"))
add_cases("scipy.special.iv", Case(iv_half, ((4,),), domain="positive"),
          Case(iv_orders, (ORDERS, (2, 3)), domain="positive"))
add_cases("scipy.special.ive", Case(ive_two, ((3, 2),), domain="distinct"),
          Case(ive_orders, (ORDERS, (2, 3)), domain="positive"))


# ---- logsumexp, softmax ------------------------------------------------------------------


def logsumexp_all(a):
    return logsumexp(a)


def logsumexp_rows(a):
    return logsumexp(a, axis=1)


def logsumexp_kept(a):
    return scipy.special.logsumexp(a, axis=0, keepdims=True)


def logsumexp_weighted(a, w):
    return logsumexp(a, axis=-1, b=w * w + 0.1)


def logsumexp_weighted_axes(a, w):
    return logsumexp(a, axis=(0, 2), b=w * w + 0.1)


def logsumexp_weighted_all(a, w):
    return logsumexp(a, b=w * w + 0.1)


def softmax_all(x):
    return softmax(x)


def softmax_rows(x):
    return softmax(x, axis=1)


def log_softmax_all(x):
    return log_softmax(x)


def log_softmax_columns(x):
    return scipy.special.log_softmax(x, axis=0)


add_cases(
    "scipy.special.logsumexp",
    Case(logsumexp_all, ((3, 4),)),
    Case(logsumexp_rows, ((2, 3),)),
    Case(logsumexp_kept, ((3, 2),)),
    Case(logsumexp_weighted, ((2, 3), (2, 3))),
    Case(logsumexp_weighted, ((2, 3), (3,))),
    Case(logsumexp_weighted_axes, ((2, 4, 3), (3,))),
    Case(logsumexp_weighted_all, ((4,), (2, 4))),
)
add_cases("scipy.special.softmax", Case(softmax_all, ((3, 4),)), Case(softmax_rows, ((2, 3),)),
          Case(softmax_rows, ((2, 3, 2),)))
add_cases("scipy.special.log_softmax", Case(log_softmax_all, ((3, 4),)),
          Case(log_softmax_columns, ((2, 3),)), Case(log_softmax_all, ((5,),)))


# ---- scipy.stats: the normal distribution -------------------------------------------------


def norm_logpdf(x):
    return norm.logpdf(x)


def norm_logpdf_located(x, loc, s):
    return norm.logpdf(x, loc, s * s + 0.5)


def norm_logpdf_keywords(x, loc, s):
    return scipy.stats.norm.logpdf(x, loc=loc, scale=s * s + 0.5)


def norm_pdf(x, loc, s):
    return st.norm.pdf(x, loc, scale=s * s + 0.5)


def norm_cdf(x, loc, s):
    return norm.cdf(x, loc=loc, scale=s * s + 0.5)


def norm_logcdf(x, loc, s):
    return norm.logcdf(2.0 * x, loc, s * s + 0.5)


LOCATED = [((3, 4), (4,), (3, 1)), ((5,), (), ()), ((2, 3), SCALAR, (3,))]

add_cases("scipy.stats.norm.logpdf", Case(norm_logpdf, ((5,),)), Case(norm_logpdf, ((),)),
          *[Case(norm_logpdf_located, shapes) for shapes in LOCATED],
          Case(norm_logpdf_keywords, ((2, 3), (3,), ())))
for _key, _fun in (("scipy.stats.norm.pdf", norm_pdf), ("scipy.stats.norm.cdf", norm_cdf),
                   ("scipy.stats.norm.logcdf", norm_logcdf)):
    add_cases(_key, *[Case(_fun, shapes) for shapes in LOCATED])


# ---- scipy.stats: t, gamma, beta, poisson -------------------------------------------------


def t_logpdf(x, d):
    return t.logpdf(x, d * d + 1.0)


def t_logpdf_located(x, d, loc, s):
    return st.t.logpdf(x, d * d + 1.0, loc, s * s + 0.5)


def gamma_logpdf(x, a):
    return gamma.logpdf(x, a)


def gamma_logpdf_located(x, a, loc, s):
    return gamma.logpdf(x, a, loc=0.1 * loc, scale=s)


def beta_logpdf(x, a, b):
    return beta.logpdf(0.4 * x, a, b)


def beta_logpdf_located(x, a, b, loc, s):
    return st.beta.logpdf(x, a, b, -1.0 + 0.1 * loc, 3.0 + s)


def poisson_logpmf(k, mu):
    return poisson.logpmf(k, mu)


add_cases("scipy.stats.t.logpdf", Case(t_logpdf, ((4,), (4,))),
          Case(t_logpdf, ((2, 3), (3,))),
          Case(t_logpdf_located, ((2, 3), (), (3,), (2, 1))))
add_cases("scipy.stats.gamma.logpdf", Case(gamma_logpdf, ((4,), (4,)), domain="positive"),
          Case(gamma_logpdf, ((2, 3), (3,)), domain="positive"),
          Case(gamma_logpdf_located, ((2, 3), (), (3,), (2, 1)), domain="positive"))
add_cases("scipy.stats.beta.logpdf", Case(beta_logpdf, ((4,), (4,), (4,)), domain="positive"),
          Case(beta_logpdf, ((2, 3), (3,), ()), domain="positive"),
          Case(beta_logpdf_located, ((2, 3), (), (3,), (2, 1), ()), domain="positive"))
add_cases("scipy.stats.poisson.logpmf",
          Case(poisson_logpmf, (Value(np.array([0, 1, 3, 2])), (4,)), domain="positive"),
          Case(poisson_logpmf, (Value(np.array([[0, 4, 1], [2, 2, 5]])), (3,)), domain="positive"),
          Case(poisson_logpmf, (Value(3), ()), domain="positive"))


# ---- scipy.stats: multivariate normal, dirichlet ------------------------------------------


def mvn_logpdf(x, mean, m):
    cov = m @ m.T + np.eye(m.shape[0])
    return multivariate_normal.logpdf(x, mean, cov)


def mvn_logpdf_diagonal(x, mean, d):
    return multivariate_normal.logpdf(x, mean=mean, cov=d * d + 0.5)


def mvn_logpdf_scalar(x, mean, s):
    return st.multivariate_normal.logpdf(x, mean, s * s + 0.5)


def mvn_logpdf_standard(x):
    return multivariate_normal.logpdf(x)


def mvn_pdf(x, mean, m):
    cov = m @ m.T + np.eye(m.shape[0])
    return multivariate_normal.pdf(x, mean, cov)


add_cases(
    "scipy.stats.multivariate_normal.logpdf",
    Case(mvn_logpdf, ((4, 3), (3,), (3, 3))),
    Case(mvn_logpdf, ((3,), (3,), (3, 2))),
    Case(mvn_logpdf, ((2, 2, 2), (2,), (2, 2))),
    Case(mvn_logpdf_diagonal, ((5, 3), (3,), (3,))),
    Case(mvn_logpdf_scalar, ((4, 2), (2,), SCALAR)),
    Case(mvn_logpdf_scalar, ((5,), (), ())),
    Case(mvn_logpdf_standard, ((6,),)),
)
add_cases("scipy.stats.multivariate_normal.pdf", Case(mvn_pdf, ((4, 3), (3,), (3, 3))),
          Case(mvn_pdf, ((2,), (2,), (2, 2))))


def dirichlet_softmax(u, a):
    e = np.exp(u.astype(np.float64))
    return dirichlet.logpdf(e / np.sum(e, axis=0), a * a + 0.5)


def dirichlet_completed(v, a):
    return st.dirichlet.logpdf((0.1 * v).astype(np.float64), a + 0.5)


add_cases("scipy.stats.dirichlet.logpdf", Case(dirichlet_softmax, ((3,), (3,))),
          Case(dirichlet_softmax, ((3, 4), (3,))),
          Case(dirichlet_completed, ((2,), (3,)), domain="positive"),
          Case(dirichlet_completed, ((3, 2), (4,)), domain="positive"))


# ---- gradients of gradients: the helpers the rules call ----------------------------------


def _digamma_sum(x):
    return np.sum(scipy.special.digamma(x))


def _t_log_density(x, d):
    return np.sum(t.logpdf(x, d))


def _weighted_logsumexp(a, w):
    return np.sum(logsumexp(a, axis=1, b=w))


def _plain_logsumexp(a):
    return np.sum(logsumexp(a, axis=0) * 2.0)


def _multigammaln_sum(a):
    return np.sum(multigammaln(a + 1.5, 3))


def _polygamma_sum(n, x):
    return np.sum(scipy.special.polygamma(n, x))


def _gammaln_sum(x):
    return np.sum(scipy.special.gammaln(x) * x)


_digamma_gradient = s2sad.grad(_digamma_sum)
_t_gradient = s2sad.grad(_t_log_density, wrt=(0, 1))
_weighted_gradient = s2sad.grad(_weighted_logsumexp, wrt=(0, 1))
_plain_gradient = s2sad.grad(_plain_logsumexp)
_multigammaln_gradient = s2sad.grad(_multigammaln_sum)
_gammaln_gradient = s2sad.grad(_gammaln_sum)
_polygamma_gradient = s2sad.grad(_polygamma_sum, wrt="x")


def second_digamma(x):
    return np.sum(_digamma_gradient(x) * x)


def second_t(x, d):
    dx, dd = _t_gradient(x, d * d + 1.0)
    return np.sum(dx * dx) + np.sum(dd)


def second_weighted(a, w):
    da, dw = _weighted_gradient(a, w * w + 0.5)
    return np.sum(da * da) + np.sum(dw * a)


def second_plain(a):
    return np.sum(np.sin(_plain_gradient(a)))


def second_multigammaln(a):
    return np.sum(_multigammaln_gradient(a) ** 2)


def second_polygamma(n, x):
    return np.sum(_polygamma_gradient(n, x) * x)


def second_gammaln(x):
    return np.sum(_gammaln_gradient(x) * x)


add_cases("helper._polygamma", Case(second_digamma, ((3,),), domain="positive"),
          Case(second_digamma, ((2, 3),), domain="positive"),
          Case(second_t, ((3,), (3,))),
          Case(second_polygamma, (Value(np.array([0, 1, 2])), (2, 3)), domain="positive"))
add_cases("helper._weighted", Case(second_weighted, ((2, 3), (2, 3))),
          Case(second_weighted, ((3, 4), (4,))), Case(second_plain, ((3, 2),)))
add_cases("helper._multigammaln_terms", Case(second_multigammaln, ((3,),), domain="positive"),
          Case(second_multigammaln, ((2, 2),), domain="positive"))
add_cases("scipy.special.psi", Case(second_gammaln, ((4,),), domain="positive"))
add_cases("scipy.special.gammaln", Case(second_gammaln, ((2, 2),), domain="positive"))


# ---- gradients of gradients through multivariate_normal's and dirichlet's helpers ---------


def _mvn_loss(x, mean, m):
    cov = m @ m.T + np.eye(m.shape[0])
    return np.sum(np.sin(multivariate_normal.logpdf(x, mean, cov)))


def _mvn_diagonal_loss(x, mean, d):
    return np.sum(multivariate_normal.pdf(x, mean=mean, cov=d * d + 0.5) * 2.0)


def _mvn_number_loss(x, mean, s):
    return np.sum(st.multivariate_normal.logpdf(x, mean, s * s + 0.5) ** 2)


def _dirichlet_loss(u, a):
    e = np.exp(u.astype(np.float64))
    return np.sum(np.sin(dirichlet.logpdf(e / np.sum(e, axis=0), a * a + 0.5)))


def _dirichlet_completed_loss(v, a):
    return np.sum(dirichlet.logpdf((0.1 * v).astype(np.float64), a + 0.5) ** 2)


_mvn_gradient = s2sad.grad(_mvn_loss, wrt=(0, 1, 2))
_mvn_diagonal_gradient = s2sad.grad(_mvn_diagonal_loss, wrt=(0, 1, 2))
_mvn_number_gradient = s2sad.grad(_mvn_number_loss, wrt=(0, 1, 2))
_dirichlet_gradient = s2sad.grad(_dirichlet_loss, wrt=(0, 1))
_dirichlet_completed_gradient = s2sad.grad(_dirichlet_completed_loss, wrt=(0, 1))


def second_mvn(x, mean, m):
    dx, dmean, dm = _mvn_gradient(x, mean, m)
    return np.sum(dx * dx) + np.sum(np.sin(dmean)) + np.sum(dm * m)


def second_mvn_diagonal(x, mean, d):
    dx, dmean, dd = _mvn_diagonal_gradient(x, mean, d)
    return np.sum(np.sin(dx)) + np.sum(dmean * dmean) + np.sum(dd * d)


def second_mvn_number(x, mean, s):
    dx, dmean, ds = _mvn_number_gradient(x, mean, s)
    return np.sum(dx * dx) + np.sum(dmean * x[0]) + np.sum(np.sin(ds))


def second_dirichlet(u, a):
    du, da = _dirichlet_gradient(u, a)
    return np.sum(du * du) + np.sum(np.sin(da))


def second_dirichlet_completed(v, a):
    dv, da = _dirichlet_completed_gradient(v, a)
    return np.sum(np.sin(dv)) + np.sum(da * da)


_second_dirichlet_gradient = s2sad.grad(second_dirichlet, wrt=(0, 1))
_second_dirichlet_completed_gradient = s2sad.grad(second_dirichlet_completed, wrt=(0, 1))


def third_dirichlet(u, a):
    """Differentiates the adjoints of `_dirichlet_full` and `_dirichlet_scaled`
    (`_dirichlet_uncompleted`, `_dirichlet_completed`) once more."""
    du, da = _second_dirichlet_gradient(u, a)
    return np.sum(np.sin(du)) + np.sum(da * da)


def third_dirichlet_completed(v, a):
    dv, da = _second_dirichlet_completed_gradient(v, a)
    return np.sum(dv * dv) + np.sum(np.sin(da))


MVN_SECOND = (Case(second_mvn, ((4, 3), (3,), (3, 3))),
              Case(second_mvn_diagonal, ((5, 2), (2,), (2,))),
              Case(second_mvn_number, ((5,), (), ())))
for _key in ("helper._mvn_mean_row", "helper._mvn_covariance", "helper._mvn_covariance_adjoint"):
    add_cases(_key, *MVN_SECOND)
for _key in ("helper._dirichlet_full", "helper._dirichlet_scaled"):
    add_cases(_key, Case(second_dirichlet, ((3,), (3,))), Case(second_dirichlet, ((3, 4), (3,))),
              Case(second_dirichlet_completed, ((3, 2), (4,)), domain="positive"))
for _key in ("helper._dirichlet_uncompleted", "helper._dirichlet_completed"):
    add_cases(_key, Case(third_dirichlet, ((3, 2), (3,))),
              Case(third_dirichlet_completed, ((2,), (3,)), domain="positive"),
              Case(third_dirichlet_completed, ((3, 2), (4,)), domain="positive"))
