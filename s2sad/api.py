"""The public API: grad, value_and_grad, vjp, jvp, the Jacobians and Hessians, and the
GradFunction they return."""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import html
import inspect
import linecache
import os
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy

from . import highlight
from .adjoint import Gradient, build_jacobian, differentiate, linearize, specializable
from .codegen import compile_function, module_source, save_source, store
from .codegen.cache import Build, BuildCache, BuildKey, Facts
from .errors import ArgumentTypeError, ArrayLibraryError, NotScalarError, S2SADError, WrtError
from .graph import dot as graph_dot
from .ir import Program
from .libraries import library_refusal
from .normalize import normalize
from .parser import display_name
from .resolve import Resolver, is_constant_value
from .structure import argument_structure, has_container, needs_structure

Wrt = str | int | Sequence[str | int] | None

_LOCK = threading.RLock()
"""Generation runs one function at a time: the caches and the parser's lazy imports are shared."""


@contextlib.contextmanager
def _generating() -> Iterator[None]:
    """Hold the generation lock, with the cyclic garbage collector paused: generation
    allocates syntax nodes by the hundred thousand and frees them as the passes go, and
    the collector's scans of them took a fifth of a long function's generation time. What
    cycles it leaves are collected once the collector runs again."""
    with _LOCK:
        paused = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if paused:
                gc.enable()


_CACHE = BuildCache()

_VARIANTS = 8
"""The most argument facts (kinds, shapes, dtypes) a gradient is specialized to: calls with
others run the general gradient."""


