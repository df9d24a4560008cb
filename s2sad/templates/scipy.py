"""Adjoints of scipy.special (gamma and beta functions, error functions, the normal
distribution's functions, logistic functions, Bessel functions, logsumexp and softmax) and
of the densities of scipy.stats's distributions (norm, t, gamma, beta, poisson,
multivariate_normal, dirichlet), with respect to the values and the parameters.

The rules are keyed by the public paths of the functions (a digamma call is scipy's
`psi`, its ufunc's own name; `scipy.stats.norm.logpdf` is a method of the instance
`norm` of the module): registering them imports nothing of scipy, and `s2sad.templates`
registers them only where scipy is installed. A rule reads scipy.special's functions by
name, which the generated module imports from scipy.special where it calls them; the
helpers of `s2sad.runtime.scipy` import scipy only when they run. A distribution's
parameters (loc, scale, df, a, b, mu, mean, cov, alpha) are arrays or numbers that
broadcast against the values; an order (the n of polygamma, the v of iv and ive), a count
(poisson's k) and multigammaln's dimension get no gradient, and a call where one depends
on the differentiated arguments is refused. multivariate_normal's gradient with respect to
a matrix `cov` is symmetric (it assumes a symmetric perturbation, as np.linalg.cholesky's
rule does), and dirichlet's with respect to `x` is the gradient of the density's formula
(along the simplex, the derivative). Frozen distributions (`norm(0, 1).logpdf`) have no
rule.

Each rule's tangent (forward mode) is the transpose of its adjoint: the unary elementwise
functions take theirs from the adjoint itself (a diagonal Jacobian), scipy's logsumexp
helper `_weighted` is multilinear, and the others have a `@tangent` beside the adjoint, the
sum over the varied inputs and parameters of partial derivative times tangent (a matrix
`cov`'s tangent read symmetrically, as its adjoint is symmetric).
"""

from ..registry import adjoint, nondifferentiable, tangent
from .elementwise import ufunc

# ---- gamma and beta functions ------------------------------------------------------------


@ufunc("scipy.special.gammaln", elementwise=True)
def gammaln(y, x):
    dx = dy * digamma(x)


@ufunc("scipy.special.psi", elementwise=True)
def psi(y, x):
    """digamma (scipy.special.digamma is this ufunc)."""
    dx = dy * _polygamma(1, x)


@adjoint("scipy.special.polygamma", broadcasts=True, no_gradient=("n",))
def polygamma(y, n, x):
    dx = dy * _polygamma(n + 1, x)


@tangent("scipy.special.polygamma")
def polygamma_tangent(y, n, x):
    ty = tx * _polygamma(n + 1, x)


@ufunc("scipy.special.gamma", elementwise=True)
def gamma(y, x):
    dx = dy * y * digamma(x)


@ufunc("scipy.special.beta", broadcasts=True)
def beta(z, a, b):
    both = digamma(a + b)
    da = dz * z * (digamma(a) - both)
    db = dz * z * (digamma(b) - both)


@tangent("scipy.special.beta")
def beta_tangent(z, a, b):
    both = digamma(a + b)
    along_a = ta * (digamma(a) - both)
    along_b = tb * (digamma(b) - both)
    tz = (along_a + along_b) * z


@ufunc("scipy.special.betaln", broadcasts=True)
def betaln(z, a, b):
    both = digamma(a + b)
    da = dz * (digamma(a) - both)
    db = dz * (digamma(b) - both)


@tangent("scipy.special.betaln")
def betaln_tangent(z, a, b):
    both = digamma(a + b)
    along_a = ta * (digamma(a) - both)
    along_b = tb * (digamma(b) - both)
    tz = along_a + along_b


@adjoint("scipy.special.multigammaln", no_gradient=("d",))
def multigammaln(y, a, d):
    """The sum over j < d of digamma(a - j / 2)."""
    da = dy * xp.sum(digamma(_multigammaln_terms(a, d)), axis=-1)


