"""Complex arguments are refused, with a hint, until s2sad differentiates complex values.

The gradient s2sad would compute for them is wrong (it checks against finite
differences in neither the real nor the imaginary part), so every way in
refuses them: grad, value_and_grad, vjp and a saved module, for arrays, NumPy
complex scalars, Python complex numbers and complex leaves of dict, list and
tuple arguments.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad


def abs_of_square(z):
    return np.sum(np.abs(z * z + 1.0))


def abs_of_square_parts(x, y):
    """`abs_of_square(x + iy)` in real arithmetic: what the refusal's hint asks for."""
    re, im = x * x - y * y + 1.0, 2.0 * x * y
    return np.sum(np.sqrt(re * re + im * im))


def squares(z):
    return z * z


def dict_loss(params):
    return np.sum(params["w"] * params["b"])


def list_loss(ws):
    return np.sum(ws[0] * ws[1])


def tuple_loss(pair):
    a, b = pair
    return np.sum(a * b)


REFUSED = "s2sad differentiates real floating-point values only"
Z = np.array([1.0 + 2.0j, 0.5 - 1.0j])
R = np.array([1.0, -2.0])


@pytest.mark.parametrize("z", [Z, Z.astype(np.complex64), np.complex128(1.0 + 2.0j), 1.0 + 2.0j],
                         ids=["complex128 array", "complex64 array", "numpy scalar", "Python complex"])
@pytest.mark.parametrize("make", [s2sad.grad, s2sad.value_and_grad])
def test_a_complex_argument_is_refused(make, z):
    with pytest.raises(TypeError, match=REFUSED) as info:
        make(abs_of_square)(z)
    assert "(z.real, z.imag)" in str(info.value)


def test_vjp_refuses_a_complex_argument():
    with pytest.raises(TypeError, match=REFUSED):
        s2sad.vjp(squares)(Z, cotangent=np.ones(2))


@pytest.mark.parametrize(("fun", "argument", "name"), [
    (dict_loss, {"w": R, "b": Z}, "params['b']"),
    (list_loss, [R, Z], "ws[1]"),
    (tuple_loss, (Z, R), "pair[0]"),
], ids=["dict", "list", "tuple"])
def test_a_complex_leaf_of_a_container_is_refused(fun, argument, name):
    with pytest.raises(TypeError, match=REFUSED) as info:
        s2sad.grad(fun)(argument)
    assert f"differentiate with respect to {name}," in str(info.value)


def test_the_real_arguments_the_hint_asks_for_give_the_gradient():
    x, y = Z.real.copy(), Z.imag.copy()
    dx, dy = s2sad.grad(abs_of_square_parts, wrt=("x", "y"))(x, y)
    expected = numerical_vjp(abs_of_square_parts, [x, y], (0, 1), 1.0)
    assert_close(dx, expected[0])
    assert_close(dy, expected[1])
    assert_close(abs_of_square_parts(x, y), abs_of_square(Z))


def test_a_saved_module_refuses_a_complex_argument(tmp_path):
    s2sad.grad(abs_of_square).save(tmp_path / "abs_grad.py")
    script = textwrap.dedent("""
        import numpy as np
        import abs_grad
        try:
            abs_grad.abs_of_square_grad(np.array([1.0 + 2.0j]))
        except TypeError as error:
            print(error)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    assert REFUSED in result.stdout and "(z.real, z.imag)" in result.stdout
