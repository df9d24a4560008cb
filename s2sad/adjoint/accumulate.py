"""Accumulation: the first contribution to an adjoint assigns it, later ones add to it.

Ownership decides how a contribution adds. An adjoint is *owned* when its array is memory
the backward made for it alone: a contribution may then add to it in place (`dx += v`,
`dx[i] += v`). It is *borrowed* when it may share memory with another value (it is the
output's cotangent, another adjoint, a view of one, or the adjoint a loop carries from one
iteration to the next): adding in place would change that value too, so an addition
writes `dx = dx + v`, which makes it owned, and an addition into a region, or a loop that
adds to it at every iteration, copies it first. Where the arms of an `if` meet, an adjoint
is owned only if no arm leaves it borrowed. A gradient still borrowed when the backward
ends is copied before the caller gets it where it may be the caller's memory or another
returned gradient's (memory.py follows each name to the arrays it may hold).
"""

from __future__ import annotations

import ast

from ..ir import index_expression
from ..names import NameAllocator
from .blocks import Line
from .instantiate import Scatter

OWNED, BORROWED = "owned", "borrowed"

ArmPath = tuple[tuple[int, bool], ...]
"""The `if` arms an operation stands in: (the branch's id, True for its `if` arm), outermost first."""

# Functions of the array namespace whose result may share memory with their first argument.
VIEWS = {"transpose", "reshape", "broadcast_to", "swapaxes", "moveaxis", "squeeze",
          "expand_dims", "ravel", "asarray", "permute_dims", "flip", "fliplr", "flipud", "rot90",
          "diag", "diagonal", "sliding_window_view"}
PASS_THROUGH_HELPERS = {"_unbroadcast", "_joined_part"}  # may return a view of their first argument


