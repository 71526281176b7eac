"""The JAX translations, one module per family of the op catalog; importing fills the tables."""

from tensorgraft.compile_jax.rules import (  # noqa: F401
    elemwise,
    indexing,
    linalg,
    reduction,
    shape,
)
