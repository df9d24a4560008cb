"""Cases of the runtime helpers that tangent (forward-mode) rules call, registered into
tests/test_runtime.py's CASES, which imports this module: the same checks as every helper
(NumPy and the fake_xp namespace, no writes into arguments, against a plain NumPy definition
or central differences)."""

from test_runtime import Call, cases, normal  # noqa: F401 - the cases below use them
