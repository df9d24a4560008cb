"""Linear-algebra rules beyond the template cases: autograd as a second oracle, einsum's
subscripts, special spectra, and the calls the rules refuse."""

from __future__ import annotations

import types
import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp

import s2sad
from s2sad.runtime.linalg import _einsum_terms

# ---- autograd, a second oracle ---------------------------------------------------------------


def f_products(a, b, v):
    return np.sum(np.tanh(np.einsum("ij,jk->ik", a, b))) + np.sum(np.kron(v, b) ** 2) \
        + np.sum(np.tensordot(a, b, axes=([1], [0])) * 0.5) + np.sum(np.inner(a, v[:3]))


def f_cross(a, b, v):
    return np.sum(np.cross(a, np.tanh(a)) ** 2) \
        + np.sum(np.cross(b, np.tanh(b), axis=0) ** 2) + np.sum(np.outer(v, v))


def f_inverses(a, b, v):
    m = a[:3, :3] + 3.0 * np.eye(3)
    s, logabsdet = np.linalg.slogdet(m)
    return np.sum(np.linalg.inv(m) ** 2) + np.sum(np.linalg.solve(m, v[:3])) \
        + np.linalg.det(m) + logabsdet * s


def f_decompositions(a, b, v):
    m = a[:3, :3]
    lower = np.linalg.cholesky(m @ m.T + 3.0 * np.eye(3))
    w, q = np.linalg.eigh(m + m.T)
    return np.sum(lower ** 3) + np.sum(w ** 2) + np.sum(q ** 4) + np.sum(np.linalg.pinv(b) ** 2)


def f_svd(a, b, v):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(s ** 3) + np.sum(u ** 4) + np.sum(vh ** 4 * s[:, None])


def with_autograd(fun):
    """`fun` reading autograd.numpy where it reads np."""
    return types.FunctionType(fun.__code__, {**fun.__globals__, "np": anp}, fun.__name__)


@pytest.mark.parametrize("fun", [f_products, f_cross, f_inverses, f_decompositions, f_svd],
                         ids=lambda f: f.__name__)
def test_gradients_match_autograd(fun):
    rng = np.random.default_rng(7)
    args = [rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(4)]
    ours = s2sad.grad(fun, wrt=(0, 1, 2))(*args)
    theirs = autograd.grad(with_autograd(fun), (0, 1, 2))(*args)
    for name, mine, reference in zip("abv", ours, theirs):
        assert_close(mine, reference, name=f"{fun.__name__}: d{name} against autograd")


# ---- einsum's subscripts --------------------------------------------------------------------

SUBSCRIPTS = [
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ba", [(2, 3)]),
    ("bA,Ac", [(2, 3), (3, 2)]),
    ("ii", [(3, 3)]),
    ("ij,ij", [(2, 3), (2, 3)]),
    ("...ij,jk", [(5, 2, 3), (3, 4)]),
    ("...ij,...jk", [(1, 2, 3), (4, 1, 3, 2)]),
    ("i...,i...->...", [(2, 3), (2, 1)]),
    ("ij...", [(2, 3, 4, 5)]),
]


@pytest.mark.parametrize(("subscripts", "shapes"), SUBSCRIPTS)
def test_einsum_terms_spell_out_numpy_output(subscripts, shapes):
    arrays = [np.random.default_rng(0).standard_normal(s) for s in shapes]
    terms, output = _einsum_terms(subscripts, [a.ndim for a in arrays])
    explicit = ",".join(terms) + "->" + output
    np.testing.assert_allclose(np.einsum(explicit, *arrays), np.einsum(subscripts, *arrays))


def einsum_trace_of_product(a, b):
    return np.einsum("ij,ji->", a, b)


def einsum_diagonal_times(a, v):
    return np.sum(np.sin(np.einsum("ii,i->i", a, v)))


def einsum_only_here(a, v):
    return np.sum(np.einsum("ijk,k->j", a, v) ** 2)


def einsum_repeated_and_only_here(a, b):
    return np.sum(np.exp(np.einsum("iik,jl->j", a, b)))


def einsum_scalar_product(a, b):
    return np.einsum("i,i", a, b)


@pytest.mark.parametrize(("fun", "shapes", "autograd_has_it"), [
    (einsum_trace_of_product, [(3, 4), (4, 3)], True),
    (einsum_diagonal_times, [(3, 3), (3,)], False),
    (einsum_only_here, [(2, 3, 4), (4,)], True),
    (einsum_repeated_and_only_here, [(3, 3, 2), (4, 5)], False),
    (einsum_scalar_product, [(4,), (4,)], True),
], ids=lambda v: getattr(v, "__name__", ""))
def test_einsum_repeated_and_summed_away_indices(fun, shapes, autograd_has_it):
    """Repeated indices (diagonals) and indices only one operand has (summed away); autograd's
    einsum rule refuses the repeated ones."""
    rng = np.random.default_rng(3)
    args = [rng.standard_normal(s) for s in shapes]
    ours = s2sad.grad(fun, wrt=(0, 1))(*args)
    expected = numerical_vjp(fun, args, (0, 1), 1.0)
    for name, mine, reference in zip("ab", ours, expected):
        assert_close(mine, reference, name=f"{fun.__name__}: d{name}")
    if autograd_has_it:
        theirs = autograd.grad(with_autograd(fun), (0, 1))(*args)
        for name, mine, reference in zip("ab", ours, theirs):
            assert_close(mine, reference, name=f"{fun.__name__}: d{name} against autograd")


