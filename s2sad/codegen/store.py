"""The persistent cache of generated modules: a second process that asks for the same
gradient reads its module from disk instead of generating it again.

An entry is found by a key made of everything the generated source depends on that is
known before generating it: s2sad's own code, NumPy's and Python's versions, the rules
registered, the function's code and source lines, and the gradient's options. It then
holds, beside the source, a fingerprint of every name the generation resolved (a
constant's value, a module's name, a NumPy function's name, a user function's code and
source lines, the type and structure of a value read at call time): the entry serves only
where each still holds the same. A gradient that read anything without a stable
fingerprint (an object, a class, another gradient) is not written.

The directory is `S2SAD_CACHE_DIR`, else `$XDG_CACHE_HOME/s2sad` (`~/.cache/s2sad`);
`S2SAD_CACHE=0` turns the cache off. Entries are written to a temporary file and renamed
into place, so concurrent processes read either a whole entry or none.
"""

from __future__ import annotations

import ast
import hashlib
import json
import marshal
import os
import sys
import tempfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy

from .._version import __version__ as VERSION
from ..registry import METHODS, NONDIFFERENTIABLE, REGISTRY
from ..resolve import _AT_CALL_TIME, MISSING, Resolver, canonical_name, is_constant_value

FORMAT = 2
"""The entries' layout; an entry of another is ignored."""


