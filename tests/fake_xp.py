"""A CPU stand-in for CuPy that proves generated code never hard-wires NumPy.

``FakeArray`` wraps a NumPy array and behaves like a ``cupy.ndarray`` in the
one way that matters to s2sad: NumPy refuses it. Calling a NumPy function on
it, converting it with ``numpy.asarray`` or mixing it with a ``numpy.ndarray``
raises ``TypeError``. Its ``__array_namespace__()`` returns :data:`namespace`,
which forwards every attribute to the same-named NumPy function, unwrapping
``FakeArray`` arguments and wrapping array results. Generated gradient code
that finds its array module through the arguments therefore runs unchanged on
``FakeArray`` inputs, and code that calls ``numpy.`` directly fails loudly.

The stand-in is deliberately at least as strict as CuPy:

* ``numpy.tanh(fake)``, ``numpy.sum(fake)``, ``numpy.asarray(fake)`` and
  ``numpy.array([fake])`` raise ``TypeError``.
* Operators refuse ``numpy.ndarray`` operands on either side
  (``fake + ndarray`` and ``ndarray + fake``). ``__array_ufunc__ = None``
  makes NumPy's binary operators return ``NotImplemented``, so Python falls
  back to ``FakeArray``'s reflected method, which raises ``TypeError``.
  Python scalars and NumPy scalars (``numpy.float64(2.0)``) are accepted, as
  CuPy accepts them.
* Functions of :data:`namespace` refuse ``numpy.ndarray`` arguments too,
  except the conversion functions in :data:`HOST_CONVERSIONS` and the index
  of ``ufunc.at`` (CuPy accepts host index arrays). Array indices in
  ``fake[index]`` may be NumPy arrays; assigned values may not.
* Results that NumPy returns as scalars (``xp.sum(fake)``, ``fake[0]``) come
  back as 0-d ``FakeArray``, as CuPy returns 0-d device arrays.

Types (``xp.float32``, ``xp.dtype``, ``xp.finfo``) and constants
(``xp.pi``, ``xp.newaxis``) are NumPy's own objects, as in CuPy. Names that
start with an underscore (``xp.__version__``, ``xp._core``) are not forwarded.
"""

from __future__ import annotations

import functools
import operator
import types
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import numpy

__all__ = [
    "HOST_CONVERSIONS",
    "FakeArray",
    "asarray",
    "namespace",
    "to_numpy",
]

HOST_CONVERSIONS = frozenset(
    {"array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray"}
)
"""Namespace functions that accept host ``numpy.ndarray`` arguments."""

_SCALARS = (bool, int, float, complex, numpy.generic)


def _host_error(where: str) -> TypeError:
    return TypeError(
        f"{where} got a numpy.ndarray: FakeArray refuses to mix with host "
        "NumPy arrays, like CuPy; convert with fake_xp.asarray() or xp.asarray()"
    )


def _contains_host_array(value: Any) -> bool:
    """Whether ``value`` is, or holds in a tuple/list/dict/slice, an ndarray."""
    if isinstance(value, numpy.ndarray):
        return True
    if isinstance(value, (tuple, list)):
        return any(_contains_host_array(item) for item in value)
    if isinstance(value, dict):
        return any(_contains_host_array(item) for item in value.values())
    if isinstance(value, slice):
        return _contains_host_array((value.start, value.stop, value.step))
    return False


def _refuse_host(where: str, *values: Any) -> None:
    """Raise ``TypeError`` if any of ``values`` holds a ``numpy.ndarray``."""
    if any(_contains_host_array(value) for value in values):
        raise _host_error(where)


