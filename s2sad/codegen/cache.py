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

    def options(self) -> tuple:
        """The options the gradient is generated with, as the persistent cache keys them."""
        return (self.wrt, self.mode, self.has_aux, self.structures, self.return_value,
                self.checkpoint)

    @classmethod
    def of(cls, fun: Callable, wrt: str | int | Sequence[str | int] | None, mode: str,
           has_aux: bool, structures: dict | None = None, return_value: bool = False,
           checkpoint: bool = False) -> BuildKey:
        code = getattr(fun, "__code__", None)
        shapes = tuple(structures.items()) if structures is not None else None
        return cls(code, getattr(code, "co_filename", None), _wrt_key(wrt), mode, has_aux, shapes,
                   return_value, checkpoint)


@dataclass(frozen=True)
class Facts:
    """What calling a generated gradient needs to know of it, beside its function: kept in
    the persistent cache with the source, so a gradient read from disk runs as generated."""

    name: str
    wrt: tuple[str, ...]
    seeds: tuple[str, ...]
    """Its cotangent (or tangent) parameters."""
    externals: tuple[tuple[str, int, str], ...]
    """(parameter, resolver, name): the keyword that takes what the global or closure
    variable `name`, as the dependency at that index resolves it, holds at the call (-1:
    a resolver that is no dependency, of a gradient's gradient: such a gradient is not
    kept on disk)."""
    candidates: tuple[tuple[str, ...], tuple[str, ...]]
    """The parameters a variant can specialize (adjoint.specializable)."""


@dataclass
class Build:
    """One generated gradient, valid while the names it was generated from are unchanged
    (`dependencies`: the resolvers, and gradients of gradients, that recorded them);
    `variants` holds its specializations to the arguments' kinds, by those facts. Read from
    the persistent cache, it has no Gradient until one is asked for (`regenerate`)."""

    source: str
    function: Callable
    facts: Facts
    dependencies: list
    externals: list[tuple[str, Any, str]]
    """(parameter, resolver, name) for each global or closure value the gradient takes."""
    globals: dict | None
    closure: tuple | None = None
    """The function's closure cells: another closure of the same code reads other values."""
    regenerate: Callable[[], Any] | None = None
    generated: Any = None
    """The Gradient, where it was generated in this process (or since asked for)."""
    variants: dict[tuple, tuple[str, Callable]] = field(default_factory=dict)
    seen: set[tuple] = field(default_factory=set)
    """The facts of calls made once, whose variant the next such call generates."""
    differentiable: str | None = None
    """The source a gradient of this gradient reads (tapes read by position), made once."""

    @property
    def gradient(self) -> Any:
        """The Gradient the source was written from: its program's origins for located
        errors, its program for variants and for a gradient of this gradient."""
        if self.generated is None:
            self.generated = self.regenerate()
        return self.generated

    def unchanged(self) -> bool:
        """Whether nothing the gradient was generated from has changed since."""
        for dependency in self.dependencies:
            if not dependency.unchanged():
                return False
        return True

    def external_values(self) -> dict[str, object]:
        """The keywords the gradient takes for the globals and closure values it reads, with
        what each holds now."""
        return {parameter: resolver.current(name) for parameter, resolver, name in self.externals}


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
