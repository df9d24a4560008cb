"""The normalizer: a function's statements as single operations in SSA form.

The `Normalizer` holds the state of one lowering; each job is a mixin of its own module:
statements, control flow, SSA bindings, expressions, name resolution and calls.
"""

from __future__ import annotations

import ast
import inspect
import types

from ..errors import Origin, UnsupportedSyntaxError
from ..ir import (
    Assignment,
    External,
    Node,
    Parameter,
    Program,
)
from ..names import NameAllocator
from ..parser import (
    RESERVED_NAMES,
    ResultNames,
    UserLine,
    display_name,
    is_docstring,
    load,
)
from ..resolve import MISSING, is_constant_value
from ..runtime import HELPER_NAMES
from ..structure import Structure
from ..syntax import name_nodes
from .bindings import SSABindings
from .calls import CallLowering
from .checks import Write, refuse_read_only_writes, refuse_stale_views
from .comprehensions import ComprehensionLowering
from .control import ControlFlowLowering
from .expressions import ExpressionLowering
from .generators import GeneratorLowering
from .resolution import NameResolution
from .scope import Scope, caller_origin
from .statements import StatementLowering
from .trees import TreeLowering


def is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def normalize(fun: types.FunctionType, structures: dict[str, Structure] | None = None) -> Program:
    """Read and normalize `fun`; raise an `S2SADError` for anything unsupported.

    `structures`, where given, are the structures of the arguments of a call (by parameter
    name, defaults included): containers among them become static trees (trees.py).
    """
    return Normalizer(fun, structures).program()


def source_segment(lines: list[str], node: ast.AST) -> str | None:
    """The source text of `node`, as `ast.get_source_segment` gives it, from the source's
    lines (without joining and splitting the whole source again for every node)."""
    try:
        first, last = node.lineno - 1, node.end_lineno - 1
        start, end = node.col_offset, node.end_col_offset
    except AttributeError:
        return None
    if first < 0 or last >= len(lines) or None in (last, end):
        return None
    encoded = [line.encode() for line in lines[first:last + 1]]  # offsets count UTF-8 bytes
    if first == last:
        return encoded[0][start:end].decode()
    parts = [encoded[0][start:], *encoded[1:-1], encoded[-1][:end]]
    return "\n".join(part.decode() for part in parts)


