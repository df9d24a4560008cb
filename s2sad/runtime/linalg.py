"""Runtime helpers of the linear-algebra adjoints and tangents: inner, kron, cross, tensordot,
einsum, solve, and numpy.linalg's factorizations.

Each helper is copied into the generated modules that call it; array work goes
through `_namespace` or array methods, so CuPy arrays stay on the GPU. Each
returns new memory (never a view of its arguments), as the adjoint pass expects.
"""

from .core import _namespace, _unbroadcast


def _inner_dlhs(g, a, b):
    """Adjoint of `a` in `numpy.inner(a, b)`: `g` contracted with `b` over b's leading axes."""
    if getattr(a, "ndim", 0) == 0 or getattr(b, "ndim", 0) == 0:
        return _unbroadcast(g * b, a)
    xp = _namespace(g, a, b)
    g = xp.asarray(g)
    return xp.tensordot(
        g, b, axes=(list(range(a.ndim - 1, g.ndim)), list(range(b.ndim - 1)))
    )


def _inner_drhs(g, a, b):
    """Adjoint of `b` in `numpy.inner(a, b)`: `a` contracted with `g` over a's leading axes."""
    if getattr(a, "ndim", 0) == 0 or getattr(b, "ndim", 0) == 0:
        return _unbroadcast(g * a, b)
    xp = _namespace(g, a, b)
    leading = list(range(a.ndim - 1))
    return xp.moveaxis(xp.tensordot(a, xp.asarray(g), axes=(leading, leading)), 0, -1)


def _kron_blocks(g, a, b):
    """`g` reshaped so that axis 2i indexes a's axis i and axis 2i+1 b's, and b padded to match."""
    xp = _namespace(g, a, b)
    a, b = xp.asarray(a), xp.asarray(b)
    rank = max(a.ndim, b.ndim)
    a_shape = (1,) * (rank - a.ndim) + a.shape
    b_shape = (1,) * (rank - b.ndim) + b.shape
    blocks = xp.reshape(g, tuple(n for pair in zip(a_shape, b_shape) for n in pair))
    return (
        blocks,
        a.reshape(tuple(n for m in a_shape for n in (m, 1))),
        b.reshape(tuple(n for m in b_shape for n in (1, m))),
    )


def _kron_dlhs(g, a, b):
    """Adjoint of `a` in `numpy.kron(a, b)`: each block of `g` contracted with `b`."""
    blocks, _, b_ = _kron_blocks(g, a, b)
    return (
        (blocks * b_)
        .sum(axis=tuple(range(1, blocks.ndim, 2)))
        .reshape(getattr(a, "shape", ()))
    )


def _kron_drhs(g, a, b):
    """Adjoint of `b` in `numpy.kron(a, b)`: the blocks of `g` weighted by `a` and summed."""
    blocks, a_, _ = _kron_blocks(g, a, b)
    return (
        (blocks * a_)
        .sum(axis=tuple(range(0, blocks.ndim, 2)))
        .reshape(getattr(b, "shape", ()))
    )


def _cross_dlhs(g, a, b, axisa, axisb, axisc):
    """Adjoint of `a` in `numpy.cross(a, b)`: `b × g`, for 3- and 2-vectors, broadcast batches."""
    xp = _namespace(g, a, b)
    a_ = xp.moveaxis(a, axisa, -1)
    b_ = xp.moveaxis(b, axisb, -1)
    if a_.shape[-1] == 2 and b_.shape[-1] == 2:  # the result is the z component only
        da = xp.stack([g * b_[..., 1], -g * b_[..., 0]], axis=-1)
    else:
        if b_.shape[-1] == 2:
            b_ = xp.concatenate([b_, xp.zeros_like(b_[..., :1])], axis=-1)
        da = xp.cross(b_, xp.moveaxis(g, axisc, -1))[..., : a_.shape[-1]]
    return xp.moveaxis(_unbroadcast(da, a_.shape), -1, axisa)


def _cross_drhs(g, a, b, axisa, axisb, axisc):
    """Adjoint of `b` in `numpy.cross(a, b)`: `g × a`, since `a × b = -(b × a)`."""
    return _cross_dlhs(-g, b, a, axisb, axisa, axisc)


