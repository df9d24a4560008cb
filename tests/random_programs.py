"""Small random NumPy programs for property tests of s2sad, and the means to run them.

`programs(...)` is a hypothesis strategy of `Program`s: the source of a module
that defines a forward function (and maybe helpers it calls), the arguments to
call it with, and the names to differentiate with respect to. Every program is
rendered twice from the same choices: `source`, the plain module that s2sad
reads, and `probe_source`, the same code with every comparison on data wrapped
in `_probe(value, threshold)`, which records how far each comparison was from
its threshold. A test runs the probe to reject points where finite differences
would cross a branch (a kink), then compares `s2sad.grad` with finite
differences.

`Features` says which constructs a strategy may use; every program ends in a
scalar return (or an array one, for `vector_output`).

`load_function(source, name, directory)` writes a source to a `.py` file and
imports it under a module name made from the source's hash: s2sad reads
functions' source, so generated programs must live in real files. The forward
function is named after the same hash too, so that two different programs
never share a code object.

The generated programs keep what s2sad differentiates within reach of
finite differences: divisions are by `1.0 + e * e`, `np.exp` is only applied
to a `np.tanh`, loop-carried values are updated through bounded functions,
each loop runs at most three times, and an array is only written in place when
no other name refers to it (programs where two names share an array and one is
written in place come from `Features(aliasing=True)`, a separate, deliberate test).
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

N = 3  # the length of every array parameter


# ---------------------------------------------------------------------------
# loading and running


def load_function(source: str, name: str, directory: str | Path) -> Any:
    """Write `source` to a file under `directory`, import it, return its `name`.

    The module is named after a hash of the source, so that replaying an example gives the
    same file names in tracebacks (hypothesis tells failures apart by where they are raised).
    """
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    module_name = f"s2sad_random_program_{digest}"
    path = Path(directory) / f"{module_name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return getattr(module, name)


def run_probe(probe_source: str, name: str, args: list[Any]) -> tuple[Any, list[float]]:
    """Run the probed program: its value and the margin of every data comparison it made."""
    margins: list[float] = []

    def _probe(value, threshold):
        margins.append(float(value) - float(threshold))
        return value

    namespace: dict[str, Any] = {"_probe": _probe, "__name__": "s2sad_random_probe"}
    exec(compile(probe_source, "<probe>", "exec"), namespace)  # noqa: S102
    value = namespace[name](*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args])
    return value, margins


# ---------------------------------------------------------------------------
# programs


@dataclass
class Program:
    source: str
    probe_source: str
    name: str
    params: list[str]
    args: list[Any]
    wrt: tuple[str, ...]

    def wrt_indices(self) -> list[int]:
        return [self.params.index(w) for w in self.wrt]

    def fresh_args(self) -> list[Any]:
        return [np.copy(a) if isinstance(a, np.ndarray) else a for a in self.args]

    def __repr__(self) -> str:
        args = ", ".join(
            f"{p}={np.array2string(a, separator=', ', precision=17) if isinstance(a, np.ndarray) else repr(a)}"
            for p, a in zip(self.params, self.args)
        )
        return f"Program(wrt={self.wrt!r}, args: {args})\n{self.source}"


@dataclass(frozen=True)
class Src:
    """An expression rendered twice: plain, and with its data comparisons probed."""

    plain: str
    probe: str
    aliases: tuple[str, ...] = ()  # the arrays it may evaluate to (a bare name, an ifexp of them)

    @property
    def fresh(self) -> bool:
        """Evaluates to a new array, never to one that a name already refers to."""
        return not self.aliases

    @staticmethod
    def same(text: str, aliases: tuple[str, ...] = ()) -> Src:
        return Src(text, text, aliases)


def _fmt(template: str, *parts: Src, aliases: tuple[str, ...] = ()) -> Src:
    return Src(template.format(*(p.plain for p in parts)),
               template.format(*(p.probe for p in parts)), aliases)


@dataclass
class Var:
    kind: str  # "s" scalar, "a" array of length N, "i" int index in [0, N)
    owned: bool = True  # no other name refers to this array


@dataclass
class Helper:
    name: str
    kinds: list[str]  # parameter kinds
    keyword: bool  # has a scalar keyword parameter `s=0.5`
    returns: list[str]  # one kind, or two for a tuple


@dataclass
class Features:
    assign: bool = True
    augassign: bool = True
    unpack: bool = True
    branches: bool = False
    ifexp: bool = False
    early_return: bool = False
    loops: bool = False
    whiles: bool = False
    calls: bool = False
    subscripts: bool = False
    aliasing: bool = False  # in-place writes through names that share an array
    continues: bool = False  # `if ...: continue` in `for` loops
    breaks: bool = False  # `if ...: break` in loops
    effects: bool = False  # print and assert
    more_ops: bool = False  # a matrix argument, @, mean, cos, sqrt, **, slices, rows of a matrix
    vector_output: bool = False  # the function returns an array (tested with s2sad.vjp)
    nest: bool = False  # prefer loops and branches inside loops and branches (three deep)
    non_wrt_param: bool = True
    force: tuple[str, ...] = ()  # statement kinds the program must start with


CONSTANTS = ["0.5", "1.0", "2.0", "-0.3", "0.7", "1.5"]
THRESHOLDS = ["0.0", "0.5", "-0.5", "1.0", "-1.0"]
INDICES = ["0", "1", "2", "-1"]


class Builder:
    """Draws one program; `self.lines` and `self.probe_lines` collect its two renderings."""

    def __init__(self, draw, features: Features, names: itertools.count, helpers: list[Helper],
                 budget: int):
        self.draw = draw
        self.f = features
        self.names = names
        self.helpers = helpers
        self.budget = budget
        self.env: dict[str, Var] = {}
        self.lines: list[str] = []
        self.probe_lines: list[str] = []
        self.indent = 1
        self.loop_depth = 0
        self.in_branch = 0
        self.iterated: set[str] = set()  # arrays a running `for` iterates over
        self.loops: list[str] = []  # "for" / "while", innermost last

    # -- small draws -------------------------------------------------------

    def choice(self, options):
        return self.draw(st.sampled_from(list(options)))

    def coin(self, p_true_num: int = 1, of: int = 2) -> bool:
        return self.draw(st.integers(0, of - 1)) < p_true_num

    def fresh_name(self, prefix: str) -> str:
        return f"{prefix}{next(self.names)}"

    def emit(self, line: Src | str) -> None:
        if isinstance(line, str):
            line = Src.same(line)
        pad = "    " * self.indent
        self.lines.append(pad + line.plain)
        self.probe_lines.append(pad + line.probe)

    def names_of(self, kind: str) -> list[str]:
        return sorted(n for n, v in self.env.items() if v.kind == kind)

    # -- expressions -------------------------------------------------------

    def const(self) -> Src:
        return Src.same(self.choice(CONSTANTS))

    def index(self) -> Src:
        options = list(INDICES) + self.names_of("i")
        return Src.same(self.choice(options))

    def leaf(self, kind: str) -> Src:
        if kind == "a":
            if not self.names_of("a"):
                return self.stack(0)
            name = self.choice(self.names_of("a"))
            return Src.same(name, aliases=(name,))
        options = ["const"]
        if self.names_of("s"):
            options.insert(0, "var")
        if self.names_of("a"):
            options.append("element")
        if self.names_of("i"):
            options.append("int")
        pick = self.choice(options)
        if pick == "var":
            return Src.same(self.choice(self.names_of("s")))
        if pick == "element":
            return Src.same(f"{self.choice(self.names_of('a'))}[{self.index().plain}]")
        if pick == "int":
            return Src.same(self.choice(self.names_of("i")))
        return self.const()

    def expr(self, kind: str, depth: int) -> Src:
        if depth <= 0:
            return self.leaf(kind)
        options = ["leaf", "neg", "tanh", "sin", "exptanh", "add", "sub", "mul", "div"]
        if kind == "s":
            options.append("sum")
        else:
            options.append("stack")
        if self.f.more_ops:
            options += ["cos", "sqrt", "square"]
            options += ["dot", "mean", "slices"] if kind == "s" else []
            options += ["matvec"] if kind == "a" and self.names_of("m") else []
        if self.f.ifexp:
            options.append("ifexp")
        if self.f.calls and any(len(h.returns) == 1 and h.returns[0] == kind for h in self.helpers):
            options.append("call")
        pick = self.choice(options)
        sub = depth - 1
        if pick == "leaf":
            return self.leaf(kind)
        if pick == "neg":
            return _fmt("(-{})", self.expr(kind, sub))
        if pick in ("tanh", "sin"):
            return _fmt(f"np.{pick}({{}})", self.expr(kind, sub))
        if pick == "exptanh":
            return _fmt("np.exp(np.tanh({}))", self.expr(kind, sub))
        if pick == "sum":
            return _fmt("np.sum({})", self.expr(self.choice("as"), sub))
        if pick == "stack":
            return self.stack(sub)
        if pick == "cos":
            return _fmt("np.cos({})", self.expr(kind, sub))
        if pick == "sqrt":
            e = self.expr(kind, sub)
            return _fmt("np.sqrt(1.0 + {} * {})", e, e)
        if pick == "square":
            return _fmt("({} ** 2)", self.expr(kind, sub))
        if pick == "dot":
            return _fmt(self.choice(["({} @ {})", "np.dot({}, {})"]), self.expr("a", sub),
                        self.expr("a", sub))
        if pick == "mean":
            return _fmt("np.mean({})", self.expr("a", sub))
        if pick == "slices":
            return _fmt("np.sum({}[1:] * {}[:-1])", self.sliceable(sub), self.sliceable(sub))
        if pick == "matvec":
            m = Src.same(self.choice(self.names_of("m")))
            if self.coin():
                return _fmt("({} @ {})", m, self.expr("a", sub))
            return _fmt("({} @ {})", self.expr("a", sub), m)
        if pick == "ifexp":
            then, test, other = self.expr(kind, sub), self.cond(sub), self.expr(kind, sub)
            return _fmt("({} if {} else {})", then, test, other,
                        aliases=then.aliases + other.aliases if kind == "a" else ())
        if pick == "call":
            return self.call(kind, sub)
        left_kind, right_kind = kind, kind
        if kind == "a":
            left_kind, right_kind = self.choice([("a", "a"), ("a", "s"), ("s", "a")])
        left, right = self.expr(left_kind, sub), self.expr(right_kind, sub)
        if pick == "div":
            return _fmt("({} / (1.0 + {} * {}))", left, right, right)
        op = {"add": "+", "sub": "-", "mul": "*"}[pick]
        return _fmt(f"({{}} {op} {{}})", left, right)

    def sliceable(self, depth: int) -> Src:
        """An array expression that can be sliced: a name, or a parenthesized expression."""
        e = self.expr("a", depth)
        return e if e.plain.isidentifier() else _fmt("({})", e)

    def stack(self, depth: int) -> Src:
        """An array built from scalars: `np.ones(N) * s`, or (rarely: s2sad refuses it when
        an element depends on the differentiated arguments) `np.array([...])`."""
        if self.draw(st.integers(0, 4)) > 0:
            return _fmt(f"(np.ones({N}) * {{}})", self.expr("s", depth))
        parts = [self.expr("s", depth) for _ in range(N)]
        return Src("np.array([" + ", ".join(p.plain for p in parts) + "])",
                   "np.array([" + ", ".join(p.probe for p in parts) + "])")

    def bounded(self, kind: str, depth: int) -> Src:
        """An expression whose magnitude is at most e."""
        fun = self.choice(["np.tanh({})", "np.sin({})", "np.exp(np.tanh({}))"])
        return _fmt(fun, self.expr(kind, depth))

    def cond(self, depth: int) -> Src:
        shape = self.choice(["sum", "scalar", "and", "not"])
        if shape == "and" and depth > 0:
            return _fmt("({} and {})", self.cond(0), self.cond(0))
        if shape == "not" and depth > 0:
            return _fmt("(not {})", self.cond(0))
        if shape == "sum" or not self.names_of("s"):
            lhs = _fmt("np.sum({})", self.expr("a", max(depth, 1) - 1))
        else:
            lhs = self.expr("s", max(depth, 1) - 1)
        op = self.choice([">", "<", ">=", "<="])
        c = self.choice(THRESHOLDS)
        return Src(f"{lhs.plain} {op} {c}", f"_probe({lhs.probe}, {c}) {op} {c}")

    def call(self, kind: str, depth: int, returns: int = 1) -> Src:
        candidates = [h for h in self.helpers if len(h.returns) == returns
                      and (returns == 2 or h.returns[0] == kind)]
        helper = self.choice([h.name for h in candidates])
        helper = next(h for h in candidates if h.name == helper)
        args = [self.expr(k, depth) for k in helper.kinds]
        if helper.keyword and self.coin():
            args.append(_fmt("s={}", self.expr("s", depth)))
        return Src(f"{helper.name}({', '.join(a.plain for a in args)})",
                   f"{helper.name}({', '.join(a.probe for a in args)})")

    # -- statements --------------------------------------------------------

    def inplace_targets(self) -> list[str]:
        return [n for n in self.names_of("a")
                if (self.env[n].owned or self.f.aliasing) and n not in self.iterated]

    def assign_target(self, kind_of_value: str | None = None) -> tuple[str, str]:
        """A name to assign and the kind it gets: new, or an existing one (same kind in control flow)."""
        movable = self.loop_depth == 0 and self.in_branch == 0
        existing = [n for n, v in sorted(self.env.items()) if v.kind in "sa"
                    and (movable or kind_of_value in (None, v.kind))]
        if existing and self.coin():
            name = self.choice(existing)
            kind = kind_of_value or (self.choice("sa") if movable else self.env[name].kind)
            return name, kind
        return self.fresh_name("v"), kind_of_value or self.choice("sa")

    def bind(self, name: str, kind: str, value: Src) -> None:
        """Record that `name = value` ran; an array that another name refers to is shared."""
        if kind == "a" and not value.fresh:
            for other in value.aliases:
                self.env[other].owned = False
            self.env[name] = Var("a", owned=False)
        else:
            self.env[name] = Var(kind)

    def rhs(self, kind: str) -> Src:
        value = self.expr(kind, self.draw(st.integers(1, 3)))
        if kind == "a" and not value.fresh and (self.loop_depth or self.in_branch):
            value = _fmt("({} * 1.0)", value)  # no sharing inside control flow
        return value

    def stmt_assign(self) -> None:
        name, kind = self.assign_target()
        carried = self.loop_depth > 0 and name in self.env
        if carried:
            form = self.choice(["{b}", "{n} + {b}", "{n} - {b}", "{n} * {b}"])
            b = self.bounded(kind, self.draw(st.integers(0, 2)))
            value = Src(form.format(n=name, b=b.plain), form.format(n=name, b=b.probe))
        else:
            value = self.rhs(kind)
        self.emit(_fmt(f"{name} = {{}}", value))
        self.bind(name, kind, value)

    def stmt_augassign(self) -> None:
        candidates = self.names_of("s") + self.inplace_targets()
        if not candidates:
            return self.stmt_assign()
        name = self.choice(candidates)
        kind = self.env[name].kind
        op = self.choice(["+=", "-=", "*=", "/="])
        vkind = self.choice("sa") if kind == "a" else "s"
        depth = self.draw(st.integers(0, 2))
        if op == "/=":
            e = self.expr(vkind, depth)
            value = _fmt("1.0 + {} * {}", e, e)
        elif op == "*=" or self.loop_depth:
            value = self.bounded(vkind, depth)
        else:
            value = self.expr(vkind, depth)
        self.emit(_fmt(f"{name} {op} {{}}", value))

    def stmt_unpack(self) -> None:
        movable = self.loop_depth == 0 and self.in_branch == 0
        pairs = [(p, q) for p in sorted(self.env) for q in sorted(self.env)
                 if p < q and self.env[p].kind in "sa" and self.env[q].kind in "sa"
                 and (movable or self.env[p].kind == self.env[q].kind)]
        if pairs and self.coin():
            p, q = self.choice(pairs)
            self.emit(f"{p}, {q} = {q}, {p}")
            self.env[p], self.env[q] = self.env[q], self.env[p]
            return
        if self.f.calls and any(len(h.returns) == 2 for h in self.helpers) and self.coin():
            value = self.call("s", self.draw(st.integers(0, 2)), returns=2)
            helper = next(h for h in self.helpers if value.plain.startswith(h.name + "("))
            targets = [self.fresh_name("t") for _ in helper.returns]
            self.emit(_fmt(f"{targets[0]}, {targets[1]} = {{}}", value))
            for t, k in zip(targets, helper.returns):
                self.env[t] = Var(k)
            return
        targets, values = [], []
        for _ in range(2):
            name, kind = self.assign_target()
            while name in targets:
                name = self.fresh_name("v")
            value = self.rhs(kind)
            if kind == "a" and not value.fresh:
                value = _fmt("({} * 1.0)", value)
            targets.append((name, kind))
            values.append(value)
        self.emit(_fmt(f"{targets[0][0]}, {targets[1][0]} = {{}}, {{}}", *values))
        for (name, kind), value in zip(targets, values):
            self.bind(name, kind, value)

    def stmt_alias(self) -> None:
        """`y = x` (or a conditional expression of names): two names for one array."""
        arrays = self.names_of("a")
        if not arrays or self.loop_depth or self.in_branch:
            return self.stmt_assign()
        value = self.leaf("a")
        if self.f.ifexp and self.coin():
            value = _fmt("({} if {} else {})", value, self.cond(0), other := self.leaf("a"),
                         aliases=value.aliases + other.aliases)
        name = self.fresh_name("y")
        self.emit(_fmt(f"{name} = {{}}", value))
        self.bind(name, "a", value)

    def stmt_copy_and_write(self) -> None:
        """`y = x * 1.0`, then writes into y's elements."""
        name = self.fresh_name("y") if self.coin(2, 3) or not self.inplace_targets() else None
        if name is not None:
            source = self.leaf("a")
            copy = _fmt(self.choice(["{} * 1.0", "{} + 0.0", "np.copy({})"]), source)
            self.emit(_fmt(f"{name} = {{}}", copy))
            self.env[name] = Var("a")
            self.budget -= 1
        else:
            name = self.choice(self.inplace_targets())
        self.stmt_subscript(name)

    def stmt_slice_write(self) -> None:
        """`y[1:] = ...` / `y[:-1] += ...`: a part of an array, from a part of another."""
        targets = self.inplace_targets()
        if not targets:
            return self.stmt_copy_and_write()
        name = self.choice(targets)
        part, other = self.choice([("1:", ":-1"), (":-1", "1:"), (":2", "1:")])
        op = self.choice(["=", "+=", "*="])
        value = _fmt(f"{{}}[{other}]", self.sliceable(self.draw(st.integers(0, 1))))
        if op == "*=" or self.loop_depth:
            value = _fmt("np.tanh({})", value)
        self.emit(_fmt(f"{name}[{part}] {op} {{}}", value))

    def stmt_subscript(self, name: str | None = None) -> None:
        targets = self.inplace_targets()
        if name is None:
            if not targets:
                return self.stmt_copy_and_write()
            name = self.choice(targets)
        k = self.index().plain
        op = self.choice(["=", "+=", "-=", "*="])
        depth = self.draw(st.integers(0, 2))
        value = self.bounded("s", depth) if op == "*=" or self.loop_depth else self.expr("s", depth)
        self.emit(_fmt(f"{name}[{k}] {op} {{}}", value))

    def body(self, count: int, scoped: bool = True) -> None:
        before = dict(self.env) if scoped else None
        for _ in range(count):
            if self.budget <= 0:
                break
            self.statement()
        if scoped:
            # names first bound in the body stay local to it
            for name in list(self.env):
                if name not in before:
                    del self.env[name]

    def block(self, header: Src, count: int) -> None:
        self.emit(header)
        self.indent += 1
        mark = len(self.lines)
        self.body(count)
        if len(self.lines) == mark:
            self.emit("pass")
        self.indent -= 1

    def stmt_if(self) -> None:
        self.in_branch += 1
        self.block(_fmt("if {}:", self.cond(self.draw(st.integers(0, 2)))), self.draw(st.integers(1, 2)))
        if self.coin(1, 3):
            self.block(_fmt("elif {}:", self.cond(1)), 1)
        if self.coin(2, 3):
            self.block(Src.same("else:"), self.draw(st.integers(1, 2)))
        self.in_branch -= 1

    def stmt_early_return(self) -> None:
        self.emit(_fmt("if {}:", self.cond(self.draw(st.integers(0, 2)))))
        self.indent += 1
        self.emit(_fmt("return {}", self.result()))
        self.indent -= 1

    def stmt_for(self) -> None:
        arrays = self.names_of("a")
        shapes = ["range", "elements", "enumerate", "zip"] if arrays else ["range"]
        if self.names_of("m"):
            shapes.append("rows")
        shape = self.choice(shapes)
        self.loop_depth += 1
        if shape == "range":
            i = self.fresh_name("i")
            n = self.draw(st.integers(0, N if self.loop_depth == 1 else 2))
            header = Src.same(f"for {i} in range({n}):")
            loop_vars = {i: Var("i")}
            iterated = []
        elif shape == "elements":
            e, a = self.fresh_name("e"), self.choice(arrays)
            header, loop_vars, iterated = Src.same(f"for {e} in {a}:"), {e: Var("s")}, [a]
        elif shape == "enumerate":
            i, e, a = self.fresh_name("i"), self.fresh_name("e"), self.choice(arrays)
            header = Src.same(f"for {i}, {e} in enumerate({a}):")
            loop_vars, iterated = {i: Var("i"), e: Var("s")}, [a]
        elif shape == "rows":
            r, m = self.fresh_name("r"), self.choice(self.names_of("m"))
            header = Src.same(f"for {r} in {m}:")
            loop_vars, iterated = {r: Var("a", owned=False)}, [m]  # a row is a view of m
        else:
            p, q = self.fresh_name("e"), self.fresh_name("e")
            a, b = self.choice(arrays), self.choice(arrays)
            header = Src.same(f"for {p}, {q} in zip({a}, {b}):")
            loop_vars, iterated = {p: Var("s"), q: Var("s")}, [a, b]
        saved_iterated = set(self.iterated)
        self.iterated |= set(iterated)
        self.loops.append("for")
        self.emit(header)
        self.indent += 1
        before = dict(self.env)
        self.env.update(loop_vars)
        mark = len(self.lines)
        self.body(self.draw(st.integers(1, 3)), scoped=False)
        if len(self.lines) == mark:
            self.emit("pass")
        for name in list(self.env):
            if name not in before:
                del self.env[name]
        self.indent -= 1
        self.iterated = saved_iterated
        self.loops.pop()
        self.loop_depth -= 1

    def stmt_while(self) -> None:
        shape = self.choice(["counter", "bounded", "guarded"])
        self.loop_depth += 1
        if shape == "counter":
            k = self.fresh_name("k")
            self.emit(f"{k} = 0")
            header = Src.same(f"while {k} < {self.draw(st.integers(0, N))}:")
            step = f"{k} += 1"
            loop_vars = {k: Var("i")}
        elif shape == "bounded":
            t = self.fresh_name("t")
            self.emit(f"{t} = 0.0")
            limit = self.choice(["1.2", "0.5", "2.2", "1.7"])
            lhs = _fmt(f"{t} + 0.4 * np.tanh({{}})", self.expr("s", self.draw(st.integers(0, 2))))
            header = Src(f"while {lhs.plain} < {limit}:",
                         f"while _probe({lhs.probe}, {limit}) < {limit}:")
            step = f"{t} = {t} + 1.0"
            loop_vars = {}
        else:
            k = self.fresh_name("k")
            self.emit(f"{k} = 0")
            c = self.cond(self.draw(st.integers(0, 1)))
            header = _fmt(f"while {k} < {self.draw(st.integers(1, N))} and {{}}:", c)
            step = f"{k} = {k} + 1"
            loop_vars = {}
        self.budget -= 1
        self.emit(header)
        self.indent += 1
        before = dict(self.env)
        self.env.update(loop_vars)
        self.loops.append("while")
        self.body(self.draw(st.integers(1, 2)), scoped=False)
        self.loops.pop()
        self.emit(step)
        for name in list(self.env):
            if name not in before:
                del self.env[name]
        self.indent -= 1
        self.loop_depth -= 1

    def stmt_continue(self, keyword: str = "continue") -> None:
        """`if ...: continue` (maybe after a statement) in a `for` body."""
        if not self.loops or self.loops[-1] != "for" and keyword == "continue":
            return self.stmt_assign()
        self.in_branch += 1
        self.emit(_fmt("if {}:", self.cond(self.draw(st.integers(0, 1)))))
        self.indent += 1
        if self.budget > 0 and self.coin():
            before = dict(self.env)
            self.statement(self.choice(["assign", "augassign"]))
            for name in list(self.env):
                if name not in before:
                    del self.env[name]
        self.emit(keyword)
        self.indent -= 1
        self.in_branch -= 1

    def stmt_break(self) -> None:
        """`if ...: break` (maybe after a statement) in a loop body."""
        self.stmt_continue("break")

    def stmt_effect(self) -> None:
        """`print(...)` or `assert ...`: no effect on the value."""
        name = self.choice(sorted(n for n, v in self.env.items() if v.kind in "sa"))
        form = self.choice(["print", "assert_finite", "assert_shape"])
        if form == "print":
            self.emit(f'print("{name} =", {name})')
        elif form == "assert_finite":
            self.emit(f'assert np.all(np.isfinite({name})), "{name} is not finite"')
        else:
            arrays = self.names_of("a")
            if not arrays:
                return self.emit(f"assert np.ndim({name}) == 0")
            self.emit(f"assert {self.choice(arrays)}.shape[0] == {N}")

    def stmt_call(self) -> None:
        singles = [h for h in self.helpers if len(h.returns) == 1]
        if not singles or (any(len(h.returns) == 2 for h in self.helpers) and self.coin()):
            return self.stmt_unpack()
        helper = self.choice([h.name for h in singles])
        kind = next(h for h in singles if h.name == helper).returns[0]
        name, _ = self.assign_target(kind)
        value = self.call(kind, self.draw(st.integers(0, 2)))
        if self.loop_depth and name in self.env:
            value = _fmt("np.tanh({})", value)
        self.emit(_fmt(f"{name} = {{}}", value))
        self.bind(name, kind, value)

    def statement(self, kind: str | None = None) -> None:
        self.budget -= 1
        if kind is None:
            options = []
            if self.f.assign:
                options += ["assign", "assign"]
            if self.f.augassign:
                options.append("augassign")
            if self.f.unpack:
                options.append("unpack")
            if self.f.subscripts:
                options += ["copy_and_write", "subscript"]
            if self.f.aliasing:
                options.append("alias")
            if self.f.continues and self.loops and self.loops[-1] == "for":
                options.append("continue")
            if self.f.breaks and self.loops:
                options.append("break")
            if self.f.effects:
                options.append("effect")
            if self.f.more_ops and self.f.subscripts:
                options.append("slice_write")
            if self.f.calls:
                options.append("call")
            if self.f.branches and self.budget >= 1:
                options.append("if")
            if self.f.early_return and self.loop_depth == 0 and self.in_branch == 0:
                options.append("early_return")
            deep = self.f.nest and self.loop_depth + self.in_branch < 3
            if self.f.loops and self.budget >= 1 and (self.loop_depth < 2 or deep):
                options += ["for", "for"] if deep else ["for"]
            if self.f.whiles and self.budget >= 2 and (self.loop_depth == 0 or deep):
                options.append("while")
            if deep and self.f.branches and self.budget >= 1:
                options.append("if")
            kind = self.choice(options)
        getattr(self, "stmt_" + kind)()

    def result(self) -> Src:
        depth = self.draw(st.integers(0, 2))
        if self.f.vector_output:
            return self.expr("a", depth)
        shape = self.choice(["sum", "scalar", "both"])
        if shape == "sum":
            return _fmt("np.sum({})", self.expr("a", depth))
        if shape == "scalar":
            return self.expr("s", depth)
        return _fmt("np.sum({}) + {}", self.expr("a", depth), self.expr("s", depth))


