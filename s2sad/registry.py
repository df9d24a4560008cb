"""The registry of adjoint rules ("templates"): their keys, the decorator that fills it, and the
lookups the lowering and the adjoint pass make.

It is a module of its own, apart from the two packages it serves: `s2sad.templates` holds the
rules alone (source that is parsed, never run) and `s2sad.runtime` the helpers generated
modules copy; this module is the machinery both s2sad's rule modules and users' modules
(`s2sad.adjoint`) register through. It imports no rule module and nothing of the runtime:
the rules register themselves when `s2sad.templates` is imported (s2sad's `__init__` does),
and `s2sad.templates` re-exports the tables below with the rules in them.

A template is a Python function that is parsed, never run. Its first
parameter is the operation's output, the parameters without defaults are the
operation's inputs, those with defaults its options. Its body assigns `dx`
for each input `x` it propagates to, reading the output's adjoint `dy`, the
inputs, the output, `xp` (the array namespace) and the helpers of
`s2sad.runtime`::

    @adjoint(np.tanh)
    def tanh(y, x):
        dx = dy * (1.0 - y * y)

`if` statements in a template must test options only; they are decided when
the template is instantiated. A `raise` in the chosen branch refuses the call.
A refusal that several rules share is declared once, as a function of the options
it tests, and named in each rule's decorator (`checks=`).
`dx[index] += value` adds into a region of `dx` (indexing's adjoint).

An operation that returns a tuple (`w, v = np.linalg.eigh(a)`) names its
components with `outputs=("w", "v")`: the body reads them as `w`, `v` and
their adjoints as `dw`, `dv`; a component whose adjoint does not flow reads as
zeros. The forward must unpack such a result (or index it with a constant).

An input that is a list or tuple of arrays (`np.stack([a, b])`) is named in
`sequences=("arrays",)`; the body assigns each element's adjoint as
`darrays[i] = ...`, `i` standing for the element's position.

Every operation has one key, an `OpKey`: its kind (a function, a method, an attribute, a
helper, a builtin, or one of the lowering's own operations) and its name. `str(key)` is how
the key is shown: the operation's string as `Assignment.op` writes it ("numpy.sum",
"method.sum", "attribute.T", "helper._unbroadcast", "builtins.abs", "sequence"), and
`op_key(str(key)) == key`, so the tables answer to either. `op_key` makes every key, from a
callable or from such a string; nothing else reads a key's string.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import enum
import functools
import inspect
import sys
import textwrap
import types
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass

from .resolve import canonical_name
from .syntax import name_nodes


class Kind(enum.Enum):
    """What kind of operation a key names."""

    FUNCTION = "function"
    """A function the user's code imports: `numpy.sum`, `numpy.linalg.norm`, `s2sad.nn.conv2d`,
    `scipy.special.erf`, or a method of an instance a module holds, `scipy.stats.norm.logpdf`;
    `numpy.array(list)` is np.array's own rule for an array built from values."""
    METHOD = "method"
    """An array method: `sum` of `x.sum()`."""
    ATTRIBUTE = "attribute"
    """An array attribute: `T` of `x.T`."""
    HELPER = "helper"
    """A helper of `s2sad.runtime` called by generated code (a gradient of a gradient)."""
    BUILTIN = "builtin"
    """A Python builtin: `abs`, `float`."""
    SPECIAL = "special"
    """An operation of the lowering's own: `identity`, `phi`, `getitem`, `sequence`,
    `list.append` ..."""


_PREFIXES = {Kind.METHOD: "method.", Kind.ATTRIBUTE: "attribute.", Kind.HELPER: "helper.",
             Kind.BUILTIN: "builtins."}
"""How `str` shows a key of each kind: the prefix before its name (none for the others)."""

_DOTTED_SPECIALS = frozenset({"list.append"})
"""The lowering's operations whose names have a dot: the others with one are functions."""


@dataclass(frozen=True)
class OpKey:
    """The key of an operation in the registry: its kind and its name."""

    kind: Kind
    name: str

    def __str__(self) -> str:
        """The key as it is shown, and as `Assignment.op` writes the operation."""
        return _PREFIXES.get(self.kind, "") + self.name