class GradFunction:
    """A generated gradient function, callable like the forward function.

    `source` is the generated module, `save(path)` writes it to disk, and
    `fun` is the original forward function. Each call checks that the functions and
    constants the forward reads are the ones the gradient was generated from, and
    generates it again where they changed.
    """

    __s2sad_gradient__ = True
    """How the parser, which must not import this module, recognises a gradient function."""

    def __init__(self, fun: Callable, wrt: Wrt, mode: str, has_aux: bool = False,
                 return_value: bool = False, checkpoint: bool = False):
        fun, self._prefix, self._fixed = _unwrap(fun)
        self.fun = fun
        self.mode = mode
        self.has_aux = has_aux
        self.return_value = return_value
        self.checkpoint = checkpoint
        self._wrt = _shifted(wrt, len(self._prefix))
        self._target = _gradient_of(fun, self._wrt) if mode in _OF_GRADIENT else fun
        """What the generated code differentiates: `fun`, or for a Hessian its gradient."""
        self._built: Build | None = None
        self._candidates: tuple[list[str], list[str]] = ([], [])
        self._signature = _signature_of(fun)
        self._plain_signature = _is_plain(self._signature)
        """No `*args`, `**kwargs` or default that is not a literal: only the arguments' own
        structure can call for a structured gradient."""
        self._structured: dict[tuple, Build] = {}
        self._structured_only = False
        """The generic gradient cannot serve this function's calls: go to the structured one."""
        self._direct = self._plain_signature and mode not in ("vjp", "jvp", "hvp")
        """A call of arrays and numbers alone may go straight to the generated function:
        it takes no cotangent or tangent keyword, and no structured gradient serves it."""
        self._refused: Exception | None = None
        """The generic gradient's refusal, where it has one."""
        self.__wrapped__ = fun
        self.__name__ = getattr(fun, "__name__", "function") + "_" + mode
        self.__doc__ = getattr(fun, "__doc__", None)

    @property
    def wrt(self) -> tuple[str, ...]:
        """The names of the parameters the gradient is taken with respect to."""
        return self._build().facts.wrt

    @property
    def source(self) -> str:
        """The generated module's source."""
        return self._build().source

    @property
    def differentiable_source(self) -> str:
        """The generated module as a gradient of this gradient reads it: the same code with
        its loops' tapes appended value by value and read back by position."""
        built = self._build()
        if built.differentiable is None:
            with _generating():
                built.differentiable = module_source(built.gradient, differentiable=True)
        return built.differentiable

    @property
    def gradient_seeds(self) -> list[tuple[str, Any]]:
        """The generated function's cotangent parameters, with their defaults."""
        return list(self._build().gradient.seeds)

    @property
    def program(self) -> Program:
        """The forward function as s2sad normalized it, which the gradient is generated from."""
        return self._build().gradient.program

    def graph(self, backward: bool = False) -> str:
        """The DAG the gradient is generated from, as DOT text (Graphviz's language): a node
        per input and per operation, the `wrt` parameters blue, other values white,
        operations green, loops and branches as clusters. `backward`: the adjoint graph, with
        an accumulation node (`+=`) wherever contributions add up."""
        return self._graph(self._build(), backward)

    def graph_for(self, *args: Any, backward: bool = False) -> str:
        """`graph` of the gradient that runs for these arguments (`source_for(*args)`): the
        one to draw for a function whose gradient is generated for its arguments' structure."""
        structured = self._structured_call(self._prefix + args, dict(self._fixed))
        return self._graph(structured[0] if structured is not None else self._build(), backward)

    def _graph(self, built: Build, backward: bool) -> str:
        program = built.gradient.program
        seeds = None
        if self.has_aux:
            seeds = [o.id for o in program.outputs[:1] if isinstance(o, ast.Name)]
        return graph_dot(program, list(built.facts.wrt), backward, seeds)

    @property
    def function(self) -> Callable:
        """The compiled generated gradient function (for the arguments' common case)."""
        return self._build().function

    def save(self, path: str | os.PathLike, overwrite: bool = False) -> None:
        """Write the generated module to `path`: it runs without s2sad installed."""
        save_source(self.source, path, overwrite)

    def save_for(self, path: str | os.PathLike, *args: Any, overwrite: bool = False) -> None:
        """Write the module that runs for these arguments (`source_for(*args)`): the one to
        save for a function whose gradient is generated for its arguments' structure."""
        save_source(self.source_for(*args), path, overwrite)

    def unchanged(self) -> bool:
        """Whether the generated gradient is still that of the code the forward would run."""
        return self._built is not None and self._built.unchanged()

    def source_for(self, *args: Any) -> str:
        """The source that runs for these arguments: `source`, the gradient generated for
        the structure of their containers and functions, or the variant specialized to the
        Python floats and element-by-element read 1-D arrays among them."""
        args = self._prefix + args
        structured = self._structured_call(args, dict(self._fixed))
        if structured is not None:
            return structured[0].source
        built = self._build()
        facts, _ = _facts(args)
        return self._variant(built, facts)[0] if facts and self._plain_signature \
            else built.source

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._prefix:
            args = self._prefix + args
        if self._fixed:
            kwargs = {**self._fixed, **kwargs}
        built = self._built
        facts, plain = _facts(args)
        if not kwargs and plain and self._direct and built is not None and not built.externals \
                and built.unchanged():
            # Arrays and numbers alone, and the generic gradient still the code's: it, or its
            # variant for these arguments, takes them as they are.
            variant = built.variants.get(facts)
            function = variant[1] if variant is not None else \
                self._specialized(built, facts) if facts else built.function
            try:
                return function(*args)
            except Exception as error:
                known = _known_refusal(error, built, function)
                if known is None:
                    raise
            if isinstance(known, ArgumentTypeError):
                return self._structured_instead(known, args, kwargs)
            raise known from None
        if built is None or self._structured_only or not self._plain_signature or not plain \
                or kwargs and any(map(_may_be_structured, kwargs.values())) \
                or not built.unchanged():
            structured = self._structured_call(args, kwargs)
            if structured is not None:
                built, args, kwargs = structured
                return self._run(built, built.function, args, kwargs)
            built = self._build()
        # else: arrays and numbers, and the generic gradient still the code's: it serves
        # A variadic signature's arguments are not the parameters' one by one: no variant.
        function = self._specialized(built, facts) if facts and self._plain_signature \
            and _number_seeds(kwargs, built.facts.seeds) else built.function
        try:
            return self._run(built, function, args, kwargs)
        except ArgumentTypeError as refused:
            return self._structured_instead(refused, args, kwargs)

    def _structured_instead(self, refused: ArgumentTypeError, args: tuple,
                            kwargs: dict[str, Any]) -> Any:
        """A container the generic gradient refuses to take whole (`ws[:-1]`): the gradient
        for its structure takes the call, where there is one; else the refusal stands."""
        try:
            structured = self._structured_call(args, kwargs, generic=False)
        except S2SADError:
            raise refused from None
        if structured is None:
            raise refused
        self._go_structured()  # later calls go to the structured gradient at once
        built, args, kwargs = structured
        return self._run(built, built.function, args, kwargs)

    def _go_structured(self) -> None:
        self._structured_only = True
        self._direct = False

    def _run(self, built: Build, function: Callable, args: tuple, kwargs: dict[str, Any]) -> Any:
        """Call the generated `function` with the call's arguments, cotangents and the data
        the forward reads from its module; its refusals as located errors."""
        mode = self.mode
        if mode == "vjp":
            kwargs = self._seeds(kwargs, built)
        elif mode == "jvp" or mode == "hvp":
            kwargs = self._tangents(kwargs, built)
        if built.externals:
            kwargs.update(built.external_values())
        try:
            return function(*args, **kwargs) if kwargs else function(*args)
        except Exception as error:
            known = _known_refusal(error, built, function)
            if known is None:
                raise
        raise known from None

    def _seeds(self, kwargs: dict[str, Any], built: Build) -> dict[str, Any]:
        if "cotangent" not in kwargs:
            raise TypeError(f"{self.__name__}() needs the output's cotangent as `cotangent=`")
        cotangent = kwargs.pop("cotangent")
        seed_names = built.facts.seeds
        if len(seed_names) == 1:
            kwargs[seed_names[0]] = cotangent
        else:
            if not isinstance(cotangent, (tuple, list)) or len(cotangent) != len(seed_names):
                raise TypeError(f"the function returns {len(seed_names)} values: pass "
                                f"a tuple of {len(seed_names)} cotangents")
            kwargs.update(zip(seed_names, cotangent))
        return kwargs

    def _tangents(self, kwargs: dict[str, Any], built: Build) -> dict[str, Any]:
        keyword = "vector" if self.mode == "hvp" else "tangent"
        if keyword not in kwargs:
            what = "vector" if self.mode == "hvp" else "arguments' tangent"
            raise TypeError(f"{self.__name__}() needs the {what} as `{keyword}=`")
        tangent = kwargs.pop(keyword)
        wrt = built.facts.wrt
        if not isinstance(self._wrt, (str, int)) and self._wrt is not None and (
                not isinstance(tangent, (tuple, list)) or len(tangent) != len(wrt)):
            raise TypeError(f"wrt names {len(wrt)} arguments ({', '.join(wrt)}): pass a tuple "
                            f"of {len(wrt)} {keyword}s")
        (seed,) = built.facts.seeds
        kwargs[seed] = tangent
        return kwargs

    def _structured_call(self, args: tuple, kwargs: dict[str, Any], generic: bool = True
                         ) -> tuple[Build, tuple, dict[str, Any]] | None:
        """The gradient for the structure of these arguments, with the arguments as it takes
        them (every default filled in), where the generic gradient cannot serve them: the
        arguments hold nested containers, records or functions, or the generic gradient is
        refused and some argument is a container (see structure.py)."""
        plain = self._plain_signature and not any(
            _may_be_structured(v) for v in (*args, *kwargs.values()))
        if generic and not self._structured_only and plain and self._generic_serves():
            return None  # arrays and numbers: the generic gradient, the call left unbound
        bound = _bind(self._signature, args, kwargs)
        if bound is None:
            return None
        structures = tuple((name, argument_structure(value))
                           for name, value in bound.arguments.items())
        shapes = tuple(s for _, s in structures)
        if generic and not self._structured_only and not needs_structure(shapes) \
                and self._generic_serves():
            return None
        refused = self._refused
        if refused is None and not has_container(shapes):
            return None
        built = self._structured.get(structures)
        if built is None or not built.unchanged():
            with _generating():
                try:
                    built = _generate(self._target, self._wrt, self.mode, self.has_aux,
                                      dict(structures), self.return_value, self.checkpoint)
                except S2SADError:
                    if refused is not None and not has_container(shapes):
                        raise refused from None  # the refusal of the code as written
                    raise
            self._structured[structures] = built
        rest = {k: v for k, v in kwargs.items() if k not in bound.arguments}
        return built, bound.args, {**bound.kwargs, **rest}

    def _generic_serves(self) -> bool:
        """Whether the gradient generated from the function alone exists. Its refusal is
        remembered, so that later calls go to the structured gradient without generating
        the generic one again."""
        try:
            self._build()
        except S2SADError as error:
            self._refused = error
            self._go_structured()
            return False
        return True

    def _build(self) -> Build:
        built = self._built
        if built is not None and built.unchanged():
            return built
        with _generating():
            self._built = built = _generate(self._target, self._wrt, self.mode, self.has_aux,
                                            return_value=self.return_value,
                                            checkpoint=self.checkpoint)
        self._candidates = built.facts.candidates
        return built

    def _specialized(self, built: Build, facts: tuple) -> Callable:
        """The function for arguments with these facts: their variant from the second call
        with them on (a call made once pays no second generation), else the general one."""
        variant = built.variants.get(facts)
        if variant is not None:
            return variant[1]
        if not self._candidates[0] or facts not in built.seen:
            if len(built.seen) < _VARIANTS:
                built.seen.add(facts)
            return built.function
        return self._variant(built, facts)[1]

    def _variant(self, built: Build, facts: tuple) -> tuple[str, Callable]:
        """The gradient specialized to the arguments' `facts` (`_facts`), built once per build
        and facts."""
        variant = built.variants.get(facts)
        if variant is None:
            with _generating():
                program = built.gradient.program
                names, single = _normalize_wrt(program, self._wrt)
                gradient = differentiate(program, names, self.mode, single,
                                         _named_facts(self._candidates, facts), self.has_aux,
                                         self.return_value)
                source = module_source(gradient, checkpoint=self.checkpoint)
                variant = (source, compile_function(source, gradient.name)[0])
                built.variants[facts] = variant
        return variant

    def __repr__(self) -> str:
        return f"<s2sad.GradFunction {self.mode} of {getattr(self.fun, '__qualname__', self.fun)}>"

    def _shown(self) -> tuple[str, bool]:
        """What Jupyter shows: the generated module, or (False) s2sad's refusal of it."""
        try:
            return self.source, True
        except S2SADError as refused:
            return f"{self!r}: s2sad cannot generate it\n{refused}", False

    def _repr_html_(self) -> str:
        """Jupyter's view: the generated module, highlighted where pygments is installed."""
        text, generated = self._shown()
        return highlight.html_block(text) if generated else f"<pre>{html.escape(text)}</pre>"

    def _repr_markdown_(self) -> str:
        """The generated module as a fenced Markdown code block."""
        text, generated = self._shown()
        return highlight.markdown_block(text, "python" if generated else "text")


