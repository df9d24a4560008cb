"""Compiling generated source with the text registered for tracebacks and pdb."""

from __future__ import annotations

import linecache
import types
from collections.abc import Callable


class _GeneratedSource:
    """A loader that hands the generated source to linecache when its cache was cleared."""

    def __init__(self, source: str):
        self.source = source

    def get_source(self, name: str) -> str:
        return self.source


def compile_function(source: str, name: str, filename: str,
                     code: types.CodeType | None = None) -> Callable:
    """Execute the generated module `source` (compiled under `filename`, unless its `code`
    is given, as the persistent cache keeps it) and return its function `name`.

    The source is registered in `linecache` under `filename`, so tracebacks
    and pdb show the generated lines.
    """
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, object] = {
        "__name__": f"s2sad_generated.{name}",
        "__loader__": _GeneratedSource(source),
    }
    if code is None:
        code = compile(source, filename, "exec")
    exec(code, namespace)  # noqa: S102 - running generated code is the job
    return namespace[name]
