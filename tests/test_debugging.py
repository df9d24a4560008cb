"""Generated modules are real files (codegen/files.py): a process's default traceback shows
the generated line, and the `# line N` header above it leads to the user's line; pdb breaks
at `file:line` in a gradient; tracers, profilers and coverage.py see its lines. With the
cache on, the file lies in the cache's `modules/` folder; with it off, in a folder of the
process's own, removed when it exits."""

from __future__ import annotations

import cProfile
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

import s2sad

ROOT = Path(__file__).resolve().parent.parent
"""The checkout under test, which the processes import."""

FORWARD = textwrap.dedent("""\
    import numpy as np
    import s2sad


    def loss(w, x):
        h = np.tanh(x @ w)
        return np.sum(h * h)


    grad = s2sad.grad(loss)
    print("GENERATED", grad.function.__code__.co_filename, flush=True)
    print("FROM_DISK", grad._build().generated is None, flush=True)
    dw = grad(np.ones((3, 4)), np.ones((2, {columns})))
    print("DONE", dw.shape, flush=True)
""")
"""A gradient whose forward raises at `x @ w` where x has 5 columns (w has 3 rows)."""

BACKWARD = textwrap.dedent("""\
    import numpy as np
    import s2sad


    def softplus(x):
        return np.log1p(np.exp(x))


    def logistic(x):
        if np.any(x > 30.0):
            raise FloatingPointError("logistic: an input is above 30")
        return 1.0 / (1.0 + np.exp(-x))


    @s2sad.adjoint(softplus, elementwise=True)
    def softplus_rule(y, x):
        dx = dy * logistic(x)


    def loss(w, x):
        return np.sum(softplus(x @ w))


    grad = s2sad.grad(loss)
    print("GENERATED", grad.function.__code__.co_filename, flush=True)
    grad(np.full((3, 2), 20.0), np.ones((4, 3)))
""")
"""A gradient whose backward raises, in the user's function its rule calls."""


def _environment(cache: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "S2SAD_CACHE_DIR": str(cache), **extra}


def _run(script: Path, cache: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script)], check=False, capture_output=True,
                          text=True, env=_environment(cache, **extra), cwd=script.parent,
                          timeout=300)


def _generated(output: str) -> Path:
    return Path(re.search(r"^GENERATED (.+)$", output, re.MULTILINE)[1])


def _last_frame(traceback: str, function: str) -> tuple[Path, int, str]:
    """The file, line and the line's text the traceback shows for `function`'s last frame."""
    frames = re.findall(rf'File "([^"]+)", line (\d+), in {function}\n(.*)\n', traceback)
    assert frames, traceback
    path, number, text = frames[-1]
    return Path(path), int(number), text.strip()


def _header_above(lines: list[str], number: int) -> tuple[int, str]:
    """The user's line, and its statement, of the `# line N: ...` header nearest above
    line `number` of generated code."""
    for line in reversed(lines[:number]):
        match = re.fullmatch(r"\s*# line (\d+): (.*)", line)
        if match:
            return int(match[1]), match[2]
    raise AssertionError(f"no header above line {number}")


def _script(folder: Path, text: str, **fields: object) -> Path:
    script = folder / "script.py"
    script.write_text(text.format(**fields) if fields else text)
    return script


def _user_line(script: Path, text: str) -> int:
    return next(n for n, line in enumerate(script.read_text().splitlines(), 1) if text in line)


def test_a_traceback_shows_the_generated_file_and_line_and_the_user_line_above_it(tmp_path):
    script = _script(tmp_path, FORWARD, columns=5)
    done = _run(script, tmp_path / "cache")
    assert done.returncode == 1 and "ValueError: matmul" in done.stderr, done.stderr
    path, number, text = _last_frame(done.stderr, "loss_grad")
    assert path == _generated(done.stdout)
    assert path.parent == tmp_path / "cache" / "modules" and path.name.startswith("loss_grad-")
    lines = path.read_text().splitlines()
    assert text == "x_w = x @ w" == lines[number - 1].strip()
    assert _header_above(lines, number) == (_user_line(script, "np.tanh"), "h = np.tanh(x @ w)")