def _unwrap(fun: Callable) -> tuple[Callable, tuple, dict[str, Any]]:
    """The function a bound method or `functools.partial` object calls, with the arguments
    they put first (the instance, the partial's arguments) and the partial's keywords."""
    prefix: tuple = ()
    fixed: dict[str, Any] = {}
    while True:
        if isinstance(fun, functools.partial):
            prefix, fixed, fun = fun.args + prefix, {**fun.keywords, **fixed}, fun.func
        elif isinstance(fun, types.MethodType):
            prefix, fun = (fun.__self__, *prefix), fun.__func__
        else:
            return fun, prefix, fixed


def _shifted(wrt: Wrt, count: int) -> Wrt:
    """`wrt` of the wrapped function, whose first `count` arguments the wrapper supplies."""
    if count == 0:
        return wrt
    if wrt is None:
        return count
    if isinstance(wrt, int) and not isinstance(wrt, bool):
        return wrt + count if wrt >= 0 else wrt
    if isinstance(wrt, (tuple, list)):
        return type(wrt)(_shifted(w, count) if isinstance(w, int) else w for w in wrt)
    return wrt


def _signature_of(fun: Callable) -> inspect.Signature | None:
    try:
        return inspect.signature(fun)
    except (TypeError, ValueError):
        return None


