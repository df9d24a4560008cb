"""Shape and indexing rules beyond the template cases: writes that repeat an element,
writes through views, and the calls the rules refuse."""

from __future__ import annotations

import fake_xp
import numpy as np
import pytest
from gradcheck import assert_close, numerical_vjp
from test_array_namespaces import to_fake

import s2sad
from s2sad.runtime.shape import _selects_once, _written

# ---- writes whose index names an element more than once ----------------------------------
# NumPy keeps one of the writes (the last, in the order it iterates); each function's
# gradient must follow the write NumPy kept, so these are checked on NumPy only.


def write_rows(x, v, idx):
    y = x * 1.0
    y[idx] = v
    return y


def write_columns(x, v, idx):
    y = x * 1.0
    y[:, idx] = v
    return y


def add_rows(x, v, idx):
    y = x * 1.0
    y[idx] += v
    return y


def write_transposed(x, v, idx):
    y = x * 1.0
    y[idx.T] = v.T
    return y


def write_fortran_index(x, v, idx):
    y = x * 1.0
    y[idx.T] = v
    return y


def write_reversed_value(x, v, idx):
    y = x * 1.0
    y[idx] = v[::-1]
    return y


def write_pairs(x, v, i, j):
    y = x * 1.0
    y[i, j] = v
    return y


def write_pairs_then_read(x, v, i, j):
    y = x * 1.0
    y[i, j] = v * x[0, 0]
    return y * y


TWICE = np.array([2, 0, 2, 2])
CROSSED = np.array([[0, 1], [1, 0]])
REPEATED_WRITES = [
    (write_rows, ((4,), (4,)), (TWICE,)),
    (write_rows, ((4, 2), (4, 2)), (TWICE,)),
    (write_rows, ((4, 2), (4, 1)), (TWICE,)),
    (write_rows, ((3, 3), (2, 2, 3)), (CROSSED,)),
    (write_rows, ((3,), (2, 2)), (CROSSED,)),
    (write_columns, ((2, 3), (2, 4)), (np.array([1, 1, 0, 1]),)),
    (write_columns, ((2, 3), (4,)), (np.array([1, 1, 0, 1]),)),
    (add_rows, ((4,), (4,)), (TWICE,)),
    (add_rows, ((4, 3), (3,)), (TWICE,)),
    (add_rows, ((4, 3), (4, 3)), (TWICE,)),
    (write_transposed, ((2,), (2, 2)), (CROSSED,)),
    (write_transposed, ((3,), (2, 3)), (np.array([[0, 1, 2], [1, 2, 0]]),)),
    (write_fortran_index, ((2,), (2, 2)), (CROSSED,)),
    (write_reversed_value, ((3,), (5,)), (np.array([0, 1, 0, 2, 1]),)),
    (write_pairs, ((3, 3), (4,)), (np.array([0, 1, 0, 0]), np.array([2, 2, 2, 1]))),
    (write_pairs_then_read, ((3, 3), (3,)), (np.array([0, 1, 0]), np.array([1, 1, 1]))),
]
IDS = [f"{f.__name__}-{shapes}" for f, shapes, _ in REPEATED_WRITES]


def _arguments(shapes, fixed, seed=3):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes] + [i.copy() for i in fixed]


@pytest.mark.parametrize(("fun", "shapes", "fixed"), REPEATED_WRITES, ids=IDS)
def test_repeated_writes_follow_the_write_numpy_keeps(fun, shapes, fixed):
    args = _arguments(shapes, fixed)
    cotangent = np.random.default_rng(4).standard_normal(np.shape(fun(*args)))
    grads = s2sad.vjp(fun, wrt=(0, 1))(*args, cotangent=cotangent)
    expected = numerical_vjp(fun, args, (0, 1), cotangent)
    for name, got, wanted in zip("xv", grads, expected):
        assert_close(got, wanted, name=f"{fun.__name__}: d{name}")


@pytest.mark.parametrize(("fun", "shapes", "fixed"), REPEATED_WRITES[:8], ids=IDS[:8])
def test_repeated_writes_of_different_values_are_refused_beyond_numpy(fun, shapes, fixed):
    """CuPy does not say which of several writes into one element it keeps."""
    args = _arguments(shapes, fixed)
    cotangent = np.ones(np.shape(fun(*args)))
    vjp = s2sad.vjp(fun, wrt=(0, 1))
    fake = [to_fake(a) for a in args[:2]] + args[2:]
    with pytest.raises(ValueError, match="does not say which one it keeps"):
        vjp(*fake, cotangent=to_fake(cotangent))