def op_key(op: Callable | str | OpKey, *, search: bool = True) -> OpKey | None:
    """The key of an operation, from a key, its string or the callable itself.

    A string is read as `str` shows a key (`"method.sum"`, `"numpy.tanh"`). A callable's key
    is its canonical NumPy or builtin name (`numpy.tanh` for np.tanh, cupy.tanh and
    `from numpy import tanh` alike), else the `module.qualname` that imports it (`home_of`,
    which searches the imported modules for it where `search`), else None.
    """
    if isinstance(op, OpKey):
        return op
    if isinstance(op, str):
        return _parsed(op)
    name = canonical_name(op)
    if name is None:
        home = home_of(op, search=search)
        if home is None:
            return None
        name = ".".join(home)
    return _parsed(name)


@functools.cache
def _parsed(op: str) -> OpKey:
    for kind, prefix in _PREFIXES.items():
        if op.startswith(prefix):
            return OpKey(kind, op[len(prefix):])
    dotted = "." in op and op not in _DOTTED_SPECIALS
    return OpKey(Kind.FUNCTION if dotted else Kind.SPECIAL, op)


def rule_key(target: object) -> str | None:
    """The operation string of a call to `target`, a function that is not NumPy's, where it can
    have a rule: `module.qualname` (for a ufunc given a rule, such as scipy.special.erf, the
    module it was found in when registered); None where it has no home."""
    key = op_key(target, search=False)
    return None if key is None else str(key)


def _registered_key(fn: Callable | str) -> OpKey:
    key = op_key(fn)
    if isinstance(fn, str) and key is not None and key.kind is Kind.FUNCTION:
        module, _, name = key.name.rpartition(".")
        _PATHS.setdefault(name, set()).add(module)
    if key is None:
        raise TypeError(
            f"cannot register an adjoint rule for {fn!r}: it has no __module__, and no imported "
            "module has it as a public attribute, so generated code could not import it; "
            "wrap it in a function at the top level of a module and register the rule for that"
        )
    return key


_FOUND: dict[int, tuple[object, tuple[str, str]]] = {}
"""The homes `home_of` searched for, by id (the object is kept, so the id stays its own)."""

_PATHS: dict[str, set[str]] = {}
"""Name → the paths before it of the rules registered by string (`"scipy.special.erf"`,
`"scipy.stats.norm.logpdf"`): where `home_of` looks first for an object of that name."""


def home_of(fn: object, search: bool = True) -> tuple[str, str] | None:
    """`(module, name)` such that `from module import name` gives `fn`, or None; `name` is
    `instance.method` for a bound method of an instance a module holds (`norm.logpdf`).

    A path a rule was registered by, as a string, that holds `fn` comes first (so a function
    of a private module, such as scipy.special._logsumexp.logsumexp, has the public path it
    was registered by). Then a function names its own (`__module__`, `__qualname__`). A
    bound method of an instance, and an object without them, such as a ufunc of
    scipy.special, is searched for among the imported modules (where `search`): the public
    module that holds it (or its instance) under its `__name__` (any name, for an instance),
    preferring a package that holds it from one of its own submodules (scipy.special, not a
    module of yours that imported it), then the shortest path. The answer is kept, so it
    does not change later.
    """
    if id(fn) in _FOUND:
        return _FOUND[id(fn)][1]
    name = getattr(fn, "__name__", None)
    registered = _registered_home(fn, name)
    if registered is not None:
        return registered
    owner = getattr(fn, "__self__", None)
    if isinstance(fn, types.MethodType) and not isinstance(owner, (type, types.ModuleType)):
        home = _found(owner, None, search)  # an instance's method: the instance's home
        return None if home is None else (home[0], f"{home[1]}.{name}")
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str):
        return module, qualname
    return _found(fn, name, search) if isinstance(name, str) else None


def _registered_home(fn: object, name: object) -> tuple[str, str] | None:
    """The home of `fn` among the paths rules were registered by, as strings."""
    if not isinstance(name, str) or name not in _PATHS:
        return None
    owner = getattr(fn, "__self__", None)
    for path in sorted(_PATHS[name]):
        module, _, instance = path.rpartition(".")
        if isinstance(fn, types.MethodType) and module in sys.modules:
            held = getattr(sys.modules[module], instance, None)
            if held is owner and getattr(held, name, None) == fn:
                return module, f"{instance}.{name}"
        elif path in sys.modules and getattr(sys.modules[path], name, None) is fn:
            return path, name
    return None