def test_a_second_process_serves_the_cached_module_from_its_file_written_again_if_gone(tmp_path):
    script = _script(tmp_path, FORWARD, columns=5)
    first = _run(script, tmp_path / "cache")
    path = _generated(first.stdout)
    for module in (tmp_path / "cache" / "modules").iterdir():
        module.unlink()
    second = _run(script, tmp_path / "cache")
    assert "FROM_DISK True" in second.stdout, second.stdout
    assert _generated(second.stdout) == path and path.exists()
    assert _last_frame(second.stderr, "loss_grad")[1:] == _last_frame(first.stderr, "loss_grad")[1:]
    assert _last_frame(second.stderr, "loss_grad")[2] == "x_w = x @ w"


def test_with_the_cache_off_the_module_lives_in_a_folder_removed_at_exit(tmp_path):
    script = _script(tmp_path, FORWARD, columns=5)
    done = _run(script, tmp_path / "cache", S2SAD_CACHE="0", TMPDIR=str(tmp_path))
    path, _, text = _last_frame(done.stderr, "loss_grad")
    assert path == _generated(done.stdout)
    assert path.parent.parent == tmp_path and path.parent.name.startswith("s2sad-")
    assert text == "x_w = x @ w"
    assert not path.parent.exists()  # removed when the process exited
    assert not (tmp_path / "cache").exists()


def test_an_error_in_the_backward_shows_its_block_and_the_user_function_it_called(tmp_path):
    script = _script(tmp_path, BACKWARD)
    done = _run(script, tmp_path / "cache")
    assert "FloatingPointError: logistic: an input is above 30" in done.stderr, done.stderr
    path, number, text = _last_frame(done.stderr, "loss_grad")
    assert path == _generated(done.stdout) and "logistic(" in text
    user_line = _user_line(script, "return np.sum(softplus")
    assert _header_above(path.read_text().splitlines(), number) == (
        user_line, "return np.sum(softplus(x @ w))")
    called = _last_frame(done.stderr, "logistic")
    assert called == (script, _user_line(script, "raise FloatingPointError"),
                      'raise FloatingPointError("logistic: an input is above 30")')
    assert done.stderr.index(f'"{path}"') < done.stderr.index(f'"{script}", line {called[1]}')


