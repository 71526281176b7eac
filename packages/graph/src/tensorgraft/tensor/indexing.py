"""Advanced (integer and boolean array) indexing, set/inc-subtensor, take."""

from __future__ import annotations

__all__: list[str] = []
