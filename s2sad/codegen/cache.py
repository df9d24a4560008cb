"""The in-process cache of generated gradients: one entry per function, `wrt` and mode,
reused while everything the gradient was built from is unchanged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BuildKey:
    """What a gradient is generated for. Code objects compare equal across modules when
    their text does, so the key holds the file too; an entry is also reused only for the
    same module's globals (`Build.globals`)."""

    code: object
    filename: str | None
    wrt: tuple
    mode: str
    has_aux: bool
    structures: tuple | None = None
    """The arguments' structures a structured gradient is generated for (structure.py)."""
    return_value: bool = False
    checkpoint: bool = False

    @classmethod
    def of(cls, fun: Callable, wrt: str | int | Sequence[str | int] | None, mode: str,
           has_aux: bool, structures: dict | None = None, return_value: bool = False,
           checkpoint: bool = False) -> BuildKey:
        code = getattr(fun, "__code__", None)
        shapes = tuple(structures.items()) if structures is not None else None
        return cls(code, getattr(code, "co_filename", None), _wrt_key(wrt), mode, has_aux, shapes,
                   return_value, checkpoint)


@dataclass
class Build:
    """One generated gradient, valid while the names its program resolved are unchanged;
    `variants` holds its specializations to the arguments' kinds, by those facts."""

    source: str
    function: Callable
    gradient: Any
    globals: dict | None
    closure: tuple | None = None
    """The function's closure cells: another closure of the same code reads other values."""
    variants: dict[tuple, tuple[str, Callable]] = field(default_factory=dict)
    differentiable: str | None = None
    """The source a gradient of this gradient reads (tapes read by position), made once."""

    def unchanged(self) -> bool:
        return self.gradient.program.unchanged()


class BuildCache:
    """Generated gradients by `BuildKey`."""

    def __init__(self) -> None:
        self._builds: dict[BuildKey, Build] = {}

    def get(self, key: BuildKey, namespace: dict | None, closure: tuple | None) -> Build | None:
        """The entry for `key`, if it was built for the module `namespace` and the closure
        cells `closure`, and is unchanged."""
        built = self._builds.get(key)
        if built is not None and built.globals is namespace and built.closure is closure \
                and built.unchanged():
            return built
        return None

    def put(self, key: BuildKey, built: Build) -> None:
        self._builds[key] = built


def _wrt_key(wrt: str | int | Sequence[str | int] | None) -> tuple:
    """`wrt` as a key that tells `True` from `1` and `"x"` from `("x",)`."""
    if wrt is None or isinstance(wrt, (str, int)):
        return (type(wrt), wrt)
    return ("sequence", *((type(item), item) for item in wrt))
