"""Static values: containers whose structure is known when the gradient is generated, and
functions passed as values.

A container argument of a known `Structure` (a list of `(W, b)` tuples, a dict, a
NamedTuple, a dataclass) is lowered to a static tree: `ast.List`, `ast.Tuple` and
`ast.Dict` nodes marked `static`, whose leaves are the variables the function reads the
arrays into at its start (`params_0_1 = params[0][1]`, a "leaf" assignment). Indexing,
slicing, attribute reads, `len`, unpacking and loops over such a tree are resolved here,
when the gradient is generated, as JAX resolves them while tracing: a loop over a list of
layers unrolls. A function used as a value (`nonlinearity=np.tanh`, a list of layer
functions, a callee's argument) is a `FunctionValue`; calling it is calling the function.
"""

from __future__ import annotations

import ast
import builtins
import types

from ..ir import Assignment, Operation
from ..resolve import MISSING, is_array_module, is_constant_value
from ..structure import Structure

_STATIC_BUILTINS = {"len", "zip", "enumerate", "reversed", "list", "tuple"}
_TYPE_TESTS = {"isinstance", "callable", "hasattr"}


class FunctionValue(ast.expr):
    """A function used as a value: `np.tanh`, the user's `relu`, a local `def`."""

    _fields = ()

    def __init__(self, function: object = None, written: str = "", local: tuple | None = None):
        super().__init__()
        self.function = function
        self.written = written
        self.local = local
        """For a function defined in the function being lowered: (definition, scope)."""


class Lowered(ast.expr):
    """A value already lowered, put back into an expression (`f(*args)` spread)."""

    _fields = ()

    def __init__(self, value: ast.expr | None = None):
        super().__init__()
        self.value = value


def static(node: ast.expr, record: type | None = None, fields: tuple = ()) -> ast.expr:
    """Mark a display node as a static tree (`record`: a NamedTuple's or dataclass's class)."""
    node.static = True
    node.record = record
    node.fields = fields
    return node


def is_static(node: object) -> bool:
    return isinstance(node, FunctionValue) or getattr(node, "static", False)


