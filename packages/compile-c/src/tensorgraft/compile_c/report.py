"""What a compiled function runs as C and what calls back Python."""

from __future__ import annotations

from typing import Any


def compile_report(fn: Any) -> list[tuple[str, str]]:
    """(node, "C" or "python callback") for each node of a `Function` compiled with mode="c".

    The nodes are printed as `str(op)`, in execution order.
    """
    report = fn.report
    if report is None:
        raise TypeError(f"{fn!r} was not compiled by the c backend")
    return [(str(node.op), how) for node, how in report]