class _Debugger:
    """`python -m pdb script`, driven a command at a time: each answer read up to the next
    prompt."""

    PROMPT = "(Pdb) "

    def __init__(self, script: Path, environment: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pdb", str(script)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment, cwd=script.parent,
            text=True, bufsize=0)
        self.chunks: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.answer()

    def _read(self) -> None:
        while True:
            chunk = self.process.stdout.read(1)
            if not chunk:
                self.chunks.put("")
                return
            self.chunks.put(chunk)

    def answer(self) -> str:
        text = ""
        while not text.endswith(self.PROMPT):
            chunk = self.chunks.get(timeout=120)
            if not chunk:
                raise AssertionError(f"pdb ended:\n{text}")
            text += chunk
        return text

    def send(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.answer()

    def quit(self) -> None:
        try:
            self.process.stdin.write("q\n")
            self.process.stdin.close()
            self.process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


@pytest.mark.parametrize("cache", ["on", "off"])
def test_pdb_breaks_at_a_line_of_the_generated_file_and_prints_a_variable(tmp_path, cache):
    script = _script(tmp_path, FORWARD, columns=3)  # shapes that work
    extra = {"S2SAD_CACHE": "0"} if cache == "off" else {}
    debugger = _Debugger(script, _environment(tmp_path / "cache", **extra))
    try:
        debugger.send(f"b {_user_line(script, 'dw = grad(')}")
        path = _generated(debugger.send("c"))
        number = _user_line(path, "h = xp.tanh(x_w)")
        assert f"Breakpoint 2 at {path}:{number}" in debugger.send(f"b {path}:{number}")
        stopped = debugger.send("c")
        assert f"> {path}({number})loss_grad()" in stopped, stopped
        assert "-> h = xp.tanh(x_w)" in stopped
        assert "(2, 4)" in debugger.send("p x_w.shape")
    finally:
        debugger.quit()


def _loss(w, x):
    h = np.tanh(x @ w)
    return np.sum(h * h)


def test_a_tracer_and_a_profiler_see_the_generated_lines():
    grad = s2sad.grad(_loss)
    w, x = np.ones((3, 4)), np.ones((5, 3))
    filename = grad.function.__code__.co_filename
    assert Path(filename).read_text() == grad.source
    seen: set[int] = set()

    def tracer(frame, event, argument):
        if frame.f_code.co_filename == filename and event == "line":
            seen.add(frame.f_lineno)
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        grad(w, x)
    finally:
        sys.settrace(previous)
    lines = grad.source.splitlines()
    assert {lines[n - 1].strip() for n in seen} >= {"x_w = x @ w", "h = xp.tanh(x_w)"}
    profile = cProfile.Profile()
    profile.runcall(grad, w, x)
    profile.create_stats()
    # The profiler sees the module that ran: from the second call with these arguments on,
    # their variant, compiled from a file of its own.
    assert any(Path(file).is_file() and name == grad.function.__name__
               and Path(file).read_text().startswith("# Generated by s2sad")
               for file, _, name in profile.stats)


def test_coverage_measures_the_generated_module(tmp_path):
    script = _script(tmp_path, FORWARD, columns=3)
    cache = tmp_path / "cache"
    environment = _environment(cache, COVERAGE_FILE=str(tmp_path / ".coverage"))
    subprocess.run([sys.executable, "-m", "coverage", "run", f"--include={cache}/modules/*",
                    str(script)], check=True, capture_output=True, env=environment,
                   cwd=tmp_path, timeout=300)
    report = tmp_path / "coverage.json"
    subprocess.run([sys.executable, "-m", "coverage", "json", "-o", str(report)], check=True,
                   capture_output=True, env=environment, cwd=tmp_path, timeout=300)
    (measured,) = json.loads(report.read_text())["files"].items()
    path, data = tmp_path / measured[0], measured[1]  # a path the report may give relatively
    assert path.parent == cache / "modules" and path.name.startswith("loss_grad-")
    lines = path.read_text().splitlines()
    executed = {lines[n - 1].strip() for n in data["executed_lines"]}
    assert {"x_w = x @ w", "h = xp.tanh(x_w)"} <= executed


def test_the_module_file_is_written_once_and_holds_its_source(tmp_path, monkeypatch):
    from s2sad.codegen.files import module_file

    monkeypatch.setenv("S2SAD_CACHE_DIR", str(tmp_path))
    source = "def f():\n    return 1\n"
    path = Path(module_file(source, "f"))
    assert path.parent == tmp_path / "modules" and path.read_text() == source
    written = path.stat().st_mtime_ns
    os.utime(path, ns=(written - 10**9, written - 10**9))
    assert Path(module_file(source, "f")) == path
    assert path.stat().st_mtime_ns == written - 10**9  # the same source: left as it is
    path.write_text("damaged")
    assert Path(module_file(source, "f")).read_text() == source
    other = Path(module_file(source + "# another\n", "f"))
    assert other != path and other.parent == path.parent
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_a_cache_folder_that_cannot_be_written_falls_back_to_the_process_folder(tmp_path,
                                                                                 monkeypatch):
    from s2sad.codegen.files import module_file

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache's folder would be")
    monkeypatch.setenv("S2SAD_CACHE_DIR", str(blocked))
    path = Path(module_file("x = 1\n", "g"))
    assert path.read_text() == "x = 1\n"
    assert path.parent.name.startswith("s2sad-")
    assert str(path).startswith(tempfile.gettempdir())
