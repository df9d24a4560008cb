"""What a picture reads from a normalized program: its loops and branches as clusters, where
each value is defined, which values get a node of their own, and labels in the user's names.

A value gets a node when the user named it (a variable, each version of it), when paths
meet in it (a `phi`), or when the function returns it; a temporary (`w2 @ x1`) is drawn as
the operation that computes it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..ir import Assignment, Branch, Loop, Node, Program
from ..parser import SYMBOLS
from ..syntax import copied, name_nodes
from .model import Cluster

SKIPPED = frozenset({"condition", "range"})
"""A branch's recorded test and a loop's recorded steps: the clusters' labels say them."""
COPIES = frozenset({"identity", "phi", "leaf"})
"""`x0 = x`, the values carried round a loop or out of an `if`'s arms, and the leaves of a
container argument read at the start (`params['W']`): edges, no operation."""
_COMPARISONS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=", ast.Eq: "==",
                ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
                ast.NotIn: "not in"}
_LONGEST = 40
"""Labels longer than this are cut."""


@dataclass
class Site:
    """A place in the program: the root, a loop's body or an arm of a branch."""

    cluster: Cluster
    parent: Site | None = None
    loop: Loop | None = None

    def ancestors(self) -> list[Site]:
        """This site and those around it, the root last."""
        chain, site = [], self
        while site is not None:
            chain.append(site)
            site = site.parent
        return chain

    def within(self, loop: Loop) -> bool:
        return any(site.loop is loop for site in self.ancestors())


