"""User rules (`s2sad.adjoint`) for functions s2sad cannot read, `stop_gradient`, and the
error for a function without a rule."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import custom_rules_module as custom
import numpy as np
import pytest
import scipy.special
from gradcheck import assert_close, numerical_vjp
from scipy.special import erf

import s2sad
from s2sad.registry import home_of
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
    import_free = custom.scipy.special.dawsn(x)
    return np.sum(import_free)


def calls_wrapper_without_rule(x):
    return np.sum(custom_wrapper(x))


def custom_wrapper(x):
    return custom.scipy.special.dawsn(x) * 2.0


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
    assert "test_custom_rules.py" in text and "dawsn" in text
    assert "@s2sad.adjoint(custom.scipy.special.dawsn)" in text
    assert "dx = dy *" in text and "stop_gradient" in text


@pytest.fixture
def registered():
    """Register rules for the duration of a test only: s2sad's own rules (scipy.special's erf
    and gammaln) come back where a test replaced them."""
    before = dict(REGISTRY.items())
    yield
    for key in set(REGISTRY) - set(before):
        del REGISTRY[key]
    for key, template in before.items():
        REGISTRY[key] = template


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


# ---- rules for ufuncs (scipy.special's have no __module__) --------------------------------


def _erf_rule(y, x):
    dx = dy * (2.0 / xp.pi**0.5) * xp.exp(-x * x)  # noqa: F841, F821


def _gammaln_rule(y, x):
    dx = dy * digamma(x)  # noqa: F841, F821


def erf_attribute_loss(x, w):
    return np.sum(scipy.special.erf(x * w) * w)


def erf_name_loss(x):
    return np.sum(erf(x) * erf(x * 0.5))


def gammaln_loss(x):
    return np.sum(scipy.special.gammaln(x * x + 1.0))


def test_a_ufunc_is_found_in_the_package_that_holds_it_not_in_a_module_that_imported_it():
    assert getattr(scipy.special.erf, "__module__", None) is None
    assert custom.digamma is scipy.special.digamma  # custom_rules_module imported it
    module, name = home_of(scipy.special.digamma)  # its __name__ is its alias, psi
    assert module == "scipy.special" and getattr(scipy.special, name) is scipy.special.digamma
    assert home_of(scipy.special.erf) == ("scipy.special", "erf")
    assert home_of(np.frompyfunc(abs, 1, 1)) is None


def test_a_rule_for_a_ufunc_without_a_home_is_refused_when_registered(registered):
    with pytest.raises(TypeError, match="no imported module has it"):
        s2sad.adjoint(np.frompyfunc(abs, 1, 1))(_erf_rule)


@pytest.mark.parametrize(("fun", "shapes", "wrt"), [
    (erf_attribute_loss, [(3, 4), (4,)], ("x", "w")),
    (erf_name_loss, [(5,)], ("x",)),
])
def test_a_rule_for_scipy_special_erf_matches_its_derivative(registered, fun, shapes, wrt):
    s2sad.adjoint(scipy.special.erf)(_erf_rule)  # the form the unknown-function hint shows
    rng = np.random.default_rng(1)
    args = [rng.standard_normal(s) for s in shapes]
    gradient = s2sad.grad(fun, wrt=wrt)
    grads = gradient(*args)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for g, e in zip(grads, numerical_vjp(fun, args, range(len(wrt)), 1.0)):
        assert_close(g, e)
    assert "from scipy.special import erf\n" in gradient.source


def test_erf_rule_is_two_over_root_pi_exp_minus_x_squared(registered):
    s2sad.adjoint(scipy.special.erf, elementwise=True)(_erf_rule)
    x = np.linspace(-2.0, 2.0, 9)
    dx = s2sad.vjp(scipy_erf)(x, cotangent=np.ones_like(x))
    assert_close(dx, 2.0 / np.sqrt(np.pi) * np.exp(-x * x))


def scipy_erf(x):
    return scipy.special.erf(x)


def test_a_ufunc_rule_imports_what_it_calls_from_the_ufunc_s_module(registered):
    s2sad.adjoint(scipy.special.gammaln, elementwise=True)(_gammaln_rule)
    x = np.array([0.3, -1.2, 2.0])
    gradient = s2sad.value_and_grad(gammaln_loss)
    value, dx = gradient(x)
    assert_close(value, gammaln_loss(x))
    assert_close(dx, numerical_vjp(gammaln_loss, [x], [0], 1.0)[0])
    assert "from scipy.special import digamma, gammaln" in gradient.source


def test_a_saved_module_with_a_ufunc_rule_imports_it_and_runs(registered, tmp_path):
    s2sad.adjoint(scipy.special.erf)(_erf_rule)
    s2sad.grad(erf_attribute_loss, wrt=("x", "w")).save(tmp_path / "erf_ufunc_grad.py")
    script = textwrap.dedent("""
        import json
        import numpy as np
        import erf_ufunc_grad
        x, w = np.linspace(-1, 1, 12).reshape(3, 4), np.linspace(0.5, -0.5, 4)
        dx, dw = erf_ufunc_grad.erf_attribute_loss_grad(x, w)
        print(json.dumps([dx.tolist(), dw.tolist()]))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    x, w = np.linspace(-1, 1, 12).reshape(3, 4), np.linspace(0.5, -0.5, 4)
    expected = numerical_vjp(erf_attribute_loss, [x, w], (0, 1), 1.0)
    for g, e in zip(json.loads(result.stdout), expected):
        assert_close(np.array(g), e)


def test_a_rule_registered_on_a_ufunc_itself_is_used_and_imported_from_its_package(tmp_path):
    x = np.array([0.3, -1.2, 2.0])
    gradient = s2sad.grad(custom.erfcx_loss)
    expected = numerical_vjp(custom.erfcx_loss, [x], [0], 1.0)[0]
    assert_close(gradient(x), expected, rtol=1e-6, atol=1e-9)
    path = tmp_path / "erfcx_grad.py"
    gradient.save(path)
    script = (f"import sys, numpy as np; sys.modules['s2sad'] = None; "
              f"sys.path.insert(0, {str(tmp_path)!r}); import erfcx_grad; "
              f"print(erfcx_grad.erfcx_loss_grad(np.array({x.tolist()})).tolist())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert_close(np.array(json.loads(done.stdout)), expected, rtol=1e-6, atol=1e-9)


def test_a_rule_that_names_its_output_like_an_adjoint_is_refused():
    """`def rule(dy, x): dx = dy * ...` reads the output's value where the adjoint was meant:
    a silently wrong gradient, refused when the rule is registered."""

    def softplus(x):
        return np.log1p(np.exp(x))

    with pytest.raises(TypeError, match="`dy` here is the output's value"):
        @s2sad.adjoint(softplus)
        def softplus_adjoint(dy, x):
            dx = dy * (1.0 - 1.0 / (1.0 + xp.exp(x)))  # noqa: F821, F841 - a rule's template
    assert REGISTRY.get(softplus) is None  # nothing was registered
