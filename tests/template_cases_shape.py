"""Cases for the shape and indexing rules (s2sad/templates/shape.py, indexing.py).

Many cases add a second, direct read of the input (`... + x`): the input then
receives two contributions, one of them possibly a view of the incoming
adjoint, which catches an accumulation that writes into a view.
"""

import numpy as np
from template_cases import SCALAR, Case, Value, add_cases

import s2sad

# ---- transposes --------------------------------------------------------------------------


def attribute_mt(x):
    return x.mT


def attribute_mt_plus(x):
    return x.mT + x


def np_matrix_transpose(x):
    return np.matrix_transpose(x)


def attribute_t_plus(x):
    return x.T + x


def transpose_plus(x):
    return np.transpose(x) + x


def transpose_method_ints(x):
    return x.transpose(1, 0, 2)


def np_permute_dims(x):
    return np.permute_dims(x, (2, 0, 1))


def np_swapaxes(x):
    return np.swapaxes(x, 0, 2)


def swapaxes_negative(x):
    return np.swapaxes(x, -1, 0)


def swapaxes_method(x):
    return x.swapaxes(1, 0) + x


def np_moveaxis(x):
    return np.moveaxis(x, 0, -1)


def moveaxis_tuples(x):
    return np.moveaxis(x, (0, 1), (2, 0))


def moveaxis_plus(x):
    return np.moveaxis(x, 1, 0) + x


add_cases(
    "attribute.mT",
    Case(attribute_mt, ((3, 4),)),
    Case(attribute_mt, ((2, 3, 4),)),
    Case(attribute_mt_plus, ((3, 3),)),
)
add_cases(
    "numpy.matrix_transpose",
    Case(np_matrix_transpose, ((3, 4),)),
    Case(np_matrix_transpose, ((2, 3, 4),)),
)
add_cases(
    "attribute.T",
    Case(attribute_t_plus, ((3, 3),)),
    Case(attribute_t_plus, ((2, 1, 2),)),
)
add_cases(
    "numpy.transpose",
    Case(transpose_plus, ((3, 3),)),
    Case(np_permute_dims, ((2, 3, 4),)),
)
add_cases("method.transpose", Case(transpose_method_ints, ((2, 3, 4),)))
add_cases(
    "numpy.swapaxes",
    Case(np_swapaxes, ((2, 3, 4),)),
    Case(swapaxes_negative, ((2, 3),)),
    Case(swapaxes_method, ((3, 3),)),
)
add_cases(
    "numpy.moveaxis",
    Case(np_moveaxis, ((2, 3, 4),)),
    Case(moveaxis_tuples, ((2, 3, 4),)),
    Case(moveaxis_plus, ((3, 3),)),
    Case(np_moveaxis, ((4, 2),)),
)


# ---- new shapes for the same elements ------------------------------------------------------


def reshape_minus_one(x):
    return np.reshape(x, (-1, 2))


def reshape_fortran_plus(x):
    return np.reshape(x, (3, 4), order="F") + x.reshape(3, 4)


def np_ravel(x):
    return np.ravel(x)


def ravel_fortran(x):
    return np.ravel(x, order="F")


def ravel_method(x):
    return x.ravel()


def flatten_method(x):
    return x.flatten()


def flatten_fortran(x):
    return x.flatten("F")


def ravel_plus(x):
    return np.ravel(x) + x.flatten()


def np_expand_dims(x):
    return np.expand_dims(x, 1)


def expand_dims_tuple(x):
    return np.expand_dims(x, (0, -1))


def np_squeeze(x):
    return np.squeeze(x)


def squeeze_axis(x):
    return np.squeeze(x, axis=0)


def squeeze_method(x):
    return x.squeeze(2)


def squeeze_plus(x):
    return x.squeeze() + x[0]


def np_atleast_1d(x):
    return np.atleast_1d(x)


def np_atleast_2d(x):
    return np.atleast_2d(x)


def np_atleast_3d(x):
    return np.atleast_3d(x)


def atleast_1d_float(s):
    return np.atleast_1d(s) * 2.0


