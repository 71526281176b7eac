"""Special functions (SciPy reference): erf, gammaln, sigmoid, softplus, ..."""

from __future__ import annotations

__all__: list[str] = []