class Normalizer(StatementLowering, ControlFlowLowering, ComprehensionLowering,
                 GeneratorLowering, CallLowering, ExpressionLowering, NameResolution, SSABindings,
                 TreeLowering):
    """The lowering of one function (and the functions it inlines) to a `Program`."""

    def __init__(self, fun: types.FunctionType, structures: dict[str, Structure] | None = None):
        self.fun = fun
        self.structures = structures or {}
        self.yields: list[tuple[ast.For, Scope, int]] = []
        """The loops over generators being run: (loop, the caller's scope, loop depth)."""
        self.leaf_types: dict[str, type | None] = {}
        """The type of each argument and leaf whose structure the call gave."""
        self.named_leaves: set[str] = set()
        self.leaf_aliases: dict[str, str] = {}
        """A leaf's first name → the name of the user's variable it took."""
        """The leaves that took the name of a variable of the user's."""
        self.leaf_names: set[str] = set()
        """The variables that hold the leaves of container arguments, read at the start."""
        source = load(fun)
        self.definition = source.definition
        self.scope = Scope(source)
        self.dependencies: list = [source.resolver]
        self.call_stack: list[tuple[str, int]] = []
        self.writes: list[Write] = []
        """The in-place updates of the user's code, which s2sad writes into new memory."""
        self.spelling: dict[str, str] = {}
        self.retired: set[str] = set()
        self.arguments: set[str] = set()
        """The function's parameters: names the gradient's last lines read as the caller's
        values (their types, dtypes and structure), which the forward never rebinds."""
        """Names of values an `if` assigned in one arm only: a later value needs another name,
        since the path through that arm already assigns this one."""
        self.in_place_errors: dict[tuple[str, str], UnsupportedSyntaxError] = {}
        """How the user wrote each value: a variable's name, or a temporary's expression."""
        taken = {n.id for n in name_nodes(self.definition)}
        taken |= {a.arg for a in ast.walk(self.definition) if isinstance(a, ast.arg)}
        self.check_reserved(self.definition)
        self.namespace = "xp" if "xp" not in taken else "xp_"
        taken |= {self.namespace, *HELPER_NAMES}
        self.names = NameAllocator(taken, self.namespace)
        self.body: list[Node] = []
        self.leaves: dict[tuple[str, tuple[str, ...]], Assignment] = {}
        self.adjoint_names: dict[str, str] = {}
        self.constants: dict[str, object] = {}
        self.functions: dict[str, tuple[str, str]] = {}
        self.externals: list[External] = []
        self.claimed: set[str] = set()
        """The names given to externals."""
        self.result_names: ResultNames | None = None
        self.returns_tuple = False
        self.last_returned_tuple = False
        self.return_origin: Origin | None = None
        self.return_statement = ""
        self.path: list[ast.expr] = []
        """The branch conditions (or their negations) on the way to the statement at hand."""
        self.breaks: list[tuple[int, list[list[ast.expr]]]] = []
        """For each enclosing loop: where its body's path starts, and the paths to its breaks."""

    def check_reserved(self, definition: ast.AST) -> None:
        for node in ast.walk(definition):
            name = node.id if isinstance(node, ast.Name) else node.arg if isinstance(node, ast.arg) else None
            if name in RESERVED_NAMES:
                raise self.unsupported(node, f"`{name}` is the name of a helper the generated code defines",
                                       "rename it")

    def origin(self, node: ast.AST) -> Origin:
        return caller_origin(self.scope, node)

    def user_line(self, node: ast.AST) -> UserLine | None:
        """For generated code differentiated again: the user's line `node`'s line came from."""
        lines = self.scope.source.user_lines
        return None if lines is None else lines.get(getattr(node, "lineno", 0))

    def written(self, node: ast.AST, text: str) -> str:
        """A block header's statement: `text`, or the user's statement generated code came from."""
        user_line = self.user_line(node)
        return text if user_line is None else user_line.statement

    def context(self, node: ast.AST) -> str | None:
        """The inlined call a statement comes from, as its block's header names it."""
        user_line = self.user_line(node)
        if user_line is None or user_line.context is None:
            return self.scope.call_site
        return user_line.context

    def statement_text(self, node: ast.AST) -> str:
        """The statement as a header names it, on one line: a loop or `if` by its first line
        (`for t in range(n):`), as the statements inside it have their own."""
        if isinstance(node, ast.For):
            return f"for {self.source_of(node.target)} in {self.source_of(node.iter)}:"
        if isinstance(node, ast.While):
            return f"while {self.source_of(node.test)}:"
        if isinstance(node, ast.If):
            return f"if {self.source_of(node.test)}:"
        return self.source_of(node)

    def unsupported(self, node: ast.AST, message: str, hint: str) -> UnsupportedSyntaxError:
        return UnsupportedSyntaxError(message, self.origin(node), hint)

    def program(self) -> Program:
        definition = self.definition
        params = self.parameters(definition.args, top=True)
        self.arguments = {p.name for p in params}
        for p in params:
            structure = self.structures.get(p.name)
            if structure is not None and structure.kind != "leaf":
                self.scope.versions[p.name] = self.static_argument(p.name, structure, definition)
            else:
                self.scope.versions[p.name] = ast.Name(p.name, ast.Load())
                if structure is not None:
                    self.leaf_types[p.name] = structure.type
        # The gradients handed back are `d<parameter>`: keep those names from inlined code.
        self.adjoint_names = {p.name: self.names.fresh("d" + p.name) for p in params}
        name = self.fun.__name__ if self.fun.__name__.isidentifier() else "out"
        outputs = self.function_body(definition, name)
        self.body[:0] = list(self.leaves.values())
        for old, new in self.leaf_aliases.items():  # reads through a static tree's old names
            self.rename(old, new, 0)
        refuse_read_only_writes(self.body, self.writes)
        self.guard_in_place_writes(refuse_stale_views(self.body, outputs, self.writes,
                                                      self.spelling))
        return Program(
            name=self.fun.__name__ if self.fun.__name__ != "<lambda>" else "lambda_",
            filename=self.scope.source.filename,
            display_filename=display_name(self.scope.source.filename),
            params=params,
            body=self.body,
            outputs=outputs,
            returns_tuple=self.returns_tuple,
            return_origin=self.return_origin,
            return_statement=self.return_statement,
            namespace=self.namespace,
            constants=self.constants,
            functions=self.functions,
            externals=self.externals,
            structured={name for name, s in self.structures.items() if s.is_container},
            dependencies=self.dependencies,
            in_place_errors=self.in_place_errors,
            taken_names=self.names.taken,
            adjoint_names=self.adjoint_names,
            leaves={key: a.target for key, a in self.leaves.items()},
            spelling=self.spelling,
        )

    def function_body(self, definition: ast.FunctionDef | ast.Lambda, result_name: str) -> list[ast.expr]:
        """Normalize a function's statements; the values it returns (phis where paths meet)."""
        if isinstance(definition, ast.Lambda):
            statements: list[ast.stmt] = [ast.copy_location(ast.Return(definition.body), definition.body)]
        else:
            statements = [s for i, s in enumerate(definition.body) if i or not is_docstring(s)]
        outer = self.result_names
        self.result_names = ResultNames(self.names, result_name)
        try:
            returned = self.statements(statements)
        finally:
            self.result_names = outer
        if returned is None:
            where = statements[-1] if statements else definition
            raise self.unsupported(where, f"`{self.scope.source.name}` must return a value on every "
                                   "path to be differentiated", "end the function with `return <expression>`")
        return returned

    def source_of(self, node: ast.AST) -> str:
        text = source_segment(self.scope.source.lines, node) or ast.unparse(node)
        return " ".join(text.split())

    def parameters(self, args: ast.arguments, top: bool = False) -> list[Parameter]:
        """The parameters of a definition. A default that is not a literal (`act=np.tanh`,
        `scale=1.0 / 3`) is kept as written and evaluated where an inlined call leaves it
        out; for the differentiated function itself, the call's structure carries it."""
        if self.scope.generated:  # a gradient function's cotangent: keyword-only, 1.0 by default
            keyword_only = [Parameter(a.arg, d, kind="keyword")
                            for a, d in zip(args.kwonlyargs, args.kw_defaults)]
        else:
            keyword_only = [Parameter(a.arg, d, self.origin(a), "keyword")
                            for a, d in zip(args.kwonlyargs, args.kw_defaults)]
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += list(args.defaults)
        params = []
        for arg, default in zip(positional, defaults):
            params.append(Parameter(arg.arg, default, self.origin(arg)))
        if args.vararg:
            params.append(Parameter(args.vararg.arg, None, self.origin(args.vararg), "vararg"))
        params += keyword_only
        if args.kwarg:
            params.append(Parameter(args.kwarg.arg, None, self.origin(args.kwarg), "kwarg"))
        if top:
            self.refuse_unknown_defaults(params)
        return params

    def refuse_unknown_defaults(self, params: list[Parameter]) -> None:
        """The differentiated function's own defaults and variadic parameters: known from the
        call's structure, or literals the generated signature can repeat."""
        for p in params:
            known = p.name in self.structures
            if p.kind in ("vararg", "kwarg") and not known:
                raise UnsupportedSyntaxError(
                    "`*args` and `**kwargs` are followed for the arguments of a call", p.origin,
                    "call the gradient function with its arguments: s2sad generates it for them, "
                    "and `source_for(*args)` shows that gradient")
            if p.default is not None and not is_literal(p.default):
                value = self.default_of(p)
                if is_constant_value(value):  # `scale=1.0 / 3`, `scale=SCALE`: as Python made it
                    p.default = ast.Constant(value)
                elif known:
                    p.default = ast.Constant(None)  # the call's structure holds what it is
                else:
                    raise self.unsupported(p.default, "this default value is followed for the "
                                           "arguments of a call", "call the gradient function "
                                           "with its arguments: s2sad generates it for them, and "
                                           "`source_for(*args)` shows that gradient")

    def default_of(self, parameter: Parameter) -> object:
        """The value Python gave the differentiated function's default for `parameter`."""
        fun = getattr(self.fun, "__func__", self.fun)
        if parameter.kind == "keyword":
            return (fun.__kwdefaults__ or {}).get(parameter.name, MISSING)
        signature = inspect.signature(fun)
        default = signature.parameters[parameter.name].default
        return MISSING if default is inspect.Parameter.empty else default
