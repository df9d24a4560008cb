"""Every template case also runs on the fake_xp stand-in for CuPy.

The vector-Jacobian product that `tests/test_templates.py` checks against finite
differences on NumPy is computed again from the same generated source on
`fake_xp` arrays, which NumPy refuses as it refuses CuPy arrays: the results must
be FakeArrays equal to the NumPy results, so no rule or helper hard-wires NumPy.
"""

from __future__ import annotations

import pytest
from test_array_namespaces import assert_fake_matches, to_fake
from test_templates import IDS, PAIRS, random_like, rng_for, wrt_argument

import s2sad


@pytest.mark.parametrize(("key", "i", "case"), PAIRS, ids=IDS)
def test_template_runs_in_the_arguments_namespace(key, i, case):
    rng = rng_for(key, i, salt="namespace")
    args = case.make_args(rng)
    cotangent = random_like(rng, case.fun(*args))
    vjp = s2sad.vjp(case.fun, wrt=wrt_argument(case))
    expected = vjp(*args, cotangent=cotangent)
    fake = vjp(*to_fake(args), cotangent=to_fake(cotangent))
    assert_fake_matches(fake, expected, f"[{key}-{i}] gradient")
