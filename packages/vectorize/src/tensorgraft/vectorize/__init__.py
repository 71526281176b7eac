"""Vectorization (batching) of tensorgraft graphs.

This package will provide ``vectorize_graph`` and the per-op batching rules
(``vectorize_node``, registered per op type) that turn a graph over core inputs into a
graph over inputs with extra leading batch dimensions. Not implemented yet.
"""

from tensorgraft.vectorize.__about__ import __version__

__all__ = ["__version__"]
