"""Template cases of the linear-algebra family: products, einsum, tensordot, numpy.linalg.

Matrices that are inverted are made well conditioned inside the case
(`m + 3 I`, or `m mᵀ + 3 I` where a symmetric positive definite one is needed).
"""

import numpy as np
from template_cases import SCALAR, Case, Value, add_cases

import s2sad

# ---- matmul and dot: rank combinations beyond those of template_cases.py ----------------


def matmul(a, b):
    return a @ b


def np_matmul(a, b):
    return np.matmul(a, b)


def dot(a, b):
    return np.dot(a, b)


add_cases(
    "numpy.matmul",
    Case(matmul, ((1, 3, 4), (2, 4, 5))),
    Case(matmul, ((2, 1, 3, 4), (1, 3, 4, 2))),
    Case(matmul, ((4,), (2, 3, 4, 5))),
    Case(matmul, ((2, 1, 3, 4), (4,))),
    Case(np_matmul, ((3, 1, 4), (4, 1))),
)
add_cases(
    "numpy.dot",
    Case(dot, ((2, 3), (4, 3, 2))),
    Case(dot, ((2, 2, 3), (1, 3, 2))),
    Case(dot, (SCALAR, (3,))),
)


# ---- inner, vdot, kron --------------------------------------------------------------------


def inner(a, b):
    return np.inner(a, b)


def vdot(a, b):
    return np.vdot(a, b)


def kron(a, b):
    return np.kron(a, b)


add_cases(
    "numpy.inner",
    Case(inner, ((4,), (4,))),
    Case(inner, ((3, 4), (4,))),
    Case(inner, ((4,), (2, 4))),
    Case(inner, ((2, 3, 4), (5, 4))),
    Case(inner, ((3,), ())),
    Case(inner, (SCALAR, (2, 3))),
)
add_cases(
    "numpy.vdot",
    Case(vdot, ((4,), (4,))),
    Case(vdot, ((2, 3), (3, 2))),
    Case(vdot, ((6,), (2, 3))),
)
add_cases(
    "numpy.kron",
    Case(kron, ((2,), (3,))),
    Case(kron, ((2, 3), (3, 2))),
    Case(kron, ((2,), (2, 3))),
    Case(kron, ((2, 2, 1), (3, 2))),
    Case(kron, ((), (2, 3))),
)


# ---- cross --------------------------------------------------------------------------------


def cross(a, b):
    return np.cross(a, b)


def cross_axis(a, b):
    return np.cross(a, b, axis=0)


def cross_axes(a, b):
    return np.cross(a, b, axisa=0, axisb=-1, axisc=0)


add_cases(
    "numpy.cross",
    Case(cross, ((3,), (3,))),
    Case(cross, ((4, 3), (3,))),
    Case(cross, ((2, 1, 3), (4, 3))),
    Case(cross_axis, ((3, 4), (3, 4))),
    Case(cross_axes, ((3, 2), (2, 3))),
)


# ---- tensordot ----------------------------------------------------------------------------


def tensordot(a, b):
    return np.tensordot(a, b)


def tensordot_one(a, b):
    return np.tensordot(a, b, axes=1)


def tensordot_zero(a, b):
    return np.tensordot(a, b, axes=0)


def tensordot_pairs(a, b):
    return np.tensordot(a, b, axes=([0, 2], [2, 1]))


def tensordot_ints(a, b):
    return np.tensordot(a, b, axes=(1, 0))


def tensordot_negative(a, b):
    return np.tensordot(a, b, axes=((-1, 0), (0, -1)))


add_cases(
    "numpy.tensordot",
    Case(tensordot, ((2, 3, 4), (3, 4, 5))),
    Case(tensordot, ((3, 4), (3, 4))),
    Case(tensordot_one, ((2, 3), (3, 4, 2))),
    Case(tensordot_zero, ((2,), (3, 2))),
    Case(tensordot_pairs, ((4, 3, 2), (5, 2, 4))),
    Case(tensordot_ints, ((2, 3), (3, 4))),
    Case(tensordot_negative, ((2, 3, 4), (4, 5, 2))),
)