add_cases(
    "numpy.reshape",
    Case(reshape_minus_one, ((3, 4),)),
    Case(reshape_minus_one, ((2, 2, 2),)),
    Case(reshape_fortran_plus, ((2, 6),)),
)
add_cases(
    "numpy.ravel",
    Case(np_ravel, ((3, 4),)),
    Case(np_ravel, ((2, 3, 2),)),
    Case(ravel_fortran, ((3, 4),)),
    Case(ravel_method, ((2, 3),)),
    Case(flatten_method, ((2, 3),)),
    Case(flatten_fortran, ((3, 2),)),
    Case(ravel_plus, ((5,),)),
)
add_cases(
    "numpy.expand_dims",
    Case(np_expand_dims, ((3,),)),
    Case(np_expand_dims, ((2, 3),)),
    Case(expand_dims_tuple, ((2, 3),)),
)
add_cases(
    "numpy.squeeze",
    Case(np_squeeze, ((1, 3, 1),)),
    Case(squeeze_axis, ((1, 2, 1),)),
    Case(squeeze_method, ((2, 3, 1),)),
    Case(squeeze_plus, ((1, 4),)),
)
add_cases(
    "numpy.atleast_1d",
    Case(np_atleast_1d, ((),)),
    Case(np_atleast_1d, ((2, 3),)),
    Case(atleast_1d_float, (SCALAR,)),
)
add_cases(
    "numpy.atleast_2d",
    Case(np_atleast_2d, ((3,),)),
    Case(np_atleast_2d, ((),)),
    Case(np_atleast_2d, ((2, 3, 2),)),
)
add_cases(
    "numpy.atleast_3d",
    Case(np_atleast_3d, ((3,),)),
    Case(np_atleast_3d, ((2, 3),)),
    Case(np_atleast_3d, ((),)),
)


# ---- the same elements in another order -------------------------------------------------


def np_flip(x):
    return np.flip(x)


def flip_axis(x):
    return np.flip(x, 1)


def flip_axes(x):
    return np.flip(x, axis=(0, -1))


def flip_plus(x):
    return x * 2.0 + np.flip(x)


def np_fliplr(x):
    return np.fliplr(x)


def fliplr_plus(x):
    return x * 2.0 + np.fliplr(x)


def np_flipud(x):
    return np.flipud(x)


def flipud_plus(x):
    return x * 2.0 + np.flipud(x)


def np_roll(x):
    return np.roll(x, 2)


def roll_axis(x):
    return np.roll(x, -1, axis=1)


def roll_tuples(x):
    return np.roll(x, (1, 2), axis=(0, 1))


def roll_variable(x, k):
    return np.roll(x, k, 0) + x


def np_rot90(x):
    return np.rot90(x)


def rot90_k(x):
    return np.rot90(x, 3)


def rot90_axes(x):
    return np.rot90(x, k=2, axes=(1, 2))


def rot90_plus(x):
    return x * 2.0 + np.rot90(x, -1)


def np_sort(x):
    return np.sort(x)


def sort_axis(x):
    return np.sort(x, axis=0)


def sort_flat(x):
    return np.sort(x, axis=None, kind="stable")


def sort_plus(x):
    return np.sort(x) * x


add_cases(
    "numpy.flip",
    Case(np_flip, ((5,),)),
    Case(np_flip, ((2, 3),)),
    Case(flip_axis, ((2, 3, 2),)),
    Case(flip_axes, ((2, 3, 2),)),
    Case(flip_plus, ((3, 4),)),
)
add_cases(
    "numpy.fliplr",
    Case(np_fliplr, ((3, 4),)),
    Case(np_fliplr, ((2, 3, 2),)),
    Case(fliplr_plus, ((3, 3),)),
)
add_cases(
    "numpy.flipud",
    Case(np_flipud, ((4,),)),
    Case(np_flipud, ((3, 2),)),
    Case(flipud_plus, ((3, 3),)),
)
add_cases(
    "numpy.roll",
    Case(np_roll, ((5,),)),
    Case(np_roll, ((3, 4),)),
    Case(roll_axis, ((2, 3),)),
    Case(roll_tuples, ((3, 4),)),
    Case(roll_variable, ((4, 2), Value(3))),
)
add_cases(
    "numpy.rot90",
    Case(np_rot90, ((3, 4),)),
    Case(rot90_k, ((2, 3),)),
    Case(rot90_axes, ((2, 3, 4),)),
    Case(rot90_plus, ((3, 3),)),
)
add_cases(
    "numpy.sort",
    Case(np_sort, ((5,),), domain="distinct"),
    Case(np_sort, ((3, 4),), domain="distinct"),
    Case(sort_axis, ((3, 4),), domain="distinct"),
    Case(sort_flat, ((2, 3),), domain="distinct"),
    Case(sort_plus, ((2, 4),), domain="distinct"),
)


