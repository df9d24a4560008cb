"""Pictures of the DAG (`GradFunction.graph`, `s2sad graph`): the DOT text read back with
pydot, a real parser, and checked node by node, edge by edge and cluster by cluster."""

from __future__ import annotations

import importlib.util
import re
import shutil
from collections import Counter
from pathlib import Path

import graph_functions as gf
import numpy as np
import pydot
import pytest

import s2sad
import s2sad.cli
from s2sad.graph import ACTIVATION, OPERATION, PARAMETER

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's pyparsing calls

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("graph_dag", ROOT / "examples" / "dag.py")
dag = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dag)
"""examples/dag.py: the lecture's DAG."""

DEFAULTS = {"graph", "node", "edge"}
"""The names pydot gives the default-attribute statements, which are no nodes."""


def _text(value: str | None) -> str | None:
    """An attribute's value as DOT means it: unquoted, escapes undone."""
    if value is None:
        return None
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value)


class Picture:
    """A DOT graph parsed by pydot: its nodes (through every cluster), edges and clusters."""

    def __init__(self, text: str):
        parsed = pydot.graph_from_dot_data(text)
        assert parsed is not None and len(parsed) == 1, text
        self.graph = parsed[0]
        self.nodes: dict[str, dict[str, str]] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        self.clusters: dict[str, tuple[str, set[str]]] = {}
        """cluster name → (its label, the nodes in it at any depth)."""
        self._read(self.graph)

    def _read(self, graph) -> set[str]:
        inside = set()
        for node in graph.get_nodes():
            name = _text(node.get_name())
            if name not in DEFAULTS:
                self.nodes[name] = {k: _text(v) for k, v in node.get_attributes().items()}
                inside.add(name)
        for edge in graph.get_edges():
            attributes = {k: _text(v) for k, v in edge.get_attributes().items()}
            self.edges.append((_text(edge.get_source()), _text(edge.get_destination()), attributes))
        for sub in graph.get_subgraphs():
            below = self._read(sub)
            self.clusters[_text(sub.get_name())] = (_text(sub.get("label")), below)
            inside |= below
        return inside

    def label(self, node: str) -> str:
        return self.nodes[node]["label"]

    def with_label(self, label: str) -> list[str]:
        return [n for n, a in self.nodes.items() if a.get("label") == label]

    def one(self, label: str) -> str:
        found = self.with_label(label)
        assert len(found) == 1, (label, found)
        return found[0]

    def into(self, node: str) -> list[str]:
        """The tails of the edges into `node`, once per edge."""
        return [tail for tail, head, _ in self.edges if head == node]

    def out_of(self, node: str) -> list[str]:
        return [head for tail, head, _ in self.edges if tail == node]

    def labels_into(self, node: str) -> Counter:
        return Counter(self.label(t) for t in self.into(node))

    def fill(self, node: str) -> str:
        return self.nodes[node]["fillcolor"]

    def cluster(self, text: str) -> str:
        """The name of the one cluster whose label contains `text`."""
        found = [name for name, (label, _) in self.clusters.items() if text in label]
        assert len(found) == 1, (text, self.clusters)
        return found[0]

    def members(self, cluster: str) -> set[str]:
        return self.clusters[cluster][1]

    def back_edges(self) -> list[tuple[str, str]]:
        return [(t, h) for t, h, a in self.edges if a.get("style") == "dashed"]


def _rgb(colour: str) -> tuple[int, int, int]:
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", colour), colour
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_the_colours_are_the_lectures():
    red, green, blue = _rgb(PARAMETER)
    assert blue > red and blue > green
    red, green, blue = _rgb(OPERATION)
    assert green > red and green > blue
    assert ACTIVATION == "white"


def test_the_dag_has_a_node_per_input_and_per_operation():
    picture = Picture(dag.q.graph())
    values = {"w1", "w2", "x", "x0", "x1", "x2", "x3", "q"}
    for label in values:
        picture.one(label)
    operations = Counter(a["label"] for a in picture.nodes.values() if a["label"] not in values)
    assert operations == Counter({"matmul": 3, "+": 2, "*": 1, "sum": 1})
    for internal in ("w2_x1", "x1_x2", "x3_x3", "w2 @ x1"):  # temporaries are their operations
        assert not picture.with_label(internal)
    assert picture.fill(picture.one("w1")) == picture.fill(picture.one("w2")) == PARAMETER
    for label in ("x", "x0", "x1", "x2", "x3", "q"):
        assert picture.fill(picture.one(label)) == ACTIVATION
    for node, attributes in picture.nodes.items():
        if attributes["label"] not in values:
            assert attributes["fillcolor"] == OPERATION, node
    assert picture.nodes[picture.one("q")].get("peripheries") == "2"  # the output


