"""JAX backend for tensorgraft: the graph becomes one `jax.jit` function.

    from tensorgraft.compile import function
    f = function([x], y, mode="jax")          # the backend registered as "jax"
    f = function([x], y, mode=JaxBackend(return_jax=True))

Translations live in per-op tables (`jax_impl`, `scalar_impl`), one module per op family
under `tensorgraft.compile_jax.rules`; `coverage()` lists, for each op of the catalog,
whether it is translated or why not. See the package README for float64 and for which
values must be known when tracing.
"""

from tensorgraft.compile_jax.__about__ import __version__
from tensorgraft.compile_jax.backend import (
    JaxBackend,
    JaxNotImplementedError,
    JaxUntraceableError,
    backend,
)
from tensorgraft.compile_jax.coverage import coverage
from tensorgraft.compile_jax.registry import jax_impl, scalar_impl

__all__ = [
    "JaxBackend",
    "JaxNotImplementedError",
    "JaxUntraceableError",
    "__version__",
    "backend",
    "coverage",
    "jax_impl",
    "scalar_impl",
]