def _helper(draw, features: Features, names, helpers: list[Helper], index: int):
    """Draw a helper function: its `Helper`, plain lines and probed lines."""
    name = f"h{index}"
    kinds = draw(st.lists(st.sampled_from("as"), min_size=1, max_size=2))
    keyword = draw(st.booleans())
    returns = [draw(st.sampled_from("as"))]
    if draw(st.integers(0, 3)) == 0:
        returns.append(draw(st.sampled_from("sa")))
    sub = Features(assign=True, augassign=True, unpack=False, branches=features.branches,
                   ifexp=features.ifexp, calls=bool(helpers), subscripts=features.subscripts,
                   aliasing=features.aliasing)
    b = Builder(draw, sub, names, helpers, budget=draw(st.integers(0, 2)))
    params = [f"u{j}" for j in range(len(kinds))]
    for p, k in zip(params, kinds):
        b.env[p] = Var(k, owned=False)  # the caller's arrays: never written in place
    if keyword:
        b.env["s"] = Var("s")
    signature = ", ".join(params + (["s=0.5"] if keyword else []))
    b.lines.append(f"def {name}({signature}):")
    b.probe_lines.append(f"def {name}({signature}):")
    while b.budget > 0:
        b.statement()
    if features.early_return and draw(st.integers(0, 2)) == 0:
        b.emit(_fmt("if {}:", b.cond(1)))
        b.indent += 1
        b.emit(_helper_return(b, returns))
        b.indent -= 1
    b.emit(_helper_return(b, returns))
    return Helper(name, kinds, keyword, returns), b.lines, b.probe_lines


