"""Cumulative reductions along an axis: cumsum, cumprod."""

from __future__ import annotations

__all__: list[str] = []
