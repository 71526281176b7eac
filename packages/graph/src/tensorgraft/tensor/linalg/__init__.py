"""Linear algebra: decompositions and solvers (`tt.linalg.cholesky`, ...), batched by Blockwise."""

from __future__ import annotations

__all__: list[str] = []