def _unwrap(value: Any, seen: dict[int, FakeArray] | None = None) -> Any:
    """Replace every FakeArray in ``value`` by its ndarray, recursively.

    Each FakeArray met is recorded in ``seen`` by the id of its data, so that
    a result that *is* an argument's data (``out=``, ``copy=False``) can be
    handed back as the same FakeArray.
    """
    if isinstance(value, FakeArray):
        if seen is not None:
            seen[id(value.data)] = value
        return value.data
    if isinstance(value, tuple):
        items = [_unwrap(item, seen) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [_unwrap(item, seen) for item in value]
    if isinstance(value, dict):
        return {key: _unwrap(item, seen) for key, item in value.items()}
    if isinstance(value, slice):
        return slice(*_unwrap((value.start, value.stop, value.step), seen))
    return value


def _wrap(value: Any, seen: dict[int, FakeArray] | None = None) -> Any:
    """Wrap ndarrays and NumPy scalars in ``value`` as FakeArray, recursively."""
    if isinstance(value, numpy.ndarray):
        if seen is not None and id(value) in seen:
            return seen[id(value)]
        return FakeArray(value)
    if isinstance(value, numpy.generic):
        return FakeArray(numpy.asarray(value))
    if isinstance(value, tuple):
        items = [_wrap(item, seen) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [_wrap(item, seen) for item in value]
    return value


def to_numpy(value: Any) -> Any:
    """Return ``value`` with every FakeArray replaced by its NumPy data.

    Recurses into tuples (named tuples keep their type), lists and dicts; the
    arrays are not copied. Use it to compare results with NumPy in tests.
    """
    return _unwrap(value)


def asarray(value: Any, dtype: Any = None) -> FakeArray:
    """Wrap a NumPy array, NumPy scalar, Python scalar or nested list.

    A FakeArray is returned as is when ``dtype`` is None or already its dtype.
    """
    if isinstance(value, FakeArray):
        if dtype is None or numpy.dtype(dtype) == value.dtype:
            return value
        value = value.data
    return FakeArray(numpy.asarray(value, dtype=dtype))


def _call(func: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """Call NumPy's ``func`` on unwrapped arguments and wrap the result."""
    seen: dict[int, FakeArray] = {}
    result = func(*_unwrap(args, seen), **_unwrap(kwargs, seen))
    return _wrap(result, seen)


def _forward(where: str, func: Callable[..., Any], host_ok: bool) -> Callable:
    """A wrapper of NumPy's ``func`` that takes and returns FakeArrays."""

    @functools.wraps(func)
    def forwarded(*args: Any, **kwargs: Any) -> Any:
        if not host_ok:
            _refuse_host(where, args, kwargs)
        return _call(func, args, kwargs)

    return forwarded


class _Ufunc:
    """A NumPy ufunc whose calls and methods take and return FakeArrays."""

    def __init__(self, ufunc: numpy.ufunc, where: str) -> None:
        self._ufunc = ufunc
        self._where = where
        self.__name__ = ufunc.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        _refuse_host(f"{self._where}()", args, kwargs)
        return _call(self._ufunc, args, kwargs)

    def at(self, a: FakeArray, indices: Any, b: Any = None) -> None:
        """Unbuffered in-place ``a[indices] op= b``; mutates ``a.data``."""
        where = f"{self._where}.at()"
        _refuse_host(where, a, b)
        if not isinstance(a, FakeArray):
            raise TypeError(f"{where} needs a FakeArray to update, got {type(a)}")
        if b is None:
            self._ufunc.at(a.data, _unwrap(indices))
        else:
            self._ufunc.at(a.data, _unwrap(indices), _unwrap(b))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(f"fake_xp ufuncs do not forward private {name!r}")
        attr = getattr(self._ufunc, name)
        if callable(attr):
            return _forward(f"{self._where}.{name}()", attr, host_ok=False)
        return attr

    def __repr__(self) -> str:
        return f"<fake_xp ufunc {self.__name__!r}>"


class _Namespace:
    """A module-like object forwarding every attribute to a NumPy module."""

    def __init__(self, module: types.ModuleType, name: str) -> None:
        self._module = module
        self.__name__ = name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(f"fake_xp namespaces do not forward private {name!r}")
        attr = getattr(self._module, name)
        where = f"{self.__name__}.{name}"
        if isinstance(attr, types.ModuleType):
            value: Any = _Namespace(attr, where)
        elif isinstance(attr, numpy.ufunc):
            value = _Ufunc(attr, where)
        elif isinstance(attr, type) or not callable(attr):
            value = attr
        else:
            value = _forward(f"{where}()", attr, host_ok=name in HOST_CONVERSIONS)
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._module)) | set(super().__dir__()))

    def __repr__(self) -> str:
        return f"<fake_xp namespace {self.__name__!r} over {self._module.__name__}>"


namespace = _Namespace(numpy, "fake_xp")
"""The array namespace of FakeArray: ``numpy`` seen through FakeArrays."""


