"""The program representation handed from the parser to the adjoint pass.

A forward function becomes a list of nodes: `Assignment`s, each computing
one operation over names and constants (one operation per statement);
`Effect`s (`print`, `assert`), run for what they do; and `Branch`es, an
`if` over two lists of nodes. Names are in static single assignment form:
every name is assigned once, and a variable the two arms of a branch assign
differently meets in a `phi` assignment at the end of each arm.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import Origin


@dataclass
class Operation:
    """One operation as the lowering produces it: `value` as the forward writes it, `op`
    naming its adjoint rule, its operands reduced to names, constants and
    non-differentiable expressions (for a method call or an attribute the receiver is
    `args[0]`)."""

    value: ast.expr
    op: str
    args: list[ast.expr]
    keywords: dict[str, ast.expr] = field(default_factory=dict)


@dataclass
class Assignment:
    """`target = value`, one operation, `op` naming its adjoint rule.

    `args` and `keywords` are the operation's operands as written, already
    reduced to names, constants and non-differentiable expressions; for a
    method call or an attribute the receiver is `args[0]`.
    """

    target: str
    value: ast.expr
    op: str
    args: list[ast.expr]
    keywords: dict[str, ast.expr]
    origin: Origin
    statement: str
    user_variable: bool = False
    context: str | None = None


@dataclass
class Effect:
    """A statement run for its effect: `print(...)`, `assert ...`."""

    statement: ast.stmt


@dataclass
class Branch:
    """`if test: body else: orelse`, with `test` a recorded condition."""

    test: ast.Name
    body: list[Node]
    orelse: list[Node]
    origin: Origin
    statement: str
    context: str | None = None


@dataclass
class Loop:
    """`for index in steps: body`, `steps` a recorded range.

    `carried` pairs each variable the body reassigns (its name before and
    after every iteration) with the name of its new value inside the body;
    the body ends with `phi` assignments copying the new values back.
    """

    index: str
    steps: ast.Name
    body: list[Node]
    carried: list[tuple[str, str]]
    origin: Origin
    statement: str
    context: str | None = None
    test: ast.expr | None = None
    """For a `while` loop: its condition; `steps` then counts the iterations."""
    exit: ast.expr | None = None
    """For a loop with `break`: true at the end of the iteration that breaks. Each `break`
    is normalized like `continue` (the rest of the iteration goes to the other arm), so
    every iteration that starts runs to the end of the body."""
    trips: str | None = None
    """For a loop with `break`: the name that counts the iterations that ran."""


Node = Assignment | Effect | Branch | Loop


def walk(nodes: list[Node]) -> Iterator[Node]:
    """Every node in program order, each before the nodes of its bodies, the `if` arm
    before the `else` arm."""
    for node in nodes:
        yield node
        if isinstance(node, Branch):
            yield from walk(node.body)
            yield from walk(node.orelse)
        elif isinstance(node, Loop):
            yield from walk(node.body)


def assignments(nodes: list[Node]) -> list[Assignment]:
    """Every assignment in program order, the `if` arm before the `else` arm."""
    return [node for node in walk(nodes) if isinstance(node, Assignment)]


def control_nodes(nodes: list[Node]) -> list[Branch | Loop | Effect]:
    """Every branch, loop and effect in program order, through the nested bodies."""
    return [node for node in walk(nodes) if not isinstance(node, Assignment)]


@dataclass
class Parameter:
    """A parameter of the forward function; `default` is a literal or None."""

    name: str
    default: ast.expr | None = None
    origin: Origin | None = None
    """Where the function's signature names it."""
    kind: str = "positional"
    """"positional", "keyword" (keyword-only), "vararg" (`*args`) or "kwarg" (`**kwargs`)."""


@dataclass
class External:
    """A value the function reads from its globals or a closure, not from its arguments: the
    gradient function takes it as the keyword-only parameter `parameter`, passed at each
    call with what `name` holds then, so a changed global is always seen."""

    parameter: str
    name: str
    resolver: object
    """The `Resolver` of the function that reads it, which `current(name)` asks."""
    where: str
    """"global" or "closure"."""
    origin: Origin | None = None
    """Where the function first reads it."""

    def current(self) -> object:
        return self.resolver.current(self.name)


@dataclass
class Program:
    """A normalized forward function."""

    name: str
    filename: str
    display_filename: str
    params: list[Parameter]
    body: list[Node]
    outputs: list[ast.expr]
    returns_tuple: bool
    return_origin: Origin
    return_statement: str
    namespace: str = "xp"
    constants: dict[str, object] = field(default_factory=dict)
    adjoint_names: dict[str, str] = field(default_factory=dict)
    """The names reserved for the parameters' adjoints: `dx` for `x`."""
    leaves: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    """(dict parameter, key path) → the variable the function reads that value into."""
    taken_names: set[str] = field(default_factory=set)
    functions: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Functions the generated module imports (or copies): its name → (module, attribute)."""
    dependencies: list = field(default_factory=list)
    """What the program was built from beyond its own source: the names it resolved in
    each function's globals and closure, and the gradient functions it differentiates
    again. Each has `unchanged()`."""

    structured: set[str] = field(default_factory=set)
    """The parameters whose containers the program follows as static trees (trees.py)."""
    externals: list[External] = field(default_factory=list)
    """The globals and closure values the function reads as data, in the order first read."""
    spelling: dict[str, str] = field(default_factory=dict)
    """How the user wrote each value: a variable's name for its versions (`h` for `h_2`), a
    temporary's expression (`w2 @ x1` for `w2_x1`)."""

    in_place_errors: dict[tuple[str, str], object] = field(default_factory=dict)
    """The located errors for the `_refuse_in_place(s, update, view)` checks in the forward,
    by (update, view): `s += v` where `view` shares s's memory, refused where s holds an array."""

    def unchanged(self) -> bool:
        """Whether every name the program resolved still holds what it held."""
        for dependency in self.dependencies:
            if not dependency.unchanged():
                return False
        return True


def index_expression(index: ast.expr) -> ast.expr:
    """An index as an expression a function can take: `a:b` becomes `slice(a, b, None)`."""
    if isinstance(index, ast.Tuple):
        return ast.Tuple([index_expression(e) for e in index.elts], ast.Load())
    if isinstance(index, ast.Slice):
        parts = [p if p is not None else ast.Constant(None) for p in (index.lower, index.upper, index.step)]
        return ast.Call(ast.Name("slice", ast.Load()), parts, [])
    return index
