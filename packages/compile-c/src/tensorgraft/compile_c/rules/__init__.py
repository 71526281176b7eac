"""C rules by op family (importing this package fills `registry.NODE_RULES`)."""

from tensorgraft.compile_c.rules import (  # noqa: F401
    construction,
    elemwise,
    indexing,
    lapack,
    linalg,
    reduction,
    shape,
    sort,
    subtensor,
)
