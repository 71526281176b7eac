"""Importing this package fills the numba backend's tables (one module per op family)."""

from tensorgraft.compile_numba.rules import (  # noqa: F401
    advanced,
    along_axis,
    blockwise,
    callbacks,
    construction,
    elemwise,
    linalg,
    reduction,
    scalar,
    shape,
    sort,
    special,
    subtensor,
)