def _found(fn: object, name: str | None, search: bool) -> tuple[str, str] | None:
    """The public module that holds `fn` (under `name`, or any name where None), searched
    for once and kept; None where none does or where not `search`."""
    if id(fn) in _FOUND:
        return _FOUND[id(fn)][1]
    if not search:
        return None
    holders = {}
    for path, held in list(sys.modules.items()):
        names = getattr(held, "__dict__", {})
        if name is not None:
            if names.get(name) is fn:
                holders[path] = name
            continue
        for attribute, value in list(names.items()):
            if value is fn and not attribute.startswith("_"):
                holders.setdefault(path, attribute)
    public = [path for path in holders if not any(p.startswith("_") for p in path.split("."))]
    if not public:
        return None

    def rank(path: str) -> tuple[bool, int, str]:
        owner = any(other.startswith(path + ".") for other in holders)
        return not owner, path.count("."), path

    best = min(public, key=rank)
    _FOUND[id(fn)] = (fn, (best, holders[best]))
    return _FOUND[id(fn)][1]


@dataclass
class Template:
    """One parsed adjoint rule."""

    op: OpKey
    name: str
    output: str
    signature: inspect.Signature
    inputs: tuple[str, ...]
    body: list[ast.stmt]
    broadcasts: bool
    elementwise: bool
    source: str
    outputs: tuple[str, ...] = ()
    sequences: tuple[str, ...] = ()
    single_output: tuple[str, object] | None = None
    """(option, value): given as that literal, the call returns one array (svd's compute_uv=False)."""
    no_gradient: tuple[str, ...] = ()
    """Inputs the rule gives no adjoint although their gradient is not zero (the order `v` of
    scipy.special.iv): a call where one depends on the differentiated arguments is refused."""
    linear: tuple[str, ...] = ()
    """Inputs the operation is linear in, jointly (`x + y`, `x.reshape(s)`, `np.stack`): its
    tangent is the operation itself applied to their tangents."""
    multilinear: tuple[str, ...] = ()
    """Inputs the operation is linear in, each on its own (`x * y`, `a @ b`): its tangent is the
    sum, over the varied inputs, of the operation with that input replaced by its tangent."""
    tangent: list[ast.stmt] | None = None
    """The body of the rule's own tangent (`@tangent`), assigning `t<output>` from the inputs'
    tangents `t<input>`; None where the tangent comes from `linear`, `multilinear` or, for an
    elementwise rule, from the adjoint itself."""

    @property
    def key(self) -> str:
        """The operation's string, as `Assignment.op` writes it: `str(self.op)`."""
        return str(self.op)

    def propagates_to(self) -> set[str]:
        """The inputs this rule assigns an adjoint to, and the options it does (an option
        such as `weights=None` gets one where a varied array is passed for it)."""
        known = self.__dict__.get("_propagates_to")
        if known is None or known[0] is not self.body:
            known = self.__dict__["_propagates_to"] = (self.body, self._assigned_adjoints())
        return set(known[1])

    def _assigned_adjoints(self) -> frozenset[str]:
        assigned = set()
        for node in ast.walk(ast.Module(self.body, [])):
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AugAssign) else [])
            for target in targets:
                while isinstance(target, ast.Subscript):
                    target = target.value
                if isinstance(target, ast.Name) and target.id.startswith("d"):
                    assigned.add(target.id[1:])
        return frozenset(assigned & set(self.signature.parameters))

    def tangent_form(self) -> str | None:
        """How the operation's tangent (forward mode) is made: "rule" (its own `@tangent`),
        "linear", "multilinear", "diagonal" (an elementwise rule's adjoint, whose Jacobian is
        diagonal and so its own transpose), or None where it has none."""
        if self.tangent is not None:
            return "rule"
        if self.linear:
            return "linear"
        if self.multilinear:
            return "multilinear"
        if self.elementwise and len(self.inputs) == 1 and not self.outputs:
            return "diagonal"
        return None

    def tangent_body(self) -> list[ast.stmt] | None:
        """The tangent's statements where the rule has them (form "rule" or "diagonal"):
        the diagonal one is the adjoint's with `dy` read as `tx` and `dx` assigned as `ty`."""
        if self.tangent is not None:
            return self.tangent
        if self.tangent_form() != "diagonal":
            return None
        (source,) = self.inputs
        swapped = {"d" + self.output: "t" + source, "d" + source: "t" + self.output}
        body = copy.deepcopy(self.body)
        for node in ast.walk(ast.Module(body, [])):
            if isinstance(node, ast.Name) and node.id in swapped:
                node.id = swapped[node.id]
        return body

    def reads(self) -> set[str]:
        """The names the rule's body reads."""
        return {n.id for n in name_nodes(ast.Module(self.body, [])) if isinstance(n.ctx, ast.Load)}


