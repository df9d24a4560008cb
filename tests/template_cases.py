"""Forward functions that exercise every registered adjoint template.

`CASES` maps each key of `s2sad.templates.REGISTRY` to the cases that
exercise it. A `Case` is a module-level function (s2sad reads its source),
the specs of its arguments, the arguments to differentiate and the domain
its random inputs are drawn from. `tests/test_templates.py` checks each case
against central finite differences, and fails when a registered template has
fewer than two cases: a new template needs entries here.

Argument specs:

* a tuple of ints: a random float64 array of that shape (`()` is a 0-d array);
* `SCALAR`: a random Python float;
* `Value(v)`: exactly `v` (integer indices, boolean masks, options, or a
  float array with a chosen pattern, such as a tie, when named in `wrt`).

Domains (for every random argument of a case):

* `"real"`: standard normal;
* `"positive"`: uniform in [0.5, 2] (log, sqrt, division, powers);
* `"negative"`: uniform in [-2, -0.5] (the other arm of a branch on the sign);
* `"distinct"`: values at least 0.1 apart and at least 0.05 away from 0, drawn
  without replacement across all the case's arguments, so finite differences
  never cross a kink or a tie (abs, maximum, max, where on a comparison ...).

A case with a `loss` also checks `s2sad.grad` on a scalar loss: `loss` takes
the case's arguments plus a cotangent `c` and returns `np.sum(fun(...) * c)`,
written out (s2sad does not differentiate calls to user functions).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import s2sad

DOMAINS = ("real", "positive", "negative", "distinct")


@dataclass(frozen=True)
class Scalar:
    """Spec of a random Python float argument."""


SCALAR = Scalar()


@dataclass(frozen=True, eq=False)
class Value:
    """Spec of an argument passed exactly as given (a copy of it)."""

    value: Any


@dataclass(eq=False)
class Case:
    """One forward function, its argument specs and the arguments to differentiate."""

    fun: Callable[..., Any]
    args: tuple[Any, ...]
    wrt: tuple[str, ...] | None = None
    domain: str = "real"
    loss: Callable[..., Any] | None = None
    params: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.params = tuple(inspect.signature(self.fun).parameters)
        if len(self.params) != len(self.args):
            raise TypeError(f"{self.name}: {len(self.args)} specs for parameters {self.params}")
        if self.domain not in DOMAINS:
            raise ValueError(f"{self.name}: unknown domain {self.domain!r}")
        if self.wrt is None:
            self.wrt = tuple(p for p, s in zip(self.params, self.args) if _is_random(s))
        unknown = set(self.wrt) - set(self.params)
        if unknown or not self.wrt:
            raise ValueError(f"{self.name}: bad wrt {self.wrt}")

    @property
    def name(self) -> str:
        return self.fun.__name__

    @property
    def wrt_indices(self) -> tuple[int, ...]:
        return tuple(self.params.index(name) for name in self.wrt)

    def signature(self) -> tuple[Any, ...]:
        """The shapes of the differentiated arguments (`"float"` for a Python float)."""
        return tuple("float" if isinstance(self.args[i], Scalar) else
                     self.args[i] if isinstance(self.args[i], tuple) else
                     np.shape(self.args[i].value) for i in self.wrt_indices)

    def broadcasts(self) -> bool:
        """True when the array operands differ in shape, or one is a Python float."""
        shapes = set()
        for spec in self.args:
            if isinstance(spec, Scalar):
                return True
            if isinstance(spec, tuple):
                shapes.add(spec)
            elif isinstance(spec.value, np.ndarray):
                shapes.add(spec.value.shape)
        return len(shapes) > 1

    def make_args(self, rng: np.random.Generator) -> list[Any]:
        """Fresh arguments: random values drawn from the case's domain, copies of fixed ones."""
        sizes = [int(np.prod(s)) if isinstance(s, tuple) else 1 for s in self.args
                 if _is_random(s)]
        pool = iter(_draw(rng, self.domain, sum(sizes)))
        args = []
        for spec in self.args:
            if isinstance(spec, Value):
                value = spec.value
                args.append(value.copy() if isinstance(value, np.ndarray) else value)
            elif isinstance(spec, Scalar):
                args.append(float(next(pool)))
            else:
                size = int(np.prod(spec))
                args.append(np.array([next(pool) for _ in range(size)]).reshape(spec))
        return args


def _is_random(spec: Any) -> bool:
    return isinstance(spec, (tuple, Scalar))