# ---- copies of elements --------------------------------------------------------------------


def np_tile(x):
    return np.tile(x, 3)


def tile_more_reps(x):
    return np.tile(x, (2, 1, 2))


def tile_fewer_reps(x):
    return np.tile(x, (2,))[:, 1:4] + x


def np_repeat(x):
    return np.repeat(x, 2)


def repeat_axis(x):
    return np.repeat(x, 3, axis=1)


def repeat_array(x, r):
    return np.repeat(x, r, axis=0)


def repeat_array_flat(x, r):
    return np.repeat(x, r)


def repeat_method(x):
    return x.repeat(2, axis=-1)


def repeat_method_list(x):
    return x.repeat([0, 2, 1], 0)


def pad_int(x):
    return np.pad(x, 1)


def pad_pairs(x):
    return np.pad(x, ((1, 0), (2, 3)), mode="constant")


def pad_pair(x):
    return np.pad(x, (2, 1), constant_values=3.0)


def pad_value(x, c):
    return np.pad(x, ((1, 2), (0, 1)), constant_values=c)


def pad_value_pairs(x, c):
    return np.pad(x, ((1, 2), (2, 1)), constant_values=c)


def pad_value_one_pair(x, c):
    return np.pad(x, 1, constant_values=c)


add_cases(
    "numpy.tile",
    Case(np_tile, ((3,),)),
    Case(np_tile, ((2, 3),)),
    Case(tile_more_reps, ((2, 3),)),
    Case(tile_fewer_reps, ((2, 3),)),
    Case(np_tile, ((),)),
)
add_cases(
    "numpy.repeat",
    Case(np_repeat, ((3,),)),
    Case(np_repeat, ((2, 3),)),
    Case(repeat_axis, ((2, 3),)),
    Case(repeat_array, ((3, 2), Value(np.array([2, 0, 3])))),
    Case(repeat_array_flat, ((2, 2), Value(np.array([1, 3, 0, 2])))),
    Case(repeat_method, ((2, 2),)),
    Case(repeat_method_list, ((3, 2),)),
)
def pad_edge(x):
    return np.pad(x, ((1, 2), (0, 3)), mode="edge")


def pad_reflect(x):
    return np.pad(x, 2, "reflect")


def pad_symmetric(x):
    return np.pad(x, (3, 1), mode="symmetric", reflect_type="even")


def pad_wrap(x):
    return np.pad(x, ((4, 1), (1, 2)), mode="wrap") + 1.0


add_cases(
    "numpy.pad",
    Case(pad_edge, ((2, 3),)),
    Case(pad_edge, ((3, 1),)),
    Case(pad_reflect, ((4,),)),
    Case(pad_reflect, ((3, 3),)),
    Case(pad_symmetric, ((2,),)),
    Case(pad_symmetric, ((2, 2, 3),)),
    Case(pad_wrap, ((2, 3),)),
    Case(pad_wrap, ((3, 2),)),
    Case(pad_int, ((3,),)),
    Case(pad_int, ((2, 3),)),
    Case(pad_pairs, ((2, 3),)),
    Case(pad_pair, ((2, 3),)),
    Case(pad_value, ((2, 3), SCALAR)),
    Case(pad_value, ((2, 2), ())),
    Case(pad_value_pairs, ((2, 3), (2, 2))),
    Case(pad_value_pairs, ((2, 3), (2,))),
    Case(pad_value_pairs, ((3, 2), (2, 1))),
    Case(pad_value_one_pair, ((2, 3, 2), (1, 2))),
)


# ---- diagonals and triangles ---------------------------------------------------------------


def np_diag(x):
    return np.diag(x)


def diag_offset(x):
    return np.diag(x, 1)


def diag_below(x):
    return np.diag(x, k=-2)


def diag_plus(x):
    return np.diag(x) + x[0]


def np_diagonal(x):
    return np.diagonal(x)


def diagonal_offset(x):
    return np.diagonal(x, 1)


def diagonal_axes(x):
    return np.diagonal(x, offset=-1, axis1=2, axis2=0)


