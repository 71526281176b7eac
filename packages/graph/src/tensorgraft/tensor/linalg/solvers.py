"""Linear solvers: solve, solve_triangular, cho_solve (batched by Blockwise) and lstsq.

`b_ndim` (1 or 2) says whether the core right-hand side is a vector (m,) or a matrix
(m, k). As in numpy.linalg.solve, a `b` of one dimension is a vector and anything else a
(stack of) matrices, unless `b_ndim` is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.linalg._common import (
    batched,
    check_matrix,
    check_rhs,
    check_square,
    linalg_dtype,
    min_dim,
    named_errors,
    real_dtype,
    square_input,
    square_length,
    square_value,
    static_min,
)
from tensorgraft.tensor.shape import shape_entry_variable
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


def _solve_node(op: Op, name: str, b_ndim: int, a: Any, b: Any) -> Apply:
    """The node of a solver of a x = b: a square (m, m), b (m,) or (m, k); x like b."""
    a, b = as_tensor(a), as_tensor(b)
    check_matrix(name, a)
    check_matrix(name, b, b_ndim)
    check_square(name, a)
    check_rhs(name, a, b, b_ndim)
    m = square_length(a)
    rows = m if m is not None else b.type.shape[0]
    dtype = linalg_dtype(name, a, b)
    return Apply(op, [a, b], [TensorType(dtype, (rows, *b.type.shape[1:]))()])


def _check_rows(name: str, a: np.ndarray, b: np.ndarray, b_ndim: int) -> None:
    """Raise unless the (stacks of) square `a` and right-hand sides `b` have equal rows."""
    square_value(name, a)
    if a.shape[-1] != b.shape[-b_ndim]:
        raise ValueError(
            f"{name}: a matrix of shape {a.shape[-2:]} and b of shape {b.shape[-b_ndim:]} differ"
        )


def _solve_stack(
    name: str,
    core: Callable[[np.ndarray, np.ndarray], np.ndarray],
    node: Apply,
    inputs: Sequence[Any],
    batch_ndim: int,
    broadcasts: bool,
) -> list[Any]:
    """x for a stack of a x = b: `core` once where it `broadcasts`, else per matrix.

    Inputs are cast to the output dtype first; LinAlgError names the matrix at fault.
    """
    a, b = inputs
    b_ndim = np.ndim(b) - batch_ndim
    _check_rows(name, a, b, b_ndim)
    dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
    a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    with named_errors(name, node, [a, b], batch_ndim, core):
        if broadcasts or batch_ndim == 0:
            return [np.asarray(core(a, b), dtype=dtype)]
        batch = np.broadcast_shapes(a.shape[:batch_ndim], b.shape[:batch_ndim])
        a = np.broadcast_to(a, batch + a.shape[batch_ndim:])
        b = np.broadcast_to(b, batch + b.shape[batch_ndim:])
        x = np.empty(b.shape, dtype=dtype)
        for idx in np.ndindex(*batch):
            x[idx] = core(a[idx], b[idx])
        return [x]


def _b_ndim(b_ndim: int | None, b: Variable) -> int:
    if b_ndim is None:
        return 1 if b.type.ndim == 1 else 2  # type: ignore[attr-defined]
    if b_ndim not in (1, 2):
        raise ValueError(f"b_ndim must be 1 or 2, got {b_ndim!r}")
    return b_ndim


def _signature(b_ndim: int) -> str:
    return "(m,m),(m)->(m)" if b_ndim == 1 else "(m,m),(m,k)->(m,k)"


_ASSUME_A = ("gen", "sym", "her", "pos")
# SciPy's long names; None (SciPy: detect the structure) solves as a general matrix.
_ASSUME_A_NAMES = {
    None: "gen",
    "general": "gen",
    "symmetric": "sym",
    "hermitian": "her",
    "positive definite": "pos",
}


@dataclass(frozen=True)
class Solve(Op):
    """x with a x = b for a square a; `assume_a` ('gen', 'sym', 'her', 'pos') picks the
    LAPACK routine as in scipy.linalg.solve, reading the triangle `lower` of a.

    A general `a` is solved by numpy.linalg.solve (LU, as SciPy's), which takes whole
    stacks at once; unlike SciPy it does not warn about ill-conditioned matrices.
    """

    assume_a: str = "gen"
    lower: bool = False
    b_ndim: int = 2

    def __post_init__(self) -> None:
        if self.assume_a not in _ASSUME_A:
            raise ValueError(f"assume_a must be one of {_ASSUME_A}, got {self.assume_a!r}")

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return _signature(self.b_ndim)

    def make_node(self, a: Any, b: Any) -> Apply:
        return _solve_node(self, "solve", self.b_ndim, a, b)

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Solutions for a whole stack (Blockwise's hook). numpy.linalg.solve broadcasts
        a general `a`; SciPy's structured solvers go matrix by matrix."""
        return _solve_stack("solve", self._core, node, inputs, batch_ndim, self.assume_a == "gen")

    def _core(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if self.assume_a == "gen":
            # numpy takes b as a vector only when it has one dimension in all.
            return (
                np.linalg.solve(a, b[..., None])[..., 0]
                if self.b_ndim == 1
                else np.linalg.solve(a, b)
            )
        import scipy.linalg  # on first use: importing it costs ~0.3 s

        return scipy.linalg.solve(a, b, assume_a=self.assume_a, lower=self.lower)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(input_shapes[1])]


def solve(
    a: Any,
    b: Any,
    assume_a: str | None = "gen",
    lower: bool = False,
    b_ndim: int | None = None,
) -> TensorVariable:
    """Solve a x = b for x (scipy.linalg.solve), over stacks like numpy.linalg.solve.

    `assume_a`: 'gen' (LU), 'sym', 'her' or 'pos' (Cholesky), or SciPy's long names for
    them; the symmetric kinds read only the triangle `lower` of `a`. Raises LinAlgError
    at run time for a singular `a`.
    """
    if isinstance(assume_a, str | None) and assume_a in _ASSUME_A_NAMES:
        assume_a = _ASSUME_A_NAMES[assume_a]
    a, b = square_input("solve", a), as_tensor(b)
    nd = _b_ndim(b_ndim, b)
    check_rhs("solve", a, b, nd)
    out: TensorVariable = batched(Solve(str(assume_a), bool(lower), nd))(a, b)
    return out


_TRANS = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}


