"""Compiling a generated module from its file (files.py), its text registered in linecache
too, for tracebacks and pdb."""

from __future__ import annotations

import linecache
import types
from collections.abc import Callable

from .files import module_file


class _GeneratedSource:
    """A loader that hands the generated source to linecache when its cache was cleared."""

    def __init__(self, source: str):
        self.source = source

    def get_source(self, name: str) -> str:
        return self.source


def compile_function(source: str, name: str, code: types.CodeType | None = None
                     ) -> tuple[Callable, types.CodeType]:
    """Execute the generated module `source` and return its function `name` and the module's
    code: compiled from the module's file (files.py), unless `code` is given, as the
    persistent cache keeps it, and was compiled from that same file.

    The source is registered in `linecache` under the file's name as well, so tracebacks
    and pdb show the generated lines even where the file was removed.
    """
    filename = module_file(source, name)
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, object] = {
        "__name__": f"s2sad_generated.{name}",
        "__loader__": _GeneratedSource(source),
    }
    if not filename.startswith("<"):
        namespace["__file__"] = filename
    if code is None or code.co_filename != filename:
        code = compile(source, filename, "exec")
    exec(code, namespace)  # noqa: S102 - running generated code is the job
    return namespace[name], code
