"""Cases of the runtime helpers that the second-order rules of the linear-algebra and reduction
families call (a gradient of a gradient reaches them), registered into tests/test_runtime.py's
CASES, which imports this module: the same checks as every helper (NumPy and the fake_xp
namespace, no writes into arguments, new memory, against a plain NumPy definition or central
differences)."""

from functools import partial

from test_runtime import NUMERICAL, Call, cases, normal, vjp

from s2sad.runtime.reductions import _average_weights


@cases("_average_unshaped")
def average_unshaped(rng, ns):
    """The transpose of `_average_weights` (the weights shaped as np.average shapes them against
    `a`), for each shape the weights may have: the vector-Jacobian product of that shaping."""
    a = normal(rng, 2, 3, 4)
    calls = []
    for shape, axis in (((2, 3, 4), None), ((2, 3, 4), 1), ((3,), 1), ((4, 2), (2, 0)),
                        ((2, 4), (0, 2))):
        weights = normal(rng, *shape)
        g = normal(rng, *_average_weights(weights, a, axis).shape)
        expected = vjp(partial(_average_weights, a=a, axis=axis), [weights], 0, g)
        calls.append(Call((g, weights, a, axis), expected, label=f"{shape} {axis}", **NUMERICAL))
    return calls
