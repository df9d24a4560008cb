"""The one constant folder: literal arithmetic as Python computes it, never a wrong literal."""

import ast

import pytest

from s2sad.fold import Simplifier, fold_numbers


def folded(text):
    tree = Simplifier().visit(ast.parse(text, mode="eval").body)
    return ast.unparse(ast.fix_missing_locations(tree))


@pytest.mark.parametrize("text, expected", [
    ("2 - 1", "1"), ("0.5 * 3", "1.5"), ("7 // 2", "3"), ("-7 % 3", "2"), ("1 - 3.5", "-2.5"),
    ("x ** (2 - 1)", "x"), ("x * 1", "x"), ("1 * x", "x"), ("x / 1.0", "x"), ("x - 0", "x"),
    ("x + 0 * 2", "x"), ("x * 2", "x * 2"),
])
def test_literal_arithmetic_is_folded_and_identities_dropped(text, expected):
    assert folded(text) == expected


@pytest.mark.parametrize("text", ["(-1) ** 0.5", "1 / 0", "10.0 ** 400", "True + 1", "2 @ 3"])
def test_what_python_would_not_give_as_a_finite_number_is_left_alone(text):
    node = ast.parse(text, mode="eval").body
    assert fold_numbers(node.op, node.left, node.right) is None


def test_integers_too_large_for_a_float_fold_exactly():
    node = ast.parse("10 ** 400", mode="eval").body
    assert fold_numbers(node.op, node.left, node.right).value == 10**400
