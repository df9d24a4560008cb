"""The forward DAG: a node per input and per operation, an edge from each operand to the
operation that reads it, loops and branches as clusters."""

from __future__ import annotations

import ast

from ..ir import Assignment, Program
from .layout import COPIES, Layout
from .model import Edge, Graph, Node


def forward_graph(program: Program, wrt: list[str]) -> Graph:
    """The DAG of `program`: the `wrt` parameters blue, the other values white, the
    operations green."""
    layout = Layout(program)
    outputs = {o.id for o in program.outputs if isinstance(o, ast.Name)}
    graph = Graph(program.name, f"{program.name} ({program.display_filename})", layout.root.cluster)
    producers = {name: f"v_{name}" for name in layout.inputs}
    for index, (assignment, _) in enumerate(layout.assignments):
        drawn = assignment.target in layout.drawn
        producers[assignment.target] = f"v_{assignment.target}" if drawn else f"op_{index}"
    made: set[str] = set()

    def value(name: str, tooltip: str = "") -> str:
        if name not in made:
            made.add(name)
            kind = "parameter" if name in wrt else "activation"
            node = Node(f"v_{name}", layout.label(name), kind, tooltip, output=name in outputs)
            layout.site(name).cluster.nodes.append(node)
        return f"v_{name}"

    for name in layout.inputs:
        value(name, "parameter, differentiated" if name in wrt else "input")
    for index, (assignment, site) in enumerate(layout.assignments):
        operands = [producers[n] for n in operand_names(assignment) if n in producers]
        if assignment.op in COPIES:
            head = value(assignment.target, layout.tooltip(assignment))
            back = assignment.op == "phi" and _carried_round(layout, assignment, site)
            graph.edges += [Edge(tail, head, back) for tail in operands]
            continue
        node = Node(f"op_{index}", layout.operation(assignment), "operation",
                    layout.tooltip(assignment))
        site.cluster.nodes.append(node)
        graph.edges += [Edge(tail, node.id) for tail in operands]
        if assignment.target in layout.drawn:
            graph.edges.append(Edge(node.id, value(assignment.target, layout.tooltip(assignment))))
    return graph


def operand_names(assignment: Assignment) -> list[str]:
    """The names an operation reads, in the order written, each as often as it is read."""
    names = []
    for operand in [*assignment.args, *assignment.keywords.values()]:
        names += [n.id for n in ast.walk(operand) if isinstance(n, ast.Name)]
    return names


def _carried_round(layout: Layout, assignment: Assignment, site) -> bool:
    """Whether a `phi` hands a value to a loop's next iteration (an edge drawn back)."""
    loop_site = layout.carried.get(assignment.target)
    return loop_site is not None and site.within(loop_site.loop)