def _is_plain(signature: inspect.Signature | None) -> bool:
    """No variadic parameter, and every default a literal constant."""
    if signature is None:
        return True
    return all(p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and (
        p.default is p.empty or is_constant_value(p.default)) for p in signature.parameters.values())


_PLAIN = frozenset({float, int, bool, numpy.float64, numpy.float32, numpy.ndarray})


def _may_be_structured(value: Any) -> bool:
    """A value whose structure a gradient may be generated for: not an array or a number."""
    return not (type(value) in _PLAIN or hasattr(value, "shape") and hasattr(value, "dtype"))


_CALL_KEYWORDS = frozenset({"cotangent", "tangent", "vector"})
"""The keywords a gradient's call takes beside the function's own arguments."""


def _bind(signature: inspect.Signature | None, args: tuple, kwargs: dict[str, Any]
          ) -> inspect.BoundArguments | None:
    """The call's arguments by parameter, defaults filled in (cotangents and other keywords
    of the gradient function left out), or None where they do not fit the signature."""
    if signature is None:
        return None
    takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    own = {k: v for k, v in kwargs.items()
           if k in signature.parameters or takes_any and k not in _CALL_KEYWORDS}
    try:
        bound = signature.bind(*args, **own)
    except TypeError:
        return None
    bound.apply_defaults()
    return bound


