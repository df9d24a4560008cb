"""The model corpus (tests/models/) differentiated by s2sad, checked against
central finite differences and against autograd.

Each model module is loaded twice: imported as it is (NumPy and SciPy, which s2sad
differentiates), and executed a second time from the same source with `numpy`,
`numpy.random`, `scipy`, `scipy.special` and `scipy.stats` bound to autograd's
wrappers (and `s2sad.nn` to a reference written with them), which autograd
differentiates. Gradients are compared leaf by leaf, after checking that s2sad's
gradient has its argument's structure: a list of tuples for a list of tuples, the
same NamedTuple or dataclass, a dict with the same keys, arrays of the argument's
shape and dtype, a Python float for a Python float.

A model that draws random numbers gets the same draws in every run: every
RandomState and Generator the module reaches (globals, default arguments, closure
variables) is restored before each call to the state it had when the module was
loaded, the global `np.random` state is reseeded, and arguments (a RandomState
passed in) are deep-copied for each call.
"""

from __future__ import annotations

import builtins
import copy
import dataclasses
import functools
import importlib
import importlib.util
import inspect
import sys
import types

import autograd
import autograd.numpy as anp
import autograd.numpy.random
import autograd.scipy
import autograd.scipy.special
import autograd.scipy.stats
import models
import numpy as np
import pytest

import s2sad

MODELS = models.MODELS

FD_EPS = 1e-6
FD_RTOL, FD_ATOL = 1e-5, 1e-7
AUTOGRAD_RTOL, AUTOGRAD_ATOL = 1e-7, 1e-9


# --- pytrees ----------------------------------------------------------------------


def _is_namedtuple(value):
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _is_dataclass_instance(value):
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _children(tree):
    """The (key, child) pairs of a container, in a fixed order; None for a leaf."""
    if isinstance(tree, dict):
        return list(tree.items())
    if _is_dataclass_instance(tree):
        return [(f.name, getattr(tree, f.name)) for f in dataclasses.fields(tree)]
    if _is_namedtuple(tree):
        return list(zip(type(tree)._fields, tree))
    if isinstance(tree, (list, tuple)):
        return list(enumerate(tree))
    return None


def _rebuild(tree, children):
    """A container like `tree` holding `children` (in `_children`'s order)."""
    if isinstance(tree, dict):
        return type(tree)(zip(tree.keys(), children))
    if _is_dataclass_instance(tree):
        return dataclasses.replace(
            tree, **dict(zip([f.name for f in dataclasses.fields(tree)], children))
        )
    if _is_namedtuple(tree):
        return type(tree)(*children)
    return type(tree)(children)


def flatten(tree):
    """The leaves of `tree`, depth first."""
    children = _children(tree)
    if children is None:
        return [tree]
    return [leaf for _, child in children for leaf in flatten(child)]


def unflatten(tree, leaves):
    """`tree` with its leaves replaced, in order, by `leaves`."""
    leaves = iter(leaves)

    def build(node):
        children = _children(node)
        if children is None:
            return next(leaves)
        return _rebuild(node, [build(child) for _, child in children])

    return build(tree)


def leaf_paths(tree, path="arg"):
    children = _children(tree)
    if children is None:
        return [path]
    return [p for key, child in children for p in leaf_paths(child, f"{path}[{key!r}]")]


def assert_same_structure(gradient, argument, path):
    """`gradient` has `argument`'s structure, container types and leaf shapes and dtypes."""
    children = _children(argument)
    if children is None:
        if isinstance(argument, np.ndarray):
            assert isinstance(gradient, np.ndarray), (
                f"{path}: the gradient of an array is a {type(gradient).__name__}"
            )
            assert gradient.shape == argument.shape, (
                f"{path}: gradient of shape {gradient.shape} for an argument of shape {argument.shape}"
            )
            assert gradient.dtype == argument.dtype, (
                f"{path}: gradient of dtype {gradient.dtype} for an argument of dtype {argument.dtype}"
            )
        else:
            assert isinstance(gradient, float) and not isinstance(gradient, np.ndarray), (
                f"{path}: the gradient of a Python float is a {type(gradient).__name__}"
            )
        return
    assert type(gradient) is type(argument), (
        f"{path}: the gradient of a {type(argument).__name__} is a {type(gradient).__name__}"
    )
    if isinstance(argument, dict):
        assert list(gradient.keys()) == list(argument.keys()), (
            f"{path}: gradient keys {list(gradient.keys())} for argument keys {list(argument.keys())}"
        )
    elif isinstance(argument, (list, tuple)):
        assert len(gradient) == len(argument), (
            f"{path}: a gradient of length {len(gradient)} for an argument of length {len(argument)}"
        )
    for (key, child), (_, gradient_child) in zip(children, _children(gradient)):
        assert_same_structure(gradient_child, child, f"{path}[{key!r}]")


