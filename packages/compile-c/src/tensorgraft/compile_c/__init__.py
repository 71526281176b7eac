"""C backend for tensorgraft.

This package will provide the ``c`` backend: C source for each op and scalar expression,
fused elementwise loops, reductions and BLAS calls, built with the system C compiler into
a CPython extension and cached on disk under ``TENSORGRAFT_CACHE_DIR``. It registers no
``tensorgraft.backends`` entry point until it works. Not implemented yet.
"""

from tensorgraft.compile_c.__about__ import __version__

__all__ = ["__version__"]
