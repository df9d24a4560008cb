"""Readable, unique names for temporaries, SSA versions and adjoints."""

from __future__ import annotations

import ast
import builtins
import itertools
import keyword

_OP_WORDS = {
    ast.Add: "plus",
    ast.Sub: "minus",
    ast.Mult: "times",
    ast.Div: "over",
    ast.Pow: "pow",
    ast.MatMult: "matmul",
    ast.Mod: "mod",
    ast.FloorDiv: "floordiv",
    ast.USub: "neg",
    ast.UAdd: "pos",
    ast.Not: "not",
}
_MAX_LENGTH = 24
_READ_BY_GENERATED_CODE = frozenset(dir(builtins)) | {"numpy", "cupy"}
"""Names generated code may read without defining them: a temporary must not hide them."""


def describe(node: ast.expr, namespace: str = "xp") -> str | None:
    """A short name for what `node` computes, or None when nothing fits."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            return None
        text = repr(node.value).replace(".", "_").replace("-", "neg")
        return text.removesuffix("_0")
    if isinstance(node, ast.BinOp):
        left, right = describe(node.left, namespace), describe(node.right, namespace)
        word = _OP_WORDS.get(type(node.op), "op")
        if isinstance(node.left, ast.Name) and isinstance(node.right, ast.Name):
            return f"{left}_{right}"
        return "_".join(p for p in (left, word, right) if p)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
            and isinstance(node.operand, ast.Constant):
        inner = describe(node.operand, namespace)
        return f"neg{inner}" if inner else None
    if isinstance(node, ast.UnaryOp):
        inner = describe(node.operand, namespace)
        return f"{_OP_WORDS.get(type(node.op), 'op')}_{inner}" if inner else None
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            if _is_namespace_chain(func.value, namespace):
                word, receiver = func.attr, None
            else:
                word, receiver = func.attr, describe(func.value, namespace)
        elif isinstance(func, ast.Name):
            word, receiver = func.id, None
        else:
            return None
        parts = [word, receiver] + [describe(a, namespace) for a in node.args if isinstance(a, ast.Name)]
        return "_".join(p for p in parts if p)
    if isinstance(node, ast.Attribute):
        if _is_namespace_chain(node.value, namespace):
            return node.attr
        inner = describe(node.value, namespace)
        return f"{inner}_{node.attr}" if inner else node.attr
    if isinstance(node, ast.Subscript):
        inner = describe(node.value, namespace)
        index = describe(node.slice, namespace) if isinstance(
            node.slice, (ast.Name, ast.Constant, ast.UnaryOp)) else None
        if inner and index:
            return f"{inner}_{index}"
        return f"{inner}_part" if inner else None
    if isinstance(node, ast.Compare):
        return "_".join(p for p in (describe(node.left, namespace), "cmp") if p)
    return None


def _is_namespace_chain(node: ast.expr, namespace: str) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id == namespace


def _word_of(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        word = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "call")
        return word.lstrip("_") or "call"
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return _OP_WORDS.get(type(node.op), "value")
    if isinstance(node, ast.Subscript):
        return "part"
    if isinstance(node, ast.Attribute):
        return node.attr
    return "value"


class NameAllocator:
    """Hands out names that never collide with the user's or with each other."""

    def __init__(self, taken: set[str], namespace: str = "xp"):
        self.taken = set(taken)
        self.namespace = namespace

    def fresh(self, base: str) -> str:
        """`base` if free, else `base_2`, `base_3` ..."""
        if not base.isidentifier() or base[0].isdigit():
            base = "t_" + base if base.isidentifier() else "t"
        if keyword.iskeyword(base):
            base += "_"
        elif base in _READ_BY_GENERATED_CODE:
            base += "_value"  # `abs_value = abs(x)`, never `abs = abs(x)`
        if base not in self.taken:
            self.taken.add(base)
            return base
        return self._numbered(base, start=2)

    def temporary(self, node: ast.expr) -> str:
        """A name for the value `node` computes, after what it computes."""
        base = describe(node, self.namespace)
        if not base or len(base) > _MAX_LENGTH or not base.isidentifier():
            base = _word_of(node)
        return self.fresh(base)

    def version(self, name: str) -> str:
        """A name for a new value of the user variable `name` (`x = x * 2`)."""
        return self._numbered(name, start=1)

    def _numbered(self, base: str, start: int) -> str:
        candidate = next(f"{base}_{k}" for k in itertools.count(start)
                         if f"{base}_{k}" not in self.taken)
        self.taken.add(candidate)
        return candidate
