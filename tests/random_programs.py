"""Small random NumPy programs for property tests of s2sad, and the means to run them.

`programs(...)` is a hypothesis strategy of `Program`s: the source of a module
that defines a forward function (and maybe helpers it calls), the arguments to
call it with, and the names to differentiate with respect to. Every program is
rendered twice from the same choices: `source`, the plain module that s2sad
reads, and `probe_source`, the same code with every comparison on data wrapped
in `_probe(value, threshold)` (and every other kink: `abs`, `min`, `max`,
`round`, in `_probe`, `_pair` or `_round`), which records how far each one was
from its kink. A test runs the probe to reject points where finite differences
would cross a branch or a kink, then compares `s2sad.grad` with finite
differences.

`Features` says which constructs a strategy may use; every program ends in a
scalar return (or an array one, for `vector_output`). Arguments are float64
arrays of length N, Python floats, maybe an N x N matrix, maybe dict, list and
tuple arguments (`containers`; some of them never read, with leaves of other
shapes and dtypes, so that their zero gradients' structure is checked), all
float32 for `float32` (scalars then np.float32 or Python floats).

`load_function(source, name, directory)` writes a source to a `.py` file and
imports it under a module name made from the source's hash: s2sad reads
functions' source, so generated programs must live in real files. The forward
function is named after the same hash too, so that two different programs
never share a code object.

`numerical_gradient` is the oracle: central differences over every leaf of
every differentiated argument (arrays, floats, and the leaves of dicts, lists
and tuples), evaluated in float64; `structure_errors` says where a gradient
differs from its argument in structure (dict keys, list or tuple length,
ndarray or float), shape or dtype.

The generated programs keep what s2sad differentiates within reach of
finite differences: divisions are by `1.0 + e * e`, `np.exp` is only applied
to a `np.tanh`, loop-carried values are updated through bounded functions,
each loop runs at most three times (nested accumulators: three by three;
recurrences `h[t + 1] = f(h[t])`: three steps), and an array is only written in
place when no other name refers to it (programs where two names share an array
and one is written in place come from `Features(aliasing=True)`, a separate,
deliberate test).
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
    """Run the probed program: its value and the margin of every data comparison and kink."""
    margins: list[float] = []

    def _probe(value, threshold):
        """`value`, compared with `threshold` (or the kink of `abs` at 0.0)."""
        difference = np.asarray(value, dtype=np.float64) - float(threshold)
        margins.extend(difference.ravel().tolist())
        return value

    def _pair(first, second):
        """The arguments of `min(first, second)` or `max(...)`: a kink where they are equal."""
        margins.append(float(first) - float(second))
        return first, second

    def _round(value, digits):
        """The argument of `round(value, digits)`: a step halfway between two results."""
        scaled = float(value) * 10.0**digits
        margins.append((abs(scaled - np.floor(scaled) - 0.5)) / 10.0**digits)
        return value

    namespace: dict[str, Any] = {"_probe": _probe, "_pair": _pair, "_round": _round,
                                 "__name__": "s2sad_random_probe"}
    exec(compile(probe_source, "<probe>", "exec"), namespace)  # noqa: S102
    value = namespace[name](*[tree_copy(a) for a in args])
    return value, margins


# ---------------------------------------------------------------------------
# argument trees: arrays and floats, alone or in dicts, lists and tuples


def tree_leaves(value: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """The (path, leaf) pairs of a dict / list / tuple tree, in order."""
    if isinstance(value, dict):
        return [pair for key in value for pair in tree_leaves(value[key], (*path, key))]
    if isinstance(value, (list, tuple)):
        return [pair for i, item in enumerate(value) for pair in tree_leaves(item, (*path, i))]
    return [(path, value)]


def tree_map(fn, value: Any) -> Any:
    """`value` with `fn` applied to every leaf; dicts, lists and tuples keep their types."""
    if isinstance(value, dict):
        return {key: tree_map(fn, item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(tree_map(fn, item) for item in value)
    return fn(value)


def tree_replace(value: Any, path: tuple, leaf: Any) -> Any:
    """A copy of the tree `value` with the leaf at `path` replaced."""
    if not path:
        return leaf
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: tree_replace(value[head], rest, leaf)}
    items = list(value)
    items[head] = tree_replace(items[head], rest, leaf)
    return type(value)(items)


def tree_copy(value: Any) -> Any:
    """A copy of the tree whose arrays are new arrays (cheaper than copy.deepcopy)."""
    return tree_map(lambda leaf: leaf.copy() if isinstance(leaf, np.ndarray) else leaf, value)


def as_float64(value: Any) -> Any:
    """A copy of the tree with float32 leaves made float64 (the oracle's precision)."""
    def one(leaf):
        if isinstance(leaf, np.ndarray):
            return leaf.astype(np.float64) if leaf.dtype.kind == "f" else leaf.copy()
        if isinstance(leaf, np.floating):
            return np.float64(leaf)
        return leaf
    return tree_map(one, value)


def zeros_like_tree(value: Any) -> Any:
    """The gradient of an argument the function never reads: zeros of every leaf."""
    return tree_map(lambda leaf: np.zeros_like(leaf) if isinstance(leaf, np.ndarray)
                    else type(leaf)(0.0), value)


def _contract(output: Any, cotangent: Any) -> float:
    out = np.asarray(output, dtype=np.float64)
    cot = np.asarray(cotangent, dtype=np.float64)
    if out.shape != cot.shape:
        raise ValueError(f"cotangent of shape {cot.shape} for an output of shape {out.shape}")
    return float(np.sum(out * cot))


def numerical_gradient(f, args, wrt_indices, cotangent: Any = 1.0, eps: float = 1e-6,
                       known: dict[int, Any] | None = None) -> list[Any]:
    """Central differences of `sum(f(*args) * cotangent)` with respect to every leaf of
    `args[i]`, i in `wrt_indices`, in float64 (float32 arguments are made float64 first).

    Returns one tree per index, of the argument's structure: float64 arrays and floats.
    `known` gives the gradients of some indices outright (arguments the function never reads).
    Every evaluation gets its own copy of the arguments.
    """
    base = [as_float64(a) for a in args]

    def objective(position: int, value: Any) -> float:
        call_args = [tree_copy(a) for a in base]
        call_args[position] = tree_copy(value)
        return _contract(f(*call_args), cotangent)

    gradients: list[Any] = []
    for i in wrt_indices:
        if known and i in known:
            gradients.append(known[i])
            continue
        gradient = base[i]
        for path, leaf in tree_leaves(base[i]):
            if not isinstance(leaf, np.ndarray):
                plus = objective(i, tree_replace(base[i], path, float(leaf) + eps))
                minus = objective(i, tree_replace(base[i], path, float(leaf) - eps))
                gradient = tree_replace(gradient, path, (plus - minus) / (2.0 * eps))
                continue
            result = np.zeros(leaf.shape)
            for index in np.ndindex(leaf.shape):
                shifted = leaf.copy()
                shifted[index] = leaf[index] + eps
                plus = objective(i, tree_replace(base[i], path, shifted))
                shifted[index] = leaf[index] - eps
                minus = objective(i, tree_replace(base[i], path, shifted))
                result[index] = (plus - minus) / (2.0 * eps)
            gradient = tree_replace(gradient, path, result)
        gradients.append(gradient)
    return gradients


def structure_errors(got: Any, arg: Any, path: str, strict_floats: bool = True) -> list[str]:
    """Where the gradient `got` differs from its argument `arg` in structure, shape or dtype.

    A dict's gradient is a dict with the same keys, a list's or tuple's one of the same type
    and length; an ndarray's an ndarray of its shape and dtype; a NumPy scalar's a NumPy
    scalar of its dtype; a Python float's a float (np.float64 is one). `strict_floats=False`
    lets a Python float's gradient be any 0-d floating value (a 0-d array, np.float32).
    """
    def kind(value):
        return type(value).__name__
    if isinstance(arg, dict):
        if type(got) is not dict:
            return [f"{path}: a {kind(got)}, expected a dict"]
        if set(got) != set(arg):
            return [f"{path}: keys {sorted(map(str, got))}, expected {sorted(map(str, arg))}"]
        return [e for key in arg
                for e in structure_errors(got[key], arg[key], f"{path}[{key!r}]", strict_floats)]
    if isinstance(arg, (list, tuple)):
        if type(got) is not type(arg) or len(got) != len(arg):
            length = f" of length {len(got)}" if isinstance(got, (list, tuple)) else ""
            return [f"{path}: a {kind(got)}{length}, expected a {kind(arg)} of length {len(arg)}"]
        return [e for i, (g, a) in enumerate(zip(got, arg))
                for e in structure_errors(g, a, f"{path}[{i}]", strict_floats)]
    if isinstance(arg, np.ndarray):
        if not isinstance(got, np.ndarray):
            return [f"{path}: a {kind(got)}, expected an ndarray of shape {arg.shape}"]
        if got.shape != arg.shape or got.dtype != arg.dtype:
            return [(f"{path}: {got.dtype} of shape {got.shape}, "
                     f"expected {arg.dtype} of shape {arg.shape}")]
        return []
    if isinstance(arg, np.generic):
        if not isinstance(got, np.generic) or got.dtype != arg.dtype:
            return [f"{path}: a {kind(got)}, expected a {kind(arg)}"]
        return []
    if isinstance(got, float):
        return []
    if not strict_floats and np.ndim(got) == 0 and np.asarray(got).dtype.kind == "f":
        return []
    dtype = f" of dtype {got.dtype}" if hasattr(got, "dtype") else ""
    return [f"{path}: a {kind(got)}{dtype}, expected a float (the argument is a {kind(arg)})"]


def shared_memory(gradients: list[Any], args: list[Any]) -> list[str]:
    """Gradient arrays that share memory with an argument's array or with another gradient."""
    grads = [(f"gradient {i}{list(p)}", leaf) for i, g in enumerate(gradients)
             for p, leaf in tree_leaves(g) if isinstance(leaf, np.ndarray)]
    arrays = [(f"argument {i}{list(p)}", leaf) for i, a in enumerate(args)
              for p, leaf in tree_leaves(a) if isinstance(leaf, np.ndarray)]
    found = []
    for k, (name, g) in enumerate(grads):
        for other, a in arrays + grads[k + 1:]:
            if g.size and np.shares_memory(g, a):
                found.append(f"{name} shares memory with {other}")
    return found


def same_tree(a: Any, b: Any) -> bool:
    """The two trees are equal: structure, leaf types, dtypes and values."""
    pa, pb = tree_leaves(a), tree_leaves(b)
    if [p for p, _ in pa] != [p for p, _ in pb]:
        return False
    for (_, x), (_, y) in zip(pa, pb):
        if type(x) is not type(y) or np.shape(x) != np.shape(y):
            return False
        if isinstance(x, np.ndarray) and x.dtype != y.dtype:
            return False
        if not np.array_equal(x, y, equal_nan=True):
            return False
    return True


def show_value(value: Any) -> str:
    """Python source for an argument tree (arrays in full precision, with their dtypes)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + "".join(show_value(v) + ", " for v in value) + ")"
    if isinstance(value, np.ndarray):
        body = repr(value.tolist())
        return f"np.array({body}, dtype=np.{value.dtype})"
    if isinstance(value, np.generic):
        return f"np.{value.dtype}({float(value)!r})"
    return repr(value)


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
    unread: tuple[str, ...] = ()  # parameters the function never reads

    def wrt_indices(self) -> list[int]:
        return [self.params.index(w) for w in self.wrt]

    def fresh_args(self) -> list[Any]:
        return [tree_copy(a) for a in self.args]

    def script(self) -> str:
        """A standalone script: the module, its arguments, s2sad's gradient printed."""
        args = ", ".join(show_value(a) for a in self.args)
        return (f"{self.source}\n\nimport s2sad\n\nargs = [{args}]\n"
                f"print(s2sad.grad({self.name}, wrt={self.wrt!r})(*args))\n")

    def __repr__(self) -> str:
        args = ", ".join(f"{p}={show_value(a)}" for p, a in zip(self.params, self.args))
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
    kind: str  # "s" scalar, "a" array of length N, "m" N x N matrix, "i" int index in [0, N),
    #            "n" a helper's trip count (an int in [0, 3])
    owned: bool = True  # no other name refers to this array


@dataclass
class Helper:
    name: str
    kinds: list[str]  # parameter kinds ("n": a trip count, passed as an int literal)
    keyword: str | None  # the name of a scalar keyword parameter (`s=0.5`), if any
    returns: list[str]  # one kind, or two for a tuple; ["b"]: a bool (a comparison)


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
    containers: bool = False  # dict, list and tuple arguments (some never read)
    helper_loops: bool = False  # helpers with `for` loops, some over a trip-count parameter
    accumulators: bool = False  # nested loops: `acc = 0.0` in the outer, `acc += ...` in the inner
    builtins: bool = False  # abs, min, max, sum, len, round; helpers returning comparisons
    recurrences: bool = False  # `h[t + 1] = f(h[t])`, `y[i] = ...` in loops, then slices of them
    closures: bool = False  # nested defs reading the enclosing function's containers
    float32: bool = False  # float32 arguments
    force: tuple[str, ...] = ()  # statement kinds the program must start with


CONSTANTS = ["0.5", "1.0", "2.0", "-0.3", "0.7", "1.5", "-0.36", "0.79"]
THRESHOLDS = ["0.0", "0.5", "-0.5", "1.0", "-1.0"]
INDICES = ["0", "1", "2", "-1"]
CONTAINERS = {"p": "dict", "ws": "list", "tp": "tuple"}  # parameter names and their kinds


class Builder:
    """Draws one program; `self.lines` and `self.probe_lines` collect its two renderings."""

    def __init__(self, draw, features: Features, names: itertools.count, helpers: list[Helper],
                 budget: int, containers: dict[str, str] | None = None):
        self.draw = draw
        self.f = features
        self.names = names
        self.helpers = list(helpers)  # the closures the body defines join them
        self.containers = dict(containers or {})  # the container parameters it may read
        self.budget = budget
        self.env: dict[str, Var] = {}
        self.lines: list[str] = []
        self.probe_lines: list[str] = []
        self.indent = 1
        self.loop_depth = 0
        self.in_branch = 0
        self.iterated: set[str] = set()  # arrays a running `for` iterates over
        self.loops: list[str] = []  # "for" / "while", innermost last
        self.retired: list[str] = []  # names a finished block bound, free to assign again
        self.jumps = 0  # the `continue` and `break` statements written so far

    # -- small draws -------------------------------------------------------

    def choice(self, options):
        return self.draw(st.sampled_from(list(options)))

    def coin(self, p_true_num: int = 1, of: int = 2) -> bool:
        return self.draw(st.integers(0, of - 1)) < p_true_num

    def fresh_name(self, prefix: str) -> str:
        """A new variable name; for a plain variable, sometimes one a finished `if` or loop
        body bound (`if c: z = ...` then `z = ...`: one name, two values on one path)."""
        if prefix == "v" and self.retired and self.coin(1, 3):
            return self.retired.pop(self.draw(st.integers(0, len(self.retired) - 1)))
        return f"{prefix}{next(self.names)}"

    def emit(self, line: Src | str) -> None:
        if isinstance(line, str):
            line = Src.same(line)
        pad = "    " * self.indent
        self.lines.append(pad + line.plain)
        self.probe_lines.append(pad + line.probe)

    def names_of(self, kind: str) -> list[str]:
        return sorted(n for n, v in self.env.items() if v.kind == kind)

    @property
    def top(self) -> bool:
        """Outside every loop and branch."""
        return self.loop_depth == 0 and self.in_branch == 0

    def sequences(self) -> list[str]:
        """The list and tuple parameters it may read (two arrays of length N each)."""
        return [n for n, k in sorted(self.containers.items()) if k != "dict"]

    def container_reads(self, kind: str) -> list[str]:
        reads = []
        for name, container in sorted(self.containers.items()):
            if container == "dict":
                reads += [f'{name}["w"]', f'{name}["b"]'] if kind == "a" else [f'{name}["c"]']
            elif kind == "a":
                reads += [f"{name}[0]", f"{name}[1]", f"{name}[-1]"]
        return reads

    def container_read(self, kind: str) -> Src:
        """`p["w"]`, `ws[1]`, `p["c"]`: a leaf of a container argument (the caller's array)."""
        text = self.choice(self.container_reads(kind))
        return Src.same(text, aliases=(text,) if kind == "a" else ())

    # -- expressions -------------------------------------------------------

    def const(self) -> Src:
        return Src.same(self.choice(CONSTANTS))

    def index(self) -> Src:
        options = list(INDICES) + self.names_of("i")
        return Src.same(self.choice(options))

    def leaf(self, kind: str) -> Src:
        if kind == "a":
            if self.container_reads("a") and self.coin(1, 3):
                return self.container_read("a")
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
        if self.container_reads("s"):
            options.append("container")
        pick = self.choice(options)
        if pick == "container":
            return self.container_read("s")
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
        if self.f.builtins:
            options += ["abs", "sumlist"] + (["minmax", "len", "round"] if kind == "s" else [])
            if any(h.returns == ["b"] for h in self.helpers):
                options.append("boolcall")
        pick = self.choice(options)
        sub = depth - 1
        if pick in ("abs", "minmax", "len", "round", "sumlist", "boolcall"):
            return self.builtin(pick, kind, sub)
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

    def builtin(self, pick: str, kind: str, depth: int) -> Src:
        """Python's builtins: `abs(e)`, `min(e, f)`, `len(x) * e`, `round(e, 1)`, `sum([...])`,
        `sum(ws)`, and `e + h(...)` for a helper that returns a comparison."""
        if pick == "abs":
            e = self.expr(kind, depth)
            return Src(f"abs({e.plain})", f"abs(_probe({e.probe}, 0.0))")
        if pick == "minmax":
            fun, first, second = self.choice(["min", "max"]), self.expr("s", depth), self.expr("s", depth)
            return Src(f"{fun}({first.plain}, {second.plain})",
                       f"{fun}(*_pair({first.probe}, {second.probe}))")
        if pick == "len":
            sized = self.names_of("a") + self.sequences()
            if not sized:
                return self.leaf(kind)
            return _fmt(f"(len({self.choice(sized)}) * {{}})", self.expr("s", depth))
        if pick == "round":
            digits = self.choice(["1", "2"])
            e = self.const() if self.coin() else self.expr("s", depth)
            return Src(f"round({e.plain}, {digits})",
                       f"round(_round({e.probe}, {digits}), {digits})")
        if pick == "boolcall":
            return _fmt("({} + {})", self.expr(kind, depth), self.call("b", depth))
        # sum
        if kind == "a" and self.sequences() and self.coin():
            return Src.same(f"sum({self.choice(self.sequences())})")
        if kind == "s" and self.coin(1, 3):
            return _fmt("sum({})", self.expr("a", depth))  # over the array's elements
        parts = [self.expr(kind, depth) for _ in range(self.draw(st.integers(1, 3)))]
        return Src("sum([" + ", ".join(p.plain for p in parts) + "])",
                   "sum([" + ", ".join(p.probe for p in parts) + "])")

    def builtin_cond(self) -> Src:
        """A comparison of a builtin's value (a helper returns it): `abs(scale) < 0.51`."""
        pick = self.draw(st.integers(0, 2))
        if pick == 0:
            e = self.expr("s", self.draw(st.integers(0, 1)))
            lhs = Src(f"abs({e.plain})", f"abs(_probe({e.probe}, 0.0))")
        elif pick == 1:
            lhs = self.builtin("minmax", "s", self.draw(st.integers(0, 1)))
        else:
            lhs = self.builtin("len", "s", self.draw(st.integers(0, 1)))
        op, c = self.choice(["<", ">", "<=", ">="]), self.choice([*THRESHOLDS, "0.51"])
        return Src(f"{lhs.plain} {op} {c}", f"_probe({lhs.probe}, {c}) {op} {c}")

    def sliceable(self, depth: int) -> Src:
        """An array expression that can be sliced: a name, or a parenthesized expression."""
        e = self.expr("a", depth)
        return e if e.plain.isidentifier() else _fmt("({})", e)

    def stack(self, depth: int) -> Src:
        """An array built from scalars: `np.ones(N) * s`, or (more rarely) `np.array([...])`,
        some of its elements literal numbers (`np.array([x[0], -0.36, x[1]])`)."""
        if self.draw(st.integers(0, 4)) > 0:
            return _fmt(f"(np.ones({N}) * {{}})", self.expr("s", depth))
        parts = [self.const() if self.coin(1, 3) else self.expr("s", depth) for _ in range(N)]
        return Src("np.array([" + ", ".join(p.plain for p in parts) + "])",
                   "np.array([" + ", ".join(p.probe for p in parts) + "])")

    def bounded(self, kind: str, depth: int) -> Src:
        """An expression whose magnitude is at most e."""
        fun = self.choice(["np.tanh({})", "np.sin({})", "np.exp(np.tanh({}))"])
        return _fmt(fun, self.expr(kind, depth))

    def cond(self, depth: int) -> Src:
        shapes = ["sum", "scalar", "and", "not"]
        valued = sorted({h.returns[0] for h in self.helpers if h.returns in (["s"], ["a"])})
        if self.f.calls and valued:
            shapes.append("call")  # `if h(x) > 0.0:`
        shape = self.choice(shapes)
        if shape == "call":
            kind = self.choice(valued)
            value = self.call(kind, max(depth, 1) - 1)
            lhs = value if kind == "s" else _fmt("np.sum({})", value)
            op, c = self.choice([">", "<", ">=", "<="]), self.choice(THRESHOLDS)
            return Src(f"{lhs.plain} {op} {c}", f"_probe({lhs.probe}, {c}) {op} {c}")
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
        args = [Src.same(str(self.draw(st.integers(0, 3)))) if k == "n" else self.expr(k, depth)
                for k in helper.kinds]
        if helper.keyword and self.coin():
            args.append(_fmt(f"{helper.keyword}={{}}", self.expr("s", depth)))
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
                if other in self.env:  # not a container's leaf (`p["w"]`)
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
        if self.sequences() and self.coin(1, 3):
            first, second = self.fresh_name("c"), self.fresh_name("c")
            self.emit(f"{first}, {second} = {self.choice(self.sequences())}")
            self.env[first], self.env[second] = Var("a", owned=False), Var("a", owned=False)
            return
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
                    if name.startswith("v"):
                        self.retired.append(name)

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
        if self.sequences():
            shapes.append("container")
        if self.f.builtins and arrays:
            shapes.append("range_len")
        if self.names_of("n"):
            shapes += ["range_n", "range_n"]  # a helper's trip-count parameter
        shape = self.choice(shapes)
        self.loop_depth += 1
        runs = shape not in ("range", "range_n")  # every other loop runs at least once
        if shape in ("range", "range_len", "range_n"):
            i = self.fresh_name("i")
            if shape == "range_len":
                n = f"len({self.choice(arrays)})"
            elif shape == "range_n":
                n = self.choice(self.names_of("n"))
            else:
                n = self.draw(st.integers(0, N if self.loop_depth == 1 else 2))
                runs = n >= 1
            header = Src.same(f"for {i} in range({n}):")
            loop_vars = {i: Var("i")}
            iterated = []
        elif shape == "container":
            c = self.fresh_name("c")
            header = Src.same(f"for {c} in {self.choice(self.sequences())}:")
            loop_vars, iterated = {c: Var("a", owned=False)}, []  # the caller's arrays
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
        mark, jumps = len(self.lines), self.jumps
        self.body(self.draw(st.integers(1, 3)), scoped=False)
        if len(self.lines) == mark:
            self.emit("pass")
        # What the body binds holds the last iteration's value after a loop that runs every
        # iteration to its end: the code after it may read that (its adjoint reaches the
        # last iteration only).
        keep = runs and self.jumps == jumps
        for name in list(self.env):
            if name not in before and (name in loop_vars or not keep):
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
                    if name.startswith("v"):
                        self.retired.append(name)
        self.emit(keyword)
        self.jumps += 1
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
        singles = [h for h in self.helpers if len(h.returns) == 1 and h.returns != ["b"]]
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

    def stmt_accumulate(self) -> None:
        """Nested loops: an accumulator reset in the outer loop, summed by the inner one and
        folded into a total after it (`for i in range(3): acc = 0.0; for j in range(4):
        acc = acc + m[i, j]; s = s + acc * acc`, or `for row in m: ... for e in row:`)."""
        arrays, matrices = self.names_of("a"), self.names_of("m")
        forms = (["vector", "elements"] if arrays else []) + (["index", "rows"] * 2 if matrices else [])
        if not self.top or not forms:
            return self.stmt_assign()
        self.budget -= 1
        form = self.choice(forms)
        array_total = bool(arrays) and self.coin(1, 4)
        if not array_total and self.names_of("s") and self.coin():
            total = self.choice(self.names_of("s"))
        else:
            total = self.fresh_name("t")
            self.emit(f"{total} = np.zeros({N})" if array_total else f"{total} = 0.0")
            self.env[total] = Var("a" if array_total else "s")
        acc, i, j = self.fresh_name("acc"), self.fresh_name("i"), self.fresh_name("j")
        if form == "index":
            m = self.choice(matrices)
            rows, cols = self.draw(st.integers(1, N)), self.draw(st.integers(1, N))
            outer, inner, element = f"for {i} in range({rows}):", f"for {j} in range({cols}):", \
                f"{m}[{i}, {j}]"
            outer_vars, inner_vars, iterated = {i: Var("i")}, {j: Var("i")}, []
        elif form == "rows":
            m, r, e = self.choice(matrices), self.fresh_name("r"), self.fresh_name("e")
            outer, inner, element = f"for {r} in {m}:", f"for {e} in {r}:", e
            outer_vars, inner_vars, iterated = {r: Var("a", owned=False)}, {e: Var("s")}, [m]
        elif form == "vector":
            x, w = self.choice(arrays), self.choice(arrays)
            outer = f"for {i} in range({self.draw(st.integers(1, N))}):"
            inner, element = f"for {j} in range({N}):", f"{x}[{j}] * {w}[{i}]"
            outer_vars, inner_vars, iterated = {i: Var("i")}, {j: Var("i")}, []
        else:
            x, w, e, q = self.choice(arrays), self.choice(arrays), self.fresh_name("e"), \
                self.fresh_name("e")
            outer, inner, element = f"for {e} in {x}:", f"for {q} in {w}:", f"{e} * {q}"
            outer_vars, inner_vars, iterated = {e: Var("s")}, {q: Var("s")}, [x, w]
        saved_iterated, before = set(self.iterated), dict(self.env)
        self.iterated |= set(iterated)
        self.loops.append("for")
        self.loop_depth += 1
        self.emit(outer)
        self.indent += 1
        self.env.update(outer_vars)
        self.emit(f"{acc} = {'0.0' if self.coin() else self.leaf('s').plain}")
        if self.budget > 0 and self.coin(1, 3):
            self.statement(self.choice(["assign", "augassign"]))
        self.loop_depth += 1
        self.emit(inner)
        self.indent += 1
        self.env.update(inner_vars)
        term = element if self.coin() else f"np.tanh({element} * {self.leaf('s').plain})"
        self.emit(self.choice([f"{acc} = {acc} + {term}", f"{acc} += {term}"]))
        self.indent -= 1
        self.loop_depth -= 1
        for name in inner_vars:
            self.env.pop(name, None)
        if array_total:
            self.emit(f"{total} = {total} + np.tanh({acc}) * {self.choice(self.names_of('a'))}")
        else:
            self.emit(self.choice([f"{total} = {total} + {acc} * {acc}",
                                   f"{total} += np.tanh({acc})", f"{total} = {total} + {acc}"]))
        self.indent -= 1
        self.loop_depth -= 1
        self.loops.pop()
        self.iterated = saved_iterated
        for name in list(self.env):
            if name not in before:
                del self.env[name]

    def stmt_recurrence(self) -> None:
        """An array written row by row (or element by element) from its earlier rows in a loop,
        then read by slices: `hs[t + 1] = np.tanh(hs[t] @ m + x)`, `np.sum(hs[1:])`;
        `y[i] = x[i] * (i + 1.0)`, then `y[0] = y[0] * y[1]`, `y[0:2] = y[:2]`, `z = y`."""
        if not self.top or not self.names_of("a"):
            return self.stmt_assign()
        self.budget -= 1
        if self.names_of("m") and self.coin(2, 3):
            return self.recurrence_rows()
        return self.recurrence_scan()

    def recurrence_rows(self) -> None:
        m, steps = self.choice(self.names_of("m")), self.draw(st.integers(1, N))
        hs, t, v = self.fresh_name("hs"), self.fresh_name("t"), self.fresh_name("v")
        self.emit(f"{hs} = np.zeros(({steps + 1}, {N}))")
        if self.coin():
            self.emit(_fmt(f"{hs}[0] = {{}}", self.bounded("a", self.draw(st.integers(0, 1)))))
        self.emit(f"for {t} in range({steps}):")
        self.indent += 1
        self.loop_depth += 1
        self.env[t] = Var("i")
        form, depth = self.draw(st.integers(0, 3)), self.draw(st.integers(0, 1))
        if form == 0:
            step = _fmt(f"np.tanh({hs}[{t}] @ {m} + {{}})", self.expr("a", depth))
        elif form == 1:
            step = Src.same(f"np.dot({m}[{t}], {m}) + {hs}[{t}]")
        elif form == 2:
            step = _fmt(f"{hs}[{t}] * {{}} + {m}[{t}]", self.bounded("s", depth))
        else:
            step = _fmt(f"np.tanh({hs}[{t}] + {m}[{t}] * {{}})", self.expr("a", depth))
        self.emit(_fmt(f"{hs}[{t} + 1] = {{}}", step))
        del self.env[t]
        self.loop_depth -= 1
        self.indent -= 1
        read = self.draw(st.integers(0, 3))
        if read == 0:
            self.emit(f"{v} = np.sum({hs}[1:])")
            self.env[v] = Var("s")
        elif read == 1:
            z = self.fresh_name("z")
            self.emit(f"{z} = {hs}")
            self.emit(f"{v} = np.sum({z}[1:] * {z}[1:])")
            self.env[v] = Var("s")
        elif read == 2:
            self.emit(f"{v} = {hs}[{self.choice([str(steps), '-1'])}]")
            self.env[v] = Var("a", owned=False)  # a view of hs
        else:
            self.emit(f"{v} = np.sum({hs}[1:], axis=0)")
            self.env[v] = Var("a")

    def recurrence_scan(self) -> None:
        y, i, x = self.fresh_name("y"), self.fresh_name("i"), self.choice(self.names_of("a"))
        self.emit(self.choice([f"{y} = np.zeros({N})", f"{y} = {x} * 1.0", f"{y} = np.copy({x})"]))
        form = self.draw(st.integers(0, 3))
        self.emit(f"for {i} in range({'1, ' if form in (1, 3) else ''}{N}):")
        self.indent += 1
        self.loop_depth += 1
        self.env[i] = Var("i")
        if form == 0:
            self.emit(f"{y}[{i}] = {x}[{i}] * ({i} + 1.0)")
        elif form == 1:
            self.emit(f"{y}[{i}] = np.tanh({y}[{i} - 1]) + {x}[{i}]")
        elif form == 2:
            self.emit(_fmt(f"{y}[{i}] = {y}[{i}] * {{}}", self.bounded("s", self.draw(st.integers(0, 1)))))
        else:
            self.emit(f"{y}[{i}] = {y}[{i} - 1] * 0.5 + {y}[{i}]")
        del self.env[i]
        self.loop_depth -= 1
        self.indent -= 1
        after = self.draw(st.integers(0, 4))
        if after:
            self.emit([f"{y}[0] = {y}[0] * {y}[1]", f"{y}[0:2] = {y}[:2]", f"{y}[1:] = {y}[:-1]",
                       f"{y}[:2] += {y}[1:]"][after - 1])
        if self.coin(1, 3):
            z = self.fresh_name("z")
            self.emit(f"{z} = {y}")
            self.env[y], self.env[z] = Var("a", owned=False), Var("a", owned=False)
        else:
            self.env[y] = Var("a")

    def stmt_closure(self) -> None:
        """A nested def that reads a container argument of the enclosing function (and only
        that, its own parameter and literals: the enclosing names may change kind), then a
        call to it; later statements may call it again."""
        if not self.top or not self.containers:
            return self.stmt_assign()
        self.budget -= 1
        name, param = self.fresh_name("c"), self.fresh_name("z")
        pk, rk = self.choice("as"), self.choice("as")
        saved = self.env
        self.env = {param: Var(pk, owned=False)}
        body = self.expr(rk, self.draw(st.integers(0, 2)))
        self.env = saved
        if rk == "a":
            read = self.container_read("a")
            value = _fmt("{} * {} + {}", Src.same(param), body, read)
        else:
            own = Src.same(param if pk == "s" else f"np.sum({param})")
            read = self.container_read("s") if self.container_reads("s") and self.coin() \
                else _fmt("np.sum({})", self.container_read("a"))
            value = _fmt("{} * {} + {}", own, body, read)
        self.emit(f"def {name}({param}):")
        self.indent += 1
        self.emit(_fmt("return {}", value))
        self.indent -= 1
        self.helpers.append(Helper(name, [pk], None, [rk]))
        target, _ = self.assign_target(rk)
        call = _fmt(f"{name}({{}})", self.expr(pk, self.draw(st.integers(0, 2))))
        self.emit(_fmt(f"{target} = {{}}", call))
        self.bind(target, rk, call)

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
            if self.f.accumulators and self.top and self.budget >= 1:
                options.append("accumulate")
            if self.f.recurrences and self.top:
                options.append("recurrence")
            if self.f.closures and self.top and self.containers:
                options.append("closure")
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
    """Draw a helper function: its `Helper`, plain lines and probed lines.

    With `helper_loops`, most helpers start with a `for` loop, which may run over a trip-count
    parameter `n` (each call passes its own literal) and may rebind the helper's parameters;
    with `builtins`, some return a comparison (`return abs(scale) < 0.51`)."""
    name = f"h{index}"
    kinds = draw(st.lists(st.sampled_from("as"), min_size=1, max_size=2))
    loops = features.helper_loops and draw(st.integers(0, 3)) > 0
    if loops and draw(st.booleans()):
        kinds.insert(draw(st.integers(0, len(kinds))), "n")
    keyword = draw(st.sampled_from(["s", "scale"])) if draw(st.booleans()) else None
    returns = [draw(st.sampled_from("as"))]
    if features.builtins and draw(st.integers(0, 3)) == 0:
        returns = ["b"]
    elif draw(st.integers(0, 3)) == 0:
        returns.append(draw(st.sampled_from("sa")))
    sub = Features(assign=True, augassign=True, unpack=False, branches=features.branches,
                   ifexp=features.ifexp, calls=bool(helpers), subscripts=features.subscripts,
                   aliasing=features.aliasing, loops=loops, builtins=features.builtins)
    b = Builder(draw, sub, names, helpers, budget=draw(st.integers(0, 2)) + loops)
    params = ["n" if k == "n" else f"u{j}" for j, k in enumerate(kinds)]
    for p, k in zip(params, kinds):
        b.env[p] = Var(k, owned=False)  # the caller's arrays: never written in place
    if keyword:
        b.env[keyword] = Var("s")
    signature = ", ".join(params + ([f"{keyword}=0.5"] if keyword else []))
    b.lines.append(f"def {name}({signature}):")
    b.probe_lines.append(f"def {name}({signature}):")
    if loops and draw(st.integers(0, 3)) > 0:
        b.statement("for")
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
    if returns == ["b"]:
        return _fmt("return {}", b.builtin_cond())
    values = []
    for kind in returns:
        value = b.expr(kind, b.draw(st.integers(1, 2)))
        if kind == "a" and not value.fresh:
            value = _fmt("({} * 1.0)", value)
        values.append(value)
    return Src("return " + ", ".join(v.plain for v in values),
               "return " + ", ".join(v.probe for v in values))


ELEMENT = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False, width=64)


