"""The forward DAG: a node per input and per operation, an edge from each operand to the
operation that reads it, loops and branches as clusters."""

from __future__ import annotations

import ast

from ..ir import Program
from .layout import COPIES, Layout, operand_names
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
            kind = "parameter" if layout.is_parameter(name, wrt) else "activation"
            node = Node(f"v_{name}", layout.label(name), kind, tooltip, output=name in outputs)
            layout.site(name).cluster.nodes.append(node)
        return f"v_{name}"

    for name in layout.inputs:
        value(name, layout.input_tooltip(name, wrt))
    for index, (assignment, site) in enumerate(layout.assignments):
        operands = [producers[n] for n in operand_names(assignment) if n in producers]
        if assignment.op in COPIES:
            head = value(assignment.target, layout.tooltip(assignment))
            back = layout.carried_round(assignment, site)
            graph.edges += [Edge(tail, head, back) for tail in operands]
            continue
        node = Node(f"op_{index}", layout.operation(assignment), "operation",
                    layout.tooltip(assignment))
        site.cluster.nodes.append(node)
        graph.edges += [Edge(tail, node.id) for tail in operands]
        if assignment.target in layout.drawn:
            graph.edges.append(Edge(node.id, value(assignment.target, layout.tooltip(assignment))))
    return graph

