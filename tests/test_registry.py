"""The registry's one key type: `OpKey`, made by `op_key` from a callable or a string, shown by
`str` as `Assignment.op` writes the operation; and refusals declared once (`checks=`)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import s2sad
from s2sad.registry import (
    METHODS,
    NONDIFFERENTIABLE,
    REGISTRY,
    Kind,
    OpKey,
    adjoint,
    is_nondifferentiable,
    lookup,
    op_key,
    rule_key,
)
from s2sad.templates import reductions


@pytest.mark.parametrize(("text", "kind", "name"), [
    ("numpy.sum", Kind.FUNCTION, "numpy.sum"),
    ("numpy.linalg.norm", Kind.FUNCTION, "numpy.linalg.norm"),
    ("numpy.array(list)", Kind.FUNCTION, "numpy.array(list)"),
    ("s2sad.nn.conv2d", Kind.FUNCTION, "s2sad.nn.conv2d"),
    ("method.sum", Kind.METHOD, "sum"),
    ("attribute.T", Kind.ATTRIBUTE, "T"),
    ("helper._unbroadcast", Kind.HELPER, "_unbroadcast"),
    ("builtins.abs", Kind.BUILTIN, "abs"),
    ("sequence", Kind.SPECIAL, "sequence"),
    ("list.append", Kind.SPECIAL, "list.append"),
])
def test_a_key_is_read_from_its_string_and_shown_as_it(text, kind, name):
    key = op_key(text)
    assert key == OpKey(kind, name)
    assert str(key) == text
    assert op_key(key) is key


def test_every_registered_key_reads_back_from_its_string():
    keys = [*REGISTRY, *NONDIFFERENTIABLE, *METHODS.values()]
    assert all(isinstance(key, OpKey) and op_key(str(key)) == key for key in keys)
    assert all(template.key == str(key) for key, template in REGISTRY.items())


def test_a_callable_has_the_key_of_its_canonical_name():
    assert op_key(np.sum) == op_key("numpy.sum")
    assert op_key(np.abs) == op_key(np.absolute) == op_key("numpy.absolute")  # aliases share one
    assert op_key(abs) == OpKey(Kind.BUILTIN, "abs")
    assert op_key(s2sad.nn.conv2d) == op_key("s2sad.nn.conv2d")


def test_a_function_without_a_canonical_name_has_its_import_path():
    def local(x):
        return x

    assert op_key(local) == OpKey(Kind.FUNCTION, f"{__name__}.{local.__qualname__}")
    assert rule_key(local) == str(op_key(local))
    assert op_key(np.frompyfunc(abs, 1, 1)) is None
    assert rule_key(np.frompyfunc(abs, 1, 1)) is None


def test_the_tables_answer_to_a_key_its_string_or_the_callable():
    template = REGISTRY[op_key("numpy.sum")]
    assert REGISTRY["numpy.sum"] is template is REGISTRY[np.sum]
    assert "numpy.sum" in REGISTRY and np.sum in REGISTRY
    assert "numpy.nothing_of_the_kind" not in REGISTRY
    assert REGISTRY.get(np.frompyfunc(abs, 1, 1)) is None
    assert lookup("method.sum") is template is lookup(OpKey(Kind.METHOD, "sum"))
    assert is_nondifferentiable("method.argmax") and is_nondifferentiable(op_key("numpy.argmax"))
    assert not is_nondifferentiable("method.sum")


def refuse_negative(scale=1.0):
    """A declared refusal, parsed like a template."""
    if scale < 0:
        raise NotImplementedError("scale= must not be negative")


def test_declared_checks_come_first_and_add_the_options_the_rule_lacks():
    key = "tests.test_registry.scaled"

    @adjoint(key, checks=refuse_negative)
    def scaled(y, x):
        dx = dy * 2.0  # noqa: F841, F821 (a template: parsed, never run)

    try:
        template = REGISTRY[key]
        assert list(template.signature.parameters) == ["x", "scale"]
        assert template.inputs == ("x",)
        assert ast.unparse(template.body[0].test) == "scale < 0"
        assert ast.unparse(template.body[-1]).startswith("dx = dy * 2.0")
    finally:
        del REGISTRY[key]


def test_a_check_must_agree_with_the_rule_on_the_defaults_it_shares():
    with pytest.raises(TypeError, match="refuse_negative's scale defaults to 1.0, the rule's to 2.0"):
        @adjoint("tests.test_registry.disagrees", checks=refuse_negative)
        def disagrees(y, x, scale=2.0):
            dx = dy * scale  # noqa: F841, F821
    assert "tests.test_registry.disagrees" not in REGISTRY


def test_the_reductions_declare_their_out_refusal_once():
    source = Path(reductions.__file__).read_text()
    assert source.count("if out is not None") == 1
    for name in ("numpy.sum", "numpy.max", "numpy.amax", "numpy.cumprod", "numpy.trace"):
        assert ast.unparse(REGISTRY[name].body[0].test) == "out is not None", name
