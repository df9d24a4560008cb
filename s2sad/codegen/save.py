"""Saving a generated module to disk, atomically."""

from __future__ import annotations

import os
import tempfile


def save_source(source: str, path: str | os.PathLike, overwrite: bool = False) -> None:
    """Write `source` to `path`; refuse to replace an existing file unless `overwrite`."""
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --force) to replace it")
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".s2sad-", suffix=".py", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(source)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