def _operand(other: Any, where: str) -> Any:
    """The NumPy operand for ``other``, or NotImplemented for foreign types."""
    if isinstance(other, FakeArray):
        return other.data
    if isinstance(other, numpy.ndarray):
        raise _host_error(where)
    if isinstance(other, _SCALARS):
        return other
    return NotImplemented


def _binary(op: Callable[[Any, Any], Any], name: str) -> Callable:
    def method(self: FakeArray, other: Any) -> Any:
        operand = _operand(other, f"FakeArray.{name}")
        if operand is NotImplemented:
            return NotImplemented
        return _wrap(op(self.data, operand))

    method.__name__ = name
    return method


def _reflected(op: Callable[[Any, Any], Any], name: str) -> Callable:
    def method(self: FakeArray, other: Any) -> Any:
        operand = _operand(other, f"FakeArray.{name}")
        if operand is NotImplemented:
            return NotImplemented
        return _wrap(op(operand, self.data))

    method.__name__ = name
    return method


def _inplace(op: Callable[[Any, Any], Any], name: str) -> Callable:
    def method(self: FakeArray, other: Any) -> Any:
        operand = _operand(other, f"FakeArray.{name}")
        if operand is NotImplemented:
            return NotImplemented
        op(self.data, operand)
        return self

    method.__name__ = name
    return method


def _unary(op: Callable[[Any], Any], name: str) -> Callable:
    def method(self: FakeArray) -> FakeArray:
        return _wrap(op(self.data))

    method.__name__ = name
    return method


def _method(name: str) -> Callable:
    def method(self: FakeArray, *args: Any, **kwargs: Any) -> Any:
        where = f"FakeArray.{name}()"
        _refuse_host(where, args, kwargs)
        seen = {id(self.data): self}
        bound = getattr(self.data, name)
        return _wrap(bound(*_unwrap(args, seen), **_unwrap(kwargs, seen)), seen)

    method.__name__ = name
    method.__doc__ = f"``numpy.ndarray.{name}`` on the data, result wrapped."
    return method


def _view(name: str) -> property:
    return property(
        lambda self: _wrap(getattr(self.data, name)),
        doc=f"``numpy.ndarray.{name}`` of the data, wrapped.",
    )


