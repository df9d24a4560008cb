"""Adjoints of operations that join arrays or split one: stack, concatenate, split ...

Their inputs are lists or tuples of arrays (`sequences=`): each element's
adjoint is assigned as `darrays[i] = ...`. The splits return a list whose
length the rule does not know (`outputs=("*parts",)`): `dparts` is a dict from
the positions of the parts whose adjoints flowed to those adjoints.
"""

import numpy as np

from .registry import adjoint


@adjoint(np.stack, sequences=("arrays",))
def stack(y, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    if out is not None:
        raise NotImplementedError("out= is not supported: s2sad writes results into new arrays")
    if axis == 0:
        darrays[i] = dy[i]
    else:
        darrays[i] = xp.take(dy, i, axis=axis)


@adjoint("numpy.array(list)", sequences=("object",))
def array_of_list(y, object, dtype=None, copy=True, order="K", ndmin=0):
    if ndmin != 0:
        raise NotImplementedError("ndmin= is not supported; reshape the result instead")
    dobject[i] = dy[i]


@adjoint("numpy.asarray(list)", sequences=("a",))
def asarray_of_list(y, a, dtype=None, order=None):
    da[i] = dy[i]


@adjoint(np.concatenate, sequences=("arrays",))
def concatenate(y, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    if out is not None:
        raise NotImplementedError("out= is not supported: s2sad writes results into new arrays")
    darrays[i] = _joined_part(dy, arrays, i, axis, 0)


@adjoint(np.vstack, sequences=("tup",))
def vstack(y, tup, dtype=None, casting="same_kind"):
    dtup[i] = _joined_part(dy, tup, i, 0, 2)


@adjoint(np.hstack, sequences=("tup",))
def hstack(y, tup, dtype=None, casting="same_kind"):
    dtup[i] = _joined_part(dy, tup, i, 1, 1)


@adjoint(np.split, outputs=("*parts",))
def split(parts, ary, indices_or_sections, axis=0):
    dary = _joined_from_parts(dparts, ary, indices_or_sections, axis, False)


@adjoint(np.array_split, outputs=("*parts",))
def array_split(parts, ary, indices_or_sections, axis=0):
    dary = _joined_from_parts(dparts, ary, indices_or_sections, axis, True)
