"""The generated source is written as black formats it, without running black on what fits
its line (render.py, style.py): each case here is held to black's own output."""

import ast
import importlib.util
import inspect
import sys
from pathlib import Path

import black
import numpy as np
import pytest

import s2sad
from s2sad import nn
from s2sad.codegen.emit import helper_source, nn_source
from s2sad.codegen.render import Comment, Commented, render
from s2sad.codegen.style import Unsure, black_line
from s2sad.runtime import HELPERS

MODE = black.Mode(line_length=88)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

STATEMENTS = [
    "a = x[t + 1:]",
    "b = x[:n - 1, t + 1]",
    "c = x[lo + 1:hi:2]",
    "d = x[f(a):, ::-1]",
    "e = x[a.b:, -1:, None:n, :-n - 1]",
    "f = x[lo + 1::2] + x[::n + 1] + x[a:b + 1:2]",
    "g = x ** 2 + x.y ** 2 + x ** f(y) + 2 ** -1 + x[0] ** 2 + a.b.c ** 2",
    "h = -x ** 2 + ~x ** 2 - (-x) ** 2 + -x.y ** 2 + -x[0] ** 2",
    "i = (x ** 2) ** 3 + x ** 2 ** 3 + x ** y.T + x ** True",
    "j = not x ** 2",
    "k = {'a': 1, 'b': \"it's\"}",
    "tx, = tangent",
    "for a, in b:\n    pass",
    "l = (a,)",
    "m = xp.einsum('ij,jk->ik', a, b, optimize=False)",
    "n = lambda v: v ** 2",
    "o = x[..., lo + 1:]",
    "p = a if b else -c",
    "del a, b",
    "del " + ", ".join(f"a_value_{i}" for i in range(12)),
    "for t in range(n):\n    del " + ", ".join(f"a_value_{i}" for i in range(11)),
    "q = x[a if b else c:]",
    "r = f(*args, **kwargs)",
    "s = 1e-05 * x + 1.5j",
    "dx = _unbroadcast(xp.matmul(dy, xp.swapaxes(weights_of_a_long_name, -1, -2)), _shape_of(x))",
    "value, (gradient_of_the_first_input, gradient_of_the_second) = function_with_long_name(a, b)",
    ("if some_long_condition_name and another_long_condition_name or yet_another_condition_here:\n"
    "    x = 1\nelif y:\n    x = 2\nelse:\n    x = 3"),
    "while i < n:\n    i += 1",
    "def f(a, b, *, seed=1.0):\n    '''Doc.'''\n    return a",
    ("def f(first_argument, second_argument, third_argument, *, the_cotangent_seed=1.0, other=2):\n"
    "    return first_argument"),
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_statement_is_written_as_black_writes_it(statement):
    module = ast.parse(statement)
    expected = black.format_str("# header\n" + ast.unparse(module) + "\n", mode=MODE)
    assert render(module, "# header") == expected


def test_comments_and_module_layout_are_black_s():
    module = ast.parse("import numpy\nfrom a import b\nX = 1\nY = 2\ndef f(x):\n    return x\n"
                       "def g(x):\n    return x\n")
    function = module.body[-2]
    long_call = ast.parse("y = some_function(x, another_argument, third_argument_of_it)").body[0]
    function.body = [Comment("forward"), Commented(ast.parse("y = x * 2").body[0], "line 3", True),
                     Commented(long_call, "a comment too long to trail this long a line", True),
                     Commented(long_call, "a comment that stays where it is, split or not", False),
                     *function.body]
    written = render(module, "# header")
    assert written == black.format_str(written, mode=MODE)
    assert "    # a comment too long to trail this long a line\n    y = some_function(" in written


def test_docstrings_are_black_s():
    source = ('def f(x):\n    """First line.\n\nf also reads values of its module, which come as\n'
              'keywords: a (a global).\n"""\n    return x\n')
    assert render(ast.parse(source), "# h") == black.format_str("# h\n" + source, mode=MODE)


@pytest.mark.parametrize("text", ["f'{x}'", "'a\\nb'", "'both \\' and \"'", "x[(a,)]", "'é'"])
def test_what_black_line_does_not_know_goes_to_black(text):
    with pytest.raises(Unsure):
        black_line(ast.parse(f"y = {text}").body[0])
    module = ast.parse(f"y = {text}")
    assert render(module, "# h") == black.format_str(f"# h\n{ast.unparse(module)}\n", mode=MODE)


def test_copied_helpers_are_black_formatted_in_s2sad_s_source():
    """Generated modules copy helpers as they are: they must read as black writes them."""
    for name, function in HELPERS.items():
        source = helper_source(name) + "\n"
        assert source == inspect.getsource(function).rstrip() + "\n", name
        assert black.format_str(source, mode=MODE) == source, name
    for name, function in inspect.getmembers(nn, inspect.isfunction):
        if function.__module__ == nn.__name__:
            source = nn_source(name, name) + "\n"
            assert black.format_str(source, mode=MODE) == source, name


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    argv, sys.argv = sys.argv, [name]
    try:
        spec.loader.exec_module(module)
    finally:
        sys.argv = argv
    return module


def _losses():
    def mlp(weights, bias, x, labels):
        h = np.tanh(x @ weights[0] + bias[0]) ** 2
        z = h @ weights[1]
        z = z - z.max(axis=1, keepdims=True)
        return -np.mean(np.sum(labels * z, axis=1) - np.log(np.exp(z).sum(axis=1)))

    def heat(u, k, steps):
        for t in range(1, steps):
            u = u + k * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
            u = u[::-1] ** 2
        return np.sum(u[1:-1] ** 2)

    return mlp, heat


@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "vjp", "jvp", "hvp", "jacfwd",
                                       "jacrev", "hessian"])
def test_generated_modules_are_black_s(transform):
    for loss in _losses():
        made = getattr(s2sad, transform)(loss, wrt=0)
        source = made.source
        assert black.format_str(source, mode=MODE) == source


def test_examples_modules_are_black_s():
    for name in ("convnet", "dag", "mlp", "rnn", "siamese"):
        module = _example(name)
        for value in vars(module).values():
            if isinstance(value, s2sad.GradFunction):
                assert black.format_str(value.source, mode=MODE) == value.source, name