# ---- einsum -------------------------------------------------------------------------------


def einsum_matmul(a, b):
    return np.einsum("ij,jk->ik", a, b)


def einsum_implicit(a, b):
    return np.einsum("ij,kj", a, b)


def einsum_implicit_order(a):
    return np.einsum("bA", a)


def einsum_trace(a):
    return np.einsum("ii->", a)


def einsum_trace_implicit(a):
    return np.einsum("ii", a)


def einsum_diagonal(a):
    return np.einsum("ii->i", a)


def einsum_batch_diagonal(a):
    return np.einsum("bii->bi", a)


def einsum_triple_diagonal(a, b):
    return np.einsum("iii,i->", a, b)


def einsum_sum_away(a, b):
    return np.einsum("ij,k->i", a, b)


def einsum_sum_away_shared(a, b):
    return np.einsum("ijk,jl->il", a, b)


def einsum_repeat_and_sum(a, b):
    return np.einsum("iij,jk->k", a, b)


def einsum_outer(a, b):
    return np.einsum("i,j->ij", a, b)


def einsum_transpose(a):
    return np.einsum("ijk->kij", a)


def einsum_ellipsis(a, b):
    return np.einsum("...ij,...jk->...ik", a, b)


def einsum_ellipsis_implicit(a, b):
    return np.einsum("...ij,jk", a, b)


def einsum_three(a, b, c):
    return np.einsum("ij,jk,kl->il", a, b, c, optimize=True)


def einsum_four(a, b, c, d):
    return np.einsum("i,ij,jk,k->", a, b, c, d, optimize="greedy")


def einsum_broadcast_label(a, b):
    return np.einsum("ab,ab->a", a, b)


def einsum_spaces(a, b):
    return np.einsum("i j , j ->i", a, b)


def einsum_loss(a, b, c):
    return np.sum(np.einsum("ij,jk->ik", a, b) * c)


add_cases(
    "numpy.einsum",
    Case(einsum_matmul, ((2, 3), (3, 4)), loss=einsum_loss),
    Case(einsum_matmul, ((3, 3), (3, 1))),
    Case(einsum_implicit, ((2, 3), (4, 3))),
    Case(einsum_implicit_order, ((2, 3),)),
    Case(einsum_trace, ((3, 3),)),
    Case(einsum_trace_implicit, ((4, 4),)),
    Case(einsum_diagonal, ((3, 3),)),
    Case(einsum_batch_diagonal, ((2, 3, 3),)),
    Case(einsum_triple_diagonal, ((2, 2, 2), (2,))),
    Case(einsum_sum_away, ((2, 3), (4,))),
    Case(einsum_sum_away_shared, ((2, 3, 4), (3, 5))),
    Case(einsum_repeat_and_sum, ((3, 3, 2), (2, 4))),
    Case(einsum_outer, ((3,), (2,))),
    Case(einsum_transpose, ((2, 3, 4),)),
    Case(einsum_ellipsis, ((2, 3, 4), (4, 2))),
    Case(einsum_ellipsis, ((5, 2, 3, 4), (1, 4, 2))),
    Case(einsum_ellipsis, ((2, 3), (3, 4))),
    Case(einsum_ellipsis_implicit, ((5, 2, 3), (3, 4))),
    Case(einsum_three, ((2, 3), (3, 4), (4, 2))),
    Case(einsum_four, ((2,), (2, 3), (3, 4), (4,))),
    Case(einsum_broadcast_label, ((5, 3), (1, 3))),
    Case(einsum_spaces, ((2, 3), (3,))),
)


# ---- numpy.linalg: inv, solve, det, cholesky, pinv -------------------------------------------