@tangent("scipy.special.multigammaln")
def multigammaln_tangent(y, a, d):
    ty = ta * xp.sum(digamma(_multigammaln_terms(a, d)), axis=-1)


# ---- error functions and the normal distribution -----------------------------------------


@ufunc("scipy.special.erf", elementwise=True)
def erf(y, x):
    """1.1283791670955126 is 2 / sqrt(pi)."""
    dx = dy * 1.1283791670955126 * xp.exp(-x * x)


@ufunc("scipy.special.erfc", elementwise=True)
def erfc(y, x):
    dx = dy * -1.1283791670955126 * xp.exp(-x * x)


@ufunc("scipy.special.erfinv", elementwise=True)
def erfinv(y, x):
    """0.886226925452758 is sqrt(pi) / 2."""
    dx = dy * 0.886226925452758 * xp.exp(y * y)


@ufunc("scipy.special.erfcinv", elementwise=True)
def erfcinv(y, x):
    dx = dy * -0.886226925452758 * xp.exp(y * y)


@ufunc("scipy.special.ndtr", elementwise=True)
def ndtr(y, x):
    """0.3989422804014327 is 1 / sqrt(2 pi)."""
    dx = dy * 0.3989422804014327 * xp.exp(-0.5 * x * x)


@ufunc("scipy.special.log_ndtr", elementwise=True)
def log_ndtr(y, x):
    """The density over the distribution function, exp(log φ(x) - y), without overflow;
    0.9189385332046727 is log(sqrt(2 pi))."""
    dx = dy * xp.exp(-0.5 * x * x - 0.9189385332046727 - y)


@ufunc("scipy.special.ndtri", elementwise=True)
def ndtri(y, x):
    """2.5066282746310002 is sqrt(2 pi)."""
    dx = dy * 2.5066282746310002 * xp.exp(0.5 * y * y)


# ---- logistic functions, x log y ---------------------------------------------------------


@ufunc("scipy.special.expit", elementwise=True)
def expit(y, x):
    dx = dy * y * (1.0 - y)


@ufunc("scipy.special.logit", elementwise=True)
def logit(y, x):
    dx = dy / (x * (1.0 - x))


@ufunc("scipy.special.log_expit", elementwise=True)
def log_expit(y, x):
    dx = dy * expit(-x)


@ufunc("scipy.special.xlogy", broadcasts=True)
def xlogy(z, x, y):
    """`y` gets 0 where x == 0, where xlogy is 0 whatever y."""
    dx = dz * xp.log(y)
    dy = dz * x / xp.where(x == 0, 1.0, y)


@tangent("scipy.special.xlogy")
def xlogy_tangent(z, x, y):
    tz = tx * xp.log(y) + ty * x / xp.where(x == 0, 1.0, y)


@ufunc("scipy.special.xlog1py", broadcasts=True)
def xlog1py(z, x, y):
    dx = dz * xp.log1p(y)
    dy = dz * x / xp.where(x == 0, 1.0, 1.0 + y)


@tangent("scipy.special.xlog1py")
def xlog1py_tangent(z, x, y):
    tz = tx * xp.log1p(y) + ty * x / xp.where(x == 0, 1.0, 1.0 + y)


# ---- modified Bessel functions (with respect to the argument) -----------------------------


@ufunc("scipy.special.i0", elementwise=True)
def i0(y, x):
    dx = dy * i1(x)


@ufunc("scipy.special.i1", elementwise=True)
def i1(y, x):
    """I1' = (I0 + I2) / 2, finite at 0."""
    dx = dy * 0.5 * (i0(x) + iv(2.0, x))


@ufunc("scipy.special.i0e", elementwise=True)
def i0e(y, x):
    dx = dy * (i1e(x) - xp.sign(x) * y)


@ufunc("scipy.special.i1e", elementwise=True)
def i1e(y, x):
    dx = dy * (0.5 * (i0e(x) + ive(2.0, x)) - xp.sign(x) * y)


@ufunc("scipy.special.iv", broadcasts=True, no_gradient=("v",))
def iv(y, v, x):
    dx = dy * 0.5 * (iv(v - 1.0, x) + iv(v + 1.0, x))


