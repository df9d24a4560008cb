"""Every helper of `s2sad.runtime`, run directly on NumPy and on the fake_xp stand-in for CuPy.

Each case calls one helper with NumPy arguments, or with the same arguments as `fake_xp`
arrays (which NumPy refuses, as it refuses CuPy's), and compares what it returns with a
plain NumPy computation: the definition of what the helper computes (an adjoint is checked
against central differences of the NumPy function it is the adjoint of, `gradcheck`), never
with numbers the helper produced. On fake_xp arrays every array result must be a FakeArray:
a helper that leaves the arguments' namespace would move CuPy arrays to the host. A helper
must not write into its arguments unless its case says it does (`_add_at`), and its result
shares no memory with them unless it is one of `MAY_SHARE_MEMORY`.

`test_every_helper_has_a_case` fails for a helper of `HELPERS` that no case calls.
"""

from __future__ import annotations

import copy
import types
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import fake_xp
import numpy as np
import pytest
from fake_xp import FakeArray
from gradcheck import numerical_vjp

from s2sad.runtime import HELPERS

pytestmark = pytest.mark.filterwarnings(
    # The cases of cross products of 2-vectors, and of the log of a negative number (nan).
    "ignore:Arrays of 2-dimensional vectors are deprecated:DeprecationWarning",
    "ignore:invalid value encountered in log:RuntimeWarning",
)

NUMERICAL = {"rtol": 1e-6, "atol": 1e-8}
"""Tolerances against central differences."""


@dataclass
class Call:
    """One call of a helper and what it must give."""

    args: tuple
    expected: Any = None
    kwargs: dict = field(default_factory=dict)
    raises: tuple[type[BaseException], str] | None = None
    """(exception, regular expression its message matches): the call must raise it."""
    mutated: int | None = None
    """The position of the argument the helper writes into (it returns None): that argument,
    after the call, is compared with `expected`."""
    view: Callable[..., Any] | None = None
    """What to compare instead of the result: view(result, *args) (an index, applied)."""
    rtol: float = 1e-12
    atol: float = 1e-12
    label: str = ""