# --- random state -------------------------------------------------------------------


def _generators(module):
    """Every RandomState and Generator the module's globals reach, through its own
    functions' default arguments and closures and through containers."""
    found, seen = [], set()

    def visit(value):
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, (np.random.RandomState, np.random.Generator)):
            found.append(value)
        elif isinstance(value, types.FunctionType):
            if value.__globals__ is not vars(module):
                return
            for default in value.__defaults__ or ():
                visit(default)
            for default in (value.__kwdefaults__ or {}).values():
                visit(default)
            for cell in value.__closure__ or ():
                try:
                    visit(cell.cell_contents)
                except ValueError:  # an empty cell
                    pass
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    for value in list(vars(module).values()):
        visit(value)
    return found


def _state(generator):
    if isinstance(generator, np.random.RandomState):
        return generator.get_state()
    return copy.deepcopy(generator.bit_generator.state)


def _set_state(generator, state):
    if isinstance(generator, np.random.RandomState):
        generator.set_state(state)
    else:
        generator.bit_generator.state = copy.deepcopy(state)


class Loaded:
    """A model module, with the random states it had when it was loaded."""

    def __init__(self, module):
        self.module = module
        self.states = [(g, _state(g)) for g in _generators(module)]

    def restore(self):
        np.random.seed(0)
        for generator, state in self.states:
            _set_state(generator, state)

    def example(self):
        self.restore()
        return self.module.example()

    def call(self, args):
        """The objective on fresh copies of `args`, every generator restored."""
        self.restore()
        return self.module.objective(*copy.deepcopy(args))


# --- loading ------------------------------------------------------------------------


def _reference_nn():
    """s2sad.nn's layers used by the corpus, written with autograd's numpy."""
    from autograd.scipy.special import logsumexp

    def conv2d(x, w, stride=1, padding=0, dilation=1):
        assert stride == 1 and dilation == 1
        if padding:
            pads = ((0, 0),) * (x.ndim - 2) + ((padding, padding), (padding, padding))
            x = anp.pad(x, pads, mode="constant")
        _, _, h, k = w.shape
        out_h, out_w = x.shape[-2] - h + 1, x.shape[-1] - k + 1
        return sum(
            anp.einsum("nchw,dc->ndhw", x[..., i : i + out_h, j : j + out_w], w[:, :, i, j])
            for i in range(h)
            for j in range(k)
        )

    def _windows(x, size, stride):
        assert stride in (None, size)
        height, width = x.shape[-2] // size * size, x.shape[-1] // size * size
        x = x[..., :height, :width]
        return x.reshape(x.shape[:-2] + (height // size, size, width // size, size))

    def max_pool2d(x, size, stride=None):
        return anp.max(anp.max(_windows(x, size, stride), axis=-1), axis=-2)

    def avg_pool2d(x, size, stride=None):
        return anp.mean(_windows(x, size, stride), axis=(-3, -1))

    def relu(x):
        return anp.maximum(x, 0.0)

    def log_softmax(x, axis=-1):
        return x - logsumexp(x, axis=axis, keepdims=True)

    return types.SimpleNamespace(
        conv2d=conv2d,
        max_pool2d=max_pool2d,
        avg_pool2d=avg_pool2d,
        relu=relu,
        log_softmax=log_softmax,
    )


_AUTOGRAD_MODULES = {
    "numpy": anp,
    "numpy.random": autograd.numpy.random,
    "numpy.linalg": anp.linalg,
    "scipy": autograd.scipy,
    "scipy.special": autograd.scipy.special,
    "scipy.stats": autograd.scipy.stats,
    "s2sad": types.SimpleNamespace(nn=_reference_nn()),
}


def _autograd_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and name in _AUTOGRAD_MODULES:
        if fromlist:
            return _AUTOGRAD_MODULES[name]
        return _AUTOGRAD_MODULES[name.partition(".")[0]]
    if level == 0 and name.partition(".")[0] in ("numpy", "scipy", "s2sad"):
        raise ImportError(f"the autograd copy of a model has no replacement for {name}")
    return builtins.__import__(name, globals, locals, fromlist, level)


@functools.cache
def load_numpy(name):
    """The model as it is, imported afresh."""
    qualified = f"models.{name}"
    if qualified in sys.modules:
        return Loaded(importlib.reload(sys.modules[qualified]))
    return Loaded(importlib.import_module(qualified))


@functools.cache
def load_autograd(name):
    """The model's source executed with autograd's numpy and scipy in place of the real ones."""
    spec = importlib.util.find_spec(f"models.{name}")
    source = spec.loader.get_source(spec.name)
    module = types.ModuleType(f"models_autograd.{name}")
    module.__file__ = spec.origin
    module.__builtins__ = {**vars(builtins), "__import__": _autograd_import}
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, spec.origin, "exec"), vars(module))  # noqa: S102 - the same source, autograd bound
    return Loaded(module)


