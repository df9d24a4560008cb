"""Gradients over dask arrays: lazy graphs, computed on a real dask.distributed LocalCluster.

A loss over data chunked along the batch gives its value and gradient as dask arrays, one
graph that two worker processes compute; nothing is computed while the gradient is built.
Every registered rule runs once on dask arrays (its first case whose differentiated arrays
have a first axis to chunk in two): the gradient is a dask array equal to the NumPy gradient
of the same case, which tests/test_templates.py checks against finite differences, or the
call is refused with an `ArrayLibraryError` that points at the operation, for the reason
REFUSED gives. The rules whose gradients compute values while they run (Python control flow
on the data, `float()`, scipy functions that convert to NumPy) are those EAGER lists.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import logging
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask
import dask.array as da
import dask_functions as df
import numpy as np
import pytest
from distributed import Client, LocalCluster
from gradcheck import numerical_vjp
from template_cases import CASES, Case
from test_templates import random_like, rng_for, wrt_argument

import s2sad

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two worker processes of one thread each, started for this module and closed after it."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        yield client


@contextlib.contextmanager
def computations() -> Iterator[list[int]]:
    """Record each computation of dask values (the number of keys asked for) while the block
    runs, computing them in this process, so that a gradient's eager work shows."""
    asked: list[int] = []

    def record(graph: Any, keys: Any, **kwargs: Any) -> Any:
        asked.append(len(keys) if isinstance(keys, list) else 1)
        return dask.get(graph, keys, **kwargs)

    with dask.config.set(scheduler=record):
        yield asked


def rows(array: np.ndarray, chunks: int = 2) -> da.Array:
    """`array` as a dask array in `chunks` pieces along its first axis (one for a 0-d one)."""
    if array.ndim == 0:
        return da.from_array(array)
    size = max(1, math.ceil(array.shape[0] / chunks))
    return da.from_array(array, chunks=(size, *array.shape[1:]))


def on_cluster(client: Client, *values: Any) -> tuple[Any, ...]:
    """The values computed together, by the cluster's workers."""
    assert dask.base.get_scheduler() == client.get, "dask.compute does not use the cluster"
    return dask.compute(*values)


def logistic_data(n: int = 400, d: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(13)
    X = rng.standard_normal((n, d))
    y = np.where(X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n) > 0, 1.0, -1.0)
    return X, y, 0.1 * rng.standard_normal(d)


# ---- losses over data chunked along the batch -------------------------------------------


def test_value_and_gradient_are_one_lazy_graph(client: Client) -> None:
    X, y, w = logistic_data()
    dX, dy = rows(X, 4), rows(y, 4)
    with computations() as asked:
        value, gradient = s2sad.value_and_grad(df.logistic_loss)(w, dX, dy)
    assert not asked, "building the gradient computed dask values"
    assert isinstance(value, da.Array) and isinstance(gradient, da.Array)
    shared = set(value.__dask_graph__()) & set(gradient.__dask_graph__())
    assert any(str(key[0] if isinstance(key, tuple) else key).startswith("matmul")
               for key in shared), "the value and the gradient do not share the forward"
    value, gradient = on_cluster(client, value, gradient)
    assert isinstance(gradient, np.ndarray) and gradient.shape == w.shape
    np.testing.assert_allclose(value, df.logistic_loss(w, X, y), rtol=1e-12)
    expected = numerical_vjp(df.logistic_loss, [w, X, y], [0], 1.0)[0]
    np.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-9)