class Namespace:
    """The namespace a case runs in: `xp` is NumPy or fake_xp's; `put` moves NumPy arrays
    (in tuples, lists and dicts too) into it."""

    def __init__(self, fake: bool) -> None:
        self.fake = fake
        self.xp = fake_xp.namespace if fake else np

    def put(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        """`value` in this namespace; an object met twice (an array, a list) is moved once, so
        arguments that are the same object stay the same object."""
        if not self.fake:
            return value
        memo = {} if memo is None else memo
        if id(value) in memo:
            return memo[id(value)]
        if isinstance(value, np.ndarray):
            moved = fake_xp.asarray(value.copy())
        elif isinstance(value, (tuple, list)):
            moved = type(value)(self.put(item, memo) for item in value)
        elif isinstance(value, dict):
            moved = {key: self.put(item, memo) for key, item in value.items()}
        else:
            return value
        memo[id(value)] = moved
        return moved


@dataclass
class Case:
    helper: str
    label: str
    build: Callable[[np.random.Generator, Namespace], list[Call]]


CASES: list[Case] = []


def cases(helper: str) -> Callable:
    """Register a function `(rng, ns) -> [Call, ...]` as cases of `helper`."""

    def register(build: Callable) -> Callable:
        CASES.append(Case(helper, build.__name__, build))
        return build

    return register


def vjp(f: Callable, args: list, k: int, g: Any) -> Any:
    """The vector-Jacobian product of `f` at `args` with respect to `args[k]`, by central
    differences: what an adjoint helper must compute."""
    return numerical_vjp(f, args, [k], g)[0]


def normal(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape)


def host(value: Any) -> Any:
    """`value` with every FakeArray replaced by a copy of its NumPy data."""
    return copy.deepcopy(fake_xp.to_numpy(value))


def same_values(a: Any, b: Any) -> bool:
    """Whether two argument structures hold equal values (arrays compared elementwise)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same_values, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_values(a[k], b[k]) for k in a)
    return True


def check(result: Any, expected: Any, ns: Namespace, rtol: float, atol: float,
          where: str = "result") -> None:
    """`result` is `expected`: the same structure, arrays of the same shape and dtype, equal to
    the tolerances; on fake_xp, arrays as FakeArrays."""
    if isinstance(expected, (tuple, list)):
        assert type(result) is type(expected), f"{where}: {type(result)} is not {type(expected)}"
        assert len(result) == len(expected), f"{where}: {len(result)} items, not {len(expected)}"
        for i, (r, e) in enumerate(zip(result, expected)):
            check(r, e, ns, rtol, atol, f"{where}[{i}]")
    elif isinstance(expected, dict):
        assert isinstance(result, dict) and result.keys() == expected.keys(), where
        for key in expected:
            check(result[key], expected[key], ns, rtol, atol, f"{where}[{key!r}]")
    elif isinstance(expected, np.ndarray):
        if ns.fake:
            assert isinstance(result, FakeArray), (
                f"{where} is a {type(result).__module__}.{type(result).__qualname__}, not a "
                "FakeArray: the helper left the arguments' array namespace")
            data = result.data
        else:
            assert isinstance(result, np.ndarray) or (
                expected.ndim == 0 and isinstance(result, np.generic)), f"{where}: {type(result)}"
            data = np.asarray(result)
        assert data.shape == expected.shape, f"{where}: shape {data.shape}, not {expected.shape}"
        assert data.dtype == expected.dtype, f"{where}: dtype {data.dtype}, not {expected.dtype}"
        np.testing.assert_allclose(data, expected, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=where)
    elif isinstance(expected, np.generic):
        assert type(result) is type(expected), f"{where}: {type(result)}, not {type(expected)}"
        np.testing.assert_allclose(result, expected, rtol=rtol, atol=atol, err_msg=where)
    elif isinstance(expected, (types.ModuleType, type(fake_xp.namespace))):
        assert result is expected, f"{where}: {result!r} is not {expected!r}"
    elif expected is None or isinstance(expected, (bool, str, slice, type(Ellipsis))):
        assert type(result) is type(expected) and result == expected, (
            f"{where}: {result!r} is not {expected!r}")
    elif isinstance(expected, int):
        assert isinstance(result, (int, np.integer)) and not isinstance(result, bool), (
            f"{where}: {type(result)} is not an int")
        assert result == expected, f"{where}: {result!r} is not {expected!r}"
    elif isinstance(expected, float):
        if isinstance(result, FakeArray):
            assert ns.fake and result.ndim == 0, f"{where}: {result!r} is not a number"
            result = float(result.data)
        assert isinstance(result, (float, np.floating)), f"{where}: {type(result)} is not a float"
        np.testing.assert_allclose(result, expected, rtol=rtol, atol=atol, err_msg=where)
    else:
        raise TypeError(f"{where}: cannot compare with a {type(expected)}")


# ---- core: namespaces, checks of the arguments, structure of gradients ---------------------


@cases("_namespace")
def namespace_of_arguments(rng, ns):
    a, b = ns.put(normal(rng, 2, 3)), ns.put(normal(rng, 3))
    return [
        Call((a, b), ns.xp, label="arrays"),
        Call((1.0, [2.0, {"w": a}], None), ns.xp, label="an array inside containers"),
        Call((1.0, 2, None, "text"), np, label="no array: NumPy"),
        Call((), np, label="no arguments"),
    ]


@cases("_check_differentiable")
def differentiable_arguments(rng, ns):
    return [
        Call((), None, kwargs={"w": ns.put(normal(rng, 3)), "s": 1.5,
                               "d": {"k": ns.put(normal(rng, 2).astype(np.float32))}},
             label="floats pass"),
        Call((), kwargs={"n": ns.put(np.arange(3))}, raises=(TypeError, "n, which holds int64"),
             label="integers"),
        Call((), kwargs={"flag": ns.put(np.array([True]))}, raises=(TypeError, "holds bool"),
             label="booleans"),
        Call((), kwargs={"z": ns.put(np.ones(2, complex))},
             raises=(TypeError, "real floating-point values only"), label="complex"),
        Call((), kwargs={"z": 1j}, raises=(TypeError, "real floating-point"), label="complex number"),
        Call((), kwargs={"xs": [ns.put(normal(rng, 2))]}, raises=(TypeError, "reads whole"),
             label="a list"),
        Call((), kwargs={"d": {"k": 3}}, raises=(TypeError, r"d\['k'\], which holds int"),
             label="inside a dict"),
    ]


@cases("_check_differentiable_items")
def differentiable_items(rng, ns):
    return [
        Call((), None, kwargs={"xs": [ns.put(normal(rng, 2)), 1.0], "w": ns.put(normal(rng, 2))},
             label="lists of floats pass"),
        Call((), kwargs={"xs": ([ns.put(normal(rng, 2))],)},
             raises=(TypeError, r"xs\[0\], a list inside a tuple"), label="nested"),
        Call((), kwargs={"xs": [ns.put(np.arange(2))]}, raises=(TypeError, r"xs\[0\], which holds int"),
             label="an integer item"),
    ]


@cases("_zeros_like")
def zeros_like(rng, ns):
    a, b = normal(rng, 2, 3), normal(rng, 4).astype(np.float32)
    return [
        Call((a,), np.zeros((2, 3))),
        Call(([a, b],), [np.zeros((2, 3)), np.zeros(4, np.float32)], label="list"),
        Call(((a, [b]),), [np.zeros((2, 3)), [np.zeros(4, np.float32)]], label="tuple: a list"),
        Call((2.5,), 0.0, label="float"),
    ]


@cases("_refuse_in_place")
def refuse_in_place(rng, ns):
    a = ns.put(normal(rng, 4))
    items = [ns.put(normal(rng, 2))]
    return [
        Call((a, "s += t", {"v": a[1:]}), raises=(TypeError, r"`s \+= t` updates an array in place"),
             label="a view shares its memory"),
        Call((a, "s += t", {"v": a}), raises=(TypeError, "through `v`"), label="the same array"),
        Call((items, "s += t", {"v": items}), raises=(TypeError, "updates"), label="a list"),
        Call((a, "s += t", {"v": ns.put(normal(rng, 4))}), None, label="separate memory"),
        Call((2.0, "s += t", {"v": 2.0}), None, label="a number"),
        Call((a, "s += t", {"pair": (ns.put(normal(rng, 2)), a[:2])}),
             raises=(TypeError, "through `pair`"), label="a view inside a tuple"),
        Call((a, "s += t", {"p": {"w": [a]}}), raises=(TypeError, "through `p`"),
             label="the array inside a dict of lists"),
        Call((a, "s += t", {"pair": (ns.put(normal(rng, 4)), 1.0)}), None,
             label="a tuple of other memory"),
    ]


@cases("_shares_memory")
def shares_memory(rng, ns):
    a, b = ns.put(normal(rng, 4)), ns.put(normal(rng, 4))
    items = [a]
    return [
        Call((a, a[::2]), True, label="a strided view"),
        Call((a, b), False, label="separate arrays"),
        Call((a, (b, [a.reshape(2, 2)])), True, label="nested in containers"),
        Call((a, {"k": b, "n": 1.0}), False, label="a dict of other values"),
        Call((items, items), True, label="the same list"),
        Call((items, [b]), False, label="another list"),
        Call((a, 2.0), False, label="a number"),
    ]


@cases("_zero_gradient")
def zero_gradient(rng, ns):
    a, b = normal(rng, 2), normal(rng, 3).astype(np.float32)
    return [
        Call(({"a": a, "b": [b, 1.5], "c": (np.float32(2.0),)}, "x"),
             {"a": np.zeros(2), "b": [np.zeros(3, np.float32), 0.0], "c": (np.float32(0.0),)},
             label="structure and dtypes"),
        Call((a, "x"), np.zeros(2)),
        Call(({"k": np.arange(2)}, "x"), raises=(TypeError, r"x\['k'\], which holds int"),
             label="integers refused"),
    ]


@cases("_add_at")
def add_at(rng, ns):
    index, value = np.array([0, 2, 2, 4]), normal(rng, 4)
    expected = np.zeros(5)
    for i, v in zip(index, value):
        expected[i] += v
    grid, rows = normal(rng, 3, 2), normal(rng, 2, 2)
    expected_grid = grid.copy()
    expected_grid[1] += rows[0]
    expected_grid[1] += rows[1]
    parts = [normal(rng, 2), normal(rng, 2)]
    addend = normal(rng, 2)
    return [
        Call((np.zeros(5), index, value), expected, mutated=0, label="repeated indices add up"),
        Call((grid, np.array([1, 1]), rows), expected_grid, mutated=0, label="rows"),
        Call((parts, 1, addend), [parts[0], parts[1] + addend], mutated=0, label="a list"),
    ]


@cases("_as_argument")
def as_argument(rng, ns):
    g = normal(rng, 3)
    x32 = normal(rng, 3).astype(np.float32)
    return [
        Call((g, x32), g.astype(np.float32), rtol=1e-6, label="float32 argument"),
        Call((g, normal(rng, 3)), g, label="the same dtype"),
        Call(([g, g[:2]], (x32, normal(rng, 2))), (g.astype(np.float32), g[:2]), rtol=1e-6,
             label="a tuple argument"),
        Call((np.array(2.5), 1.0), 2.5, label="a float argument"),
        Call((2.0, x32), np.full((), 2.0, np.float32), label="a number for an array"),
    ]


@cases("_as_argument")
def as_numpy_scalar_argument(rng, ns):
    return [Call((np.array(2.5), np.float32(1.0)), np.float32(2.5))]


COTANGENT_SHAPE = r"cotangent of f must have the output's shape \(2, 3\), got shape \(3,\)"


@cases("_check_cotangent")
def check_cotangent(rng, ns):
    value = ns.put(normal(rng, 2, 3))
    return [
        Call((value, ns.put(normal(rng, 2, 3)), "f"), None),
        Call((ns.put(np.array(1.0)), 2.0, "f"), None, label="0-d and a number"),
        Call((value, ns.put(normal(rng, 3)), "f"),
             raises=(ValueError, COTANGENT_SHAPE), label="wrong shape"),
    ]


@cases("_shape_of")
def shape_of(rng, ns):
    return [
        Call((normal(rng, 2, 3),), (2, 3)),
        Call((1.5,), (), label="float"),
        Call((np.float64(1.5),), (), label="NumPy float"),
        Call(([normal(rng, 4), normal(rng, 4), normal(rng, 4)],), (3, 4), label="list of arrays"),
        Call(((normal(rng, 2, 1),),), (1, 2, 1), label="tuple"),
        Call(([],), (0,), label="empty list"),
    ]


def unbroadcast_case(rng, shape, g_shape, label):
    x, g = normal(rng, *shape), normal(rng, *g_shape)
    expected = vjp(lambda x: np.broadcast_to(x, g_shape), [x], 0, g)
    return Call((g, x), expected, label=label, **NUMERICAL)


@cases("_unbroadcast")
def unbroadcast(rng, ns):
    g = normal(rng, 3, 4)
    return [
        unbroadcast_case(rng, (3, 1), (2, 3, 4), "leading and stretched axes"),
        unbroadcast_case(rng, (4,), (3, 4), "leading axes"),
        unbroadcast_case(rng, (1, 4), (3, 4), "stretched axis"),
        unbroadcast_case(rng, (), (2, 2), "to a 0-d array"),
        Call((g, (3, 1)), g.sum(axis=1, keepdims=True), label="to a shape"),
        Call((g, normal(rng, 3, 4)), g, label="the same shape"),
        Call((2.5, normal(rng, 3)), 2.5, label="a float"),
    ]


@cases("_gradient_tree")
def gradient_tree(rng, ns):
    a, c = normal(rng, 2), normal(rng, 3).astype(np.float32)
    ga, gc = normal(rng, 2), normal(rng, 3)
    tree = {"a": a, "b": {"c": c, "d": 1.5, "e": normal(rng, 2)}, "f": np.float32(1.0)}
    layers = [(a, normal(rng, 2)), (normal(rng, 3), c)]
    return [Call(
        (tree, {("a",): ga, ("b", "c"): gc}),
        {"a": ga, "b": {"c": gc.astype(np.float32), "d": 0.0, "e": np.zeros(2)},
         "f": np.float32(0.0)}, rtol=1e-6),
        Call((layers, {(0, 0): ga, (1, 1): gc}),
             [(ga, np.zeros(2)), (np.zeros(3), gc.astype(np.float32))], rtol=1e-6,
             label="a list of tuples")]


@cases("_check_differentiable_tree")
def differentiable_tree(rng, ns):
    return [
        Call((), None, kwargs={"params": [(ns.put(normal(rng, 2)), 1.5)],
                               "d": {"k": [ns.put(normal(rng, 2))]}}, label="floats pass"),
        Call((), kwargs={"params": [(ns.put(normal(rng, 2)), 3)]},
             raises=(TypeError, r"params\[0\]\[1\], which holds int"), label="an integer leaf"),
    ]


@cases("_updated")
def updated(rng, ns):
    a, value = normal(rng, 3, 4), normal(rng, 4)
    expected = a.copy()
    expected[1] = value
    masked = a.copy()
    masked[a > 0] = 0.0
    return [
        Call((a, 1, value), expected),
        Call((a, a > 0, 0.0), masked, label="a mask"),
    ]


@cases("_without")
def without(rng, ns):
    g = normal(rng, 3, 4)
    expected = g.copy()
    expected[:, 1:3] = 0.0
    return [Call((g, (slice(None), slice(1, 3))), expected)]


@cases("_reduced_shape")
def reduced_shape(rng, ns):
    x = normal(rng, 2, 3, 4)
    return [Call((x, axis), np.sum(x, axis=axis, keepdims=True).shape, label=str(axis))
            for axis in (None, 1, -1, (0, 2))] + [
        Call(([normal(rng, 3), normal(rng, 3)], 0), (1, 3), label="list")]


@cases("_expand_reduced")
def expand_reduced(rng, ns):
    x = normal(rng, 2, 3, 4)
    g1, g2 = normal(rng, 2, 4), normal(rng, 3)
    return [
        Call((g1, x, 1), np.expand_dims(g1, 1), label="axis 1"),
        Call((g2, x, (0, 2)), np.expand_dims(g2, (0, 2)), label="axes (0, 2)"),
        Call((g1, x, -2), np.expand_dims(g1, 1), label="axis -2"),
        Call((np.array(1.5), x, None), np.array(1.5), label="0-d"),
        Call((2.0, x, 0), 2.0, label="a number"),
    ]


@cases("_spread")
def spread(rng, ns):
    x = normal(rng, 2, 3, 4)
    calls = []
    for axis in (1, (0, 2), None, -1):
        g = normal(rng, *np.sum(x, axis=axis).shape)
        calls.append(Call((g, x, axis), vjp(partial(np.sum, axis=axis), [x], 0, g),
                          label=str(axis), **NUMERICAL))
    return calls


@cases("_reduced_size")
def reduced_size(rng, ns):
    x = normal(rng, 2, 3, 4)
    return [Call((x, axis), x.size // np.sum(x, axis=axis).size, label=str(axis))
            for axis in (None, 1, (0, 2))]


@cases("_extremum_adjoint")
def extremum_adjoint(rng, ns):
    calls = []
    x = normal(rng, 3, 4)
    for reduce in (np.max, np.min):
        for axis, keepdims in ((None, False), (1, False), (0, True), ((0, 1), False)):
            y = reduce(x, axis=axis, keepdims=keepdims)
            g = normal(rng, *np.shape(y))
            expected = vjp(partial(reduce, axis=axis, keepdims=keepdims), [x], 0, g)
            calls.append(Call((g, x, y, axis, keepdims), expected, label=f"{reduce.__name__} {axis}",
                              **NUMERICAL))
    ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    g = np.array([6.0, 3.0])
    calls.append(Call((g, ties, ties.max(axis=1), 1, False),
                      np.array([[0.0, 3.0, 3.0], [1.0, 1.0, 1.0]]), label="ties share"))
    return calls


@cases("_extremum_gather")
def extremum_gather(rng, ns):
    """The transpose of the max/min adjoint in its adjoint argument is the reduction's
    Jacobian J applied to a direction h: checked against central differences of np.max."""
    calls = []
    x = normal(rng, 3, 4)
    for reduce in (np.max, np.min):
        # (A reduction over every axis gives a NumPy scalar here and a 0-d array on another
        # namespace; test_second_order covers it through np.max of a whole array.)
        for axis, keepdims in ((1, False), (0, True), ((0, 1), True)):
            y = reduce(x, axis=axis, keepdims=keepdims)
            h = normal(rng, 3, 4)
            # The directional derivative of the reduction along h: J @ h, by central differences.
            step = 1e-6
            expected = (reduce(x + step * h, axis=axis, keepdims=keepdims)
                        - reduce(x - step * h, axis=axis, keepdims=keepdims)) / (2 * step)
            calls.append(Call((h, x, y, axis, keepdims), expected,
                              label=f"{reduce.__name__} {axis}", **NUMERICAL))
    return calls


def product_case(rng, f, a_shape, b_shape, k):
    a, b = normal(rng, *a_shape), normal(rng, *b_shape)
    g = np.asarray(normal(rng, *np.shape(f(a, b))))
    expected = vjp(f, [a, b], k, g)
    return Call((g, a, b), expected, label=f"{a_shape} {b_shape}", **NUMERICAL)


MATMUL_SHAPES = [((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)),
                 ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4))]


@cases("_matmul_dlhs")
def matmul_dlhs(rng, ns):
    return [product_case(rng, np.matmul, a, b, 0) for a, b in MATMUL_SHAPES]


@cases("_matmul_drhs")
def matmul_drhs(rng, ns):
    return [product_case(rng, np.matmul, a, b, 1) for a, b in MATMUL_SHAPES]


DOT_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
              ((2, 3, 4), (4, 5)), ((2, 3), (4, 3, 5)), ((2, 3, 4), (5, 4, 2)), ((), (3,)),
              ((2, 3), ())]


@cases("_dot_dlhs")
def dot_dlhs(rng, ns):
    return [product_case(rng, np.dot, a, b, 0) for a, b in DOT_SHAPES] + [dot_number(rng, 0)]


@cases("_dot_drhs")
def dot_drhs(rng, ns):
    return [product_case(rng, np.dot, a, b, 1) for a, b in DOT_SHAPES] + [dot_number(rng, 1)]


def dot_number(rng, k):
    args = [2.5, normal(rng, 3)] if k == 0 else [normal(rng, 3), 2.5]
    g = normal(rng, 3)
    return Call((g, *args), vjp(np.dot, args, k, g), label="a Python number", **NUMERICAL)


@cases("_inverse_axes")
def inverse_axes(rng, ns):
    x = normal(rng, 2, 3, 4)
    return [
        Call(((2, 0, 1),), tuple(int(i) for i in np.argsort((2, 0, 1))), label="as varargs"),
        Call((((1, 2, 0),),), tuple(int(i) for i in np.argsort((1, 2, 0))), label="a tuple"),
        Call(((-1, 0, 1),), tuple(int(i) for i in np.argsort([2, 0, 1])), label="negative"),
        Call(((2, 0, 1),), True, label="undoes the transpose",
             view=lambda result, axes: np.array_equal(np.transpose(np.transpose(x, axes), result), x)),
        Call(((None,),), None, label="None"),
        Call(((),), None, label="no axes"),
    ]


@cases("_check_scalar")
def check_scalar(rng, ns):
    return [
        Call((ns.put(np.array(2.0)), "f"), None),
        Call((ns.put(np.ones((1, 1))), "f"), None, label="one element"),
        Call((2.0, "f"), None, label="a float"),
        Call(([1.0], "f"), raises=(ValueError, "f returned a list"), label="a list"),
        Call((ns.put(np.ones(3)), "f"), raises=(ValueError, r"array of shape \(3,\)"),
             label="an array"),
    ]


# ---- elementwise -------------------------------------------------------------------------------


def derivative(f: Callable, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The elementwise derivative of `f` at `x`, by central differences."""
    return (f(x + h) - f(x - h)) / (2 * h)


@cases("_sinc_derivative")
def sinc_derivative(rng, ns):
    x = np.array([0.0, 1e-4, -3e-4, 2e-3, 0.3, 1.7, -2.5, 4.0])
    return [Call((x, np.sinc(x)), derivative(np.sinc, x), **NUMERICAL)]


@cases("_log_or_zero")
def log_or_zero(rng, ns):
    x = np.array([0.0, 0.5, 2.0, 0.0])
    return [
        Call((x,), np.array([0.0, np.log(0.5), np.log(2.0), 0.0])),
        Call((np.array([-1.0]),), np.array([np.nan]), label="negative: nan"),
        Call((0.0,), 0.0, label="a float 0"),
        Call((2.0,), float(np.log(2.0)), label="a float"),
        Call((3,), float(np.log(3.0)), label="an int"),
    ]


@cases("_in_dtype_of")
def in_dtype_of(rng, ns):
    g, x32 = normal(rng, 3), normal(rng, 3).astype(np.float32)
    return [
        Call((g, x32), g.astype(np.float32), rtol=1e-6, label="float32"),
        Call((g, np.arange(3)), g, label="an integer input keeps the adjoint"),
        Call((g, 2.0), g, label="a number"),
        Call((g.astype(np.float32), x32), g.astype(np.float32), label="already float32"),
    ]


@cases("_linspace_weights")
def linspace_weights(rng, ns):
    calls = []
    for num, endpoint, lead in ((5, True, (3,)), (4, False, ()), (1, True, (2, 2))):
        dy = normal(rng, num, *lead)
        weights = derivative(partial(np.linspace, -1.0, num=num, endpoint=endpoint), 3.0)
        expected = weights.reshape((num,) + (1,) * len(lead))
        calls.append(Call((dy, num, endpoint), expected, label=f"{num} {endpoint}", **NUMERICAL))
    dy = normal(rng, 3).astype(np.float32)
    calls.append(Call((dy, 3, True), np.array([0.0, 0.5, 1.0], np.float32), label="float32"))
    return calls


# ---- linalg ------------------------------------------------------------------------------------


INNER_SHAPES = [((3,), (3,)), ((2, 3), (4, 3)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 2, 3), (4, 3)),
                ((), (3,)), ((2, 3), ())]


