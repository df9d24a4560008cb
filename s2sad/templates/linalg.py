"""Adjoints of linear algebra: products (matmul and `@`, dot, inner, outer, vdot, kron,
cross, tensordot, einsum) and numpy.linalg's inv, solve, det, cholesky, pinv.

Real arrays: no rule here conjugates. Inverses need invertible matrices. The
gradients of cholesky and eigh are symmetric (they assume a symmetric
perturbation, as the input is symmetric); those of eigenvectors and singular
vectors need distinct eigenvalues and singular values (a degenerate spectrum
gives infinities); those of pinv hold where the rank of the matrix does not
change.

Each rule's tangent (forward mode) follows it: the products and einsum are multilinear;
the factorizations' tangents are JAX's jvp rules, the transposes of the adjoints here,
with their symmetrization of cholesky's and eigh's input and their conditions.
"""

import numpy as np

from ..registry import adjoint, nondifferentiable, tangent


@adjoint(np.matmul, multilinear=("a", "b"))
def matmul(y, a, b):
    da = _matmul_dlhs(dy, a, b)
    db = _matmul_drhs(dy, a, b)


@adjoint(np.dot, methods=("dot",), multilinear=("a", "b"))
def dot(y, a, b):
    da = _dot_dlhs(dy, a, b)
    db = _dot_drhs(dy, a, b)


@adjoint(np.outer, multilinear=("a", "b"))
def outer(y, a, b):
    da = xp.reshape(dy @ xp.ravel(b), xp.shape(a))
    db = xp.reshape(xp.ravel(a) @ dy, xp.shape(b))


@adjoint(np.inner, multilinear=("a", "b"))
def inner(y, a, b):
    da = _inner_dlhs(dy, a, b)
    db = _inner_drhs(dy, a, b)


@adjoint(np.vdot, multilinear=("a", "b"))
def vdot(y, a, b):
    da = xp.reshape(dy * b, xp.shape(a))
    db = xp.reshape(dy * a, xp.shape(b))


@adjoint(np.kron, multilinear=("a", "b"))
def kron(y, a, b):
    da = _kron_dlhs(dy, a, b)
    db = _kron_drhs(dy, a, b)


