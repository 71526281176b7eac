"""Softmax, log-softmax and logsumexp along axes."""

from __future__ import annotations

__all__: list[str] = []
