"""Vectorization (batching) of tensorgraft graphs.

`vectorize_graph(outputs, {core_input: batched_input})` rewrites a graph written for core
shapes into one over inputs with extra leading batch dimensions; `vectorize(fn,
signature)` does it for a Python function, like `numpy.vectorize` or `jax.vmap`. The
batching rules live in a table keyed by op type, `vectorize_node`, filled per family in
`tensorgraft.vectorize.rules`; ops without a rule are batched by `Blockwise`.
"""

import tensorgraft.vectorize.rules as _rules  # noqa: F401 - registers the rules
from tensorgraft.vectorize.__about__ import __version__
from tensorgraft.vectorize.core import (
    blockwise_rule,
    core_signature,
    use_blockwise,
    vectorize_graph,
    vectorize_node,
    vectorize_rule_of,
)
from tensorgraft.vectorize.coverage import catalog_coverage, how_vectorized
from tensorgraft.vectorize.function import vectorize

__all__ = [
    "__version__",
    "blockwise_rule",
    "catalog_coverage",
    "core_signature",
    "how_vectorized",
    "use_blockwise",
    "vectorize",
    "vectorize_graph",
    "vectorize_node",
    "vectorize_rule_of",
]