@dataclass(frozen=True)
class SolveTriangular(Op):
    """x with op(a) x = b for a triangular a; op is a, a^T or a^H for `trans` 0, 1, 2."""

    lower: bool = False
    trans: int = 0
    unit_diagonal: bool = False
    b_ndim: int = 2

    def __post_init__(self) -> None:
        if self.trans not in (0, 1, 2):
            raise ValueError(f"SolveTriangular: trans must be 0, 1 or 2, got {self.trans!r}")

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return _signature(self.b_ndim)

    def make_node(self, a: Any, b: Any) -> Apply:
        return _solve_node(self, "solve_triangular", self.b_ndim, a, b)

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Solutions for a whole stack (Blockwise's hook), matrix by matrix (SciPy's
        solve_triangular does not broadcast)."""
        return _solve_stack("solve_triangular", self._core, node, inputs, batch_ndim, False)

    def _core(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        import scipy.linalg  # on first use: importing it costs ~0.3 s

        return scipy.linalg.solve_triangular(
            a, b, trans=self.trans, lower=self.lower, unit_diagonal=self.unit_diagonal
        )

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(input_shapes[1])]


def solve_triangular(
    a: Any,
    b: Any,
    lower: bool = False,
    trans: int | str = 0,
    unit_diagonal: bool = False,
    b_ndim: int | None = None,
) -> TensorVariable:
    """Solve op(a) x = b for a triangular `a` (scipy.linalg.solve_triangular), over stacks.

    `trans`: 0/'N' solves a x = b, 1/'T' a^T x = b, 2/'C' a^H x = b. Only the triangle
    `lower` of `a` is read; `unit_diagonal` takes its diagonal as ones.
    """
    if trans not in _TRANS:
        raise ValueError(f"trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    a, b = square_input("solve_triangular", a), as_tensor(b)
    nd = _b_ndim(b_ndim, b)
    check_rhs("solve_triangular", a, b, nd)
    op = SolveTriangular(bool(lower), _TRANS[trans], bool(unit_diagonal), nd)
    out: TensorVariable = batched(op)(a, b)
    return out


@dataclass(frozen=True)
class CholeskySolve(Op):
    """x with a x = b, given the Cholesky factor c of a (lower or upper triangular)."""

    lower: bool = False
    b_ndim: int = 2

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return _signature(self.b_ndim)

    def make_node(self, c: Any, b: Any) -> Apply:
        return _solve_node(self, "cho_solve", self.b_ndim, c, b)

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Solutions for a whole stack (Blockwise's hook), matrix by matrix (SciPy's
        cho_solve does not broadcast)."""
        return _solve_stack("cho_solve", self._core, node, inputs, batch_ndim, False)

    def _core(self, c: np.ndarray, b: np.ndarray) -> np.ndarray:
        import scipy.linalg  # on first use: importing it costs ~0.3 s

        return scipy.linalg.cho_solve((c, self.lower), b)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(input_shapes[1])]


