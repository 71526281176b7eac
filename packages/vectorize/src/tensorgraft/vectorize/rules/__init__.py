"""The vectorize rules, one module per family of the op catalog; importing registers them."""

from tensorgraft.vectorize.rules import (
    blockwise,
    construction,
    elemwise,
    indexing,
    linalg,
    reduction,
    shape,
)

__all__ = ["blockwise", "construction", "elemwise", "indexing", "linalg", "reduction", "shape"]