class Layout:
    """A program's assignments in their clusters, and what each value is called."""

    def __init__(self, program: Program, backward: bool = False):
        self.program = program
        self.backward = backward
        self.root = Site(Cluster("root", ""))
        self.assignments: list[tuple[Assignment, Site]] = []
        """Every assignment the picture draws, in program order, with its site."""
        self.definitions: dict[str, list[Site]] = {}
        self.carried: dict[str, Site] = {}
        """A loop's carried variable (its name as each iteration begins) → the loop's site."""
        self.inputs = [p.name for p in program.params] + [e.parameter for e in program.externals]
        self._labels = {e.parameter: e.name for e in program.externals}
        self._leaves: dict[str, str] = {}
        """A container argument's leaf → the argument."""
        self._clusters = 0
        self._place(program.body, self.root)
        self.known = set(self.inputs) | set(self.definitions)
        """Every name that is a value of the picture: an input or a drawn assignment's target."""
        outputs = {o.id for o in program.outputs if isinstance(o, ast.Name)}
        copies = {a.target for a, _ in self.assignments if a.op in COPIES}
        self.drawn = set(self.inputs) | outputs | copies | {
            name for name, sites in self.definitions.items() if len(sites) > 1} | {
            a.target for a, _ in self.assignments if a.user_variable}
        """The values with a node of their own."""
        self.values = list(dict.fromkeys(self.inputs + [a.target for a, _ in self.assignments]))
        """Every value, in the order the program first defines it."""

    def _place(self, nodes: list[Node], site: Site) -> None:
        for node in nodes:
            if isinstance(node, Assignment):
                if node.op == "leaf":
                    self._labels[node.target] = _cut(ast.unparse(node.value))
                    self._leaves[node.target] = operand_names(node)[0]
                if node.op not in SKIPPED:
                    self.assignments.append((node, site))
                    self.definitions.setdefault(node.target, []).append(site)
            elif isinstance(node, Loop):
                inner = self._enter(site, self._header(node), loop=node)
                for before, _ in node.carried:
                    self.carried.setdefault(before, inner)  # the outermost loop carrying it
                self._place(node.body, inner)
            elif isinstance(node, Branch):
                outer = self._enter(site, self._header(node))
                self._place(node.body, self._enter(outer, "then"))
                self._place(node.orelse, self._enter(outer, "else"))

    def _enter(self, site: Site, label: str, loop: Loop | None = None) -> Site:
        self._clusters += 1
        cluster = Cluster(f"cluster_{self._clusters}", label)
        site.cluster.clusters.append(cluster)
        return Site(cluster, site, loop)

    def _header(self, node: Loop | Branch) -> str:
        text = (node.origin.line or node.statement).strip().removesuffix(":")
        if self.backward:
            text += ", reversed" if isinstance(node, Loop) else ", replayed"
        return f"line {node.origin.lineno}: {_cut(text)}"

    def site(self, name: str) -> Site:
        """Where a value's node goes: a loop's carried variable in the loop, any other value in
        the innermost cluster around all its definitions (an input at the root)."""
        if name in self.carried:
            return self.carried[name]
        sites = self.definitions.get(name)
        if not sites:
            return self.root
        common = sites[0].ancestors()
        for other in sites[1:]:
            around = {id(s) for s in other.ancestors()}
            common = [s for s in common if id(s) in around]
        return common[0]

    def carried_round(self, assignment: Assignment, site: Site) -> bool:
        """Whether a `phi` hands a value on to the loop's next iteration (an edge drawn back)."""
        loop_site = self.carried.get(assignment.target)
        return assignment.op == "phi" and loop_site is not None and site.within(loop_site.loop)

    def defined_in(self, name: str, loop: Loop) -> bool:
        """Whether the loop's body assigns the value (each iteration has its own)."""
        return any(site.within(loop) for site in self.definitions.get(name, ()))

    def is_parameter(self, name: str, wrt: list[str]) -> bool:
        """Whether a value is a `wrt` argument or one of the leaves of one (drawn blue)."""
        return name in wrt or self._leaves.get(name) in wrt

    def input_tooltip(self, name: str, wrt: list[str]) -> str:
        external = next((e for e in self.program.externals if e.parameter == name), None)
        if external is not None:
            return f"{external.where} data, read when the gradient is called"
        return "a parameter, differentiated" if name in wrt else "an input"

    def label(self, name: str) -> str:
        """A value as the user wrote it: `h` for each of h's versions."""
        if name in self._labels:
            return self._labels[name]
        return _cut(self.program.spelling.get(name, name))

    def tooltip(self, assignment: Assignment) -> str:
        where = f"line {assignment.origin.lineno}: {assignment.statement}"
        return f"{where} (in {assignment.context})" if assignment.context else where

    def operation(self, assignment: Assignment) -> str:
        """The operation's label: its operator (`+`, `matmul`, `tanh`, `[t]`), with the
        operands that are no values of the picture (`** 2`, `sum(axis=0)`)."""
        value = assignment.value
        if assignment.op.startswith("list."):
            text = assignment.op.removeprefix("list.")
        elif isinstance(value, ast.BinOp):
            symbol = "matmul" if isinstance(value.op, ast.MatMult) else SYMBOLS.get(
                type(value.op), _short(assignment.op))
            text = " ".join(p for p in (self._operand(value.left), symbol,
                                        self._operand(value.right)) if p)
        elif isinstance(value, ast.UnaryOp):
            symbol = "-" if isinstance(value.op, ast.USub) else _short(assignment.op)
            text = symbol + (self._operand(value.operand) or "")
        elif isinstance(value, ast.Compare) and len(value.ops) == 1:
            symbol = _COMPARISONS.get(type(value.ops[0]), _short(assignment.op))
            text = " ".join(p for p in (self._operand(value.left), symbol,
                                        self._operand(value.comparators[0])) if p)
        elif isinstance(value, ast.Subscript):
            text = (self._operand(value.value) or "") + f"[{self._shown(value.slice)}]"
        elif isinstance(value, ast.Attribute):
            text = (self._operand(value.value) or "") + f".{value.attr}"
        elif isinstance(value, ast.Call):
            extras = [self._operand(a) for a in value.args]
            extras += [f"{k.arg}={self._operand(k.value)}" if k.arg else f"**{self._operand(k.value)}"
                       for k in value.keywords if self._operand(k.value)]
            extras = [e for e in extras if e]
            text = _short(assignment.op) + (f"({', '.join(extras)})" if extras else "")
        elif isinstance(value, (ast.List, ast.Tuple)) and not value.elts:
            text = "[]" if isinstance(value, ast.List) else "()"
        else:
            text = _short(assignment.op)
        return _cut(text)

    def _operand(self, node: ast.expr) -> str | None:
        """An operand as the label shows it; None where it is a value drawn with an edge."""
        if any(n.id in self.known for n in name_nodes(node)):
            return None
        return self._shown(node)

    def _shown(self, node: ast.expr) -> str:
        """An expression with its names as the user spelled them; the picture's values `·`."""
        shown = copied(node)
        for name in name_nodes(shown):
            if name.id in self.known:
                name.id = "·"
            else:
                spelled = self.program.spelling.get(name.id, name.id)
                name.id = spelled if spelled.isidentifier() else name.id
        return ast.unparse(shown)


def operand_names(assignment: Assignment) -> list[str]:
    """The names an operation reads, in the order written, each as often as it is read."""
    names = []
    for operand in [*assignment.args, *assignment.keywords.values()]:
        names += [n.id for n in ast.walk(operand) if isinstance(n, ast.Name)]
    return names


def _short(op: str) -> str:
    """A rule's key without its module: `tanh` for numpy.tanh, `sum` for method.sum."""
    return op.rpartition(".")[2]


def _cut(text: str) -> str:
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"
