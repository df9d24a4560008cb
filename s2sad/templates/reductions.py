"""Adjoints of reductions: sums, means, products, extrema, spreads, variances, cumulative sums
and products, differences, traces and norms.

Each rule takes NumPy's parameters in NumPy's order. `out=` is refused
everywhere (s2sad writes results into new arrays); so are `dtype=`, `where=`
and the other options a rule does not reproduce exactly. Where a result has
no derivative, the rules take these conventions, never nan: extrema share the
adjoint equally among the elements that attain them, and a norm or standard
deviation at 0 has the adjoint 0 (the smallest subgradient of the 2-norm).

Each rule's tangent (forward mode) follows it, the transpose of its adjoint, with the same
conventions (ties averaged, 0 where the adjoint is 0).
"""

import numpy as np

from ..registry import adjoint, nondifferentiable, tangent


def no_out(out=None):
    """The refusal every reduction with an `out=` declares (`checks=no_out`)."""
    if out is not None:
        raise NotImplementedError("out= is not supported: s2sad writes results into new arrays")


@adjoint(np.sum, methods=("sum",), checks=no_out)
def sum(y, x, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    if where is not True:
        raise NotImplementedError("where= is not supported: sum the masked array, x * mask")
    if axis is None and not keepdims:
        dx = xp.full_like(x, dy)
    else:
        dx = _spread(dy, x, axis)
    dinitial = xp.sum(dy)


@tangent(np.sum)
def sum_tangent(y, x, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """`initial` adds its tangent to every result (not into the sum of `tx`, as the linear
    form of the call would)."""
    if keepdims:
        ty = xp.sum(tx, axis=axis, keepdims=True) + _tangent_like(tinitial, y)
    else:
        ty = xp.sum(tx, axis=axis) + _tangent_like(tinitial, y)


@adjoint(np.nansum, checks=no_out)
def nansum(y, x, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    if where is not True:
        raise NotImplementedError("where= is not supported: sum the masked array, x * mask")
    if axis is None and not keepdims:
        dx = xp.where(xp.isnan(x), 0.0, dy)
    else:
        dx = xp.where(xp.isnan(x), 0.0, _expand_reduced(dy, x, axis))
    dinitial = xp.sum(dy)


@tangent(np.nansum)
def nansum_tangent(y, x, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                   where=True):
    """The sum of the tangents of the numbers (a nan counts as nothing), and `initial`'s."""
    if keepdims:
        ty = xp.sum(xp.where(xp.isnan(x), 0.0, tx), axis=axis, keepdims=True) + _tangent_like(
            tinitial, y
        )
    else:
        ty = xp.sum(xp.where(xp.isnan(x), 0.0, tx), axis=axis) + _tangent_like(tinitial, y)


@adjoint(np.mean, methods=("mean",), checks=no_out, linear=("x",))
def mean(y, x, axis=None, dtype=None, out=None, keepdims=False, where=True):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    if where is not True:
        raise NotImplementedError("where= is not supported: divide the masked sum by the count")
    if axis is None and not keepdims:
        dx = xp.full_like(x, dy / x.size)
    else:
        dx = _spread(dy / _reduced_size(x, axis), x, axis)


@adjoint(np.nanmean, checks=no_out)
def nanmean(y, x, axis=None, dtype=None, out=None, keepdims=False, where=True):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    if where is not True:
        raise NotImplementedError("where= is not supported: divide the masked sum by the count")
    dx = xp.where(xp.isnan(x), 0.0, _expand_reduced(dy, x, axis) / _count_numbers(x, axis))


@tangent(np.nanmean)
def nanmean_tangent(y, x, axis=None, dtype=None, out=None, keepdims=False, where=True):
    """The mean of the tangents of the numbers; 0 where a whole row is nan, as the adjoint."""
    total = xp.sum(xp.where(xp.isnan(x), 0.0, tx), axis=axis, keepdims=True)
    if keepdims:
        ty = total / _count_numbers(x, axis)
    else:
        ty = xp.reshape(total / _count_numbers(x, axis), xp.shape(y))


@adjoint(np.average)
def average(y, a, axis=None, weights=None, returned=False, keepdims=False):
    if returned:
        raise NotImplementedError(
            "returned=True is not supported: compute the sum of the weights separately"
        )
    da = _average_adjoint(dy, a, weights, axis)
    dweights = _average_weights_adjoint(dy, a, y, weights, axis)


@tangent(np.average)
def average_tangent(y, a, axis=None, weights=None, returned=False, keepdims=False):
    """The average of `ta` with the same weights, plus `Σ tw (a - y) / Σ w` for the weights'
    tangent `tw` (shaped as NumPy shapes the weights against `a`)."""
    shaped = xp.reshape(xp.transpose(tweights, _average_order(weights, a, axis)),
                        _average_shape(weights, a, axis))
    moved = shaped * (a - _expand_reduced(y, a, axis)) / xp.sum(
        _average_weights(weights, a, axis), axis=axis, keepdims=True
    )
    if keepdims:
        ty = xp.average(ta, axis=axis, weights=weights, keepdims=True) + xp.sum(
            moved, axis=axis, keepdims=True
        )
    else:
        ty = xp.average(ta, axis=axis, weights=weights) + xp.sum(moved, axis=axis)


@adjoint(np.prod, methods=("prod",), checks=no_out)
def prod(y, x, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    if where is not True:
        raise NotImplementedError("where= is not supported: take the product of a masked array")
    if initial is not None:
        raise NotImplementedError("initial= is not supported: multiply the product by it")
    if axis is None and not keepdims:
        dx = dy * _product_of_others(x, axis)
    else:
        dx = _expand_reduced(dy, x, axis) * _product_of_others(x, axis)


@tangent(np.prod)
def prod_tangent(y, x, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """Each tangent times the product of the others, exact where `x` has zeros."""
    if keepdims:
        ty = xp.sum(tx * _product_of_others(x, axis), axis=axis, keepdims=True)
    else:
        ty = xp.sum(tx * _product_of_others(x, axis), axis=axis)


@adjoint(np.amax, checks=no_out)
@adjoint(np.max, methods=("max",), checks=no_out)
def max(y, x, axis=None, out=None, keepdims=False, initial=None, where=True):
    if initial is not None:
        raise NotImplementedError("initial= is not supported: use np.maximum(np.max(x), initial)")
    if where is not True:
        raise NotImplementedError("where= is not supported: use np.where(mask, x, -np.inf)")
    dx = _extremum_adjoint(dy, x, y, axis, keepdims)


@tangent(np.amax)
@tangent(np.max)
def max_tangent(y, x, axis=None, out=None, keepdims=False, initial=None, where=True):
    """The mean of the tangents of the elements that attain the maximum (the adjoint's shares)."""
    ty = _extremum_gather(tx, x, y, axis, keepdims)


@adjoint(np.amin, checks=no_out)
@adjoint(np.min, methods=("min",), checks=no_out)
def min(y, x, axis=None, out=None, keepdims=False, initial=None, where=True):
    if initial is not None:
        raise NotImplementedError("initial= is not supported: use np.minimum(np.min(x), initial)")
    if where is not True:
        raise NotImplementedError("where= is not supported: use np.where(mask, x, np.inf)")
    dx = _extremum_adjoint(dy, x, y, axis, keepdims)


@tangent(np.amin)
@tangent(np.min)
def min_tangent(y, x, axis=None, out=None, keepdims=False, initial=None, where=True):
    ty = _extremum_gather(tx, x, y, axis, keepdims)


@adjoint(np.ptp, checks=no_out)
def ptp(y, x, axis=None, out=None, keepdims=False):
    top = xp.max(x, axis=axis, keepdims=keepdims)
    bottom = xp.min(x, axis=axis, keepdims=keepdims)
    dx = _extremum_adjoint(dy, x, top, axis, keepdims) - _extremum_adjoint(
        dy, x, bottom, axis, keepdims
    )


@tangent(np.ptp)
def ptp_tangent(y, x, axis=None, out=None, keepdims=False):
    top = xp.max(x, axis=axis, keepdims=True)
    bottom = xp.min(x, axis=axis, keepdims=True)
    ty = _extremum_gather(tx, x, top, axis, keepdims) - _extremum_gather(
        tx, x, bottom, axis, keepdims
    )


@adjoint(np.var, methods=("var",), checks=no_out)
def var(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=True, mean=None,
        correction=None):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    if where is not True:
        raise NotImplementedError("where= is not supported: compute the masked variance")
    if mean is not None:
        raise NotImplementedError("mean= is not supported: let np.var compute the mean")
    if correction is not None:
        raise NotImplementedError("correction= is not supported: pass it as ddof=")
    if axis is None and not keepdims:
        da = (a - xp.mean(a)) * (2.0 * dy / (a.size - ddof))
    else:
        centered = a - xp.mean(a, axis=axis, keepdims=True)
        da = centered * _expand_reduced(2.0 * dy / (_reduced_size(a, axis) - ddof), a, axis)


@tangent(np.var)
def var_tangent(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=True,
                mean=None, correction=None):
    """`2 Σ (a - mean) ta / (n - ddof)`: the mean's own tangent sums to nothing against `a - mean`."""
    centered = a - xp.mean(a, axis=axis, keepdims=True)
    if keepdims:
        total = xp.sum(ta * centered, axis=axis, keepdims=True)
    else:
        total = xp.sum(ta * centered, axis=axis)
    if axis is None:
        ty = total * (2.0 / (a.size - ddof))
    else:
        ty = total * (2.0 / (_reduced_size(a, axis) - ddof))


@adjoint(np.std, methods=("std",), checks=no_out)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=True, mean=None,
        correction=None):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    if where is not True:
        raise NotImplementedError("where= is not supported: compute the masked deviation")
    if mean is not None:
        raise NotImplementedError("mean= is not supported: let np.std compute the mean")
    if correction is not None:
        raise NotImplementedError("correction= is not supported: pass it as ddof=")
    if axis is None and not keepdims:
        da = (a - xp.mean(a)) * (dy / ((a.size - ddof) * _zeros_to_ones(y)))
    else:
        centered = a - xp.mean(a, axis=axis, keepdims=True)
        scale = dy / ((_reduced_size(a, axis) - ddof) * _zeros_to_ones(y))
        da = centered * _expand_reduced(scale, a, axis)


@tangent(np.std)
def std_tangent(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=True,
                mean=None, correction=None):
    """The variance's tangent over `2 std`; 0 where the deviation is 0, as the adjoint."""
    centered = a - xp.mean(a, axis=axis, keepdims=True)
    if keepdims:
        total = xp.sum(ta * centered, axis=axis, keepdims=True)
    else:
        total = xp.sum(ta * centered, axis=axis)
    if axis is None:
        ty = total / ((a.size - ddof) * _zeros_to_ones(y))
    else:
        ty = total / ((_reduced_size(a, axis) - ddof) * _zeros_to_ones(y))


@adjoint(np.cumsum, methods=("cumsum",), checks=no_out, linear=("x",))
def cumsum(y, x, axis=None, dtype=None, out=None):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    if axis is None:
        dx = xp.reshape(_reverse_cumsum(dy, 0), xp.shape(x))
    else:
        dx = _reverse_cumsum(dy, axis)


@adjoint(np.cumprod, methods=("cumprod",), checks=no_out)
def cumprod(y, x, axis=None, dtype=None, out=None):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    if axis is None:
        dx = xp.reshape(_cumprod_adjoint(dy, xp.ravel(x), y, 0), xp.shape(x))
    else:
        dx = _cumprod_adjoint(dy, x, y, axis)


@tangent(np.cumprod)
def cumprod_tangent(y, x, axis=None, dtype=None, out=None):
    if axis is None:
        ty = _cumprod_tangent(xp.ravel(tx), xp.ravel(x), y, 0)
    else:
        ty = _cumprod_tangent(tx, x, y, axis)


@adjoint(np.diff)
def diff(y, a, n=1, axis=-1, prepend=None, append=None):
    if prepend is None and append is None:
        da = _diff_adjoint(dy, n, axis)
    else:
        da = _diff_unpadded(_diff_adjoint(dy, n, axis), a, axis, prepend, append)


@tangent(np.diff)
def diff_tangent(y, a, n=1, axis=-1, prepend=None, append=None):
    """The difference of the tangent; constant `prepend` and `append` are zeros in it."""
    if prepend is None and append is None:
        ty = xp.diff(ta, n=n, axis=axis)
    else:
        ty = xp.diff(_diff_padded(ta, axis, prepend, append), n=n, axis=axis)


@adjoint(np.trace, methods=("trace",), checks=no_out, linear=("x",))
def trace(y, x, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if dtype is not None:
        raise NotImplementedError("dtype= is not supported: convert first, x.astype(...)")
    dx = _trace_adjoint(dy, x, offset, axis1, axis2)


@adjoint(np.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    if isinstance(ord, str) and ord not in ("fro", "nuc"):
        raise NotImplementedError("the matrix norm orders are 'fro', 'nuc', 1, -1, 2, -2, inf, -inf")
    if ord == 0:
        raise NotImplementedError(
            "ord=0 counts the nonzero elements, which has no gradient: compute it outside"
        )
    if ord is None or ord == "fro" or (
        ord == 2 and axis is not None and (isinstance(axis, int) or len(axis) == 1)
    ):
        if axis is None:
            dx = x * (dy / _zeros_to_ones(y))
        else:
            dx = x * _expand_reduced(dy / _zeros_to_ones(y), x, axis)
    elif axis is None:
        dx = _norm_adjoint(dy, x, y, ord)
    elif isinstance(axis, int) or len(axis) == 1:
        dx = _vector_norm_adjoint(dy, x, y, ord, axis)
    else:
        dx = _matrix_norm_adjoint(dy, x, ord, axis)


@tangent(np.linalg.norm)
def norm_tangent(y, x, ord=None, axis=None, keepdims=False):
    """The tangent along the adjoint's gradient: its subgradients (shared ties, 0 at 0) too."""
    if ord is None or ord == "fro" or (
        ord == 2 and axis is not None and (isinstance(axis, int) or len(axis) == 1)
    ):
        if keepdims:
            ty = xp.sum(tx * x, axis=axis, keepdims=True) / _zeros_to_ones(y)
        else:
            ty = xp.sum(tx * x, axis=axis) / _zeros_to_ones(y)
    elif axis is None:
        ty = _norm_tangent(tx, x, y, ord, keepdims)
    elif isinstance(axis, int) or len(axis) == 1:
        ty = _vector_norm_tangent(tx, x, y, ord, axis, keepdims)
    else:
        ty = _matrix_norm_tangent(tx, x, ord, axis, keepdims)


# ---- the helpers' adjoints: what a gradient of a gradient needs -------------------------------


@adjoint("helper._trace_adjoint", linear=("g",))
def trace_adjoint(y, g, x, offset, axis1, axis2):
    """Linear in `g`: its adjoint is the trace it reverses; `x` gives the shape only."""
    dg = xp.trace(dy, offset, axis1, axis2)


@adjoint("helper._expand_reduced", linear=("g",))
def expand_reduced(y, g, x, axis):
    """A reshape of `g` (to broadcast against `x`): its adjoint reshapes back."""
    dg = xp.reshape(dy, xp.shape(g))


@adjoint("helper._zeros_to_ones", elementwise=True)
def zeros_to_ones(z, y):
    """`y`, with ones where it is zero: the derivative is 1, and 0 at those elements (where the
    ones do not vary with `y`)."""
    dy = xp.where(y == 0, 0.0, dz)


nondifferentiable("helper._reduced_size", "helper._count_numbers")


@adjoint("helper._average_adjoint")
def average_adjoint(y, g, a, weights, axis):
    """`y = g w / Σw` along `axis` (`g / n` without weights): linear in `g`, whose adjoint is the
    weighted average of `dy`; the weights get `g (dy - that average) / Σw`, as the weights of
    an average get theirs (`_average_weights_adjoint`). `a` gives the shape only."""
    averaged = xp.average(dy, axis=axis, weights=weights, keepdims=True)
    dg = xp.reshape(averaged, xp.shape(g))
    dweights = _average_weights_adjoint(g, dy, averaged, weights, axis)


@tangent("helper._average_adjoint")
def average_adjoint_tangent(y, g, a, weights, axis):
    """`tg`'s share, and the weights' tangent `tw` (shaped as NumPy shapes the weights):
    `g (tw - w Σtw / Σw) / Σw`."""
    shaped = xp.reshape(xp.transpose(tweights, _average_order(weights, a, axis)),
                        _average_shape(weights, a, axis))
    ty = _average_adjoint(tg, a, weights, axis) + _expand_reduced(g, a, axis) * (
        shaped - _average_weights(weights, a, axis) * xp.sum(shaped, axis=axis, keepdims=True)
        / xp.sum(_average_weights(weights, a, axis), axis=axis, keepdims=True)
    ) / xp.sum(_average_weights(weights, a, axis), axis=axis, keepdims=True)


@adjoint("helper._average_weights_adjoint")
def average_weights_adjoint(z, g, a, y, weights, axis):
    """`z = g (a - y) / Σw`, summed back to the weights' shape: linear in `g` and in `a - y`;
    `Σw` gives every weight of its sum `-Σ dz g (a - y) / (Σw)²`."""
    shaped = _average_weights(dz, a, axis)
    total = xp.sum(_average_weights(weights, a, axis), axis=axis, keepdims=True)
    centered = a - _expand_reduced(y, a, axis)
    dg = xp.reshape(xp.sum(shaped * centered, axis=axis, keepdims=True) / total, xp.shape(g))
    da = _unbroadcast(shaped * _expand_reduced(g, a, axis) / total, a)
    dy = xp.reshape(-xp.sum(shaped * _expand_reduced(g, a, axis), axis=axis, keepdims=True)
                    / total, xp.shape(y))
    dweights = _average_unshaped(_unbroadcast(xp.broadcast_to(
        -xp.sum(shaped * _expand_reduced(g, a, axis) * centered, axis=axis, keepdims=True)
        / (total * total), xp.shape(a)), _average_weights(weights, a, axis)), weights, a, axis)


@tangent("helper._average_weights_adjoint")
def average_weights_adjoint_tangent(z, g, a, y, weights, axis):
    """The product rule over `g`, `a - y` and `1 / Σw`; `Σw`'s tangent is `Σtw` (the weights'
    tangent shaped as NumPy shapes the weights)."""
    shaped = xp.reshape(xp.transpose(tweights, _average_order(weights, a, axis)),
                        _average_shape(weights, a, axis))
    total = xp.sum(_average_weights(weights, a, axis), axis=axis, keepdims=True)
    tz = _average_unshaped(_unbroadcast(
        (_expand_reduced(tg, a, axis) * (a - _expand_reduced(y, a, axis))
         + _expand_reduced(g, a, axis) * (ta - _expand_reduced(ty, a, axis))
         - _expand_reduced(g, a, axis) * (a - _expand_reduced(y, a, axis))
         * xp.sum(shaped, axis=axis, keepdims=True) / total) / total,
        _average_weights(weights, a, axis)), weights, a, axis)


@adjoint("helper._average_weights", linear=("weights",))
def average_weights(y, weights, a, axis):
    dweights = _average_unshaped(dy, weights, a, axis)


@adjoint("helper._average_unshaped", linear=("g",))
def average_unshaped(y, g, weights, a, axis):
    dg = _average_weights(dy, a, axis)


nondifferentiable("helper._average_order", "helper._average_shape")


# Products: the derivatives of cumprod's and prod's adjoints, exact where `x` has zeros, as sums
# of products (linear recurrences along the axis), never quotients. With
# `F(h, x)_i = Σ_(j≤i) h_j x_(j+1) ⋯ x_i` (`_forward_recurrence`) and its transpose in `h`,
# `R(g, x)_j = Σ_(i≥j) g_i x_(j+1) ⋯ x_i` (`_reverse_recurrence`), the derivative of
# `<a, F(h, x)> = <R(a, x), h>` with respect to `x_m` is `F(h, x)_(m-1) R(a, x)_m`.


@adjoint("helper._forward_recurrence")
def forward_recurrence(u, h, x, axis):
    """`u_i = h_i + x_i u_(i-1)`: linear in `h`, whose adjoint is the reverse recurrence of
    `du`; `x_i` carries `u_(i-1)` into `u_i` and every later one."""
    back = _reverse_recurrence(du, x, axis)
    dh = back
    dx = _shifted(u, axis, 1) * back


@tangent("helper._forward_recurrence")
def forward_recurrence_tangent(u, h, x, axis):
    tu = _forward_recurrence(th + tx * _shifted(u, axis, 1), x, axis)


@adjoint("helper._reverse_recurrence")
def reverse_recurrence(s, g, x, axis):
    """`s_j = g_j + x_(j+1) s_(j+1)`: linear in `g`, whose adjoint is the forward recurrence of
    `ds`; `x_(j+1)` carries `s_(j+1)` into `s_j` and every earlier one."""
    forward = _forward_recurrence(ds, x, axis)
    dg = forward
    dx = _shifted(forward, axis, 1) * s


@tangent("helper._reverse_recurrence")
def reverse_recurrence_tangent(s, g, x, axis):
    ts = _reverse_recurrence(tg + _shifted(tx * s, axis, -1), x, axis)


@adjoint("helper._shifted", linear=("u",))
def shifted(y, u, axis, step):
    du = _shifted(dy, axis, -step)


nondifferentiable("helper._row_end")


@adjoint("helper._cumprod_adjoint")
def cumprod_adjoint(z, g, x, y, axis):
    """With `y = cumprod(x)` (as its callers pass it), `z_j = y_(j-1) R(g, x)_j` (`y_(-1)` = 1):
    the products before `x_j` times the adjoint's reverse recurrence."""
    before = _shifted(y, axis, 1) + _row_end(y, axis, False)
    back = _reverse_recurrence(g, x, axis)
    forward = _forward_recurrence(before * dz, x, axis)
    dg = forward
    dx = _shifted(forward, axis, 1) * back
    dy = _shifted(dz * back, axis, -1)


@tangent("helper._cumprod_adjoint")
def cumprod_adjoint_tangent(z, g, x, y, axis):
    back = _reverse_recurrence(g, x, axis)
    tz = _shifted(ty, axis, 1) * back + (_shifted(y, axis, 1) + _row_end(y, axis, False)) * (
        _reverse_recurrence(tg + _shifted(tx * back, axis, -1), x, axis))


@adjoint("helper._cumprod_tangent")
def cumprod_tangent_adjoint(z, t, x, y, axis):
    """With `y = cumprod(x)` (as its callers pass it), `z = F(t y_(j-1), x)`: the transpose of
    `_cumprod_adjoint`."""
    back = _reverse_recurrence(dz, x, axis)
    dt = (_shifted(y, axis, 1) + _row_end(y, axis, False)) * back
    dx = _shifted(z, axis, 1) * back
    dy = _shifted(t * back, axis, -1)


@tangent("helper._cumprod_tangent")
def cumprod_tangent_tangent(z, t, x, y, axis):
    tz = _forward_recurrence(
        tt * (_shifted(y, axis, 1) + _row_end(y, axis, False)) + t * _shifted(ty, axis, 1)
        + tx * _shifted(z, axis, 1), x, axis)


@adjoint("helper._product_of_others")
def product_of_others(y, x, axis):
    """`y_m = Π_(j≠m) x_j`: its derivative in `x_i` is the product of the others but `x_i` and
    `x_m`, `before_m (x_(m+1) ⋯ x_(i-1)) after_i` for `i > m` (and the mirror for `i < m`),
    with the products before and after each element as recurrences."""
    before = _forward_recurrence(_row_end(x, axis, False), _shifted(x, axis, 1), axis)
    after = _reverse_recurrence(_row_end(x, axis, True), x, axis)
    dx = before * _reverse_recurrence(_shifted(dy * after, axis, -1), x, axis) + after * _shifted(
        _forward_recurrence(dy * before, x, axis), axis, 1)


@tangent("helper._product_of_others")
def product_of_others_tangent(y, x, axis):
    """The adjoint's expression: the Jacobian, a Hessian (prod's), is symmetric."""
    before = _forward_recurrence(_row_end(x, axis, False), _shifted(x, axis, 1), axis)
    after = _reverse_recurrence(_row_end(x, axis, True), x, axis)
    ty = before * _reverse_recurrence(_shifted(tx * after, axis, -1), x, axis) + after * _shifted(
        _forward_recurrence(tx * before, x, axis), axis, 1)


# Norms: each adjoint is `g W`, `W` the norm's gradient (`_..._norm_adjoint` of ones). A vector
# norm of order p has `W = sign(x) (|x| / y)^(p-1)` (0 where x or the norm y is 0), whose
# derivatives are `(p-1) (|x| / y)^(p-2) / y` in x and `-(p-1) (|x| / y)^(p-2) x / y²` in y; the
# orders ±inf, and the matrix orders ±1, ±inf, are piecewise linear (W does not vary); the
# nuclear and spectral norms' `W = u diag(c) vh` varies with the singular vectors.


@adjoint("helper._vector_norm_adjoint")
def vector_norm_adjoint(z, g, x, y, ord, axis):
    slopes = _vector_norm_adjoint(xp.ones_like(y), x, y, ord, axis)
    dg = xp.reshape(xp.sum(dz * slopes, axis=axis, keepdims=True), xp.shape(g))
    if abs(ord) != float("inf"):
        expanded = _expand_reduced(y, x, axis)
        differentiable = xp.logical_and(x != 0, expanded != 0)
        ratio = xp.where(differentiable, xp.abs(x) / _zeros_to_ones(expanded), 1.0)
        bend = dz * xp.where(differentiable, (ord - 1) * ratio ** (ord - 2), 0.0) * (
            _expand_reduced(g, x, axis) / _zeros_to_ones(expanded))
        dx = bend
        dy = -xp.reshape(xp.sum(bend * x, axis=axis, keepdims=True), xp.shape(y)) / _zeros_to_ones(y)


@tangent("helper._vector_norm_adjoint")
def vector_norm_adjoint_tangent(z, g, x, y, ord, axis):
    if abs(ord) == float("inf"):
        tz = _expand_reduced(tg, x, axis) * _vector_norm_adjoint(xp.ones_like(y), x, y, ord, axis)
    else:
        expanded = _expand_reduced(y, x, axis)
        differentiable = xp.logical_and(x != 0, expanded != 0)
        ratio = xp.where(differentiable, xp.abs(x) / _zeros_to_ones(expanded), 1.0)
        tz = _expand_reduced(tg, x, axis) * _vector_norm_adjoint(xp.ones_like(y), x, y, ord, axis) + (
            xp.where(differentiable, (ord - 1) * ratio ** (ord - 2), 0.0)
            * (_expand_reduced(g, x, axis) / _zeros_to_ones(expanded))
            * (tx - x * _expand_reduced(ty, x, axis) / _zeros_to_ones(expanded)))


@adjoint("helper._matrix_norm_adjoint")
def matrix_norm_adjoint(z, g, x, ord, axis):
    """`dx`, for the nuclear and spectral norms, is svd's adjoint of `W = u diag(c) vh` (c = 1,
    or the extreme singular values' shares) along `h = dz g`, moved to the last two axes."""
    dg = xp.reshape(xp.sum(dz * _matrix_norm_adjoint(xp.ones_like(g), x, ord, axis), axis=axis,
                           keepdims=True), xp.shape(g))
    if ord == "nuc":
        decomposition = xp.linalg.svd(xp.moveaxis(x, axis, (-2, -1)), full_matrices=False)
        weighted = xp.moveaxis(dz * _expand_reduced(g, x, axis), axis, (-2, -1))
        dx = xp.moveaxis(_svd_adjoint(
            weighted @ _matrix_transpose(decomposition[2]), xp.zeros_like(decomposition[1]),
            _matrix_transpose(decomposition[0]) @ weighted, decomposition[0], decomposition[1],
            decomposition[2]), (-2, -1), axis)
    elif ord == 2 or ord == -2:
        decomposition = xp.linalg.svd(xp.moveaxis(x, axis, (-2, -1)), full_matrices=False)
        weighted = xp.moveaxis(dz * _expand_reduced(g, x, axis), axis, (-2, -1))
        shares = _norm_shares(decomposition[1], ord)
        dx = xp.moveaxis(_svd_adjoint(
            (weighted @ _matrix_transpose(decomposition[2])) * shares[..., None, :],
            xp.zeros_like(decomposition[1]),
            shares[..., :, None] * (_matrix_transpose(decomposition[0]) @ weighted),
            decomposition[0], decomposition[1], decomposition[2]), (-2, -1), axis)


@tangent("helper._matrix_norm_adjoint")
def matrix_norm_adjoint_tangent(z, g, x, ord, axis):
    if ord == "nuc":
        decomposition = xp.linalg.svd(xp.moveaxis(x, axis, (-2, -1)), full_matrices=False)
        v = _matrix_transpose(decomposition[2])
        moved = xp.moveaxis(tx, axis, (-2, -1))
        rotated = _matrix_transpose(decomposition[0]) @ moved @ v
        tz = _expand_reduced(tg, x, axis) * _matrix_norm_adjoint(xp.ones_like(g), x, ord, axis) + (
            _expand_reduced(g, x, axis) * xp.moveaxis(
                _svd_left_tangent(moved, rotated, decomposition[0], decomposition[1], v)
                @ decomposition[2] + decomposition[0] @ _matrix_transpose(_svd_left_tangent(
                    xp.swapaxes(moved, -1, -2), xp.swapaxes(rotated, -1, -2), v,
                    decomposition[1], decomposition[0])), (-2, -1), axis))
    elif ord == 2 or ord == -2:
        decomposition = xp.linalg.svd(xp.moveaxis(x, axis, (-2, -1)), full_matrices=False)
        v = _matrix_transpose(decomposition[2])
        moved = xp.moveaxis(tx, axis, (-2, -1))
        rotated = _matrix_transpose(decomposition[0]) @ moved @ v
        shares = _norm_shares(decomposition[1], ord)
        tz = _expand_reduced(tg, x, axis) * _matrix_norm_adjoint(xp.ones_like(g), x, ord, axis) + (
            _expand_reduced(g, x, axis) * xp.moveaxis(
                (_svd_left_tangent(moved, rotated, decomposition[0], decomposition[1], v)
                 * shares[..., None, :]) @ decomposition[2]
                + (decomposition[0] * shares[..., None, :]) @ _matrix_transpose(_svd_left_tangent(
                    xp.swapaxes(moved, -1, -2), xp.swapaxes(rotated, -1, -2), v,
                    decomposition[1], decomposition[0])), (-2, -1), axis))
    else:
        tz = _expand_reduced(tg, x, axis) * _matrix_norm_adjoint(xp.ones_like(g), x, ord, axis)


nondifferentiable("helper._norm_shares")


@adjoint("helper._norm_adjoint")
def norm_adjoint(z, g, x, y, ord):
    """`_vector_norm_adjoint` of a 1-D `x`, `_matrix_norm_adjoint` of a 2-D one, decided when it
    runs. Where `W` varies, each order is one kind's but 2: a vector's 2-norm is the spectral
    norm of the one-row matrix (`atleast_2d`); -1 and -2, whose `W` varies otherwise in each
    kind, are refused."""
    dg = xp.reshape(xp.sum(dz * _norm_adjoint(xp.ones_like(y), x, y, ord)), xp.shape(g))
    if ord == -1 or ord == -2:
        raise NotImplementedError(
            "the gradient of norm(x, ord) for ord -1 or -2 without axis= is differentiated "
            "once only: pass axis=0 for a vector, axis=(0, 1) for a matrix"
        )
    if ord == "nuc":
        decomposition = xp.linalg.svd(x, full_matrices=False)
        dx = _svd_adjoint(
            (dz * g) @ _matrix_transpose(decomposition[2]), xp.zeros_like(decomposition[1]),
            _matrix_transpose(decomposition[0]) @ (dz * g), decomposition[0], decomposition[1],
            decomposition[2])
    elif ord == 2:
        decomposition = xp.linalg.svd(xp.atleast_2d(x), full_matrices=False)
        weighted = xp.atleast_2d(dz * g)
        shares = _norm_shares(decomposition[1], ord)
        dx = xp.reshape(_svd_adjoint(
            (weighted @ _matrix_transpose(decomposition[2])) * shares[..., None, :],
            xp.zeros_like(decomposition[1]),
            shares[..., :, None] * (_matrix_transpose(decomposition[0]) @ weighted),
            decomposition[0], decomposition[1], decomposition[2]), xp.shape(x))
    elif ord not in (1, float("inf"), -float("inf")):
        differentiable = xp.logical_and(x != 0, y != 0)
        ratio = xp.where(differentiable, xp.abs(x) / _zeros_to_ones(y), 1.0)
        bend = dz * xp.where(differentiable, (ord - 1) * ratio ** (ord - 2), 0.0) * (
            g / _zeros_to_ones(y))
        dx = bend
        dy = -xp.reshape(xp.sum(bend * x), xp.shape(y)) / _zeros_to_ones(y)


@tangent("helper._norm_adjoint")
def norm_adjoint_tangent(z, g, x, y, ord):
    if ord == "nuc":
        decomposition = xp.linalg.svd(x, full_matrices=False)
        v = _matrix_transpose(decomposition[2])
        rotated = _matrix_transpose(decomposition[0]) @ tx @ v
        tz = tg * _norm_adjoint(xp.ones_like(y), x, y, ord) + g * (
            _svd_left_tangent(tx, rotated, decomposition[0], decomposition[1], v)
            @ decomposition[2] + decomposition[0] @ _matrix_transpose(_svd_left_tangent(
                xp.swapaxes(tx, -1, -2), xp.swapaxes(rotated, -1, -2), v, decomposition[1],
                decomposition[0])))
    elif ord == 2:
        decomposition = xp.linalg.svd(xp.atleast_2d(x), full_matrices=False)
        v = _matrix_transpose(decomposition[2])
        moved = xp.atleast_2d(tx)
        rotated = _matrix_transpose(decomposition[0]) @ moved @ v
        shares = _norm_shares(decomposition[1], ord)
        tz = tg * _norm_adjoint(xp.ones_like(y), x, y, ord) + g * xp.reshape(
            (_svd_left_tangent(moved, rotated, decomposition[0], decomposition[1], v)
             * shares[..., None, :]) @ decomposition[2]
            + (decomposition[0] * shares[..., None, :]) @ _matrix_transpose(_svd_left_tangent(
                xp.swapaxes(moved, -1, -2), xp.swapaxes(rotated, -1, -2), v, decomposition[1],
                decomposition[0])), xp.shape(x))
    elif ord in (1, float("inf"), -float("inf")):
        tz = tg * _norm_adjoint(xp.ones_like(y), x, y, ord)
    else:
        differentiable = xp.logical_and(x != 0, y != 0)
        ratio = xp.where(differentiable, xp.abs(x) / _zeros_to_ones(y), 1.0)
        tz = tg * _norm_adjoint(xp.ones_like(y), x, y, ord) + (
            xp.where(differentiable, (ord - 1) * ratio ** (ord - 2), 0.0) * (g / _zeros_to_ones(y))
            * (tx - x * ty / _zeros_to_ones(y)))
