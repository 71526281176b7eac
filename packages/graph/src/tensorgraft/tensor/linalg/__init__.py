"""Linear algebra: decompositions and solvers (`tt.linalg.cholesky`, ...), batched by Blockwise.

Each decomposition or solver is a core op on matrices (`Cholesky(lower)`, `Solve(...)`,
...) with a NumPy/SciPy `perform`; the public function wraps it in
`Blockwise(core_op, signature)` so stacks of matrices broadcast like in numpy.linalg.
Integer and bool inputs compute in float64, float32 and complex dtypes are kept, and
float16 is rejected as numpy.linalg does. `norm` and `matrix_power` are graphs of other
ops.
"""

from __future__ import annotations

from tensorgraft.tensor.linalg.decompositions import (
    QR,
    SVD,
    Cholesky,
    Eigh,
    cholesky,
    eigh,
    eigvalsh,
    qr,
    svd,
)
from tensorgraft.tensor.linalg.inverse import (
    Det,
    MatrixInverse,
    Pinv,
    SlogDet,
    det,
    inv,
    matrix_power,
    pinv,
    slogdet,
)
from tensorgraft.tensor.linalg.norm import norm
from tensorgraft.tensor.linalg.solvers import (
    CholeskySolve,
    Lstsq,
    Solve,
    SolveTriangular,
    cho_solve,
    lstsq,
    solve,
    solve_triangular,
)

__all__ = [
    "QR",
    "SVD",
    "Cholesky",
    "CholeskySolve",
    "Det",
    "Eigh",
    "Lstsq",
    "MatrixInverse",
    "Pinv",
    "SlogDet",
    "Solve",
    "SolveTriangular",
    "cho_solve",
    "cholesky",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "lstsq",
    "matrix_power",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_triangular",
    "svd",
]
