"""Tensor products: tensordot, outer, vdot, einsum, kron."""

from __future__ import annotations

__all__: list[str] = []