def test_weights_on_dask_too(client: Client) -> None:
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((300, 4)), rng.standard_normal(300)
    w, b = rng.standard_normal(4), np.float64(0.3)
    args = [w, b, X, y, 0.01]
    gradient = s2sad.grad(df.ridge_loss, wrt=("w", "b"))
    with computations() as asked:
        dw, db = gradient(da.from_array(w), da.from_array(np.asarray(b)), rows(X, 3),
                          rows(y, 3), 0.01)
    assert not asked
    assert isinstance(dw, da.Array) and isinstance(db, da.Array)
    dw, db = on_cluster(client, dw, db)
    expected = numerical_vjp(df.ridge_loss, args, [0, 1], 1.0)
    np.testing.assert_allclose(dw, expected[0], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(db, expected[1], rtol=1e-6, atol=1e-9)


def test_softmax_regression_with_dask_labels(client: Client) -> None:
    rng = np.random.default_rng(8)
    X, labels = rng.standard_normal((240, 3)), rng.integers(0, 4, 240)
    W = 0.5 * rng.standard_normal((3, 4))
    with computations() as asked:
        dW = s2sad.grad(df.softmax_regression)(W, rows(X, 3), rows(labels, 3))
    assert not asked and isinstance(dW, da.Array)
    (dW,) = on_cluster(client, dW)
    expected = numerical_vjp(df.softmax_regression, [W, X, labels], [0], 1.0)[0]
    np.testing.assert_allclose(dW, expected, rtol=1e-6, atol=1e-9)


def test_two_layer_network(client: Client) -> None:
    rng = np.random.default_rng(9)
    X, y = rng.standard_normal((200, 3)), rng.standard_normal((200, 2))
    W1, W2 = 0.5 * rng.standard_normal((3, 6)), 0.5 * rng.standard_normal((6, 2))
    with computations() as asked:
        grads = s2sad.grad(df.two_layer, wrt=("W1", "W2"))(W1, W2, rows(X, 4), rows(y, 4))
    assert not asked and all(isinstance(g, da.Array) for g in grads)
    grads = on_cluster(client, *grads)
    expected = numerical_vjp(df.two_layer, [W1, W2, X, y], [0, 1], 1.0)
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-9)


def test_saved_module_runs_on_dask(client: Client, tmp_path: Path) -> None:
    X, y, w = logistic_data(120, 3)
    path = tmp_path / "logistic_grad.py"
    s2sad.grad(df.logistic_loss).save(path)
    spec = importlib.util.spec_from_file_location("logistic_grad", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    gradient = module.logistic_loss_grad(w, rows(X, 3), rows(y, 3))
    assert isinstance(gradient, da.Array)
    (gradient,) = on_cluster(client, gradient)
    np.testing.assert_allclose(gradient, s2sad.grad(df.logistic_loss)(w, X, y), rtol=1e-12)


@pytest.mark.parametrize(("fun", "operation", "pattern"), [
    (df.positive_part_loss, "z[z > 0.0]",
     r"indexing cannot run on dask arrays: dask has no scatter-add"),
    (df.sorted_loss, "np.sort(X @ w)",
     r"`np\.sort` cannot run on dask arrays: dask\.array has no function `sort`"),
])
def test_what_dask_cannot_run_is_refused_at_the_users_line(fun: Any, operation: str,
                                                            pattern: str) -> None:
    X, _, w = logistic_data(40, 5)
    with pytest.raises(s2sad.ArrayLibraryError, match=pattern) as refused:
        s2sad.grad(fun)(w, rows(X))
    error = refused.value
    assert error.origin is not None and error.origin.filename.endswith("dask_functions.py")
    assert operation in error.origin.line
    assert error.origin.col == error.origin.line.index(operation)


def test_an_output_of_unknown_shape_has_no_cotangent() -> None:
    x = rows(np.random.default_rng(2).standard_normal(6))
    with pytest.raises(s2sad.ArrayLibraryError, match=r"its size depends on the values") as refused:
        s2sad.vjp(df.positive_part)(x, cotangent=da.ones(3))
    assert refused.value.origin is not None and "x[x > 0.0]" in refused.value.origin.line


def _example() -> Any:
    """examples/dask_logistic.py, imported by path."""
    spec = importlib.util.spec_from_file_location("dask_logistic_example",
                                                  ROOT / "examples" / "dask_logistic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_trains_on_the_cluster(client: Client) -> None:
    example = _example()
    X, y, truth = example.synthetic(200_000, 10, 50_000)
    assert X.numblocks == (4, 1) and y.numblocks == (4,)
    w, losses = example.train(X, y, steps=4, report=False)
    assert losses[0] == pytest.approx(math.log(2.0), rel=1e-12)  # zero weights: log 2
    assert all(later < earlier for earlier, later in itertools.pairwise(losses)), losses
    assert w @ truth / (np.linalg.norm(w) * np.linalg.norm(truth)) > 0.99
    # the last step's gradient, against the one written out by hand on the same chunks
    (gradient,) = on_cluster(client, s2sad.grad(example.logistic_loss)(w, X, y))
    sigmoid = 1.0 / (1.0 + da.exp(-(X @ w)))
    (expected,) = on_cluster(client, X.T @ (sigmoid - y) / X.shape[0])
    np.testing.assert_allclose(gradient, expected, rtol=1e-10, atol=1e-14)


def test_example_runs_from_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "dask_logistic.py"), "--rows", "20000",
         "--chunk", "5000", "--steps", "2", "--workers", "0"],
        capture_output=True, text=True, timeout=300, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "20,000 x 10 float64" in result.stdout and "4 chunks" in result.stdout
    assert re.search(r"step  1  loss 0\.\d+", result.stdout), result.stdout