def test_repeated_writes_of_one_value_run_beyond_numpy():
    args = _arguments(((4, 3), (3,)), (TWICE,))
    cotangent = np.random.default_rng(5).standard_normal((4, 3))
    vjp = s2sad.vjp(write_rows, wrt=(0, 1))
    expected = vjp(*args, cotangent=cotangent)
    fake = vjp(to_fake(args[0]), to_fake(args[1]), TWICE, cotangent=to_fake(cotangent))
    for got, wanted in zip(fake, expected):
        assert isinstance(got, fake_xp.FakeArray)
        np.testing.assert_allclose(fake_xp.to_numpy(got), wanted)


def _layouts():
    """(adjoint shape, index, value) with repeated elements, in C, F and strided layouts."""
    rng = np.random.default_rng(8)
    for _ in range(4):
        rows = rng.integers(0, 3, size=(2, 3))
        for index_layout in (rows, rows.T.copy().T, rows.T):
            shape = index_layout.shape
            for value in (rng.standard_normal(shape), rng.standard_normal(shape[::-1]).T,
                          rng.standard_normal((shape[0], 2 * shape[1]))[:, ::2]):
                yield (3,), index_layout, value
            yield (3, 4), (index_layout, slice(None, None, -1)), \
                rng.standard_normal(shape[::-1] + (4,)).transpose(1, 0, 2)
            yield (3, 4), (index_layout, slice(None, None, -1)), rng.standard_normal(shape + (1,))


@pytest.mark.parametrize(("shape", "index", "value"), list(_layouts()))
def test_written_matches_the_write_on_random_layouts(shape, index, value):
    """The adjoint of the value is the transpose of the write, read off NumPy's own writes."""
    g = np.random.default_rng(9).standard_normal(shape)
    expected = np.zeros(value.shape)
    for position in np.ndindex(value.shape):
        probe = np.zeros_like(value)  # laid out like value, as the write it stands for
        probe[position] = 1.0
        y = np.zeros(shape)
        y[index] = probe
        expected[position] = np.sum(y * g)
    assert_close(_written(g, index, value), expected, name="the adjoint of the value")


def test_selects_once():
    assert _selects_once((1, slice(None), None, Ellipsis))
    assert _selects_once(np.array([True, False]))
    assert _selects_once((np.int64(2), slice(0, 3)))
    assert not _selects_once(np.array([0, 0]))
    assert not _selects_once((slice(None), [1, 2]))


# ---- writes through views ------------------------------------------------------------------


def write_through_flip(x):
    y = x * 1.0
    v = np.flip(y)
    v[0] = 0.0
    return y


def write_through_rot90(x):
    y = x * 1.0
    v = np.rot90(y)
    v[0] += 1.0
    return np.sum(y)


def write_through_mt(x):
    y = x * 1.0
    v = y.mT
    v[0] = 2.0
    return y


def write_through_swapaxes(x):
    y = x * 1.0
    v = y.swapaxes(0, 1)
    v[1] = 2.0
    return y


def write_through_atleast_2d(x):
    y = x * 1.0
    v = np.atleast_2d(y)
    v[0] = 2.0
    return y


def write_through_squeeze(x):
    y = x * 1.0
    v = y.squeeze()
    v[0] = 2.0
    return y


def write_into_diagonal(x):
    y = x * 1.0
    d = np.diagonal(y)
    d[0] = 1.0
    return d


def write_into_broadcast(x):
    b = np.broadcast_to(x, (3, 3))
    b[0] = 1.0
    return b


@pytest.mark.parametrize("fun", [write_through_flip, write_through_rot90, write_through_mt,
                                 write_through_swapaxes, write_through_atleast_2d,
                                 write_through_squeeze], ids=lambda f: f.__name__)
def test_writes_through_views_are_refused(fun):
    with pytest.raises(s2sad.S2SADError, match="shares memory"):
        _ = s2sad.vjp(fun).source


@pytest.mark.parametrize("fun", [write_into_diagonal, write_into_broadcast],
                         ids=lambda f: f.__name__)
