"""Adjoints of lists of arrays and of joining and splitting arrays: stack, concatenate, split ...

The joins take a list or tuple of arrays (`sequences=`). Written out in the
call (`np.stack([a, b])`), each element's adjoint is `darrays[i] = ...`; passed
as one value (a list the function built with `append`, or an array), the
whole adjoint is `darrays = ...`: the rule gives both forms. The adjoint of a
list of equal-shape arrays is their stacked array, whose rows `append`'s rule
takes apart. The splits return a list whose length the rule does not know
(`outputs=("*parts",)`): `dparts` maps the positions of the parts whose
adjoints flowed to those adjoints.
"""

import numpy as np

from ..registry import adjoint, tangent


@adjoint("sequence", sequences=("elements",), linear=("elements",))
def sequence(y, elements):
    """`ys = [a, b]`: a list (or tuple) of values."""
    delements[i] = dy[i]


@adjoint("list.append")
def append(y, items, value):
    """`ys.append(v)`, which s2sad reads as `ys = ys + [v]`."""
    ditems = dy[:-1]
    dvalue = dy[-1]


@tangent("list.append")
def append_tangent(y, items, value):
    """Linear in the list and the value jointly, but not written `titems + [tvalue]`: a sum
    drops a zero term, and the list of the items' zeros must keep its length."""
    ty = [*titems, tvalue]


@adjoint("method.tolist", linear=("x",))
def tolist(y, x):
    """`x.tolist()`: the array's elements as a (nested) list of Python numbers."""
    dx = xp.asarray(dy)


@adjoint(np.stack, sequences=("arrays",), linear=("arrays",))
def stack(y, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    if out is not None:
        raise NotImplementedError("out= is not supported: s2sad writes results into new arrays")
    if axis == 0:
        darrays[i] = dy[i]
        darrays = dy
    else:
        darrays[i] = xp.take(dy, i, axis=axis)
        darrays = xp.moveaxis(dy, axis, 0)


@adjoint("numpy.array(list)", sequences=("object",), linear=("object",))
def array_of_list(y, object, dtype=None, copy=True, order="K", ndmin=0):
    if ndmin != 0:
        raise NotImplementedError("ndmin= is not supported; reshape the result instead")
    dobject[i] = dy[i]


@adjoint("numpy.asarray(list)", sequences=("a",), linear=("a",))
def asarray_of_list(y, a, dtype=None, order=None):
    da[i] = dy[i]


@adjoint(np.concatenate, sequences=("arrays",), linear=("arrays",))
def concatenate(y, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    if out is not None:
        raise NotImplementedError("out= is not supported: s2sad writes results into new arrays")
    darrays[i] = _joined_part(dy, arrays, i, axis, 0)
    darrays = _joined_parts(dy, arrays, axis, 0)


@adjoint(np.vstack, sequences=("tup",), linear=("tup",))
def vstack(y, tup, dtype=None, casting="same_kind"):
    dtup[i] = _joined_part(dy, tup, i, 0, 2)
    dtup = _joined_parts(dy, tup, 0, 2)


@adjoint(np.hstack, sequences=("tup",), linear=("tup",))
def hstack(y, tup, dtype=None, casting="same_kind"):
    dtup[i] = _joined_part(dy, tup, i, 1, 1)
    dtup = _joined_parts(dy, tup, 1, 1)


@adjoint(np.split, outputs=("*parts",), linear=("ary",))
def split(parts, ary, indices_or_sections, axis=0):
    dary = _joined_from_parts(dparts, ary, indices_or_sections, axis, False)


@adjoint(np.array_split, outputs=("*parts",), linear=("ary",))
def array_split(parts, ary, indices_or_sections, axis=0):
    dary = _joined_from_parts(dparts, ary, indices_or_sections, axis, True)


@adjoint("helper._joined_part", linear=("g",))
def joined_part(z, g, arrays, i, axis, ndmin):
    """Linear in `g`, a region of it: its adjoint is zeros with `dz` in that region; `arrays`
    give shapes only."""
    dg = _joined_part_spread(dz, g, arrays, i, axis, ndmin)


@adjoint("helper._joined_part_spread", linear=("part",))
def joined_part_spread(z, part, g, arrays, i, axis, ndmin):
    """Linear in `part`, written into a region of zeros: its adjoint reads that region back;
    `g` and `arrays` give shapes only."""
    dpart = _joined_part(dz, arrays, i, axis, ndmin)