def _generate(fun: Callable, wrt: Wrt, mode: str, has_aux: bool,
              structures: dict | None = None, return_value: bool = False,
              checkpoint: bool = False) -> Build:
    """The gradient of `fun` (for arguments of `structures`, where given), from the cache
    where nothing it was built from has changed: this process's, else the one on disk."""
    key = BuildKey.of(fun, wrt, mode, has_aux, structures, return_value, checkpoint)
    namespace = getattr(fun, "__globals__", None)
    closure = getattr(fun, "__closure__", None)
    cached = _CACHE.get(key, namespace, closure)
    if cached is not None:
        return cached

    def regenerate() -> Gradient:
        return _differentiated(fun, wrt, mode, has_aux, structures, return_value)

    stored = store.entry_key(fun, key.options())
    entry = store.load(stored, fun) if stored is not None else None
    if entry is not None:
        facts = Facts(**{name: _tuples(entry[name]) for name in Facts.__dataclass_fields__})
        function, _ = compile_function(entry["source"], facts.name, entry["code"])
        resolvers = entry["resolvers"]
        externals = [(parameter, resolvers[index], name) for parameter, index, name in facts.externals]
        built = Build(entry["source"], function, facts, resolvers, externals, namespace, closure,
                      regenerate)
    else:
        gradient = regenerate()
        source = module_source(gradient, checkpoint=checkpoint)
        facts = _facts_of(gradient)
        function, code = compile_function(source, facts.name)
        externals = [(e.parameter, e.resolver, e.name) for e in gradient.program.externals]
        built = Build(source, function, facts, gradient.program.dependencies, externals,
                      namespace, closure, regenerate, gradient)
        if stored is not None and all(isinstance(d, Resolver) for d in built.dependencies) \
                and all(index >= 0 for _, index, _ in facts.externals):
            fields = {"source": source, **{name: getattr(facts, name)
                                           for name in Facts.__dataclass_fields__}}
            store.store(stored, fields, code, built.dependencies, fun)
    _CACHE.put(key, built)
    return built


def _differentiated(fun: Callable, wrt: Wrt, mode: str, has_aux: bool,
                    structures: dict | None, return_value: bool) -> Gradient:
    """The Gradient of `fun`: normalized, then differentiated in `mode`."""
    program = normalize(fun, structures)
    shown = getattr(fun, "__s2sad_shown_as__", None)
    if shown is not None:  # a Hessian's: the module says which file the function is from
        program.display_filename = display_name(shown)
    names, single = _normalize_wrt(program, wrt)
    if mode in ("jvp", "hvp"):
        return linearize(program, names, single, mode)
    if mode in ("jacfwd", "jacrev", "hessian"):
        return build_jacobian(program, names, single, mode)
    return differentiate(program, names, mode, single, has_aux=has_aux, return_value=return_value)


