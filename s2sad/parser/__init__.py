"""Source → normalized program: one operation per statement, names resolved.

The parser reads a function's source, checks that every construct is one s2sad
differentiates, resolves the names it reads (numpy and cupy modules, functions
imported from them, module-level constants), and splits every expression into
single operations assigned to named temporaries, in static single assignment
form. Source positions are kept for the backward's comments and for errors.
"""

from .normalizer import parse

__all__ = ["parse"]