@tangent("scipy.special.iv")
def iv_tangent(y, v, x):
    ty = tx * 0.5 * (iv(v - 1.0, x) + iv(v + 1.0, x))


@ufunc("scipy.special.ive", broadcasts=True, no_gradient=("v",))
def ive(y, v, x):
    dx = dy * (0.5 * (ive(v - 1.0, x) + ive(v + 1.0, x)) - xp.sign(x) * y)


@tangent("scipy.special.ive")
def ive_tangent(y, v, x):
    ty = tx * (0.5 * (ive(v - 1.0, x) + ive(v + 1.0, x)) - xp.sign(x) * y)


# ---- logsumexp, softmax ------------------------------------------------------------------


@adjoint("scipy.special.logsumexp")
def logsumexp(y, a, axis=None, b=None, keepdims=False, return_sign=False):
    """The weights' softmax: b exp(a - y) for `a`, exp(a - y) for `b`."""
    if return_sign:
        raise NotImplementedError(
            "return_sign=True is not supported: the sign is piecewise constant; "
            "differentiate logsumexp of the weights' absolute values where they keep their signs"
        )
    if axis is None or keepdims:
        g = dy
        w = xp.exp(a - y)
    else:
        g = xp.expand_dims(dy, axis)
        w = xp.exp(a - xp.expand_dims(y, axis))
    da = _unbroadcast(_weighted(g, w, b), a)
    db = _unbroadcast(g * w, b)


@tangent("scipy.special.logsumexp")
def logsumexp_tangent(y, a, axis=None, b=None, keepdims=False, return_sign=False):
    """The weights' softmax times the tangents: Σ exp(a - y) (b ta + tb)."""
    if axis is None or keepdims:
        w = xp.exp(a - y)
    else:
        w = xp.exp(a - xp.expand_dims(y, axis))
    along_a = ta * _with_weights(w, b)
    if keepdims:
        ty = xp.sum(along_a + tb * w, axis=axis, keepdims=True)
    else:
        ty = xp.sum(along_a + tb * w, axis=axis)


@adjoint("scipy.special.softmax")
def softmax(y, x, axis=None):
    dx = y * (dy - xp.sum(dy * y, axis=axis, keepdims=True))


@tangent("scipy.special.softmax")
def softmax_tangent(y, x, axis=None):
    """The Jacobian diag(y) - y yᵀ is symmetric: the adjoint's own formula."""
    ty = y * (tx - xp.sum(tx * y, axis=axis, keepdims=True))


@adjoint("scipy.special.log_softmax")
def log_softmax(y, x, axis=None):
    dx = dy - xp.exp(y) * xp.sum(dy, axis=axis, keepdims=True)


@tangent("scipy.special.log_softmax")
def log_softmax_tangent(y, x, axis=None):
    ty = tx - xp.sum(xp.exp(y) * tx, axis=axis, keepdims=True)


# ---- scipy.stats: the normal distribution -------------------------------------------------
# The parameters broadcast against `x`: each adjoint is summed back to its own shape. A
# tangent is the sum over the varied parameters of partial derivative times tangent, one
# temporary per term, so that the terms of parameters that do not vary drop out whole.


@adjoint("scipy.stats.norm.logpdf")
def norm_logpdf(y, x, loc=0, scale=1):
    z = (x - loc) / scale
    dx = _unbroadcast(-dy * z / scale, x)
    dloc = _unbroadcast(dy * z / scale, loc)
    dscale = _unbroadcast(dy * (z * z - 1.0) / scale, scale)


@tangent("scipy.stats.norm.logpdf")
def norm_logpdf_tangent(y, x, loc=0, scale=1):
    z = (x - loc) / scale
    shift = (tloc - tx) * z
    spread = tscale * (xp.square(z) - 1.0)
    ty = (shift + spread) / scale