def _draw(rng: np.random.Generator, domain: str, n: int) -> np.ndarray:
    if domain == "positive":
        return rng.uniform(0.5, 2.0, n)
    if domain == "negative":
        return -rng.uniform(0.5, 2.0, n)
    if domain == "distinct":
        grid = (np.arange(n) - n // 2) * 0.1 + 0.05
        return rng.permutation(grid)
    return rng.standard_normal(n)


CASES: dict[str, list[Case]] = {}


def add_cases(key: str, *cases: Case) -> None:
    CASES.setdefault(key, []).extend(cases)


IDX = Value(np.array([0, 2, 0]))
MASK_34 = Value(np.array([[True, False, True, True],
                          [False, False, True, False],
                          [True, True, False, True]]))


# ---- identity, float, copy, positive, negative -------------------------------------------


def assign(x):
    y = x
    return y


def assign_chain(x):
    y = x
    z = y
    return z


def assign_shared(x):
    y = x
    return y + x


def copy_method(x):
    return x.copy()


def copy_method_shared(x):
    y = x.copy()
    return y * x


def float_of_sum(x):
    return float(np.sum(x))


def float_of_0d(x):
    return float(x)


def float_times_array(x):
    s = float(np.sum(x))
    return s * x


def float_of_sum_loss(x, c):
    return float(np.sum(x)) * c


def np_copy(x):
    return np.copy(x)


def np_positive(x):
    return np.positive(x)


def unary_plus(x):
    return +x


def np_negative(x):
    return np.negative(x)


def unary_minus(x):
    return -x


add_cases(
    "identity",
    Case(assign, ((3, 4),)),
    Case(assign, ((5,),)),
    Case(assign, ((),)),
    Case(assign_chain, ((2, 3),)),
    Case(assign_shared, ((4,),)),
    Case(copy_method, ((2, 3),)),
    Case(copy_method, ((4,),)),
    Case(copy_method_shared, ((3, 2),)),
)
def branch_on_sign(x):
    if np.sum(x) > 0:
        y = x * x
    else:
        y = np.sin(x)
    return y


def choose(x, y):
    return x * 2.0 if np.max(x) > np.max(y) else y - x


def early_exit(x):
    if np.mean(x) > 0:
        return np.tanh(x)
    z = x * 3.0
    return z


add_cases(
    "phi",
    Case(branch_on_sign, ((3, 4),), domain="positive"),
    Case(branch_on_sign, ((5,),), domain="negative"),
    Case(choose, ((3,), (3,))),
    Case(choose, ((2, 2), (2,))),
    Case(early_exit, ((4,),), domain="positive"),
    Case(early_exit, ((2, 3),), domain="negative"),
)
def write_row(x, v):
    y = x * 1.0
    y[1] = v
    return y


def write_slice_scalar(x, s):
    y = x * 1.0
    y[::2] = s
    return y


def add_into_part(x, v):
    y = x * 1.0
    y[0, 1:] += v
    return y


add_cases(
    "setitem",
    Case(write_row, ((3, 4), (4,))),
    Case(write_row, ((3, 4), (1,))),
    Case(write_slice_scalar, ((5,), ())),
    Case(add_into_part, ((2, 4), (3,))),
    Case(add_into_part, ((3, 4), ())),
)
add_cases(
    "builtins.float",
    Case(float_of_sum, ((3,),), loss=float_of_sum_loss),
    Case(float_of_sum, ((2, 3),)),
    Case(float_of_0d, ((),)),
    Case(float_times_array, ((2, 2),)),
)
add_cases(
    "numpy.copy",
    Case(np_copy, ((3, 4),)),
    Case(np_copy, ((5,),)),
    Case(np_copy, ((),)),
)
add_cases(
    "numpy.positive",
    Case(np_positive, ((3, 4),)),
    Case(unary_plus, ((5,),)),
    Case(unary_plus, ((),)),
)
add_cases(
    "numpy.negative",
    Case(np_negative, ((3, 4),)),
    Case(unary_minus, ((2, 3, 4),)),
    Case(unary_minus, ((),)),
)


# ---- binary arithmetic -------------------------------------------------------------------


def add(x, y):
    return x + y


def add_loss(x, y, c):
    return np.sum((x + y) * c)


def np_add(x, y):
    return np.add(x, y)


def add_float_literal(x):
    return x + 2.5


def radd_float_literal(x):
    return 2.5 + x


def add_self(x):
    return x + x


def add_and_subtract(x, y):
    return x + y, x - y


def subtract(x, y):
    return x - y


def np_subtract(x, y):
    return np.subtract(x, y)


def rsub_float_literal(x):
    return 1.5 - x


def subtract_self(x):
    return x - x


def multiply(x, y):
    return x * y


def multiply_loss(x, y, c):
    return np.sum(x * y * c)


def np_multiply(x, y):
    return np.multiply(x, y)


def scale_literal(x):
    return 2.0 * x


def square_by_multiply(x):
    return x * x


def divide(x, y):
    return x / y


def divide_loss(x, y, c):
    return np.sum(x / y * c)


def np_divide(x, y):
    return np.divide(x, y)


def reciprocal(x):
    return 1.0 / x


def halve(x):
    return x / 2.0


def divide_self(x):
    return x / x


def power(x, p):
    return x**p


def power_loss(x, p, c):
    return np.sum(x**p * c)


def np_power(x, p):
    return np.power(x, p)


def cube(x):
    return x**3


def square_root_by_power(x):
    return x**0.5


def inverse_square(x):
    return x**-2


def power_one(x):
    return x**1


def power_zero(x):
    return x**0


def exp2(x):
    return 2.0**x


BINARY_SHAPES = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (3, 1)),
    ((3, 4), ()),
    ((), (5,)),
]

