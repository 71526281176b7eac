"""Which ops of the catalog the jax backend translates, and why not where it does not."""

from __future__ import annotations

TRANSLATED = "translated"


def coverage() -> dict[type, str]:
    """For each op type the catalog uses (scalar op types included): "translated", or the
    reason it is unsupported ("missing: ..." when nothing was declared)."""
    from tensorgraft.compile_jax import rules  # noqa: F401  (fills the tables)
    from tensorgraft.compile_jax.registry import jax_impl, scalar_impl
    from tensorgraft.tensor.catalog import catalog_op_types
    from tensorgraft.tensor.scalar_ops import ScalarOp
    from tensorgraft.tensor.scalar_ops.composite import Composite

    listing: dict[type, str] = {}
    for t in sorted(catalog_op_types(), key=lambda t: (t.__module__, t.__name__)):
        table = scalar_impl if issubclass(t, ScalarOp) else jax_impl
        if t in table or t is Composite:
            listing[t] = TRANSLATED
        else:
            listing[t] = table.unsupported.get(t, "missing: no translation and no reason given")
    return listing
