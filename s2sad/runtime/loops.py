"""Helpers of loops' backward: checkpointed loops' (`s2sad.grad(f, checkpoint=True)`), and
the sums over a loop's steps done once after it (codegen/batching.py)."""

from .core import _matmul_dlhs, _matmul_drhs, _namespace, _unbroadcast


def _segment_length(steps):
    """The iterations between two checkpoints of a loop over `steps`: about the square root
    of their number, so that the checkpoints and one segment's tape each hold about √T.
    """
    return max(1, int(len(steps) ** 0.5))


def _matmul_dlhs_step(total, steps, g, a, b, every=64):
    """A loop step's `_matmul_dlhs(g, a, b)`, added into `total` (the gradient's own adjoint
    of `a`) `every` steps at a time (products large enough to run at matrix speed, few steps'
    factors kept), in one product: `steps` holds those not added yet.
    """
    steps.append((g, b))
    if len(steps) == every and hasattr(type(total), "__iadd__"):
        total += _matmul_dlhs_steps(steps, a)
        steps.clear()


def _matmul_drhs_step(total, steps, g, a, b, every=64):
    """A loop step's `_matmul_drhs(g, a, b)`, added into `total` (the gradient's own adjoint
    of `b`) `every` steps at a time, in one product: `steps` holds those not added yet.
    """
    steps.append((g, a))
    if len(steps) == every and hasattr(type(total), "__iadd__"):
        total += _matmul_drhs_steps(steps, b)
        steps.clear()


def _unbroadcast_step(total, steps, g, x, every=64):
    """A loop step's `_unbroadcast(g, x)`, added into `total` (the gradient's own adjoint of
    `x`) `every` steps at a time, in one sum: `steps` holds those not added yet."""
    steps.append(g)
    if len(steps) == every and hasattr(type(total), "__iadd__"):
        total += _unbroadcast_steps(steps, x)
        steps.clear()


def _matmul_dlhs_steps(steps, a):
    """The sum over a loop's steps of `_matmul_dlhs(g, a, b)`, for each step's `(g, b)`:
    one matrix product of the steps' factors side by side, where their shapes agree and
    their ranks allow it (else the sum of the steps' products)."""
    if _stackable(steps) and a.ndim == 2:
        xp = _namespace(a, *steps[0])
        gs, bs = [g for g, _ in steps], [b for _, b in steps]
        if gs[0].ndim == 1 and bs[0].ndim == 1:
            return xp.stack(gs).T @ xp.stack(bs)
        if gs[0].ndim == 2 and bs[0].ndim == 2:
            return xp.concatenate(gs, axis=1) @ xp.concatenate(bs, axis=1).T
    total = _namespace(a).zeros_like(a)
    for g, b in steps:
        total += _matmul_dlhs(g, a, b)
    return total


def _matmul_drhs_steps(steps, b):
    """The sum over a loop's steps of `_matmul_drhs(g, a, b)`, for each step's `(g, a)`:
    one matrix product of the steps' factors stacked, where their shapes agree and their
    ranks allow it (else the sum of the steps' products)."""
    if _stackable(steps) and b.ndim == 2:
        xp = _namespace(b, *steps[0])
        gs, lhs = [g for g, _ in steps], [a for _, a in steps]
        if lhs[0].ndim == 1 and gs[0].ndim == 1:
            return xp.stack(lhs).T @ xp.stack(gs)
        if lhs[0].ndim == 2 and gs[0].ndim == 2:
            return xp.concatenate(lhs).T @ xp.concatenate(gs)
    total = _namespace(b).zeros_like(b)
    for g, a in steps:
        total += _matmul_drhs(g, a, b)
    return total


def _unbroadcast_steps(steps, x):
    """The sum over a loop's steps of `_unbroadcast(g, x)`, for each step's adjoint `g`: one
    sum of the steps' adjoints stacked, where their shapes agree (else the steps' own).
    """
    if steps and _stackable([(g,) for g in steps]):
        return _unbroadcast(_namespace(x, steps[0]).stack(steps).sum(axis=0), x)
    total = 0.0
    for g in steps:
        total = total + _unbroadcast(g, x)
    return total


def _stackable(steps):
    """Whether a loop's steps' factors are arrays of the same shapes, step after step."""
    if not steps:
        return False
    first = [getattr(factor, "shape", None) for factor in steps[0]]
    return None not in first and all(
        [getattr(factor, "shape", None) for factor in step] == first for step in steps
    )