def inv(m):
    return np.linalg.inv(m + 3.0 * np.eye(m.shape[-1], dtype=m.dtype))


def inv_given(a):
    return np.linalg.inv(a)


def solve(m, b):
    return np.linalg.solve(m + 3.0 * np.eye(m.shape[-1], dtype=m.dtype), b)


def det(m):
    return np.linalg.det(m + 3.0 * np.eye(m.shape[-1], dtype=m.dtype))


def det_given(a):
    return np.linalg.det(a)


def cholesky(m):
    a = np.einsum("...ij,...kj->...ik", m, m) + 3.0 * np.eye(m.shape[-2], dtype=m.dtype)
    return np.linalg.cholesky(a)


def cholesky_upper(m):
    a = m @ m.T + 3.0 * np.eye(m.shape[-1], dtype=m.dtype)
    return np.linalg.cholesky(a, upper=True)


def pinv(a):
    return np.linalg.pinv(a)


INVERTIBLE = Value(np.array([[2.0, 0.5, -0.3], [0.1, 1.5, 0.4], [-0.2, 0.3, 2.5]]))

add_cases(
    "numpy.linalg.inv",
    Case(inv, ((3, 3),)),
    Case(inv, ((2, 4, 4),)),
    Case(inv_given, (INVERTIBLE,), wrt=("a",)),
)
add_cases(
    "numpy.linalg.solve",
    Case(solve, ((3, 3), (3,))),
    Case(solve, ((3, 3), (3, 2))),
    Case(solve, ((2, 3, 3), (3,))),
    Case(solve, ((2, 3, 3), (2, 3, 4))),
    Case(solve, ((3, 3), (2, 3, 1))),
    Case(solve, ((2, 1, 3, 3), (4, 3, 2))),
)
add_cases(
    "numpy.linalg.det",
    Case(det, ((3, 3),)),
    Case(det, ((2, 2, 2),)),
    Case(det_given, (INVERTIBLE,), wrt=("a",)),
)
add_cases(
    "numpy.linalg.cholesky",
    Case(cholesky, ((3, 3),)),
    Case(cholesky, ((2, 4, 4),)),
    Case(cholesky, ((3, 2),)),
    Case(cholesky_upper, ((3, 3),)),
)
add_cases(
    "numpy.linalg.pinv",
    Case(pinv, ((3, 2),)),
    Case(pinv, ((2, 4),)),
    Case(pinv, ((3, 3),)),
    Case(pinv, ((2, 4, 3),)),
)


# ---- multi-output: slogdet, eigh, svd; svdvals ---------------------------------------------------


def slogdet(m):
    _sign, logabsdet = np.linalg.slogdet(m + 3.0 * np.eye(m.shape[-1], dtype=m.dtype))
    return logabsdet


def slogdet_given(a):
    sign, logabsdet = np.linalg.slogdet(a)
    return logabsdet * sign


def slogdet_attribute(m):
    result = np.linalg.slogdet(m + 3.0 * np.eye(m.shape[-1], dtype=m.dtype))
    return result.logabsdet


def symmetric_eigenvalues(m):
    eigenvalues, _eigenvectors = np.linalg.eigh(m + np.einsum("...ij->...ji", m))
    return eigenvalues


def symmetric_eigenvectors(m):
    _eigenvalues, eigenvectors = np.linalg.eigh(m + m.T)
    return eigenvectors


def symmetric_spectral(m):
    w, v = np.linalg.eigh(m + np.einsum("...ij->...ji", m))
    return w[..., None, :] * v * v


def symmetric_upper(m):
    w, v = np.linalg.eigh(m + m.T, UPLO="U")
    return np.sum(np.exp(w) * v, axis=0)


def eigh_attribute(m):
    result = np.linalg.eigh(m + m.T)
    return result.eigenvalues


def singular_values(a):
    _u, s, _vh = np.linalg.svd(a, full_matrices=False)
    return s