@cases("_inner_dlhs")
def inner_dlhs(rng, ns):
    return [product_case(rng, np.inner, a, b, 0) for a, b in INNER_SHAPES]


@cases("_inner_drhs")
def inner_drhs(rng, ns):
    return [product_case(rng, np.inner, a, b, 1) for a, b in INNER_SHAPES]


@cases("_kron_blocks")
def kron_blocks(rng, ns):
    calls = []
    for a_shape, b_shape, blocks, a_, b_ in (
            ((2, 3), (4, 5), (2, 4, 3, 5), (2, 1, 3, 1), (1, 4, 1, 5)),
            ((3,), (2, 2), (1, 2, 3, 2), (1, 1, 3, 1), (1, 2, 1, 2))):
        a, b = normal(rng, *a_shape), normal(rng, *b_shape)
        g = normal(rng, *np.kron(a, b).shape)
        expected = (g.reshape(blocks), a.reshape(a_), b.reshape(b_))
        calls.append(Call((g, a, b), expected, label=f"{a_shape} {b_shape}"))
        calls.append(Call((g, a, b), np.kron(a, b).reshape(blocks), label="a_ b_ is the kron",
                          view=lambda result, g, a, b: result[1] * result[2]))
    return calls


KRON_SHAPES = [((2, 2), (3, 2)), ((3,), (2, 2)), ((2, 1, 2), (2, 3)), ((2,), (3,))]


@cases("_kron_dlhs")
def kron_dlhs(rng, ns):
    return [product_case(rng, np.kron, a, b, 0) for a, b in KRON_SHAPES]


@cases("_kron_drhs")
def kron_drhs(rng, ns):
    return [product_case(rng, np.kron, a, b, 1) for a, b in KRON_SHAPES]


CROSS_CASES = [((4, 3), (4, 3), -1, -1, -1), ((2,), (2,), -1, -1, -1), ((3,), (2,), -1, -1, -1),
               ((2,), (3,), -1, -1, -1), ((3, 4), (4, 3), 0, -1, 0), ((1, 3), (5, 3), -1, -1, -1),
               ((3, 2), (2, 3), 1, 0, -1)]


def cross_case(rng, a_shape, b_shape, axisa, axisb, axisc, k):
    a, b = normal(rng, *a_shape), normal(rng, *b_shape)

    def f(a, b):
        return np.cross(a, b, axisa=axisa, axisb=axisb, axisc=axisc)

    g = np.asarray(normal(rng, *f(a, b).shape))
    return Call((g, a, b, axisa, axisb, axisc), vjp(f, [a, b], k, g),
                label=f"{a_shape} {b_shape} {axisa} {axisb} {axisc}", **NUMERICAL)


@cases("_cross_dlhs")
def cross_dlhs(rng, ns):
    return [cross_case(rng, *shapes, 0) for shapes in CROSS_CASES]


@cases("_cross_drhs")
def cross_drhs(rng, ns):
    return [cross_case(rng, *shapes, 1) for shapes in CROSS_CASES]


@cases("_tensordot_axes")
def tensordot_axes(rng, ns):
    a, b = normal(rng, 2, 3, 4), normal(rng, 3, 4, 5)
    return [
        Call((a, b, 2), ([1, 2], [0, 1]), label="an int"),
        Call((a, b, 0), ([], []), label="0"),
        Call((a, normal(rng, 4, 2, 3), ((1, -1), (2, 0))), ([1, 2], [2, 0]), label="pairs"),
        Call((a, normal(rng, 2, 5), (0, 0)), ([0], [0]), label="one pair"),
    ]


TENSORDOT_CASES = [((3, 4), (4, 5), 1), ((2, 3, 4), (3, 4, 5), 2), ((3, 2, 4), (4, 3, 5), ([2, 0], [0, 1])),
                   ((2, 3), (4, 5), 0), ((2, 3, 4), (4, 2), ((0, 2), (1, 0)))]


def tensordot_case(rng, a_shape, b_shape, axes, k):
    a, b = normal(rng, *a_shape), normal(rng, *b_shape)

    def f(a, b):
        return np.tensordot(a, b, axes)

    g = np.asarray(normal(rng, *f(a, b).shape))
    return Call((g, a, b, axes), vjp(f, [a, b], k, g), label=f"{a_shape} {b_shape} {axes}",
                **NUMERICAL)


@cases("_tensordot_dlhs")
def tensordot_dlhs(rng, ns):
    return [tensordot_case(rng, *shapes, 0) for shapes in TENSORDOT_CASES]


@cases("_tensordot_drhs")
def tensordot_drhs(rng, ns):
    return [tensordot_case(rng, *shapes, 1) for shapes in TENSORDOT_CASES]


@cases("_einsum_terms")
def einsum_terms(rng, ns):
    calls = [
        Call(("ij,jk->ik", [2, 2]), (["ij", "jk"], "ik"), label="explicit"),
        Call(("ij, jk", [2, 2]), (["ij", "jk"], "ik"), label="implicit output, spaces"),
        Call(("...ij,...jk", [3, 2]), (["aij", "jk"], "aik"), label="ellipsis"),
        Call(("i...->...", [3]), (["iab"], "ab"), label="ellipsis output"),
        Call(("ii", [2]), (["ii"], ""), label="trace"),
    ]
    a, b = normal(rng, 4, 2, 3), normal(rng, 3, 5)
    calls.append(Call(("...ij,...jk", [3, 2]), True, label="spelled out, the same einsum",
                      view=lambda result, *args: np.allclose(np.einsum(
                          ",".join(result[0]) + "->" + result[1], a, b),
                          np.einsum("...ij,...jk", a, b), rtol=1e-12, atol=0)))
    return calls


EINSUM_CASES = [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]), ("ij->", [(2, 3)]),
                ("i,i->", [(4,), (4,)]), ("...ij,...jk", [(2, 2, 3), (3, 2)]), ("ij,j->i", [(2, 3), (3,)]),
                ("ij,ij->ij", [(1, 3), (2, 3)]), ("iij->j", [(2, 2, 3)]), ("ij->ji", [(2, 3)]),
                ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)])]


@cases("_einsum_adjoint")
def einsum_adjoint(rng, ns):
    calls = []
    for subscripts, shapes in EINSUM_CASES:
        operands = [normal(rng, *shape) for shape in shapes]
        g = np.asarray(normal(rng, *np.einsum(subscripts, *operands).shape))
        for k in range(len(operands)):
            expected = vjp(partial(np.einsum, subscripts), operands, k, g)
            calls.append(Call((g, subscripts, k, *operands), expected, label=f"{subscripts} {k}",
                              **NUMERICAL))
    return calls


@cases("_matrix_transpose")
def matrix_transpose(rng, ns):
    x, y = normal(rng, 2, 3, 4), normal(rng, 3, 2)
    return [Call((x,), np.transpose(x, (0, 2, 1))), Call((y,), y.T, label="a matrix")]


def well_conditioned(rng, *shape):
    n = shape[-1]
    return normal(rng, *shape) + 3.0 * np.eye(n)


@cases("_solve_adjoint")
def solve_adjoint(rng, ns):
    calls = []
    for a_shape, b_shape in (((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))):
        a, b = well_conditioned(rng, *a_shape), normal(rng, *b_shape)
        g = normal(rng, *np.linalg.solve(a, b).shape)
        calls.append(Call((g, a, b), vjp(np.linalg.solve, [a, b], 1, g),
                          label=f"{a_shape} {b_shape}", **NUMERICAL))
    return calls


@cases("_solve_matrix_adjoint")
def solve_matrix_adjoint(rng, ns):
    calls = []
    for a_shape, b_shape in (((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2))):
        a, b = well_conditioned(rng, *a_shape), normal(rng, *b_shape)
        x = np.linalg.solve(a, b)
        g = normal(rng, *x.shape)
        gb = np.linalg.solve(np.swapaxes(a, -1, -2), g if b.ndim > 1 else g[:, None])
        gb = gb if b.ndim > 1 else gb[:, 0]
        calls.append(Call((gb, x, b), vjp(np.linalg.solve, [a, b], 0, g),
                          label=f"{a_shape} {b_shape}", **NUMERICAL))
    return calls


@cases("_scaled_inverse_transpose")
def scaled_inverse_transpose(rng, ns):
    calls = []
    for shape in ((3, 3), (2, 3, 3)):
        a = well_conditioned(rng, *shape)
        g = np.asarray(normal(rng, *shape[:-2]))
        scale = g * np.linalg.det(a)  # the adjoint of det's a is det(a) g a⁻ᵀ
        calls.append(Call((scale, a), vjp(np.linalg.det, [a], 0, g), label=str(shape), **NUMERICAL))
    a = well_conditioned(rng, 3, 3)
    calls.append(Call((2.0, a), 2.0 * np.linalg.inv(a).T, label="a number"))
    return calls


def symmetrized(f: Callable) -> Callable:
    """`f` of the symmetric part of its argument: its gradient is the symmetric one."""
    return lambda a: f((a + np.swapaxes(a, -1, -2)) / 2)


def spd(rng, *shape):
    m = normal(rng, *shape)
    return m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])


@cases("_cholesky_adjoint")
def cholesky_adjoint(rng, ns):
    calls = []
    for shape in ((3, 3), (2, 3, 3)):
        a = spd(rng, *shape)
        lower = np.linalg.cholesky(a)
        g = normal(rng, *shape)
        expected = vjp(symmetrized(np.linalg.cholesky), [a], 0, g)
        calls.append(Call((g, lower), expected, label=str(shape), **NUMERICAL))
    return calls


@cases("_pinv_adjoint")
def pinv_adjoint(rng, ns):
    calls = []
    for shape in ((3, 2), (2, 3), (3, 3), (2, 3, 2)):
        a = normal(rng, *shape)
        p = np.linalg.pinv(a)
        g = normal(rng, *p.shape)
        calls.append(Call((g, p, a), vjp(np.linalg.pinv, [a], 0, g), label=str(shape), rtol=1e-5,
                          atol=1e-7))
    return calls


@cases("_symmetric_part")
def symmetric_part(rng, ns):
    x, y = normal(rng, 3, 3), normal(rng, 2, 2, 2)
    return [Call((x,), (x + x.T) / 2),
            Call((y,), (y + np.transpose(y, (0, 2, 1))) / 2, label="a stack")]


@cases("_eigh_adjoint")
def eigh_adjoint(rng, ns):
    calls = []
    for shape in ((3, 3), (2, 3, 3)):
        a = normal(rng, *shape)
        a = a + np.swapaxes(a, -1, -2)
        values, vectors = np.linalg.eigh(a)
        g_values, weights = normal(rng, *values.shape), normal(rng, *vectors.shape)

        def loss(a, weights=weights, g_values=g_values):
            # Eigenvectors are defined up to sign: a loss of their squares does not see it.
            w, v = np.linalg.eigh(a)
            return np.sum(g_values * w) + 0.5 * np.sum(weights * v * v)

        expected = vjp(symmetrized(loss), [a], 0, 1.0)
        calls.append(Call((g_values, weights * vectors, values, vectors), expected,
                          label=f"{shape} values and vectors", **NUMERICAL))
        expected = vjp(symmetrized(lambda a: np.linalg.eigh(a)[0]), [a], 0, g_values)
        calls.append(Call((g_values, np.zeros_like(vectors), values, vectors), expected,
                          label=f"{shape} values only", **NUMERICAL))
    return calls


@cases("_svd_adjoint")
def svd_adjoint(rng, ns):
    calls = []
    for shape in ((4, 3), (3, 4), (3, 3), (2, 4, 3)):
        a = normal(rng, *shape)
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        g_s, wu, wv = normal(rng, *s.shape), normal(rng, *u.shape), normal(rng, *vh.shape)

        def loss(a, g_s=g_s, wu=wu, wv=wv):
            # Singular vectors are defined up to a shared sign: squares do not see it.
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            return np.sum(g_s * s) + 0.5 * np.sum(wu * u * u) + 0.5 * np.sum(wv * vh * vh)

        calls.append(Call((wu * u, g_s, wv * vh, u, s, vh), vjp(loss, [a], 0, 1.0),
                          label=f"{shape}", rtol=1e-5, atol=1e-7))
        zeros_u, zeros_vh = np.zeros_like(u), np.zeros_like(vh)
        expected = vjp(lambda a: np.linalg.svd(a, compute_uv=False), [a], 0, g_s)
        calls.append(Call((zeros_u, g_s, zeros_vh, u, s, vh), expected,
                          label=f"{shape} values only", **NUMERICAL))
    return calls


