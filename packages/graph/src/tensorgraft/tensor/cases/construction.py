"""Catalog cases: array constructors, joining and splitting, sorting."""

from __future__ import annotations