def test_the_dags_edges_run_from_operands_to_operations():
    picture = Picture(dag.q.graph())
    w1, w2, x0, x1, x2, x3, q = (picture.one(v) for v in ("w1", "w2", "x0", "x1", "x2", "x3", "q"))
    assert picture.into(x0) == [picture.one("x")]  # x0 = x
    (first,) = picture.into(x1)  # x1 = w1 @ x0
    assert picture.label(first) == "matmul" and sorted(picture.into(first)) == sorted([w1, x0])
    (add,) = picture.into(x2)  # x2 = x0 + w2 @ x1
    assert picture.label(add) == "+"
    (inner,) = [n for n in picture.into(add) if n != x0]
    assert picture.label(inner) == "matmul" and sorted(picture.into(inner)) == sorted([w2, x1])
    (last,) = picture.into(x3)  # x3 = w1 @ (x1 + x2)
    (sum_,) = [n for n in picture.into(last) if n != w1]
    assert picture.label(sum_) == "+" and sorted(picture.into(sum_)) == sorted([x1, x2])
    assert sorted(picture.out_of(w1)) == sorted([first, last])  # w1 is shared
    (square,) = set(picture.out_of(x3))
    assert picture.label(square) == "*" and picture.into(square) == [x3, x3]  # read twice
    (total,) = picture.into(q)
    assert picture.label(total) == "sum" and picture.into(total) == [square]
    assert not picture.clusters


def test_wrt_decides_what_is_blue():
    picture = Picture(s2sad.grad(dag.q.fun, wrt="x").graph())
    assert picture.fill(picture.one("x")) == PARAMETER
    assert picture.fill(picture.one("w1")) == picture.fill(picture.one("w2")) == ACTIVATION


def test_a_loop_is_a_cluster_with_its_back_edge():
    picture = Picture(s2sad.grad(gf.rnn, wrt=("w", "h")).graph())
    loop = picture.cluster("for t in range(T)")
    assert picture.clusters[loop][0] == "line 10: for t in range(T)"
    inside = picture.members(loop)
    assert {picture.label(n) for n in inside} == {"h", "matmul", "[t]", "+", "tanh"}
    assert picture.one("sum") not in inside and picture.one("rnn") not in inside
    (tanh,) = picture.with_label("tanh")
    (new_h,) = picture.out_of(tanh)
    backs = picture.back_edges()
    assert len(backs) == 1 and backs[0][0] == new_h  # the next iteration's h
    carried = backs[0][1]
    assert carried in inside and picture.label(carried) == "h"
    parameter_h = [n for n in picture.with_label("h") if n not in inside]
    assert picture.into(carried) == parameter_h + [new_h] or sorted(picture.into(carried)) == sorted(
        parameter_h + [new_h])
    assert picture.fill(parameter_h[0]) == PARAMETER
    assert picture.out_of(carried).count(picture.one("sum")) == 1  # the loop's result


def test_a_branch_is_a_cluster_with_an_arm_each():
    picture = Picture(s2sad.grad(gf.branch).graph())
    branch = picture.cluster("if np.sum(x) > 0")
    then, orelse = picture.cluster("then"), picture.cluster("else")
    assert {picture.label(n) for n in picture.members(then)} == {"*", "tanh"}
    assert {picture.label(n) for n in picture.members(orelse)} == {"-"}
    assert picture.members(then) | picture.members(orelse) < picture.members(branch)
    y = picture.one("y")  # the two arms meet in y
    assert y in picture.members(branch) and y not in picture.members(then) | picture.members(orelse)
    assert picture.labels_into(y) == Counter({"tanh": 1, "-": 1})