# ---- every rule of the registry on dask arrays ------------------------------------------

_LACKS = r"dask\.array(\.linalg)? has no function `"
_NO_ATTRIBUTE = r"dask arrays have no `\."
_NO_SCATTER = r"dask has no scatter-add \(`np\.(add|minimum)\.at`\)"
_SQUARE_CHUNKS = r"All chunks must be a square matrix"
_TWO_INDEX_ARRAYS = r"at most one dimension's assignment index being a 1-d array"
_POLYGAMMA = r"the gradient needs scipy\.special\.polygamma"
_WEIGHTS_CHUNKS = r"Chunks of input array x and weights must match"

REFUSED: dict[str, str] = {
    **dict.fromkeys([
        "helper._along_axis_adjoint", "helper._cast_adjoint", "helper._convolve_dlhs",
        "helper._convolve_drhs", "helper._correlate_dlhs", "helper._correlate_drhs",
        "helper._cross_dlhs", "helper._cross_drhs", "helper._eigh_adjoint",
        "helper._full_length", "helper._in_sorted_order", "helper._inner_dlhs",
        "helper._inner_drhs", "helper._interp_fp_adjoint", "helper._interp_fp_tangent",
        "helper._interp_outside_adjoint", "helper._interp_slope",
        "helper._interp_slope_adjoint", "helper._interp_x_adjoint", "helper._inverse_gaps",
        "helper._kept_part", "helper._kron_dlhs", "helper._kron_drhs", "helper._pinv_adjoint",
        "helper._pinv_tangent", "helper._scaled_inverse_transpose",
        "helper._singular_values_adjoint", "helper._sort_adjoint", "numpy.amax", "numpy.amin",
        "numpy.array_split", "numpy.astype", "numpy.convolve", "numpy.copy",
        "numpy.correlate", "numpy.cross", "numpy.inner", "numpy.interp", "numpy.kron",
        "numpy.linalg.det", "numpy.linalg.eigh", "numpy.linalg.pinv", "numpy.linalg.slogdet",
        "numpy.linalg.svdvals", "numpy.matrix_transpose", "numpy.sort", "numpy.split",
        "numpy.take_along_axis",
    ], _LACKS),
    **dict.fromkeys([
        "attribute.mT", "helper._conv", "helper._conv_dinput", "helper._conv_dweight",
        "method.tolist", "numpy.diag", "s2sad.nn.conv1d", "s2sad.nn.conv2d",
    ], _NO_ATTRIBUTE),
    # Integer-array indices and writes (and the checks of their repeated elements, in the
    # gradients of gradients that reach these helpers) scatter with np.add.at.
    **dict.fromkeys([
        "helper._as_argument", "helper._spread", "helper._take_adjoint",
        "helper._unbroadcast", "helper._without", "helper._written",
        "helper._written_transpose", "numpy.full_like",
    ], _NO_SCATTER),
    # dask.array.linalg factorizes square chunks of 2-D arrays only.
    **dict.fromkeys([
        "helper._cholesky_adjoint", "helper._cholesky_tangent", "helper._matrix_transpose",
        "helper._mvn_covariance", "helper._mvn_covariance_adjoint", "helper._mvn_mean_row",
        "helper._solve_adjoint", "helper._solve_matrix_adjoint", "helper._symmetric_part",
        "numpy.linalg.cholesky", "numpy.linalg.inv", "numpy.linalg.solve",
        "scipy.stats.multivariate_normal.logpdf", "scipy.stats.multivariate_normal.pdf",
    ], _SQUARE_CHUNKS),
    **dict.fromkeys([
        "helper._diag_adjoint", "helper._diagonal_adjoint", "helper._svd_left_tangent",
        "numpy.diagonal",
    ], _TWO_INDEX_ARRAYS),
    # The derivatives of the gamma family: scipy.special.polygamma takes NumPy arrays only.
    **dict.fromkeys([
        "helper._dirichlet_completed", "helper._dirichlet_full", "helper._dirichlet_scaled",
        "helper._dirichlet_uncompleted", "helper._multigammaln_terms", "helper._polygamma",
        "scipy.special.polygamma", "scipy.special.psi", "scipy.stats.beta.logpdf",
        "scipy.stats.gamma.logpdf", "scipy.stats.t.logpdf",
    ], _POLYGAMMA),
    # np.bincount with weights chunked otherwise than the indices.
    **dict.fromkeys(["helper._pad_copies_adjoint", "helper._unrepeat", "helper._untile",
                     "numpy.pad"], _WEIGHTS_CHUNKS),
    "helper._matrix_norm_adjoint": r"SVD based norm not implemented for ndim > 2",
    "helper._trace_adjoint": r"total size of new array must be unchanged",
    "method.reshape": r"Dask's reshape only supports operations that merge or split",
    "numpy.array": r"array\(\) got an unexpected keyword argument 'copy'",
    "numpy.full": r"fill_value must be scalar",
    "numpy.linspace": r"Only length-1 arrays can be converted",
    "numpy.take": r"Index is out of bounds for axis 0",  # dask's take reads axis 0, not flat
    "scipy.stats.dirichlet.logpdf": r"'float' object has no attribute 'shape'",
}
"""Rules whose case dask.array cannot run, with what the refusal says."""

