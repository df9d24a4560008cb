"""A saved gradient module runs where s2sad cannot be imported, and imports only numpy."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import forward_functions as ff
import numpy as np
import pytest

import s2sad

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter: s2sad is made unimportable before anything else.
RUNNER = textwrap.dedent(
    """
    import importlib.abc
    import importlib.util
    import json
    import sys


    class NoS2SAD(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "s2sad" or name.startswith("s2sad."):
                raise ImportError(f"s2sad is not installed here (import of {name})")
            return None


    sys.meta_path.insert(0, NoS2SAD())
    try:
        import s2sad  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the import blocker does not work")

    import numpy

    module_path, function_name, inputs_path = sys.argv[1:4]
    spec = importlib.util.spec_from_file_location("saved_gradient", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(inputs_path) as file:
        inputs = json.load(file)
    args = [numpy.array(a) for a in inputs["args"]]
    kwargs = {k: numpy.array(v) for k, v in inputs.get("kwargs", {}).items()}
    result = getattr(module, function_name)(*args, **kwargs)
    result = result if isinstance(result, tuple) else (result,)
    assert not any(name == "s2sad" or name.startswith("s2sad.") for name in sys.modules)
    print(json.dumps([numpy.asarray(r).tolist() for r in result]))
    """
)


def run_saved(tmp_path: Path, module: Path, function_name: str, args, kwargs=None):
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({
        "args": [np.asarray(a).tolist() for a in args],
        "kwargs": {k: np.asarray(v).tolist() for k, v in (kwargs or {}).items()},
    }))
    result = subprocess.run(
        [sys.executable, str(runner), str(module), function_name, str(inputs)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    return [np.array(r) for r in json.loads(result.stdout)]


def test_saved_dag_gradient_runs_without_s2sad(tmp_path):
    rng = np.random.default_rng(1)
    w1, w2, x = rng.standard_normal((3, 3)), rng.standard_normal((3, 3)), rng.standard_normal((3, 2))
    q = s2sad.grad(ff.dag, wrt=("w1", "w2"))
    path = tmp_path / "q_grad.py"
    q.save(path)
    saved = run_saved(tmp_path, path, "dag_grad", [w1, w2, x])
    in_process = q(w1, w2, x)
    assert len(saved) == 2
    for a, b in zip(saved, in_process):
        np.testing.assert_array_equal(a, b)


def test_saved_vjp_with_constants_and_helpers_runs_without_s2sad(tmp_path):
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal(4), rng.standard_normal(4)
    c1, c2 = rng.standard_normal(4), rng.standard_normal(4)
    v = s2sad.vjp(ff.pair, wrt=("x", "y"))
    path = tmp_path / "pair_vjp.py"
    v.save(path)
    definition = next(
        node for node in ast.parse(v.source).body
        if isinstance(node, ast.FunctionDef) and node.name == "pair_vjp"
    )
    names = [arg.arg for arg in definition.args.kwonlyargs]  # the outputs' cotangents
    assert len(names) == 2
    saved = run_saved(tmp_path, path, "pair_vjp", [x, y], dict(zip(names, (c1, c2))))
    in_process = v(x, y, cotangent=(c1, c2))
    for a, b in zip(saved, in_process):
        np.testing.assert_array_equal(a, b)


def test_saved_gradient_with_a_module_constant_runs_without_s2sad(tmp_path):
    x = np.linspace(-1.0, 1.0, 5)
    g = s2sad.grad(ff.uses_constants)
    path = tmp_path / "constants_grad.py"
    g.save(path)
    (saved,) = run_saved(tmp_path, path, "uses_constants_grad", [x])
    np.testing.assert_array_equal(saved, g(x))


def _imports(tree: ast.AST) -> list[tuple[str, str]]:
    """(module, the enclosing function or '<module>') for every import in `tree`."""
    found = []

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                else scope
            if isinstance(child, ast.Import):
                found.extend((alias.name, scope) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                found.append((child.module or "." * child.level, scope))
            visit(child, inner)

    visit(tree, "<module>")
    return found


@pytest.mark.parametrize(
    ("fun", "wrt", "make"),
    [
        (ff.dag, ("w1", "w2"), s2sad.grad),
        (ff.square, None, s2sad.grad),
        (ff.returns_argument, None, s2sad.vjp),
        (ff.gathers_rows, ("w", "x"), s2sad.value_and_grad),
    ],
)
def test_every_helper_in_the_module_is_used(fun, wrt, make):
    """The module defines the helpers its gradient function calls, and no others."""
    tree = ast.parse(make(fun, wrt=wrt).source)
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    gradient, helpers = functions[0], functions[1:]
    for helper in helpers:
        callers = [
            f.name for f in functions if f is not helper
            and any(isinstance(n, ast.Name) and n.id == helper.name for n in ast.walk(f))
        ]
        assert callers, f"{helper.name} is defined but never called by {gradient.name}"


@pytest.mark.parametrize(
    ("fun", "wrt", "make"),
    [
        (ff.dag, ("w1", "w2"), s2sad.grad),
        (ff.siamese, ("w", "b"), s2sad.value_and_grad),
        (ff.pair, ("x", "y"), s2sad.vjp),
        (ff.shape_arithmetic, None, s2sad.grad),
    ],
)
def test_saved_module_imports_only_numpy(tmp_path, fun, wrt, make):
    path = tmp_path / "saved.py"
    make(fun, wrt=wrt).save(path)
    imports = _imports(ast.parse(path.read_text()))
    assert ("numpy", "<module>") in imports
    for module, scope in imports:
        assert module == "numpy" or (module in ("cupy", "dask.array") and scope == "_namespace"), (
            module, scope)