class Adjoints:
    """The adjoints of one reverse sweep: their names, which own their memory, and the lines
    that add contributions to them."""

    def __init__(self, names: NameAllocator, adjoint_names: dict[str, str], namespace: str,
                 containers: set[str], integers: set[str], readers: dict[str, list[ArmPath]],
                 number_lists: frozenset[str] = frozenset()):
        """`adjoint_names`: the names already chosen (the parameters'); `containers`: the
        variables that may hold lists of arrays; `integers`: those that hold Python ints;
        `readers`: the arms each operation reading a variable stands in, for the comments;
        `number_lists`: those a variant knows to hold lists of Python floats."""
        self.number_lists = number_lists
        self.names = names
        self.adjoint_names = adjoint_names
        self.namespace = namespace
        self.containers = containers
        self.integers = integers
        self.readers = readers
        self.state: dict[str, str] = {}
        """The ownership of each adjoint computed so far."""
        self.helpers: set[str] = set()
        self.read_at_every_iteration: set[str] = set()
        """The variables a loop reads at every iteration, as its comments say."""
        self.path: ArmPath = ()
        """The arms the operation whose rule is being added stands in."""
        self._commented: set[tuple[str, ArmPath]] = set()

    def name(self, variable: str) -> str:
        """`d<variable>`, or a variant that collides with nothing."""
        if variable not in self.adjoint_names:
            self.adjoint_names[variable] = self.names.fresh("d" + variable)
        return self.adjoint_names[variable]

    def owns(self, variable: str) -> bool:
        """Whether the adjoint of `variable` is memory of its own, to add to in place."""
        return self.state.get(variable) == OWNED

    def seed(self, variable: str, parameter: str) -> None:
        """The output `variable`'s adjoint arrives as the parameter `parameter`: borrowed."""
        self.adjoint_names[variable] = parameter
        self.state[variable] = BORROWED

    def pass_on(self, source: str, variable: str) -> None:
        """`variable`'s adjoint is `source`'s, under the same name and ownership."""
        self.adjoint_names[variable] = self.name(source)
        self.state[variable] = self.state.pop(source)

    def drop(self, variable: str) -> None:
        """The adjoint of `variable` is used up: an earlier value of its name starts afresh."""
        self.state.pop(variable, None)

    def zeros(self, variable: str) -> ast.expr:
        """Zeros for the adjoint of `variable`: `xp.zeros_like`, or `_zeros_like` where the
        variable may be a list or tuple of arrays."""
        if variable in self.number_lists:  # `[0.0] * len(k_items)`
            return ast.BinOp(ast.List([ast.Constant(0.0)], ast.Load()), ast.Mult(),
                             ast.Call(ast.Name("len", ast.Load()), [_load(variable)], []))
        if variable in self.containers:
            self.helpers.add("_zeros_like")
            return ast.Call(ast.Name("_zeros_like", ast.Load()), [_load(variable)], [])
        return ast.Call(_attribute(self.namespace, "zeros_like"), [_load(variable)], [])

    def accumulate(self, variable: str, value: ast.expr, fresh: bool) -> list[Line]:
        """`dv = value` for the first contribution, `dv += value` or `dv = dv + value` after.

        `fresh`: `value` is memory of its own (see `new_memory`).
        """
        name = self.name(variable)
        state = self.state.get(variable)
        if state is None:
            self.state[variable] = OWNED if fresh else BORROWED
            return [Line(_assign(name, value))]
        comment = self.read_comment(variable)
        if state == OWNED:
            statement: ast.stmt = ast.AugAssign(_store(name), ast.Add(), value)
        else:
            statement = _assign(name, ast.BinOp(_load(name), ast.Add(), value))
            self.state[variable] = OWNED
        return [Line(statement, comment)]

    def scatter(self, item: Scatter) -> list[Line]:
        """Add into a region of an adjoint, giving it memory of its own first; a region that
        is the whole adjoint with new axes (`b[:, None, None]`) adds the value without them."""
        whole = _without_new_axes(item.index)
        if whole is not None:
            value = item.value if whole is Ellipsis else ast.Subscript(item.value, whole, ast.Load())
            return self.accumulate(item.variable, value, new_memory(item.value, set()))
        name = self.name(item.variable)
        state = self.state.get(item.variable)
        lines = []
        comment = None
        if state is None:
            lines.append(Line(_assign(name, self.zeros(item.variable))))
        else:
            comment = self.read_comment(item.variable)
            if state == BORROWED:
                lines.append(Line(_assign(name, ast.Call(_attribute(name, "copy"), [], []))))
        self.state[item.variable] = OWNED
        if _is_basic_index(item.index, self.integers):
            region = ast.Subscript(_load(name), item.index, ast.Store())
            lines.append(Line(ast.AugAssign(region, ast.Add(), item.value), comment))
            return lines
        if item.variable in self.containers:
            self.helpers.add("_add_at")
            add_at: ast.expr = ast.Name("_add_at", ast.Load())
        else:
            add_at = ast.Attribute(_attribute(self.namespace, "add"), "at", ast.Load())
        call = ast.Call(add_at, [_load(name), index_expression(item.index), item.value], [])
        lines.append(Line(ast.Expr(call), comment))
        return lines

    def meet(self, before: dict[str, str], arms: tuple[dict[str, str], dict[str, str]],
             inside: set[str]) -> tuple[list[Line], list[Line]]:
        """Where the arms of an `if` meet, from the states `before` it and after each arm:
        the ownership after it, and the lines that give each arm zeros for the adjoints
        only the other assigns.

        `inside`: the names only the arms assign, whose adjoints end there.
        """
        zeros: tuple[list[Line], list[Line]] = ([], [])
        merged = {v: s for v, s in before.items() if v not in inside}
        for variable in sorted((arms[0].keys() | arms[1].keys()) - inside):
            states = (arms[0].get(variable), arms[1].get(variable))
            for state, lines in zip(states, zeros):
                if state is None:
                    value = self.zeros(variable)
                    lines.append(Line(_assign(self.name(variable), value)))
            merged[variable] = OWNED if all(s in (None, OWNED) for s in states) else BORROWED
        self.state = merged
        return zeros

    def before_loop(self, variable: str, carried: bool) -> list[Line]:
        """The lines before a loop whose iterations add to the adjoint of `variable`: zeros,
        or a copy of a borrowed one; `carried`: the loop carries `variable`."""
        state = self.state.get(variable)
        name = self.name(variable)
        lines = []
        if state is None:
            lines.append(Line(_assign(name, self.zeros(variable))))
        elif state == BORROWED and not carried:
            lines.append(Line(_assign(name, own_copy(name, self.namespace)),
                              "accumulated in place below"))
        self.state[variable] = BORROWED if carried else OWNED
        return lines

    def carried(self, variable: str) -> list[Line]:
        """After a loop body, zeros for the adjoint of a carried `variable` where the body
        left none: the next iteration (in reverse) reads it."""
        lines = []
        if variable not in self.state:
            lines.append(Line(_assign(self.name(variable), self.zeros(variable))))
        self.state[variable] = BORROWED
        return lines

    def read_comment(self, variable: str) -> str | None:
        """`x is read twice`, counting the reads on the path of the current operation (once
        per variable and path)."""
        if (variable, self.path) in self._commented:
            return None
        self._commented.add((variable, self.path))
        count = _reads_on_one_path(self.readers.get(variable, []), self.path)
        if count <= 1 and variable in self.read_at_every_iteration:
            return f"{variable} is read at every iteration"
        count = max(count, 2)
        times = "twice" if count == 2 else f"{count} times"
        return f"{variable} is read {times}"