def diagonal_method(x):
    return x.diagonal(-1) + x[1:, 0]


def np_tril(x):
    return np.tril(x)


def tril_k(x):
    return np.tril(x, -1)


def tril_plus(x):
    return np.tril(x, k=1) + x


def tril_vector(x, c):
    return np.tril(x) * c


def np_triu(x):
    return np.triu(x)


def triu_k(x):
    return np.triu(x, 1)


def triu_vector(x, c):
    return np.triu(x, -1) * c


add_cases(
    "numpy.diag",
    Case(np_diag, ((3,),)),
    Case(diag_offset, ((2,),)),
    Case(diag_below, ((3,),)),
    Case(np_diag, ((3, 3),)),
    Case(diag_offset, ((3, 4),)),
    Case(diag_below, ((4, 3),)),
    Case(diag_plus, ((2, 2),)),
)
add_cases(
    "numpy.diagonal",
    Case(np_diagonal, ((3, 3),)),
    Case(np_diagonal, ((2, 3, 4),)),
    Case(diagonal_offset, ((3, 4),)),
    Case(diagonal_axes, ((3, 2, 4),)),
    Case(diagonal_method, ((4, 3),)),
)
add_cases(
    "numpy.tril",
    Case(np_tril, ((3, 3),)),
    Case(tril_k, ((3, 4),)),
    Case(tril_k, ((2, 3, 3),)),
    Case(tril_plus, ((4, 3),)),
    Case(tril_vector, ((3,), (3, 3))),
)
add_cases(
    "numpy.triu",
    Case(np_triu, ((3, 3),)),
    Case(triu_k, ((4, 3),)),
    Case(triu_k, ((2, 2, 3),)),
    Case(triu_vector, ((4,), (4, 4))),
)


# ---- selections by index arrays --------------------------------------------------------------


def np_take(x, idx):
    return np.take(x, idx)


def take_axis(x, idx):
    return np.take(x, idx, axis=1)


def take_scalar(x):
    return np.take(x, -1) * x


def take_method(x, idx):
    return x.take(idx, axis=0, mode="raise")


def take_along(x, idx):
    return np.take_along_axis(x, idx, axis=1)


def take_along_first(x, idx):
    return np.take_along_axis(x, idx, 0)


def take_along_flat(x, idx):
    return np.take_along_axis(x, idx, axis=None)


def take_along_default(x, idx):
    return np.take_along_axis(x, idx)


def take_along_argsort(x):
    return np.take_along_axis(x, np.argsort(x, axis=-1), axis=-1) * x


add_cases(
    "numpy.take",
    Case(np_take, ((3, 4), Value(np.array([[0, 11], [5, 5]])))),
    Case(np_take, ((5,), Value(np.array([4, -1, 0])))),
    Case(take_axis, ((2, 3), Value(np.array([2, 2, 0, -3])))),
    Case(take_axis, ((2, 3, 2), Value(1))),
    Case(take_scalar, ((2, 2),)),
    Case(take_method, ((4, 2), Value([1, 1, 3]))),
)
add_cases(
    "numpy.take_along_axis",
    Case(take_along, ((2, 3), Value(np.array([[0, 0, 2, 1], [1, 2, 2, 2]])))),
    Case(take_along, ((2, 3), Value(np.array([[1], [1]])))),
    Case(take_along_first, ((3, 2), Value(np.array([[2, 0], [2, 2]])))),
    Case(take_along_flat, ((2, 3), Value(np.array([5, 0, 5, -1])))),
    Case(take_along_default, ((2, 3, 2), Value(np.array([[[1, 1, 0]]]).reshape(1, 1, 3)))),
    Case(take_along_argsort, ((3, 4),), domain="distinct"),
)


# ---- casts ---------------------------------------------------------------------------------


def astype_float(x):
    return x.astype("float64")


def astype_float64(x):
    return x.astype("float64", copy=True) * x


def astype_longdouble(x):
    return np.sum(x.astype("longdouble") * 2.0).astype("float64")


def astype_int(x):
    return x * x.astype("int64")


def astype_bool(x):
    return x * x.astype("bool")


def np_astype(x):
    return np.astype(x, "float64") * 3.0


def np_astype_int(x):
    return np.astype(x, "int32") + x


