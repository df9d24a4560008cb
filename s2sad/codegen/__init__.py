"""Code generation: module source, compilation, saving."""

from .compile import compile_function
from .emit import module_source
from .save import save_source

__all__ = ["compile_function", "module_source", "save_source"]
