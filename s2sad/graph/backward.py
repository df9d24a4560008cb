"""The adjoint DAG: the adjoint of each value the output depends on, the transposed
Jacobian products that carry it back to the operands, and an accumulation node wherever
a value read by several operations (or by every iteration of a loop) gets the sum of
their contributions."""

from __future__ import annotations

from dataclasses import dataclass

from ..adjoint.activity import analyze, useful
from ..ir import Assignment, Branch, Loop, Program
from ..ir import Node as ProgramNode
from .layout import COPIES, Layout, operand_names
from .model import Edge, Graph, Node


@dataclass
class _Contribution:
    """One term of a value's adjoint: a transposed Jacobian's product (`node`), or the
    adjoint of the value a copy made of it (`copy_of`)."""

    node: str | None = None
    copy_of: str | None = None
    back: bool = False


def backward_graph(program: Program, wrt: list[str], seeds: list[str]) -> Graph:
    """The reverse sweep of `program` from the adjoints of `seeds` to those of `wrt`."""
    layout = Layout(program, backward=True)
    activity = analyze(program, wrt)
    reached = useful(program, activity, set(seeds))
    title = f"{program.name}, backward: its gradient with respect to {', '.join(wrt)}"
    graph = Graph(f"{program.name}_backward", title, layout.root.cluster)
    contributions: dict[str, list[_Contribution]] = {}
    reads: dict[int, list[str]] = {}
    pending: list[tuple[str, str]] = []
    """(value, node): the node reads the value's adjoint."""
    for index, (assignment, site) in reversed(list(enumerate(layout.assignments))):
        if assignment.target not in reached:
            continue
        operands = _in_order(activity.active_inputs(assignment), activity.binding(assignment))
        if assignment.op == "leaf":  # a container's leaves: its adjoint holds theirs, unsummed
            operands = [n for n in operand_names(assignment)[:1] if n in wrt]
        else:
            reads[id(assignment)] = operands
        if assignment.op in COPIES:
            back = layout.carried_round(assignment, site)
            for operand in operands:
                contributions.setdefault(operand, []).append(
                    _Contribution(copy_of=assignment.target, back=back))
            continue
        for position, operand in enumerate(operands):
            label = f"J({layout.operation(assignment)} | {layout.label(operand)})ᵀ"
            node = Node(f"vjp_{index}_{position}", label, "operation", layout.tooltip(assignment))
            site.cluster.nodes.append(node)
            pending.append((assignment.target, node.id))
            contributions.setdefault(operand, []).append(_Contribution(node=node.id))

    adjoints = list(wrt) + [name for name in layout.values
                            if name in layout.drawn and name in reached and name not in wrt]
    for name in adjoints:
        kind = "parameter" if layout.is_parameter(name, wrt) else "activation"
        tooltip = "the output's adjoint (the seed)" if name in seeds else ""
        node = Node(f"d_{name}", "d" + layout.label(name), kind, tooltip, output=name in seeds)
        layout.site(name).cluster.nodes.append(node)
    drawn = set(adjoints)
    adding = {name for name in contributions if _accumulates(program.body, name, reads, layout)}
    for name in contributions:
        if name in adding:
            node = Node(f"acc_{name}", "+=", "accumulation",
                        f"the contributions to d{layout.label(name)} add up")
            layout.site(name).cluster.nodes.append(node)

    def source(name: str, seen: frozenset = frozenset()) -> str | None:
        """The node that holds a value's whole adjoint."""
        if name in drawn:
            return f"d_{name}"
        if name in adding:
            return f"acc_{name}"
        terms = contributions.get(name)
        if not terms or name in seen:
            return None
        term = terms[0]
        return term.node or source(term.copy_of, seen | {name})

    for name, terms in contributions.items():
        head = f"acc_{name}" if name in adding else f"d_{name}" if name in drawn else None
        if head is None:
            continue
        for term in terms:
            tail = term.node or source(term.copy_of)
            if tail is not None:
                graph.edges.append(Edge(tail, head, term.back))
        if name in adding and name in drawn:
            graph.edges.append(Edge(f"acc_{name}", f"d_{name}"))
    for name, node in pending:
        tail = source(name)
        if tail is not None:
            graph.edges.append(Edge(tail, node))
    return graph


def _in_order(active: dict[str, str], binding: dict | None) -> list[str]:
    """The operands a rule propagates to, in the order of its parameters (`a`, `b`), a
    sequence's elements (`arrays[0]`, `arrays[1]`) in theirs."""
    order = list(binding or ())

    def position(item: tuple[str, str]) -> tuple[int, int, str]:
        param, _, element = item[0].partition("[")
        rank = order.index(param) if param in order else len(order)
        return rank, int(element[:-1]) if element[:-1].isdigit() else -1, item[0]

    return [operand for _, operand in sorted(active.items(), key=position)]


def _accumulates(body: list[ProgramNode], name: str, reads: dict[int, list[str]],
                 layout: Layout) -> bool:
    """Whether the adjoint of `name` is a sum: more than one contribution on a path through
    the program (the arms of an `if` are two paths), or one in a loop that does not define
    it (each iteration adds one). A loop's carried variable is a new value each iteration."""
    total, inside = _terms(body, name, reads, layout)
    return total > 1 or inside


def _terms(nodes: list[ProgramNode], name: str, reads: dict[int, list[str]],
           layout: Layout) -> tuple[int, bool]:
    """(contributions on the longest path through `nodes`, whether a loop carrying `name`
    gets more than one in an iteration)."""
    total, inside = 0, False
    for node in nodes:
        if isinstance(node, Assignment):
            total += reads.get(id(node), []).count(name)
        elif isinstance(node, Branch):
            then, then_inside = _terms(node.body, name, reads, layout)
            orelse, orelse_inside = _terms(node.orelse, name, reads, layout)
            total += max(then, orelse)
            inside |= then_inside or orelse_inside
        elif isinstance(node, Loop):
            count, loop_inside = _terms(node.body, name, reads, layout)
            inside |= loop_inside
            if not count:
                continue
            if name in (before for before, _ in node.carried):
                inside |= count > 1
            elif layout.defined_in(name, node):
                total += count
            else:
                total += 2
    return total, inside
