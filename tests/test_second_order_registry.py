"""Second order over the whole registry: every template's gradient differentiated again.

For each template case, `first = s2sad.vjp(case.fun)` with a fixed random cotangent, and
`outer(*args) = sum(first(*args) * r)` for fixed random weights `r`: s2sad's gradient of
`outer` (the gradient of a gradient) is checked against central differences of `outer`,
which runs the first-order gradient itself. So no rule can be added without its second
order working: its adjoint's helpers need rules of their own, its adjoint must be written
in operations s2sad differentiates.

CI runs the first case of each rule of an operation; `S2SAD_SECOND_ORDER=all` runs every
case, and the rules of the generated code's helpers too (their cases call a gradient
already, so this differentiates them a third time and more).
"""

from __future__ import annotations

import importlib.util
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp
from template_cases import Case
from test_templates import PAIRS, random_like, rng_for, wrt_argument

import s2sad

EVERY_CASE = os.environ.get("S2SAD_SECOND_ORDER") == "all"
SELECTED = [(key, i, case) for key, i, case in PAIRS
            if EVERY_CASE or i == 0 and not key.startswith("helper.")]

SECOND_ORDER_REFUSED = {
    # (rule key, case or None for all): why its gradient cannot be differentiated again (a
    # located refusal, tested)
    ("numpy.split", None): "the parts' adjoints reach the rule as a dict, which s2sad does "
                           "not follow",
    ("numpy.array_split", None): "as numpy.split",
    ("numpy.linalg.norm", 15): "ord=-1 without axis=: a vector's or a matrix's norm, known only "
                               "when it runs, whose second derivatives differ",
    ("numpy.linalg.norm", 23): "ord=-2 without axis=, as ord=-1",
}

AT_A_TIE = {
    # (rule key, case): the case's point is a tie, where the first-order gradient jumps and
    # central differences of it measure the jump, not a derivative: the second order is
    # checked a little away from the tie, where the gradient is smooth
    ("numpy.linalg.norm", 18): "the inf-norm of [3, -3, 1]",
    ("numpy.linalg.norm", 30): "the 1-norm of [[1, -2], [2, 1]]",
}


def outer_function(case: Case, first: Any, cotangent: Any, weights: list[Any],
                   directory: Path) -> Any:
    """`outer(*params) = sum of first(*params, cotangent=C)[k] * R[k]`, from a module of its
    own (s2sad reads its source)."""
    params = ", ".join(case.params)
    gradients = [f"g{k}" for k in range(len(case.wrt))]
    unpack = gradients[0] if len(gradients) == 1 else ", ".join(gradients)
    total = " + ".join(f"np.sum({g} * R[{k}])" for k, g in enumerate(gradients))
    source = (f"import numpy as np\n\n\ndef outer({params}):\n"
              f"    {unpack} = first({params}, cotangent=C)\n"
              f"    return {total}\n")
    name = f"second_order_{zlib.crc32(source.encode()):08x}_{abs(hash(id(first))) % 10**8}"
    path = directory / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.first, module.C, module.R = first, cotangent, weights
    return module.outer


@pytest.mark.parametrize(("key", "i", "case"), SELECTED,
                         ids=[f"{key}-{i}" for key, i, _ in SELECTED])
def test_gradient_of_the_gradient_matches_finite_differences(key: str, i: int, case: Case,
                                                             tmp_path: Path):
    rng = rng_for(key, i, salt="second order")
    args = case.make_args(rng)
    if (key, i) in AT_A_TIE:
        for k in case.wrt_indices:
            args[k] = args[k] + 1e-3 * rng.standard_normal(np.shape(args[k]))
    cotangent = random_like(rng, case.fun(*args))
    first = s2sad.vjp(case.fun, wrt=wrt_argument(case))
    weights = [random_like(rng, args[k]) for k in case.wrt_indices]
    outer = outer_function(case, first, cotangent, weights, tmp_path)
    if (key, None) in SECOND_ORDER_REFUSED or (key, i) in SECOND_ORDER_REFUSED:
        with pytest.raises(s2sad.S2SADError):
            s2sad.grad(outer, wrt=wrt_argument(case))(*args)
        return

    with np.errstate(divide="raise", invalid="raise"):
        got = s2sad.grad(outer, wrt=wrt_argument(case))(*args)

    expected = numerical_vjp(outer, args, case.wrt_indices, 1.0)
    for name, g, e in zip(case.wrt, got if len(case.wrt) > 1 else (got,), expected):
        assert_close(g, e, rtol=1e-4, atol=1e-6, name=f"[{key}-{i}] d{name} of the gradient")