add_cases(
    "numpy.add",
    *[Case(add, shapes) for shapes in BINARY_SHAPES],
    Case(add, ((3, 4), SCALAR)),
    Case(add, (SCALAR, (2, 3))),
    Case(add, ((2, 4), (3, 1, 4)), loss=add_loss),
    Case(add, ((3, 4), (4,)), wrt=("y",)),
    Case(np_add, ((4,), (2, 1, 4))),
    Case(add_float_literal, ((3, 4),)),
    Case(radd_float_literal, ((5,),)),
    Case(add_self, ((5,),)),
    Case(add_and_subtract, ((3, 4), (4,))),
)
add_cases(
    "numpy.subtract",
    *[Case(subtract, shapes) for shapes in BINARY_SHAPES],
    Case(subtract, ((3, 4), SCALAR)),
    Case(subtract, (SCALAR, (2, 3))),
    Case(np_subtract, ((2, 1, 4), (3, 1))),
    Case(rsub_float_literal, ((3, 4),)),
    Case(subtract_self, ((5,),)),
)
add_cases(
    "numpy.multiply",
    *[Case(multiply, shapes) for shapes in BINARY_SHAPES],
    Case(multiply, ((3, 4), SCALAR)),
    Case(multiply, (SCALAR, (2, 3))),
    Case(multiply, ((3, 1), (1, 4)), loss=multiply_loss),
    Case(np_multiply, ((4,), (2, 3, 4))),
    Case(scale_literal, ((3, 4),)),
    Case(square_by_multiply, ((5,),)),
)
add_cases(
    "numpy.divide",
    *[Case(divide, shapes, domain="positive") for shapes in BINARY_SHAPES],
    Case(divide, ((3, 4), SCALAR), domain="positive"),
    Case(divide, (SCALAR, (2, 3)), domain="positive"),
    Case(divide, ((2, 3, 4), (4,)), domain="positive", loss=divide_loss),
    Case(divide, ((3, 4), (4,)), wrt=("y",), domain="positive"),
    Case(np_divide, ((3, 1), (1, 4)), domain="positive"),
    Case(reciprocal, ((3, 4),), domain="positive"),
    Case(halve, ((5,),)),
    Case(divide_self, ((5,),), domain="positive"),
)
add_cases(
    "numpy.power",
    Case(power, ((3, 4), (3, 4)), domain="positive"),
    Case(power, ((3, 4), (4,)), domain="positive", loss=power_loss),
    Case(power, ((3, 1), (1, 4)), domain="positive"),
    Case(power, ((3, 4), ()), domain="positive"),
    Case(power, ((), (5,)), domain="positive"),
    Case(power, ((3, 4), SCALAR), domain="positive"),
    Case(power, ((2, 3), (3,)), wrt=("x",), domain="positive"),
    Case(power, ((2, 3), (3,)), wrt=("p",), domain="positive"),
    Case(np_power, ((4,), (2, 1)), domain="positive"),
    Case(cube, ((3, 4),)),
    Case(square_root_by_power, ((5,),), domain="positive"),
    Case(inverse_square, ((2, 3),), domain="positive"),
    Case(power_one, ((4,),)),
    Case(power_zero, ((4,),), domain="positive"),
    Case(exp2, ((2, 3),)),
)


# ---- elementwise functions ---------------------------------------------------------------


def np_exp(x):
    return np.exp(x)


def np_log(x):
    return np.log(x)


def np_sqrt(x):
    return np.sqrt(x)


def np_tanh(x):
    return np.tanh(x)


def tanh_loss(x, c):
    return np.sum(np.tanh(x) * c)


def np_sin(x):
    return np.sin(x)


def np_cos(x):
    return np.cos(x)


def np_abs(x):
    return np.abs(x)


def np_absolute(x):
    return np.absolute(x)


def builtin_abs(x):
    return abs(x)


def maximum(x, y):
    return np.maximum(x, y)


def maximum_loss(x, y, c):
    return np.sum(np.maximum(x, y) * c)


def relu(x):
    return np.maximum(x, 0.0)


def minimum(x, y):
    return np.minimum(x, y)


def clip_above(x):
    return np.minimum(x, 0.5)


def where(condition, x, y):
    return np.where(condition, x, y)