# --- gradients ----------------------------------------------------------------------


def wrt_positions(objective, wrt):
    """The positions of the `wrt` arguments, and whether `wrt` names just one."""
    names = list(inspect.signature(objective).parameters)
    single = not isinstance(wrt, tuple)
    items = (wrt,) if single else wrt
    return [names.index(w) if isinstance(w, str) else w for w in items], single


def _with_leaves(args, positions, leaves):
    """`args` with the wrt arguments' leaves replaced by `leaves`."""
    args = list(args)
    leaves = list(leaves)
    for position in positions:
        count = len(flatten(args[position]))
        args[position] = unflatten(args[position], leaves[:count])
        leaves = leaves[count:]
    return tuple(args)


def _wrt_leaves(args, positions):
    return [leaf for position in positions for leaf in flatten(args[position])]


def _wrt_paths(args, positions, objective):
    names = list(inspect.signature(objective).parameters)
    return [p for position in positions for p in leaf_paths(args[position], names[position])]


def s2sad_gradient(loaded, args, wrt):
    """s2sad's gradient, checked for structure, as a flat list of leaves."""
    positions, single = wrt_positions(loaded.module.objective, wrt)
    gradient_function = s2sad.grad(loaded.module.objective, wrt=wrt)
    loaded.restore()
    gradients = gradient_function(*copy.deepcopy(args))
    if single:
        gradients = (gradients,)
    else:
        assert isinstance(gradients, tuple) and len(gradients) == len(positions), (
            f"wrt={wrt!r} gives {type(gradients).__name__} of length {len(gradients)}"
        )
    names = list(inspect.signature(loaded.module.objective).parameters)
    for gradient, position in zip(gradients, positions):
        assert_same_structure(gradient, args[position], names[position])
    return [leaf for gradient in gradients for leaf in flatten(gradient)]


def autograd_gradient(loaded, args, wrt):
    """autograd's gradient of the autograd copy, as a flat list of leaves."""
    positions, _ = wrt_positions(loaded.module.objective, wrt)

    def flat_objective(leaves):
        return loaded.call(_with_leaves(args, positions, leaves))

    return list(autograd.grad(flat_objective)(_wrt_leaves(args, positions)))


def finite_differences(loaded, args, wrt, eps=FD_EPS):
    """Central differences of the objective, leaf by leaf, element by element."""
    positions, _ = wrt_positions(loaded.module.objective, wrt)
    leaves = _wrt_leaves(args, positions)

    def value(i, leaf):
        return float(
            loaded.call(_with_leaves(args, positions, leaves[:i] + [leaf] + leaves[i + 1 :]))
        )

    gradients = []
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, np.ndarray):
            gradient = np.zeros(leaf.shape)
            for index in np.ndindex(leaf.shape):
                plus, minus = leaf.copy(), leaf.copy()
                plus[index] += eps
                minus[index] -= eps
                gradient[index] = (value(i, plus) - value(i, minus)) / (2 * eps)
        else:
            gradient = (value(i, leaf + eps) - value(i, leaf - eps)) / (2 * eps)
        gradients.append(gradient)
    return gradients