add_cases(
    "method.astype",
    Case(astype_float, ((3,),)),
    Case(astype_float64, ((2, 3),)),
    Case(astype_longdouble, ((2, 2),)),
    Case(astype_longdouble, ((3,),)),
    Case(astype_int, ((3, 4),), domain="distinct"),
    Case(astype_bool, ((5,),), domain="distinct"),
)
add_cases(
    "numpy.astype",
    Case(np_astype, ((3,),)),
    Case(np_astype, ((2, 2),)),
    Case(np_astype_int, ((2, 3),), domain="distinct"),
)


# ---- existing rules, more shapes -----------------------------------------------------------


def broadcast_to_new_axes(x):
    return np.broadcast_to(x, (2, 3, 4)) * 1.0


def broadcast_to_plus(x):
    return np.broadcast_to(x, (3, 3)) + x


def np_copy_plus(x):
    return np.copy(x) + x.copy()


add_cases(
    "numpy.broadcast_to",
    Case(broadcast_to_new_axes, ((3, 1),)),
    Case(broadcast_to_plus, ((3,),)),
    Case(broadcast_to_plus, ((3, 3),)),
)
add_cases("numpy.copy", Case(np_copy_plus, ((2, 3),)))


# ---- reading by index ----------------------------------------------------------------------


def index_negative_step(x):
    return x[3:0:-2]


def index_negative_step_2d(x):
    return x[::-1, -1::-2]


def index_none_ellipsis(x):
    return x[None, ..., 1, None]


def index_repeated(x, idx):
    return x[idx, idx]


def index_repeated_rows(x, idx):
    return x[idx] + x[idx[0]]


def index_array_ellipsis(x, idx):
    return x[..., idx]


def index_arrays_split(x, i, j):
    return x[i, :, j]


def index_array_none(x, idx):
    return x[None, idx, ::-1]


def index_mask_slice(x, mask):
    return x[mask, 1:]


def index_mask_columns(x, mask):
    return x[:, mask] * x[:, 0:1]


def index_mask_and_array(x, mask, idx):
    return x[mask, idx]


def index_negative_array(x):
    return x[np.array([-1, 0, -1])]


def index_chain(x, idx):
    y = x[idx]
    return y[:, ::-1][1]


add_cases(
    "getitem",
    Case(index_negative_step, ((5,),)),
    Case(index_negative_step_2d, ((3, 4),)),
    Case(index_none_ellipsis, ((2, 3, 2),)),
    Case(index_repeated, ((3, 3), Value(np.array([2, 0, 2, 2])))),
    Case(index_repeated_rows, ((3, 2), Value(np.array([1, 1, 0])))),
    Case(index_array_ellipsis, ((2, 3, 4), Value(np.array([[3, 0], [3, 3]])))),
    Case(index_arrays_split, ((3, 2, 4), Value(np.array([0, 2, 0])), Value(np.array([1, 1, 3])))),
    Case(index_array_none, ((4, 3), Value(np.array([[1, 1], [2, 3]])))),
    Case(index_mask_slice, ((3, 3), Value(np.array([True, False, True])))),
    Case(index_mask_columns, ((2, 4), Value(np.array([False, True, True, True])))),
    Case(index_mask_and_array, ((3, 3), Value(np.array([True, False, True])),
                                Value(np.array([2, 2])))),
    Case(index_negative_array, ((4,),)),
    Case(index_chain, ((3, 4), Value(np.array([2, 2, 0])))),
)


# ---- writing by index ----------------------------------------------------------------------


def write_int(x, v):
    y = x * 1.0
    y[-1] = v
    return y


def write_negative_step(x, v):
    y = x * 1.0
    y[::-2] = v
    return y


def write_none_ellipsis(x, v):
    y = x * 1.0
    y[..., None, 0] = v
    return y


def write_array(x, v, idx):
    y = x * 1.0
    y[idx] = v
    return y


def write_columns(x, v, idx):
    y = x * 1.0
    y[:, idx] = v
    return y


def write_mask(x, v, mask):
    y = x * 1.0
    y[mask] = v
    return y


def write_mask_rows(x, v, mask):
    y = x * 1.0
    y[mask, 1:] = v
    return y


def add_into_rows(x, v, idx):
    y = x * 1.0
    y[idx] += v
    return y


def write_leading_ones(x, v):
    y = x * 1.0
    y[1] = v
    return y