def _tensordot_axes(a, b, axes):
    """The axes of `a` and of `b` that `numpy.tensordot(a, b, axes)` sums, paired in order."""
    if isinstance(axes, int):
        return list(range(a.ndim - axes, a.ndim)), list(range(axes))
    summed_a, summed_b = axes
    summed_a = [summed_a] if isinstance(summed_a, int) else list(summed_a)
    summed_b = [summed_b] if isinstance(summed_b, int) else list(summed_b)
    return [i % a.ndim for i in summed_a], [i % b.ndim for i in summed_b]


def _tensordot_dlhs(g, a, b, axes):
    """Adjoint of `a` in `numpy.tensordot(a, b, axes)`: `g` contracted with b's free axes."""
    xp = _namespace(g, a, b)
    summed_a, summed_b = _tensordot_axes(a, b, axes)
    free_a = [i for i in range(a.ndim) if i not in summed_a]
    free_b = [i for i in range(b.ndim) if i not in summed_b]
    result = xp.tensordot(g, b, axes=(list(range(len(free_a), g.ndim)), free_b))
    order = free_a + [summed_a[summed_b.index(i)] for i in sorted(summed_b)]
    return xp.transpose(result, [order.index(i) for i in range(a.ndim)])


def _tensordot_drhs(g, a, b, axes):
    """Adjoint of `b` in `numpy.tensordot(a, b, axes)`: a's free axes contracted with `g`."""
    xp = _namespace(g, a, b)
    summed_a, summed_b = _tensordot_axes(a, b, axes)
    free_a = [i for i in range(a.ndim) if i not in summed_a]
    free_b = [i for i in range(b.ndim) if i not in summed_b]
    result = xp.tensordot(a, g, axes=(free_a, list(range(len(free_a)))))
    order = [summed_b[summed_a.index(i)] for i in sorted(summed_a)] + free_b
    return xp.transpose(result, [order.index(i) for i in range(b.ndim)])


def _einsum_terms(subscripts, ndims):
    """The input terms and the output term of an einsum, `...` spelled out in spare letters."""
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    terms = inputs.split(",")
    spare = [
        c
        for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        if c not in subscripts
    ]
    covered = [
        ndim - len(t.replace("...", "")) for t, ndim in zip(terms, ndims) if "..." in t
    ]
    ellipsis = "".join(spare[: max(covered, default=0)])
    spelled = [
        t.replace("...", ellipsis[len(ellipsis) - ndim + len(t.replace("...", "")) :])
        for t, ndim in zip(terms, ndims)
    ]
    if not arrow:
        letters = inputs.replace(",", "").replace(".", "")
        output = "..." + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1)
        )
    return spelled, output.replace("...", ellipsis)


def _einsum_adjoint(g, subscripts, k, *operands):
    """Adjoint of operand `k` of `einsum(subscripts, *operands)`: an einsum of `g` and the others.

    Operand k's term becomes the output. A letter it repeats (a diagonal) reads
    an identity matrix for each repetition; a letter only it has (summed away)
    reads a vector of ones; a letter it broadcasts (size 1) is summed over.
    """
    xp = _namespace(g, *operands)
    arrays = [xp.asarray(o) for o in operands]
    terms, output = _einsum_terms(subscripts, [x.ndim for x in arrays])
    sizes = {}
    for term, x in zip(terms, arrays):
        for letter, n in zip(term, x.shape):
            sizes[letter] = max(n, sizes.get(letter, 1))
    target = "".join(c for c, n in zip(terms[k], arrays[k].shape) if n == sizes[c])
    inputs = [output] + [t for j, t in enumerate(terms) if j != k]
    values = [xp.asarray(g)] + [x for j, x in enumerate(arrays) if j != k]
    spare = (
        c
        for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        if c not in subscripts and c not in "".join(terms)
    )
    result = ""
    for position, letter in enumerate(target):
        if letter in target[:position]:
            repeat = next(spare)
            inputs.append(letter + repeat)
            values.append(xp.eye(sizes[letter], dtype=values[0].dtype))
            letter = repeat
        result += letter
    for letter in target:
        if letter not in "".join(inputs):
            inputs.append(letter)
            values.append(xp.ones(sizes[letter], dtype=values[0].dtype))
    spec = ",".join(inputs) + "->" + result
    adjoint = xp.einsum(spec, *values, optimize=len(values) > 2)
    if len(values) == 1:  # a transpose or a diagonal may come back as a view of g
        adjoint = adjoint.copy()
    return adjoint.reshape(arrays[k].shape)