EAGER: dict[str, str] = {
    "phi": "an `if` on the data",
    "builtins.float": "float() of an array",
    **dict.fromkeys([
        "helper._cumprod_adjoint", "helper._cumprod_tangent", "helper._forward_recurrence",
        "helper._reverse_recurrence", "helper._shifted", "numpy.cumprod",
    ], "cumprod's derivatives look for zeros in the data"),
    **dict.fromkeys([
        "helper._norm_adjoint", "helper._singular_values_tangent", "helper._svd_adjoint",
        "numpy.linalg.svd",
    ], "the SVD's adjoint looks for zero cotangents of the singular vectors"),
    **dict.fromkeys([
        "helper._weighted", "scipy.special.log_softmax", "scipy.special.logsumexp",
        "scipy.special.multigammaln", "scipy.special.softmax", "scipy.stats.norm.cdf",
        "scipy.stats.norm.logcdf", "scipy.stats.norm.logpdf", "scipy.stats.norm.pdf",
        "scipy.stats.poisson.logpmf",
    ], "scipy's function converts its arguments to NumPy arrays"),
}
"""Rules whose case's gradient computes dask values while it runs (correctly), and why."""


def _dask_case(key: str) -> tuple[int, Case] | None:
    """The rule's first case that differentiates an array with a first axis (preferably of
    two or more, to chunk in two)."""
    cases = list(enumerate(CASES[key]))
    for least in (2, 1):
        for i, case in cases:
            if any(isinstance(case.args[j], tuple) and len(case.args[j]) >= 1
                   and case.args[j][0] >= least for j in case.wrt_indices):
                return i, case
    return None


DASK_CASES = [(key, *found) for key in sorted(CASES) if (found := _dask_case(key)) is not None]


