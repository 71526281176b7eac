"""Compilation: `function` turns a graph into a callable, on a backend chosen by `mode`.

The `python` backend (the NumPy reference, run node by node) is built in; the compile-*
packages register `c`, `numba` and `jax` through the `tensorgraft.backends` entry points.
"""

from tensorgraft.compile.backends import (
    Backend,
    cache_dir,
    installed_backends,
    load_backend,
    resolve_backend,
)
from tensorgraft.compile.driver import Function, function
from tensorgraft.compile.shared import SharedVariable, shared

__all__ = [
    "Backend",
    "Function",
    "SharedVariable",
    "cache_dir",
    "function",
    "installed_backends",
    "load_backend",
    "resolve_backend",
    "shared",
]
