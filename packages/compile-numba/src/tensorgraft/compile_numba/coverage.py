"""Which ops of the catalog the numba backend compiles, and why not where it does not."""

from __future__ import annotations

COMPILED = "compiled"
CALLBACK = "python callback"
MISSING = "missing: no numba implementation and no declared reason"


def coverage() -> dict[type, str]:
    """For each op type the catalog uses (scalar op types included): "compiled", or
    "python callback: <reason>" (a node of that type runs its `perform` in objmode), or
    "missing: ..." where neither a template nor a reason was given (a test fails then).

    A scalar op type counts as compiled when its rule gives code for the dtypes some
    catalog case uses it with (float64 is tried first).
    """
    from tensorgraft.compile_numba import rules  # noqa: F401  (fills the tables)
    from tensorgraft.compile_numba.codegen import Context
    from tensorgraft.compile_numba.registry import numba_impl, scalar_impl
    from tensorgraft.compile_numba.rules.elemwise import scalar_code
    from tensorgraft.tensor.catalog import catalog_op_types, catalog_scalar_ops
    from tensorgraft.tensor.scalar_ops import ScalarOp
    from tensorgraft.tensor.scalar_ops.composite import Composite

    samples: dict[type, list[ScalarOp]] = {}
    for op in catalog_scalar_ops():
        samples.setdefault(type(op), []).append(op)
    listing: dict[type, str] = {}
    for t in sorted(catalog_op_types(), key=lambda t: (t.__module__, t.__name__)):
        if t is Composite:
            listing[t] = COMPILED  # a loop over its inner scalar ops
        elif issubclass(t, ScalarOp):
            listing[t] = _scalar_status(t, samples.get(t, []), scalar_impl, scalar_code, Context)
        elif numba_impl.lookup(t) is not None:
            listing[t] = COMPILED
        elif numba_impl.reason(t) is not None:
            listing[t] = f"{CALLBACK}: {numba_impl.reason(t)}"
        else:
            listing[t] = MISSING
    return listing


def _scalar_status(t, ops, table, scalar_code, Context) -> str:
    if table.lookup(t) is None:
        return f"{CALLBACK}: {table.reason(t)}" if table.reason(t) else MISSING
    reason = "no catalog case to try it on"
    for op in ops:
        for dtype in ("float64", "int64", "bool", "complex128"):
            dtypes = [dtype] * (op.nin if op.nin > 0 else 2)
            try:
                op.output_dtypes(*dtypes)
            except (TypeError, ValueError):
                continue
            names = [f"x{k}" for k in range(len(dtypes))]
            result = scalar_code(Context(), op, names, dtypes)
            if not isinstance(result, str):
                return COMPILED
            reason = result
    return f"{CALLBACK}: {table.reason(t) or reason}"
