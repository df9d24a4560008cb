"""Cases of the helpers batched loops call (codegen/batching.py), registered into
tests/test_runtime.py's CASES, which imports this module: each sum over steps is checked
against the steps' products written with NumPy's own `outer`, `@` and `sum`."""

import numpy as np
from test_runtime import Call, cases, normal


def _dlhs(g, b):
    """The adjoint of `a` in `a @ b`, a 2-D, written out."""
    return np.outer(g, b) if g.ndim == 1 else g @ b.T


def _drhs(g, a):
    """The adjoint of `b` in `a @ b`, b 2-D, written out."""
    return np.outer(a, g) if a.ndim == 1 else a.T @ g


def _dlhs_steps(rng, steps, m=4, k=3, columns=None):
    """(g, b) of `steps` steps of `a @ b` with a (m, k): vectors, or matrices of `columns`."""
    shape = (lambda n: (n,)) if columns is None else (lambda n: (n, columns))
    return [(normal(rng, *shape(m)), normal(rng, *shape(k))) for _ in range(steps)]


def _drhs_steps(rng, steps, k=3, n=4, rows=None):
    """(g, a) of `steps` steps of `a @ b` with b (k, n): vectors, or matrices of `rows`."""
    shape = (lambda d: (d,)) if rows is None else (lambda d: (rows, d))
    return [(normal(rng, *shape(n)), normal(rng, *shape(k))) for _ in range(steps)]


@cases("_matmul_dlhs_steps")
def matmul_dlhs_steps(rng, ns):
    a = normal(rng, 4, 3)
    calls = []
    for label, steps in (("vectors", _dlhs_steps(rng, 5)), ("matrices", _dlhs_steps(rng, 5, columns=2)),
                         ("no step", [])):
        expected = sum((_dlhs(g, b) for g, b in steps), np.zeros((4, 3)))
        calls.append(Call((steps, a), expected, label=label))
    # shapes that change from step to step: the steps' own products, added up
    changing = [(normal(rng, 4, c), normal(rng, 3, c)) for c in (1, 2, 3)]
    calls.append(Call((changing, a), sum(_dlhs(g, b) for g, b in changing), label="changing"))
    return calls


@cases("_matmul_drhs_steps")
def matmul_drhs_steps(rng, ns):
    b = normal(rng, 3, 4)
    calls = []
    for label, steps in (("vectors", _drhs_steps(rng, 5)), ("matrices", _drhs_steps(rng, 5, rows=2)),
                         ("no step", [])):
        expected = sum((_drhs(g, a) for g, a in steps), np.zeros((3, 4)))
        calls.append(Call((steps, b), expected, label=label))
    changing = [(normal(rng, r, 4), normal(rng, r, 3)) for r in (1, 2, 3)]
    calls.append(Call((changing, b), sum(_drhs(g, a) for g, a in changing), label="changing"))
    return calls


@cases("_unbroadcast_steps")
def unbroadcast_steps(rng, ns):
    x = normal(rng, 3)
    same = [normal(rng, 2, 3) for _ in range(4)]
    changing = [normal(rng, 3), normal(rng, 2, 3)]
    return [
        Call((same, x), sum(g.sum(axis=0) for g in same), label="same shapes"),
        Call((changing, x), changing[0] + changing[1].sum(axis=0), label="changing"),
        Call(([], x), 0.0, label="no step"),
    ]


@cases("_stackable")
def stackable(rng, ns):
    a, b = normal(rng, 3), normal(rng, 2)
    return [
        Call(([(a, b), (a, b)],), True, label="same shapes"),
        Call(([(a, b), (b, a)],), False, label="other shapes"),
        Call(([(1.0, b)],), False, label="a number"),
        Call(([],), False, label="no step"),
    ]


def _step_calls(rng, arguments, stored, product, shape, every=4):
    """A step that completes `every` steps (their product added into the total) and one
    that does not (the total as it was). `arguments(rng, n)`: n steps' arguments to the
    step helper; `stored`: what the helper keeps of them in its list of steps."""
    total = normal(rng, *shape)
    full = arguments(rng, every)
    added = total + sum(product(*step) for step in full)
    kept = arguments(rng, 2)
    return [
        Call((total, [stored(*step) for step in full[:-1]], *full[-1]), added,
             kwargs={"every": every}, mutated=0, label="the steps added"),
        Call((total, [stored(*kept[0])], *kept[1]), total, kwargs={"every": every}, mutated=0,
             label="the step kept"),
    ]


@cases("_matmul_dlhs_step")
def matmul_dlhs_step(rng, ns):
    a = normal(rng, 4, 3)

    def arguments(rng, count):
        return [(g, a, b) for g, b in _dlhs_steps(rng, count)]

    return _step_calls(rng, arguments, lambda g, _, b: (g, b), lambda g, _, b: _dlhs(g, b), (4, 3))


@cases("_matmul_drhs_step")
def matmul_drhs_step(rng, ns):
    b = normal(rng, 3, 4)

    def arguments(rng, count):
        return [(g, a, b) for g, a in _drhs_steps(rng, count)]

    return _step_calls(rng, arguments, lambda g, a, _: (g, a), lambda g, a, _: _drhs(g, a), (3, 4))


@cases("_unbroadcast_step")
def unbroadcast_step(rng, ns):
    x = normal(rng, 3)

    def arguments(rng, count):
        return [(normal(rng, 2, 3), x) for _ in range(count)]

    return _step_calls(rng, arguments, lambda g, _: g, lambda g, _: g.sum(axis=0), (3,))