def cache_directory() -> Path | None:
    """Where entries live, or None where the cache is off."""
    if os.environ.get("S2SAD_CACHE", "1").lower() in ("0", "off", "false", "no"):
        return None
    chosen = os.environ.get("S2SAD_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "s2sad"


def entry_key(fun: Callable, options: tuple) -> str | None:
    """The key of `fun`'s entry for these options, or None where `fun` has no stable
    fingerprint (no source lines, a builtin)."""
    code = getattr(fun, "__code__", None)
    text = function_text(fun)
    if code is None or text is None:
        return None
    digest = hashlib.sha256(marshal.dumps(code))
    for part in (_environment(), repr(options), getattr(fun, "__module__", None),
                 getattr(fun, "__qualname__", None), text):
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def load(key: str, fun: Callable) -> dict[str, Any] | None:
    """The entry under `key` where every name it was generated from still holds the same:
    its fields, with `resolvers` rebuilt (each recording what it found, as the generation's
    did); None otherwise."""
    directory = cache_directory()
    if directory is None:
        return None
    try:
        entry = json.loads(_path(directory, key).read_text())
    except (OSError, ValueError):
        return None
    if entry.get("format") != FORMAT:
        return None
    resolvers = _resolvers(entry["resolvers"], fun)
    if resolvers is None:
        return None
    entry["resolvers"] = resolvers
    try:
        entry["code"] = marshal.loads(_path(directory, key, ".code").read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        entry["code"] = None  # compiled again from the source
    return entry


def store(key: str, fields: dict[str, Any], code: types.CodeType, resolvers: list[Resolver],
          fun: Callable) -> None:
    """Write the entry for `key`: `fields`, the module's compiled `code`, and the
    fingerprints of what `resolvers` found.
    Nothing is written where something found has no fingerprint, or the directory cannot
    be written (the cache is then only slower, never wrong)."""
    directory = cache_directory()
    if directory is None:
        return
    described = _described(resolvers, fun)
    if described is None:
        return
    entry = {"format": FORMAT, **fields, "resolvers": described}
    try:
        # the code first: an entry found is then whole, and its code, if any, its own
        write_atomically(_path(directory, key, ".code"), marshal.dumps(code))
        write_atomically(_path(directory, key), json.dumps(entry).encode())
    except OSError:
        return


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place: a reader
    finds the whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".entry-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        os.unlink(temporary)
        raise


def _path(directory: Path, key: str, suffix: str = ".json") -> Path:
    return directory / key[:2] / f"{key[2:]}{suffix}"


def _described(resolvers: list[Resolver], fun: Callable) -> list[dict] | None:
    """Each resolver as the entry keeps it: how to reach its function again (the forward
    function itself, or a name another resolver found) and the fingerprints of what it found."""
    described = []
    for index, resolver in enumerate(resolvers):
        if index == 0:
            if resolver.function is not fun:
                return None
            via = None
        else:
            via = _found_through(resolver.function, resolvers[:index])
            if via is None:
                return None
        found = []
        for path, (value, code) in resolver.found.items():
            mark = _fingerprint(value, code)
            if mark is None:
                return None
            found.append([list(path), mark])
        described.append({"via": via, "found": found})
    return described


def _found_through(function: object, earlier: list[Resolver]) -> list | None:
    """[resolver's index, name path] of a resolver that found `function`, or None."""
    for index, resolver in enumerate(earlier):
        for path, (value, _) in resolver.found.items():
            if value is function:
                return [index, list(path)]
    return None


def _resolvers(described: list[dict], fun: Callable) -> list[Resolver] | None:
    """The resolvers of an entry, rebuilt from the functions as they are now, each holding
    what it finds now; None where anything differs from what the entry was generated from."""
    from ..normalize.resolution import _description  # what a call-time value is described by

    resolvers: list[Resolver] = []
    for item in described:
        if item["via"] is None:
            function = fun
        else:
            index, path = item["via"]
            function = resolvers[index].value_of(path)
        if not isinstance(function, types.FunctionType):
            return None
        resolver = Resolver(function)
        for path, mark in item["found"]:
            value = resolver.value_of(path)
            if mark.startswith("call:"):
                if value is MISSING or _call_mark(_description(value)) != mark:
                    return None
                resolver.remember(tuple(path), (_AT_CALL_TIME, (_description, _description(value))))
                continue
            code = getattr(value, "__code__", None)
            if _fingerprint(value, code) != mark:
                return None
            resolver.remember(tuple(path), (value, code))
        resolvers.append(resolver)
    return resolvers


def _fingerprint(value: object, code: object) -> str | None:
    """What a found value is, as stable across processes; None where it has no such mark."""
    if value is _AT_CALL_TIME:
        return _call_mark(code[1])
    if value is MISSING:
        return "missing"
    if is_constant_value(value):
        return f"constant:{value!r}"
    if isinstance(value, types.ModuleType):
        return f"module:{value.__name__}"
    name = canonical_name(value)
    if name is not None:
        return f"array:{name}"
    if isinstance(value, types.FunctionType) and not hasattr(value, "__s2sad_shown_as__"):
        text = function_text(value)
        if text is None or code is not value.__code__:
            return None
        digest = hashlib.sha256(marshal.dumps(value.__code__) + text.encode())
        defaults = value.__defaults__ or ()
        if not all(is_constant_value(d) for d in defaults):
            return None
        return f"function:{value.__module__}.{value.__qualname__}:{digest.hexdigest()}:{defaults!r}"
    return None


def _call_mark(description: object) -> str | None:
    text = repr(description)
    return None if " at 0x" in text else f"call:{text}"


def function_text(fun: object) -> str | None:
    """The source lines of a function, from its first (its decorator's) line to the last its
    code spans, read without tokenizing its module as `inspect.getsource` does; None where
    they cannot be read so (no file, or Python 3.10's code, which has no end lines)."""
    code = getattr(fun, "__code__", None)
    if code is None or not hasattr(code, "co_positions"):
        return None
    import linecache

    lines = linecache.getlines(code.co_filename)
    if not lines:
        return None
    last = max((end for end in _end_lines(code) if end is not None), default=code.co_firstlineno)
    return "".join(lines[code.co_firstlineno - 1:last])


def _end_lines(code: types.CodeType):
    for _, end, _, _ in code.co_positions():
        yield end
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _end_lines(constant)


_ENVIRONMENT: list = []


def _environment() -> tuple:
    """What every entry depends on: s2sad's own files, NumPy's and Python's versions, the
    entries' layout and the rules the user registered, computed once per set of rules."""
    rules = (REGISTRY.generation, len(METHODS), len(NONDIFFERENTIABLE))
    if not _ENVIRONMENT or _ENVIRONMENT[0] != rules:
        user_rules = hashlib.sha256()
        for op in sorted(REGISTRY.changed, key=str):
            template = REGISTRY.get(op)
            tangent = ast.dump(ast.Module(template.tangent, [])) if template and template.tangent \
                else None
            user_rules.update(f"{op}\0{template.source if template else None}\0{tangent}\0"
                              .encode())
        package = str(Path(__file__).resolve().parent.parent)
        _ENVIRONMENT[:] = [rules, (FORMAT, VERSION, numpy.__version__, sys.version,
                                   _files(package), user_rules.hexdigest())]
    return _ENVIRONMENT[1]


def _files(directory: str) -> list[tuple[str, int, int]]:
    """s2sad's source files, with their sizes and times of change."""
    found = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir() and entry.name != "__pycache__":
                found += _files(entry.path)
            elif entry.name.endswith(".py"):
                stat = entry.stat()
                found.append((entry.name, stat.st_size, stat.st_mtime_ns))
    return sorted(found)
