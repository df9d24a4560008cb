"""The registry of adjoint rules ("templates") and the decorator that fills it.

A template is a Python function that is parsed, never run. Its first
parameter is the operation's output, the parameters without defaults are the
operation's inputs, those with defaults its options. Its body assigns `dx`
for each input `x` it propagates to, reading the output's adjoint `dy`, the
inputs, the output, `xp` (the array namespace) and the helpers of
`s2sad.templates.helpers`::

    @adjoint(np.tanh)
    def tanh(y, x):
        dx = dy * (1.0 - y * y)

`if` statements in a template must test options only; they are decided when
the template is instantiated. A `raise` in the chosen branch refuses the call.
`dx[index] += value` adds into a region of `dx` (indexing's adjoint).

An operation that returns a tuple (`w, v = np.linalg.eigh(a)`) names its
components with `outputs=("w", "v")`: the body reads them as `w`, `v` and
their adjoints as `dw`, `dv`; a component whose adjoint does not flow reads as
zeros. The forward must unpack such a result (or index it with a constant).

An input that is a list or tuple of arrays (`np.stack([a, b])`) is named in
`sequences=("arrays",)`; the body assigns each element's adjoint as
`darrays[i] = ...`, `i` standing for the element's position.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from ..resolve import canonical_name


@dataclass
class Template:
    """One parsed adjoint rule."""

    key: str
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

    def propagates_to(self) -> set[str]:
        """The inputs this rule assigns an adjoint to, and the options it does (an option
        such as `weights=None` gets one where a varied array is passed for it)."""
        assigned = set()
        for node in ast.walk(ast.Module(self.body, [])):
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AugAssign) else [])
            for target in targets:
                while isinstance(target, ast.Subscript):
                    target = target.value
                if isinstance(target, ast.Name) and target.id.startswith("d"):
                    assigned.add(target.id[1:])
        return assigned & set(self.signature.parameters)

    def reads(self) -> set[str]:
        """The names the rule's body reads."""
        return {n.id for n in ast.walk(ast.Module(self.body, [])) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load)}


REGISTRY: dict[str, Template] = {}
METHODS: dict[str, str] = {}
NONDIFFERENTIABLE: set[str] = set()


def key_of(fn: Callable | str) -> str:
    """The registry key of an operation: its canonical NumPy name, the string given, or
    `module.name` where it can be imported from (`scipy.special.erf`)."""
    if isinstance(fn, str):
        return fn
    name = canonical_name(fn)
    if name is not None:
        return name
    home = home_of(fn)
    if home is None:
        raise TypeError(
            f"cannot register an adjoint rule for {fn!r}: it has no __module__, and no imported "
            "module has it as a public attribute, so generated code could not import it; "
            "wrap it in a function at the top level of a module and register the rule for that"
        )
    return ".".join(home)


_FOUND: dict[int, tuple[object, tuple[str, str]]] = {}
"""The homes `home_of` searched for, by id (the object is kept, so the id stays its own)."""


def home_of(fn: object, search: bool = True) -> tuple[str, str] | None:
    """`(module, name)` such that `from module import name` gives `fn`, or None.

    A function names its own (`__module__`, `__qualname__`). An object without them, such
    as a ufunc of scipy.special, is searched for among the imported modules (where
    `search`): the public module that holds it under its `__name__`, preferring a package
    that holds it from one of its own submodules (scipy.special, not a module of yours that
    imported it), then the shortest path. The answer is kept, so it does not change later.
    """
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str):
        return module, qualname
    if id(fn) in _FOUND:
        return _FOUND[id(fn)][1]
    name = getattr(fn, "__name__", None)
    if not search or not isinstance(name, str):
        return None
    holders = [path for path, held in list(sys.modules.items())
               if getattr(held, "__dict__", {}).get(name) is fn]
    public = [path for path in holders if not any(p.startswith("_") for p in path.split("."))]
    if not public:
        return None

    def rank(path: str) -> tuple[bool, int, str]:
        owner = any(other.startswith(path + ".") for other in holders)
        return not owner, path.count("."), path

    _FOUND[id(fn)] = (fn, (min(public, key=rank), name))
    return _FOUND[id(fn)][1]


def adjoint(
    fn: Callable | str,
    *,
    broadcasts: bool = False,
    elementwise: bool = False,
    methods: tuple[str, ...] = (),
    outputs: tuple[str, ...] = (),
    sequences: tuple[str, ...] = (),
    single_output: tuple[str, object] | None = None,
) -> Callable[[Callable], Callable]:
    """Register the decorated template as the adjoint rule of `fn`.

    `broadcasts`: the inputs broadcast against each other, so each input's
    adjoint is summed back to that input's shape. `elementwise`: one input,
    output of the same shape. `methods`: array methods that are the same
    operation with the array as first argument (`x.sum()`). `outputs`: the
    names of the components of a tuple result; `single_output=(option, value)`:
    with that option given as that literal, the result is one array instead, read
    as the output and its adjoint (svd's compute_uv=False). `sequences`: the
    inputs that are lists or tuples of arrays.
    """

    def register(template: Callable) -> Callable:
        source = textwrap.dedent(inspect.getsource(template))
        definition = ast.parse(source).body[0]
        assert isinstance(definition, ast.FunctionDef)
        body = definition.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        signature = inspect.signature(template)
        params = list(signature.parameters.values())
        output, rest = params[0].name, params[1:]
        inputs = tuple(
            p.name for p in rest
            if p.default is inspect.Parameter.empty and p.kind is not p.VAR_POSITIONAL
        )
        key = key_of(fn)
        REGISTRY[key] = Template(
            key=key,
            name=template.__name__,
            output=output,
            signature=signature.replace(parameters=rest),
            inputs=inputs,
            body=body,
            broadcasts=broadcasts,
            elementwise=elementwise,
            source=source,
            outputs=tuple(outputs),
            sequences=tuple(sequences),
            single_output=single_output,
        )
        for method in methods:
            METHODS[method] = key
        return template

    return register


def nondifferentiable(*fns: Callable | str, methods: tuple[str, ...] = ()) -> None:
    """Declare operations whose results carry no gradient (shapes, comparisons, argmax ...)."""
    for fn in fns:
        NONDIFFERENTIABLE.add(key_of(fn))
    for method in methods:
        METHODS.setdefault(method, "method." + method)
        NONDIFFERENTIABLE.add("method." + method)


def lookup(op: str) -> Template | None:
    """The template for an operation key, methods resolved to their function."""
    return REGISTRY.get(METHODS.get(op[len("method."):], op) if op.startswith("method.") else op)


def is_nondifferentiable(op: str) -> bool:
    """True for operations whose output never carries a gradient."""
    if op.startswith("method."):
        op = METHODS.get(op[len("method."):], op)
    return op in NONDIFFERENTIABLE
