# ruff: noqa: F821, F841 - rules are parsed, never run: they read dy and xp
"""Functions whose derivative s2sad cannot read, each given a rule with `s2sad.adjoint`.

`erf` and `log_gamma` call compiled code (scipy's ufuncs); `log_gamma`'s rule
calls compiled code too (`digamma`), which the generated module imports from
here. `template_cases_nn.py` checks both rules against finite differences.
"""

import numpy as np
import scipy.special
from scipy.special import digamma

import s2sad


def erf(x):
    """The error function, computed by scipy's compiled code."""
    return scipy.special.erf(x)


@s2sad.adjoint(erf, elementwise=True)
def erf_rule(y, x):
    dx = dy * (2.0 / xp.pi**0.5) * xp.exp(-x * x)


def log_gamma(x, scale=1.0):
    """`scale * log(Γ(x))`, by scipy's compiled code."""
    return scale * scipy.special.gammaln(x)


@s2sad.adjoint(log_gamma, elementwise=True)
def log_gamma_rule(y, x, scale=1.0):
    dx = dy * scale * digamma(x)


__all__ = ["digamma", "erf", "log_gamma"]


@s2sad.adjoint(scipy.special.erfcx, elementwise=True)
def erfcx_rule(y, x):
    """A rule registered on scipy's ufunc itself, the form the unknown-function hint shows
    (erfcx has no rule of s2sad's: erfcx(x) = exp(x²) erfc(x))."""
    dx = dy * (2.0 * x * y - 2.0 / xp.pi**0.5)


def erfcx_loss(x):
    return np.sum(scipy.special.erfcx(x))
