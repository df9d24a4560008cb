"""User rules (`s2sad.adjoint`) for functions s2sad cannot read, `stop_gradient`, and the
error for a function without a rule."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import custom_rules_module as custom
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad
from s2sad.templates import REGISTRY

ROOT = Path(__file__).resolve().parent.parent


def erf_loss(x, w):
    return np.sum(custom.erf(x @ w) * w[0])


def gamma_loss(x):
    return np.sum(custom.log_gamma(x * x + 1.0, scale=0.5))


def uses_stop_gradient(x):
    scale = s2sad.stop_gradient(np.sum(x * x))
    return np.sum(x * scale)


def stop_gradient_of_argument(x, y):
    return np.sum(s2sad.stop_gradient(y) * x)


def calls_scipy_directly(x):
    import_free = custom.scipy.special.erfc(x)
    return np.sum(import_free)


def calls_wrapper_without_rule(x):
    return np.sum(custom_wrapper(x))


def custom_wrapper(x):
    return custom.scipy.special.erfc(x) * 2.0


@pytest.mark.parametrize(("fun", "shapes", "wrt"), [
    (erf_loss, [(3, 4), (4, 2)], ("x", "w")),
    (gamma_loss, [(5,)], ("x",)),
])
def test_user_rule_matches_finite_differences(fun, shapes, wrt):
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(s) for s in shapes]
    grads = s2sad.grad(fun, wrt=wrt)(*args)
    grads = grads if isinstance(grads, tuple) else (grads,)
    expected = numerical_vjp(fun, args, range(len(wrt)), 1.0)
    for g, e in zip(grads, expected):
        assert_close(g, e)


def test_generated_module_imports_the_function_and_what_its_rule_calls():
    source = s2sad.value_and_grad(gamma_loss).source
    assert "from custom_rules_module import digamma, log_gamma" in source
    assert "log_gamma(" in source.split("# backward")[0]
    assert "digamma(" in source.split("# backward")[1]


def test_saved_module_imports_and_runs(tmp_path):
    path = tmp_path / "erf_grad.py"
    s2sad.grad(erf_loss, wrt=("x", "w")).save(path)
    script = textwrap.dedent(f"""
        import sys
        sys.path[:0] = [{str(tmp_path)!r}, {str(ROOT / 'tests')!r}]
        import numpy as np
        import erf_grad
        x, w = np.linspace(-1, 1, 12).reshape(3, 4), np.linspace(0.5, -0.5, 8).reshape(4, 2)
        dx, dw = erf_grad.erf_loss_grad(x, w)
        print(repr(dx.sum()), repr(dw.sum()))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    x, w = np.linspace(-1, 1, 12).reshape(3, 4), np.linspace(0.5, -0.5, 8).reshape(4, 2)
    dx, dw = s2sad.grad(erf_loss, wrt=("x", "w"))(x, w)
    assert result.stdout.split() == [repr(dx.sum()), repr(dw.sum())]


def test_stop_gradient_returns_its_argument_and_stops_the_gradient():
    x = np.array([1.0, -2.0, 3.0])
    assert s2sad.stop_gradient(x) is x
    gradient = s2sad.grad(uses_stop_gradient)
    assert_close(gradient(x), np.full(3, np.sum(x * x)))
    assert "scale = sum_x_x" in gradient.source
    dx, dy = s2sad.grad(stop_gradient_of_argument, wrt=("x", "y"))(x, 2 * x)
    assert_close(dx, 2 * x)
    assert_close(dy, np.zeros(3))


@pytest.mark.parametrize("fun", [calls_scipy_directly, calls_wrapper_without_rule])
def test_a_function_without_a_rule_is_a_located_error_showing_how_to_register_one(fun):
    with pytest.raises(s2sad.UnknownFunctionError) as info:
        _ = s2sad.grad(fun).source
    text = str(info.value)
    assert "test_custom_rules.py" in text and "erfc" in text
    assert "@s2sad.adjoint(custom.scipy.special.erfc)" in text
    assert "dx = dy *" in text and "stop_gradient" in text


@pytest.fixture
def registered():
    """Register rules for the duration of a test only."""
    keys = set(REGISTRY)
    yield
    for key in set(REGISTRY) - keys:
        del REGISTRY[key]


def make_nested():
    def nested(x):
        return x * 2.0

    return nested


def test_a_rule_for_a_function_that_cannot_be_imported_is_refused(registered):
    nested = make_nested()
    square = lambda x: x * x
    for fn in (nested, square):
        s2sad.adjoint(fn)(_double_rule)

    def calls_nested(x):
        return np.sum(nested(x))

    def calls_lambda(x):
        return np.sum(square(x))

    for fun, kind in ((calls_nested, "inside a function"), (calls_lambda, "a lambda")):
        with pytest.raises(s2sad.S2SADError, match=kind) as info:
            _ = s2sad.grad(fun).source
        assert "test_custom_rules.py" in str(info.value)
        assert "top level of a module" in str(info.value)


def _double_rule(y, x):
    dx = dy * 2.0  # noqa: F841, F821


def test_a_rule_defined_in_a_script_is_imported_from_main(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        import s2sad

        def cube(x):
            return x ** 3

        @s2sad.adjoint(cube, elementwise=True)
        def cube_rule(y, x):
            dx = dy * 3.0 * x * x

        def loss(x):
            return np.sum(cube(x))

        gradient = s2sad.value_and_grad(loss)
        print(gradient(np.array([1.0, 2.0]))[1])
        print(gradient.source)
    """))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.startswith("[ 3. 12.]")
    assert "from __main__ import cube  # defined in the script" in result.stdout
