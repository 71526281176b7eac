"""Graph rewrites for tensorgraft.

This package will provide the rewrite engine (a worklist run to a fixed point, with
merging of identical nodes and of equal constants built in), node rewrites indexed by
the op they track and registered in tagged databases (``canonicalize``, ``stabilize``,
``specialize``, ``fusion``, ``inplace``, ...), ``rewrite_graph(outputs, include=...,
exclude=...)``, the named compile pipelines, and the ``tensorgraft.rewriters`` entry
point that ``tensorgraft.compile.function()`` uses. Not implemented yet.
"""

from tensorgraft.rewrite.__about__ import __version__

__all__ = ["__version__"]