def test_writes_into_read_only_views_are_refused(fun):
    with pytest.raises(s2sad.S2SADError, match="read-only view"):
        _ = s2sad.vjp(fun).source


def write_into_diag_matrix(v, s):
    m = np.diag(v)
    m[0, 1] = s
    return m * 2.0 + v


def test_a_matrix_made_by_diag_can_be_written():
    args = [np.array([1.0, -2.0, 0.5]), 0.7]
    cotangent = np.random.default_rng(6).standard_normal((3, 3))
    grads = s2sad.vjp(write_into_diag_matrix, wrt=(0, 1))(*args, cotangent=cotangent)
    expected = numerical_vjp(write_into_diag_matrix, args, (0, 1), cotangent)
    for got, wanted in zip(grads, expected):
        assert_close(got, wanted, name="write_into_diag_matrix")


# ---- refusals ------------------------------------------------------------------------------


def reshape_any_order(x):
    return np.reshape(x, (6,), order="A")


def reshape_method_any_order(x):
    return x.reshape(6, order="A")


def reshape_copy(x):
    return np.reshape(x, (6,), copy=True)


def ravel_memory_order(x):
    return np.ravel(x, order="K")


def flatten_any_order(x):
    return x.flatten("A")


def pad_mean(x):
    return np.pad(x, 1, mode="mean")


def pad_odd_reflection(x):
    return np.pad(x, 1, mode="reflect", reflect_type="odd")


def pad_stat_length(x):
    return np.pad(x, 1, mode="maximum", stat_length=2)


def pad_mode_variable(x, mode):
    return np.pad(x, 1, mode=mode)


def take_wrap(x):
    return np.take(x, [7, 0], mode="wrap")


def take_method_clip(x):
    return x.take([7, 0], mode="clip")


def take_out(x, out):
    return np.take(x, [0, 1], out=out)


def sort_by_field(x):
    return np.sort(x, order="a")


def atleast_two_arrays(x):
    return np.atleast_1d(x, x)


def astype_no_copy(x):
    return x.astype("float64", copy=False)


def np_astype_no_copy(x):
    return np.astype(x, "float64", copy=False)


def np_astype_device(x):
    return np.astype(x, "float64", device="cpu")


REFUSED = [
    (reshape_any_order, "order='C' or order='F'"),
    (reshape_method_any_order, "order='C' or order='F'"),
    (reshape_copy, "unsupported arguments"),
    (ravel_memory_order, "order='C' or order='F'"),
    (flatten_any_order, "order='C' or order='F'"),
    (pad_mean, "only the modes 'constant', 'edge'"),
    (pad_odd_reflection, "reflect_type='even'"),
    (pad_stat_length, "unsupported arguments"),
    (pad_mode_variable, "literal constant"),
    (take_wrap, "mode='raise'"),
    (take_method_clip, "mode='raise'"),
    (take_out, "with `out=`"),
    (sort_by_field, "structured array"),
    (atleast_two_arrays, "too many positional arguments"),
    (astype_no_copy, "copy=False"),
    (np_astype_no_copy, "copy=False"),
    (np_astype_device, "device="),
]


@pytest.mark.parametrize(("fun", "message"), REFUSED, ids=[f.__name__ for f, _ in REFUSED])
def test_unsupported_options_are_refused(fun, message):
    with pytest.raises(s2sad.S2SADError, match=message.replace("(", r"\(")) as caught:
        _ = s2sad.vjp(fun).source
    assert fun.__name__ in str(caught.value) or "line" in str(caught.value)


# ---- casts -----------------------------------------------------------------------------------


def through_integers(x):
    return np.sum(x.astype("int64").astype("float64") * x)


def test_a_cast_to_integers_passes_no_gradient():
    x = np.array([0.25, 1.75, -2.5])
    gradient = s2sad.grad(through_integers)(x)
    np.testing.assert_array_equal(gradient, np.trunc(x))


def cast_to_single(x):
    return x.astype("float32") * 2.0


def test_a_cast_to_single_precision_casts_the_gradient_back():
    x = np.array([1.0, 2.0], dtype=np.float64)
    cotangent = np.array([1.0, 3.0], dtype=np.float32)
    gradient = s2sad.vjp(cast_to_single)(x, cotangent=cotangent)
    assert gradient.dtype == np.float64
    np.testing.assert_allclose(gradient, [2.0, 6.0])
