"""Importing this package fills the numba backend's tables (one module per op family)."""

from tensorgraft.compile_numba.rules import elemwise, scalar  # noqa: F401