def write_twice(x, v, w):
    y = x * 1.0
    y[0] = v
    y[:, 1] = w
    return y


def write_view_of_value(x, v):
    y = x * 1.0
    y[1:] = v.T
    return y


# Rows written twice: each time with the same values, so the result does not depend on
# which write is kept (other cases, in tests/test_shape_extras.py, run on NumPy only).
REPEATED = Value(np.array([2, 0, 2, 2]))

add_cases(
    "setitem",
    Case(write_int, ((3, 2), (2,))),
    Case(write_int, ((3, 2), SCALAR)),
    Case(write_negative_step, ((5,), (3,))),
    Case(write_negative_step, ((5, 2), (2,))),
    Case(write_none_ellipsis, ((2, 3), (2, 1))),
    Case(write_array, ((4,), (3,), Value(np.array([3, 0, 1])))),
    Case(write_array, ((4, 2), (2,), REPEATED)),
    Case(write_array, ((4, 2), (), REPEATED)),
    Case(write_columns, ((2, 3), (2, 1), Value(np.array([1, 1, 0, 1])))),
    Case(write_mask, ((3, 2), (2, 2), Value(np.array([True, False, True])))),
    Case(write_mask, ((3, 2), (), Value(np.array([[True, False], [True, True], [False, False]])))),
    Case(write_mask_rows, ((3, 3), (2,), Value(np.array([False, True, True])))),
    Case(add_into_rows, ((4, 3), (3,), Value(np.array([3, 0, 1])))),
    Case(write_leading_ones, ((3, 4), (1, 4))),
    Case(write_twice, ((3, 2), (2,), (3,))),
    Case(write_view_of_value, ((3, 2), (2, 2))),
)


# ---- gradients of gradients through writes -----------------------------------------------


def _inner_writes(x, v, idx):
    y = x * x
    y[idx] = v * v
    return np.sum(np.sin(y))


_writes_gradient = s2sad.grad(_inner_writes, wrt=(0, 1))


def second_writes(x, v, idx):
    dx, dv = _writes_gradient(x, v, idx)
    return np.sum(dx * dx) + np.sum(np.cos(dv))


add_cases(
    "helper._written",
    Case(second_writes, ((4,), (), REPEATED)),
    Case(second_writes, ((4, 2), (2,), REPEATED)),
    Case(second_writes, ((3, 2), (), Value((slice(None), 0)))),
)


_second_writes_gradient = s2sad.grad(second_writes, wrt=(0, 1))


def third_writes(x, v, idx):
    """Differentiates the adjoint of `_written`, `_written_transpose`, once more."""
    dx, dv = _second_writes_gradient(x, v, idx)
    return np.sum(dx * dx) + np.sum(np.sin(dv))


add_cases(
    "helper._written_transpose",
    Case(third_writes, ((4,), (), REPEATED)),
    Case(third_writes, ((4, 2), (2,), REPEATED)),
    Case(third_writes, ((3, 2), (), Value((slice(None), 0)))),
)


# ---- gradients of gradients through the shape helpers --------------------------------------


def _inner_copies(x, w):
    tiled = np.tile(x, (2, 1)) * w
    repeated = np.repeat(x, 2, axis=-1)
    padded = np.pad(x, 1, mode="wrap")
    return np.sum(np.sin(tiled)) + np.sum(repeated ** 3) + np.sum(np.cos(padded) * padded)


def _inner_orders(x, c):
    ordered = np.sort(x, axis=0) * c
    wide = x.astype("longdouble") * 2.0
    return np.sum(np.sin(ordered)) + np.sum(np.cos(wide)).astype("float64")


def _inner_diagonals(m, v):
    return np.sum(np.sin(np.diagonal(m, 1))) + np.sum(np.diag(v) * m[:3, :3] ** 2) \
        + np.sum(np.cos(np.diag(m)))


_copies_gradient = s2sad.grad(_inner_copies, wrt=(0, 1))
_orders_gradient = s2sad.grad(_inner_orders)
_diagonals_gradient = s2sad.grad(_inner_diagonals, wrt=(0, 1))


def second_copies(x, w):
    dx, dw = _copies_gradient(x, w)
    return np.sum(dx * dx) + np.sum(np.sin(dw))


def second_orders(x, c):
    dx = _orders_gradient(x, c)
    return np.sum(dx * dx * c[0])


