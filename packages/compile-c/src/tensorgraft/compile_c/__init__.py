"""C backend for tensorgraft: `function(..., mode="c")`.

The whole rewritten graph becomes one C function of a CPython extension module (NumPy C
API), built with the system C compiler and cached on disk under
``$TENSORGRAFT_CACHE_DIR/c``. Elementwise nodes (fused Composites included) and
reductions are loops, indexing and shape ops are views or NumPy C API calls, matrix
products and linear algebra call SciPy's BLAS / LAPACK; a node without a C rule calls
back its op's Python `perform`, and `compile_report(fn)` lists which ones do
(`coverage.format_coverage()` lists every catalog op).
"""

from tensorgraft.compile_c.__about__ import __version__
from tensorgraft.compile_c.linker import CBackend, DeferredC, backend, link_many
from tensorgraft.compile_c.report import compile_report

__all__ = ["CBackend", "DeferredC", "__version__", "backend", "compile_report", "link_many"]