class Rules(MutableMapping):
    """The rules by key: a mapping of `OpKey` to `Template` that may also be indexed with a
    key's string (an `Assignment.op`) or a callable, each read by `op_key`."""

    def __init__(self) -> None:
        self._rules: dict[OpKey, Template] = {}
        self.generation = 0
        """How many times a rule was set or removed: what the persistent cache's key reads."""
        self.sealed = False
        """Whether s2sad's own rules are all registered (its import is done)."""
        self.changed: set[OpKey] = set()
        """The keys set or removed since then: the user's rules."""

    def __getitem__(self, key: OpKey | str) -> Template:
        return self._rules[self._key(key)]

    def __setitem__(self, key: OpKey | str, template: Template) -> None:
        key = self._key(key)
        self._rules[key] = template
        self._changed(key)

    def __delitem__(self, key: OpKey | str) -> None:
        key = self._key(key)
        del self._rules[key]
        self._changed(key)

    def _changed(self, key: OpKey) -> None:
        self.generation += 1
        if self.sealed:
            self.changed.add(key)

    def __iter__(self) -> Iterator[OpKey]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        return f"Rules({len(self)} rules)"

    @staticmethod
    def _key(key: object) -> OpKey:
        found = op_key(key, search=False)
        if found is None:
            raise KeyError(key)
        return found


REGISTRY = Rules()
"""Every adjoint rule, by the key of its operation."""
METHODS: dict[str, OpKey] = {}
"""Array method name → the key of the operation it is: its function's (`sum` → `numpy.sum`),
or its own (`method.argmax`) for a method declared non-differentiable."""
NONDIFFERENTIABLE: set[OpKey] = set()
"""The keys of the operations whose results carry no gradient (ask `is_nondifferentiable`)."""


def _statements(source: str) -> list[ast.stmt]:
    """The body of the function definition `source`, without its docstring."""
    definition = ast.parse(source).body[0]
    assert isinstance(definition, ast.FunctionDef)
    body = definition.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return body


def _with_checks(signature: inspect.Signature, checks: Callable) -> inspect.Signature:
    """The rule's parameters, then those of `checks` it lacks (options, each with a default)."""
    own = signature.parameters
    added = []
    for parameter in inspect.signature(checks).parameters.values():
        if parameter.default is inspect.Parameter.empty:
            raise TypeError(f"{checks.__name__}'s parameter {parameter.name} has no default: "
                            "a check tests options, whose defaults it names")
        if parameter.name not in own:
            added.append(parameter)
        elif own[parameter.name].default != parameter.default:
            raise TypeError(f"{checks.__name__}'s {parameter.name} defaults to "
                            f"{parameter.default!r}, the rule's to {own[parameter.name].default!r}")
    return signature.replace(parameters=[*own.values(), *added])


def adjoint(
    fn: Callable | str,
    *,
    broadcasts: bool = False,
    elementwise: bool = False,
    methods: tuple[str, ...] = (),
    outputs: tuple[str, ...] = (),
    sequences: tuple[str, ...] = (),
    single_output: tuple[str, object] | None = None,
    checks: Callable | None = None,
    no_gradient: tuple[str, ...] = (),
    linear: tuple[str, ...] = (),
    multilinear: tuple[str, ...] = (),
) -> Callable[[Callable], Callable]:
    """Register the decorated template as the adjoint rule of `fn`.

    `broadcasts`: the inputs broadcast against each other, so each input's
    adjoint is summed back to that input's shape. `elementwise`: one input,
    output of the same shape. `methods`: array methods that are the same
    operation with the array as first argument (`x.sum()`). `outputs`: the
    names of the components of a tuple result; `single_output=(option, value)`:
    with that option given as that literal, the result is one array instead, read
    as the output and its adjoint (svd's compute_uv=False). `sequences`: the
    inputs that are lists or tuples of arrays. `checks`: a function of options, parsed
    like a template, whose `if`s refuse values of them (`out=` of the reductions, the
    keywords of every ufunc): its statements come before the rule's own, and its
    parameters the rule lacks become options of the rule, after its own. `no_gradient`: the
    inputs whose gradient the rule does not compute though it is not zero (an order, a
    count): a call where one depends on the differentiated arguments is refused, as a
    varied option the rule gives no adjoint is. `linear` / `multilinear`: the inputs the
    operation is linear in, jointly or each on its own, from which its tangent (forward mode)
    is made; an operation that is neither takes its tangent from `@tangent`.
    """

    def register(template: Callable) -> Callable:
        source = textwrap.dedent(inspect.getsource(template))
        body = _statements(source)
        signature = inspect.signature(template)
        params = list(signature.parameters.values())
        output, rest = params[0].name, params[1:]
        _refuse_adjoint_as_output(template, output, body)
        inputs = tuple(
            p.name for p in rest
            if p.default is inspect.Parameter.empty and p.kind is not p.VAR_POSITIONAL
        )
        signature = signature.replace(parameters=rest)
        if checks is not None:
            signature = _with_checks(signature, checks)
            body = _statements(textwrap.dedent(inspect.getsource(checks))) + body
        key = _registered_key(fn)
        REGISTRY[key] = Template(
            op=key,
            name=template.__name__,
            output=output,
            signature=signature,
            inputs=inputs,
            body=body,
            broadcasts=broadcasts,
            elementwise=elementwise,
            source=source,
            outputs=tuple(outputs),
            sequences=tuple(sequences),
            single_output=single_output,
            no_gradient=tuple(no_gradient),
            linear=tuple(linear),
            multilinear=tuple(multilinear),
        )
        for method in methods:
            METHODS[method] = key
        return template

    return register


