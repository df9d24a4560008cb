"""A picture's parts (nodes, edges, nested clusters) and the DOT text that draws them."""

from __future__ import annotations

from dataclasses import dataclass, field

PARAMETER = "#9ecae1"
"""The fill of a parameter (a `wrt` argument) and of its gradient: the lecture's blue."""
ACTIVATION = "white"
"""The fill of every other value: inputs, the user's variables, adjoints."""
OPERATION = "#a1d99b"
"""The fill of an operation, a transposed Jacobian and an accumulation: the lecture's green."""

_STYLES = {
    "parameter": {"shape": "ellipse", "style": "filled", "fillcolor": PARAMETER},
    "activation": {"shape": "ellipse", "style": "filled", "fillcolor": ACTIVATION},
    "operation": {"shape": "box", "style": "rounded,filled", "fillcolor": OPERATION},
    "accumulation": {"shape": "circle", "style": "filled", "fillcolor": OPERATION},
}
FONT = "Helvetica"


@dataclass
class Node:
    """One node: `kind` is "parameter", "activation", "operation" or "accumulation"; an
    output (or, backward, a seed) is drawn with a double border."""

    id: str
    label: str
    kind: str
    tooltip: str = ""
    output: bool = False


@dataclass
class Edge:
    """`tail -> head`; a loop's back edge (the next iteration's value) is dashed and does
    not rank its head after its tail."""

    tail: str
    head: str
    back: bool = False


@dataclass
class Cluster:
    """A box around the nodes of a loop or a branch (the root holds the rest)."""

    id: str
    label: str
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)

    def empty(self) -> bool:
        return not self.nodes and all(c.empty() for c in self.clusters)


@dataclass
class Graph:
    """A directed graph with a title, its nodes in nested clusters."""

    name: str
    title: str
    root: Cluster
    edges: list[Edge] = field(default_factory=list)

    def dot(self) -> str:
        """The graph as DOT text (Graphviz's language), in a set order."""
        lines = [
            f"digraph {quote(self.name)} {{",
            f"  graph [rankdir=LR, fontname={quote(FONT)}, label={quote(self.title)}, labelloc=t];",
            f"  node [fontname={quote(FONT)}];",
            f"  edge [fontname={quote(FONT)}];",
        ]
        _write_cluster(self.root, lines, "  ", top=True)
        for edge in self.edges:
            attributes = " [style=dashed, constraint=false]" if edge.back else ""
            lines.append(f"  {quote(edge.tail)} -> {quote(edge.head)}{attributes};")
        lines.append("}")
        return "\n".join(lines) + "\n"


def _write_cluster(cluster: Cluster, lines: list[str], indent: str, top: bool = False) -> None:
    inner = indent
    if not top:
        lines.append(f"{indent}subgraph {quote(cluster.id)} {{")
        inner = indent + "  "
        lines += [f"{inner}label={quote(cluster.label)};", f"{inner}style=rounded;",
                  f"{inner}color=gray50;"]
    for node in cluster.nodes:
        attributes = {"label": node.label, **_STYLES[node.kind]}
        if node.output:
            attributes["peripheries"] = "2"
        if node.tooltip:
            attributes["tooltip"] = node.tooltip
        written = ", ".join(f"{key}={quote(value)}" for key, value in attributes.items())
        lines.append(f"{inner}{quote(node.id)} [{written}];")
    for child in cluster.clusters:
        if not child.empty():
            _write_cluster(child, lines, inner)
    if not top:
        lines.append(f"{indent}}}")


def quote(text: str) -> str:
    """`text` as a DOT string: quoted, its backslashes, quotes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
