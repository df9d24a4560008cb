"""Generated modules of the examples, byte for byte, against reviewed snapshots.

When a change to s2sad changes the generated code on purpose, read the diff
the failure shows, then regenerate the snapshots and review the new files:

    S2SAD_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshot.py
"""

from __future__ import annotations

import difflib
import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "dag_grad.py"
UPDATE_COMMAND = "S2SAD_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshot.py"


SNAPSHOTS = {
    # snapshot file: (example, the gradient function it defines)
    "dag_grad.py": ("dag.py", "q"),
    "rnn_grad.py": ("rnn.py", "loss"),
    "piecewise_grad.py": ("piecewise.py", "loss"),
    "second_order_grad.py": ("second_order.py", "s2"),
    "convnet_grad.py": ("convnet.py", "loss"),
    "mlp_jvp.py": ("transforms.py", "mlp_jvp"),
    "mlp_hvp.py": ("transforms.py", "mlp_hvp"),
    "features_hessian.py": ("transforms.py", "features_hessian"),
    "rnn_checkpointed.py": ("transforms.py", "rnn_gradient"),
}


def generated_source(monkeypatch, example: str, attribute: str) -> str:
    """`.source` of a gradient function of a fresh import of an example, generated from the
    repository root: the module's header names the file relative to the working directory."""
    monkeypatch.chdir(ROOT)
    name = f"{Path(example).stem}_for_snapshot"
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / example)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, attribute).source


@pytest.mark.parametrize("snapshot", sorted(SNAPSHOTS))
def test_generated_module_matches_the_reviewed_snapshot(monkeypatch, snapshot):
    example, attribute = SNAPSHOTS[snapshot]
    source = generated_source(monkeypatch, example, attribute)
    path = SNAPSHOT.parent / snapshot
    if os.environ.get("S2SAD_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(source, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"no snapshot at {path}; create it with:\n    {UPDATE_COMMAND}")
    expected = path.read_text(encoding="utf-8")
    if source != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True),
            source.splitlines(keepends=True),
            fromfile=f"tests/snapshots/{snapshot} (reviewed)",
            tofile="generated now",
        ))
        pytest.fail(
            f"the generated gradient of examples/{example}:{attribute} changed:\n\n"
            f"{diff}\n"
            "If the change is intended, review it, then regenerate the snapshots with:\n"
            f"    {UPDATE_COMMAND}\n"
            f"and review tests/snapshots/{snapshot} before committing it.",
            pytrace=False,
        )


def test_the_snapshot_is_a_working_module():
    """The reviewed snapshot itself runs and computes the DAG's gradient."""
    import numpy as np

    if not SNAPSHOT.exists():
        pytest.fail(f"no snapshot at {SNAPSHOT}; create it with:\n    {UPDATE_COMMAND}")
    spec = importlib.util.spec_from_file_location("dag_grad_snapshot", SNAPSHOT)
    snapshot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(snapshot)
    rng = np.random.default_rng(3)
    w1, w2, x = rng.standard_normal((3, 3)), rng.standard_normal((3, 3)), rng.standard_normal((3, 2))
    dw1, dw2 = snapshot.q_grad(w1, w2, x)

    def q(w1, w2, x):
        x1 = w1 @ x
        x3 = w1 @ (x1 + x + w2 @ x1)
        return np.sum(x3 * x3)

    eps = 1e-6
    for arg, gradient in ((0, dw1), (1, dw2)):
        for index in np.ndindex(gradient.shape):
            args = [w1.copy(), w2.copy(), x.copy()]
            args[arg][index] += eps
            up = q(*args)
            args[arg][index] -= 2 * eps
            down = q(*args)
            assert gradient[index] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-6)


def test_the_readme_pastes_the_current_jvp_module():
    """README.md shows the generated jvp function as the snapshot has it, byte for byte."""
    snapshot = (SNAPSHOT.parent / "mlp_jvp.py").read_text(encoding="utf-8")
    function = snapshot[snapshot.index("def mlp_jvp("):snapshot.index("\n\n\ndef _namespace")]
    assert function in (ROOT / "README.md").read_text(encoding="utf-8"), (
        "README.md's jvp module differs from tests/snapshots/mlp_jvp.py: paste it again")