def test_the_backward_dag_sums_the_shared_w1s_two_contributions():
    picture = Picture(dag.q.graph(backward=True))
    dw1, dw2 = picture.one("dw1"), picture.one("dw2")
    assert picture.fill(dw1) == picture.fill(dw2) == PARAMETER
    (adds,) = picture.into(dw1)
    assert picture.label(adds) == "+="
    assert picture.labels_into(adds) == Counter({"J(matmul | w1)ᵀ": 2})
    assert picture.labels_into(dw2) == Counter({"J(matmul | w2)ᵀ": 1})  # read once: no sum
    (dx3_sum,) = picture.into(picture.one("dx3"))
    assert picture.labels_into(dx3_sum) == Counter({"J(* | x3)ᵀ": 2})  # x3 * x3
    (dx1_sum,) = picture.into(picture.one("dx1"))
    assert picture.labels_into(dx1_sum) == Counter({"J(+ | x1)ᵀ": 1, "J(matmul | x1)ᵀ": 1})
    seed = picture.one("dq")
    assert picture.nodes[seed].get("peripheries") == "2" and not picture.into(seed)
    for absent in ("dx", "dx0"):  # x is not differentiated: nothing flows to it
        assert not picture.with_label(absent)


def test_the_backward_dag_adds_up_where_the_generated_code_does():
    picture = Picture(dag.q.graph(backward=True))
    summed = {picture.label(picture.out_of(n)[0]) for n in picture.with_label("+=")}
    source = dag.q.source
    added = set(re.findall(r"^\s*(d\w+) \+= ", source, re.MULTILINE))
    added |= {m[0] for m in re.findall(r"^\s*(d\w+) = (\1) \+ ", source, re.MULTILINE)}
    # Two equal contributions (x3 * x3 reads x3 twice) are written once, doubled.
    added |= set(re.findall(r"^\s*(d\w+) = 2\.0 \* ", source, re.MULTILINE))
    assert summed == added == {"dw1", "dx1", "dx3"}


def test_the_backward_loop_adds_each_iteration_into_the_weight():
    picture = Picture(s2sad.grad(gf.rnn, wrt=("w", "h")).graph(backward=True))
    loop = picture.cluster("for t in range(T), reversed")
    (adds,) = picture.into(picture.one("dw"))
    assert picture.label(adds) == "+=" and adds not in picture.members(loop)
    (term,) = picture.into(adds)
    assert term in picture.members(loop) and picture.label(term) == "J(matmul | w)ᵀ"
    assert picture.with_label("+=") == [adds]  # h is carried: each iteration has its own
    backs = picture.back_edges()
    assert len(backs) == 1 and {picture.label(t) for t in backs[0]} == {"dh"}


def test_the_arms_of_a_branch_do_not_add_up():
    picture = Picture(s2sad.grad(gf.branch).graph(backward=True))
    dw = picture.one("dw")
    assert picture.labels_into(dw) == Counter({"J(* | w)ᵀ": 1, "J(- | w)ᵀ": 1})
    assert not picture.with_label("+=")
    then, orelse = picture.cluster("then"), picture.cluster("else")
    assert picture.clusters[picture.cluster("replayed")][0] == "line 16: if np.sum(x) > 0, replayed"
    assert {picture.label(n) for n in picture.members(orelse)} == {"J(- | w)ᵀ"}
    assert {picture.label(n) for n in picture.members(then)} == {"J(* | w)ᵀ", "J(tanh | w * x)ᵀ"}


def test_an_arm_and_a_later_read_add_up():
    picture = Picture(s2sad.grad(gf.branch_then_read).graph(backward=True))
    (adds,) = picture.into(picture.one("dw"))
    assert picture.label(adds) == "+="
    assert picture.labels_into(adds) == Counter({"J(* | w)ᵀ": 1, "J(+ | w)ᵀ": 1})


def test_a_dicts_leaves_are_drawn_by_their_keys():
    picture = Picture(s2sad.grad(gf.dict_params).graph())
    leaves = [picture.one("p['w']"), picture.one("p['b']")]
    p = picture.one("p")
    for leaf in leaves:
        assert picture.into(leaf) == [p] and picture.fill(leaf) == PARAMETER
    backward = Picture(s2sad.grad(gf.dict_params).graph(backward=True))
    dp = backward.one("dp")
    assert sorted(backward.labels_into(dp)) == ["dp['b']", "dp['w']"]  # no sum: each its leaf