def assert_leaves_close(actual, expected, paths, rtol, atol, what):
    assert len(actual) == len(expected) == len(paths)
    scale = max([1.0] + [float(np.max(np.abs(e), initial=0.0)) for e in expected])
    for a, e, path in zip(actual, expected, paths):
        np.testing.assert_allclose(
            np.asarray(a, dtype=np.float64),
            e,
            rtol=rtol,
            atol=atol * scale,
            err_msg=f"{path}: the gradient differs from {what}",
        )


# --- the tests ----------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_s2sad_matches_finite_differences(name):
    loaded = load_numpy(name)
    args, wrt = loaded.example()
    gradient = s2sad_gradient(loaded, args, wrt)
    expected = finite_differences(loaded, args, wrt)
    paths = _wrt_paths(
        args, wrt_positions(loaded.module.objective, wrt)[0], loaded.module.objective
    )
    assert_leaves_close(gradient, expected, paths, FD_RTOL, FD_ATOL, "finite differences")


@pytest.mark.parametrize("name", MODELS)
def test_s2sad_matches_autograd(name):
    loaded = load_numpy(name)
    args, wrt = loaded.example()
    gradient = s2sad_gradient(loaded, args, wrt)
    expected = autograd_gradient(load_autograd(name), args, wrt)
    paths = _wrt_paths(
        args, wrt_positions(loaded.module.objective, wrt)[0], loaded.module.objective
    )
    assert_leaves_close(gradient, expected, paths, AUTOGRAD_RTOL, AUTOGRAD_ATOL, "autograd's")


@pytest.mark.parametrize("name", MODELS)
def test_corpus_autograd_matches_finite_differences(name):
    """The corpus itself: each model is differentiable, deterministic under the
    restored random state, the same function in both copies, and autograd's
    gradient of it agrees with finite differences."""
    loaded, autograd_loaded = load_numpy(name), load_autograd(name)
    args, wrt = loaded.example()
    positions, _ = wrt_positions(loaded.module.objective, wrt)
    for leaf in _wrt_leaves(args, positions):
        assert isinstance(leaf, float) or (
            isinstance(leaf, np.ndarray) and leaf.dtype == np.float64
        ), f"a leaf to differentiate of type {type(leaf).__name__}"
    value = loaded.call(args)
    assert np.ndim(value) == 0 and np.isfinite(value)
    assert loaded.call(args) == value, "the forward is not deterministic"
    np.testing.assert_allclose(autograd_loaded.call(args), value, rtol=1e-12)
    expected = finite_differences(loaded, args, wrt)
    gradient = autograd_gradient(autograd_loaded, args, wrt)
    paths = _wrt_paths(args, positions, loaded.module.objective)
    assert_leaves_close(gradient, expected, paths, FD_RTOL, FD_ATOL, "finite differences")


# --- the to-do list ---------------------------------------------------------------


def status(name):
    """'OK', or the first line of what stops s2sad's gradient of the model from
    matching finite differences and autograd."""
    try:
        loaded = load_numpy(name)
        args, wrt = loaded.example()
        gradient = s2sad_gradient(loaded, args, wrt)
        paths = _wrt_paths(
            args, wrt_positions(loaded.module.objective, wrt)[0], loaded.module.objective
        )
        assert_leaves_close(
            gradient,
            finite_differences(loaded, args, wrt),
            paths,
            FD_RTOL,
            FD_ATOL,
            "finite differences",
        )
        assert_leaves_close(
            gradient, autograd_gradient(load_autograd(name), args, wrt), paths,
            AUTOGRAD_RTOL, AUTOGRAD_ATOL, "autograd's",
        )  # fmt: skip
    except Exception as error:  # noqa: BLE001 - the report lists whatever went wrong
        if isinstance(error, s2sad.S2SADError):
            where = (
                f"{error.origin.filename.rpartition('/')[2]}:{error.origin.lineno} "
                if error.origin
                else ""
            )
            message = error.message.splitlines()[0]
        else:
            where, message = "", (str(error).strip().splitlines() or [""])[0]
            if isinstance(error, AssertionError) and not message:
                message = "assertion failed"
        return f"{type(error).__name__}: {where}{message}"
    return "OK"


if __name__ == "__main__":
    # python tests/test_models.py [NAME ...]: one line per model, OK or s2sad's first problem.
    for model_name in sys.argv[1:] or MODELS:
        print(f"{model_name:28s} {status(model_name)}")