@adjoint("scipy.stats.norm.pdf")
def norm_pdf(y, x, loc=0, scale=1):
    z = (x - loc) / scale
    slope = dy * y / scale
    dx = _unbroadcast(-slope * z, x)
    dloc = _unbroadcast(slope * z, loc)
    dscale = _unbroadcast(slope * (z * z - 1.0), scale)


@tangent("scipy.stats.norm.pdf")
def norm_pdf_tangent(y, x, loc=0, scale=1):
    z = (x - loc) / scale
    shift = (tloc - tx) * z
    spread = tscale * (xp.square(z) - 1.0)
    ty = (shift + spread) * y / scale


@adjoint("scipy.stats.norm.cdf")
def norm_cdf(y, x, loc=0, scale=1):
    """0.3989422804014327 is 1 / sqrt(2 pi)."""
    z = (x - loc) / scale
    slope = dy * 0.3989422804014327 * xp.exp(-0.5 * z * z) / scale
    dx = _unbroadcast(slope, x)
    dloc = _unbroadcast(-slope, loc)
    dscale = _unbroadcast(-slope * z, scale)


@tangent("scipy.stats.norm.cdf")
def norm_cdf_tangent(y, x, loc=0, scale=1):
    z = (x - loc) / scale
    density = 0.3989422804014327 * xp.exp(-0.5 * xp.square(z)) / scale
    ty = (tx - tloc - tscale * z) * density


@adjoint("scipy.stats.norm.logcdf")
def norm_logcdf(y, x, loc=0, scale=1):
    """The density over the distribution function, exp(log φ(z) - y); 0.9189385332046727 is
    log(sqrt(2 pi))."""
    z = (x - loc) / scale
    slope = dy * xp.exp(-0.5 * z * z - 0.9189385332046727 - y) / scale
    dx = _unbroadcast(slope, x)
    dloc = _unbroadcast(-slope, loc)
    dscale = _unbroadcast(-slope * z, scale)


@tangent("scipy.stats.norm.logcdf")
def norm_logcdf_tangent(y, x, loc=0, scale=1):
    z = (x - loc) / scale
    ratio = xp.exp(-0.5 * xp.square(z) - 0.9189385332046727 - y) / scale
    ty = (tx - tloc - tscale * z) * ratio


# ---- scipy.stats: t, gamma, beta, poisson -------------------------------------------------


@adjoint("scipy.stats.t.logpdf")
def t_logpdf(y, x, df, loc=0, scale=1):
    z = (x - loc) / scale
    q = df + z * z
    slope = -(df + 1.0) * z / q
    dx = _unbroadcast(dy * slope / scale, x)
    dloc = _unbroadcast(-dy * slope / scale, loc)
    dscale = _unbroadcast(-dy * (1.0 + slope * z) / scale, scale)
    ddf = _unbroadcast(
        dy * 0.5 * (_polygamma(0, 0.5 * (df + 1.0)) - _polygamma(0, 0.5 * df) - 1.0 / df
                    - xp.log1p(z * z / df) + (df + 1.0) * z * z / (df * q)),
        df,
    )


@tangent("scipy.stats.t.logpdf")
def t_logpdf_tangent(y, x, df, loc=0, scale=1):
    """The adjoint's slope -(df + 1) z / q, and its 1 + slope z = df (1 - z²) / q."""
    z = (x - loc) / scale
    zz = xp.square(z)
    q = df + zz
    shift = (tloc - tx) * (df + 1.0) * z / q
    spread = tscale * df * (zz - 1.0) / q
    freedom = tdf * 0.5 * (_polygamma(0, 0.5 * (df + 1.0)) - _polygamma(0, 0.5 * df) - 1.0 / df
                           - xp.log1p(zz / df) + (df + 1.0) * zz / (df * q))
    ty = (shift + spread) / scale + freedom


@adjoint("scipy.stats.gamma.logpdf")
def gamma_logpdf(y, x, a, loc=0, scale=1):
    z = (x - loc) / scale
    slope = (a - 1.0) / z - 1.0
    dx = _unbroadcast(dy * slope / scale, x)
    dloc = _unbroadcast(-dy * slope / scale, loc)
    dscale = _unbroadcast(-dy * (1.0 + slope * z) / scale, scale)
    da = _unbroadcast(dy * (xp.log(z) - _polygamma(0, a)), a)


