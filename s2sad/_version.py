"""The version of s2sad, written into every generated module."""

__version__ = "0.1.0"