def where_loss(condition, x, y, c):
    return np.sum(np.where(condition, x, y) * c)


def leaky_relu(x):
    return np.where(x > 0, x, 0.1 * x)


def where_zero(condition, x):
    return np.where(condition, x, 0.0)


for _key, _fun in (("numpy.exp", np_exp), ("numpy.tanh", np_tanh), ("numpy.sin", np_sin),
                   ("numpy.cos", np_cos)):
    add_cases(_key, Case(_fun, ((3, 4),)), Case(_fun, ((5,),)), Case(_fun, ((),)),
              Case(_fun, ((2, 1, 3),)))
for _key, _fun in (("numpy.log", np_log), ("numpy.sqrt", np_sqrt)):
    add_cases(_key, *[Case(_fun, (shape,), domain="positive")
                      for shape in ((3, 4), (5,), (), (2, 1, 3))])
CASES["numpy.tanh"][0].loss = tanh_loss

add_cases(
    "numpy.absolute",
    Case(np_abs, ((3, 4),), domain="distinct"),
    Case(np_absolute, ((5,),), domain="distinct"),
    Case(builtin_abs, ((2, 3),), domain="distinct"),
    Case(np_abs, ((),), domain="distinct"),
)
add_cases(
    "numpy.maximum",
    *[Case(maximum, shapes, domain="distinct") for shapes in BINARY_SHAPES],
    Case(maximum, ((3, 4), SCALAR), domain="distinct"),
    Case(maximum, ((2, 3), (3,)), domain="distinct", loss=maximum_loss),
    Case(relu, ((2, 3),), domain="distinct"),
    # Ties: the rule gives each side half, which is what central differences measure.
    Case(maximum, (Value(np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]])),
                   Value(np.array([0.5, 2.0, 4.0]))), wrt=("x", "y")),
    Case(relu, (Value(np.array([-1.0, 0.0, 2.0])),), wrt=("x",)),
)
add_cases(
    "numpy.minimum",
    *[Case(minimum, shapes, domain="distinct") for shapes in BINARY_SHAPES],
    Case(minimum, (SCALAR, (3, 4)), domain="distinct"),
    Case(clip_above, ((2, 3),), domain="distinct"),
    Case(minimum, (Value(np.array([1.0, 2.0, 3.0])), Value(np.array([0.5, 2.0, 4.0]))),
         wrt=("x", "y")),
)
add_cases(
    "numpy.where",
    Case(where, (MASK_34, (3, 4), (3, 4))),
    Case(where, (MASK_34, (3, 4), (4,)), loss=where_loss),
    Case(where, (Value(np.array([[True], [False], [True]])), (1, 4), ())),
    Case(where, (Value(np.array([True, False, False, True])), (2, 3, 4), (3, 1))),
    Case(where, (Value(np.array([[[True], [False], [True]], [[False], [False], [True]]])),
                 (3, 4), (4,))),
    Case(where, (MASK_34, SCALAR, (3, 4))),
    Case(where_zero, (Value(np.array([True, False, True, True, False])), (5,))),
    Case(leaky_relu, ((5,),), domain="distinct"),
    Case(leaky_relu, ((2, 3),), domain="distinct"),
)


# ---- reductions --------------------------------------------------------------------------


def np_sum(x):
    return np.sum(x)


def sum_axis0(x):
    return np.sum(x, axis=0)


def sum_axis_negative(x):
    return np.sum(x, axis=-1)


def sum_axis_tuple(x):
    return np.sum(x, axis=(0, 2))


def sum_axis_tuple_loss(x, c):
    return np.sum(np.sum(x, axis=(0, 2)) * c)


def sum_keepdims(x):
    return np.sum(x, axis=1, keepdims=True)


def sum_all_keepdims(x):
    return np.sum(x, keepdims=True)


def sum_axis_positional(x):
    return np.sum(x, 1)


def sum_negative_tuple_keepdims(x):
    return np.sum(x, axis=(-1, 0), keepdims=True)


def sum_method(x):
    return x.sum()


def sum_method_axis(x):
    return x.sum(axis=0)


def sum_method_positional_keepdims(x):
    return x.sum(-1, keepdims=True)


def builtin_sum(x):
    return sum(x)


def np_mean(x):
    return np.mean(x)


def mean_axis0(x):
    return np.mean(x, axis=0)


def mean_axis_negative(x):
    return np.mean(x, axis=-2)


def mean_axis_tuple(x):
    return np.mean(x, axis=(0, 2))


def mean_keepdims(x):
    return np.mean(x, axis=-1, keepdims=True)


def mean_all_keepdims(x):
    return np.mean(x, keepdims=True)


def mean_tuple_keepdims(x):
    return np.mean(x, axis=(1, 2), keepdims=True)


def mean_method(x):
    return x.mean()