@adjoint(np.cross, multilinear=("a", "b"))
def cross(y, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is None:
        da = _cross_dlhs(dy, a, b, axisa, axisb, axisc)
        db = _cross_drhs(dy, a, b, axisa, axisb, axisc)
    else:
        da = _cross_dlhs(dy, a, b, axis, axis, axis)
        db = _cross_drhs(dy, a, b, axis, axis, axis)


@adjoint(np.tensordot, multilinear=("a", "b"))
def tensordot(y, a, b, axes=2):
    da = _tensordot_dlhs(dy, a, b, axes)
    db = _tensordot_drhs(dy, a, b, axes)


@adjoint(np.einsum, multilinear=("a", "b", "c", "d"))
def einsum(y, subscripts, a, b=None, c=None, d=None, optimize=False):
    if optimize not in (False, True, "greedy", "optimal"):
        raise NotImplementedError(
            "einsum's optimize= must be False, True, 'greedy' or 'optimal': "
            "a contraction path does not apply to the adjoint's einsum"
        )
    if subscripts.count(",") == 0:
        da = _einsum_adjoint(dy, subscripts, 0, a)
    elif subscripts.count(",") == 1:
        da = _einsum_adjoint(dy, subscripts, 0, a, b)
        db = _einsum_adjoint(dy, subscripts, 1, a, b)
    elif subscripts.count(",") == 2:
        da = _einsum_adjoint(dy, subscripts, 0, a, b, c)
        db = _einsum_adjoint(dy, subscripts, 1, a, b, c)
        dc = _einsum_adjoint(dy, subscripts, 2, a, b, c)
    elif subscripts.count(",") == 3:
        da = _einsum_adjoint(dy, subscripts, 0, a, b, c, d)
        db = _einsum_adjoint(dy, subscripts, 1, a, b, c, d)
        dc = _einsum_adjoint(dy, subscripts, 2, a, b, c, d)
        dd = _einsum_adjoint(dy, subscripts, 3, a, b, c, d)
    else:
        raise NotImplementedError(
            "einsum of more than 4 operands is not supported: split it into several einsum calls"
        )


@adjoint(np.linalg.inv)
def inv(y, a):
    inv_t = _matrix_transpose(y)
    da = -(inv_t @ dy @ inv_t)


@tangent(np.linalg.inv)
def inv_tangent(y, a):
    ty = -(y @ ta @ y)


@adjoint(np.linalg.solve)
def solve(x, a, b):
    db_broadcast = _solve_adjoint(dx, a, b)
    da = _unbroadcast(_solve_matrix_adjoint(db_broadcast, x, b), a)
    db = _unbroadcast(db_broadcast, b)


@tangent(np.linalg.solve)
def solve_tangent(x, a, b):
    """`solve(a, tb - ta x)`, in columns (`[..., None]`) where `b` is one vector."""
    columns = _solve_columns(b)
    tx = xp.reshape(xp.linalg.solve(a, tb[columns] - ta @ x[columns]), xp.shape(x))


@adjoint(np.linalg.det)
def det(y, a):
    da = _scaled_inverse_transpose(dy * y, a)


@tangent(np.linalg.det)
def det_tangent(y, a):
    ty = y * xp.trace(xp.linalg.solve(a, ta), axis1=-2, axis2=-1)


@adjoint(np.linalg.slogdet, outputs=("sign", "logabsdet"))
def slogdet(y, a):
    da = _scaled_inverse_transpose(dlogabsdet, a)


@tangent(np.linalg.slogdet)
def slogdet_tangent(y, a):
    """The sign is constant: its tangent is zero."""
    tlogabsdet = xp.trace(xp.linalg.solve(a, ta), axis1=-2, axis2=-1)


@adjoint(np.linalg.cholesky)
def cholesky(y, a, upper=False):
    if upper:
        da = _cholesky_adjoint(_matrix_transpose(dy), _matrix_transpose(y))
    else:
        da = _cholesky_adjoint(dy, y)


@tangent(np.linalg.cholesky)
def cholesky_tangent(y, a, upper=False):
    """`L Φ(L⁻¹ ta L⁻ᵀ)` of the symmetric part of `ta`, as the adjoint is symmetric."""
    if upper:
        ty = _matrix_transpose(_cholesky_tangent(ta, _matrix_transpose(y)))
    else:
        ty = _cholesky_tangent(ta, y)


@adjoint(np.linalg.pinv)
def pinv(y, a, rcond=None, hermitian=False, rtol=None):
    if rcond is not None or rtol is not None:
        raise NotImplementedError(
            "pinv with rcond= or rtol= is not supported: the gradient of a truncated "
            "pseudo-inverse is not the derivative of pinv"
        )
    if hermitian:
        raise NotImplementedError("pinv(hermitian=True) is not supported; use hermitian=False")
    da = _pinv_adjoint(dy, y, a)


@tangent(np.linalg.pinv)
def pinv_tangent(y, a, rcond=None, hermitian=False, rtol=None):
    ty = _pinv_tangent(ta, y, a)


@adjoint(np.linalg.eigh, outputs=("eigenvalues", "eigenvectors"))
def eigh(y, a, UPLO="L"):
    if UPLO not in ("L", "U"):
        raise NotImplementedError("eigh's UPLO= must be 'L' or 'U'")
    da = _eigh_adjoint(deigenvalues, deigenvectors, eigenvalues, eigenvectors)


@tangent(np.linalg.eigh)
def eigh_tangent(y, a, UPLO="L"):
    """With `M = Vᵀ ta V` (ta's symmetric part, as the adjoint's): `tw = diag(M)`,
    `tV = V (F ∘ M)`, F_ij = 1 / (w_j - w_i) off the diagonal."""
    rotated = _symmetric_part(_matrix_transpose(eigenvectors) @ ta @ eigenvectors)
    teigenvalues = xp.diagonal(rotated, axis1=-2, axis2=-1)
    teigenvectors = eigenvectors @ (_inverse_gaps(eigenvalues) * rotated)


@adjoint(np.linalg.svd, outputs=("U", "S", "Vh"), single_output=("compute_uv", False))
def svd(y, a, full_matrices=True, compute_uv=True, hermitian=False):
    if hermitian:
        raise NotImplementedError("svd(hermitian=True) is not supported; use hermitian=False")
    if not compute_uv:
        da = _singular_values_adjoint(dy, a)
    elif full_matrices:
        raise NotImplementedError(
            "the gradient of svd needs full_matrices=False: the extra columns of U or Vh "
            "are not unique"
        )
    else:
        da = _svd_adjoint(dU, dS, dVh, U, S, Vh)


@tangent(np.linalg.svd)
def svd_tangent(y, a, full_matrices=True, compute_uv=True, hermitian=False):
    """With `R = Uᵀ ta V`: `tS = diag(R)`; `tU` and `tVh` as JAX's jvp (`_svd_left_tangent`)."""
    if not compute_uv:
        ty = _singular_values_tangent(ta, a)
    else:
        v = _matrix_transpose(Vh)
        rotated = _matrix_transpose(U) @ ta @ v
        tU = _svd_left_tangent(ta, rotated, U, S, v)
        tS = xp.diagonal(rotated, axis1=-2, axis2=-1)
        tVh = _matrix_transpose(
            _svd_left_tangent(_matrix_transpose(ta), _matrix_transpose(rotated), v, S, U)
        )


@adjoint(np.linalg.svdvals)
def svdvals(y, x):
    dx = _singular_values_adjoint(dy, x)


@tangent(np.linalg.svdvals)
def svdvals_tangent(y, x):
    ty = _singular_values_tangent(tx, x)


# ---- the helpers' adjoints: what a gradient of a gradient needs -------------------------------
# Each product's helper is linear in the adjoint `g` it takes and in the other operand, so its
# adjoint with respect to `g` is the product it reverses, and with respect to the other operand
# the helper of the other side (as `_matmul_dlhs`'s in generated.py). The operand whose adjoint
# it is gives the shape only: it gets none.


@adjoint("helper._inner_dlhs", multilinear=("g", "b"))
def inner_dlhs(y, g, a, b):
    dg = xp.inner(dy, b)
    db = _inner_drhs(g, dy, b)


@adjoint("helper._inner_drhs", multilinear=("g", "a"))
def inner_drhs(y, g, a, b):
    dg = xp.inner(a, dy)
    da = _inner_dlhs(g, a, dy)


@adjoint("helper._kron_dlhs", multilinear=("g", "b"))
def kron_dlhs(y, g, a, b):
    dg = xp.kron(dy, b)
    db = _kron_drhs(g, dy, b)


@adjoint("helper._kron_drhs", multilinear=("g", "a"))
def kron_drhs(y, g, a, b):
    dg = xp.kron(a, dy)
    da = _kron_dlhs(g, a, dy)


@adjoint("helper._cross_dlhs", multilinear=("g", "b"))
def cross_dlhs(y, g, a, b, axisa, axisb, axisc):
    dg = xp.cross(dy, b, axisa=axisa, axisb=axisb, axisc=axisc)
    db = _cross_drhs(g, dy, b, axisa, axisb, axisc)


@adjoint("helper._cross_drhs", multilinear=("g", "a"))
def cross_drhs(y, g, a, b, axisa, axisb, axisc):
    dg = xp.cross(a, dy, axisa=axisa, axisb=axisb, axisc=axisc)
    da = _cross_dlhs(g, a, dy, axisa, axisb, axisc)


@adjoint("helper._tensordot_dlhs", multilinear=("g", "b"))
def tensordot_dlhs(y, g, a, b, axes):
    dg = xp.tensordot(dy, b, axes)
    db = _tensordot_drhs(g, dy, b, axes)


@adjoint("helper._tensordot_drhs", multilinear=("g", "a"))
def tensordot_drhs(y, g, a, b, axes):
    dg = xp.tensordot(a, dy, axes)
    da = _tensordot_dlhs(g, a, dy, axes)


@adjoint("helper._matrix_transpose", linear=("x",))
def matrix_transpose(y, x):
    dx = _matrix_transpose(dy)


@adjoint("helper._einsum_adjoint")
def einsum_adjoint(y, g, subscripts, k, a, b=None, c=None, d=None):
    """Linear in `g` and in each operand but the k-th, which gives the shape only: the adjoint
    of `g` is the einsum with the k-th operand replaced by `dy`, that of another operand its
    own `_einsum_adjoint` of `g` in that einsum."""
    if subscripts.count(",") == 0:
        dg = xp.einsum(subscripts, dy)
    elif subscripts.count(",") == 1 and k == 0:
        dg = xp.einsum(subscripts, dy, b)
        db = _einsum_adjoint(g, subscripts, 1, dy, b)
    elif subscripts.count(",") == 1:
        dg = xp.einsum(subscripts, a, dy)
        da = _einsum_adjoint(g, subscripts, 0, a, dy)
    elif subscripts.count(",") == 2 and k == 0:
        dg = xp.einsum(subscripts, dy, b, c, optimize=True)
        db = _einsum_adjoint(g, subscripts, 1, dy, b, c)
        dc = _einsum_adjoint(g, subscripts, 2, dy, b, c)
    elif subscripts.count(",") == 2 and k == 1:
        dg = xp.einsum(subscripts, a, dy, c, optimize=True)
        da = _einsum_adjoint(g, subscripts, 0, a, dy, c)
        dc = _einsum_adjoint(g, subscripts, 2, a, dy, c)
    elif subscripts.count(",") == 2:
        dg = xp.einsum(subscripts, a, b, dy, optimize=True)
        da = _einsum_adjoint(g, subscripts, 0, a, b, dy)
        db = _einsum_adjoint(g, subscripts, 1, a, b, dy)
    elif k == 0:
        dg = xp.einsum(subscripts, dy, b, c, d, optimize=True)
        db = _einsum_adjoint(g, subscripts, 1, dy, b, c, d)
        dc = _einsum_adjoint(g, subscripts, 2, dy, b, c, d)
        dd = _einsum_adjoint(g, subscripts, 3, dy, b, c, d)
    elif k == 1:
        dg = xp.einsum(subscripts, a, dy, c, d, optimize=True)
        da = _einsum_adjoint(g, subscripts, 0, a, dy, c, d)
        dc = _einsum_adjoint(g, subscripts, 2, a, dy, c, d)
        dd = _einsum_adjoint(g, subscripts, 3, a, dy, c, d)
    elif k == 2:
        dg = xp.einsum(subscripts, a, b, dy, d, optimize=True)
        da = _einsum_adjoint(g, subscripts, 0, a, b, dy, d)
        db = _einsum_adjoint(g, subscripts, 1, a, b, dy, d)
        dd = _einsum_adjoint(g, subscripts, 3, a, b, dy, d)
    else:
        dg = xp.einsum(subscripts, a, b, c, dy, optimize=True)
        da = _einsum_adjoint(g, subscripts, 0, a, b, c, dy)
        db = _einsum_adjoint(g, subscripts, 1, a, b, c, dy)
        dc = _einsum_adjoint(g, subscripts, 2, a, b, c, dy)


@tangent("helper._einsum_adjoint")
def einsum_adjoint_tangent(y, g, subscripts, k, a, b=None, c=None, d=None):
    """The product rule over `g` and the operands but the k-th (whose tangent does not count)."""
    if subscripts.count(",") == 0:
        ty = _einsum_adjoint(tg, subscripts, k, a)
    elif subscripts.count(",") == 1 and k == 0:
        ty = _einsum_adjoint(tg, subscripts, 0, a, b) + _einsum_adjoint(g, subscripts, 0, a, tb)
    elif subscripts.count(",") == 1:
        ty = _einsum_adjoint(tg, subscripts, 1, a, b) + _einsum_adjoint(g, subscripts, 1, ta, b)
    elif subscripts.count(",") == 2 and k == 0:
        ty = (_einsum_adjoint(tg, subscripts, 0, a, b, c)
              + _einsum_adjoint(g, subscripts, 0, a, tb, c)
              + _einsum_adjoint(g, subscripts, 0, a, b, tc))
    elif subscripts.count(",") == 2 and k == 1:
        ty = (_einsum_adjoint(tg, subscripts, 1, a, b, c)
              + _einsum_adjoint(g, subscripts, 1, ta, b, c)
              + _einsum_adjoint(g, subscripts, 1, a, b, tc))
    elif subscripts.count(",") == 2:
        ty = (_einsum_adjoint(tg, subscripts, 2, a, b, c)
              + _einsum_adjoint(g, subscripts, 2, ta, b, c)
              + _einsum_adjoint(g, subscripts, 2, a, tb, c))
    elif k == 0:
        ty = (_einsum_adjoint(tg, subscripts, 0, a, b, c, d)
              + _einsum_adjoint(g, subscripts, 0, a, tb, c, d)
              + _einsum_adjoint(g, subscripts, 0, a, b, tc, d)
              + _einsum_adjoint(g, subscripts, 0, a, b, c, td))
    elif k == 1:
        ty = (_einsum_adjoint(tg, subscripts, 1, a, b, c, d)
              + _einsum_adjoint(g, subscripts, 1, ta, b, c, d)
              + _einsum_adjoint(g, subscripts, 1, a, b, tc, d)
              + _einsum_adjoint(g, subscripts, 1, a, b, c, td))
    elif k == 2:
        ty = (_einsum_adjoint(tg, subscripts, 2, a, b, c, d)
              + _einsum_adjoint(g, subscripts, 2, ta, b, c, d)
              + _einsum_adjoint(g, subscripts, 2, a, tb, c, d)
              + _einsum_adjoint(g, subscripts, 2, a, b, c, td))
    else:
        ty = (_einsum_adjoint(tg, subscripts, 3, a, b, c, d)
              + _einsum_adjoint(g, subscripts, 3, ta, b, c, d)
              + _einsum_adjoint(g, subscripts, 3, a, tb, c, d)
              + _einsum_adjoint(g, subscripts, 3, a, b, tc, d))


@adjoint("helper._scaled_inverse_transpose")
def scaled_inverse_transpose(y, scale, a):
    """`y = scale a⁻ᵀ`: `scale`'s adjoint is `dy`'s inner product with `a⁻ᵀ`; the derivative
    of `a⁻ᵀ`, `-a⁻ᵀ daᵀ a⁻ᵀ`, gives `a` the adjoint `-(y dyᵀ a⁻ᵀ)`."""
    inverse_t = _matrix_transpose(xp.linalg.inv(a))
    dscale = xp.sum(dy * inverse_t, axis=(-2, -1))
    da = -(y @ _matrix_transpose(dy) @ inverse_t)


@tangent("helper._scaled_inverse_transpose")
def scaled_inverse_transpose_tangent(y, scale, a):
    inverse_t = _matrix_transpose(xp.linalg.inv(a))
    ty = xp.expand_dims(tscale, (-2, -1)) * inverse_t - y @ xp.swapaxes(ta, -1, -2) @ inverse_t


@adjoint("helper._solve_adjoint")
def solve_adjoint(y, g, a, b):
    """`y = solve(aᵀ, g)` (in columns where `b` is one vector): linear in `g`, whose adjoint is
    `solve(a, dy)`; `a⁻ᵀ`'s derivative gives `a` the adjoint `-(y solve(a, dy)ᵀ)`. `b` gives
    the number of its axes only."""
    solved = _solve_adjoint(dy, _matrix_transpose(a), b)
    dg = _unbroadcast(solved, g)
    da = _unbroadcast(_solve_matrix_adjoint(y, solved, b), a)


@tangent("helper._solve_adjoint")
def solve_adjoint_tangent(y, g, a, b):
    """`solve(aᵀ, tg - taᵀ y)`, in columns (`[..., None]`) where `b` is one vector."""
    columns = _solve_columns(b)
    ty = _solve_adjoint(tg - xp.reshape(xp.swapaxes(ta, -1, -2) @ y[columns], xp.shape(y)), a, b)


@adjoint("helper._solve_matrix_adjoint", multilinear=("gb", "x"))
def solve_matrix_adjoint(y, gb, x, b):
    """`y = -(gb xᵀ)`, of columns (`[..., None]`) where `b` is one vector: bilinear."""
    columns = _solve_columns(b)
    dgb = xp.reshape(-(dy @ x[columns]), xp.shape(gb))
    dx = xp.reshape(-(_matrix_transpose(dy) @ gb[columns]), xp.shape(x))


nondifferentiable("helper._solve_columns")


@adjoint("helper._symmetric_part", linear=("x",))
def symmetric_part(y, x):
    dx = _symmetric_part(dy)


@adjoint("helper._inverse_gaps")
def inverse_gaps(f, values):
    """`f_ij = 1 / (values_j - values_i)` (0 on the diagonal): `∂f_ij/∂values_j = -f_ij²`,
    `∂f_ij/∂values_i = f_ij²`."""
    weighted = df * f * f
    dvalues = xp.sum(weighted, axis=-1) - xp.sum(weighted, axis=-2)


@tangent("helper._inverse_gaps")
def inverse_gaps_tangent(f, values):
    tf = f * f * (tvalues[..., :, None] - tvalues[..., None, :])


# The factorizations' helpers: each adjoint `A(g, factors)` is linear in `g` (its transpose is
# the factorization's tangent, `T(t, factors)`), and both are rational in the factors, whose
# derivatives are written out. `L` is cholesky's factor, `V` eigh's eigenvectors; `sym(x)` is
# `(x + xᵀ) / 2` and `Φ(x)` the lower triangle of `x` with its diagonal halved.


@adjoint("helper._cholesky_adjoint")
def cholesky_adjoint(z, g, lower):
    """`z = sym(L⁻ᵀ Φ(Lᵀ g) L⁻¹)`: `dg = L Φ(L⁻¹ sym(dz) L⁻ᵀ)` (the tangent), and, `L` appearing
    in `Lᵀ g` and in both inverses, `dL = (g Φ(M)ᵀ - 2 z sym(dz)) L⁻ᵀ` with `Φ(M) = L⁻¹ dg`."""
    shaped = _cholesky_tangent(dz, lower)
    dg = shaped
    dlower = _matrix_transpose(xp.linalg.solve(
        lower, shaped @ _matrix_transpose(g) - 2.0 * (_symmetric_part(dz) @ z)))


@tangent("helper._cholesky_adjoint")
def cholesky_adjoint_tangent(z, g, lower):
    """`A(tg + W g, L) - (W z + (W z)ᵀ)` with `W = (tL L⁻¹)ᵀ`."""
    turned = xp.swapaxes(tlower @ xp.linalg.inv(lower), -1, -2)
    moved = turned @ z
    tz = _cholesky_adjoint(tg + turned @ g, lower) - (moved + xp.swapaxes(moved, -1, -2))


@adjoint("helper._cholesky_tangent")
def cholesky_tangent_adjoint(z, t, lower):
    """`z = L Φ(L⁻¹ sym(t) L⁻ᵀ)`: `dt = A(dz, L)` (the adjoint), and
    `dL = (dz zᵀ - 2 dt sym(t)) L⁻ᵀ`."""
    back = _cholesky_adjoint(dz, lower)
    dt = back
    dlower = _matrix_transpose(xp.linalg.solve(
        lower, z @ _matrix_transpose(dz) - 2.0 * (_symmetric_part(t) @ back)))


@tangent("helper._cholesky_tangent")
def cholesky_tangent_tangent(z, t, lower):
    """`T(tt - 2 tL L⁻¹ sym(t), L) + tL L⁻¹ z`."""
    tz = _cholesky_tangent(tt - 2.0 * (tlower @ xp.linalg.solve(lower, _symmetric_part(t))),
                           lower) + tlower @ xp.linalg.solve(lower, z)


@adjoint("helper._eigh_adjoint")
def eigh_adjoint(z, g_values, g_vectors, values, vectors):
    """`z = sym(V E Vᵀ)`, `E = diag(gw) + F ∘ (Vᵀ gV)`, `F = _inverse_gaps(w)`. With
    `K = Vᵀ sym(dz) V`: `dgw = diag(K)`, `dgV = V (F ∘ K)` (the tangent), `w` through `F`, and
    `dV = sym(dz) V (E + Eᵀ) + gV (F ∘ K)ᵀ`, where `E + Eᵀ = 2 Vᵀ z V` (`V` orthogonal)."""
    rotated = _matrix_transpose(vectors) @ _symmetric_part(dz) @ vectors
    coupled = _inverse_gaps(values) * rotated
    dg_values = xp.diagonal(rotated, axis1=-2, axis2=-1)
    dg_vectors = vectors @ coupled
    weighted = coupled * _inverse_gaps(values) * (_matrix_transpose(vectors) @ g_vectors)
    dvalues = xp.sum(weighted, axis=-1) - xp.sum(weighted, axis=-2)
    dvectors = 2.0 * (_symmetric_part(dz) @ (z @ vectors)) + g_vectors @ _matrix_transpose(coupled)


@tangent("helper._eigh_adjoint")
def eigh_adjoint_tangent(z, g_values, g_vectors, values, vectors):
    """The adjoint of the tangents `tgw`, `tgV`, and `sym(V (F ∘ (tVᵀ gV) + tF ∘ (Vᵀ gV)) Vᵀ +
    2 tV Vᵀ z)` (`tF = F² ∘ (tw_i - tw_j)`) for those of the eigenvectors and eigenvalues."""
    moved = vectors @ (_inverse_gaps(values) * (xp.swapaxes(tvectors, -1, -2) @ g_vectors) + (
        _inverse_gaps(values) * _inverse_gaps(values) * (tvalues[..., :, None] - tvalues[..., None, :])
        * (_matrix_transpose(vectors) @ g_vectors))) @ _matrix_transpose(vectors) + 2.0 * (
        tvectors @ (_matrix_transpose(vectors) @ z))
    tz = _eigh_adjoint(tg_values, tg_vectors, values, vectors) + 0.5 * (
        moved + xp.swapaxes(moved, -1, -2))


@adjoint("helper._pinv_adjoint")
def pinv_adjoint(z, g, p, a):
    """`z = -(pᵀ g pᵀ) + (I - a p) gᵀ p pᵀ + pᵀ p gᵀ (I - p a)`, a polynomial in `g`, `p` and
    `a`: each product's factor gets the products before and after it, transposed, around
    `dz`; `dg` is the tangent (`_pinv_tangent`), its transpose."""
    pt = _matrix_transpose(p)
    dzt = _matrix_transpose(dz)
    row = xp.eye(a.shape[-2], dtype=a.dtype) - a @ p
    column = xp.eye(a.shape[-1], dtype=a.dtype) - p @ a
    dg = _pinv_tangent(dz, p, a)
    dp = (g @ _matrix_transpose(row) @ dz @ p + dzt @ row @ _matrix_transpose(g) @ p
          + p @ _matrix_transpose(g) @ column @ dzt + p @ dz @ _matrix_transpose(column) @ g
          - g @ pt @ dzt - dzt @ pt @ g - _matrix_transpose(a) @ dz @ (p @ pt) @ g
          - g @ (pt @ p) @ dz @ _matrix_transpose(a))
    da = -(dz @ (p @ pt) @ g @ pt) - pt @ g @ (pt @ p) @ dz


@tangent("helper._pinv_adjoint")
def pinv_adjoint_tangent(z, g, p, a):
    pt = _matrix_transpose(p)
    gt = _matrix_transpose(g)
    row = xp.eye(a.shape[-2], dtype=a.dtype) - a @ p
    column = xp.eye(a.shape[-1], dtype=a.dtype) - p @ a
    tz = (row @ xp.swapaxes(tg, -1, -2) @ (p @ pt) + (pt @ p) @ xp.swapaxes(tg, -1, -2) @ column
          - pt @ tg @ pt
          + row @ gt @ (tp @ pt + p @ xp.swapaxes(tp, -1, -2))
          + (xp.swapaxes(tp, -1, -2) @ p + pt @ tp) @ gt @ column
          - (xp.swapaxes(tp, -1, -2) @ g @ pt + pt @ g @ xp.swapaxes(tp, -1, -2))
          - a @ tp @ gt @ (p @ pt) - (pt @ p) @ gt @ tp @ a
          - ta @ p @ gt @ (p @ pt) - (pt @ p) @ gt @ p @ ta)


@adjoint("helper._pinv_tangent")
def pinv_tangent_adjoint(z, t, p, a):
    """`z = -(p t p) + p pᵀ tᵀ (I - a p) + (I - p a) tᵀ pᵀ p`: `dt` is the adjoint
    (`_pinv_adjoint`), its transpose; `p` and `a` as for `_pinv_adjoint`."""
    pt = _matrix_transpose(p)
    t_transposed = _matrix_transpose(t)
    dzt = _matrix_transpose(dz)
    row = xp.eye(a.shape[-2], dtype=a.dtype) - a @ p
    column = xp.eye(a.shape[-1], dtype=a.dtype) - p @ a
    dt = _pinv_adjoint(dz, p, a)
    dp = (dz @ _matrix_transpose(row) @ t @ p + t_transposed @ row @ dzt @ p
          + p @ dzt @ column @ t_transposed + p @ t @ _matrix_transpose(column) @ dz
          - dz @ pt @ t_transposed - t_transposed @ pt @ dz - _matrix_transpose(a) @ t @ (p @ pt) @ dz
          - dz @ (pt @ p) @ t @ _matrix_transpose(a))
    da = -(t @ (p @ pt) @ dz @ pt) - pt @ dz @ (pt @ p) @ t


@tangent("helper._pinv_tangent")
def pinv_tangent_tangent(z, t, p, a):
    pt = _matrix_transpose(p)
    t_transposed = _matrix_transpose(t)
    row = xp.eye(a.shape[-2], dtype=a.dtype) - a @ p
    column = xp.eye(a.shape[-1], dtype=a.dtype) - p @ a
    tz = ((p @ pt) @ xp.swapaxes(tt, -1, -2) @ row + column @ xp.swapaxes(tt, -1, -2) @ (pt @ p)
          - p @ tt @ p
          + (tp @ pt + p @ xp.swapaxes(tp, -1, -2)) @ t_transposed @ row
          + column @ t_transposed @ (xp.swapaxes(tp, -1, -2) @ p + pt @ tp)
          - (tp @ t @ p + p @ t @ tp)
          - (p @ pt) @ t_transposed @ a @ tp - tp @ a @ t_transposed @ (pt @ p)
          - (p @ pt) @ t_transposed @ ta @ p - p @ ta @ t_transposed @ (pt @ p))


# svd: `u` (m×k), `s`, `v = vhᵀ` (n×k); `F = _inverse_gaps(s²)`, `F_ij = 1 / (s_j² - s_i²)`;
# `P_u = I - u uᵀ` (0 where u is square: the adjoints' terms in it, which the helpers skip
# there, are 0 where the factors come from svd, as they always do, so the rules keep them).


@adjoint("helper._svd_adjoint")
def svd_adjoint(z, g_u, g_s, g_vh, u, s, vh):
    """`z = u M vᵀ + P_u g_u S⁻¹ vᵀ + u S⁻¹ g_vᵀ P_v`, `M = diag(g_s) + J S + S K`,
    `J = F ∘ (uᵀ g_u - g_uᵀ u)`, `K = F ∘ (vᵀ g_v - g_vᵀ v)`. Linear in the `g`s, whose
    adjoints are svd's tangent along `dz`; each factor's adjoint gathers the products it
    appears in, with `A = uᵀ dz v`."""
    v = _matrix_transpose(vh)
    g_v = _matrix_transpose(g_vh)
    rotated = _matrix_transpose(u) @ dz @ v
    gaps = _inverse_gaps(s * s)
    skew_u = _matrix_transpose(u) @ g_u - _matrix_transpose(g_u) @ u
    skew_v = _matrix_transpose(v) @ g_v - _matrix_transpose(g_v) @ v
    j = gaps * skew_u
    k = gaps * skew_v
    middle = j * s[..., None, :] + s[..., :, None] * k + g_s[..., :, None] * xp.eye(
        s.shape[-1], dtype=s.dtype)
    right = dz @ v
    left = _matrix_transpose(dz) @ u
    curved = (rotated * s[..., None, :] * skew_u + s[..., :, None] * rotated * skew_v) * gaps * gaps
    dg_u = _svd_left_tangent(dz, rotated, u, s, v)
    dg_s = xp.diagonal(rotated, axis1=-2, axis2=-1)
    dg_vh = _matrix_transpose(
        _svd_left_tangent(_matrix_transpose(dz), _matrix_transpose(rotated), v, s, u))
    du = (right @ _matrix_transpose(middle)
          - g_u @ (gaps * (rotated * s[..., None, :] + s[..., :, None] * _matrix_transpose(rotated)))
          - (right / s[..., None, :]) @ (_matrix_transpose(g_u) @ u)
          - (g_u / s[..., None, :]) @ _matrix_transpose(rotated)
          + (dz @ g_v - right @ (_matrix_transpose(v) @ g_v)) / s[..., None, :])
    dvh = _matrix_transpose(
        left @ middle
        - g_v @ (gaps * (s[..., :, None] * rotated + _matrix_transpose(rotated) * s[..., None, :]))
        - (left / s[..., None, :]) @ (_matrix_transpose(g_v) @ v)
        - (g_v / s[..., None, :]) @ rotated
        + (_matrix_transpose(dz) @ g_u - left @ (_matrix_transpose(u) @ g_u)) / s[..., None, :])
    ds = (xp.sum(rotated * j, axis=-2) + xp.sum(rotated * k, axis=-1)
          + 2.0 * s * (xp.sum(curved, axis=-1) - xp.sum(curved, axis=-2))
          - (xp.sum((right - u @ rotated) * g_u, axis=-2)
             + xp.sum((left - v @ _matrix_transpose(rotated)) * g_v, axis=-2)) / (s * s))


@tangent("helper._svd_adjoint")
def svd_adjoint_tangent(z, g_u, g_s, g_vh, u, s, vh):
    """The adjoint of the `g`s' tangents, and each factor's tangent through every product it
    appears in (`tF = 2 F² ∘ (s_i ts_i - s_j ts_j)`)."""
    v = _matrix_transpose(vh)
    g_v = _matrix_transpose(g_vh)
    tv = xp.swapaxes(tvh, -1, -2)
    gaps = _inverse_gaps(s * s)
    skew_u = _matrix_transpose(u) @ g_u - _matrix_transpose(g_u) @ u
    skew_v = _matrix_transpose(v) @ g_v - _matrix_transpose(g_v) @ v
    middle = (gaps * skew_u) * s[..., None, :] + s[..., :, None] * (gaps * skew_v) + g_s[
        ..., :, None] * xp.eye(s.shape[-1], dtype=s.dtype)
    tgaps = 2.0 * (gaps * gaps * ((s * ts)[..., :, None] - (s * ts)[..., None, :]))
    tskew_u = xp.swapaxes(tu, -1, -2) @ g_u - _matrix_transpose(g_u) @ tu
    tskew_v = xp.swapaxes(tv, -1, -2) @ g_v - _matrix_transpose(g_v) @ tv
    tmiddle = ((tgaps * skew_u + gaps * tskew_u) * s[..., None, :]
               + (gaps * skew_u) * ts[..., None, :] + ts[..., :, None] * (gaps * skew_v)
               + s[..., :, None] * (tgaps * skew_v + gaps * tskew_v))
    off_u = (g_u - u @ (_matrix_transpose(u) @ g_u)) / s[..., None, :]
    off_v = (g_v - v @ (_matrix_transpose(v) @ g_v)) / s[..., None, :]
    toff_u = -(tu @ (_matrix_transpose(u) @ g_u) + u @ (xp.swapaxes(tu, -1, -2) @ g_u)) / s[
        ..., None, :] - off_u * ts[..., None, :] / s[..., None, :]
    toff_v = -(tv @ (_matrix_transpose(v) @ g_v) + v @ (xp.swapaxes(tv, -1, -2) @ g_v)) / s[
        ..., None, :] - off_v * ts[..., None, :] / s[..., None, :]
    tz = (_svd_adjoint(tg_u, tg_s, tg_vh, u, s, vh) + tu @ middle @ vh + u @ tmiddle @ vh
          + u @ middle @ tvh + toff_u @ vh + off_u @ tvh + tu @ _matrix_transpose(off_v)
          + u @ xp.swapaxes(toff_v, -1, -2))


@adjoint("helper._svd_left_tangent")
def svd_left_tangent_adjoint(z, t, rotated, u, s, v):
    """`z = u Ψ + P_u t v S⁻¹`, `Ψ = F ∘ (R S + S Rᵀ)` (`R`, `rotated`, read as given): with
    `Q = F ∘ (uᵀ dz)`, `dR = (Q + Qᵀ) S`; `t` and `v` get `P_u dz S⁻¹` through the second
    term; `u` gets `dz Ψᵀ` and its share of `P_u`; `s` its shares of `F`, `S` and `S⁻¹`."""
    gaps = _inverse_gaps(s * s)
    scaled = rotated * s[..., None, :]
    rotated_dz = _matrix_transpose(u) @ dz
    coupled = gaps * rotated_dz
    off = (dz - u @ rotated_dz) / s[..., None, :]
    moved = t @ v
    curved = rotated_dz * (scaled + _matrix_transpose(scaled)) * gaps * gaps
    dt = off @ _matrix_transpose(v)
    drotated = (coupled + _matrix_transpose(coupled)) * s[..., None, :]
    du = (dz @ _matrix_transpose(gaps * (scaled + _matrix_transpose(scaled)))
          - (dz / s[..., None, :]) @ (_matrix_transpose(moved) @ u)
          - (moved / s[..., None, :]) @ _matrix_transpose(rotated_dz))
    dv = _matrix_transpose(t) @ off
    ds = (2.0 * s * (xp.sum(curved, axis=-1) - xp.sum(curved, axis=-2))
          + xp.sum(coupled * rotated, axis=-2) + xp.sum(coupled * _matrix_transpose(rotated), axis=-1)
          - xp.sum((moved - u @ (_matrix_transpose(u) @ moved)) * dz, axis=-2) / (s * s))


@tangent("helper._svd_left_tangent")
def svd_left_tangent_tangent(z, t, rotated, u, s, v):
    gaps = _inverse_gaps(s * s)
    scaled = rotated * s[..., None, :]
    tscaled = trotated * s[..., None, :] + rotated * ts[..., None, :]
    moved = t @ v
    tmoved = tt @ v + t @ tv
    tz = (tu @ (gaps * (scaled + _matrix_transpose(scaled)))
          + u @ (2.0 * (gaps * gaps * ((s * ts)[..., :, None] - (s * ts)[..., None, :]))
                 * (scaled + _matrix_transpose(scaled)) + gaps * (tscaled + xp.swapaxes(tscaled, -1, -2)))
          + (tmoved - u @ (_matrix_transpose(u) @ tmoved) - tu @ (_matrix_transpose(u) @ moved)
             - u @ (xp.swapaxes(tu, -1, -2) @ moved)) / s[..., None, :]
          - (moved - u @ (_matrix_transpose(u) @ moved)) * ts[..., None, :] / (s * s)[..., None, :])


@adjoint("helper._singular_values_adjoint")
def singular_values_adjoint(z, g, a):
    """`z = u diag(g) vh` with `u, s, vh = svd(a)`: linear in `g`, whose adjoint is the
    singular values' tangent along `dz`; `a` through svd's adjoint of `u` and `vh`."""
    decomposition = xp.linalg.svd(a, full_matrices=False)
    dg = _singular_values_tangent(dz, a)
    da = _svd_adjoint((dz @ _matrix_transpose(decomposition[2])) * g[..., None, :],
                      xp.zeros_like(decomposition[1]),
                      g[..., :, None] * (_matrix_transpose(decomposition[0]) @ dz),
                      decomposition[0], decomposition[1], decomposition[2])


@tangent("helper._singular_values_adjoint")
def singular_values_adjoint_tangent(z, g, a):
    decomposition = xp.linalg.svd(a, full_matrices=False)
    v = _matrix_transpose(decomposition[2])
    rotated = _matrix_transpose(decomposition[0]) @ ta @ v
    tz = _singular_values_adjoint(tg, a) + (
        _svd_left_tangent(ta, rotated, decomposition[0], decomposition[1], v) * g[..., None, :]
    ) @ decomposition[2] + (decomposition[0] * g[..., None, :]) @ _matrix_transpose(
        _svd_left_tangent(xp.swapaxes(ta, -1, -2), xp.swapaxes(rotated, -1, -2), v,
                          decomposition[1], decomposition[0]))


@adjoint("helper._singular_values_tangent")
def singular_values_tangent_adjoint(z, t, a):
    """`z = diag(uᵀ t v)` with `u, s, vh = svd(a)`: linear in `t`, whose adjoint is the
    singular values' adjoint of `dz`; `a` through svd's adjoint of `u` and `vh`."""
    decomposition = xp.linalg.svd(a, full_matrices=False)
    dt = _singular_values_adjoint(dz, a)
    da = _svd_adjoint((t @ _matrix_transpose(decomposition[2])) * dz[..., None, :],
                      xp.zeros_like(decomposition[1]),
                      dz[..., :, None] * (_matrix_transpose(decomposition[0]) @ t),
                      decomposition[0], decomposition[1], decomposition[2])


@tangent("helper._singular_values_tangent")
def singular_values_tangent_tangent(z, t, a):
    decomposition = xp.linalg.svd(a, full_matrices=False)
    v = _matrix_transpose(decomposition[2])
    rotated = _matrix_transpose(decomposition[0]) @ ta @ v
    tz = _singular_values_tangent(tt, a) + xp.sum(
        _svd_left_tangent(ta, rotated, decomposition[0], decomposition[1], v) * (t @ v), axis=-2
    ) + xp.sum(decomposition[0] * (t @ _svd_left_tangent(
        xp.swapaxes(ta, -1, -2), xp.swapaxes(rotated, -1, -2), v, decomposition[1],
        decomposition[0])), axis=-2)
