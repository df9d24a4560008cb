"""Where generated modules live on disk: each module's source in a real `.py` file, so that
tracebacks, pdb, coverage.py and profilers read its lines as they read any module's.

A file is named by the function it defines and a hash of its source
(`loss_grad-3f2a9c41d07b5e68.py`), in the `modules/` folder of the persistent cache
(store.py), or, where the cache is off or cannot be written, in a folder of the process's
own (`s2sad-*` in the temporary directory), removed when the process exits. A file is
written to a temporary name and renamed into place; one already there under its name that
holds the same source is left as it is.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from pathlib import Path

from .store import cache_directory, write_atomically

_TEMPORARY: list[Path] = []
"""This process's own folder, once made."""


def module_file(source: str, name: str) -> str:
    """The path of a file that holds `source`, written where it is not there yet; where no
    folder can be written, a `<s2sad name>` name that only linecache knows."""
    text = source.encode()
    filename = f"{name}-{hashlib.sha256(text).hexdigest()[:16]}.py"
    cache = cache_directory()
    folders = [cache / "modules"] if cache is not None else []
    for folder in folders + [None]:
        try:
            path = (folder or _temporary_folder()) / filename
            if not _holds(path, text):
                write_atomically(path, text)
            return str(path)
        except OSError:
            continue
    return f"<s2sad {name}>"


def _holds(path: Path, text: bytes) -> bool:
    try:
        return path.read_bytes() == text
    except OSError:
        return False


def _temporary_folder() -> Path:
    """The process's own folder for generated modules, made at its first use and removed
    when the process exits."""
    if not _TEMPORARY:
        folder = tempfile.mkdtemp(prefix="s2sad-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _TEMPORARY.append(Path(folder))
    return _TEMPORARY[0]
