"""Helpers of the Jacobians (`s2sad.jacfwd`, `s2sad.jacrev`, `s2sad.hessian`): the basis
vectors their loops run over, and the arrays they fill. A Jacobian of an output with respect
to an argument has the output's shape followed by the argument's."""

import numpy

from .core import _namespace, _shape_of


def _jacobian_zeros(value, arguments):
    """For each output, for each argument, zeros of the output's shape then the argument's."""
    rows = []
    for output in value if type(value) is tuple else (value,):
        row = []
        for argument in arguments:
            xp = _namespace(output, argument)
            dtype = xp.result_type(xp.asarray(output).dtype, xp.asarray(argument).dtype)
            row.append(
                xp.zeros((*_shape_of(output), *_shape_of(argument)), dtype=dtype)
            )
        rows.append(row)
    return rows


def _basis(x):
    """Each element's index in `x` and the one-hot tangent that selects it, in C order."""
    shape = tuple(_shape_of(x))
    if not shape:
        yield (), 1.0
        return
    xp = _namespace(x)
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        dtype = xp.float64
    for index in numpy.ndindex(*shape):
        tangent = xp.zeros(shape, dtype=dtype)
        tangent[index] = 1.0
        yield index, tangent


def _cotangent_basis(value):
    """Each output's position, an element's index in it, and the cotangent of the whole
    result that selects that element (zeros for the other outputs)."""
    outputs = value if type(value) is tuple else (value,)
    for position, output in enumerate(outputs):
        for index, seed in _basis(output):
            if type(value) is not tuple:
                yield position, index, seed
                continue
            others = [
                0.0 if not _shape_of(o) else _namespace(o).zeros_like(o)
                for o in outputs
            ]
            others[position] = seed
            yield position, index, tuple(others)


def _fill_column(jacobian, position, index, tangents):
    """Write each output's tangent along the element `index` of argument `position`."""
    for row, tangent in zip(
        jacobian, tangents if type(tangents) is tuple else (tangents,)
    ):
        row[position][(..., *index)] = tangent


def _fill_row(jacobian, output, index, gradients):
    """Write the gradients of the element `index` of output `output`, one per argument."""
    for block, gradient in zip(jacobian[output], gradients):
        block[index] = gradient


def _jacobian_result(jacobian, value, single):
    """The Jacobian as the caller gets it: one array for one argument (`single`), a tuple for
    several; for a function returning a tuple, a tuple of those."""
    rows = [row[0] if single else tuple(row) for row in jacobian]
    return tuple(rows) if type(value) is tuple else rows[0]
