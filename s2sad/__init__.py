"""s2sad: source-to-source automatic differentiation for NumPy and CuPy, reverse and forward mode.

`grad(f)` reads the source of `f` and writes a new Python function that
computes its gradient with plain array calls; `.source` shows it and
`.save(path)` writes it as a module that runs without s2sad.
"""

from . import nn
from . import registry as _registry
from ._version import __version__
from .api import (
    GradFunction,
    grad,
    hessian,
    hvp,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    value_and_grad,
    vjp,
)
from .errors import (
    ArgumentTypeError,
    ArrayLibraryError,
    NotScalarError,
    S2SADError,
    SourceUnavailableError,
    UnknownFunctionError,
    UnsupportedArgumentError,
    UnsupportedSyntaxError,
    WrtError,
)
from .nn import stop_gradient
from .templates import adjoint, tangent

__all__ = [
    "ArgumentTypeError",
    "ArrayLibraryError",
    "GradFunction",
    "NotScalarError",
    "S2SADError",
    "SourceUnavailableError",
    "UnknownFunctionError",
    "UnsupportedArgumentError",
    "UnsupportedSyntaxError",
    "WrtError",
    "__version__",
    "adjoint",
    "grad",
    "hessian",
    "hvp",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "nn",
    "stop_gradient",
    "tangent",
    "value_and_grad",
    "vjp",
]

_registry.REGISTRY.sealed = True  # the rules registered from here on are the user's