@tangent("scipy.stats.gamma.logpdf")
def gamma_logpdf_tangent(y, x, a, loc=0, scale=1):
    """The adjoint's 1 + slope z is a - z."""
    z = (x - loc) / scale
    shift = (tx - tloc) * ((a - 1.0) / z - 1.0)
    spread = tscale * (z - a)
    ty = (shift + spread) / scale + ta * (xp.log(z) - _polygamma(0, a))


@adjoint("scipy.stats.beta.logpdf")
def beta_logpdf(y, x, a, b, loc=0, scale=1):
    z = (x - loc) / scale
    slope = (a - 1.0) / z - (b - 1.0) / (1.0 - z)
    both = _polygamma(0, a + b)
    dx = _unbroadcast(dy * slope / scale, x)
    dloc = _unbroadcast(-dy * slope / scale, loc)
    dscale = _unbroadcast(-dy * (1.0 + slope * z) / scale, scale)
    da = _unbroadcast(dy * (xp.log(z) - _polygamma(0, a) + both), a)
    db = _unbroadcast(dy * (xp.log1p(-z) - _polygamma(0, b) + both), b)


@tangent("scipy.stats.beta.logpdf")
def beta_logpdf_tangent(y, x, a, b, loc=0, scale=1):
    """The adjoint's 1 + slope z is a - (b - 1) z / (1 - z)."""
    z = (x - loc) / scale
    rest = 1.0 - z
    shift = (tx - tloc) * ((a - 1.0) / z - (b - 1.0) / rest)
    spread = tscale * ((b - 1.0) * z / rest - a)
    both = _polygamma(0, a + b)
    along_a = ta * (xp.log(z) - _polygamma(0, a) + both)
    along_b = tb * (xp.log1p(-z) - _polygamma(0, b) + both)
    ty = (shift + spread) / scale + along_a + along_b


@adjoint("scipy.stats.poisson.logpmf", no_gradient=("k",))
def poisson_logpmf(y, k, mu, loc=0):
    """With respect to the rate `mu` only: the counts `k` and the shift `loc` are integers."""
    dmu = _unbroadcast(dy * ((k - loc) / mu - 1.0), mu)


@tangent("scipy.stats.poisson.logpmf")
def poisson_logpmf_tangent(y, k, mu, loc=0):
    ty = tmu * ((k - loc) / mu - 1.0)


# ---- scipy.stats: multivariate normal, dirichlet ------------------------------------------


def no_singular(allow_singular=False):
    """The refusal both multivariate_normal rules declare."""
    if allow_singular is not False:
        raise NotImplementedError(
            "allow_singular=True is not supported: a singular covariance has no gradient here; "
            "add a small multiple of the identity to it"
        )


@adjoint("scipy.stats.multivariate_normal.logpdf", checks=no_singular)
def multivariate_normal_logpdf(y, x, mean=None, cov=1, allow_singular=False):
    """With R the residuals x - mean, shaped (..., d), Σ⁻¹ the precision and s = Σ⁻¹ r at
    each point: -g s for x, its sum over the points for mean, and for cov the symmetric part
    of (Σ g s sᵀ - Σg Σ⁻¹) / 2, reduced to cov's form (a number's trace, a vector's diagonal).
    Written in operations that have rules, so that the gradient differentiates again."""
    form = _mvn_form(x, mean, cov)
    centre = _mvn_mean_row(mean, form)
    residual = xp.reshape(x, _mvn_points_shape(x, form)) - centre
    precision = xp.linalg.inv(_mvn_covariance(cov, form))
    weights = xp.reshape(_in_dtype_of(dy, residual), _mvn_weights_shape(residual))
    solved = residual @ _matrix_transpose(precision)
    weighted = weights * solved
    rows = _mvn_rows_shape(form)
    weighted_rows = xp.reshape(weighted, rows)
    outer = _matrix_transpose(weighted_rows) @ xp.reshape(solved, rows) \
        - xp.sum(weights) * precision
    dx = xp.reshape(-weighted, xp.shape(x))
    dmean = xp.reshape(xp.sum(weighted_rows, axis=0), xp.shape(mean))
    dcov = _mvn_covariance_adjoint(0.25 * (outer + _matrix_transpose(outer)), cov, form)


