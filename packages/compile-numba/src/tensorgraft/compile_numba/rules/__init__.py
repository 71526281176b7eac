"""Importing this package fills the numba backend's tables (one module per op family)."""

from tensorgraft.compile_numba.rules import (  # noqa: F401
    along_axis,
    callbacks,
    construction,
    elemwise,
    linalg,
    reduction,
    scalar,
    shape,
    subtensor,
)
