"""docs/operators.md is the registry's catalogue, regenerated whenever a rule is added.

The file must be byte for byte what `s2sad operators` prints in a fresh
interpreter (one where only s2sad's own rules are registered). When this test
fails after you add or change a rule, regenerate the file and commit it:

    s2sad operators > docs/operators.md
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

import s2sad
from s2sad.catalog import REGENERATE, families_of_rules, render, shown
from s2sad.cli import main
from s2sad.registry import op_key
from s2sad.templates import METHODS, NONDIFFERENTIABLE, REGISTRY

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "operators.md"


def fresh_catalogue() -> str:
    """What `s2sad operators` prints in a new interpreter, run from the repository root."""
    result = subprocess.run(
        [sys.executable, "-m", "s2sad.cli", "operators"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return result.stdout


def test_docs_operators_md_is_up_to_date():
    expected = fresh_catalogue()
    if not DOC.exists():
        pytest.fail(f"{DOC.relative_to(ROOT)} is missing; generate it with:\n    {REGENERATE}")
    actual = DOC.read_text(encoding="utf-8")
    if actual != expected:
        diff = list(difflib.unified_diff(
            actual.splitlines(), expected.splitlines(),
            "docs/operators.md (committed)", "s2sad operators (the registry now)", lineterm="", n=0,
        ))
        shown_diff = "\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else "")
        pytest.fail(
            "docs/operators.md is out of date with the registry; regenerate it with:\n"
            f"    {REGENERATE}\n(from the repository root), then commit it.\n{shown_diff}"
        )


def test_the_cli_prints_the_catalogue(capsys):
    assert main(["operators"]) == 0
    assert capsys.readouterr().out == render()


def test_the_catalogue_lists_every_rule_of_the_package_once():
    text = render()
    keys = [key for family in families_of_rules().values() for key in family]
    assert len(keys) == len(set(keys))
    for key in keys:
        assert f"`{shown(key)}`" in text, f"{key} is missing from the catalogue"
    package = set(keys)
    for method, key in METHODS.items():
        if key in package:
            assert f"`.{method}()`" in text, f".{method}() is missing from the catalogue"
    for key in NONDIFFERENTIABLE:
        assert f"`{shown(key)}`" in text, f"non-differentiable {key} is missing"


def test_the_catalogue_groups_rules_by_the_module_that_defines_them():
    families = families_of_rules()
    assert op_key("numpy.sum") in families["reductions"]
    assert op_key("numpy.linalg.norm") in families["reductions"]
    assert all(keys == sorted(keys, key=str) for keys in families.values())
    assert "| `np.tanh` | `(x, /, out=None" in render() and "| diagonal |" in render()
    section = render().split("## reductions\n", 1)[1].split("\n## ", 1)[0]
    assert "| `np.sum` | `(x, axis=None, dtype=None, out=None, keepdims=False, initial=None, " \
           "where=True)` | `.sum()` | rule | `out is not None`" in section


def test_rules_registered_by_users_are_left_out():
    def user_rule(y, x):
        dx = dy * 2.0  # noqa: F841, F821 (a template: parsed, never run)

    key = "tests.test_operators_doc.doubled"
    s2sad.adjoint(key)(user_rule)
    try:
        assert key in REGISTRY
        assert op_key(key) not in {k for keys in families_of_rules().values() for k in keys}
        assert key not in render()
    finally:
        del REGISTRY[key]