def mean_method_axis(x):
    return x.mean(axis=1)


def mean_method_keepdims_loss(x, c):
    return np.sum(x.mean(0, keepdims=True) * c)


def mean_method_keepdims(x):
    return x.mean(0, keepdims=True)


def np_max(x):
    return np.max(x)


def max_axis0(x):
    return np.max(x, axis=0)


def max_axis_negative(x):
    return np.max(x, axis=-1)


def max_axis_tuple(x):
    return np.max(x, axis=(0, 2))


def max_keepdims(x):
    return np.max(x, axis=1, keepdims=True)


def max_keepdims_loss(x, c):
    return np.sum(np.max(x, axis=1, keepdims=True) * c)


def max_all_keepdims(x):
    return np.max(x, keepdims=True)


def max_method(x):
    return x.max()


def max_method_axis(x):
    return x.max(axis=1)


def max_method_keepdims(x):
    return x.max(-1, keepdims=True)


def np_min(x):
    return np.min(x)


def min_axis0(x):
    return np.min(x, axis=0)


def min_axis_negative(x):
    return np.min(x, axis=-1)


def min_axis_tuple(x):
    return np.min(x, axis=(1, 2))


def min_keepdims(x):
    return np.min(x, axis=0, keepdims=True)


def min_method(x):
    return x.min()


def min_method_axis(x):
    return x.min(axis=0)


def min_method_tuple_keepdims(x):
    return x.min(axis=(0, -1), keepdims=True)


def norm(x):
    return np.linalg.norm(x)


def norm_fro(x):
    return np.linalg.norm(x, ord="fro")


def norm_axis(x):
    return np.linalg.norm(x, axis=1)


def norm_axis_loss(x, c):
    return np.sum(np.linalg.norm(x, axis=1) * c)


def norm_negative_axis_keepdims(x):
    return np.linalg.norm(x, axis=-1, keepdims=True)


def norm_fro_axes(x):
    return np.linalg.norm(x, "fro", (1, 2))


def norm_keepdims(x):
    return np.linalg.norm(x, keepdims=True)


def norm_vector_axis0(x):
    return np.linalg.norm(x, axis=0)


def norm_tuple_axis_keepdims(x):
    return np.linalg.norm(x, axis=(0, 1), keepdims=True)


add_cases(
    "numpy.sum",
    Case(np_sum, ((3, 4),)),
    Case(np_sum, ((5,),)),
    Case(np_sum, ((),)),
    Case(sum_axis0, ((3, 4),)),
    Case(sum_axis_negative, ((2, 3, 4),)),
    Case(sum_axis_tuple, ((2, 3, 4),), loss=sum_axis_tuple_loss),
    Case(sum_keepdims, ((2, 3, 4),)),
    Case(sum_all_keepdims, ((3, 4),)),
    Case(sum_axis_positional, ((3, 4),)),
    Case(sum_negative_tuple_keepdims, ((2, 3, 4),)),
    Case(sum_method, ((2, 3),)),
    Case(sum_method_axis, ((3, 4),)),
    Case(sum_method_positional_keepdims, ((2, 3, 4),)),
    Case(builtin_sum, ((3, 4),)),
    Case(sum_axis0, ((5,),)),
)
add_cases(
    "numpy.mean",
    Case(np_mean, ((3, 4),)),
    Case(np_mean, ((5,),)),
    Case(mean_axis0, ((3, 4),)),
    Case(mean_axis_negative, ((2, 3, 4),)),
    Case(mean_axis_tuple, ((2, 3, 4),)),
    Case(mean_keepdims, ((2, 3, 4),)),
    Case(mean_all_keepdims, ((3, 4),)),
    Case(mean_tuple_keepdims, ((2, 3, 4),)),
    Case(mean_method, ((2, 3),)),
    Case(mean_method_axis, ((3, 4),)),
    Case(mean_method_keepdims, ((3, 4),), loss=mean_method_keepdims_loss),
)
add_cases(
    "numpy.max",
    Case(np_max, ((3, 4),), domain="distinct"),
    Case(np_max, ((5,),), domain="distinct"),
    Case(max_axis0, ((3, 4),), domain="distinct"),
    Case(max_axis_negative, ((2, 3, 4),), domain="distinct"),
    Case(max_axis_tuple, ((2, 3, 4),), domain="distinct"),
    Case(max_keepdims, ((2, 3, 4),), domain="distinct", loss=max_keepdims_loss),
    Case(max_all_keepdims, ((3, 4),), domain="distinct"),
    Case(max_method, ((2, 3),), domain="distinct"),
    Case(max_method_axis, ((3, 4),), domain="distinct"),
    Case(max_method_keepdims, ((2, 3, 4),), domain="distinct"),
    Case(max_axis0, ((5,),), domain="distinct"),
    # A maximum attained twice: the rule shares the adjoint equally, which is
    # what central differences measure at a two-way tie.
    Case(np_max, (Value(np.array([1.0, 3.0, -2.0, 3.0])),), wrt=("x",)),
    Case(max_axis0, (Value(np.array([[1.0, 2.0], [1.0, 0.5]])),), wrt=("x",)),
)
add_cases(
    "numpy.min",
    Case(np_min, ((3, 4),), domain="distinct"),
    Case(np_min, ((5,),), domain="distinct"),
    Case(min_axis0, ((3, 4),), domain="distinct"),
    Case(min_axis_negative, ((2, 3, 4),), domain="distinct"),
    Case(min_axis_tuple, ((2, 3, 4),), domain="distinct"),
    Case(min_keepdims, ((3, 4),), domain="distinct"),
    Case(min_method, ((2, 3),), domain="distinct"),
    Case(min_method_axis, ((3, 4),), domain="distinct"),
    Case(min_method_tuple_keepdims, ((2, 3, 4),), domain="distinct"),
    Case(min_axis0, (Value(np.array([[1.0, 0.0], [1.0, 0.5], [2.0, 0.0]])),), wrt=("x",)),
)
add_cases(
    "numpy.linalg.norm",
    Case(norm, ((5,),)),
    Case(norm, ((3, 4),)),
    Case(norm_fro, ((3, 4),)),
    Case(norm_axis, ((3, 4),), loss=norm_axis_loss),
    Case(norm_negative_axis_keepdims, ((2, 3, 4),)),
    Case(norm_fro_axes, ((2, 3, 4),)),
    Case(norm_keepdims, ((3, 4),)),
    Case(norm_vector_axis0, ((5,),)),
    Case(norm_tuple_axis_keepdims, ((3, 4),)),
)


