"""Cases for the join and split rules (s2sad/templates/sequences.py)."""

import numpy as np
from template_cases import SCALAR, Case, add_cases

import s2sad


def stack_pair(a, b):
    return np.stack([a, b])


def stack_last_axis(a, b, c):
    return np.stack((a, b, c), axis=-1)


def stack_with_constant(a):
    return np.stack([a, np.ones(3), a * 2.0], axis=1)


def array_of_values(x):
    return np.array([x[0] * x[1], x[2], 3.0])


def array_of_floats(s, t):
    return np.array([s, t * s, 1.0])


def array_of_rows(a, b):
    return np.array([a, b])


def asarray_of_values(x):
    return np.asarray([x[1], x[0] * 2.0])


def asarray_of_rows(a, b):
    return np.asarray((np.sin(a), b))


def concatenate_three(a, b):
    return np.concatenate([a, b, a])


def concatenate_columns(a, b):
    return np.concatenate((a, b), axis=1)


def concatenate_flattened(a, b):
    return np.concatenate([a, b], axis=None)


def vstack_rows(a, b):
    return np.vstack([a, b])


def vstack_vectors(a, b):
    return np.vstack((a, b, a))


def hstack_vectors(a, b):
    return np.hstack([a, b])


def hstack_matrices(a, b):
    return np.hstack((a, b))


def split_sections(x):
    p, q, r = np.split(x, 3)
    return p * q + np.sin(r)


def split_at_indices(x):
    first, second = np.split(x, [1], axis=1)
    return np.sum(first, axis=1) * np.sum(second ** 2, axis=1)


def array_split_uneven(x):
    p, q = np.array_split(x, 2)
    return np.sum(q ** 2) + p[0]


def array_split_one_part_read(x):
    parts = np.array_split(x, 3, axis=1)
    return parts[2] * 2.0


add_cases(
    "numpy.stack",
    Case(stack_pair, ((3,), (3,))),
    Case(stack_last_axis, ((2, 3), (2, 3), (2, 3))),
    Case(stack_with_constant, ((3,),)),
)
add_cases(
    "numpy.array(list)",
    Case(array_of_values, ((3,),)),
    Case(array_of_floats, (SCALAR, SCALAR)),
    Case(array_of_rows, ((2, 3), (2, 3))),
)
add_cases(
    "numpy.asarray(list)",
    Case(asarray_of_values, ((2,),)),
    Case(asarray_of_rows, ((4,), (4,))),
)
add_cases(
    "numpy.concatenate",
    Case(concatenate_three, ((3,), (2,))),
    Case(concatenate_columns, ((2, 3), (2, 1))),
    Case(concatenate_flattened, ((2, 2), (3,))),
)
add_cases(
    "numpy.vstack",
    Case(vstack_rows, ((2, 3), (1, 3))),
    Case(vstack_vectors, ((4,), (4,))),
)
add_cases(
    "numpy.hstack",
    Case(hstack_vectors, ((3,), (2,))),
    Case(hstack_matrices, ((2, 3), (2, 1))),
)
add_cases(
    "numpy.split",
    Case(split_sections, ((6,),)),
    Case(split_at_indices, ((3, 4),)),
)
add_cases(
    "numpy.array_split",
    Case(array_split_uneven, ((5,),)),
    Case(array_split_one_part_read, ((2, 7),)),
)


def list_display_stacked(a, b):
    ys = [a, np.tanh(b)]
    return np.stack(ys)


def tuple_display_unpacked(a, b):
    pair = (a * 2.0, b)
    first, second = pair
    return first * second


def appended_then_stacked(a, b):
    ys = []
    ys.append(a)
    ys.append(a * b)
    return np.stack(ys, axis=-1)


def appended_in_a_loop_then_concatenated(a, b):
    ys = [b]
    for i in range(3):
        ys.append(a * float(i))
    return np.concatenate(ys)


def appended_then_vstacked(a, b):
    rows = []
    rows.append(a)
    rows.append(b)
    return np.vstack(rows)


def appended_then_hstacked(a, b):
    parts = []
    parts.append(a)
    parts.append(b * b)
    return np.hstack(parts)


add_cases(
    "sequence",
    Case(list_display_stacked, ((3,), (3,))),
    Case(tuple_display_unpacked, ((2, 2), (2, 2))),
)


def appended_to_a_constant_list(a, b):
    """The list holds a constant before the varied value is appended: its tangent keeps a
    row of zeros for it (forward mode)."""
    ys = [np.ones(3)]
    ys.append(a * b)
    return np.stack(ys)


add_cases(
    "list.append",
    Case(appended_then_stacked, ((2, 3), (2, 3))),
    Case(appended_in_a_loop_then_concatenated, ((2,), (3,))),
    Case(appended_then_vstacked, ((3,), (2, 3))),
    Case(appended_then_hstacked, ((2, 2), (2, 1))),
    Case(appended_to_a_constant_list, ((3,), (3,))),
)


def tolist_elements(x):
    items = x.tolist()
    return items[0] * items[2] + items[1]


def tolist_in_a_loop(x, s):
    items = x.tolist()
    total = s
    for i in range(len(items)):
        total = total * 0.5 + items[i] * items[i]
    return total


add_cases(
    "method.tolist",
    Case(tolist_elements, ((3,),)),
    Case(tolist_in_a_loop, ((4,), SCALAR)),
)


# ---- gradients of gradients through the joins' helpers ------------------------------------


def _inner_joins(a, b):
    joined = np.concatenate([a, b * b, a], axis=0)
    rows = np.vstack([np.sin(a), b])
    flat = np.concatenate([a, b], axis=None)
    return np.sum(np.sin(joined)) + np.sum(rows ** 3) + np.sum(np.cos(flat) * flat)


def _inner_side_by_side(a, b):
    return np.sum(np.tanh(np.hstack([a * b, b]))) + np.sum(np.concatenate((a, b), axis=-1) ** 2)


_joins_gradient = s2sad.grad(_inner_joins, wrt=(0, 1))
_side_by_side_gradient = s2sad.grad(_inner_side_by_side, wrt=(0, 1))


def second_joins(a, b):
    da, db = _joins_gradient(a, b)
    return np.sum(da * da) + np.sum(np.sin(db))


def second_side_by_side(a, b):
    da, db = _side_by_side_gradient(a, b)
    return np.sum(np.sin(da)) + np.sum(db * db)


_second_joins_gradient = s2sad.grad(second_joins, wrt=(0, 1))
_second_side_by_side_gradient = s2sad.grad(second_side_by_side, wrt=(0, 1))


def third_joins(a, b):
    """Differentiates the adjoint of `_joined_part`, `_joined_part_spread`, once more."""
    da, db = _second_joins_gradient(a, b)
    return np.sum(np.sin(da)) + np.sum(db * db)


def third_side_by_side(a, b):
    da, db = _second_side_by_side_gradient(a, b)
    return np.sum(da * da) + np.sum(np.cos(db))


add_cases(
    "helper._joined_part",
    Case(second_joins, ((2, 3), (2, 3))),
    Case(second_joins, ((3,), (3,))),
    Case(second_side_by_side, ((2, 2), (2, 1))),
)
add_cases(
    "helper._joined_part_spread",
    Case(third_joins, ((2, 3), (1, 3))),
    Case(third_joins, ((4,), (4,))),
    Case(third_side_by_side, ((3,), (3,))),
)
