"""The same function and options give byte-identical source, whatever the hash seed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRINT_SOURCES = textwrap.dedent(
    """
    import importlib.util
    import sys

    for name, attribute in (("dag", "q"), ("mlp", "loss"), ("siamese", "pair_loss")):
        spec = importlib.util.spec_from_file_location(name, f"examples/{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.stdout.write(getattr(module, attribute).source)
        sys.stdout.write("\\0")
    """
)


def sources(hash_seed: str) -> bytes:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SOURCES],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def test_generated_source_does_not_depend_on_the_hash_seed():
    first, second = sources("1"), sources("4242")
    dag, mlp, siamese, rest = first.split(b"\0")
    assert rest == b""
    assert b"def q_grad(" in dag
    assert b"def loss_value_and_grad(" in mlp
    assert b"def pair_loss_grad(" in siamese
    assert first == second