# ---- shape -------------------------------------------------------------------------------


def attribute_t(x):
    return x.T


def np_transpose(x):
    return np.transpose(x)


def transpose_axes(x):
    return np.transpose(x, (1, 0, 2))


def transpose_axes_keyword(x):
    return np.transpose(x, axes=(2, 0, 1))


def transpose_axes_keyword_loss(x, c):
    return np.sum(np.transpose(x, axes=(2, 0, 1)) * c)


def transpose_negative_axes(x):
    return np.transpose(x, (-1, 0, 1))


def transpose_method(x):
    return x.transpose()


def transpose_method_axes(x):
    return x.transpose(1, 0, 2)


def transpose_method_cycle(x):
    return x.transpose(2, 0, 1)


def transpose_method_tuple(x):
    return x.transpose((2, 0, 1))


def reshape_flat(x):
    return np.reshape(x, (-1,))


def reshape_2x6(x):
    return np.reshape(x, (2, 6))


def reshape_fortran(x):
    return np.reshape(x, (4, 3), order="F")


def reshape_keyword(x):
    return np.reshape(x, shape=(6, 2))


def reshape_int(x):
    return np.reshape(x, 6)


def transpose_axes_list(x):
    return np.transpose(x, [1, 2, 0])


def reshape_like(x, y):
    return np.reshape(x, y.shape)


def reshape_method_from_shape(x):
    return x.reshape(x.shape[0], -1)


def reshape_method_args(x):
    return x.reshape(2, 6)


def reshape_method_tuple(x):
    return x.reshape((2, 6))


def reshape_method_tuple_loss(x, c):
    return np.sum(x.reshape((2, 6)) * c)


def reshape_method_flat(x):
    return x.reshape(-1)


def reshape_method_fortran(x):
    return x.reshape(3, -1, order="F")


def reshape_method_3d(x):
    return x.reshape(2, 3, 2)


add_cases(
    "attribute.T",
    Case(attribute_t, ((3, 4),)),
    Case(attribute_t, ((2, 3, 4),)),
    Case(attribute_t, ((5,),)),
)
add_cases(
    "numpy.transpose",
    Case(np_transpose, ((3, 4),)),
    Case(np_transpose, ((2, 3, 4),)),
    Case(transpose_axes, ((2, 3, 4),)),
    Case(transpose_axes_keyword, ((2, 3, 4),), loss=transpose_axes_keyword_loss),
    Case(transpose_negative_axes, ((2, 3, 4),)),
    Case(transpose_axes_list, ((2, 3, 4),)),
)
add_cases(
    "method.transpose",
    Case(transpose_method, ((3, 4),)),
    Case(transpose_method, ((2, 3, 4),)),
    Case(transpose_method_axes, ((2, 3, 4),)),
    Case(transpose_method_cycle, ((2, 3, 4),)),
    Case(transpose_method_tuple, ((2, 3, 4),)),
)
add_cases(
    "numpy.reshape",
    Case(reshape_flat, ((3, 4),)),
    Case(reshape_flat, ((2, 3, 2),)),
    Case(reshape_2x6, ((3, 4),)),
    Case(reshape_2x6, ((12,),)),
    Case(reshape_fortran, ((3, 4),)),
    Case(reshape_keyword, ((3, 4),)),
    Case(reshape_int, ((2, 3),)),
    Case(reshape_like, ((3, 4), Value(np.zeros((6, 2))))),
)
add_cases(
    "method.reshape",
    Case(reshape_method_args, ((3, 4),)),
    Case(reshape_method_tuple, ((12,),), loss=reshape_method_tuple_loss),
    Case(reshape_method_flat, ((2, 3, 2),)),
    Case(reshape_method_fortran, ((2, 3, 2),)),
    Case(reshape_method_3d, ((3, 4),)),
    Case(reshape_method_from_shape, ((2, 3, 2),)),
)