def singular_vectors(a):
    u, _s, _vh = np.linalg.svd(a, full_matrices=False)
    return u


def right_singular_vectors(a):
    _u, _s, vh = np.linalg.svd(a, full_matrices=False)
    return vh


def svd_rebuilt(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return (u * s[..., None, :]) @ vh


def svd_all(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(u * u * s[..., None, :]) + np.sum(np.exp(s[..., None]) * vh)


def svd_attribute(a):
    result = np.linalg.svd(a, full_matrices=False)
    return result.S


def svdvals(a):
    return np.linalg.svdvals(a)


add_cases(
    "numpy.linalg.slogdet",
    Case(slogdet, ((3, 3),)),
    Case(slogdet, ((2, 4, 4),)),
    Case(slogdet_given, (Value(-INVERTIBLE.value),), wrt=("a",)),
    Case(slogdet_attribute, ((2, 2),)),
)
add_cases(
    "numpy.linalg.eigh",
    Case(symmetric_eigenvalues, ((3, 3),)),
    Case(symmetric_eigenvalues, ((2, 4, 4),)),
    Case(symmetric_eigenvectors, ((3, 3),)),
    Case(symmetric_spectral, ((2, 3, 3),)),
    Case(symmetric_upper, ((4, 4),)),
    Case(eigh_attribute, ((2, 2),)),
)
add_cases(
    "numpy.linalg.svd",
    Case(singular_values, ((3, 2),)),
    Case(singular_values, ((2, 2, 4),)),
    Case(singular_vectors, ((4, 3),)),
    Case(singular_vectors, ((2, 4),)),
    Case(right_singular_vectors, ((4, 2),)),
    Case(right_singular_vectors, ((2, 3, 3),)),
    Case(svd_rebuilt, ((3, 5),)),
    Case(svd_all, ((2, 4, 3),)),
    Case(svd_all, ((3, 4),)),
    Case(svd_attribute, ((3, 3),)),
)
add_cases(
    "numpy.linalg.svdvals",
    Case(svdvals, ((3, 2),)),
    Case(svdvals, ((2, 3, 4),)),
)


def singular_values_only(a):
    return np.linalg.svd(a, compute_uv=False)


def singular_values_positional(a):
    s = np.linalg.svd(a, False, False)
    return s * s


add_cases(
    "numpy.linalg.svd",
    Case(singular_values_only, ((3, 2),)),
    Case(singular_values_only, ((2, 3, 4),)),
    Case(singular_values_positional, ((3, 3),)),
)


# ---- gradients of gradients: the helpers the products' adjoints call ------------------------
# Each case differentiates a gradient whose code calls the helper, with an outer function that
# is not linear in it, so that the helper's adjoint is reached for every operand it reads.


def _sine_of_inner(a, b):
    return np.sum(np.sin(np.inner(a, b)))


def _sine_of_kron(a, b):
    return np.sum(np.sin(np.kron(a, b)))


def _sine_of_cross(a, b):
    return np.sum(np.sin(np.cross(a, b)))


def _sine_of_cross_axes(a, b):
    return np.sum(np.sin(np.cross(a, b, axisa=0, axisb=-1, axisc=0)))


def _sine_of_tensordot(a, b):
    return np.sum(np.sin(np.tensordot(a, b, axes=1)))


def _sine_of_tensordot_pairs(a, b):
    return np.sum(np.sin(np.tensordot(a, b, axes=([0, 2], [2, 1]))))


def _sine_of_einsum(a, b):
    return np.sum(np.sin(np.einsum("ij,jk->ik", a, b)))


def _sine_of_einsum_diagonal(a):
    return np.sum(np.sin(np.einsum("ii->i", a)))


def _sine_of_einsum_three(a, b, c):
    return np.sum(np.sin(np.einsum("ij,jk,kl->il", a, b, c, optimize=True)))


def _sine_of_inverse(m):
    return np.sum(np.sin(np.linalg.inv(m + 3.0 * np.eye(m.shape[-1], dtype=m.dtype))))


_inner_gradient = s2sad.grad(_sine_of_inner, wrt=("a", "b"))
_kron_gradient = s2sad.grad(_sine_of_kron, wrt=("a", "b"))
_cross_gradient = s2sad.grad(_sine_of_cross, wrt=("a", "b"))
_cross_axes_gradient = s2sad.grad(_sine_of_cross_axes, wrt=("a", "b"))
_tensordot_gradient = s2sad.grad(_sine_of_tensordot, wrt=("a", "b"))
_tensordot_pairs_gradient = s2sad.grad(_sine_of_tensordot_pairs, wrt=("a", "b"))
_einsum_gradient = s2sad.grad(_sine_of_einsum, wrt=("a", "b"))
_einsum_diagonal_gradient = s2sad.grad(_sine_of_einsum_diagonal)
_einsum_three_gradient = s2sad.grad(_sine_of_einsum_three, wrt=("a", "b", "c"))
_inverse_gradient = s2sad.grad(_sine_of_inverse)


def second_inner(a, b):
    da, db = _inner_gradient(a, b)
    return np.sum(da * da) + np.sum(np.cos(db))


def second_kron(a, b):
    da, db = _kron_gradient(a, b)
    return np.sum(da * da) + np.sum(np.cos(db))


def second_cross(a, b):
    da, db = _cross_gradient(a, b)
    return np.sum(da * da) + np.sum(np.cos(db))


def second_cross_axes(a, b):
    da, db = _cross_axes_gradient(a, b)
    return np.sum(np.cos(da)) + np.sum(db * db)


def second_tensordot(a, b):
    da, db = _tensordot_gradient(a, b)
    return np.sum(da * da) + np.sum(np.cos(db))


def second_tensordot_pairs(a, b):
    da, db = _tensordot_pairs_gradient(a, b)
    return np.sum(np.cos(da)) + np.sum(db * db)


def second_einsum(a, b):
    da, db = _einsum_gradient(a, b)
    return np.sum(da * da) + np.sum(np.cos(db))


def second_einsum_diagonal(a):
    return np.sum(np.cos(_einsum_diagonal_gradient(a)))


def second_einsum_three(a, b, c):
    da, db, dc = _einsum_three_gradient(a, b, c)
    return np.sum(da * da) + np.sum(np.cos(db)) + np.sum(dc * dc * dc)


def second_inverse(m):
    dm = _inverse_gradient(m)
    return np.sum(dm * dm)


for key in ("helper._inner_dlhs", "helper._inner_drhs"):
    add_cases(key, Case(second_inner, ((3, 4), (4,))), Case(second_inner, ((2, 3, 4), (5, 4))))
for key in ("helper._kron_dlhs", "helper._kron_drhs"):
    add_cases(key, Case(second_kron, ((2, 3), (3, 2))), Case(second_kron, ((2,), (2, 3))))
for key in ("helper._cross_dlhs", "helper._cross_drhs"):
    add_cases(key, Case(second_cross, ((4, 3), (3,))), Case(second_cross_axes, ((3, 2), (2, 3))))
for key in ("helper._tensordot_dlhs", "helper._tensordot_drhs"):
    add_cases(key, Case(second_tensordot, ((2, 3), (3, 4, 2))),
              Case(second_tensordot_pairs, ((4, 3, 2), (5, 2, 4))))
add_cases(
    "helper._einsum_adjoint",
    Case(second_einsum, ((2, 3), (3, 4))),
    Case(second_einsum_diagonal, ((3, 3),)),
    Case(second_einsum_three, ((2, 3), (3, 4), (4, 2))),
)
add_cases("helper._matrix_transpose", Case(second_inverse, ((3, 3),)),
          Case(second_inverse, ((2, 4, 4),)))


def _sine_of_det(m):
    return np.sum(np.sin(np.linalg.det(m + 3.0 * np.eye(m.shape[-1], dtype=m.dtype))))


def _sine_of_logdet(m):
    _sign, logabsdet = np.linalg.slogdet(m + 3.0 * np.eye(m.shape[-1], dtype=m.dtype))
    return np.sum(np.sin(logabsdet))


def _sine_of_solve(m, b):
    return np.sum(np.sin(np.linalg.solve(m + 3.0 * np.eye(m.shape[-1], dtype=m.dtype), b)))


_det_gradient = s2sad.grad(_sine_of_det)
_logdet_gradient = s2sad.grad(_sine_of_logdet)
_solve_gradient = s2sad.grad(_sine_of_solve, wrt=("m", "b"))


def second_det(m):
    return np.sum(np.cos(_det_gradient(m)))


def second_logdet(m):
    dm = _logdet_gradient(m)
    return np.sum(dm * dm)


def second_solve(m, b):
    dm, db = _solve_gradient(m, b)
    return np.sum(dm * dm) + np.sum(np.cos(db))


add_cases("helper._scaled_inverse_transpose", Case(second_det, ((3, 3),)),
          Case(second_logdet, ((2, 3, 3),)), Case(second_det, ((2, 2, 2),)))
for key in ("helper._solve_adjoint", "helper._solve_matrix_adjoint"):
    add_cases(
        key,
        Case(second_solve, ((3, 3), (3,))),
        Case(second_solve, ((2, 3, 3), (2, 3, 4))),
        Case(second_solve, ((2, 1, 3, 3), (4, 3, 2))),
        Case(second_solve, ((2, 3, 3), (3,))),
    )


# ---- gradients of gradients: the factorizations' helpers ---------------------------------------


def _sine_of_cholesky(m):
    a = m @ np.swapaxes(m, -1, -2) + 3.0 * np.eye(m.shape[-2], dtype=m.dtype)
    return np.sum(np.sin(np.linalg.cholesky(a)))


def _sine_of_upper_cholesky(m):
    a = m @ m.T + 3.0 * np.eye(m.shape[-1], dtype=m.dtype)
    return np.sum(np.sin(np.linalg.cholesky(a, upper=True)))


def _spectrum(m):
    """Functions of the eigenvalues and of the eigenvectors' squares (their signs are free)."""
    w, v = np.linalg.eigh(m + np.swapaxes(m, -1, -2))
    return np.sum(np.sin(w)) + np.sum(v ** 4 * w[..., None, :])


def _cholesky_factor(m):
    a = m @ np.swapaxes(m, -1, -2) + 3.0 * np.eye(m.shape[-2], dtype=m.dtype)
    return np.linalg.cholesky(a)


_cholesky_gradient = s2sad.grad(_sine_of_cholesky)
_upper_cholesky_gradient = s2sad.grad(_sine_of_upper_cholesky)
_spectrum_gradient = s2sad.grad(_spectrum)
_cholesky_jvp = s2sad.jvp(_cholesky_factor)


def second_cholesky(m):
    return np.sum(np.cos(_cholesky_gradient(m)))


def second_upper_cholesky(m):
    dm = _upper_cholesky_gradient(m)
    return np.sum(dm * dm)


def second_spectrum(m):
    dm = _spectrum_gradient(m)
    return np.sum(dm * dm)


def cholesky_factor_tangent(m, t):
    _, tangent = _cholesky_jvp(m, tangent=t)
    return np.sum(np.sin(tangent))


add_cases("helper._cholesky_adjoint", Case(second_cholesky, ((3, 3),)),
          Case(second_cholesky, ((2, 3, 2),)), Case(second_upper_cholesky, ((3, 3),)))
add_cases("helper._cholesky_tangent", Case(cholesky_factor_tangent, ((3, 3), (3, 3))),
          Case(cholesky_factor_tangent, ((2, 3, 2), (2, 3, 2))))
add_cases("helper._eigh_adjoint", Case(second_spectrum, ((3, 3),)),
          Case(second_spectrum, ((2, 4, 4),)))
add_cases("helper._symmetric_part", Case(cholesky_factor_tangent, ((3, 3), (3, 3))),
          Case(cholesky_factor_tangent, ((2, 4, 3), (2, 4, 3))))

# The second-order gradient of eigh reaches `_inverse_gaps` through `_eigh_adjoint`'s rule.
# (A gradient of the gradient of eigh's own tangent, a tuple, is not differentiated again:
# s2sad's adjoint of a tuple's unread component is not an array.)
_second_spectrum_gradient = s2sad.grad(second_spectrum)


def third_spectrum(m):
    return np.sum(np.sin(_second_spectrum_gradient(m)))


add_cases("helper._inverse_gaps", Case(third_spectrum, ((3, 3),)),
          Case(third_spectrum, ((2, 2, 2),)))


def _sine_of_pinv(a):
    return np.sum(np.sin(np.linalg.pinv(a)))


_pinv_gradient = s2sad.grad(_sine_of_pinv)
_pinv_jvp = s2sad.jvp(pinv)


def second_pinv(a):
    return np.sum(np.cos(_pinv_gradient(a)))


def pinv_tangent(a, t):
    _, tangent = _pinv_jvp(a, tangent=t)
    return np.sum(np.sin(tangent))


add_cases("helper._pinv_adjoint", Case(second_pinv, ((3, 2),)), Case(second_pinv, ((2, 4, 3),)),
          Case(second_pinv, ((2, 4),)))
add_cases("helper._pinv_tangent", Case(pinv_tangent, ((3, 2), (3, 2))),
          Case(pinv_tangent, ((2, 2, 4), (2, 2, 4))))


def _singular_spectrum(a):
    """Functions of the singular values and of the singular vectors' squares (signs are free)."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(np.sin(s)) + np.sum(u ** 4 * s[..., None, :]) + np.sum(vh ** 4)


def _sine_of_svdvals(a):
    return np.sum(np.sin(np.linalg.svdvals(a)))


_singular_spectrum_gradient = s2sad.grad(_singular_spectrum)
_svdvals_gradient = s2sad.grad(_sine_of_svdvals)
_svdvals_jvp = s2sad.jvp(svdvals)


def second_singular_spectrum(a):
    da = _singular_spectrum_gradient(a)
    return np.sum(da * da)


def second_svdvals(a):
    return np.sum(np.cos(_svdvals_gradient(a)))


def svdvals_tangent(a, t):
    _, tangent = _svdvals_jvp(a, tangent=t)
    return np.sum(np.sin(tangent))


_second_singular_spectrum_gradient = s2sad.grad(second_singular_spectrum)


def third_singular_spectrum(a):
    """The second-order gradient of svd reaches `_svd_left_tangent` through `_svd_adjoint`'s
    rule."""
    return np.sum(np.sin(_second_singular_spectrum_gradient(a)))


add_cases("helper._svd_adjoint", Case(second_singular_spectrum, ((4, 3),)),
          Case(second_singular_spectrum, ((3, 4),)), Case(second_singular_spectrum, ((2, 3, 3),)))
add_cases("helper._svd_left_tangent", Case(third_singular_spectrum, ((3, 2),)),
          Case(third_singular_spectrum, ((2, 3),)), Case(third_singular_spectrum, ((2, 2),)))
add_cases("helper._singular_values_adjoint", Case(second_svdvals, ((3, 2),)),
          Case(second_svdvals, ((2, 3, 4),)))
add_cases("helper._singular_values_tangent", Case(svdvals_tangent, ((3, 2), (3, 2))),
          Case(svdvals_tangent, ((2, 3, 4), (2, 3, 4))))
