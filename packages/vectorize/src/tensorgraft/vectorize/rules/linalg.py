"""Linear algebra: the public functions wrap their core ops in Blockwise already (and a
batched Blockwise collapses). Core ops applied bare are batched by Blockwise too."""

from __future__ import annotations

from tensorgraft.tensor.linalg.solvers import Lstsq
from tensorgraft.vectorize.core import use_blockwise

# The length of the residuals depends on the rank: Blockwise raises where it varies.
use_blockwise(Lstsq)
