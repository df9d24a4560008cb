"""Every way of naming NumPy, nested and decorated functions, lambdas: all differentiate."""

import numpy as np
import pytest
import resolution_functions as rf
from gradcheck import assert_close, numerical_vjp

import s2sad

CASES = [
    (rf.plain_module, (3, 4)),
    (rf.imported_names, (5,)),
    (rf.submodule_alias, (3, 2)),
    (rf.constant_axis, (3, 4)),
    (rf.builtins_abs_and_sum, (6,)),
    (rf.shape_arithmetic, (4, 2)),
    (rf.make_nested(), (3, 2), (4, 3)),
    (rf.decorated.__wrapped__, (4,)),
    (rf.square_sum, (5,)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: getattr(c, "__name__", None))
def test_gradient_matches_finite_differences(case):
    fun, *shapes = case
    rng = np.random.default_rng(3)
    args = [rng.standard_normal(shape) + 0.1 for shape in shapes]
    expected = numerical_vjp(fun, args, [0], 1.0)[0]
    assert_close(s2sad.grad(fun)(*args), expected)


def test_namespace_calls_are_written_through_xp():
    source = s2sad.grad(rf.imported_names).source
    assert "xp.tanh(x)" in source and "xp.exp(x)" in source
    assert "numpy.tanh" not in source


def test_shape_arithmetic_gets_no_adjoints():
    source = s2sad.grad(rf.shape_arithmetic).source
    assert "dn " not in source and "dm " not in source and "n = x.shape[0]" in source


def test_module_constants_are_copied_into_the_module():
    source = s2sad.grad(rf.submodule_alias).source
    assert "\nSCALE = 3.0\n" in source


def test_a_decorator_wrapper_is_refused_not_silently_unwrapped():
    """inspect.getsource follows __wrapped__; the wrapper's behaviour is not in that source."""
    with pytest.raises(s2sad.SourceUnavailableError, match="wrapper made by a decorator"):
        _ = s2sad.grad(rf.decorated).source
