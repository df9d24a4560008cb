"""Resolving the names a forward function reads: locals, modules, functions, constants."""

from __future__ import annotations

import builtins
import sys
import types

_ARRAY_MODULES = ("numpy", "cupy")
_MISSING = object()
_AT_CALL_TIME = object()
"""Marks a name read when the gradient is called: only the type of its value is kept."""


def is_array_module(obj: object) -> bool:
    """True for numpy, cupy and their submodules (numpy.linalg ...)."""
    return isinstance(obj, types.ModuleType) and obj.__name__.split(".")[0] in _ARRAY_MODULES


def module_path(module: types.ModuleType) -> str:
    """`numpy.linalg` for numpy.linalg and cupy.linalg alike; private parts dropped."""
    parts = [p for p in module.__name__.split(".")[1:] if not p.startswith("_")]
    return ".".join(["numpy", *parts])


def is_constant_value(value: object) -> bool:
    """Values that can be written into a generated module as a literal."""
    if value is None or type(value) in (bool, int, float, complex, str):
        return True  # not NumPy's numbers, whose repr is not a literal and whose type counts
    if isinstance(value, tuple):
        return all(is_constant_value(v) for v in value)
    return False


class Resolver:
    """Looks up the global and closure names a function reads, and remembers what it found.

    `unchanged()` then tells whether every name still holds what it held: a gradient
    generated from those values is the gradient of the code the function would run now.
    """

    def __init__(self, fun: types.FunctionType):
        self.function = fun
        self.globals = fun.__globals__
        code = getattr(fun, "__code__", None)
        self.cells = dict(zip(code.co_freevars, fun.__closure__ or ())) if code else {}
        self.found: dict[tuple[str, ...], tuple[object, object]] = {}
        self._quick: tuple[list[tuple[str, object, object]], dict] | None = None

    def remember(self, path: tuple[str, ...], found: tuple[object, object]) -> None:
        """Record what the name path held (as `found` holds it): (value, code)."""
        self.found[path] = found
        self._quick = None

    def lookup(self, name: str, *attributes: str) -> object:
        """The value of a free name (through `attributes`, `name.a.b`), or `MISSING`."""
        value = self._resolve(name, attributes)
        if attributes and is_array_module(self._resolve(name, ())):
            path, found = (name,), (self._resolve(name, ()), None)  # np.tanh: np suffices
        else:
            path, found = (name, *attributes), (value, getattr(value, "__code__", None))
        if path not in self.found:
            self.remember(path, found)
        return value

    def read_at_call_time(self, name: str, describe) -> object:
        """Record that the gradient reads `name`'s value when it is called: a new value of the
        same description (`describe(value)`: its type, or a container's structure) needs no
        new gradient. Returns where the value lives, a closure cell or the globals."""
        value = self._resolve(name, ())
        self.remember((name,), (_AT_CALL_TIME, (describe, describe(value))))
        return "closure" if name in self.cells else "global"

    def value_of(self, path: tuple[str, ...] | list[str]) -> object:
        """What the name path (`np`, `np.linalg`, `layer`) resolves to now, or `MISSING`."""
        return self._resolve(path[0], tuple(path[1:]))

    def current(self, name: str) -> object:
        """What `name` holds now, in the function's closure or globals."""
        return self._resolve(name, ())

    def unchanged(self) -> bool:
        """Whether every name looked up still holds the same object (or an equal constant);
        a name read at call time, a value of the same type."""
        if self._quick is None:
            self._quick = self._quick_checks()
        globals_held, rest = self._quick
        get = self.globals.get
        for name, value, code in globals_held:
            if get(name, _MISSING) is not value or code is not None and value.__code__ is not code:
                return self._unchanged(self.found)  # the full comparison decides
        return not rest or self._unchanged(rest)

    def _quick_checks(self) -> tuple[list[tuple[str, object, object]], dict]:
        """The found globals (a module, a function) that hold the very object they held, as
        (name, value, code), checked first and fast, as every call of a gradient asks; and
        the rest of `found`."""
        held, rest = [], {}
        for path, (value, code) in self.found.items():
            if len(path) == 1 and value is not _AT_CALL_TIME and path[0] not in self.cells \
                    and self.globals.get(path[0], _MISSING) is value:
                held.append((path[0], value, code))
            else:
                rest[path] = (value, code)
        return held, rest

    def _unchanged(self, found: dict) -> bool:
        for path, (value, code) in found.items():
            current = self._resolve(path[0], path[1:])
            if value is _AT_CALL_TIME:
                describe, description = code
                if current is _MISSING or describe(current) != description:
                    return False
            elif current is value:
                # the same function with other code (`f.__code__ = ...`); asked of functions
                # only (a module's `__getattr__`, NumPy's, is slow to say it has none)
                if code is not None and getattr(current, "__code__", None) is not code:
                    return False
            elif not (type(current) is type(value) and current == value and (
                    is_constant_value(value) or isinstance(value, types.MethodType))):
                return False
        return True

    def _resolve(self, name: str, attributes) -> object:
        cell = self.cells.get(name)
        if cell is not None:
            try:
                value = cell.cell_contents
            except ValueError:  # a closure variable not assigned yet
                value = _MISSING
        else:
            value = self.globals.get(name, _MISSING)
            if value is _MISSING:
                value = vars(builtins).get(name, _MISSING)
        for attribute in attributes:
            if value is _MISSING:
                break
            value = getattr(value, attribute, _MISSING)
        return value

    def canonical_name(self, obj: object) -> str | None:
        """`numpy.tanh` for numpy.tanh, cupy.tanh and `from numpy import tanh` alike."""
        return canonical_name(obj)


