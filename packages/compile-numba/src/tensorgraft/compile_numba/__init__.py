"""Numba backend for tensorgraft.

This package will provide the ``numba`` backend: per-op jittable implementations
(``numba_impl``, registered per op type) assembled into one Python function for the whole
graph, ``njit``-ed with an on-disk cache under ``TENSORGRAFT_CACHE_DIR``. It registers no
``tensorgraft.backends`` entry point until it works. Not implemented yet.
"""

from tensorgraft.compile_numba.__about__ import __version__

__all__ = ["__version__"]