# ---- products ----------------------------------------------------------------------------


def matmul(a, b):
    return a @ b


def matmul_loss(a, b, c):
    return np.sum((a @ b) * c)


def np_matmul(a, b):
    return np.matmul(a, b)


def dot(a, b):
    return np.dot(a, b)


def dot_loss(a, b, c):
    return np.sum(np.dot(a, b) * c)


def dot_method(a, b):
    return a.dot(b)


def dot_literal(x):
    return np.dot(x, 2.0)


def gram(a):
    return a.T @ a


def matmul_square(a):
    return a @ a


def outer(a, b):
    return np.outer(a, b)


MATMUL_SHAPES = [
    ((4,), (4,)),
    ((4,), (4, 3)),
    ((3, 4), (4,)),
    ((3, 4), (4, 5)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (2, 4, 3)),
    ((2, 3, 4), (4,)),
    ((3, 4), (2, 4, 5)),
]

add_cases(
    "numpy.matmul",
    *[Case(matmul, shapes) for shapes in MATMUL_SHAPES],
    Case(matmul, ((2, 3, 4), (2, 4, 5)), loss=matmul_loss),
    Case(matmul, ((3, 4), (4, 5)), wrt=("b",)),
    Case(np_matmul, ((3, 4), (4, 5))),
    Case(np_matmul, ((2, 3, 4), (4,))),
    Case(gram, ((4, 3),)),
    Case(matmul_square, ((3, 3),)),
    Case(matmul_square, ((2, 3, 3),)),
)
add_cases(
    "numpy.dot",
    Case(dot, ((4,), (4,))),
    Case(dot, ((4,), (4, 3))),
    Case(dot, ((3, 4), (4,))),
    Case(dot, ((3, 4), (4, 5))),
    Case(dot, ((2, 3, 4), (4,))),
    Case(dot, ((2, 3, 4), (5, 4, 6)), loss=dot_loss),
    Case(dot, ((3, 4), (2, 4, 5))),
    Case(dot, ((3,), (2, 3, 4))),
    Case(dot, ((2, 3, 4), (4, 5))),
    Case(dot, ((), (3, 4))),
    Case(dot, ((3, 4), SCALAR)),
    Case(dot_literal, ((5,),)),
    Case(dot_method, ((3, 4), (4,))),
    Case(dot_method, ((2, 3, 4), (4, 5))),
)
add_cases(
    "numpy.outer",
    Case(outer, ((3,), (4,))),
    Case(outer, ((2, 3), (4,))),
    Case(outer, ((3,), (2, 2))),
    Case(outer, ((), (4,))),
)


# ---- indexing ----------------------------------------------------------------------------


def index_int(x):
    return x[1]


def index_negative_int(x):
    return x[-1]


def index_int_argument(x, i):
    return x[i]


def index_step_slice(x):
    return x[1:5:2]


def index_reverse_slice(x):
    return x[::-2]


def index_slice_arguments(x, i, n):
    return x[i:n]


def index_none(x):
    return x[:, None]


def index_ellipsis(x):
    return x[..., 0]


def index_mixed_basic(x):
    return x[1, ::2, None]


def index_negative_tail(x):
    return x[-2:, 1]


def index_array(x, idx):
    return x[idx]


def index_array_loss(x, idx, c):
    return np.sum(x[idx] * c)


def index_array_then_slice(x, idx):
    return x[idx, 1:]


def index_array_second_axis(x, idx):
    return x[:, idx]


def index_list_literal(x):
    return x[[0, 2, 0]]


def index_mask(x, mask):
    return x[mask]


def index_two_reads(x):
    return x[0] * x[1]


def index_and_whole(x):
    return x + x[0]


def index_of_product(x):
    y = x * 2.0
    return y[1] + y


def index_slice_object(x, s):
    return x[s]


def index_by_comparison(x):
    return x[x > 0]