def einsum_gradient_is_fresh(a):
    t = np.einsum("ij->ji", a)
    return np.sum(t * t) + np.sum(np.einsum("ij->ji", t) * a)


def test_einsum_of_one_operand_hands_back_new_memory():
    a = np.arange(6.0).reshape(2, 3)
    assert_close(s2sad.grad(einsum_gradient_is_fresh)(a),
                 numerical_vjp(einsum_gradient_is_fresh, [a], (0,), 1.0)[0], name="da")


# ---- spectra and special shapes ---------------------------------------------------------------


def sum_of_squared_eigenvalues(a):
    w, _v = np.linalg.eigh(a + a.T)
    return np.sum(w * w)


def test_eigenvalues_of_a_degenerate_matrix_have_a_gradient():
    """Only the eigenvalues' adjoint flows: a repeated eigenvalue is no obstacle."""
    a = np.eye(3)
    assert_close(s2sad.grad(sum_of_squared_eigenvalues)(a), 8.0 * np.eye(3), name="da")


def cross_2d(a, b):
    return np.cross(a, b)


def cross_mixed(a, b):
    return np.cross(a, b)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(("fun", "shapes"), [(cross_2d, [(4, 2), (2,)]),
                                             (cross_mixed, [(3, 2), (3, 3)])])
def test_cross_of_2_vectors(fun, shapes):
    rng = np.random.default_rng(5)
    args = [rng.standard_normal(s) for s in shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        out = fun(*args)
        c = rng.standard_normal(np.shape(out))
        ours = s2sad.vjp(fun, wrt=(0, 1))(*args, cotangent=c)
        expected = numerical_vjp(fun, args, (0, 1), c)
    for name, mine, reference in zip("ab", ours, expected):
        assert_close(mine, reference, name=f"{fun.__name__}: d{name}")


def solve_batched(a, b):
    return np.linalg.solve(a + 3.0 * np.eye(3), b)


@pytest.mark.parametrize("b_shape", [(3,), (3, 2), (2, 3, 1), (4, 1, 3, 2)])
def test_solve_broadcasts_like_numpy_2(b_shape):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((4, 1, 3, 3))[:, :, :, :], rng.standard_normal(b_shape)
    c = rng.standard_normal(np.shape(solve_batched(a, b)))
    ours = s2sad.vjp(solve_batched, wrt=(0, 1))(a, b, cotangent=c)
    for name, mine, reference in zip("ab", ours, numerical_vjp(solve_batched, [a, b], (0, 1), c)):
        assert_close(mine, reference, name=f"d{name} for b of shape {b_shape}")


# ---- refusals -----------------------------------------------------------------------------------


def matmul_out(a, b):
    return np.matmul(a, b, out=np.empty((2, 2)))


def dot_out(a, b):
    return np.dot(a, b, out=np.empty((2, 2)))


def einsum_out(a, b):
    return np.einsum("ij,jk->ik", a, b, out=np.empty((2, 2)))


def einsum_path(a, b):
    return np.einsum("ij,jk->ik", a, b, optimize=["einsum_path", (0, 1)])


def einsum_sublists(a, b):
    return np.einsum(a, [0, 1], b, [1, 2])


def einsum_five(a, b):
    return np.einsum("ij,jk,kl,lm,mn->in", a, b, a, b, a)


def einsum_dtype(a, b):
    return np.einsum("ij,jk->ik", a, b, dtype=np.float32)


def svd_full(a, b):
    u, _s, _vh = np.linalg.svd(a)
    return u


def svd_hermitian(a, b):
    _u, s, _vh = np.linalg.svd(a, full_matrices=False, hermitian=True)
    return s


def pinv_rcond(a, b):
    return np.linalg.pinv(a, rcond=1e-3)


def pinv_hermitian(a, b):
    return np.linalg.pinv(a, hermitian=True)


def eigh_bad_uplo(a, b):
    w, _v = np.linalg.eigh(a, UPLO="X")
    return w


@pytest.mark.parametrize("fun", [matmul_out, dot_out, einsum_out, einsum_path, einsum_sublists,
                                 einsum_five, einsum_dtype, svd_full,
                                 svd_hermitian, pinv_rcond, pinv_hermitian, eigh_bad_uplo],
                         ids=lambda f: f.__name__)
def test_unsupported_calls_are_refused_when_generating(fun):
    with pytest.raises(s2sad.S2SADError):
        s2sad.vjp(fun, wrt=(0, 1)).source  # noqa: B018 - generating the source is the test