def _facts_of(gradient: Gradient) -> Facts:
    program = gradient.program
    dependencies = program.dependencies
    externals = tuple((e.parameter, next((i for i, d in enumerate(dependencies) if d is e.resolver),
                                         -1), e.name) for e in program.externals)
    candidates = specializable(program) if gradient.mode in ("grad", "value_and_grad", "vjp") \
        else ([], [])
    return Facts(gradient.name, tuple(gradient.wrt), tuple(name for name, _ in gradient.seeds),
                 externals, (tuple(candidates[0]), tuple(candidates[1])))


def _known_refusal(error: Exception, built: Build, function: Callable) -> S2SADError | None:
    """The located error the generated `function`'s failure stands for: a refusal by one of
    its checks, or an array library's (a NumPy function that dask lacks); None for any other."""
    if isinstance(error, TypeError):
        program = built.gradient.program
        known = _in_place_error(error, program.in_place_errors) or _argument_error(error, program)
        if known is not None:
            return known
    elif isinstance(error, ValueError):
        if _raised_in(error, {"_check_scalar"}) is not None:
            return NotScalarError(str(error), built.gradient.program.return_origin,
                                  "use s2sad.vjp(f)(..., cotangent=...) for non-scalar outputs, "
                                  "or has_aux=True to return other values beside the loss")
        local = _raised_in(error, {"_check_cotangent"})
        if local is not None and any(type(n) is float for n in local.get("expected", ())):
            # a size dask does not know (nan)
            return ArrayLibraryError(str(error), built.gradient.program.return_origin)
    return library_refusal(error, function, lambda: built.gradient.program)


def _tuples(value: Any) -> Any:
    """A JSON list read back as the tuple it was written from (lists of lists too)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _raised_in(error: Exception, helpers: set[str]) -> dict[str, Any] | None:
    """The local variables of the outermost frame of one of the generated module's check
    `helpers` that `error` passed through, or None where no such check raised it."""
    trace = error.__traceback__
    while trace is not None and trace.tb_frame.f_code.co_name not in helpers:
        trace = trace.tb_next
    return None if trace is None else trace.tb_frame.f_locals


def _in_place_error(error: TypeError, errors: dict[tuple[str, str], Any]) -> Any:
    """The located error for a refusal raised by the generated `_refuse_in_place` check."""
    local = _raised_in(error, {"_refuse_in_place"})
    return None if local is None else errors.get((local.get("update"), local.get("view")))


_ARGUMENT_CHECKS = {"_check_differentiable", "_check_differentiable_items", "_zero_gradient"}


def _argument_error(error: TypeError, program: Any) -> ArgumentTypeError | None:
    """The refusal of an argument by the generated argument checks, pointing at the parameter
    in the function's signature."""
    local = _raised_in(error, _ARGUMENT_CHECKS)
    if local is None:
        return None
    checked = local.get("name")
    origin = next((p.origin for p in program.params if p.name == checked), None)
    return ArgumentTypeError(str(error), origin)


def _facts(args: tuple[Any, ...]) -> tuple[tuple, bool]:
    """What each positional argument is, as cheaply as a call can tell: (shape, dtype) for a
    NumPy array, "number" for a Python (or NumPy) float, "host" for a Python int or bool,
    None for anything else (() where none is a number or an array); and
    whether every argument is an array or a number, which the generic gradient serves."""
    facts = []
    useful = False
    plain = True
    for value in args:
        kind = type(value)
        if kind is numpy.ndarray:
            facts.append((value.shape, value.dtype))
            useful = True
        elif kind is float or kind is numpy.float64:
            facts.append("number")
            useful = True
        elif kind is int or kind is bool:
            facts.append("host")
        else:
            facts.append(None)
            if plain and _may_be_structured(value):
                plain = False
    return (tuple(facts) if useful else ()), plain


_REAL_NUMBERS = frozenset({float, int, numpy.float64, numpy.float32, numpy.float16})


def _number_seeds(kwargs: dict[str, Any], seeds: tuple[str, ...]) -> bool:
    """Whether each seed the call gives is a real number, as a variant takes grad's seed to
    be (the cotangent of a scalar output)."""
    return all(type(kwargs[seed]) in _REAL_NUMBERS for seed in seeds if seed in kwargs)


