"""Building arrays: zeros, ones, full, alloc, arange, linspace, eye, concatenate, stack, ..."""

from __future__ import annotations

__all__: list[str] = []
