"""The public API: grad, value_and_grad, vjp and the GradFunction they return."""

from __future__ import annotations

import os
import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy

from .adjoint import differentiate, specializable
from .codegen import compile_function, module_source, save_source
from .errors import NotScalarError, WrtError
from .parser import parse
from .resolve import MISSING, Resolver

Wrt = str | int | Sequence[str | int] | None

_CACHE: dict[tuple, tuple[dict[str, object], str, Callable, Any, Any]] = {}
_VARIANTS: dict[tuple, tuple[str, Callable]] = {}
_SCALAR_MESSAGE = "grad needs a scalar output"


class GradFunction:
    """A generated gradient function, callable like the forward function.

    `source` is the generated module, `save(path)` writes it to disk, and
    `fun` is the original forward function.
    """

    def __init__(self, fun: Callable, wrt: Wrt, mode: str):
        self.fun = fun
        self.mode = mode
        self._wrt = wrt
        self._function: Callable | None = None
        self._candidates: tuple[list[str], list[str]] = ([], [])
        self._source: str | None = None
        self._program: Any = None
        self.__wrapped__ = fun
        self.__name__ = getattr(fun, "__name__", "function") + "_" + mode
        self.__doc__ = getattr(fun, "__doc__", None)

    @property
    def wrt(self) -> tuple[str, ...]:
        """The names of the parameters the gradient is taken with respect to."""
        self._build()
        return tuple(self._wrt_names)

    @property
    def source(self) -> str:
        """The generated module's source."""
        self._build()
        return self._source

    def save(self, path: str | os.PathLike, overwrite: bool = False) -> None:
        """Write the generated module to `path`: it runs without s2sad installed."""
        save_source(self.source, path, overwrite)

    def source_for(self, *args: Any) -> str:
        """The source that runs for these arguments: `source`, or the variant specialized to
        the Python floats and element-by-element read 1-D arrays among them."""
        self._build()
        facts = _facts(self._candidates, args)
        return self._variant(facts)[0] if facts else self._source

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        function = self._function or self._build()
        if self._candidates[0]:
            facts = _facts(self._candidates, args)
            if facts:
                function = self._variant(facts)[1]
        if self.mode == "vjp":
            kwargs = self._seeds(kwargs)
        try:
            return function(*args, **kwargs)
        except ValueError as error:
            if error.args and str(error.args[0]).startswith(_SCALAR_MESSAGE):
                raise NotScalarError(str(error.args[0]), self._program.return_origin,
                                     "use s2sad.vjp(f)(..., cotangent=...) for non-scalar outputs"
                                     ) from None
            raise

    def _seeds(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if "cotangent" not in kwargs:
            raise TypeError(f"{self.__name__}() needs the output's cotangent as `cotangent=`")
        cotangent = kwargs.pop("cotangent")
        if len(self._seed_names) == 1:
            kwargs[self._seed_names[0]] = cotangent
        else:
            if not isinstance(cotangent, (tuple, list)) or len(cotangent) != len(self._seed_names):
                raise TypeError(f"the function returns {len(self._seed_names)} values: pass "
                                f"a tuple of {len(self._seed_names)} cotangents")
            kwargs.update(zip(self._seed_names, cotangent))
        return kwargs

    def _build(self) -> Callable:
        if self._function is not None:
            return self._function
        fun = self.fun
        code = getattr(fun, "__code__", None)
        # Code objects compare equal across modules when their text does: key on the file
        # too, and reuse only for the same module's globals.
        key = (code, getattr(code, "co_filename", None), _hashable(self._wrt), self.mode)
        cached = _CACHE.get(key)
        if cached is not None and cached[4] is getattr(fun, "__globals__", None) \
                and _constants_unchanged(fun, cached[0]):
            _, self._source, self._function, gradient, _ = cached
        else:
            program = parse(fun)
            names, single = _normalize_wrt(program, self._wrt)
            gradient = differentiate(program, names, self.mode, single)
            self._source = module_source(gradient)
            filename = f"<s2sad {gradient.name} from {program.display_filename}>"
            self._function = compile_function(self._source, gradient.name, filename)
            _CACHE[key] = (program.constants, self._source, self._function, gradient,
                           getattr(fun, "__globals__", None))
        self._program = gradient.program
        self._wrt_names = gradient.wrt
        self._seed_names = [name for name, _ in gradient.seeds]
        self._key = key
        self._candidates = specializable(gradient.program)
        return self._function

    def _variant(self, facts: tuple[tuple[str, str], ...]) -> tuple[str, Callable]:
        """The gradient specialized to `facts`, built once per forward function and facts."""
        key = (self._key, facts)
        if key not in _VARIANTS:
            program = self._program
            names, single = _normalize_wrt(program, self._wrt)
            gradient = differentiate(program, names, self.mode, single, dict(facts))
            source = module_source(gradient)
            filename = f"<s2sad {gradient.name} for numbers, from {program.display_filename}>"
            _VARIANTS[key] = (source, compile_function(source, gradient.name, filename))
        return _VARIANTS[key]

    def __repr__(self) -> str:
        return f"<s2sad.GradFunction {self.mode} of {getattr(self.fun, '__qualname__', self.fun)}>"


def _facts(candidates: tuple[list[str], list[str]], args: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
    """What the positional arguments hold, where a specialized gradient can use it: "number"
    for a Python (or NumPy) float, "numbers" for a 1-D float64 NumPy array read only by index."""
    params, indexed = candidates
    facts = []
    for name, value in zip(params, args):
        kind = type(value)
        if kind is float or kind is numpy.float64:
            facts.append((name, "number"))
        elif kind is numpy.ndarray and value.ndim == 1 and value.dtype == numpy.float64 \
                and name in indexed:
            facts.append((name, "numbers"))
    return tuple(facts)


def _make(fun: Callable | None, wrt: Wrt, mode: str):
    if not (wrt is None or isinstance(wrt, (str, int)) or (
            isinstance(wrt, (tuple, list)) and all(isinstance(w, (str, int)) for w in wrt))):
        raise WrtError(f"wrt must be an argument name, an index, or a tuple of them; got {wrt!r}")
    if fun is None:
        return lambda f: GradFunction(f, wrt, mode)
    if not callable(fun):
        raise TypeError(f"expected a function to differentiate, got {type(fun).__name__}")
    return GradFunction(fun, wrt, mode)


def grad(fun: Callable | None = None, wrt: Wrt = None) -> GradFunction | Callable[[Callable], GradFunction]:
    """The gradient of the scalar-valued `fun` with respect to the arguments `wrt`.

    `wrt` names arguments by name or position; the default is the first
    argument. A single name gives one gradient, a tuple gives a tuple. Use as
    `grad(f)`, `grad(f, wrt=...)`, `@grad` or `@grad(wrt=...)`.
    """
    return _make(fun, wrt, "grad")


def value_and_grad(fun: Callable | None = None, wrt: Wrt = None):
    """Like `grad`, but the call returns `(value, gradients)`."""
    return _make(fun, wrt, "value_and_grad")


def vjp(fun: Callable | None = None, wrt: Wrt = None):
    """The vector-Jacobian product of `fun`, for outputs of any shape.

    The call takes the output's cotangent as the keyword `cotangent=` (a
    tuple of cotangents for a function returning a tuple).
    """
    return _make(fun, wrt, "vjp")


def _normalize_wrt(program, wrt: Wrt) -> tuple[list[str], bool]:
    params = [p.name for p in program.params]
    if not params:
        raise WrtError(f"{program.name} has no arguments to differentiate with respect to",
                       program.return_origin)
    single = wrt is None or isinstance(wrt, (str, int))
    items = [0] if wrt is None else [wrt] if single else list(wrt)
    names = []
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            if not -len(params) <= item < len(params):
                raise WrtError(f"wrt={item} is out of range: {program.name} has "
                               f"{len(params)} arguments ({', '.join(params)})")
            name = params[item]
        elif isinstance(item, str) and item in params:
            name = item
        else:
            raise WrtError(f"wrt={item!r} names no argument of {program.name}; "
                           f"its arguments are {', '.join(params)}")
        if name in names:
            raise WrtError(f"wrt names {name!r} twice")
        names.append(name)
    if not names:
        raise WrtError("wrt is empty: name at least one argument")
    return names, single


def _hashable(wrt: Wrt) -> Any:
    """A cache key for `wrt` that tells `True` from `1` and `"x"` from `("x",)`."""
    if wrt is None or isinstance(wrt, (str, int)):
        return (type(wrt), wrt)
    return ("sequence", *((type(item), item) for item in wrt))


def _constants_unchanged(fun: Callable, constants: dict[str, object]) -> bool:
    if not isinstance(fun, types.FunctionType):
        return False
    resolver = Resolver(fun)
    for name, value in constants.items():
        current = resolver.lookup(name)
        if current is MISSING or type(current) is not type(value) or current != value:
            return False
    return True
