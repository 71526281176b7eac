"""Numba backend for tensorgraft.

`function(inputs, outputs, mode="numba")` (or `mode=backend`, this object) generates one
Python function for the whole rewritten graph from per-op templates (`numba_impl`, keyed
by op type; `scalar_impl`, keyed by scalar op type for Elemwise and Composite), compiles
it with `numba.njit`, and keeps the compiled code on disk under cache_dir("numba")
(`TENSORGRAFT_CACHE_DIR` overrides the root). `coverage()` lists, for each op of the
catalog, whether it is compiled or runs through a Python callback, and why.
"""

from tensorgraft.compile_numba.__about__ import __version__
from tensorgraft.compile_numba.backend import NumbaBackend, NumbaCallbackWarning, backend
from tensorgraft.compile_numba.codegen import NumbaNotImplementedError
from tensorgraft.compile_numba.coverage import coverage
from tensorgraft.compile_numba.registry import numba_impl, scalar_impl

__all__ = [
    "NumbaBackend",
    "NumbaCallbackWarning",
    "NumbaNotImplementedError",
    "__version__",
    "backend",
    "coverage",
    "numba_impl",
    "scalar_impl",
]