MISSING = _MISSING
_SUBMODULES = ("", "linalg", "fft", "random", "lib.stride_tricks")
_INDEX: dict[int, str] = {}


def canonical_name(obj: object) -> str | None:
    """`numpy.tanh` for numpy.tanh, cupy.tanh and `from numpy import tanh` alike.

    Aliases share one name (np.abs and np.absolute are both `numpy.abs`).
    Functions that are neither NumPy's, CuPy's nor builtins get None.
    """
    if isinstance(obj, types.ModuleType):
        return module_path(obj) if is_array_module(obj) else None
    if not _INDEX or ("cupy" in sys.modules and "cupy" not in _INDEX.values()):
        _INDEX.clear()
        _INDEX.update(_build_index())
    return _INDEX.get(id(obj))


def _attribute(module: object, name: str) -> object:
    """`module.name`, or None where the module lacks it or refuses to produce it."""
    try:
        return getattr(module, name, None)
    except Exception:  # noqa: BLE001 - a lazily loading module may raise anything here
        return None


def _submodule(root: object, path: str) -> object:
    """`root.lib.stride_tricks` for the path "lib.stride_tricks", `root` for "", None if absent."""
    for part in path.split(".") if path else ():
        root = _attribute(root, part)
    return root


def _build_index() -> dict[int, str]:
    """Identity of every public callable of numpy (and cupy if loaded) → `numpy.<path>`."""
    import numpy

    index: dict[int, str] = {}
    for sub in _SUBMODULES:
        module = _submodule(numpy, sub)
        prefix = f"numpy.{sub}." if sub else "numpy."
        public = [(attr, getattr(module, attr, None)) for attr in dir(module) if attr[0] != "_"]
        functions = [(a, v) for a, v in public if callable(v) and not isinstance(v, type)]
        # An alias (np.pow, np.permute_dims) takes the name the function calls itself.
        for attr, value in sorted(functions, key=lambda av: av[0] != getattr(av[1], "__name__", "")):
            index.setdefault(id(value), prefix + attr)
    cupy = sys.modules.get("cupy")
    if cupy is not None:
        index[id(cupy)] = "cupy"
        for sub in _SUBMODULES:
            module, twin = _submodule(cupy, sub), _submodule(numpy, sub)
            for attr in dir(twin) if module is not None else ():
                name = index.get(id(getattr(twin, attr, None)))
                if name is not None and not attr.startswith("_"):
                    value = _attribute(module, attr)
                    if value is not None:
                        index.setdefault(id(value), name)
    for name in ("abs", "sum", "len", "range", "float", "int", "max", "min", "round", "print",
                 "slice"):
        index[id(getattr(builtins, name))] = "builtins." + name
    return index
