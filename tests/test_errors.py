"""Unsupported constructs raise located errors: file, line, quoted source, caret, hint.

Each refused function in forward_functions.py marks the line the error must
point at with a comment `# E:<name>`; the caret must sit under `token`, the
first occurrence of that text on the line.
"""

from __future__ import annotations

import inspect
import re
import types
from pathlib import Path

import forward_functions as ff
import numpy as np
import pytest

import s2sad

SOURCE_PATH = Path(ff.__file__).resolve()
SOURCE_LINES = SOURCE_PATH.read_text().splitlines()

Syntax = s2sad.UnsupportedSyntaxError
Unknown = s2sad.UnknownFunctionError
Argument = s2sad.UnsupportedArgumentError

CASES = [
    # (function, marker, expected class, the text the caret points at)
    ("returns_inside_a_loop", "return_in_loop", Syntax, "return"),
    ("uses_try", "try", Syntax, "try"),
    ("uses_with", "with", Syntax, "with"),
    ("uses_lambda", "lambda", Syntax, "lambda"),
    ("calls_itself", "recursion", Syntax, "calls_itself"),
    ("calls_early_return", "callee_return", Syntax, "return"),
    ("calls_with_missing_argument", "missing_argument", Syntax, "two_args"),
    ("calls_callee_with_loop", "callee_loop", Syntax, "return"),
    ("uses_global", "global", Syntax, "global"),
    ("uses_yield", "yield", Syntax, "yield"),
    ("uses_nonlocal", "nonlocal", Syntax, "nonlocal"),
    ("uses_class", "class", Syntax, "class"),
    ("uses_async", "async", Syntax, "async"),
    ("calls_builtin_without_source", "no_source", Unknown, "math.erf"),
    ("uses_out", "out", Argument, "np.sum"),
    ("uses_fft", "fft", Unknown, "np.fft"),
    ("uses_bessel_i0", "i0", Unknown, "np.i0"),
    ("uses_out_keyword", "out_keyword", Argument, "np.tanh"),
    ("passes_a_varied_option", "varied_option", Argument, "crm.log_gamma"),
    ("returns_a_multi_output_tuple", "tuple_return", Syntax, "return"),
    ("writes_into_out", "out_variable", Argument, "np.tanh"),
    ("uses_axis_variable", "axis", Argument, "np.sum"),
    ("no_return", "no_return", Syntax, "y ="),
]


def marked_line(marker: str) -> tuple[int, str]:
    """The 1-based number and text of the line carrying `# ... E:<marker>`."""
    pattern = re.compile(rf"#.*\bE:{re.escape(marker)}\b(?!_)")
    found = [(n, line) for n, line in enumerate(SOURCE_LINES, start=1) if pattern.search(line)]
    assert len(found) == 1, f"marker E:{marker} found {len(found)} times"
    return found[0]


def build_error(function_name: str) -> s2sad.S2SADError:
    g = s2sad.grad(getattr(ff, function_name))  # building is lazy: no error yet
    with pytest.raises(s2sad.S2SADError) as info:
        _ = g.source
    return info.value


@pytest.mark.parametrize(("name", "marker", "kind", "token"), CASES, ids=[c[0] for c in CASES])
def test_error_is_located_quoted_and_hinted(name, marker, kind, token):
    error = build_error(name)
    assert isinstance(error, kind), f"{type(error).__name__}: {error}"
    assert isinstance(error, s2sad.S2SADError)
    text = str(error)
    lineno, line = marked_line(marker)
    assert str(SOURCE_PATH) in text
    assert f"line {lineno}," in text, text
    assert error.origin is not None and error.origin.lineno == lineno

    stripped = line.strip()
    rendered = text.splitlines()
    quoted = [i for i, r in enumerate(rendered) if r.strip() == stripped]
    assert quoted, f"the source line is not quoted:\n{text}"
    quoted_line, caret_line = rendered[quoted[0]], rendered[quoted[0] + 1]
    assert caret_line.strip() == "^", f"no caret under the quoted line:\n{text}"
    expected_column = quoted_line.index(stripped) + stripped.index(token)
    assert caret_line.index("^") == expected_column, (
        f"caret should point at {token!r}:\n{quoted_line}\n{caret_line}"
    )
    assert f"column {line.index(token) + 1}" in text

    assert error.hint, f"no hint:\n{text}"
    assert f"hint: {error.hint}" in text


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_error_is_raised_when_the_gradient_is_first_called(name):
    function = getattr(ff, name)
    g = s2sad.grad(function)
    required = [
        p for p in inspect.signature(function).parameters.values()
        if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD
    ]
    with pytest.raises(s2sad.S2SADError) as first:
        g(*[np.ones(3) for _ in required])
    with pytest.raises(type(first.value)) as again:
        _ = g.source
    assert str(again.value) == str(first.value)


def test_error_is_not_raised_by_grad_itself():
    for name, *_ in CASES:
        for make in (s2sad.grad, s2sad.value_and_grad, s2sad.vjp):
            assert isinstance(make(getattr(ff, name)), s2sad.GradFunction)


@pytest.mark.parametrize("make", [s2sad.value_and_grad, s2sad.vjp])
def test_value_and_grad_and_vjp_raise_the_same_errors(make):
    error = build_error("returns_inside_a_loop")
    with pytest.raises(type(error)) as info:
        _ = make(ff.returns_inside_a_loop).source
    assert str(info.value) == str(error)


def test_a_function_without_source_raises_source_unavailable_error():
    module = compile("def generated(x):\n    return x * x\n", "<no file>", "exec")
    code = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    generated = types.FunctionType(code, {})
    with pytest.raises(s2sad.SourceUnavailableError) as info:
        _ = s2sad.grad(generated).source
    assert info.value.hint


def test_a_numpy_function_raises_source_unavailable_error():
    with pytest.raises(s2sad.SourceUnavailableError):
        _ = s2sad.grad(np.tanh).source


def test_error_classes_derive_from_the_base_class():
    for kind in (Syntax, Unknown, Argument, s2sad.SourceUnavailableError, s2sad.WrtError,
                 s2sad.NotScalarError):
        assert issubclass(kind, s2sad.S2SADError)
        assert issubclass(kind, Exception)


@pytest.mark.parametrize("name", ["augassign_on_a_view", "augassign_on_a_copy"])
def test_an_in_place_update_seen_through_a_view_is_refused_where_it_holds_an_array(name):
    """`y += ...` changes y's memory only where y is an array: refused when the gradient runs."""
    function = getattr(ff, name)
    g = s2sad.grad(function)
    assert "_refuse_in_place(" in g.source
    with pytest.raises(s2sad.UnsupportedSyntaxError) as info:
        g(np.ones((2, 3)))  # y[0] is a row: a view of y's memory
    line = next(i for i, text in enumerate(Path(ff.__file__).read_text().splitlines(), 1)
                if f"# E:{name.replace('on_a_', '')}" in text)
    assert info.value.origin.lineno == line
    assert "y +=" in str(info.value) and info.value.hint


def test_an_in_place_update_of_an_array_no_view_shares_runs():
    """For a 1-D x, `v = y[0]` is a number of its own: NumPy's `y += 1.0` leaves it alone."""
    x = np.array([0.5, -1.0, 2.0])
    expected = np.array([np.sum(x + 1.0) + x[0], x[0], x[0]])
    np.testing.assert_allclose(s2sad.grad(ff.augassign_on_a_view)(x), expected, rtol=1e-12)