def _to_dask(case: Case, args: list[Any]) -> list[Any]:
    """The case's random float arrays, and float arrays it differentiates, as dask arrays;
    indices, masks, options and Python numbers as they are."""
    return [rows(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
            and (isinstance(spec, tuple) or name in case.wrt) else a
            for spec, a, name in zip(case.args, args, case.params)]


def _dask_cotangent(cotangent: Any) -> Any:
    if isinstance(cotangent, tuple):
        return tuple(_dask_cotangent(c) for c in cotangent)
    return rows(cotangent) if isinstance(cotangent, np.ndarray) else cotangent


@dataclass
class Outcome:
    """A rule's case run on dask arrays: the NumPy gradients, the gradients on dask arrays
    (or the refusal, or another error), whether building them computed dask values, and the
    gradients as the cluster computed them."""

    expected: tuple[Any, ...]
    dask_args: list[Any]
    grads: tuple[Any, ...] | None = None
    refused: s2sad.ArrayLibraryError | None = None
    error: BaseException | None = None
    asked: bool = False
    computed: tuple[Any, ...] | None = None


def _outcome(key: str, i: int, case: Case) -> Outcome:
    rng = rng_for(key, i, salt="dask")
    args = case.make_args(rng)
    cotangent = random_like(rng, case.fun(*args))
    vjp = s2sad.vjp(case.fun, wrt=wrt_argument(case))
    expected = vjp(*args, cotangent=cotangent)
    outcome = Outcome(expected if len(case.wrt) > 1 else (expected,), _to_dask(case, args))
    try:
        with computations() as asked:
            grads = vjp(*outcome.dask_args, cotangent=_dask_cotangent(cotangent))
    except s2sad.ArrayLibraryError as refused:
        outcome.refused = refused
    except Exception as error:  # noqa: BLE001 - the rule's test reports it
        outcome.error = error
    else:
        outcome.grads, outcome.asked = grads if len(case.wrt) > 1 else (grads,), bool(asked)
    return outcome


@pytest.fixture(scope="module")
def outcomes(client: Client) -> dict[str, Outcome]:
    """Every rule's case on dask arrays, their gradients computed together by the cluster
    (one at a time where one of them fails to compute)."""
    results = {key: _outcome(key, i, case) for key, i, case in DASK_CASES}
    built = {key: o.grads for key, o in results.items() if o.grads is not None}
    try:
        (computed,) = on_cluster(client, built)
    except Exception:  # noqa: BLE001 - each alone, below, so that one failure shows
        computed = {}
        for key, grads in built.items():
            try:
                computed[key] = on_cluster(client, *grads)
            except Exception as error:  # noqa: BLE001
                results[key].error = error
    for key, values in computed.items():
        results[key].computed = tuple(values)
    return results


@pytest.mark.parametrize(("key", "i", "case"), DASK_CASES,
                         ids=[f"{key}-{i}" for key, i, _ in DASK_CASES])
def test_rule_runs_on_dask_or_is_refused(outcomes: dict[str, Outcome], key: str, i: int,
                                         case: Case) -> None:
    outcome = outcomes[key]
    if outcome.error is not None:
        raise outcome.error
    refused = outcome.refused
    if refused is not None:
        assert key in REFUSED, f"[{key}-{i}] refused on dask arrays:\n{refused}"
        assert re.search(REFUSED[key], str(refused)), f"[{key}-{i}] refused otherwise:\n{refused}"
        assert refused.origin is not None and refused.origin.line.strip() in str(refused)
        return
    assert key not in REFUSED, f"[{key}-{i}] runs on dask arrays: remove it from REFUSED"
    assert outcome.asked == (key in EAGER), (
        f"[{key}-{i}] the gradient {'computed' if outcome.asked else 'did not compute'} dask "
        f"values while it ran: {'add it to' if outcome.asked else 'remove it from'} EAGER")
    for index, g in zip(case.wrt_indices, outcome.grads):
        if isinstance(outcome.dask_args[index], da.Array):
            assert isinstance(g, da.Array), (
                f"[{key}-{i}] d{case.params[index]} is a {type(g).__name__}, not a dask array")
    for name, g, e in zip(case.wrt, outcome.computed, outcome.expected):
        assert np.shape(g) == np.shape(e), f"[{key}-{i}] d{name}: shape {np.shape(g)}"
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12, err_msg=f"[{key}-{i}] d{name}")
