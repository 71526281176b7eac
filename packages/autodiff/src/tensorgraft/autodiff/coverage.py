"""Which ops autodiff handles, and how: the coverage check every stage exposes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tensorgraft.autodiff.matmul import core_rules
from tensorgraft.autodiff.registry import (
    _lookup,
    no_gradient_reason,
    pullback_rule,
    pushforward_rule,
    scalar_rule,
)
from tensorgraft.tensor.scalar_ops.basic import ScalarOp
from tensorgraft.tensor.scalar_ops.composite import Composite


@dataclass(frozen=True)
class Coverage:
    """How autodiff differentiates one op type.

    Attributes:
        pullback: "rule", "scalar rule" (inside Elemwise), "core rule" (inside
            Blockwise), "scalar graph" (Composite), or None.
        pushforward: "rule", "scalar rule", "transposed pullback", or None.
        reason: why the op has no gradient (declared disconnected or not implemented).
    """

    pullback: str | None
    pushforward: str | None
    reason: str | None

    @property
    def handled(self) -> bool:
        """A rule, or a declared reason for having none."""
        return self.pullback is not None or self.reason is not None


def coverage_of(op_type: type) -> Coverage:
    """How autodiff handles `op_type` (an Op or scalar op type)."""
    reason = no_gradient_reason(op_type)
    if issubclass(op_type, Composite):
        return Coverage("scalar graph", "scalar graph", reason)
    if issubclass(op_type, ScalarOp):
        has = scalar_rule(op_type) is not None
        return Coverage("scalar rule" if has else None, "scalar rule" if has else None, reason)
    if pullback_rule(op_type) is not None:
        forward = "rule" if pushforward_rule(op_type) is not None else "transposed pullback"
        return Coverage("rule", forward, reason)
    if _lookup(core_rules, op_type) is not None:
        return Coverage("core rule", "transposed pullback", reason)
    return Coverage(None, None, reason)


def coverage(op_types: Iterable[type]) -> dict[type, Coverage]:
    """`coverage_of` for each op type (e.g. `catalog_op_types()`)."""
    return {t: coverage_of(t) for t in op_types}