@cases("_singular_values_adjoint")
def singular_values_adjoint(rng, ns):
    calls = []
    for shape in ((4, 3), (3, 4), (2, 3, 3)):
        a = normal(rng, *shape)
        g = normal(rng, *np.linalg.svd(a, compute_uv=False).shape)
        expected = vjp(lambda a: np.linalg.svd(a, compute_uv=False), [a], 0, g)
        calls.append(Call((g, a), expected, label=str(shape), **NUMERICAL))
    return calls


# ---- nn: convolution, pooling, softmax -----------------------------------------------------------


def as_tuple(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def conv_reference(x, w, stride, padding, dilation):
    """Deep learning's convolution, one output position and kernel offset at a time."""
    k = w.ndim - 2
    batch = x if x.ndim == w.ndim else x[None]
    stride, padding, dilation = (as_tuple(v, k) for v in (stride, padding, dilation))
    spatial = batch.shape[2:]
    padded = np.zeros(batch.shape[:2] + tuple(n + 2 * p for n, p in zip(spatial, padding)))
    padded[(slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in zip(padding, spatial))] = batch
    size = w.shape[2:]
    out = tuple((n - d * (s - 1) - 1) // t + 1
                for n, s, t, d in zip(padded.shape[2:], size, stride, dilation))
    y = np.zeros((batch.shape[0], w.shape[0]) + out)
    everything = (slice(None), slice(None))
    for o in np.ndindex(*out):
        for q in np.ndindex(*size):
            at = tuple(oi * t + qi * d for oi, qi, t, d in zip(o, q, stride, dilation))
            y[everything + o] += padded[everything + at] @ w[everything + q].T
    return y if x.ndim == w.ndim else y[0]


CONV_CASES = [((2, 2, 5, 6), (3, 2, 2, 3), 1, 0, 1), ((1, 2, 6, 5), (2, 2, 3, 2), (2, 1), (1, 0), (1, 2)),
              ((2, 5, 4), (3, 2, 2, 2), 1, 1, 1), ((2, 2, 7), (3, 2, 3), 2, 1, 2), ((2, 6), (1, 2, 2), 1, 0, 1)]


@cases("_conv")
def conv(rng, ns):
    calls = []
    for x_shape, w_shape, stride, padding, dilation in CONV_CASES:
        x, w = normal(rng, *x_shape), normal(rng, *w_shape)
        calls.append(Call((x, w, stride, padding, dilation), conv_reference(x, w, stride, padding, dilation),
                          label=f"{x_shape} {w_shape} {stride} {padding} {dilation}", rtol=1e-10))
    return calls


def conv_adjoint_cases(rng, k):
    calls = []
    for x_shape, w_shape, stride, padding, dilation in CONV_CASES:
        x, w = normal(rng, *x_shape), normal(rng, *w_shape)

        def f(x, w, options=(stride, padding, dilation)):
            return conv_reference(x, w, *options)

        g = normal(rng, *f(x, w).shape)
        calls.append(Call((g, x, w, stride, padding, dilation), vjp(f, [x, w], k, g),
                          label=f"{x_shape} {w_shape} {stride} {padding} {dilation}", **NUMERICAL))
    return calls


@cases("_conv_dweight")
def conv_dweight(rng, ns):
    return conv_adjoint_cases(rng, 1)


@cases("_conv_dinput")
def conv_dinput(rng, ns):
    return conv_adjoint_cases(rng, 0)


@cases("_conv_options")
def conv_options(rng, ns):
    x, w = normal(rng, 2, 5), normal(rng, 3, 2, 2)
    batched = normal(rng, 4, 2, 5, 5)
    return [
        Call((x, w, 2, 0, 1, 1), (x[None], ((2,), (0,), (1,))), label="unbatched"),
        Call((batched, normal(rng, 3, 2, 2, 2), (1, 2), 1, [1, 1], 2),
             (batched, ((1, 2), (1, 1), (1, 1))), label="batched"),
        Call((x, normal(rng, 3, 2), 1, 0, 1, 1), raises=(ValueError, "needs a 3-d kernel"),
             label="kernel rank"),
        Call((normal(rng, 3, 5), w, 1, 0, 1, 1), raises=(ValueError, r"needs an input of shape \(N, 2"),
             label="channels"),
        Call((x, w, (1, 2), 0, 1, 1), raises=(ValueError, "stride needs 1 values"), label="stride"),
    ]


@cases("_spatial")
def spatial(rng, ns):
    return [
        Call((2, 3, "stride"), (2, 2, 2)),
        Call(((1, 2), 2, "stride"), (1, 2), label="a tuple"),
        Call(([np.int64(3)], 1, "size"), (3,), label="a list"),
        Call(([1, 2, 3], 2, "padding"),
             raises=(ValueError, r"padding needs 2 values, one per spatial axis, got \[1, 2, 3\]"),
             label="too many"),
    ]


@cases("_output_size")
def output_size(rng, ns):
    def windows(n, size, stride, dilation):
        span = dilation * (size - 1) + 1
        return len(range(0, n - span + 1, stride))

    return [Call(args, windows(*args), label=str(args))
            for args in ((7, 3, 2, 1), (5, 3, 1, 2), (6, 2, 3, 1), (4, 4, 1, 1))] + [
        Call((4, 3, 1, 2), raises=(ValueError, "spanning 5 elements does not fit an axis of 4"),
             label="too wide")]


@cases("_window_part")
def window_part(rng, ns):
    x = normal(rng, 2, 9, 9)
    offset, stride, dilation, out = (1, 2), (2, 1), (1, 2), (3, 2)
    picked = np.empty((2,) + out)
    for o in np.ndindex(*out):
        at = tuple(oi * s + qi * d for oi, qi, s, d in zip(o, offset, stride, dilation))
        picked[(slice(None),) + o] = x[(slice(None),) + at]
    return [
        Call((offset, stride, dilation, out), (Ellipsis, slice(1, 6, 2), slice(4, 6, 1))),
        Call((offset, stride, dilation, out), True, label="picks each window's element",
             view=lambda index, *args: np.array_equal(x[index], picked)),
    ]


def windows_reference(x, size, stride, dilation):
    k = len(size)
    lead, spatial = x.shape[:x.ndim - k], x.shape[x.ndim - k:]
    out = tuple((n - d * (s - 1) - 1) // t + 1 for n, s, t, d in zip(spatial, size, stride, dilation))
    result = np.empty(lead + out + tuple(size))
    for o in np.ndindex(*out):
        for q in np.ndindex(*size):
            at = tuple(oi * t + qi * d for oi, qi, t, d in zip(o, q, stride, dilation))
            result[(Ellipsis,) + o + q] = x[(Ellipsis,) + at]
    return result


@cases("_windows")
def windows(rng, ns):
    calls = []
    for shape, size, stride, dilation in (((2, 5, 6), (2, 3), (1, 2), (1, 1)),
                                          ((3, 7), (3,), (2,), (2,)), ((2, 1, 4, 4), (2, 2), (2, 2), (1, 1))):
        x = normal(rng, *shape)
        calls.append(Call((x, size, stride, dilation), windows_reference(x, size, stride, dilation),
                          label=f"{shape} {size} {stride} {dilation}"))
    return calls


@cases("_padded")
def padded(rng, ns):
    x = normal(rng, 2, 3, 4)
    expected = np.zeros((2, 5, 4))
    expected[:, 1:4, :] = x
    other = np.zeros((2, 5, 8))
    other[:, 1:4, 2:6] = x
    return [Call((x, (1, 0)), expected), Call((x, (1, 2)), other, label="two axes"),
            Call((x, (0, 0)), x, label="none")]


@cases("_im2col")
def im2col(rng, ns):
    calls = []
    for shape, size, stride, padding, dilation in (((2, 2, 4, 5), (2, 3), (1, 2), (1, 0), (1, 1)),
                                                   ((1, 3, 6), (2,), (2,), (1,), (2,))):
        x = normal(rng, *shape)
        k = len(size)
        padded_x = np.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding))
        windows = windows_reference(padded_x, size, stride, dilation)  # N, C, *out, *size
        out = windows.shape[2:2 + k]
        expected = np.empty((shape[0], shape[1] * int(np.prod(size))) + out)
        for c in range(shape[1]):
            for j, q in enumerate(np.ndindex(*size)):
                expected[:, c * int(np.prod(size)) + j] = windows[(slice(None), c, Ellipsis) + q]
        calls.append(Call((x, size, stride, padding, dilation), expected,
                          label=f"{shape} {size} {stride} {padding} {dilation}"))
    return calls


