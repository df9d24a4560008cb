"""The forward part of a gradient function: only what the backward or the result reads.

Temporaries that carry no gradient (shape arithmetic, comparisons) and are
read once, by a statement beside them, are folded back into that statement,
so the forward reads like the user's code.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

from ..ir import Assignment, Branch, Effect, Loop, Node, Program
from ..syntax import copied, name_nodes
from .blocks import Tape


def forward_statements(program: Program, needed: set[str], varied: set[str],
                       tapes: dict[int, Tape], fold_varied: bool = False) -> list[ast.stmt]:
    """The statements computing `needed` names and every effect, inactive temporaries folded
    (with `fold_varied`, every temporary the gradient does not read).

    `tapes` maps a loop (by id) to its tape: the forward appends what the tape saves. Each
    statement's `source_node` is the node of the program it was written for.
    """
    kept, _ = _live(program.body, set(needed), tapes)
    reads: dict[str, int] = {}
    for node in _syntax(kept):
        for name in _each_read(node):
            reads[name] = reads.get(name, 0) + 1
    if fold_varied:  # what the tapes save is read by their appends, which come later
        needed = needed | {n for tape in tapes.values() for e in tape.saved for n in _reads(e)}
    return _Emitter(reads, needed, set() if fold_varied else varied, tapes).emit(kept)


def _live(nodes: list[Node], live: set[str], tapes: dict[int, Tape]) -> tuple[list[Node], set[str]]:
    """The nodes that compute something live afterwards, and what is live before them."""
    kept: list[Node] = []
    for node in reversed(nodes):
        if isinstance(node, Loop):
            tape = tapes.get(id(node))
            saved = {n for e in tape.saved for n in _reads(e)} if tape else set()
            condition = _reads(node.test) if node.test is not None else set()
            if node.exit is not None:
                condition |= _reads(node.exit)
            live_out = live | saved | condition
            while True:
                body, live_in = _live(node.body, set(live_out), tapes)
                if live_in <= live_out:
                    break
                live_out |= live_in
            if body:
                kept.append(_KeptLoop(node, body))
                live = live | live_in | condition | {node.steps.id}
                if tape and tape.before_loop:
                    live |= saved
            continue
        if isinstance(node, Assignment):
            if node.target in live or is_draw(node.op):
                kept.append(node)
                live |= _reads(node.value)
        elif isinstance(node, Effect):
            kept.append(node)
            live |= _reads(node.statement)
        else:
            body, live_body = _live(node.body, set(live), tapes)
            orelse, live_else = _live(node.orelse, set(live), tapes)
            if body or orelse:
                kept.append(Branch(node.test, body, orelse, node.origin, node.statement, node.context))
                live = live_body | live_else | {node.test.id}
    kept.reverse()
    return kept, live


_DRAWS = frozenset(["beta", "binomial", "bytes", "chisquare", "choice", "dirichlet", "exponential", "f", "gamma", "geometric", "gumbel", "hypergeometric", "integers", "laplace", "logistic", "lognormal", "logseries", "multinomial", "multivariate_hypergeometric", "multivariate_normal", "negative_binomial", "noncentral_chisquare", "noncentral_f", "normal", "pareto", "permutation", "permuted", "poisson", "power", "rand", "randint", "randn", "random", "random_integers", "random_sample", "ranf", "rayleigh", "sample", "shuffle", "standard_cauchy", "standard_exponential", "standard_gamma", "standard_normal", "standard_t", "triangular", "uniform", "vonmises", "wald", "weibull", "zipf"])


def is_draw(op: str) -> bool:
    """A random draw (`rs.randn(...)`, `rng.normal(...)`, `np.random.rand(...)`): it stays in
    the forward, in its place, even where nothing reads it, so every later draw gets the
    numbers the forward function would get."""
    if op.startswith("numpy.random."):
        return True
    return op.startswith("method.") and op.removeprefix("method.") in _DRAWS


@dataclass
class _KeptLoop:
    """A loop with the part of its body the gradient function needs."""

    loop: Loop
    body: list[Node]


def _syntax(nodes: list[Node]) -> list[ast.AST]:
    result: list[ast.AST] = []
    for node in nodes:
        if isinstance(node, Assignment):
            result.append(node.value)
        elif isinstance(node, Effect):
            result.append(node.statement)
        elif isinstance(node, Branch):
            result += [node.test, *_syntax(node.body), *_syntax(node.orelse)]
        else:
            tests = [t for t in (node.loop.test, node.loop.exit) if t is not None]
            result += [node.loop.steps, *tests, *_syntax(node.body)]
    return result


class _Emitter:
    """Writes kept nodes as statements, folding temporaries and saving what loops tape."""

    def __init__(self, reads: dict[str, int], needed: set[str], varied: set[str],
                 tapes: dict[int, Tape]):
        self.reads, self.needed, self.varied, self.tapes = reads, needed, varied, tapes
        self.depth = 0
        self.nested_tapes: list[str] = []

    def emit(self, nodes: list[Node]) -> list[ast.stmt]:
        local_reads: dict[str, int] = {}
        for node in nodes:
            for name in _each_read(_own_syntax(node)):
                local_reads[name] = local_reads.get(name, 0) + 1
        foldable = {
            a.target: a.value for a in nodes
            if isinstance(a, Assignment) and not a.user_variable and a.target not in self.varied
            and a.target not in self.needed and self.reads.get(a.target) == 1
            and local_reads.get(a.target) == 1
        }
        fold = _Fold(foldable)
        statements: list[ast.stmt] = []
        for node in nodes:
            emitted: list[ast.stmt] = []
            if isinstance(node, Assignment):
                if node.target not in foldable:
                    value = fold.visit(copied(node.value))
                    emitted.append(ast.Assign([ast.Name(node.target, ast.Store())], value))
            elif isinstance(node, Effect):
                emitted.append(fold.visit(copied(node.statement)))
            elif isinstance(node, Branch):
                body = self.emit(node.body) or [ast.Pass()]
                emitted.append(ast.If(fold.visit(copied(node.test)), body,
                                      self.emit(node.orelse)))
            else:
                emitted += self.loop(node, fold)
            for statement in emitted:
                statement.source_node = node.loop if isinstance(node, _KeptLoop) else node
            statements += emitted
        return statements

    def loop(self, kept: _KeptLoop, fold: _Fold) -> list[ast.stmt]:
        """`tape = []`, then the loop, each iteration appending what its backward reads."""
        loop = kept.loop
        tape = self.tapes.get(id(loop))
        saved = tape.saved if tape else ()
        before = tape is not None and tape.before_loop
        carried = {old for old, _ in loop.carried}
        body_nodes = list(kept.body)
        back_edges = []
        while body_nodes and isinstance(body_nodes[-1], Assignment) and body_nodes[-1].op == "phi" \
                and body_nodes[-1].target in carried:
            back_edges.insert(0, body_nodes.pop())
        self.depth += 1
        try:
            body = self.emit(body_nodes)
        finally:
            self.depth -= 1
        append = None
        if saved:
            values = [copy.deepcopy(e) for e in saved]
            value = values[0] if len(values) == 1 else ast.Tuple(values, ast.Load())
            method = ast.Attribute(ast.Name(tape.name, ast.Load()), "append", ast.Load())
            append = ast.Expr(ast.Call(method, [value], []))
            if not before:
                body.append(append)
        body += self.emit(back_edges)
        if saved:
            self.nested_tapes.append(tape.name)
        statements: list[ast.stmt] = []
        if self.depth == 0:
            # Every tape outlives the outermost loop: an inner loop's tape gathers all its runs.
            statements += [ast.Assign([ast.Name(t, ast.Store())], ast.List([], ast.Load()))
                           for t in self.nested_tapes]
            self.nested_tapes = []
        if append is not None and before:
            statements.append(append)
        if loop.trips is not None or loop.test is not None:
            # A `while` loop, or one that breaks, counts its iterations: the backward runs as many.
            counter = loop.trips or loop.steps.id
            statements.insert(0, ast.Assign([ast.Name(counter, ast.Store())], ast.Constant(0)))
            body.append(ast.AugAssign(ast.Name(counter, ast.Store()), ast.Add(), ast.Constant(1)))
        if loop.exit is not None:
            body.append(ast.If(copy.deepcopy(loop.exit), [ast.Break()], []))
        if loop.test is None:
            statements.append(ast.For(ast.Name(loop.index, ast.Store()),
                                      fold.visit(copy.deepcopy(loop.steps)), body or [ast.Pass()], []))
            return statements
        statements.append(ast.While(copy.deepcopy(loop.test), body, []))
        return statements


def _own_syntax(node: Node) -> ast.AST:
    """What a node reads itself, not counting the arms of a branch."""
    if isinstance(node, Assignment):
        return node.value
    if isinstance(node, Effect):
        return node.statement
    if isinstance(node, _KeptLoop):
        tests = [t for t in (node.loop.test, node.loop.exit) if t is not None]
        return ast.Tuple([node.loop.steps, *tests], ast.Load())
    return node.test


def _reads(node: ast.AST) -> set[str]:
    return {n.id for n in name_nodes(node)}


def _each_read(node: ast.AST) -> list[str]:
    """Every name `node` reads, as often as it reads it: a temporary read twice in one
    statement is not folded into it (it would be computed twice)."""
    return [n.id for n in name_nodes(node)]


class _Fold(ast.NodeTransformer):
    def __init__(self, values: dict[str, ast.expr]):
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.values:
            return self.visit(copied(self.values[node.id]))
        return node
