"""Pictures of the DAG s2sad differentiates, drawn from the normalized program the adjoint
pass reads: the forward graph, or with `backward=True` the adjoint graph, as DOT text.

Colours are the lecture's: parameters (the `wrt` arguments) blue, other values white,
operations green. Loops and branches are clusters labelled with the user's line.
"""

from __future__ import annotations

import ast

from ..ir import Program
from .backward import backward_graph
from .files import FORMATS, GraphvizError, write
from .forward import forward_graph
from .model import ACTIVATION, OPERATION, PARAMETER

__all__ = ["ACTIVATION", "FORMATS", "OPERATION", "PARAMETER", "GraphvizError", "dot", "write"]


def dot(program: Program, wrt: list[str], backward: bool = False,
        seeds: list[str] | None = None) -> str:
    """The DOT text of `program`'s DAG; `backward`: of its adjoint from the outputs `seeds`
    (default: every output) to the `wrt` parameters."""
    if not backward:
        return forward_graph(program, wrt).dot()
    if seeds is None:
        seeds = [o.id for o in program.outputs if isinstance(o, ast.Name)]
    return backward_graph(program, wrt, seeds).dot()