class FakeArray:
    """A NumPy array in disguise that NumPy itself refuses, like CuPy's."""

    __slots__ = ("data",)

    def __init__(self, data: numpy.ndarray) -> None:
        if not isinstance(data, numpy.ndarray):
            raise TypeError(
                f"FakeArray wraps a numpy.ndarray, got {type(data).__name__}; "
                "use fake_xp.asarray() to convert"
            )
        self.data = data

    def __array_namespace__(self, api_version: str | None = None) -> _Namespace:
        """The namespace that generated code must use for this array."""
        return namespace

    # Refuse every implicit conversion to NumPy, like CuPy.
    __array_ufunc__ = None

    def __array__(self, dtype: Any = None, copy: Any = None) -> NoReturn:
        raise TypeError("FakeArray refuses implicit conversion to a NumPy array, like CuPy")

    def __array_function__(
        self, func: Any, relevant_types: Any, args: Any, kwargs: Any
    ) -> NoReturn:
        name = f"{func.__module__}.{func.__name__}"
        raise TypeError(
            f"{name}() was called on a FakeArray: NumPy functions refuse it, "
            "like CuPy arrays; call it through the array namespace (xp) instead"
        )

    # Attributes.
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def strides(self) -> tuple[int, ...]:
        return self.data.strides

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> numpy.dtype:
        return self.data.dtype

    T = _view("T")
    mT = _view("mT")
    real = _view("real")
    imag = _view("imag")

    # Methods forwarded to NumPy.
    all = _method("all")
    any = _method("any")
    argmax = _method("argmax")
    argmin = _method("argmin")
    astype = _method("astype")
    clip = _method("clip")
    conj = _method("conj")
    copy = _method("copy")
    cumsum = _method("cumsum")
    cumprod = _method("cumprod")
    diagonal = _method("diagonal")
    dot = _method("dot")
    fill = _method("fill")
    flatten = _method("flatten")
    item = _method("item")
    max = _method("max")
    mean = _method("mean")
    min = _method("min")
    nonzero = _method("nonzero")
    prod = _method("prod")
    ravel = _method("ravel")
    repeat = _method("repeat")
    reshape = _method("reshape")
    squeeze = _method("squeeze")
    std = _method("std")
    sum = _method("sum")
    swapaxes = _method("swapaxes")
    take = _method("take")
    tolist = _method("tolist")
    trace = _method("trace")
    transpose = _method("transpose")
    var = _method("var")

    # Arithmetic, comparison and bitwise operators.
    __add__ = _binary(operator.add, "__add__")
    __sub__ = _binary(operator.sub, "__sub__")
    __mul__ = _binary(operator.mul, "__mul__")
    __truediv__ = _binary(operator.truediv, "__truediv__")
    __floordiv__ = _binary(operator.floordiv, "__floordiv__")
    __mod__ = _binary(operator.mod, "__mod__")
    __divmod__ = _binary(divmod, "__divmod__")
    __pow__ = _binary(operator.pow, "__pow__")
    __matmul__ = _binary(operator.matmul, "__matmul__")
    __and__ = _binary(operator.and_, "__and__")
    __or__ = _binary(operator.or_, "__or__")
    __xor__ = _binary(operator.xor, "__xor__")
    __lshift__ = _binary(operator.lshift, "__lshift__")
    __rshift__ = _binary(operator.rshift, "__rshift__")

    __radd__ = _reflected(operator.add, "__radd__")
    __rsub__ = _reflected(operator.sub, "__rsub__")
    __rmul__ = _reflected(operator.mul, "__rmul__")
    __rtruediv__ = _reflected(operator.truediv, "__rtruediv__")
    __rfloordiv__ = _reflected(operator.floordiv, "__rfloordiv__")
    __rmod__ = _reflected(operator.mod, "__rmod__")
    __rdivmod__ = _reflected(divmod, "__rdivmod__")
    __rpow__ = _reflected(operator.pow, "__rpow__")
    __rmatmul__ = _reflected(operator.matmul, "__rmatmul__")
    __rand__ = _reflected(operator.and_, "__rand__")
    __ror__ = _reflected(operator.or_, "__ror__")
    __rxor__ = _reflected(operator.xor, "__rxor__")
    __rlshift__ = _reflected(operator.lshift, "__rlshift__")
    __rrshift__ = _reflected(operator.rshift, "__rrshift__")

    __iadd__ = _inplace(operator.iadd, "__iadd__")
    __isub__ = _inplace(operator.isub, "__isub__")
    __imul__ = _inplace(operator.imul, "__imul__")
    __itruediv__ = _inplace(operator.itruediv, "__itruediv__")
    __ifloordiv__ = _inplace(operator.ifloordiv, "__ifloordiv__")
    __imod__ = _inplace(operator.imod, "__imod__")
    __ipow__ = _inplace(operator.ipow, "__ipow__")
    __imatmul__ = _inplace(operator.imatmul, "__imatmul__")
    __iand__ = _inplace(operator.iand, "__iand__")
    __ior__ = _inplace(operator.ior, "__ior__")
    __ixor__ = _inplace(operator.ixor, "__ixor__")
    __ilshift__ = _inplace(operator.ilshift, "__ilshift__")
    __irshift__ = _inplace(operator.irshift, "__irshift__")

    __eq__ = _binary(operator.eq, "__eq__")  # type: ignore[assignment]
    __ne__ = _binary(operator.ne, "__ne__")  # type: ignore[assignment]
    __lt__ = _binary(operator.lt, "__lt__")
    __le__ = _binary(operator.le, "__le__")
    __gt__ = _binary(operator.gt, "__gt__")
    __ge__ = _binary(operator.ge, "__ge__")
    __hash__ = None  # type: ignore[assignment]

    __neg__ = _unary(operator.neg, "__neg__")
    __pos__ = _unary(operator.pos, "__pos__")
    __abs__ = _unary(operator.abs, "__abs__")
    __invert__ = _unary(operator.invert, "__invert__")

    # Indexing, iteration and Python scalar conversions.
    def __getitem__(self, index: Any) -> Any:
        return _wrap(self.data[_unwrap(index)])

    def __setitem__(self, index: Any, value: Any) -> None:
        _refuse_host("FakeArray.__setitem__() value", value)
        self.data[_unwrap(index)] = _unwrap(value)

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[FakeArray]:
        for row in self.data:
            yield _wrap(row)

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __complex__(self) -> complex:
        return complex(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __repr__(self) -> str:
        return f"FakeArray({self.data!r})"
