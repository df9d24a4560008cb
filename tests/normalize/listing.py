"""Normalized programs as compact text, and the properties every normalized program has.

`listing(program)` renders one IR node a line, so a test compares against a listing a reader
can check by eye:

    target = op(arg, ..., key=value)      an Assignment: its op and its operands
    target = op: value                    an Assignment without operands (a recorded
                                          `range`, a `condition`): its value as written
    effect: statement                     an Effect
    if test: ... else: ...                a Branch, its arms indented (`pass` for an empty arm)
    for i in steps [old <- new, ...]:     a Loop and its carried pairs
    while test (steps) [old <- new]:      a `while` Loop; `steps` counts its iterations
    ... exit test (trips)                 a loop with `break`
    return a, b                           the program's outputs
"""

from __future__ import annotations

import ast
import inspect

from s2sad import ir
from s2sad.normalize import normalize

INDENT = "    "


def lowered(fun) -> str:
    """`fun` normalized, as its listing."""
    return listing(normalize(fun))


def listing(program: ir.Program) -> str:
    lines = render(program.body)
    lines.append("return " + ", ".join(ast.unparse(o) for o in program.outputs))
    return "\n".join(lines)


def render(nodes: list[ir.Node], depth: int = 0) -> list[str]:
    pad = INDENT * depth
    lines: list[str] = []
    for node in nodes:
        if isinstance(node, ir.Assignment):
            lines.append(pad + assignment(node))
        elif isinstance(node, ir.Effect):
            lines.append(pad + "effect: " + ast.unparse(node.statement))
        elif isinstance(node, ir.Branch):
            lines.append(f"{pad}if {ast.unparse(node.test)}:")
            lines += render(node.body, depth + 1) or [pad + INDENT + "pass"]
            lines.append(pad + "else:")
            lines += render(node.orelse, depth + 1) or [pad + INDENT + "pass"]
        elif isinstance(node, ir.Loop):
            if node.test is None:
                head = f"for {node.index} in {ast.unparse(node.steps)}"
            else:
                head = f"while {ast.unparse(node.test)} ({ast.unparse(node.steps)})"
            if node.exit is not None:
                head += f" exit {ast.unparse(node.exit)} ({node.trips})"
            carried = ", ".join(f"{old} <- {new}" for old, new in node.carried)
            lines.append(f"{pad}{head} [{carried}]:")
            lines += render(node.body, depth + 1) or [pad + INDENT + "pass"]
        else:
            raise TypeError(f"not an IR node: {node!r}")
    return lines


def assignment(node: ir.Assignment) -> str:
    if not node.args and not node.keywords:
        return f"{node.target} = {node.op}: {ast.unparse(node.value)}"
    operands = [ast.unparse(a) for a in node.args]
    operands += [f"{key}={ast.unparse(value)}" for key, value in node.keywords.items()]
    return f"{node.target} = {node.op}({', '.join(operands)})"


def expected(text: str) -> str:
    """A listing written in a test, its common indentation and outer blank lines removed."""
    return inspect.cleandoc(text)


def line_of(fun, text: str) -> int:
    """The line of `fun`'s file that holds `text`, within `fun`'s source."""
    lines, first = inspect.getsourcelines(fun)
    matches = [first + i for i, line in enumerate(lines) if text in line]
    assert len(matches) == 1, f"{text!r} is on {len(matches)} lines of {fun.__name__}"
    return matches[0]


# The properties of every normalized program.


def is_atom(node: ast.expr | None, namespace: str = "xp") -> bool:
    """A name, a literal, an attribute of the array namespace (`xp.pi`), or a slice, tuple
    or list of those: an operand that computes nothing."""
    if node is None or isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.Attribute):
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        return isinstance(root, ast.Name) and root.id == namespace
    if isinstance(node, ast.Slice):
        return all(is_atom(part, namespace) for part in (node.lower, node.upper, node.step))
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(is_atom(e, namespace) for e in node.elts)
    return False


def problems(program: ir.Program) -> list[str]:
    """What breaks the normal form: an operand that is not an atom; a name assigned twice on
    one path (a loop's `phi`s, which copy the next iteration's values back into the carried
    names, excepted); a `phi` before a node that is not one, at the end of an arm; a loop
    body that does not end with one `old = phi(new)` for each carried pair."""
    found: list[str] = []
    assigned = {p.name for p in program.params}
    _visit(program.body, assigned, found, program.namespace)
    return found


def _visit(nodes: list[ir.Node], assigned: set[str], found: list[str], namespace: str) -> set[str]:
    seen_phi = False
    for node in nodes:
        if isinstance(node, ir.Assignment):
            for operand in [*node.args, *node.keywords.values()]:
                if not is_atom(operand, namespace):
                    found.append(f"{node.target}: operand {ast.unparse(operand)} is not an atom")
            if node.target in assigned:
                found.append(f"{node.target} is assigned twice on one path")
            assigned.add(node.target)
            if node.op == "phi":
                seen_phi = True
            elif seen_phi:
                found.append(f"{node.target} = {node.op}(...) follows a phi")
        elif isinstance(node, ir.Branch):
            if seen_phi:
                found.append("a branch follows a phi")
            then = _visit(node.body, set(assigned), found, namespace)
            orelse = _visit(node.orelse, set(assigned), found, namespace)
            assigned |= then | orelse
        elif isinstance(node, ir.Loop):
            if seen_phi:
                found.append("a loop follows a phi")
            count = len(node.carried)
            body, tail = (node.body[:-count], node.body[-count:]) if count else (node.body, [])
            copies = [(a.target, ast.unparse(a.value)) for a in tail
                      if isinstance(a, ir.Assignment) and a.op == "phi"]
            if copies != list(node.carried):
                found.append(f"the loop body ends with {copies}, not its carried pairs "
                             f"{node.carried}")
            for old, _ in node.carried:
                if old not in assigned:
                    found.append(f"the loop carries {old}, which has no value before it")
            assigned |= _visit(body, set(assigned), found, namespace)
    return assigned
