"""Catalog cases: special functions (SciPy references)."""

from __future__ import annotations
