"""Which catalog ops run as C and which call back their Python `perform`."""

from __future__ import annotations

C = "C"
CALLBACK = "python callback"
# Op types whose C rule handles some of their nodes only: what it covers.
PARTIAL = {
    "Blockwise": "C for Dot cores (stacked matrix products) and the LAPACK cores "
    "(Cholesky, Det, SlogDet, MatrixInverse, Solve, SolveTriangular, CholeskySolve, Eigh, "
    "SVD, QR), else python callback",
    "Solve": "C for assume_a='gen' (LAPACK gesv), else python callback",
}


# Op types (by name) whose nodes call back on purpose, and why ("python callback: why").
_NO_LAPACK_YET = "no C rule yet; perform runs NumPy's LAPACK driver ({})"
CALLBACK_REASONS = {
    "Lstsq": _NO_LAPACK_YET.format("gelsd"),
    "Pinv": _NO_LAPACK_YET.format("gesdd, then a product"),
}


def _overrides(cls: type, name: str, base: type) -> bool:
    return getattr(cls, name, None) is not getattr(base, name, None)


def coverage() -> dict[type, str]:
    """For each op type the catalog uses (scalar op types included): "C", "python
    callback" (followed by ": <reason>" where it is on purpose), or "missing: ..." for an
    op that has neither a C rule nor a `perform`.

    A scalar op listed "python callback" makes its whole Elemwise node call back.
    """
    from tensorgraft.compile_c import codegen  # noqa: F401  (fills the table)
    from tensorgraft.compile_c.registry import NODE_RULES
    from tensorgraft.compile_c.scalar import CALLBACK_REASONS as SCALAR_REASONS
    from tensorgraft.compile_c.scalar import PARAM_RULES, RULES
    from tensorgraft.graph.op import Op
    from tensorgraft.tensor.catalog import catalog_op_types
    from tensorgraft.tensor.scalar_ops import ScalarOp

    listing: dict[type, str] = {}
    for t in sorted(catalog_op_types(), key=lambda t: (t.__module__, t.__name__)):
        if issubclass(t, ScalarOp):
            covered = t in RULES or t in PARAM_RULES or _scalar_special(t)
            runs = _overrides(t, "impl", ScalarOp)
        else:
            covered = t in NODE_RULES
            runs = _overrides(t, "perform", Op)
        if covered and t.__name__ in PARTIAL:
            listing[t] = PARTIAL[t.__name__]
        elif covered:
            listing[t] = C
        elif runs:
            reason = SCALAR_REASONS.get(t) or CALLBACK_REASONS.get(t.__name__)
            listing[t] = f"{CALLBACK}: {reason}" if reason else CALLBACK
        else:
            listing[t] = "missing: no C rule and no Python perform"
    return listing


def _scalar_special(t: type) -> bool:
    from tensorgraft.tensor import scalar_ops as ts

    return issubclass(t, ts.Cast | type(ts.switch) | ts.Real | ts.Conj | ts.Imag | ts.Composite)


def format_coverage() -> str:
    """The coverage listing as text, one op type a line, grouped by outcome."""
    lines = []
    for t, how in sorted(coverage().items(), key=lambda kv: (kv[1], kv[0].__name__)):
        lines.append(f"{t.__name__:24} {how}")
    return "\n".join(lines)