def _matrix_transpose(x):
    """`x` with its last two axes swapped: the transpose of each matrix of a stack."""
    return _namespace(x).swapaxes(x, -1, -2)


def _solve_adjoint(g, a, b):
    """`solve(aᵀ, g)`: the adjoint of `b` in `x = numpy.linalg.solve(a, b)`, broadcast shape."""
    xp = _namespace(g, a, b)
    if b.ndim == 1:
        return xp.linalg.solve(_matrix_transpose(a), g[..., None])[..., 0]
    return xp.linalg.solve(_matrix_transpose(a), g)


def _solve_matrix_adjoint(gb, x, b):
    """`-gb xᵀ`: the adjoint of `a` in `x = solve(a, b)`, given `gb`, the adjoint of b."""
    if b.ndim == 1:
        return -(gb[..., :, None] * x[..., None, :])
    return -(gb @ _matrix_transpose(x))


def _solve_columns(b):
    """The index that makes `b`, and `x = numpy.linalg.solve(a, b)`, stacks of columns:
    `[..., None]` where `b` is one vector (solve's reading of a 1-D `b`), `[...]` otherwise.
    """
    return (Ellipsis, None) if b.ndim == 1 else Ellipsis


def _scaled_inverse_transpose(scale, a):
    """`scale a⁻ᵀ`, one scale per matrix of a stack: the adjoint of det's and slogdet's `a`."""
    xp = _namespace(scale, a)
    return xp.asarray(scale)[..., None, None] * xp.linalg.inv(_matrix_transpose(a))


def _cholesky_adjoint(g, lower):
    """Adjoint of `a` in `lower = cholesky(a)`, symmetric (Murray, 2016): `Φ` of `Lᵀg`, conjugated."""
    xp = _namespace(g, lower)
    n = lower.shape[-1]
    phi = xp.tril(_matrix_transpose(lower) @ g) * (
        1.0 - 0.5 * xp.eye(n, dtype=lower.dtype)
    )
    upper = _matrix_transpose(lower)
    s = _matrix_transpose(
        xp.linalg.solve(upper, _matrix_transpose(xp.linalg.solve(upper, phi)))
    )
    return 0.5 * (s + _matrix_transpose(s))


def _cholesky_tangent(t, lower):
    """Tangent of `lower = cholesky(a)` along `t`'s symmetric part: `L Φ(L⁻¹ t L⁻ᵀ)`, Φ taking
    the lower triangle with its diagonal halved (the transpose of `_cholesky_adjoint`).
    """
    xp = _namespace(t, lower)
    n = lower.shape[-1]
    inner = xp.linalg.solve(
        lower, _matrix_transpose(xp.linalg.solve(lower, _symmetric_part(t)))
    )
    return lower @ (xp.tril(inner) * (1.0 - 0.5 * xp.eye(n, dtype=lower.dtype)))


def _pinv_adjoint(g, p, a):
    """Adjoint of `a` in `p = numpy.linalg.pinv(a)`, where the rank of `a` does not change."""
    xp = _namespace(g, p, a)
    m, n = a.shape[-2:]
    pt, gt = _matrix_transpose(p), _matrix_transpose(g)
    row_residual = xp.eye(m, dtype=a.dtype) - a @ p
    column_residual = xp.eye(n, dtype=a.dtype) - p @ a
    return (
        -(pt @ g @ pt) + row_residual @ gt @ (p @ pt) + (pt @ p) @ gt @ column_residual
    )


def _pinv_tangent(t, p, a):
    """Tangent of `p = numpy.linalg.pinv(a)` along `t`, where the rank of `a` does not change
    (Golub and Pereyra, 1973; the transpose of `_pinv_adjoint`)."""
    xp = _namespace(t, p, a)
    m, n = a.shape[-2:]
    tt = _matrix_transpose(t)
    row_residual = xp.eye(m, dtype=a.dtype) - a @ p
    column_residual = xp.eye(n, dtype=a.dtype) - p @ a
    return (
        -(p @ t @ p)
        + (p @ _matrix_transpose(p)) @ tt @ row_residual
        + (column_residual @ tt @ (_matrix_transpose(p) @ p))
    )


def _symmetric_part(x):
    """`(x + xᵀ) / 2`: the gradient with respect to a symmetric matrix of one that ignores symmetry."""
    return 0.5 * (x + _matrix_transpose(x))