def _refuse_adjoint_as_output(template: Callable, output: str, body: list[ast.stmt]) -> None:
    """`def rule(dy, x): dx = dy * ...`: the first parameter names the output, whose adjoint
    the body reads as `d<output>`; a first parameter named like an adjoint, whose own
    adjoint the body never reads, is the output's value read as if it were its adjoint."""
    read = {n.id for statement in body for n in ast.walk(statement) if isinstance(n, ast.Name)}
    if output.startswith("d") and output in read and f"d{output}" not in read:
        raise TypeError(
            f"{template.__name__}: the first parameter names the operation's output, and the "
            f"body reads the output's adjoint as `d` + that name; `{output}` here is the "
            f"output's value, not its adjoint (`d{output}`). Name the output "
            f"`{output[1:] or 'y'}` and read its adjoint as `{output}`"
        )


def tangent(fn: Callable | str) -> Callable[[Callable], Callable]:
    """Register the decorated template as the tangent (forward-mode) rule of `fn`, whose
    adjoint rule is registered already.

    Its parameters are the adjoint rule's (the output, then inputs and options by the same
    names); its body assigns `t<output>` (`ty`), or each component's `t<name>` for a rule
    with `outputs=`, reading the inputs' tangents `t<input>`. A tangent that does not vary
    reads as zero: terms it multiplies vanish, where it is added it drops out, elsewhere it
    is an array of zeros. `if`s test options, as in the adjoint; the adjoint's refusals
    apply to the tangent too.
    """

    def register(template: Callable) -> Callable:
        key = _registered_key(fn)
        rule = REGISTRY.get(key)
        if rule is None:
            raise TypeError(f"register the adjoint rule of {key} before its tangent")
        names = list(inspect.signature(template).parameters)
        known = [rule.output, *rule.signature.parameters]
        if names[0] != rule.output or not set(names) <= set(known):
            raise TypeError(f"the tangent of {key} must take the adjoint rule's parameters "
                            f"{tuple(known)}, got {tuple(names)}")
        # a new template, not this one changed: the registry's generation counts it
        REGISTRY[key] = dataclasses.replace(
            rule, tangent=_statements(textwrap.dedent(inspect.getsource(template))))
        return template

    return register


def nondifferentiable(*fns: Callable | str, methods: tuple[str, ...] = ()) -> None:
    """Declare operations whose results carry no gradient (shapes, comparisons, argmax ...)."""
    for fn in fns:
        NONDIFFERENTIABLE.add(_registered_key(fn))
    for method in methods:
        key = OpKey(Kind.METHOD, method)
        METHODS.setdefault(method, key)
        NONDIFFERENTIABLE.add(key)


def _resolved(op: OpKey | str) -> OpKey:
    """The key of the operation, a method resolved to the operation it is."""
    key = op_key(op)
    return METHODS.get(key.name, key) if key.kind is Kind.METHOD else key


def lookup(op: OpKey | str) -> Template | None:
    """The template for an operation (its key or its string), methods resolved to their function."""
    return REGISTRY.get(_resolved(op))


def is_nondifferentiable(op: OpKey | str) -> bool:
    """True for operations whose output never carries a gradient."""
    return _resolved(op) in NONDIFFERENTIABLE