def test_a_structured_gradient_is_drawn_for_its_arguments():
    g = s2sad.grad(gf.unpacked_layers)
    with pytest.raises(s2sad.S2SADError, match="graph_functions.py"):
        g.graph()  # the gradient of the code as written is refused, located
    params = [(np.eye(3), np.zeros(3)), (np.eye(3), np.zeros(3)), (np.ones((1, 3)), np.zeros(1))]
    picture = Picture(g.graph_for(params, np.ones(3)))
    for label in ("params[0][0]", "params[1][1]", "params[2][0]"):
        assert picture.fill(picture.one(label)) == PARAMETER
    assert len(picture.with_label("tanh")) == 2  # the loop over the list, unrolled
    backward = Picture(g.graph_for(params, np.ones(3), backward=True))
    assert len(backward.into(backward.one("dparams"))) == 6


def test_data_in_a_global_and_a_closure_are_white_inputs():
    picture = Picture(s2sad.grad(gf.reads_global).graph())
    data = picture.one("DATA")
    assert picture.fill(data) == ACTIVATION and picture.label(picture.out_of(data)[0]) == "matmul"
    assert "global" in picture.nodes[data]["tooltip"]
    picture = Picture(s2sad.grad(gf.make_distance(np.ones(3))).graph())
    target = picture.one("target")
    assert picture.fill(target) == ACTIVATION and picture.label(picture.out_of(target)[0]) == "-"
    assert "closure" in picture.nodes[target]["tooltip"]
    assert picture.label(picture.one("** 2"))


def test_labels_with_quotes_and_backslashes_survive_dot():
    from s2sad.graph.model import Cluster, Graph, Node

    label = 'a "quoted" \\ label'
    graph = Graph("g", "title", Cluster("root", "", [Node("n", label, "operation")]))
    assert Picture(graph.dot()).label("n") == label


def test_the_graph_is_the_same_text_every_time():
    assert dag.q.graph() == s2sad.grad(dag.q.fun, wrt=("w1", "w2")).graph()


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_the_cli_writes_dot(at_root, tmp_path, capsys):
    out = tmp_path / "q.dot"
    assert s2sad.cli.main(["graph", "examples/dag.py:q", "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert out.read_text() == dag.q.graph()
    backward = tmp_path / "q_backward.dot"
    assert s2sad.cli.main(["graph", "examples/dag.py:q", "--backward", "-o", str(backward)]) == 0
    assert Picture(backward.read_text()).with_label("+=")


def test_the_cli_prints_dot_without_an_output(at_root, capsys):
    assert s2sad.cli.main(["graph", "examples/dag.py:q", "--wrt", "x"]) == 0
    picture = Picture(capsys.readouterr().out)
    assert picture.fill(picture.one("x")) == PARAMETER


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz's dot is not on PATH (apt-get install graphviz); "
                    "it is no Python package the test extras could install")
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_the_cli_draws_svg_and_png_with_graphviz(at_root, tmp_path, suffix):
    out = tmp_path / f"q{suffix}"
    assert s2sad.cli.main(["graph", "examples/dag.py:q", "--backward", "-o", str(out)]) == 0
    if suffix == ".svg":
        svg = out.read_text()
        assert "<svg" in svg and "<title>d_w1</title>" in svg and ">dw1</text>" in svg
    else:
        assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_without_graphviz_the_cli_says_what_to_do(at_root, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without dot
    out = tmp_path / "q.svg"
    assert s2sad.cli.main(["graph", "examples/dag.py:q", "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (f"s2sad: writing {out} needs Graphviz's dot on PATH; write "
                            f"{tmp_path / 'q.dot'} instead or install graphviz\n")
    assert not out.exists()


def test_the_cli_refuses_an_unknown_picture_format(at_root, tmp_path, capsys):
    assert s2sad.cli.main(["graph", "examples/dag.py:q", "-o", str(tmp_path / "q.jpeg")]) == 1
    assert ".dot, .svg, .png or .pdf" in capsys.readouterr().err


@pytest.mark.parametrize("name, backward", [("dag.svg", False), ("dag_backward.svg", True)])
def test_the_readmes_pictures_are_of_the_current_dag(name, backward):
    """docs/dag.svg and docs/dag_backward.svg were drawn by Graphviz from `s2sad graph
    examples/dag.py:q [--backward]`: their nodes and edges are those it writes now."""
    svg = (ROOT / "docs" / name).read_text()
    titles = set(re.findall(r"<title>(.*?)</title>", svg))
    picture = Picture(dag.q.graph(backward=backward))
    edges = {f"{t}&#45;&gt;{h}" for t, h, _ in picture.edges}
    assert titles == set(picture.nodes) | edges | {_text(picture.graph.get_name())}
    assert f"](docs/{name})" in (ROOT / "README.md").read_text()