add_cases(
    "getitem",
    Case(index_int, ((3, 4),)),
    Case(index_negative_int, ((5,),)),
    Case(index_int_argument, ((4, 2), Value(2))),
    Case(index_step_slice, ((6,),)),
    Case(index_reverse_slice, ((7, 2),)),
    Case(index_slice_arguments, ((6,), Value(1), Value(4))),
    Case(index_none, ((3, 4),)),
    Case(index_ellipsis, ((2, 3, 4),)),
    Case(index_mixed_basic, ((3, 4, 2),)),
    Case(index_negative_tail, ((4, 3),)),
    Case(index_array, ((3, 4), IDX), loss=index_array_loss),
    Case(index_array, ((5,), Value(np.array([4, 1, 4, 4])))),
    Case(index_array_then_slice, ((4, 3), IDX)),
    Case(index_array_second_axis, ((2, 3), IDX)),
    Case(index_list_literal, ((3,),)),
    Case(index_mask, ((3, 4), MASK_34)),
    Case(index_mask, ((4,), Value(np.array([True, False, False, True])))),
    Case(index_two_reads, ((2, 3),)),
    Case(index_and_whole, ((3, 4),)),
    Case(index_of_product, ((3, 4),)),
    Case(index_slice_object, ((6,), Value(slice(1, 5, 2)))),
    Case(index_slice_object, ((3, 4), Value((slice(None), 2)))),
    Case(index_slice_object, ((3, 4), Value((np.array([2, 2]), slice(None, None, -1))))),
    Case(index_by_comparison, ((3, 4),), domain="distinct"),
)


# ---- gradients of gradients: the helpers generated code calls ----------------


def _inner_products(a, b, v, w):
    return np.sum(np.tanh(a @ b)) + np.sum(np.sin(np.dot(v, w)))


def _inner_reductions(x, c):
    y = x * 1.0
    y[0] = 2.0 * x[1]
    return np.sum(np.sum(y * y, axis=0) * c) + np.sum(np.exp(x + c))


_products_gradient = s2sad.grad(_inner_products, wrt=(0, 1, 2, 3))
_reductions_gradient = s2sad.grad(_inner_reductions, wrt=(0, 1))


def second_products(a, b, v, w):
    da, db, dv, dw = _products_gradient(a, b, v, w)
    return np.sum(da * da) + np.sum(db) + np.sum(dv * dw)


def second_reductions(x, c):
    dx, dc = _reductions_gradient(x, c)
    return np.sum(dx * dx) + np.sum(np.sin(dc))


def broadcast_rows(x):
    return np.broadcast_to(x, (3, 4)) * 1.0


def array_copy(x):
    return np.array(x, copy=True)


def asarray_of_array(x):
    return np.asarray(x) * np.sin(x)


def asarray_of_number(s):
    return np.asarray(s * 3.0) ** 2


for key in ("helper._matmul_dlhs", "helper._matmul_drhs", "helper._dot_dlhs", "helper._dot_drhs"):
    add_cases(
        key,
        Case(second_products, ((2, 3), (3, 2), (3,), (3,))),
        Case(second_products, ((3, 3), (3, 4), (2,), (2,))),
    )
for key in ("helper._spread", "helper._without", "helper._unbroadcast", "helper._as_argument",
            "numpy.full_like"):
    add_cases(
        key,
        Case(second_reductions, ((3, 2), (2,))),
        Case(second_reductions, ((4, 3), (3,))),
    )
def _inner_extrema(x):
    return np.sum(np.max(x**3, axis=0)) + np.min(np.sin(x))


_extrema_gradient = s2sad.grad(_inner_extrema)


def second_extrema(x):
    return np.sum(_extrema_gradient(x) ** 2)


_second_extrema_gradient = s2sad.grad(second_extrema)


def third_extrema(x):
    """Differentiates the adjoint of `_extremum_adjoint`, `_extremum_gather`, once more."""
    return np.sum(_second_extrema_gradient(x) ** 2)


add_cases("helper._extremum_adjoint", Case(second_extrema, ((3, 2),)), Case(second_extrema, ((4,),)))
add_cases("helper._extremum_gather", Case(third_extrema, ((3, 2),)), Case(third_extrema, ((4,),)))
add_cases("numpy.broadcast_to", Case(broadcast_rows, ((4,),)), Case(broadcast_rows, ((1, 4),)))
add_cases("numpy.array", Case(array_copy, ((3,),)), Case(array_copy, ((2, 3),)))
add_cases("numpy.asarray", Case(asarray_of_array, ((2, 3),)), Case(asarray_of_array, ((4,),)),
          Case(asarray_of_number, (SCALAR,)))


# ---- the families' own case modules --------------------------------------------------------
# Each family of templates may keep its cases in a module of its own,
# tests/template_cases_<family>.py, which imports Case, Value, SCALAR and add_cases from here.
for _path in sorted(Path(__file__).parent.glob("template_cases_*.py")):
    importlib.import_module(_path.stem)