def _values(draw, kind: str, dtype=np.float64):
    """An argument of a kind: "s", "a", "m", or a container ("dict", "list", "tuple") of
    arrays of length N (a dict also holds a scalar "c"). float32: arrays are float32, scalars
    np.float32 or Python floats."""
    if kind == "s":
        value = draw(ELEMENT)
        return np.float32(value) if dtype == np.float32 and draw(st.booleans()) else value
    if kind == "m":
        values = draw(st.lists(ELEMENT, min_size=N * N, max_size=N * N))
        return (0.5 * np.array(values, dtype=np.float64).reshape(N, N)).astype(dtype)
    if kind == "dict":
        return {"w": _values(draw, "a", dtype), "b": _values(draw, "a", dtype),
                "c": _values(draw, "s", dtype)}
    if kind in ("list", "tuple"):
        items = [_values(draw, "a", dtype), _values(draw, "a", dtype)]
        return items if kind == "list" else tuple(items)
    return np.array(draw(st.lists(ELEMENT, min_size=N, max_size=N)), dtype=np.float64).astype(dtype)


def _unread_value(draw, kind: str, dtype=np.float64):
    """A container the function never reads: leaves of several shapes (0-d included) and
    dtypes, a nested dict maybe. Its gradient must be zeros of the same structure."""
    other = np.float64 if dtype == np.float32 else np.float32

    def leaf(in_sequence: bool):
        shape = draw(st.sampled_from([(N,), (2, N), (), (N,)] + ([] if in_sequence else ["float"])))
        if shape == "float":
            return draw(ELEMENT)
        values = np.array(draw(st.lists(ELEMENT, min_size=int(np.prod(shape)),
                                        max_size=int(np.prod(shape))))).reshape(shape)
        return values.astype(other if draw(st.integers(0, 3)) == 0 else dtype)

    if kind == "dict":
        keys = draw(st.lists(st.sampled_from(["w", "b", "k", "scale"]), min_size=1, max_size=3,
                             unique=True))
        value = {key: leaf(False) for key in keys}
        if draw(st.integers(0, 3)) == 0:
            value["layer"] = {"w": leaf(False), "b": leaf(False)}
        return value
    items = [leaf(True) for _ in range(draw(st.integers(1, 3)))]
    return items if kind == "list" else tuple(items)


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
    matrix = features.more_ops or features.accumulators or features.recurrences
    matrices = ["m"] if matrix and draw(st.booleans()) else []
    containers: list[str] = []
    unread: list[str] = []
    if features.containers or features.closures:
        containers = [c for c in CONTAINERS if draw(st.booleans())]
        if features.closures and "p" not in containers:
            containers.insert(0, "p")
        containers = containers or [draw(st.sampled_from(sorted(CONTAINERS)))]
        unread = [c for c in containers if draw(st.integers(0, 2)) == 0
                  and not (features.closures and c == "p")]
    params = arrays + scalars + matrices + containers + extra
    kinds = {p: ("s" if p in scalars else "m" if p in matrices else CONTAINERS.get(p, "a"))
             for p in params}
    dtype = np.float32 if features.float32 else np.float64
    args = [_unread_value(draw, kinds[p], dtype) if p in unread else _values(draw, kinds[p], dtype)
            for p in params]
    wrt_choices = [p for p in params if p not in extra]
    wrt = tuple(draw(st.lists(st.sampled_from(wrt_choices), min_size=1, unique=True)
                     .map(lambda ws: sorted(ws, key=wrt_choices.index))))

    b = Builder(draw, features, names, helpers, budget=max_statements,
                containers={c: CONTAINERS[c] for c in containers if c not in unread})
    for p in params:
        if p not in containers:
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
    return Program(source, probe_source, name, params, args, wrt, tuple(unread))