def second_diagonals(m, v):
    dm, dv = _diagonals_gradient(m, v)
    return np.sum(dm * dm) + np.sum(np.sin(dv))


for key in ("helper._untile", "helper._unrepeat", "helper._pad_copies_adjoint"):
    add_cases(
        key,
        Case(second_copies, ((3,), (2, 3))),
        Case(second_copies, ((2, 2), (4, 2))),
    )
for key in ("helper._sort_adjoint", "helper._cast_adjoint"):
    add_cases(
        key,
        Case(second_orders, ((3, 2), (3, 2)), domain="distinct"),
        Case(second_orders, ((4,), (4,)), domain="distinct"),
    )
for key in ("helper._diag_adjoint", "helper._diagonal_adjoint"):
    add_cases(
        key,
        Case(second_diagonals, ((3, 4), (3,))),
        Case(second_diagonals, ((4, 4), (3,))),
    )


# ---- gradients of gradients through the selections' helpers --------------------------------


def _inner_takes(x, idx):
    taken = np.take(x, idx, axis=0) * x[0]
    flat = np.take(x, idx) ** 2
    return np.sum(np.sin(taken)) + np.sum(flat * flat)


def _inner_along(x, idx):
    along = np.take_along_axis(x, idx, axis=0)
    return np.sum(np.sin(along) * along) + np.sum(np.take_along_axis(x, idx, 0) ** 3)


_takes_gradient = s2sad.grad(_inner_takes)
_along_gradient = s2sad.grad(_inner_along)


def second_takes(x, idx):
    return np.sum(np.sin(_takes_gradient(x, idx)) * x)


def second_along(x, idx):
    dx = _along_gradient(x, idx)
    return np.sum(dx * dx)


add_cases(
    "helper._take_adjoint",
    Case(second_takes, ((3, 2), Value(np.array([2, 0, 2])))),
    Case(second_takes, ((4,), Value(np.array([1, 1, 3, 0])))),
)
add_cases(
    "helper._along_axis_adjoint",
    Case(second_along, ((3, 2), Value(np.array([[2, 0], [2, 2], [1, 0]])))),
    Case(second_along, ((4,), Value(np.array([3, 3, 0])))),
)


# ---- gradients of tangents through the sort's tangent helper ----------------------------------


def _sorted_products(x):
    return np.sort(x, axis=0) * x


def _sorted_flat(x):
    return np.sort(x, axis=None) ** 2


_sorted_products_jvp = s2sad.jvp(_sorted_products)
_sorted_flat_jvp = s2sad.jvp(_sorted_flat)


def sorted_products_tangent(x, t):
    _, tangent = _sorted_products_jvp(x, tangent=t)
    return np.sum(np.sin(tangent))


def sorted_flat_tangent(x, t):
    _, tangent = _sorted_flat_jvp(x, tangent=t)
    return np.sum(tangent * tangent)


add_cases(
    "helper._in_sorted_order",
    Case(sorted_products_tangent, ((3, 2), (3, 2)), domain="distinct"),
    Case(sorted_flat_tangent, ((2, 3), (2, 3)), domain="distinct"),
)


# ---- gradients of tangents stretched to a broadcast result -----------------------------------


def _sine_over_rows(x):
    return np.sin(x) + np.ones((2, 3))


def _cube_over_columns(x):
    return x ** 3 - np.ones((3, 4))


_sine_over_rows_jvp = s2sad.jvp(_sine_over_rows)
_cube_over_columns_jvp = s2sad.jvp(_cube_over_columns)


def stretched_sine_tangent(x, t):
    _, tangent = _sine_over_rows_jvp(x, tangent=t)
    return np.sum(tangent * tangent)


def stretched_cube_tangent(x, t):
    _, tangent = _cube_over_columns_jvp(x, tangent=t)
    return np.sum(np.sin(tangent))


add_cases(
    "helper._tangent_like",
    Case(stretched_sine_tangent, ((3,), (3,))),
    Case(stretched_cube_tangent, ((3, 1), (3, 1))),
)


def astype_builtin_float(x):
    return x.astype(float) * x


def astype_numpy_type(x):
    return np.astype(x.astype(np.float64), np.float64) * 2.0


add_cases("method.astype", Case(astype_builtin_float, ((2, 3),)))
add_cases("numpy.astype", Case(astype_numpy_type, ((4,),)))
