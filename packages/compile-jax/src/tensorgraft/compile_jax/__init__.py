"""JAX backend for tensorgraft.

This package will provide the ``jax`` backend: per-op translations to ``jax.numpy`` and
``lax`` (``jax_impl``, registered per op type), jitted with ``jax.jit`` and float64
enabled. It registers no ``tensorgraft.backends`` entry point until it works. Not
implemented yet.
"""

from tensorgraft.compile_jax.__about__ import __version__

__all__ = ["__version__"]
