"""Lowering: a parsed function's statements as single operations in SSA form.

The `Normalizer` resolves the names a function reads (numpy and cupy modules,
functions imported from them, module-level constants, closures), inlines calls of
the user's own functions, lowers `if`, loops and conditional expressions with `phi`
assignments where the paths meet, splits every expression into single operations
assigned to named temporaries, and checks what NumPy would do differently (writes
through shared memory). Source positions are kept for the backward's comments and
for errors. Each job is a module of its own: see lowering.py.
"""

from .lowering import normalize

__all__ = ["normalize"]
