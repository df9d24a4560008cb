"""Calls that become one operation with a registered rule instead of being inlined.

Three kinds: the layers of `s2sad.nn` (their source is copied into the generated
module), the functions given a rule with `s2sad.adjoint` (imported into the
generated module from their module, by name; for a method of a module's instance,
such as scipy.stats.norm.logpdf, the instance), and
`s2sad.stop_gradient(x)` (the forward reads `x`; no gradient flows through it).
"""

from __future__ import annotations

import ast
import builtins
import sys
import types

from ..errors import UnknownFunctionError
from ..ir import Operation
from ..nn import stop_gradient
from ..registry import home_of, rule_key
from ..runtime import HELPER_NAMES
from ..syntax import name_nodes
from ..templates import REGISTRY, Template

NN_MODULE = "s2sad.nn"
STOP_GRADIENT = "s2sad.nn.stop_gradient"


def rule_hint(shown: str) -> str:
    """How to give `shown` a rule: the hint of every error about a function without one."""
    base = shown.rsplit(".", 1)[-1].lstrip("_") or "f"
    return (
        f"give `{shown}` an adjoint rule, at the top level of one of your modules "
        f"(y = {shown}(x)):\n"
        f"    @s2sad.adjoint({shown})\n"
        f"    def {base}_rule(y, x):\n"
        "        dx = dy * ...  # the adjoint of x, from dy (the adjoint of y), x and y\n"
        "or, for a value that needs no gradient, call it outside the function or wrap "
        "its result in s2sad.stop_gradient(...)"
    )


def ruled_call(normalizer, target: object, node: ast.Call):
    """The call as one operation, or None to inline it."""
    if target is stop_gradient:
        if len(node.args) != 1 or node.keywords:
            raise normalizer.unsupported(node, "`stop_gradient` takes one argument",
                                         "call it as `s2sad.stop_gradient(x)`")
        value = normalizer.atom(node.args[0])
        return Operation(value, STOP_GRADIENT, [value])
    key = rule_key(target)
    template = REGISTRY.get(key) if key is not None else None
    if template is None:
        return None
    if key.startswith(NN_MODULE + "."):
        callee = ast.Name(_function_name(normalizer, target.__name__, (NN_MODULE, target.__name__)),
                          ast.Load())
    elif _is_instance_method(target):  # `norm.logpdf`: the module's instance imported
        module, path = home_of(target)
        instance, _, method = path.rpartition(".")
        if getattr(sys.modules.get(module), instance, None) is not target.__self__:
            raise normalizer.unsupported(
                node.func, f"`{ast.unparse(node.func)}` has an adjoint rule, but `{module}."
                f"{instance}` no longer holds its instance", "call the method of the instance "
                "the module holds")
        callee = ast.Attribute(ast.Name(_function_name(normalizer, instance, (module, instance)),
                                        ast.Load()), method, ast.Load())
        _import_rule_names(normalizer, template, target, node)
    else:
        callee = ast.Name(_imported_name(normalizer, target, node), ast.Load())
        _import_rule_names(normalizer, template, target, node)
    args = [normalizer.atom(a) for a in node.args]
    keywords = {k.arg: normalizer.atom(k.value) for k in node.keywords}
    value = ast.Call(callee, args, [ast.keyword(k, v) for k, v in keywords.items()])
    return Operation(value, key, args, keywords)


def _is_instance_method(target: object) -> bool:
    """A method bound to an instance (not to a class or module): `scipy.stats.norm.logpdf`."""
    return isinstance(target, types.MethodType) and not isinstance(
        target.__self__, (type, types.ModuleType))


def _imported_name(normalizer, target, node: ast.Call) -> str:
    """The name the generated module imports a user's function by; refuses what has none."""
    shown = ast.unparse(node.func)
    module, qualname = home_of(target)
    if "<" in qualname or "." in qualname:
        kind = "a lambda" if "<lambda>" in qualname else "defined inside a function or class"
        raise normalizer.unsupported(
            node.func, f"`{shown}` has an adjoint rule, but it is {kind}, and the generated "
            "module must import it by name", f"define `{target.__name__}` at the top level of "
            "a module (its rule next to it)")
    if getattr(sys.modules.get(module), qualname, None) is not target:
        raise normalizer.unsupported(
            node.func, f"`{shown}` has an adjoint rule, but `{module}.{qualname}` is not this "
            "function, so the generated module cannot import it", "define it at the top level "
            "of a module, undecorated, and register its rule there")
    return _function_name(normalizer, target.__name__, (module, qualname))


def _import_rule_names(normalizer, template: Template, target, node: ast.Call) -> None:
    """Import the functions a user's rule calls (from the module of the function it is for)."""
    home = home_of(target)[0]
    module = sys.modules[home]
    for name in sorted(_free_names(template)):
        if not hasattr(module, name):
            raise UnknownFunctionError(
                f"the rule of `{target.__name__}` reads `{name}`, which is not a name of "
                f"the module {home}", normalizer.origin(node.func),
                "a rule may read its arguments, `xp`, s2sad's helpers and the names of the "
                "module that defines the function it is for")
        if _function_name(normalizer, name, (home, name)) != name:
            raise normalizer.unsupported(
                node.func, f"the rule of `{target.__name__}` calls `{name}`, a name this "
                "function also uses for something else", f"rename the variable `{name}`")


def _free_names(template: Template) -> set[str]:
    """The names a rule reads that are neither its parameters, its locals nor s2sad's."""
    tree = ast.Module(template.body, [])
    params = {template.output, *template.signature.parameters}
    known = params | {"d" + p for p in params} | {"xp"} | set(HELPER_NAMES) | set(vars(builtins))
    known |= {n.id for n in name_nodes(tree) if not isinstance(n.ctx, ast.Load)}
    return {n.id for n in name_nodes(tree) if n.id not in known}


def _function_name(normalizer, name: str, spec: tuple[str, str]) -> str:
    """`name` where the generated module can define it for `spec` (module, attribute), else
    a fresh name it is imported (or copied) as."""
    functions = normalizer.functions
    for taken, other in functions.items():
        if other == spec:
            return taken
    if name in functions or name in normalizer.constants or (
            name in normalizer.names.taken and name not in _references(normalizer.definition)):
        name = normalizer.names.fresh(name)
    normalizer.names.taken.add(name)
    functions[name] = spec
    return name


def _references(definition: ast.AST) -> set[str]:
    """The names the user's function only reads: global functions, not its own variables."""
    stored = {n.id for n in name_nodes(definition) if not isinstance(n.ctx, ast.Load)}
    stored |= {a.arg for a in ast.walk(definition) if isinstance(a, ast.arg)}
    return {n.id for n in name_nodes(definition)} - stored - set(HELPER_NAMES)
