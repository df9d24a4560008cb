"""`import cupy as cp` and `from cupy import tanh` resolve like their NumPy twins.

No GPU is needed: a stand-in `cupy` module whose functions are the fake
namespace's (tests/fake_xp.py) takes CuPy's place in sys.modules.
"""

import importlib
import sys
import types

import numpy as np
import pytest
from fake_xp import FakeArray, asarray, namespace, to_numpy
from gradcheck import assert_close, numerical_vjp


@pytest.fixture
def cupy_style(monkeypatch):
    fake_cupy = types.ModuleType("cupy")
    fake_cupy.__getattr__ = lambda name: getattr(namespace, name)
    fake_cupy.linalg = types.ModuleType("cupy.linalg")
    fake_cupy.linalg.__getattr__ = lambda name: getattr(namespace.linalg, name)
    monkeypatch.setitem(sys.modules, "cupy", fake_cupy)
    monkeypatch.setitem(sys.modules, "cupy.linalg", fake_cupy.linalg)
    monkeypatch.delitem(sys.modules, "cupy_style_functions", raising=False)
    return importlib.import_module("cupy_style_functions")


def test_cupy_names_resolve_to_the_array_namespace(cupy_style):
    import s2sad

    gradient = s2sad.grad(cupy_style.mlp_loss, wrt=("w", "b"))
    assert "xp.tanh(" in gradient.source and "xp.linalg.norm(" in gradient.source
    code = [line for line in gradient.source.splitlines() if not line.lstrip().startswith("#")]
    assert not any("cp." in line for line in code)
    rng = np.random.default_rng(0)
    w, b, x = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((4, 3))
    dw, db = gradient(asarray(w), asarray(b), asarray(x))
    assert isinstance(dw, FakeArray) and isinstance(db, FakeArray)

    def on_numpy(w, b, x):
        h = np.tanh(x @ w + b)
        return np.sum(h * h) + np.linalg.norm(w)

    expected = numerical_vjp(on_numpy, [w, b, x], [0, 1], 1.0)
    assert_close(to_numpy(dw), expected[0])
    assert_close(to_numpy(db), expected[1])