def _reads_on_one_path(readers: list[ArmPath], path: ArmPath) -> int:
    """The most reads one run through `path` makes: the readers on a path through `path` and
    one reader's arms, for the reader that gives the most."""
    paths = [{**dict(path), **dict(reader)} for reader in readers if _on_one_path(reader, path)]
    return max((sum(1 for reader in readers if _on_one_path(reader, tuple(arms.items())))
                for arms in paths), default=0)


def _on_one_path(first: ArmPath, second: ArmPath) -> bool:
    """Whether one run can take both paths: no `if` sends them down different arms."""
    arms = dict(first)
    return all(arms.get(branch, arm) == arm for branch, arm in second)


def new_memory(value: ast.expr, movable: set[str]) -> bool:
    """True when `value` is new memory (or an adjoint in `movable`, which nothing else will
    read): the adjoint it is assigned to then owns it."""
    if isinstance(value, (ast.BinOp, ast.UnaryOp)):
        return True
    if isinstance(value, ast.Name):
        return value.id in movable
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name == "broadcast_to":
            return False  # a read-only view, whatever its argument owns
        if name in VIEWS or name in PASS_THROUGH_HELPERS:
            return bool(value.args) and new_memory(value.args[0], movable)
        return True
    return False


def _without_new_axes(index: ast.expr) -> ast.expr | type(Ellipsis) | None:
    """For an index that only keeps every element and adds axes (`:`, `None`, `...`), the
    index that takes those axes away again (`0` for each `None`), or Ellipsis where it adds
    none; None for any other index."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    undone: list[ast.expr] = []
    for part in parts:
        if isinstance(part, ast.Slice) and part.lower is part.upper is part.step is None:
            undone.append(ast.Slice())
        elif isinstance(part, ast.Constant) and part.value is None:
            undone.append(ast.Constant(0))
        elif isinstance(part, ast.Constant) and part.value is Ellipsis:
            undone.append(ast.Constant(Ellipsis))
        else:
            return None
    if all(not isinstance(part, ast.Constant) or part.value is Ellipsis for part in undone):
        return Ellipsis
    return ast.Tuple(undone, ast.Load()) if len(undone) > 1 else undone[0]


def _is_basic_index(index: ast.expr, integers: set[str]) -> bool:
    """An index of integers, slices, None and `...`: no element is selected twice."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    for part in parts:
        if isinstance(part, ast.Slice) or isinstance(part, ast.Name) and part.id in integers:
            continue
        if isinstance(part, ast.Constant) and (part.value is None or part.value is Ellipsis
                                               or type(part.value) is int):
            continue
        if isinstance(part, ast.UnaryOp) and isinstance(part.operand, ast.Constant):
            continue
        return False
    return True


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


def _attribute(name: str, attr: str) -> ast.Attribute:
    return ast.Attribute(_load(name), attr, ast.Load())


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([_store(name)], value)


def own_copy(name: str, namespace: str) -> ast.Call:
    """`xp.asarray(name).copy()`: memory of its own. Every array library's arrays have
    `.copy()`, where `xp.array(name, copy=True)` is NumPy's and CuPy's only (dask.array's
    `array` takes no `copy=`); `asarray` makes a Python number an array first."""
    converted = ast.Call(_attribute(namespace, "asarray"), [_load(name)], [])
    return ast.Call(ast.Attribute(converted, "copy", ast.Load()), [], [])


def is_own_copy(value: ast.expr, namespace: str) -> bool:
    """Whether `value` is an `own_copy`, which holds memory of its own."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr == "copy" and not value.args and not value.keywords):
        return False
    inner = value.func.value
    return (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
            and inner.func.attr == "asarray" and isinstance(inner.func.value, ast.Name)
            and inner.func.value.id == namespace)
