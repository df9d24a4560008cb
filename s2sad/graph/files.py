"""A picture written to a file: DOT as it is, SVG, PNG or PDF drawn by Graphviz's `dot`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

FORMATS = {".dot": None, ".gv": None, ".svg": "svg", ".png": "png", ".pdf": "pdf"}
"""A file's suffix → the format `dot -T` draws it in; None: the DOT text itself."""


class GraphvizError(Exception):
    """A picture that cannot be written: Graphviz missing or failing, an unknown suffix."""


def write(text: str, path: str | os.PathLike) -> None:
    """Write the DOT `text` to `path`, drawn by Graphviz for .svg, .png and .pdf."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise GraphvizError(f"cannot write {path}: name a .dot, .svg, .png or .pdf file")
    if FORMATS[suffix] is None:
        path.write_text(text)
        return
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizError(f"writing {path} needs Graphviz's dot on PATH; "
                            f"write {path.with_suffix('.dot')} instead or install graphviz")
    result = subprocess.run([dot, f"-T{FORMATS[suffix]}", "-o", str(path)], input=text,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise GraphvizError(f"Graphviz's dot could not write {path}: {result.stderr.strip()}")
