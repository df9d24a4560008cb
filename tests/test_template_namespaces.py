"""Every template case also runs on the fake_xp stand-in for CuPy.

The vector-Jacobian product that `tests/test_templates.py` checks against finite
differences on NumPy is computed again from the same generated source on
`fake_xp` arrays, which NumPy refuses as it refuses CuPy arrays: the results must
be FakeArrays equal to the NumPy results, so no rule or helper hard-wires NumPy.
"""

from __future__ import annotations

import pytest
from test_array_namespaces import assert_fake_matches, to_fake
from test_templates import PAIRS, random_like, rng_for, wrt_argument

import s2sad

# Rules whose cases call scipy's compiled code, which takes NumPy arrays only (the forward
# itself: scipy.special's ufuncs, scipy.stats's methods, and the gradients of gradients that
# call them), and the test's own rules for such functions. Their helpers run on fake_xp in
# tests/test_runtime.py, except `_polygamma`, which refuses there (scipy has no twin of it).
HOST_ONLY = ("custom_rules_module.", "scipy.special.", "scipy.stats.", "helper._polygamma",
             "helper._weighted", "helper._multigammaln_terms", "helper._mvn_", "helper._dirichlet_")
"""Rules whose cases run scipy, which refuses the stand-in's arrays (their helpers pass their
fake-namespace runtime cases)."""
ON_ANY_NAMESPACE = [(key, i, case) for key, i, case in PAIRS if not key.startswith(HOST_ONLY)]


@pytest.mark.parametrize(("key", "i", "case"), ON_ANY_NAMESPACE,
                         ids=[f"{key}-{i}" for key, i, _ in ON_ANY_NAMESPACE])
def test_template_runs_in_the_arguments_namespace(key, i, case):
    rng = rng_for(key, i, salt="namespace")
    args = case.make_args(rng)
    cotangent = random_like(rng, case.fun(*args))
    vjp = s2sad.vjp(case.fun, wrt=wrt_argument(case))
    expected = vjp(*args, cotangent=cotangent)
    fake = vjp(*to_fake(args), cotangent=to_fake(cotangent))
    assert_fake_matches(fake, expected, f"[{key}-{i}] gradient")