def _inverse_gaps(values):
    """`F_ij = 1 / (values_j - values_i)` off the diagonal, 0 on it: the couplings of an
    eigenvector (or singular vector) tangent; the values must be distinct."""
    xp = _namespace(values)
    eye = xp.eye(values.shape[-1], dtype=values.dtype)
    return (1.0 - eye) / (values[..., None, :] - values[..., :, None] + eye)


def _eigh_adjoint(g_values, g_vectors, values, vectors):
    """Adjoint of `a` in `values, vectors = eigh(a)`: `V (diag(gw) + F ∘ Vᵀ gV) Vᵀ`, symmetric.

    F_ij = 1 / (w_j - w_i) off the diagonal: eigenvectors' gradients need distinct eigenvalues.
    """
    xp = _namespace(g_values, g_vectors, values, vectors)
    inner = xp.asarray(g_values)[..., None, :] * vectors
    if g_vectors.any():
        n = values.shape[-1]
        off_diagonal = 1.0 - xp.eye(n, dtype=values.dtype)
        gaps = (
            values[..., None, :] - values[..., :, None] + xp.eye(n, dtype=values.dtype)
        )
        f = off_diagonal / gaps
        inner = inner + vectors @ (f * (_matrix_transpose(vectors) @ g_vectors))
    return _symmetric_part(inner @ _matrix_transpose(vectors))


def _svd_adjoint(g_u, g_s, g_vh, u, s, vh):
    """Adjoint of `a` in `u, s, vh = svd(a, full_matrices=False)` (Townsend, 2016).

    F_ij = 1 / (s_j² - s_i²) off the diagonal: the singular vectors' gradients need distinct,
    nonzero singular values.
    """
    xp = _namespace(g_u, g_s, g_vh, u, s, vh)
    k = s.shape[-1]
    eye = xp.eye(k, dtype=s.dtype)
    v, g_v = _matrix_transpose(vh), _matrix_transpose(g_vh)
    result = u * xp.asarray(g_s)[..., None, :]
    if g_u.any() or g_v.any():
        f = (1.0 - eye) / (s[..., None, :] ** 2 - s[..., :, None] ** 2 + eye)
        ut_gu, vt_gv = _matrix_transpose(u) @ g_u, _matrix_transpose(v) @ g_v
        j = f * (ut_gu - _matrix_transpose(ut_gu))
        kk = f * (vt_gv - _matrix_transpose(vt_gv))
        core = j * s[..., None, :] + s[..., :, None] * kk
        result = u @ core + result
        m, n = u.shape[-2], v.shape[-2]
        if m > k:
            result = result + (g_u - u @ ut_gu) / s[..., None, :]
        if n > k:
            extra = (g_v - v @ vt_gv) / s[..., None, :]
            return result @ vh + u @ _matrix_transpose(extra)
    return result @ vh


def _singular_values_adjoint(g, a):
    """Adjoint of `a` in `s = svd(a, compute_uv=False)`: `U diag(g) Vh` (distinct singular values)."""
    u, _, vh = _namespace(g, a).linalg.svd(a, full_matrices=False)
    return (u * g[..., None, :]) @ vh


def _svd_left_tangent(t, rotated, u, s, v):
    """Tangent of `u` in `u, s, vh = svd(a, full_matrices=False)` along `t`, given `rotated`,
    `uᵀ t v` (as JAX's jvp): `u (F ∘ (R S + S Rᵀ))`, F_ij = 1 / (s_j² - s_i²), plus, where `u`
    has more rows than columns, `t v` off the span of `u`, divided by `s`. With `t`, `rotated`
    transposed and `u`, `v` swapped, the tangent of `v` (of `vh`, transposed)."""
    scaled = rotated * s[..., None, :]
    tu = u @ (_inverse_gaps(s * s) * (scaled + _matrix_transpose(scaled)))
    if u.shape[-2] > s.shape[-1]:
        tv = t @ v
        tu = tu + (tv - u @ (_matrix_transpose(u) @ tv)) / s[..., None, :]
    return tu


def _singular_values_tangent(t, a):
    """Tangent of `s = svd(a, compute_uv=False)` along `t`: the diagonal of `uᵀ t v` (distinct
    singular values)."""
    u, _, vh = _namespace(t, a).linalg.svd(a, full_matrices=False)
    return (u * (t @ _matrix_transpose(vh))).sum(axis=-2)