@tangent("scipy.stats.multivariate_normal.logpdf")
def multivariate_normal_logpdf_tangent(y, x, mean=None, cov=1, allow_singular=False):
    """With s = Σ⁻¹(x - mean) at each point: (tmean - tx)·s + (sᵀ T s - tr(Σ⁻¹ T)) / 2, T the
    covariance's tangent as a matrix (a number's times the identity, a diagonal's on it);
    reshaped as scipy shapes the result (a single point's dimension squeezed out)."""
    parts = _mvn_parts(x, mean, cov)
    residual = parts[0]
    precision = parts[1]
    solved = residual @ precision
    change = tcov * _mvn_covariance_basis(cov, precision)
    shift = tmean - xp.reshape(tx, solved.shape)
    bend = 0.5 * (solved @ change)
    total = xp.sum((shift + bend) * solved, axis=-1)
    ty = xp.reshape(total - 0.5 * xp.sum(precision * change), xp.shape(y))


@adjoint("scipy.stats.multivariate_normal.pdf", checks=no_singular)
def multivariate_normal_pdf(y, x, mean=None, cov=1, allow_singular=False):
    """The log-density's adjoint (see its rule) for the adjoint `dy * y`."""
    form = _mvn_form(x, mean, cov)
    centre = _mvn_mean_row(mean, form)
    residual = xp.reshape(x, _mvn_points_shape(x, form)) - centre
    precision = xp.linalg.inv(_mvn_covariance(cov, form))
    weights = xp.reshape(_in_dtype_of(dy * y, residual), _mvn_weights_shape(residual))
    solved = residual @ _matrix_transpose(precision)
    weighted = weights * solved
    rows = _mvn_rows_shape(form)
    weighted_rows = xp.reshape(weighted, rows)
    outer = _matrix_transpose(weighted_rows) @ xp.reshape(solved, rows) \
        - xp.sum(weights) * precision
    dx = xp.reshape(-weighted, xp.shape(x))
    dmean = xp.reshape(xp.sum(weighted_rows, axis=0), xp.shape(mean))
    dcov = _mvn_covariance_adjoint(0.25 * (outer + _matrix_transpose(outer)), cov, form)


@tangent("scipy.stats.multivariate_normal.pdf")
def multivariate_normal_pdf_tangent(y, x, mean=None, cov=1, allow_singular=False):
    """The density times the log-density's tangent."""
    parts = _mvn_parts(x, mean, cov)
    residual = parts[0]
    precision = parts[1]
    solved = residual @ precision
    change = tcov * _mvn_covariance_basis(cov, precision)
    shift = tmean - xp.reshape(tx, solved.shape)
    bend = 0.5 * (solved @ change)
    total = xp.sum((shift + bend) * solved, axis=-1)
    ty = y * xp.reshape(total - 0.5 * xp.sum(precision * change), xp.shape(y))


@adjoint("scipy.stats.dirichlet.logpdf")
def dirichlet_logpdf(y, x, alpha):
    """The components along axis 0 of `x`, which may lack the last (scipy completes it): for
    x, g (α - 1) / x, the gradient of the density's formula, less the completed component's
    where scipy completes x; for alpha, the sum over the points of g (log x - ψ(α) + ψ(Σα)).
    Written in operations that have rules, so that the gradient differentiates again."""
    full = _dirichlet_full(xp.asarray(x), xp.asarray(alpha))
    points = _dirichlet_points_shape(full)
    slope = (xp.reshape(alpha, _dirichlet_column_shape(alpha, full)) - 1.0) / full
    dx = _dirichlet_scaled(xp.reshape(_in_dtype_of(dy, slope), points), slope, x, alpha)
    weights = xp.reshape(_in_dtype_of(dy, full), points)
    logs = xp.sum(xp.reshape(weights * xp.log(full), _dirichlet_rows_shape(full)), axis=1)
    dalpha = logs - xp.sum(weights) * (_polygamma(0, alpha) - _polygamma(0, xp.sum(alpha)))