def _named_facts(candidates: tuple[list[str], list[str]], facts: tuple) -> dict[str, Any]:
    """The facts a variant is generated for, by parameter: "number"; "numbers" for a 1-D
    float64 array a loop only indexes (read as a list of numbers); ("array", shape, dtype)
    for another array; "host"."""
    params, indexed = candidates
    named: dict[str, Any] = {}
    for name, fact in zip(params, facts):
        if type(fact) is tuple:
            shape, dtype = fact
            if len(shape) == 1 and name in indexed and dtype == numpy.float64:
                named[name] = "numbers"
            else:
                named[name] = ("array", shape, dtype.str)
        elif fact is not None:
            named[name] = fact
    return named


def _make(fun: Callable | None, wrt: Wrt, mode: str, has_aux: bool = False,
          return_value: bool = False, checkpoint: bool = False):
    if not (wrt is None or isinstance(wrt, (str, int)) or (
            isinstance(wrt, (tuple, list)) and all(isinstance(w, (str, int)) for w in wrt))):
        raise WrtError(f"wrt must be an argument name, an index, or a tuple of them; got {wrt!r}")
    for name, flag in (("has_aux", has_aux), ("checkpoint", checkpoint)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if fun is None:
        return lambda f: GradFunction(f, wrt, mode, has_aux, return_value, checkpoint)
    if not callable(fun):
        raise TypeError(f"expected a function to differentiate, got {type(fun).__name__}")
    return GradFunction(fun, wrt, mode, has_aux, return_value, checkpoint)


def grad(fun: Callable | None = None, wrt: Wrt = None, has_aux: bool = False,
         checkpoint: bool = False) -> GradFunction | Callable[[Callable], GradFunction]:
    """The gradient of the scalar-valued `fun` with respect to the arguments `wrt`.

    `wrt` names arguments by name or position; the default is the first
    argument. A single name gives one gradient, a tuple gives a tuple. Use as
    `grad(f)`, `grad(f, wrt=...)`, `@grad` or `@grad(wrt=...)`. With
    `has_aux=True`, `fun` returns `(loss, aux)` and the call returns
    `(gradients, aux)`; aux may be any value and gets no gradient.

    With `checkpoint=True`, each `for` loop of T steps (without `break` or random draws)
    keeps about √T states for the backward instead of T, and runs its forward again one
    segment at a time: memory for time, visible in the generated source.
    """
    return _make(fun, wrt, "grad", has_aux, checkpoint=checkpoint)


def value_and_grad(fun: Callable | None = None, wrt: Wrt = None, has_aux: bool = False,
                   checkpoint: bool = False):
    """Like `grad`, but the call returns `(value, gradients)`; with `has_aux=True`,
    `((loss, aux), gradients)`."""
    return _make(fun, wrt, "value_and_grad", has_aux, checkpoint=checkpoint)


def vjp(fun: Callable | None = None, wrt: Wrt = None, return_value: bool = False,
        checkpoint: bool = False):
    """The vector-Jacobian product of `fun`, for outputs of any shape.

    The call takes the output's cotangent as the keyword `cotangent=` (a
    tuple of cotangents for a function returning a tuple). With
    `return_value=True` it returns `(value, gradients)`: the forward runs once.
    """
    if not isinstance(return_value, bool):
        raise TypeError(f"return_value must be True or False, got {return_value!r}")
    return _make(fun, wrt, "vjp", return_value=return_value, checkpoint=checkpoint)


def jvp(fun: Callable | None = None, wrt: Wrt = None):
    """The Jacobian-vector product of `fun` (forward mode), for outputs of any shape.

    The call takes the tangent of the `wrt` arguments as the keyword `tangent=` (a tuple of
    tangents for a tuple `wrt`) and returns `(value, output_tangent)`: the output's tangent
    has the output's shape (a tuple of them for a function returning a tuple).
    """
    return _make(fun, wrt, "jvp")


def jacfwd(fun: Callable | None = None, wrt: Wrt = None):
    """The Jacobian of `fun` in forward mode: one Jacobian-vector product per element of the
    `wrt` arguments. Each Jacobian has the output's shape followed by the argument's (a tuple
    of them for a tuple `wrt`; for a function returning a tuple, a tuple of those)."""
    return _make(fun, wrt, "jacfwd")


def jacrev(fun: Callable | None = None, wrt: Wrt = None):
    """The Jacobian of `fun` in reverse mode: one vector-Jacobian product per element of the
    output, the best choice for few outputs and many inputs. Shapes as in `jacfwd`."""
    return _make(fun, wrt, "jacrev")


jacobian = jacrev


def hessian(fun: Callable | None = None, wrt: Wrt = None):
    """The Hessian of the scalar-valued `fun`: the Jacobian, in forward mode, of its gradient,
    of shape `x.shape + x.shape` (for a tuple `wrt`, a tuple of tuples of the blocks)."""
    return _make(fun, wrt, "hessian")


def hvp(fun: Callable | None = None, wrt: Wrt = None):
    """The Hessian-vector product of the scalar-valued `fun`, without forming the Hessian
    (forward mode over the generated gradient): called as `h(*args, vector=v)`, `v` shaped
    like the `wrt` argument (a tuple of vectors for a tuple `wrt`)."""
    return _make(fun, wrt, "hvp")


_OF_GRADIENT = ("hessian", "hvp")
"""The modes whose generated code differentiates the function's gradient."""


def _gradient_of(fun: Callable, wrt: Wrt) -> Callable:
    """A function with `fun`'s parameters that returns its gradient, with source of its own
    (registered in linecache), so that the Hessian's code differentiates the generated
    gradient as it differentiates any function that calls one."""
    signature = _signature_of(fun)
    name = getattr(fun, "__name__", "function")
    if signature is None or any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY)
                                or p.default is not p.empty and not is_constant_value(p.default)
                                for p in signature.parameters.values()):
        raise TypeError(f"s2sad.hessian and s2sad.hvp take functions whose parameters are named "
                        f"and whose defaults are literals; {name} has ({signature})")
    parameters = list(signature.parameters.values())
    arguments = ", ".join(p.name if p.kind is p.POSITIONAL_OR_KEYWORD else f"{p.name}={p.name}"
                          for p in parameters)
    if not name.isidentifier():
        name = "function"
    # The gradients take the names of the parameters' adjoints: their tangents are `tdx` ...
    taken = {p.name for p in parameters} | {name, "gradient"}
    differentiated, single = _wrt_of([p.name for p in parameters], name, wrt)
    results = []
    for parameter in differentiated:
        result = "d" + parameter
        while result in taken:
            result += "_"
        taken.add(result)
        results.append(result)
    returned = results[0] if single else ", ".join(results)
    source = (f"def {name}({', '.join(str(p) for p in parameters)}):\n"
              f"    {returned} = gradient({arguments})\n    return {returned}\n")
    filename = f"<s2sad gradient of {getattr(fun, '__qualname__', name)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"gradient": GradFunction(fun, wrt, "grad"), "__name__": "s2sad_gradient_of"}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own lines
    wrapper = namespace[name]
    wrapper.__s2sad_shown_as__ = getattr(getattr(fun, "__code__", None), "co_filename", None)
    return wrapper


def _normalize_wrt(program, wrt: Wrt) -> tuple[list[str], bool]:
    return _wrt_of([p.name for p in program.params], program.name, wrt, program.return_origin)


def _wrt_of(params: list[str], function: str, wrt: Wrt, origin=None) -> tuple[list[str], bool]:
    """The names of the parameters `wrt` gives (by name or position, the first for None), and
    whether it gives one name rather than a tuple of them."""
    if not params:
        raise WrtError(f"{function} has no arguments to differentiate with respect to", origin)
    single = wrt is None or isinstance(wrt, (str, int))
    items = [0] if wrt is None else [wrt] if single else list(wrt)
    names = []
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            if not -len(params) <= item < len(params):
                raise WrtError(f"wrt={item} is out of range: {function} has "
                               f"{len(params)} arguments ({', '.join(params)})")
            name = params[item]
        elif isinstance(item, str) and item in params:
            name = item
        else:
            raise WrtError(f"wrt={item!r} names no argument of {function}; "
                           f"its arguments are {', '.join(params)}")
        if name in names:
            raise WrtError(f"wrt names {name!r} twice")
        names.append(name)
    if not names:
        raise WrtError("wrt is empty: name at least one argument")
    return names, single