def pool_reference(x, size, stride, dims, reduce):
    size = as_tuple(size, dims)
    stride = size if stride is None else as_tuple(stride, dims)
    lead, spatial = x.shape[:x.ndim - dims], x.shape[x.ndim - dims:]
    out = tuple((n - s) // t + 1 for n, s, t in zip(spatial, size, stride))
    y = np.empty(lead + out)
    for o in np.ndindex(*out):
        window = x[(Ellipsis,) + tuple(slice(oi * t, oi * t + s) for oi, t, s in zip(o, stride, size))]
        y[(Ellipsis,) + o] = reduce(window.reshape(lead + (-1,)), axis=-1)
    return y


POOL_CASES = [((2, 3, 6, 6), 2, None, 2), ((1, 2, 5, 7), (2, 3), (1, 2), 2), ((2, 3, 7), 3, 2, 1),
              ((5, 4), 2, 1, 2), ((6,), 2, None, 1)]


@cases("_pool_options")
def pool_options(rng, ns):
    x = normal(rng, 1, 2, 5, 6)
    return [
        Call((x, 2, None, 2), ((2, 2), (2, 2), (2, 3)), label="stride defaults to the size"),
        Call((x, (2, 3), 1, 2), ((2, 3), (1, 1), (4, 4)), label="stride 1"),
        Call((x, 3, 2, 1), ((3,), (2,), (2,)), label="1-d"),
        Call((normal(rng, 4), 2, None, 2), raises=(ValueError, "2-d pool needs an input of at least 2"),
             label="too few axes"),
    ]


def pool_cases(rng, reduce):
    return [Call((x, size, stride, dims), pool_reference(x, size, stride, dims, reduce),
                 label=f"{shape} {size} {stride} {dims}")
            for shape, size, stride, dims in POOL_CASES for x in [normal(rng, *shape)]]


@cases("_max_pool")
def max_pool(rng, ns):
    return pool_cases(rng, np.max)


@cases("_avg_pool")
def avg_pool(rng, ns):
    return pool_cases(rng, np.mean)


def pool_adjoint_cases(rng, reduce, with_output):
    calls = []
    for shape, size, stride, dims in POOL_CASES:
        x = normal(rng, *shape)

        def f(x, options=(size, stride, dims)):
            return pool_reference(x, *options, reduce)

        y = f(x)
        g = normal(rng, *y.shape)
        args = (g, x, y, size, stride, dims) if with_output else (g, x, size, stride, dims)
        calls.append(Call(args, vjp(f, [x], 0, g), label=f"{shape} {size} {stride} {dims}",
                          **NUMERICAL))
    return calls


@cases("_max_pool_dinput")
def max_pool_dinput(rng, ns):
    calls = pool_adjoint_cases(rng, np.max, True)
    # Ties: each window's adjoint goes to the first of its maxima, in row-major order.
    x = np.array([[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    for stride in (1, 2):
        y = pool_reference(x, 2, stride, 2, np.max)
        g = normal(rng, *y.shape)
        expected = np.zeros_like(x)
        for o in np.ndindex(*y.shape):
            window = x[o[0] * stride:o[0] * stride + 2, o[1] * stride:o[1] * stride + 2]
            first = np.unravel_index(np.argmax(window), window.shape)
            expected[o[0] * stride + first[0], o[1] * stride + first[1]] += g[o]
        calls.append(Call((g, x, y, 2, stride, 2), expected, label=f"ties, stride {stride}"))
    return calls


@cases("_avg_pool_dinput")
def avg_pool_dinput(rng, ns):
    return pool_adjoint_cases(rng, np.mean, False)


def log_softmax_reference(x, axis):
    return x - np.log(np.sum(np.exp(x), axis=axis, keepdims=True))


@cases("_log_softmax")
def log_softmax(rng, ns):
    x = normal(rng, 3, 4)
    return [Call((x, axis), log_softmax_reference(x, axis), label=str(axis)) for axis in (-1, 0)] + [
        Call((x + 1000.0, -1), log_softmax_reference(x, -1), label="no overflow", rtol=1e-9, atol=1e-9)]


@cases("_softmax")
def softmax(rng, ns):
    x = normal(rng, 3, 4)
    expected = [np.exp(x) / np.sum(np.exp(x), axis=axis, keepdims=True) for axis in (-1, 0)]
    return [Call((x, -1), expected[0]), Call((x, 0), expected[1], label="axis 0"),
            Call((x + 1000.0, -1), expected[0], label="no overflow", rtol=1e-9)]


def logsumexp_reference(x, axis, keepdims):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


@cases("_logsumexp")
def logsumexp(rng, ns):
    x = normal(rng, 3, 4)
    calls = [Call((x, axis, keepdims), np.asarray(logsumexp_reference(x, axis, keepdims)),
                  label=f"{axis} {keepdims}")
             for axis, keepdims in ((None, False), (1, False), (0, True), ((0, 1), True))]
    calls.append(Call((x + 1000.0, 1, False), logsumexp_reference(x, 1, False) + 1000.0,
                      label="no overflow"))
    return calls


@cases("_logsumexp_dinput")
def logsumexp_dinput(rng, ns):
    calls = []
    x = normal(rng, 3, 4)
    for axis, keepdims in ((None, False), (1, False), (0, True), (-1, True)):
        y = np.asarray(logsumexp_reference(x, axis, keepdims))
        g = np.asarray(normal(rng, *y.shape))
        expected = vjp(partial(logsumexp_reference, axis=axis, keepdims=keepdims), [x], 0, g)
        calls.append(Call((g, x, y, axis, keepdims), expected, label=f"{axis} {keepdims}", **NUMERICAL))
    return calls


def cross_entropy_reference(logits, labels):
    rows = logits.reshape(-1, logits.shape[-1])
    picked = rows[np.arange(rows.shape[0]), labels.reshape(-1)]
    return float(np.mean(np.log(np.sum(np.exp(rows), axis=-1)) - picked))


@cases("_cross_entropy")
def cross_entropy(rng, ns):
    calls = []
    for shape in ((4, 3), (2, 3, 5)):
        logits = normal(rng, *shape)
        labels = rng.integers(0, shape[-1], shape[:-1])
        calls.append(Call((logits, labels), np.asarray(cross_entropy_reference(logits, labels)),
                          label=str(shape)))
    return calls


@cases("_cross_entropy_dlogits")
def cross_entropy_dlogits(rng, ns):
    calls = []
    for shape in ((4, 3), (2, 3, 5)):
        logits = normal(rng, *shape)
        labels = rng.integers(0, shape[-1], shape[:-1])
        g = np.asarray(1.7)
        expected = vjp(partial(cross_entropy_reference, labels=labels), [logits], 0, g)
        calls.append(Call((g, logits, labels), expected, label=str(shape), **NUMERICAL))
    return calls


@cases("_picked")
def picked(rng, ns):
    values = normal(rng, 2, 3, 4)
    labels = rng.integers(0, 4, (2, 3))
    expected = np.array([[values[i, j, labels[i, j]] for j in range(3)] for i in range(2)])
    return [Call((values, labels), expected), Call((values[0], labels[0]), expected[0], label="1-D")]


@cases("_one_hot")
def one_hot(rng, ns):
    labels = np.array([[2, 0], [1, 1]])
    expected = np.zeros((2, 2, 3), dtype=bool)
    for i, j in np.ndindex(2, 2):
        expected[i, j, labels[i, j]] = True
    return [Call((labels, 3), expected), Call((labels[0], 4), np.eye(4, dtype=bool)[[2, 0]],
                                               label="1-D")]


# ---- reductions ----------------------------------------------------------------------------------


@cases("_zeros_to_ones")
def zeros_to_ones(rng, ns):
    return [Call((np.array([0.0, 2.0, -3.0, 0.0]),), np.array([1.0, 2.0, -3.0, 1.0]))]


@cases("_reduction_axes")
def reduction_axes(rng, ns):
    return [Call((None, 3), (0, 1, 2)), Call((-1, 3), (2,), label="negative"),
            Call(((0, -2), 4), (0, 2), label="a tuple")]


@cases("_product_of_others")
def product_of_others(rng, ns):
    calls = []
    x = normal(rng, 2, 3, 4)
    zeros = x.copy()
    zeros[0, 1, 2] = 0.0
    zeros[1, 0, :2] = 0.0
    for values, label in ((x, ""), (zeros, "with zeros")):
        for axis in (1, None, (0, 2), -1):
            # The derivative of a product by one element is the product of the others.
            expected = vjp(partial(np.prod, axis=axis), [values], 0,
                           np.ones(np.prod(values, axis=axis).shape))
            calls.append(Call((values, axis), expected, label=f"{axis} {label}", **NUMERICAL))
    return calls


@cases("_reverse_cumsum")
def reverse_cumsum(rng, ns):
    calls = []
    for axis in (0, 1, -1):
        g = normal(rng, 3, 4)
        calls.append(Call((g, axis), vjp(partial(np.cumsum, axis=axis), [normal(rng, 3, 4)], 0, g),
                          label=str(axis), **NUMERICAL))
    return calls


@cases("_cumprod_adjoint")
def cumprod_adjoint(rng, ns):
    calls = []
    x = normal(rng, 3, 5)
    one_zero, two_zeros = x.copy(), x.copy()
    one_zero[1, 2] = 0.0
    two_zeros[2, 1] = two_zeros[2, 3] = 0.0
    two_zeros[0, 0] = 0.0
    for values, label in ((x, ""), (one_zero, "a zero"), (two_zeros, "zeros")):
        for axis in (1, 0):
            y = np.cumprod(values, axis=axis)
            g = normal(rng, *y.shape)
            calls.append(Call((g, values, y, axis), vjp(partial(np.cumprod, axis=axis), [values], 0, g),
                              label=f"{axis} {label}", **NUMERICAL))
    return calls


@cases("_count_numbers")
def count_numbers(rng, ns):
    x = np.array([[1.0, np.nan, 2.0], [np.nan, np.nan, np.nan]])
    return [
        Call((x, 1), np.array([[2.0], [1.0]]), label="a row of nan counts 1"),
        Call((x, None), np.array([[2.0]]), label="every axis"),
        Call((x.astype(np.float32), 0), np.array([[1.0, 1.0, 1.0]], np.float32), label="float32"),
    ]


@cases("_average_weights")
def average_weights(rng, ns):
    a = normal(rng, 2, 3, 4)
    full, row, pair = normal(rng, 2, 3, 4), normal(rng, 3), normal(rng, 4, 2)
    calls = [
        Call((full, a, None), full, label="a's shape"),
        Call((row, a, 1), row.reshape(1, 3, 1), label="one axis"),
        Call((pair, a, (2, 0)), pair.T.reshape(2, 1, 4), label="two axes, in the axes' order"),
    ]
    # np.average weighs with exactly these weights.
    calls.append(Call((row, a, 1), np.average(a, axis=1, weights=row), label="as np.average",
                      view=lambda w, weights, a, axis: (a * w).sum(axis=1) / w.sum(axis=1)))
    return calls


AVERAGE_CASES = [((3, 4), None, None), ((3, 4), (3, 4), 1), ((3, 4), (4,), 1), ((2, 3, 4), (3,), 1),
                 ((2, 3, 4), (2, 3, 4), None), ((3, 4), (3,), 0)]


def positive_weights(rng, shape):
    return None if shape is None else rng.uniform(0.5, 2.0, shape)


@cases("_average_adjoint")
def average_adjoint(rng, ns):
    calls = []
    for a_shape, w_shape, axis in AVERAGE_CASES:
        a, weights = normal(rng, *a_shape), positive_weights(rng, w_shape)
        g = np.asarray(normal(rng, *np.shape(np.average(a, axis=axis, weights=weights))))
        expected = vjp(partial(np.average, axis=axis, weights=weights), [a], 0, g)
        calls.append(Call((g, a, weights, axis), expected, label=f"{a_shape} {w_shape} {axis}",
                          **NUMERICAL))
    return calls


@cases("_average_weights_adjoint")
def average_weights_adjoint(rng, ns):
    calls = []
    for a_shape, w_shape, axis in AVERAGE_CASES[1:]:
        a, weights = normal(rng, *a_shape), positive_weights(rng, w_shape)
        y = np.asarray(np.average(a, axis=axis, weights=weights))
        g = np.asarray(normal(rng, *y.shape))
        expected = vjp(lambda w, a=a, axis=axis: np.average(a, axis=axis, weights=w), [weights], 0, g)
        calls.append(Call((g, a, y, weights, axis), expected, label=f"{a_shape} {w_shape} {axis}",
                          **NUMERICAL))
    return calls


@cases("_diff_adjoint")
def diff_adjoint(rng, ns):
    calls = []
    a = normal(rng, 4, 5)
    for n, axis in ((1, -1), (2, -1), (1, 0), (3, 1), (0, -1)):
        g = normal(rng, *np.diff(a, n=n, axis=axis).shape)
        calls.append(Call((g, n, axis), vjp(partial(np.diff, n=n, axis=axis), [a], 0, g),
                          label=f"n={n} axis={axis}", **NUMERICAL))
    return calls


@cases("_diff_unpadded")
def diff_unpadded(rng, ns):
    a = normal(rng, 3, 4)
    calls = []
    for prepend, append, axis in ((None, None, 1), (0.0, None, 1), (None, 2.0, 0), (0.0, 1.0, 0)):
        def f(a, options=(axis, prepend, append)):
            axis, prepend, append = options
            parts = ([np.broadcast_to(prepend, a.shape[:axis] + (1,) + a.shape[axis + 1:])]
                     if prepend is not None else []) + [a] + (
                [np.broadcast_to(append, a.shape[:axis] + (1,) + a.shape[axis + 1:])]
                if append is not None else [])
            return np.concatenate(parts, axis=axis)

        g = normal(rng, *f(a).shape)
        calls.append(Call((g, a, axis, prepend, append), vjp(f, [a], 0, g),
                          label=f"{prepend} {append} {axis}", **NUMERICAL))
    return calls


@cases("_diff_unpadded")
def diff_unpadded_array(rng, ns):
    a, prepend = normal(rng, 3, 4), normal(rng, 3, 2)
    g = normal(rng, 3, 6)

    def f(a):
        return np.concatenate([prepend, a], axis=1)

    return [Call((g, a, 1, prepend, None), vjp(f, [a], 0, g), **NUMERICAL)]


@cases("_trace_adjoint")
def trace_adjoint(rng, ns):
    calls = []
    for shape, offset, axis1, axis2 in (((3, 3), 0, 0, 1), ((3, 4), 1, 0, 1), ((4, 3), -1, 0, 1),
                                        ((2, 3, 4), -1, 2, 0), ((2, 3, 4), 1, 1, 2)):
        x = normal(rng, *shape)
        g = np.asarray(normal(rng, *np.shape(np.trace(x, offset, axis1, axis2))))
        expected = vjp(partial(np.trace, offset=offset, axis1=axis1, axis2=axis2), [x], 0, g)
        calls.append(Call((g, x, offset, axis1, axis2), expected,
                          label=f"{shape} {offset} {axis1} {axis2}", **NUMERICAL))
    return calls


def norm_case(rng, x, ord, axis, keepdims=False):
    y = np.asarray(np.linalg.norm(x, ord, axis, keepdims))
    g = np.asarray(normal(rng, *y.shape))
    return y, g, vjp(lambda x: np.linalg.norm(x, ord, axis, keepdims), [x], 0, g)


@cases("_vector_norm_adjoint")
def vector_norm_adjoint(rng, ns):
    calls = []
    x = normal(rng, 3, 4)
    for ord in (1, 3, 0.5, -1.5, np.inf, -np.inf, 2):
        for axis in (1, 0):
            y, g, expected = norm_case(rng, x, ord, axis)
            calls.append(Call((g, x, y, ord, axis), expected, label=f"{ord} {axis}", **NUMERICAL))
    # Where the norm has no derivative, the adjoint is 0; ties of inf share it.
    z = np.array([[0.0, 2.0, -1.0], [0.0, 0.0, 0.0]])
    g = np.array([1.0, 1.0])
    y = np.linalg.norm(z, 0.5, 1)
    expected = np.zeros_like(z)  # the all-zero row has no derivative: 0
    expected[0, 1:] = np.sign(z[0, 1:]) * (np.abs(z[0, 1:]) / y[0]) ** (0.5 - 1)
    calls.append(Call((g, z, y, 0.5, 1), expected * g[:, None], label="zeros", rtol=1e-10))
    ties = np.array([[3.0, -3.0, 1.0], [2.0, 2.0, 2.0]])
    g = np.array([2.0, 3.0])
    calls.append(Call((g, ties, np.linalg.norm(ties, np.inf, 1), np.inf, 1),
                      np.array([[1.0, -1.0, 0.0], [1.0, 1.0, 1.0]]), label="ties"))
    return calls


@cases("_matrix_norm_adjoint")
def matrix_norm_adjoint(rng, ns):
    calls = []
    x = normal(rng, 2, 3, 4)
    for ord in ("nuc", 2, -2, 1, -1, np.inf, -np.inf):
        for axis in ((1, 2), (2, 0)):
            _, g, expected = norm_case(rng, x, ord, axis)
            calls.append(Call((g, x, ord, axis), expected, label=f"{ord} {axis}", rtol=1e-5, atol=1e-7))
    return calls


@cases("_norm_adjoint")
def norm_adjoint(rng, ns):
    calls = []
    for shape, ord in (((4,), 3), ((4,), np.inf), ((3, 4), "nuc"), ((3, 4), 1), ((3, 3), -2)):
        x = normal(rng, *shape)
        y, g, expected = norm_case(rng, x, ord, None)
        calls.append(Call((g, x, y, ord), expected, label=f"{shape} {ord}", rtol=1e-5, atol=1e-7))
    return calls


# ---- sequences: joins and splits -----------------------------------------------------------------


JOINS = [  # (join, arrays' shapes, axis, ndmin) as the rules call _joined_part
    (lambda xs: np.concatenate(xs, axis=0), [(2, 3), (4, 3)], 0, 0),
    (lambda xs: np.concatenate(xs, axis=1), [(2, 3), (2, 1), (2, 2)], 1, 0),
    (lambda xs: np.concatenate(xs, axis=-1), [(2, 3), (2, 1)], -1, 0),
    (lambda xs: np.concatenate(xs, axis=None), [(2, 3), (4,)], None, 0),
    (np.vstack, [(3,), (3,)], 0, 2),
    (np.vstack, [(2, 3), (3,)], 0, 2),
    (np.hstack, [(2,), (3,)], 1, 1),
    (np.hstack, [(2, 1), (2, 3)], 1, 1),
    (lambda xs: np.concatenate(xs, axis=0), [(2,), (2,)], 0, 0),
]


@cases("_joined_part")
def joined_part(rng, ns):
    calls = []
    for join, shapes, axis, ndmin in JOINS:
        arrays = [normal(rng, *shape) for shape in shapes]
        g = normal(rng, *join(arrays).shape)
        for i in range(len(arrays)):
            def f(x, i=i, arrays=arrays, join=join):
                return join(arrays[:i] + [x] + arrays[i + 1:])

            calls.append(Call((g, arrays, i, axis, ndmin), vjp(f, [arrays[i]], 0, g),
                              label=f"{shapes} {axis} {ndmin} {i}", **NUMERICAL))
    return calls


@cases("_joined_parts")
def joined_parts(rng, ns):
    calls = []
    for join, shapes, axis, ndmin in JOINS:
        arrays = [normal(rng, *shape) for shape in shapes]
        g = normal(rng, *join(arrays).shape)
        expected = []
        for i in range(len(arrays)):
            def f(x, i=i, arrays=arrays, join=join):
                return join(arrays[:i] + [x] + arrays[i + 1:])

            expected.append(vjp(f, [arrays[i]], 0, g))
        calls.append(Call((g, arrays, axis, ndmin), expected, label=f"{shapes} {axis} {ndmin}",
                          **NUMERICAL))
        calls.append(Call((g, tuple(arrays), axis, ndmin), expected, label=f"a tuple {shapes}",
                          **NUMERICAL))
    stacked = normal(rng, 3, 2, 4)  # np.concatenate of an array joins its rows
    g = normal(rng, 6, 4)
    calls.append(Call((g, stacked, 0, 0), vjp(lambda x: np.concatenate(x, axis=0), [stacked], 0, g),
                      label="an array of arrays", **NUMERICAL))
    return calls


@cases("_raised")
def raised(rng, ns):
    def atleast(shape, ndmin):
        return {1: np.atleast_1d, 2: np.atleast_2d}[ndmin](np.empty(shape)).shape

    return [Call((shape, ndmin), atleast(shape, ndmin), label=f"{shape} {ndmin}")
            for shape in ((), (3,), (2, 3), (2, 3, 4)) for ndmin in (1, 2)] + [
        Call(((3,), 0), (3,), label="ndmin 0")]


@cases("_joined_from_parts")
def joined_from_parts(rng, ns):
    calls = []
    for shape, sections, axis, uneven, kept in (((6, 2), 3, 0, False, (0, 2)),
                                                ((2, 6), [1, 3], 1, False, (1,)),
                                                ((2, 7), 3, -1, True, (0, 1, 2)),
                                                ((5,), 2, 0, True, (1,))):
        x = normal(rng, *shape)
        split = np.array_split if uneven else np.split
        parts = split(x, sections, axis)
        grads = {k: normal(rng, *parts[k].shape) for k in kept}

        def f(x, split=split, sections=sections, axis=axis, kept=kept):
            return tuple(split(x, sections, axis)[k] for k in kept)

        expected = vjp(f, [x], 0, tuple(grads[k] for k in kept))
        calls.append(Call((grads, x, sections, axis, uneven), expected,
                          label=f"{shape} {sections} {axis} {uneven}", **NUMERICAL))
    return calls


# ---- shape and indexing -------------------------------------------------------------------------


@cases("_negated")
def negated(rng, ns):
    x = normal(rng, 4, 5)
    return [Call((2,), -2), Call(((1, -2),), (-1, 2), label="a tuple"),
            Call(([1, 2],), (-1, -2), label="a list"),
            Call(((1, -2),), True, label="undoes the roll", view=lambda shift, s: np.array_equal(
                np.roll(np.roll(x, s, axis=(0, 1)), shift, axis=(0, 1)), x))]


@cases("_untile")
def untile(rng, ns):
    calls = []
    for shape, reps in (((2, 3), 2), ((2, 3), (2, 1, 3)), ((2, 3), (2,)), ((3,), (2, 2)), ((2, 3), [1, 2])):
        a = normal(rng, *shape)
        g = normal(rng, *np.tile(a, reps).shape)
        calls.append(Call((g, a, reps), vjp(partial(np.tile, reps=reps), [a], 0, g),
                          label=f"{shape} {reps}", **NUMERICAL))
    return calls


@cases("_unrepeat")
def unrepeat(rng, ns):
    calls = []
    for shape, repeats, axis in (((2, 3), 2, 1), ((3, 2), np.array([1, 0, 2]), 0), ((2, 3), 3, None),
                                 ((2, 3), [2, 1, 1, 0, 2, 1], None), ((2, 3), [1, 2], -2),
                                 ((2, 3), np.array(2), 0)):
        a = normal(rng, *shape)
        g = normal(rng, *np.repeat(a, repeats, axis).shape)
        calls.append(Call((g, a, repeats, axis), vjp(partial(np.repeat, repeats=repeats, axis=axis), [a], 0, g),
                          label=f"{shape} {repeats} {axis}", **NUMERICAL))
    return calls


@cases("_elements")
def elements(rng, ns):
    return [Call((shape,), int(np.prod(shape, dtype=int)), label=str(shape))
            for shape in ((2, 3, 4), (), (0, 5), (7,))]


@cases("_pad_widths")
def pad_widths(rng, ns):
    a = normal(rng, 2, 3)
    return [Call((a, 1), [(1, 1), (1, 1)]), Call((a, (1, 2)), [(1, 2), (1, 2)], label="a pair"),
            Call((a, ((1, 2), (0, 3))), [(1, 2), (0, 3)], label="per axis"),
            Call((a, [[2], [1]]), [(2, 2), (1, 1)], label="one per axis")]


@cases("_unpadded")
def unpadded(rng, ns):
    a = normal(rng, 2, 3)
    return [Call((a, ((1, 2), (0, 3))), (slice(1, 3), slice(0, 3))),
            Call((a, ((1, 2), (0, 3))), True, label="selects a in the padded array",
                 view=lambda index, a_, widths: np.array_equal(np.pad(a, widths)[index], a))]


@cases("_pad_fill_adjoint")
def pad_fill_adjoint(rng, ns):
    calls = []
    a = normal(rng, 2, 3)
    for widths, constants in ((((1, 2), (0, 3)), 1.5), ((1, 2), np.array([1.0, 2.0])),
                              (((1, 0), (2, 1)), np.array([[1.0, 2.0], [3.0, 4.0]])),
                              (((0, 0), (0, 0)), 2.0)):
        g = normal(rng, *np.pad(a, widths).shape)
        expected = vjp(lambda c, widths=widths: np.pad(a, widths, constant_values=c), [constants], 0, g)
        calls.append(Call((g, a, widths, constants), np.asarray(expected), label=f"{widths}",
                          **NUMERICAL))
    return calls


@cases("_pad_copies_adjoint")
def pad_copies_adjoint(rng, ns):
    calls = []
    a = normal(rng, 3, 4)
    for mode in ("edge", "reflect", "symmetric", "wrap"):
        for widths in (((1, 2), (2, 1)), 2):
            g = normal(rng, *np.pad(a, widths, mode=mode).shape)
            calls.append(Call((g, a, widths, mode), vjp(partial(np.pad, pad_width=widths, mode=mode), [a], 0, g),
                              label=f"{mode} {widths}", **NUMERICAL))
    return calls


@cases("_diag_adjoint")
def diag_adjoint(rng, ns):
    calls = []
    for shape, k in (((3,), 0), ((3,), 1), ((3,), -2), ((3, 4), 0), ((3, 4), -1), ((4, 3), 2)):
        v = normal(rng, *shape)
        g = normal(rng, *np.diag(v, k).shape)
        calls.append(Call((g, v, k), vjp(partial(np.diag, k=k), [v], 0, g), label=f"{shape} {k}",
                          **NUMERICAL))
    return calls


@cases("_diagonal_adjoint")
def diagonal_adjoint(rng, ns):
    calls = []
    for shape, offset, axis1, axis2 in (((3, 4), 1, 0, 1), ((3, 3), 0, 0, 1), ((2, 3, 4), -1, 2, 0),
                                        ((2, 3, 4), 0, 1, 2), ((4, 3), -2, 1, 0)):
        a = normal(rng, *shape)
        g = normal(rng, *np.diagonal(a, offset, axis1, axis2).shape)
        expected = vjp(partial(np.diagonal, offset=offset, axis1=axis1, axis2=axis2), [a], 0, g)
        calls.append(Call((g, a, offset, axis1, axis2), expected,
                          label=f"{shape} {offset} {axis1} {axis2}", **NUMERICAL))
    return calls


@cases("_cast_adjoint")
def cast_adjoint(rng, ns):
    g32, x = normal(rng, 3).astype(np.float32), normal(rng, 3)
    return [
        Call((g32, x, x.astype(np.float32)), g32.astype(np.float64), label="float32 back to float64"),
        Call((x, x.astype(np.float32), x), x.astype(np.float32), rtol=1e-6, label="to float32"),
        Call((x, np.arange(3), x), np.zeros(3), label="from integers: none"),
        Call((np.arange(3), x, np.arange(3)), np.zeros(3), label="to integers: none"),
        Call((2.0, np.array(1.5, np.float32), np.array(1.5)), np.array(2.0, np.float32),
             label="a number"),
    ]


@cases("_sort_adjoint")
def sort_adjoint(rng, ns):
    calls = []
    a = normal(rng, 3, 4)
    for axis in (-1, 0, None):
        g = normal(rng, *np.sort(a, axis=axis).shape)
        calls.append(Call((g, a, axis), vjp(partial(np.sort, axis=axis), [a], 0, g), label=str(axis),
                          **NUMERICAL))
    return calls


@cases("_in_sorted_order")
def in_sorted_order(rng, ns):
    calls = []
    a = normal(rng, 3, 4)
    for axis in (-1, 0, None):
        t = normal(rng, 3, 4)
        # The tangent of sort(a) along t: sort is linear where a has no ties.
        tangent = derivative(lambda h, t=t, axis=axis: np.sort(a + h * t, axis=axis), 0.0)
        calls.append(Call((t, a, axis), tangent, label=str(axis), **NUMERICAL))
    return calls


@cases("_take_index")
def take_index(rng, ns):
    calls = []
    a = normal(rng, 3, 4)
    for indices, axis in ((np.array([2, 0, 2]), 1), (np.array([[1, 0]]), 0), (np.array([5, -1, 11]), None),
                          (1, -1), (np.array([0, 2]), -2)):
        calls.append(Call((indices, a, axis), np.take(a, indices, axis=axis),
                          label=f"{indices.tolist() if hasattr(indices, 'tolist') else indices} {axis}",
                          view=lambda index, indices, a_, axis: a_[index]))
    return calls


@cases("_along_axis_index")
def along_axis_index(rng, ns):
    calls = []
    a = normal(rng, 3, 4)
    for indices, axis in ((np.array([[0, 3], [1, 1], [2, 0]]), 1), (np.array([[2, 0, 1, 1]]), 0),
                          (np.array([[0, 1, 2, 0]]), -2), (np.array([7, 0, 11]), None)):
        calls.append(Call((indices, a, axis), np.take_along_axis(a, indices, axis=axis),
                          label=f"{indices.shape} {axis}",
                          view=lambda index, indices, a_, axis: a_[index]))
    return calls


@cases("_selects_once")
def selects_once(rng, ns):
    mask = normal(rng, 3) > 0
    return [
        Call((1,), True, label="an int"),
        Call(((slice(None), 2),), True, label="a slice and an int"),
        Call(((None, Ellipsis, slice(1, 2)),), True, label="None and ..."),
        Call((mask,), True, label="a mask"),
        Call((np.array(2),), True, label="a 0-d integer array"),
        Call((np.array([0, 1]),), False, label="an integer array"),
        Call(((slice(None), np.array([1, 1])),), False, label="an integer array in a tuple"),
        Call(([0, 1],), False, label="a list"),
    ]


REPEATS = "writes different values into the same element"


@cases("_write_labels")
def write_labels(rng, ns):
    repeated = Call((normal(rng, 5), np.array([0, 2, 2, 4]), normal(rng, 4)),
                    np.array([0, -1, 2, -1, 3]), label="repeated: NumPy keeps the last")
    if ns.fake:
        repeated = Call(repeated.args, raises=(ValueError, REPEATS), label="repeated: refused")
    return [
        Call((normal(rng, 5), (slice(1, 3),), 7.0), np.array([-1, 0, 0, -1, -1]), label="a number"),
        Call((normal(rng, 3, 4), (slice(None), np.array([1, 3])), normal(rng, 2)),
             np.array([[-1, 0, -1, 1]] * 3), label="a broadcast row"),
        Call((normal(rng, 4), np.array([1, 1]), normal(rng, 1)), np.array([-1, 0, -1, -1]),
             label="repeated, the same value element"),
        repeated,
    ]


@cases("_check_one_write_kept")
def check_one_write_kept(rng, ns):
    labels = np.array([0, -1, 2, -1, 3])
    return [
        Call((labels, np.array([0, 2, 2, 4]), np.array([0, 1, 2, 3])), raises=(ValueError, REPEATS),
             label="two elements into one"),
        Call((labels, np.array([0, 2, 4]), np.array([0, 2, 3])), None, label="one each"),
        Call((np.array([-1, 0, 0]), np.array([1, 2, 1]), np.array([[0, 0, 0]])), None,
             label="the same element twice"),
    ]


def write(y, index, value):
    """`y[index] = value` in a copy: the forward whose adjoint `_written` computes."""
    y = y.copy()
    y[index] = value
    return y


WRITES = [((3, 4), (slice(None), slice(1, 3)), (3, 2)), ((3, 4), 1, (4,)), ((3, 4), (slice(None), 2), ()),
          ((3, 4), (slice(None), slice(0, 2)), (1, 2)), ((5,), np.array([4, 0, 2]), (3,)),
          ((3, 4), np.array([[True, False, True, False]] * 3), (6,)), ((2, 3), (None, slice(None)), (2, 3))]


@cases("_written")
def written(rng, ns):
    calls = []
    for shape, index, value_shape in WRITES:
        value = normal(rng, *value_shape) if value_shape else 1.5
        g = normal(rng, *shape)
        expected = vjp(lambda v, shape=shape, index=index: write(np.zeros(shape), index, v), [value], 0, g)
        calls.append(Call((g, index, value), expected if value_shape else float(expected),
                          label=f"{shape} {value_shape}", **NUMERICAL))
    g, index, value = normal(rng, 5), np.array([0, 2, 2, 4]), normal(rng, 4)
    if ns.fake:
        calls.append(Call((g, index, value), raises=(ValueError, REPEATS), label="repeated: refused"))
    else:
        calls.append(Call((g, index, value), vjp(lambda v: write(np.zeros(5), index, v), [value], 0, g),
                          label="repeated: NumPy keeps the last", **NUMERICAL))
    return calls


@cases("_kept_writes")
def kept_writes(rng, ns):
    g = normal(rng, 5)
    labels = np.array([0, -1, 2, -1, 3])
    expected = np.zeros(4)
    for element, label in enumerate(labels):
        if label >= 0:
            expected[label] += g[element]
    twice = np.array([1, 1, -1, 0, 1])
    expected_twice = np.array([g[3], g[0] + g[1] + g[4]]).reshape(2, 1)
    return [Call((g, labels, labels >= 0, (4,)), expected),
            Call((g, twice, twice >= 0, (2, 1)), expected_twice, label="kept twice")]


@cases("_written_transpose")
def written_transpose(rng, ns):
    calls = []
    for shape, index, value_shape in WRITES:
        if not value_shape:
            continue
        y, value = normal(rng, *shape), normal(rng, *value_shape)
        t = normal(rng, *value_shape)

        def adjoint_of_value(g, index=index, value_shape=value_shape):
            # `_written` as plain NumPy: y's adjoint through the write, to the value's shape.
            return vjp(lambda v: write(np.zeros(g.shape), index, v), [np.zeros(value_shape)], 0, g)

        calls.append(Call((t, y, index, value), vjp(adjoint_of_value, [np.zeros(shape)], 0, t),
                          label=f"{shape} {value_shape}", **NUMERICAL))
    t, y, index, value = normal(rng, 4), normal(rng, 5), np.array([0, 2, 2, 4]), normal(rng, 4)
    if ns.fake:
        calls.append(Call((t, y, index, value), raises=(ValueError, REPEATS), label="repeated: refused"))
    else:
        calls.append(Call((t, y, index, value), np.array([t[0], 0.0, t[2], 0.0, t[3]]),
                          label="repeated: NumPy keeps the last"))
    return calls


# ---- signal: convolve, correlate, sliding windows, interp ---------------------------------------


def full_start(kept: np.ndarray, full: np.ndarray) -> int:
    """Where NumPy takes a 'same' or 'valid' result from the 'full' one."""
    starts = [s for s in range(full.size - kept.size + 1)
              if np.allclose(full[s:s + kept.size], kept, rtol=1e-12, atol=1e-12)]
    assert len(starts) == 1, starts
    return starts[0]


@cases("_full_length")
def full_length(rng, ns):
    calls = []
    for f, correlate in ((np.convolve, False), (np.correlate, True)):
        for a_size, v_size in ((6, 3), (3, 6), (5, 4), (4, 5)):
            a, v = normal(rng, a_size), normal(rng, v_size)
            full = f(a, v, "full")
            for mode in ("same", "valid", "full"):
                kept = f(a, v, mode)
                g = normal(rng, kept.size)
                expected = np.zeros(full.size)
                start = full_start(kept, full)
                expected[start:start + kept.size] = g
                calls.append(Call((g, a, v, correlate), expected,
                                  label=f"{f.__name__} {a_size} {v_size} {mode}"))
    return calls


def signal_cases(rng, f, k):
    calls = []
    for a_size, v_size in ((6, 3), (3, 6), (5, 4), (4, 4), (1, 3)):
        a, v = normal(rng, a_size), normal(rng, v_size)
        for mode in ("full", "same", "valid"):
            g = normal(rng, f(a, v, mode).size)
            calls.append(Call((g, a, v), vjp(partial(f, mode=mode), [a, v], k, g),
                              label=f"{a_size} {v_size} {mode}", **NUMERICAL))
    return calls


@cases("_convolve_dlhs")
def convolve_dlhs(rng, ns):
    return signal_cases(rng, np.convolve, 0)


@cases("_convolve_drhs")
def convolve_drhs(rng, ns):
    return signal_cases(rng, np.convolve, 1)


@cases("_correlate_dlhs")
def correlate_dlhs(rng, ns):
    return signal_cases(rng, np.correlate, 0)


@cases("_correlate_drhs")
def correlate_drhs(rng, ns):
    return signal_cases(rng, np.correlate, 1)


@cases("_window_axes")
def window_axes(rng, ns):
    x = normal(rng, 3, 4, 5)
    return [Call((x, (2, 2, 2), None), [(0, 2), (1, 2), (2, 2)], label="every axis"),
            Call((x, 3, -1), [(2, 3)], label="one axis"),
            Call((x, (2, 3), (0, -1)), [(0, 2), (2, 3)], label="two axes"),
            Call((x, [2], [1]), [(1, 2)], label="lists")]


@cases("_sliding_window_adjoint")
def sliding_window_adjoint(rng, ns):
    calls = []
    view = np.lib.stride_tricks.sliding_window_view
    for shape, window, axis in (((6,), 3, None), ((3, 5), 2, -1), ((3, 5), (2, 3), None),
                                ((4, 5), (2, 2), (1, 0)), ((2, 3, 4), 2, 1)):
        x = normal(rng, *shape)
        g = normal(rng, *view(x, window, axis).shape)
        calls.append(Call((g, x, window, axis), vjp(partial(view, window_shape=window, axis=axis), [x], 0, g),
                          label=f"{shape} {window} {axis}", **NUMERICAL))
    return calls


@cases("_interp_knots")
def interp_knots(rng, ns):
    x, knots, fp = np.array([370.0, -5.0, 20.0]), np.array([350.0, 10.0, 50.0]), normal(rng, 3)
    return [
        Call((x, knots, fp, None), (x, knots, np.arange(3)), label="not periodic"),
        Call((x, knots, fp, 360.0), (np.array([10.0, 355.0, 20.0]),
                                     np.array([-10.0, 10.0, 50.0, 350.0, 370.0]),
                                     np.array([0, 1, 2, 0, 1])), label="periodic: unrolled"),
    ]


@cases("_interp_intervals")
def interp_intervals(rng, ns):
    knots = np.array([0.0, 1.0, 2.0, 4.0])
    x = np.array([0.5, 1.0, 3.0, -1.0, 5.0, 4.0])
    flat = np.array([0.0, 1.0, 1.0, 2.0])
    fp = normal(rng, 4)
    return [
        Call((x, knots), (np.array([0, 1, 2, 0, 2, 2]), np.array([0.5, 0.0, 0.5, 0.0, 1.0, 1.0]))),
        Call((np.array([1.0, 1.5]), flat), (np.array([2, 2]), np.array([0.0, 0.5])),
             label="repeated knots: the interval to the right"),
        Call((np.array([1.0, 2.0]), np.array([0.0, 1.0, 1.0])), (np.array([1, 1]), np.array([0.0, 1.0])),
             label="an empty last interval"),
        Call((x, knots), True, label="interpolates as np.interp", view=lambda result, *args: np.allclose(
            fp[fake_xp.to_numpy(result[0])] * (1 - fake_xp.to_numpy(result[1]))
            + fp[fake_xp.to_numpy(result[0]) + 1] * fake_xp.to_numpy(result[1]),
            np.interp(x, knots, fp), rtol=1e-12, atol=1e-12)),
        Call((np.array([3.0]), np.array([2.0])), (np.array([0]), np.array([1.0])), label="one knot"),
    ]


INTERP_CASES = [  # samples, knots, left, right, period
    ([0.5, 1.2, 2.5, -1.0, 5.0, 3.3], [0.0, 1.0, 2.0, 4.0], None, None, None),
    ([0.5, 1.2, -1.0, 5.0, 4.5], [0.0, 1.0, 2.0, 4.0], -2.0, 3.0, None),
    ([0.3, 7.7, -2.2, 3.1], [0.0, 1.5, 2.5, 4.0], None, None, 5.0),
    ([[0.5, 1.5], [2.5, 3.9]], [0.0, 1.0, 2.0, 4.0], 1.0, None, None),
]


def interp(x, knots, fp, left, right, period):
    return np.interp(x, knots, fp, left=left, right=right, period=period)


@cases("_interp_fp_adjoint")
def interp_fp_adjoint(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots, fp = np.array(x), np.array(knots), normal(rng, len(knots))
        g = normal(rng, *x.shape)
        expected = vjp(partial(interp, x, knots, left=left, right=right, period=period), [fp], 0, g)
        calls.append(Call((g, x, knots, fp, left, right, period), expected,
                          label=f"{left} {right} {period}", **NUMERICAL))
    return calls


@cases("_interp_x_adjoint")
def interp_x_adjoint(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots, fp = np.array(x), np.array(knots), normal(rng, len(knots))
        g = normal(rng, *x.shape)
        expected = vjp(partial(interp, knots=knots, fp=fp, left=left, right=right, period=period), [x], 0, g)
        calls.append(Call((g, x, knots, fp, period), expected, label=f"{left} {right} {period}",
                          **NUMERICAL))
    x, g = np.array([0.5, 2.0]), normal(rng, 2)
    calls.append(Call((g, x, np.array([1.0]), np.array([3.0]), None), np.zeros(2), label="one knot"))
    return calls


@cases("_interp_outside_adjoint")
def interp_outside_adjoint(rng, ns):
    calls = []
    for x, knots, left, right, period in INTERP_CASES:
        x, knots, fp = np.array(x), np.array(knots), normal(rng, len(knots))
        g = normal(rng, *x.shape)
        for below in (True, False):
            def f(end, below=below, x=x, knots=knots, fp=fp, period=period):
                ends = (end, 7.0) if below else (-7.0, end)
                return interp(x, knots, fp, *ends, period)

            calls.append(Call((g, x, knots, period, below), np.asarray(vjp(f, [0.25], 0, g)),
                              label=f"{period} below={below}", **NUMERICAL))
    return calls


@cases("_interp_knots_refused")
def interp_knots_refused(rng, ns):
    return [Call((np.array([0.0, 1.0]),), raises=(ValueError, "with respect to xp"))]


# ---- scipy: special functions, multivariate normal, dirichlet -----------------------------------
# scipy's own functions (pytest.importorskip: the cases need scipy) define what these compute;
# `_polygamma` needs scipy's compiled code, which has no twin on fake_xp: there it refuses.


def scipy_special():
    return pytest.importorskip("scipy.special")


def scipy_stats():
    return pytest.importorskip("scipy.stats")


@cases("_polygamma")
def polygamma_of(rng, ns):
    sp = scipy_special()
    x = rng.uniform(0.5, 2.0, (2, 3))
    if ns.fake:
        return [Call((n, x), raises=(TypeError, "NumPy arrays only"), label=f"order {n}")
                for n in (0, 1)]
    single = x.astype(np.float32)
    return [
        Call((0, x), sp.digamma(x), label="digamma"),
        Call((1, x), sp.polygamma(1, x), label="trigamma"),
        Call((np.array([0, 1, 2]), x), sp.polygamma(np.array([0, 1, 2]), x), label="orders"),
        Call((2, single), sp.polygamma(2, x.astype(np.float32).astype(np.float64)).astype(
            np.float32), rtol=1e-6, label="float32 stays float32"),
        Call((0, 1.5), sp.digamma(1.5), label="a number"),
    ]


@cases("_weighted")
def weighted_products(rng, ns):
    g, w, b = normal(rng, 2, 1), normal(rng, 2, 3), normal(rng, 3)
    return [Call((g, w, None), g * w, label="no weights"),
            Call((g, w, b), g * w * b, label="weights broadcast")]


@cases("_multigammaln_terms")
def multigammaln_term_arrays(rng, ns):
    a = rng.uniform(2.0, 3.0, (2, 2))
    calls = [Call((a, 3), np.stack([a, a - 0.5, a - 1.0], axis=-1), label="an array"),
             Call((np.array(a[0, 0]), 2), np.array([a[0, 0], a[0, 0] - 0.5]), label="0-d")]
    if not ns.fake:
        calls.append(Call((2.5, 2), np.array([2.5, 2.0]), label="a number"))
    return calls


def covariance(rng, d):
    m = normal(rng, d, d)
    return m @ m.T + np.eye(d)


@cases("_mvn_parts")
def mvn_residuals(rng, ns):
    x, mean, cov = normal(rng, 4, 3), normal(rng, 3), covariance(rng, 3)
    diagonal = rng.uniform(0.5, 2.0, 3)
    line = normal(rng, 5)
    return [
        Call((x, mean, cov), (x - mean, np.linalg.inv(cov)), rtol=1e-10, label="matrix"),
        Call((x, mean, diagonal), (x - mean, np.diag(1.0 / diagonal)), label="diagonal"),
        Call((x, mean, 2.0), (x - mean, np.eye(3) / 2.0), label="a number"),
        Call((line, None, 2.0), (line[:, None], np.array([[0.5]])), label="points of dim 1"),
        Call((line[:3].copy(), None, cov), (line[:3], np.linalg.inv(cov)), rtol=1e-10,
             label="one point, mean None"),
    ]


def mvn_adjoint_calls(rng, k):
    """Calls of the adjoint of argument k (x, mean, cov) of multivariate_normal.logpdf, each
    against central differences of scipy's (a matrix cov perturbed symmetrically)."""
    logpdf = scipy_stats().multivariate_normal.logpdf
    calls = []
    for x, mean, cov, label in (
            (normal(rng, 4, 3), normal(rng, 3), covariance(rng, 3), "matrix"),
            (normal(rng, 2, 2, 2), normal(rng, 2), covariance(rng, 2), "batch"),
            (normal(rng, 3), normal(rng, 3), rng.uniform(0.5, 2.0, 3), "one point, diagonal"),
            (normal(rng, 5, 2), normal(rng, 2), 1.7, "a number cov"),
            (normal(rng, 5), np.array(0.3), np.array(1.3), "dimension 1")):
        args = [x, mean, cov]
        g = np.asarray(normal(rng, *np.shape(logpdf(x, mean, cov))))

        def f(x, mean, cov):
            if np.ndim(cov) == 2:
                cov = (cov + cov.T) / 2.0
            return logpdf(x, mean, cov)

        calls.append(Call((g, *args), vjp(f, args, k, g), label=label, **NUMERICAL))
    return calls


@cases("_dirichlet_full")
def dirichlet_completed(rng, ns):
    alpha = rng.uniform(0.5, 2.0, 3)
    short = rng.uniform(0.1, 0.4, (2, 4))
    full = np.concatenate([short, 1.0 - short.sum(axis=0, keepdims=True)])
    return [Call((short, alpha), full, label="completed"),
            Call((full, alpha), full, label="already whole")]


def dirichlet_samples(rng):
    e = np.exp(normal(rng, 3, 4))
    return e / e.sum(axis=0), rng.uniform(0.1, 0.3, (2, 4)), rng.uniform(0.5, 2.0, 3)


# ---- forward mode and Jacobians ------------------------------------------------------------


@cases("_check_tangent")
def tangent_checks(rng, ns):
    x = normal(rng, 2, 3)
    return [
        Call((x, normal(rng, 2, 3), "x"), None, label="its shape"),
        Call((1.5, 0.25, "s"), None, label="a number"),
        Call(([x, x[0]], [x * 2.0, x[1]], "xs"), None, label="a list's items"),
        Call((x, normal(rng, 3, 2), "x"), raises=(ValueError, "shape \\(2, 3\\)"), label="shape"),
        Call((x, x.astype(complex), "x"), raises=(TypeError, "complex"), label="complex"),
        Call(([x, x], [x], "xs"), raises=(ValueError, "list or tuple of 2"), label="length"),
    ]


@cases("_tangent_like")
def tangents_stretched(rng, ns):
    t, y = normal(rng, 3), normal(rng, 2, 3)
    return [Call((t, y), np.broadcast_to(t, (2, 3)), label="stretched"),
            Call((y, y), y, label="already its shape"),
            Call((0.5, y), np.full((2, 3), 0.5), label="a number")]


def listed(result, *args):
    return [(index, tangent) for index, tangent in result]


@cases("_basis")
def basis_vectors(rng, ns):
    x = normal(rng, 2, 2).astype(np.float32)
    expected = [(index, np.eye(4, dtype=np.float32)[k].reshape(2, 2))
                for k, index in enumerate(np.ndindex(2, 2))]
    return [Call((x,), expected, view=listed, label="C order, x's dtype"),
            Call((1.5,), [((), 1.0)], view=listed, label="a number")]


@cases("_cotangent_basis")
def cotangent_basis_vectors(rng, ns):
    y = normal(rng, 2)
    one = [(0, (0,), np.array([1.0, 0.0])), (0, (1,), np.array([0.0, 1.0]))]
    pair = [(0, (0,), (np.array([1.0, 0.0]), 0.0)), (0, (1,), (np.array([0.0, 1.0]), 0.0)),
            (1, (), (np.zeros(2), 1.0))]
    return [Call((y,), one, view=lambda r, *a: list(r), label="one output"),
            Call(((y, 2.5),), pair, view=lambda r, *a: list(r), label="a tuple of outputs")]


@cases("_jacobian_zeros")
def jacobian_blocks(rng, ns):
    y, x, w = normal(rng, 2), normal(rng, 3).astype(np.float32), normal(rng, 2, 2)
    return [Call((y, (x, w)), [[np.zeros((2, 3)), np.zeros((2, 2, 2))]], label="per argument"),
            Call(((y.astype(np.float32), 1.0), (x,)),
                 [[np.zeros((2, 3), np.float32)], [np.zeros(3)]], label="per output")]


@cases("_fill_column")
def jacobian_columns(rng, ns):
    t = normal(rng, 2)
    expected = [[np.zeros((2, 3)), np.zeros((2, 2))]]
    expected[0][1][:, 1] = t
    return [Call(([[np.zeros((2, 3)), np.zeros((2, 2))]], 1, (1,), t), expected, mutated=0)]


@cases("_fill_row")
def jacobian_rows(rng, ns):
    gx, gw = normal(rng, 3), normal(rng, 2, 2)
    expected = [[np.zeros((2, 3)), np.zeros((2, 2, 2))]]
    expected[0][0][1], expected[0][1][1] = gx, gw
    return [Call(([[np.zeros((2, 3)), np.zeros((2, 2, 2))]], 0, (1,), (gx, gw)), expected,
                 mutated=0)]


@cases("_segment_length")
def checkpoint_segments(rng, ns):
    return [Call((range(n),), expected, label=f"{n} steps")
            for n, expected in ((0, 1), (1, 1), (8, 2), (9, 3), (4000, 63))]


@cases("_jacobian_result")
def jacobian_results(rng, ns):
    a, b = normal(rng, 2, 3), normal(rng, 2)
    return [Call(([[a]], a, True), a, label="one argument"),
            Call(([[a, b]], a, False), (a, b), label="a tuple of arguments"),
            Call(([[a], [b]], (a, b), True), (a, b), label="a tuple of outputs")]


import runtime_cases_loops  # noqa: F401 - registers the batched loops' helpers' cases
import runtime_cases_second_order_core  # noqa: F401 - the second-order helpers' cases
import runtime_cases_second_order_linalg  # noqa: F401 - the second-order helpers' cases
import runtime_cases_second_order_nn  # noqa: F401 - registers the second-order helpers' cases
import runtime_cases_tangents  # noqa: F401 - registers the tangent helpers' cases

# ---- the tests -------------------------------------------------------------------------------


NAMESPACES = {"numpy": False, "fake_xp": True}

MAY_SHARE_MEMORY = {
    # The adjoint pass's pass-through helpers (s2sad/adjoint/accumulate.py).
    "_unbroadcast", "_joined_part",
    # The gradient itself where it already has the argument's type and dtype.
    "_as_argument", "_in_dtype_of", "_gradient_tree",
    # Reshapes and slices that the rules call inside expressions or on temporaries.
    "_expand_reduced", "_matrix_transpose", "_diff_unpadded", "_average_weights",
    # Helpers of helpers, whose callers compute new arrays from what they return.
    "_kron_blocks", "_windows", "_padded", "_conv_options", "_interp_knots", "_dirichlet_full",
    # Indices, which hold the indices they are given.
    "_take_index", "_along_axis_index",
    # Forward mode's: a tangent already of its result's shape, the Jacobian's own arrays,
    # logsumexp's weights where there are none (the tangent multiplies them into new memory).
    "_tangent_like", "_jacobian_result", "_with_weights",
}
"""The helpers whose result may share memory with an argument. The adjoint pass takes any
other helper's result for new memory, which the adjoint it is assigned to owns and may add
into in place."""


def arrays_in(value: Any) -> list[np.ndarray]:
    value = fake_xp.to_numpy(value)
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (tuple, list)):
        return [array for item in value for array in arrays_in(item)]
    if isinstance(value, dict):
        return [array for item in value.values() for array in arrays_in(item)]
    return []


@pytest.mark.parametrize("namespace", list(NAMESPACES))
@pytest.mark.parametrize("case", CASES, ids=[f"{c.helper}-{c.label}" for c in CASES])
def test_helper(case: Case, namespace: str) -> None:
    run(case, Namespace(NAMESPACES[namespace]), namespace)


def run(case: Case, ns: Namespace, namespace: str) -> None:
    rng = np.random.default_rng(zlib.crc32(f"{case.helper}-{case.label}".encode()))
    calls = case.build(rng, ns)
    assert calls, f"{case.label} makes no call"
    helper = HELPERS[case.helper]
    for i, call in enumerate(calls):
        where = f"{case.helper} [{call.label or i}] on {namespace}"
        args, kwargs = ns.put((call.args, call.kwargs))
        before = host((args, kwargs))
        if call.raises is not None:
            error, message = call.raises
            with pytest.raises(error, match=message):
                helper(*args, **kwargs)
            continue
        result = helper(*args, **kwargs)
        if call.mutated is not None:
            assert result is None, f"{where}: returned {result!r}"
            result = args[call.mutated]
        else:
            assert same_values(host((args, kwargs)), before), f"{where}: wrote into its arguments"
            if case.helper not in MAY_SHARE_MEMORY:
                assert not any(np.shares_memory(r, a) for r in arrays_in(result)
                               for a in arrays_in((args, kwargs))), (
                    f"{where}: the result shares memory with an argument")
        if call.view is not None:
            result = call.view(result, *args)
        check(result, call.expected, ns, call.rtol, call.atol, where)


@pytest.mark.parametrize("name", sorted(HELPERS))
def test_every_helper_has_a_case(name: str) -> None:
    assert any(case.helper == name for case in CASES), (
        f"no case of tests/test_runtime.py calls the helper {name}: add one")


def test_cases_name_helpers() -> None:
    unknown = sorted({case.helper for case in CASES} - set(HELPERS))
    assert not unknown, f"cases for helpers s2sad.runtime does not have: {unknown}"