def _helper_return(b: Builder, returns: list[str]) -> Src:
    values = []
    for kind in returns:
        value = b.expr(kind, b.draw(st.integers(1, 2)))
        if kind == "a" and not value.fresh:
            value = _fmt("({} * 1.0)", value)
        values.append(value)
    return Src("return " + ", ".join(v.plain for v in values),
               "return " + ", ".join(v.probe for v in values))


def _values(draw, kind: str):
    element = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False, width=64)
    if kind == "s":
        return draw(element)
    if kind == "m":
        values = draw(st.lists(element, min_size=N * N, max_size=N * N))
        return 0.5 * np.array(values, dtype=np.float64).reshape(N, N)
    return np.array(draw(st.lists(element, min_size=N, max_size=N)), dtype=np.float64)


@st.composite
def programs(draw, features: Features = Features(), max_statements: int = 8):  # noqa: B008
    """A random `Program` using the constructs that `features` allows."""
    names = itertools.count()
    helpers: list[Helper] = []
    header_plain: list[str] = ["import numpy as np", ""]
    header_probe: list[str] = ["import numpy as np", ""]
    if features.calls:
        for index in range(draw(st.integers(1, 2))):
            helper, plain, probe = _helper(draw, features, names, helpers, index)
            helpers.append(helper)
            header_plain += [*plain, "", ""]
            header_probe += [*probe, "", ""]
    scalars = ["a", "b"][: draw(st.integers(0, 2))]
    arrays = ["x", "w"][: draw(st.integers(1, 2))]
    extra = ["d"] if features.non_wrt_param and draw(st.integers(0, 3)) == 0 else []
    matrices = ["m"] if features.more_ops and draw(st.booleans()) else []
    params = arrays + scalars + matrices + extra
    kinds = {p: ("s" if p in scalars else "m" if p in matrices else "a") for p in params}
    args = [_values(draw, kinds[p]) for p in params]
    wrt_choices = [p for p in params if p not in extra]
    wrt = tuple(draw(st.lists(st.sampled_from(wrt_choices), min_size=1, unique=True)
                     .map(lambda ws: sorted(ws, key=wrt_choices.index))))

    b = Builder(draw, features, names, helpers, budget=max_statements)
    for p in params:
        b.env[p] = Var(kinds[p])
    for kind in features.force:
        b.statement(kind)
    count = draw(st.integers(1, max_statements))
    while b.budget > 0 and count > 0:
        b.statement()
        count -= 1
    b.emit(_fmt("return {}", b.result()))

    signature = ", ".join(params)
    body_plain = "\n".join(b.lines)
    digest = hashlib.sha1("\n".join(header_plain + [body_plain]).encode()).hexdigest()[:12]
    name = f"f_{digest}"  # distinct programs get distinct code objects
    source = "\n".join([*header_plain, f"def {name}({signature}):", body_plain, ""])
    probe_source = "\n".join([*header_probe, f"def {name}({signature}):", *b.probe_lines, ""])
    return Program(source, probe_source, name, params, args, wrt)


# ---------------------------------------------------------------------------
# the oracle


def finite(value: Any) -> bool:
    return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))


def richardson_vjp(f, args, wrt_indices, cotangent: Any = 1.0, eps: float = 1e-4) -> list[Any]:
    """A fourth-order central difference: a second opinion where the plain one is noisy."""
    from gradcheck import numerical_vjp

    near = numerical_vjp(f, args, wrt_indices, cotangent, eps=eps)
    far = numerical_vjp(f, args, wrt_indices, cotangent, eps=2 * eps)
    return [(4.0 * np.asarray(n) - np.asarray(g)) / 3.0 for n, g in zip(near, far)]


MARGIN = 1e-3


def smooth_margins(margins: list[float]) -> bool:
    """No comparison ran within MARGIN of its threshold (finite differences stay on one side)."""
    return all(abs(m) > MARGIN for m in margins)


__all__ = [
    "Features", "Program", "finite", "load_function", "programs", "richardson_vjp", "run_probe",
    "smooth_margins",
]