@tangent("scipy.stats.dirichlet.logpdf")
def dirichlet_logpdf_tangent(y, x, alpha):
    """Over the components (axis 0 of `x`, the last axis of the weights of `alpha`), reshaped
    as scipy shapes the result (a single point's axis squeezed out)."""
    along_x = xp.sum(tx * _dirichlet_slope(x, alpha), axis=0)
    ty = xp.reshape(along_x + _dirichlet_weights(x, alpha) @ talpha, xp.shape(y))


# ---- the helpers' own adjoints: what a gradient of a gradient needs ------------------------


@adjoint("helper._polygamma", broadcasts=True, no_gradient=("n",))
def polygamma_helper(y, n, x):
    dx = dy * _polygamma(n + 1, x)


@tangent("helper._polygamma")
def polygamma_helper_tangent(y, n, x):
    ty = tx * _polygamma(n + 1, x)


@adjoint("helper._weighted", multilinear=("g", "w", "b"))
def weighted_helper(out, g, w, b):
    dg = _unbroadcast(_weighted(dout, w, b), g)
    dw = _unbroadcast(_weighted(dout, g, b), w)
    db = _unbroadcast(dout * g * w, b)


@adjoint("helper._multigammaln_terms", no_gradient=("d",))
def multigammaln_terms_helper(terms, a, d):
    da = xp.sum(dterms, axis=-1)


@tangent("helper._multigammaln_terms")
def multigammaln_terms_helper_tangent(terms, a, d):
    tterms = _tangent_like(xp.expand_dims(ta, -1), terms)


@adjoint("helper._mvn_mean_row", linear=("mean",))
def mvn_mean_row_helper(row, mean, form):
    dmean = xp.reshape(drow, xp.shape(mean))


@adjoint("helper._mvn_covariance", linear=("cov",))
def mvn_covariance_helper(full, cov, form):
    dcov = _mvn_covariance_adjoint(dfull, cov, form)


@adjoint("helper._mvn_covariance_adjoint", linear=("g",))
def mvn_covariance_adjoint_helper(dcov, g, cov, form):
    """The transpose of `_mvn_covariance`, whose own transpose it is."""
    dg = _mvn_covariance(ddcov, form)


@adjoint("helper._dirichlet_full")
def dirichlet_full_helper(full, x, alpha):
    """`x`, completed by `1 - x.sum(axis=0)` where it lacks a component: affine in `x`;
    `alpha` gives the number of components only."""
    dx = _dirichlet_uncompleted(dfull, x, alpha)


@tangent("helper._dirichlet_full")
def dirichlet_full_helper_tangent(full, x, alpha):
    tfull = _dirichlet_completed(tx, alpha)


@adjoint("helper._dirichlet_completed", linear=("t",))
def dirichlet_completed_helper(full, t, alpha):
    dt = _dirichlet_uncompleted(dfull, t, alpha)


@adjoint("helper._dirichlet_uncompleted", linear=("g",))
def dirichlet_uncompleted_helper(part, g, x, alpha):
    dg = _dirichlet_completed(dpart, alpha)


@adjoint("helper._dirichlet_scaled", multilinear=("w", "slope"))
def dirichlet_scaled_helper(z, w, slope, x, alpha):
    dw = xp.sum(dz * _dirichlet_uncompleted(slope, x, alpha), axis=0)
    dslope = _dirichlet_completed(w * dz, alpha)


nondifferentiable("helper._mvn_form", "helper._mvn_points_shape", "helper._mvn_weights_shape",
                  "helper._mvn_rows_shape", "helper._dirichlet_column_shape",
                  "helper._dirichlet_points_shape", "helper._dirichlet_rows_shape")