def cho_solve(c_and_lower: tuple[Any, bool], b: Any, b_ndim: int | None = None) -> TensorVariable:
    """Solve a x = b from a's Cholesky factor: `cho_solve((c, lower), b)` as in SciPy."""
    c, lower = c_and_lower
    c, b = square_input("cho_solve", c), as_tensor(b)
    nd = _b_ndim(b_ndim, b)
    check_rhs("cho_solve", c, b, nd)
    out: TensorVariable = batched(CholeskySolve(bool(lower), nd))(c, b)
    return out


@dataclass(frozen=True)
class Lstsq(Op):
    """numpy.linalg.lstsq of a (m, n) and b (m,) or (m, k): (x, residuals, rank, s).

    `rcond` is the cutoff for small singular values (None: NumPy's default). The length
    of residuals depends on the values (0 unless rank == n < m), so it is not batched.
    """

    rcond: float | None = None
    b_ndim: int = 2

    def make_node(self, a: Any, b: Any) -> Apply:
        a, b = as_tensor(a), as_tensor(b)
        check_matrix("lstsq", a)
        check_matrix("lstsq", b, self.b_ndim)
        m, n = a.type.shape
        if m is not None and b.type.shape[0] is not None and m != b.type.shape[0]:
            raise ValueError(
                f"lstsq: {describe(a)} with shape {a.type.shape} and {describe(b)} with shape "
                f"{b.type.shape} do not match ({m} != {b.type.shape[0]} rows of a and b)"
            )
        dtype = linalg_dtype("lstsq", a, b)
        real = real_dtype(dtype)
        x = TensorType(dtype, (n, *b.type.shape[1:]))()
        residuals = TensorType(real, (None,))()
        rank = TensorType("int32", ())()
        s = TensorType(real, (static_min(m, n),))()
        return Apply(self, [a, b], [x, residuals, rank, s])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        a, b = inputs
        if a.shape[0] != b.shape[0]:
            raise ValueError(f"lstsq: a matrix of shape {a.shape} and b of shape {b.shape} differ")
        x, residuals, rank, s = np.linalg.lstsq(a, b, rcond=self.rcond)
        return [x, residuals, np.asarray(rank, dtype="int32"), s]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        from tensorgraft.tensor.math import cast, eq, gt, switch

        (m, n), b_shape = input_shapes
        k = shape_entry_variable(b_shape[1] if self.b_ndim == 2 else 1)
        # One residual per column of b when a has full column rank n < m, else none.
        if isinstance(m, int) and isinstance(n, int) and m <= n:
            residuals_len: Any = 0
        else:
            m_v, n_v = shape_entry_variable(m), shape_entry_variable(n)
            full_rank = eq(cast(node.outputs[2], "int64"), n_v)
            residuals_len = switch(full_rank, switch(gt(m_v, n_v), k, 0), 0)
        return [(n, *b_shape[1:]), (residuals_len,), (), (min_dim(m, n),)]


def lstsq(a: Any, b: Any, rcond: float | None = None) -> list[TensorVariable]:
    """Least-squares solution of a x = b (numpy.linalg.lstsq): [x, residuals, rank, s].

    `a` is a matrix (m, n) and `b` a vector (m,) or matrix (m, k), as in NumPy (no stacks:
    the length of residuals depends on the values). residuals holds the squared residual
    norm of each column of b where rank == n < m and is empty otherwise.
    """
    b = as_tensor(b)
    op = Lstsq(None if rcond is None else float(rcond), 1 if b.ndim == 1 else 2)
    out: list[TensorVariable] = op(a, b)
    return out