# ---------------------------------------------------------------------------
# the oracle


def finite(value: Any) -> bool:
    return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))


def richardson_gradient(f, args, wrt_indices, cotangent: Any = 1.0, eps: float = 1e-4,
                        known: dict[int, Any] | None = None) -> list[Any]:
    """A fourth-order central difference: a second opinion where the plain one is noisy."""
    near = numerical_gradient(f, args, wrt_indices, cotangent, eps=eps, known=known)
    far = numerical_gradient(f, args, wrt_indices, cotangent, eps=2 * eps, known=known)
    return [n if index in (known or {}) else _combine(n, g)
            for index, n, g in zip(wrt_indices, near, far)]


def _combine(near: Any, far: Any) -> Any:
    leaves = dict(tree_leaves(far))
    result = near
    for path, leaf in tree_leaves(near):
        value = (4.0 * np.asarray(leaf) - np.asarray(leaves[path])) / 3.0
        result = tree_replace(result, path, float(value) if not isinstance(leaf, np.ndarray) else value)
    return result


MARGIN = 1e-3


def smooth_margins(margins: list[float]) -> bool:
    """No comparison ran within MARGIN of its threshold (finite differences stay on one side)."""
    return all(abs(m) > MARGIN for m in margins)


__all__ = [
    "Features", "Program", "as_float64", "finite", "load_function", "numerical_gradient",
    "programs", "richardson_gradient", "run_probe", "same_tree", "shared_memory", "show_value",
    "smooth_margins", "structure_errors", "tree_copy", "tree_leaves", "tree_map",
    "zeros_like_tree",
]
