"""The catalogue of supported operators, rendered as Markdown from the registry.

`render()` lists every adjoint rule of s2sad's template modules, grouped by
family (the module that defines it), with the arguments it accepts, its
method forms and the conditions under which it refuses a call, and then the
operations declared non-differentiable. docs/operators.md is its output::

    s2sad operators > docs/operators.md

and tests/test_operators_doc.py fails when that file is out of date.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap

from . import templates
from .registry import METHODS, NONDIFFERENTIABLE, REGISTRY, Kind, OpKey, Template

PACKAGE = templates.__name__
REGENERATE = "s2sad operators > docs/operators.md"


def render() -> str:
    """The Markdown catalogue of the operators the registry supports."""
    families = families_of_rules()
    lines = [
        "# Supported operators",
        "",
        (f"<!-- Generated from {PACKAGE}.REGISTRY, METHODS and NONDIFFERENTIABLE. "
         f"Do not edit: regenerate with `{REGENERATE}`. -->"),
        "",
        (f"s2sad has adjoint rules for {sum(len(keys) for keys in families.values())} operations "
         f"in {len(families)} families, and treats {len(NONDIFFERENTIABLE)} more as "
         "non-differentiable. A rule's arguments are NumPy's, in NumPy's order: those without "
         "a default are the arrays it differentiates, the others its options, which must be "
         "literal constants wherever the rule decides on them. A call is refused, with an "
         "error that points at it, under the conditions listed for its rule. The Tangent "
         "column says how forward mode (`s2sad.jvp`, `jacfwd`, `hessian`, `hvp`) gets the "
         "operation's tangent: its own rule, its linearity, its product rule (multilinear), "
         "or its diagonal Jacobian (the elementwise adjoint); **none** means forward mode "
         "refuses a call of it, with an error that points at it."),
        "",
    ]
    lines += [f"* [{family}](#{family})" for family in families]
    for family, keys in families.items():
        lines += ["", f"## {family}", "", _summary(family), ""]
        lines += ["| Operation | Arguments | Methods | Tangent | Refused when |",
                  "| --- | --- | --- | --- | --- |"]
        lines += [_row(REGISTRY[key]) for key in keys]
    lines += ["", "## Non-differentiable", "",
              "Their results carry no gradient: shapes, comparisons, indices, roundings ...", ""]
    lines += _nondifferentiable()
    return "\n".join(lines) + "\n"


def families_of_rules() -> dict[str, list[OpKey]]:
    """Family (template module) → the keys of the rules it defines, both sorted (keys as shown).

    Rules registered outside s2sad's template modules (users' own) are left out.
    """
    defined_in = {}
    for name, module in sorted(sys.modules.items()):
        if module is None or not name.startswith(PACKAGE + "."):
            continue
        for value in vars(module).values():
            if inspect.isfunction(value) and value.__module__ == name:
                defined_in[(value.__name__, _source(value))] = name[len(PACKAGE) + 1:]
    families: dict[str, list[OpKey]] = {}
    for key, template in sorted(REGISTRY.items(), key=lambda item: str(item[0])):
        family = defined_in.get((template.name, template.source))
        if family is not None:
            families.setdefault(family, []).append(key)
    return dict(sorted(families.items()))


def _source(function) -> str | None:
    try:
        return textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None


def _summary(family: str) -> str:
    """The first paragraph of the family's module docstring, on one line."""
    doc = inspect.getdoc(sys.modules[f"{PACKAGE}.{family}"]) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _row(template: Template) -> str:
    methods = ", ".join(f"`.{m}()`" for m, key in sorted(METHODS.items()) if key == template.op)
    refused = "; ".join([f"`{condition}`" for condition in refusals(template)]
                        + [f"`{name}` carries a gradient" for name in template.no_gradient])
    cells = [f"`{shown(template.op)}`", f"`{template.signature}`", methods,
             _TANGENT_FORMS[template.tangent_form()], refused]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


_TANGENT_FORMS = {"rule": "rule", "linear": "linear", "multilinear": "multilinear",
                  "diagonal": "diagonal", None: "**none**"}


def refusals(template: Template) -> list[str]:
    """The conditions on its options under which a rule raises, as Python source."""
    conditions = []
    for node in ast.walk(ast.Module(template.body, [])):
        if not isinstance(node, ast.If):
            continue
        if any(isinstance(stmt, ast.Raise) for stmt in node.body):
            conditions.append(ast.unparse(node.test))
        if any(isinstance(stmt, ast.Raise) for stmt in node.orelse):
            conditions.append(f"not ({ast.unparse(node.test)})")
    return conditions


def shown(key: OpKey) -> str:
    """A key as a user writes the operation: `np.sum`, `.T`, `float`."""
    if key.kind is Kind.METHOD:
        return f".{key.name}()"
    if key.kind is Kind.ATTRIBUTE:
        return f".{key.name}"
    if key.kind is Kind.BUILTIN:
        return key.name
    if key.kind is Kind.FUNCTION:
        package, _, path = key.name.partition(".")
        if package == "numpy":
            return f"np.{path}"
    return str(key)


_GROUPS = {Kind.METHOD: "Methods", Kind.ATTRIBUTE: "Attributes", Kind.SPECIAL: "Internal operations"}
"""The group of each kind of non-differentiable operation; the other kinds are "Functions"."""


def _nondifferentiable() -> list[str]:
    kinds: dict[str, list[OpKey]] = {
        "Functions": [], "Methods": [], "Attributes": [], "Internal operations": []}
    for key in sorted(NONDIFFERENTIABLE, key=str):
        kinds[_GROUPS.get(key.kind, "Functions")].append(key)
    return [f"* {kind}: " + ", ".join(f"`{shown(key)}`" for key in keys)
            for kind, keys in kinds.items() if keys]