def items_of(node: ast.expr) -> list[ast.expr] | None:
    """What iterating a static tree yields: a sequence's items, a dict's keys."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)  # a static tree, or the tuple an inlined call returns
    if not is_static(node) or isinstance(node, FunctionValue):
        return None
    if isinstance(node, ast.Dict):
        return list(node.keys) if node.record is None else None
    return list(node.elts)


def is_function(value: object) -> bool:
    """A function s2sad can call: NumPy's, the user's, a builtin; not a class or module."""
    if isinstance(value, (type, types.ModuleType)) or value is MISSING or is_array_module(value):
        return False
    return callable(value) and not hasattr(value, "shape")


def _row(array: ast.Name, position: int) -> Operation:
    """`array[position]`, one row of an array zipped with a container."""
    index = ast.Constant(position)
    return Operation(ast.Subscript(array, index, ast.Load()), "getitem", [array, index])


def _field_position(node: ast.expr, key: object) -> int | None:
    fields = getattr(node, "fields", ())
    return fields.index(key) if key in fields else None


class TreeLowering:
    """The static-tree part of the `Normalizer` (see lowering.py, which holds the state
    these methods share)."""

    def static_argument(self, parameter: str, structure: Structure, node: ast.AST,
                        path: tuple = (), spelled: tuple = ()) -> ast.expr:
        """The static tree of the argument `parameter`, of this `structure`, at `path`."""
        kind = structure.kind
        if kind == "constant":
            return ast.Constant(structure.value)
        if kind == "function":
            return FunctionValue(structure.value, parameter + "".join(f"[{p!r}]" for p in spelled))
        if kind == "leaf":
            leaf = self.tree_leaf(parameter, path, node)
            self.leaf_types[leaf.id] = structure.type
            return leaf
        children = []
        for position, child in enumerate(structure.children):
            if kind in ("dict", "dataclass"):
                step, shown = structure.keys[position], structure.keys[position]
            else:
                step, shown = position, position
            children.append(self.static_argument(parameter, child, node, (*path, step),
                                                 (*spelled, shown)))
        if kind == "dict":
            return static(ast.Dict([ast.Constant(k) for k in structure.keys], children))
        if kind == "dataclass":
            return static(ast.Dict([ast.Constant(k) for k in structure.keys], children),
                          structure.type, structure.keys)
        display = ast.List(children, ast.Load()) if kind == "list" else ast.Tuple(children, ast.Load())
        if kind == "namedtuple":
            return static(display, structure.type, structure.keys)
        return static(display)

    def tree_leaf(self, parameter: str, path: tuple, node: ast.AST) -> ast.Name:
        """The variable the function reads the argument's leaf at `path` into, at its start."""
        key = (parameter, path)
        if key not in self.leaves:
            name = self.names.fresh("_".join([parameter, *(str(p) for p in path)]))
            value: ast.expr = ast.Name(parameter, ast.Load())
            for step in path:
                value = ast.Subscript(value, ast.Constant(step), ast.Load()) if not isinstance(
                    step, str) or not self.is_record_path(parameter, path, step) else ast.Attribute(
                    value, step, ast.Load())
            self.leaves[key] = Assignment(name, value, "leaf", [ast.Name(parameter, ast.Load())], {},
                                          self.origin(node), f"{ast.unparse(value)}, read at the start",
                                          user_variable=True)
            self.leaf_names.add(name)
        return ast.Name(self.leaves[key].target, ast.Load())

    def is_record_path(self, parameter: str, path: tuple, step: str) -> bool:
        """Whether `step` of `path` reads a dataclass field (an attribute), not a dict key."""
        structure = self.structures[parameter]
        for part in path:
            if part == step and structure.kind == "dataclass":
                return True
            position = structure.keys.index(part) if isinstance(part, str) else part
            structure = structure.children[position]
        return False

    def static_or_none(self, node: ast.expr) -> ast.expr | None:
        """`node`'s static value (a static tree, an item of one, a function), or None where it
        has none; lowers nothing unless the value is static."""
        if isinstance(node, Lowered):
            return node.value if is_static(node.value) or isinstance(
                node.value, (ast.List, ast.Tuple)) else None
        if isinstance(node, ast.Name):
            local = self.scope.lookup(node.id)
            if local is not None:
                return local if is_static(local) else None
            if local is None and node.id in self.scope.versions:
                return None
            definition = self.scope.local_function(node.id)
            if definition is not None:
                return FunctionValue(None, node.id, definition)
            value = self.scope.source.resolver.lookup(node.id)
            if isinstance(value, (list, tuple, dict)) and not is_constant_value(value):
                resolved = self.name(node)  # a container of the module's: a static tree
                return resolved if is_static(resolved) else None
            return FunctionValue(value, node.id) if is_function(value) else None
        if isinstance(node, ast.Attribute):
            base = self.static_or_none(node.value)
            if base is not None:
                return self.static_attribute(base, node.attr, node) if is_static(base) and not \
                    isinstance(base, FunctionValue) else None
            target = self.module_attribute(node)
            return FunctionValue(target, ast.unparse(node)) if target is not MISSING \
                and is_function(target) else None
        if isinstance(node, ast.Subscript):
            base = self.static_or_none(node.value)
            if base is None or not is_static(base) or isinstance(base, FunctionValue):
                return None  # a leaf's own indexing is array indexing
            return self.static_subscript(base, self.index(node.slice), node)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _TYPE_TESTS and self.scope.lookup(
                    func.id) is None and self.scope.source.resolver.lookup(func.id) is getattr(
                    builtins, func.id):
                return self.type_test(func.id, node)
            if isinstance(func, ast.Name) and func.id in _STATIC_BUILTINS and self.scope.lookup(
                    func.id) is None and self.scope.source.resolver.lookup(func.id) is getattr(
                    builtins, func.id):
                args = [self.static_or_none(a) for a in node.args]
                if all(a is not None for a in args):
                    return self.static_call(func.id, args, node)
            if isinstance(func, ast.Attribute) and func.attr in ("items", "keys", "values"):
                base = self.static_or_none(func.value)
                if base is not None:
                    return self.static_method(base, func.attr, node)
        return None

    def type_test(self, name: str, node: ast.Call) -> ast.Constant | None:
        """`isinstance(x, T)`, `callable(x)`, `hasattr(x, "a")` where the type of x is known
        when the gradient is generated (the arguments' structure says it); else None."""
        if not node.args or node.keywords:
            return None
        known = self.known_type(node.args[0])
        if known is None:
            return None
        if name == "callable" and len(node.args) == 1:
            # A function value is callable; of a class, its instances are where it defines
            # __call__ (an array, a number, a container are not).
            return ast.Constant(isinstance(known, FunctionValue) or "__call__" in dir(known))
        if isinstance(known, FunctionValue):
            known = type(known.function)
        if name == "isinstance" and len(node.args) == 2:
            classes = self.known_classes(node.args[1])
            return None if classes is None else ast.Constant(issubclass(known, classes))
        if name == "hasattr" and len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
            return ast.Constant(hasattr(known, node.args[1].value) or node.args[1].value in
                                self.fields_of(node.args[0]))
        return None

    def known_type(self, node: ast.expr) -> object:
        """The class of the value `node` holds, where the gradient's arguments tell it; a
        `FunctionValue` for a function."""
        value = self.static_or_none(node)
        if value is None and isinstance(node, ast.Name):
            value = self.scope.lookup(node.id)
        if isinstance(value, FunctionValue):
            return value
        if isinstance(value, ast.Dict):
            return value.record or dict
        if isinstance(value, (ast.List, ast.Tuple)) and is_static(value):
            return value.record or (list if isinstance(value, ast.List) else tuple)
        if isinstance(value, ast.Constant):
            return type(value.value)
        if isinstance(value, ast.Name):
            return self.leaf_types.get(value.id)
        return None

    def fields_of(self, node: ast.expr) -> tuple:
        value = self.static_or_none(node)
        return getattr(value, "fields", ()) if value is not None else ()

    def known_classes(self, node: ast.expr) -> tuple | None:
        """The classes `isinstance`'s second argument names: `list`, `(list, tuple)`,
        `np.ndarray`, a class of the user's."""
        parts = node.elts if isinstance(node, ast.Tuple) else [node]
        classes = []
        for part in parts:
            if isinstance(part, ast.Name) and self.scope.lookup(part.id) is None:
                value = self.scope.source.resolver.lookup(part.id)
            elif isinstance(part, ast.Attribute):
                value = self.module_attribute(part)
            else:
                return None
            if not isinstance(value, type):
                return None
            classes.append(value)
        return tuple(classes)

    def static_subscript(self, value: ast.expr, index: ast.expr, node: ast.AST) -> ast.expr:
        """`params[-1]`, `params[1:]`, `params["w"]` of a static tree."""
        if isinstance(value, ast.Dict):
            if isinstance(index, ast.Constant):
                for key, item in zip(value.keys, value.values):
                    if key.value == index.value and type(key.value) is type(index.value):
                        return item
                raise self.unsupported(node, f"the dict has no key {index.value!r}",
                                       f"its keys are {', '.join(repr(k.value) for k in value.keys)}")
            raise self.unsupported(node, "a dict argument can be read only with keys written as "
                                   "constants", "write the key itself, `params[\"w\"]`")
        if not isinstance(value, (ast.List, ast.Tuple)):
            raise self.unsupported(node, "this item of the container is not a container",
                                   "index the arrays themselves with array indexing")
        elts = list(value.elts)
        if isinstance(index, ast.Slice):
            bounds = [self.static_number(part, node) for part in (index.lower, index.upper, index.step)]
            part = elts[slice(*bounds)]
            display = ast.List(part, ast.Load()) if isinstance(value, ast.List) else ast.Tuple(part, ast.Load())
            return static(display)
        position = self.static_number(index, node)
        if type(position) is not int or not -len(elts) <= position < len(elts):
            raise self.unsupported(node, f"index {position!r} is out of range for {len(elts)} items",
                                   "index within the container's length")
        return elts[position]

    def static_number(self, node: ast.expr | None, where: ast.AST) -> int | None:
        """An index known when the gradient is generated: a literal, or a loop's unrolled count."""
        if node is None:
            return None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
                and isinstance(node.operand, ast.Constant):
            return -node.operand.value
        if isinstance(node, ast.Constant) and (node.value is None or type(node.value) is int):
            return node.value
        raise self.unsupported(where, "this container's structure is fixed when the gradient is "
                               "generated, but this index is known only when it runs",
                               "index it with constants or the variable of a loop over it "
                               "(`for W, b in params:`, `for i in range(len(params)):`)")

    def static_attribute(self, value: ast.expr, attribute: str, node: ast.AST) -> ast.expr:
        """`p.W` of a NamedTuple or dataclass argument."""
        position = _field_position(value, attribute)
        if position is None:
            raise self.unsupported(node, f"`{ast.unparse(node)}` is not a field of the argument",
                                   f"its fields are {', '.join(getattr(value, 'fields', ()))}")
        items = value.values if isinstance(value, ast.Dict) else value.elts
        return items[position]

    def static_call(self, name: str, args: list[ast.expr], node: ast.Call) -> ast.expr | None:
        """`len`, `zip`, `enumerate`, `reversed`, `list`, `tuple` of static trees, resolved
        now; None where the call is not one of them or its arguments are not static."""
        sequences = [items_of(a) for a in args]
        if name == "zip" and args and any(s is not None for s in sequences) and all(
                s is not None or isinstance(a, ast.Name) for a, s in zip(args, sequences)):
            # zip of a container known now and arrays: the arrays' rows, as many as its items
            count = min(len(s) for s in sequences if s is not None)
            sequences = [s if s is not None else [_row(a, i) for i in range(count)]
                         for a, s in zip(args, sequences)]
        if not args or any(s is None for s in sequences) or node.keywords:
            return None
        if name == "len" and len(args) == 1:
            return ast.Constant(len(sequences[0]))
        if name == "zip":
            return static(ast.List([static(ast.Tuple(list(group), ast.Load()))
                                    for group in zip(*sequences)], ast.Load()))
        if name == "enumerate" and len(args) == 1:
            return static(ast.List([static(ast.Tuple([ast.Constant(i), item], ast.Load()))
                                    for i, item in enumerate(sequences[0])], ast.Load()))
        if name == "reversed" and len(args) == 1:
            return static(ast.List(list(reversed(sequences[0])), ast.Load()))
        if name in ("list", "tuple") and len(args) == 1:
            kind = ast.List if name == "list" else ast.Tuple
            return static(kind(list(sequences[0]), ast.Load()))
        return None

    def static_method(self, receiver: ast.expr, method: str, node: ast.Call) -> ast.expr | None:
        """`d.items()`, `d.keys()`, `d.values()` of a static dict."""
        if not (isinstance(receiver, ast.Dict) and receiver.record is None) or node.args:
            return None
        if method == "keys":
            return static(ast.List(list(receiver.keys), ast.Load()))
        if method == "values":
            return static(ast.List(list(receiver.values), ast.Load()))
        if method == "items":
            return static(ast.List([static(ast.Tuple([k, v], ast.Load()))
                                    for k, v in zip(receiver.keys, receiver.values)], ast.Load()))
        return None

    def static_join(self, node: ast.BinOp, left: ast.expr, right: ast.expr) -> ast.expr | None:
        """`a + b` of two tuples (or lists) known now: the joined static tuple."""
        if not isinstance(node.op, ast.Add) or not (is_static(left) or is_static(right)):
            return None
        if not all(isinstance(v, (ast.Tuple, ast.List)) for v in (left, right)) \
                or type(left) is not type(right):
            return None
        return static(type(left)([*left.elts, *right.elts], ast.Load()))

    def bind_static(self, target: ast.expr, value: ast.expr, node: ast.AST) -> None:
        """Bind a loop's or an unpacking's target to a static value, item by item."""
        if isinstance(target, ast.Name):
            if isinstance(value, ast.Name) and value.id in self.leaf_names:
                self.scope.versions[target.id] = ast.Name(self.name_leaf(value.id, target.id),
                                                          ast.Load())
            elif is_static(value) or isinstance(value, (ast.Constant, ast.Name)):
                self.scope.versions[target.id] = value
            else:
                self.bind(target.id, value, node, len(self.body))
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            items = items_of(value) if is_static(value) else (
                list(value.elts) if isinstance(value, (ast.Tuple, ast.List)) else None)
            starred = [i for i, part in enumerate(target.elts) if isinstance(part, ast.Starred)]
            if items is not None and len(starred) == 1 and len(items) >= len(target.elts) - 1:
                first, after = starred[0], len(target.elts) - starred[0] - 1
                middle = static(ast.List(items[first:len(items) - after], ast.Load()))
                items = [*items[:first], middle, *items[len(items) - after:]]
                target = ast.Tuple([p.value if isinstance(p, ast.Starred) else p
                                    for p in target.elts], ast.Load())
            if items is None or len(items) != len(target.elts):
                raise self.unsupported(target, f"{len(target.elts)} names for "
                                       f"{'a value' if items is None else len(items)} values",
                                       "unpack as many names as there are items")
            for part, item in zip(target.elts, items):
                self.bind_static(part, item, node)
            return
        raise self.unsupported(target, "only names and tuples of names can take a container's items",
                               "assign each item to a name")

    def unrolled_items(self, iterator: ast.expr) -> list[ast.expr] | None:
        """The items of a loop to unroll: over a static tree, or over `range(len(tree))`."""
        items = items_of(self.static_or_none(iterator) or ast.Constant(None))
        if items is not None:
            return items
        if isinstance(iterator, ast.Call) and isinstance(iterator.func, ast.Name) \
                and iterator.func.id == "range" and self.scope.lookup("range") is None \
                and any(isinstance(n, ast.Call) and self.static_or_none(n) is not None
                        for arg in iterator.args for n in ast.walk(arg)):
            bounds = [self.atom(a) for a in iterator.args]
            numbers = [self.static_number(b, iterator) for b in bounds]
            return [ast.Constant(i) for i in range(*numbers)]
        return None

    def refuse_loop_exits(self, stmt: ast.For, iterated: str) -> None:
        """A loop whose body s2sad lowers once per item: no `break`, `continue`, `return` or
        `else`, whose effect would depend on values known only when it runs."""
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Break, ast.Continue, ast.Return)):
                raise self.unsupported(node, f"`{ast.unparse(node)}` in a loop over {iterated} is "
                                       "not supported", "compute the values first, then loop")
        if stmt.orelse:
            raise self.unsupported(stmt, "a loop's `else` is not supported",
                                   "move the `else` part after the loop")

    def unrolled_loop(self, stmt: ast.For, items: list[ast.expr]) -> None:
        """A `for` loop over a static tree: its body once per item, when the gradient is
        generated, as JAX unrolls a Python loop."""
        self.refuse_loop_exits(stmt, "a container")
        for item in items:
            self.scope.statement = stmt
            self.bind_static(stmt.target, item, stmt)
            returned = self.statements(list(stmt.body))
            assert returned is None
