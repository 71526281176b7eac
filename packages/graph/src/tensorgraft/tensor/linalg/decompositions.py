"""Matrix decompositions: cholesky, eigh / eigvalsh, svd, qr (core ops batched by Blockwise).

numpy.linalg computes integer and bool inputs in float64 itself, as make_node says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.linalg._common import (
    batched,
    check_matrix,
    check_square,
    linalg_dtype,
    matrix_input,
    min_dim,
    named_errors,
    real_dtype,
    square_input,
    square_length,
    square_value,
    static_min,
)
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


@dataclass(frozen=True)
class Cholesky(Op):
    """The Cholesky factor of a Hermitian positive-definite matrix: L (lower) or U = L^H."""

    lower: bool = True

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return "(m,m)->(m,m)"

    def make_node(self, a: Any) -> Apply:
        a = as_tensor(a)
        check_matrix("cholesky", a)
        check_square("cholesky", a)
        m = square_length(a)
        dtype = linalg_dtype("cholesky", a)
        return Apply(self, [a], [TensorType(dtype, (m, m))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Cholesky factors of a whole stack (Blockwise's hook)."""
        (a,) = inputs
        square_value("cholesky", a)
        with named_errors("cholesky", node, inputs, batch_ndim, np.linalg.cholesky):
            return [np.linalg.cholesky(a, upper=not self.lower)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        (shape,) = input_shapes
        return [tuple(shape)]


def cholesky(a: Any, lower: bool = True, *, upper: bool | None = None) -> TensorVariable:
    """The Cholesky factor of (a stack of) Hermitian positive-definite matrices.

    `lower=True` gives L with a = L L^H (numpy.linalg.cholesky), else U = L^H
    (scipy.linalg.cholesky's default); NumPy's `upper` overrides `lower` where given.
    Raises LinAlgError at run time if `a` is not positive definite.
    """
    a = square_input("cholesky", a)
    out: TensorVariable = batched(Cholesky(bool(lower) if upper is None else not upper))(a)
    return out


@dataclass(frozen=True)
class Eigh(Op):
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix, from one triangle."""

    lower: bool = True

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return "(m,m)->(m),(m,m)"

    def make_node(self, a: Any) -> Apply:
        a = as_tensor(a)
        check_matrix("eigh", a)
        check_square("eigh", a)
        m = square_length(a)
        dtype = linalg_dtype("eigh", a)
        outputs = [TensorType(real_dtype(dtype), (m,))(), TensorType(dtype, (m, m))()]
        return Apply(self, [a], outputs)

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Eigendecompositions of a whole stack (Blockwise's hook)."""
        (a,) = inputs
        square_value("eigh", a)
        uplo: Literal["L", "U"] = "L" if self.lower else "U"
        with named_errors("eigh", node, inputs, batch_ndim, lambda m: np.linalg.eigh(m, uplo)):
            w, v = np.linalg.eigh(a, UPLO=uplo)
        return [w, v]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        (shape,) = input_shapes
        return [(shape[0],), tuple(shape)]


def _uplo(UPLO: str, lower: bool | None) -> bool:
    """The triangle to read: SciPy's `lower` where given, else NumPy's `UPLO`."""
    if UPLO not in ("L", "U"):
        raise ValueError(f"UPLO must be 'L' or 'U', got {UPLO!r}")
    return UPLO == "L" if lower is None else bool(lower)


def eigh(
    a: Any, UPLO: str = "L", *, lower: bool | None = None
) -> tuple[TensorVariable, TensorVariable]:
    """Eigenvalues (ascending) and eigenvectors of (a stack of) Hermitian matrices.

    Like numpy.linalg.eigh: only the triangle `UPLO` ('L' or 'U') of `a` is read;
    `lower` (scipy.linalg.eigh's name for it) overrides `UPLO` where given.
    """
    a = square_input("eigh", a)
    w, v = batched(Eigh(_uplo(UPLO, lower)))(a)
    return w, v


def eigvalsh(a: Any, UPLO: str = "L", *, lower: bool | None = None) -> TensorVariable:
    """Eigenvalues (ascending) of (a stack of) Hermitian matrices (numpy.linalg.eigvalsh).

    The first output of `eigh`: gradients need the eigenvectors anyway.
    """
    return eigh(a, UPLO, lower=lower)[0]


@dataclass(frozen=True)
class SVD(Op):
    """Singular value decomposition a = U diag(s) Vh, s descending.

    With `compute_uv=False` the only output is s; with `full_matrices` U and Vh are square.
    """

    full_matrices: bool = True
    compute_uv: bool = True

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        if not self.compute_uv:
            return "(m,n)->(k)"
        return "(m,n)->(m,m),(k),(n,n)" if self.full_matrices else "(m,n)->(m,k),(k),(k,n)"

    def make_node(self, a: Any) -> Apply:
        a = as_tensor(a)
        check_matrix("svd", a)
        dtype = linalg_dtype("svd", a)
        m, n = a.type.shape
        k = static_min(m, n)
        s = TensorType(real_dtype(dtype), (k,))()
        if not self.compute_uv:
            return Apply(self, [a], [s])
        u_cols, vh_rows = (m, n) if self.full_matrices else (k, k)
        u, vh = TensorType(dtype, (m, u_cols))(), TensorType(dtype, (vh_rows, n))()
        return Apply(self, [a], [u, s, vh])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Singular value decompositions of a whole stack (Blockwise's hook)."""
        (a,) = inputs
        with named_errors("svd", node, inputs, batch_ndim, np.linalg.svd):
            if not self.compute_uv:
                return [np.linalg.svd(a, compute_uv=False)]
            u, s, vh = np.linalg.svd(a, full_matrices=self.full_matrices)
        return [u, s, vh]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        m, n = input_shapes[0]
        k = min_dim(m, n)
        if not self.compute_uv:
            return [(k,)]
        if self.full_matrices:
            return [(m, m), (k,), (n, n)]
        return [(m, k), (k,), (k, n)]


def svd(
    a: Any, full_matrices: bool = True, compute_uv: bool = True
) -> TensorVariable | tuple[TensorVariable, TensorVariable, TensorVariable]:
    """Singular value decomposition of (a stack of) matrices, like numpy.linalg.svd.

    Returns (U, s, Vh) with a = U @ diag(s) @ Vh, or only s when `compute_uv` is False.
    """
    a = matrix_input("svd", a)
    op = SVD(bool(full_matrices), bool(compute_uv))
    if not compute_uv:
        s: TensorVariable = batched(op)(a)
        return s
    u, s, vh = batched(op)(a)
    return u, s, vh


_QR_MODES = ("reduced", "complete", "r", "raw")


@dataclass(frozen=True)
class QR(Op):
    """QR decomposition a = Q R with numpy.linalg.qr's modes.

    'reduced': Q (m, k), R (k, n) with k = min(m, n); 'complete': Q (m, m), R (m, n);
    'r': R (k, n) only; 'raw': LAPACK's (h, tau), h of shape (n, m).
    """

    mode: str = "reduced"

    def __post_init__(self) -> None:
        if self.mode not in _QR_MODES:
            raise ValueError(f"qr mode must be one of {_QR_MODES}, got {self.mode!r}")

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return _QR_SIGNATURES[self.mode]

    def make_node(self, a: Any) -> Apply:
        a = as_tensor(a)
        check_matrix("qr", a)
        dtype = linalg_dtype("qr", a)
        m, n = a.type.shape
        k = static_min(m, n)
        shapes = {
            "reduced": [(m, k), (k, n)],
            "complete": [(m, m), (m, n)],
            "r": [(k, n)],
            "raw": [(n, m), (k,)],
        }[self.mode]
        return Apply(self, [a], [TensorType(dtype, s)() for s in shapes])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """QR decompositions of a whole stack (Blockwise's hook)."""
        (a,) = inputs
        out = np.linalg.qr(a, mode=self.mode)  # type: ignore[call-overload]
        return [out] if self.mode == "r" else list(out)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        m, n = input_shapes[0]
        k = min_dim(m, n)
        return {
            "reduced": [(m, k), (k, n)],
            "complete": [(m, m), (m, n)],
            "r": [(k, n)],
            "raw": [(n, m), (k,)],
        }[self.mode]


_QR_SIGNATURES = {
    "reduced": "(m,n)->(m,k),(k,n)",
    "complete": "(m,n)->(m,m),(m,n)",
    "r": "(m,n)->(k,n)",
    "raw": "(m,n)->(n,m),(k)",
}


def qr(a: Any, mode: str = "reduced") -> Any:
    """QR decomposition of (a stack of) matrices, like numpy.linalg.qr.

    Returns (Q, R) for modes 'reduced' and 'complete', R for 'r', (h, tau) for 'raw'.
    """
    op = QR(mode)
    return batched(op)(matrix_input("qr", a))
