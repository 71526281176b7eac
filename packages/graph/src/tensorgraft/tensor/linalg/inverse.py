"""Inverses and determinants: inv, pinv, det, slogdet, and matrix_power built on them."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.linalg._common import (
    batched,
    check_matrix,
    check_square,
    linalg_dtype,
    matrix_input,
    named_errors,
    real_dtype,
    square_input,
    square_length,
    square_value,
)
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


@dataclass(frozen=True)
class MatrixInverse(Op):
    """The inverse of a square matrix."""

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return "(m,m)->(m,m)"

    def make_node(self, a: Any) -> Apply:
        a = as_tensor(a)
        check_matrix("inv", a)
        check_square("inv", a)
        m = square_length(a)
        return Apply(self, [a], [TensorType(linalg_dtype("inv", a), (m, m))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """The inverses of a whole stack (Blockwise's hook): numpy.linalg.inv broadcasts."""
        square_value("inv", inputs[0])
        with named_errors("inv", node, inputs, batch_ndim, np.linalg.inv):
            return [np.linalg.inv(inputs[0])]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(input_shapes[0])]


def inv(a: Any) -> TensorVariable:
    """The inverse of (a stack of) square matrices (numpy.linalg.inv).

    Raises LinAlgError at run time for a singular matrix.
    """
    out: TensorVariable = batched(MatrixInverse())(square_input("inv", a))
    return out


@dataclass(frozen=True)
class Pinv(Op):
    """The Moore-Penrose pseudo-inverse of a matrix, (m, n) -> (n, m).

    `hermitian` lets NumPy use an eigendecomposition of a Hermitian `a`; singular values
    up to `rcond` times the largest count as zero (None: NumPy's default, 1e-15).
    """

    hermitian: bool = False
    rcond: float | None = None

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return "(m,n)->(n,m)"

    def make_node(self, a: Any) -> Apply:
        a = as_tensor(a)
        check_matrix("pinv", a)
        if self.hermitian:
            check_square("pinv", a)
        m, n = a.type.shape
        return Apply(self, [a], [TensorType(linalg_dtype("pinv", a), (n, m))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Pseudo-inverses of a whole stack (Blockwise's hook)."""
        rcond = 1e-15 if self.rcond is None else self.rcond
        with named_errors("pinv", node, inputs, batch_ndim, np.linalg.pinv):
            return [np.linalg.pinv(inputs[0], rcond=rcond, hermitian=self.hermitian)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        m, n = input_shapes[0]
        return [(n, m)]


def pinv(a: Any, rcond: float | None = None, hermitian: bool = False) -> TensorVariable:
    """The pseudo-inverse of (a stack of) matrices (numpy.linalg.pinv).

    Singular values up to `rcond` times the largest one are dropped (None: NumPy's
    default cutoff, 1e-15); `hermitian` says `a` is Hermitian.
    """
    a = square_input("pinv", a) if hermitian else matrix_input("pinv", a)
    op = Pinv(bool(hermitian), None if rcond is None else float(rcond))
    out: TensorVariable = batched(op)(a)
    return out


@dataclass(frozen=True)
class Det(Op):
    """The determinant of a square matrix."""

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return "(m,m)->()"

    def make_node(self, a: Any) -> Apply:
        a = as_tensor(a)
        check_matrix("det", a)
        check_square("det", a)
        return Apply(self, [a], [TensorType(linalg_dtype("det", a), ())()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Determinants of a whole stack (Blockwise's hook)."""
        square_value("det", inputs[0])
        return [np.asarray(np.linalg.det(inputs[0]))]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [()]


def det(a: Any) -> TensorVariable:
    """The determinant of (a stack of) square matrices (numpy.linalg.det)."""
    out: TensorVariable = batched(Det())(square_input("det", a))
    return out


@dataclass(frozen=True)
class SlogDet(Op):
    """Sign (a unit complex number for complex input) and log |det| of a square matrix."""

    @property
    def gufunc_signature(self) -> str:
        """The core signature Blockwise batches this op with."""
        return "(m,m)->(),()"

    def make_node(self, a: Any) -> Apply:
        a = as_tensor(a)
        check_matrix("slogdet", a)
        check_square("slogdet", a)
        dtype = linalg_dtype("slogdet", a)
        return Apply(self, [a], [TensorType(dtype, ())(), TensorType(real_dtype(dtype), ())()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Signs and log-determinants of a whole stack (Blockwise's hook)."""
        square_value("slogdet", inputs[0])
        sign, logabsdet = np.linalg.slogdet(inputs[0])
        return [np.asarray(sign), np.asarray(logabsdet)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [(), ()]


def slogdet(a: Any) -> tuple[TensorVariable, TensorVariable]:
    """(sign, log |det|) of (a stack of) square matrices (numpy.linalg.slogdet).

    det = sign * exp(logabsdet), without overflow; a singular matrix gives (0, -inf).
    """
    sign, logabsdet = batched(SlogDet())(square_input("slogdet", a))
    return sign, logabsdet


def matrix_power(a: Any, n: int) -> TensorVariable:
    """`a` (a stack of square matrices) to the static integer power `n`.

    Like numpy.linalg.matrix_power: repeated squaring with matmul; a negative `n`
    inverts first; n = 0 gives identity matrices of `a`'s dtype.
    """
    from tensorgraft.tensor.matmul import matmul

    a = as_tensor(a)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"matrix_power: the exponent must be a Python int, got {n!r}") from None
    if a.ndim < 2:
        raise ValueError(f"matrix_power takes (a stack of) square matrices, got {describe(a)}")
    check_square("matrix_power", a)
    if n == 0:
        return _identity_like(a)
    if n < 0:
        a, n = inv(a), -n
    result: TensorVariable | None = None
    power = a
    while True:
        if n & 1:
            result = power if result is None else matmul(result, power)
        n >>= 1
        if not n:
            break
        power = matmul(power, power)
    assert result is not None
    return result


def _identity_like(a: TensorVariable) -> TensorVariable:
    """Identity matrices with the shape and dtype of the stack `a`."""
    from tensorgraft.tensor.construction import broadcast_to, eye
    from tensorgraft.tensor.shape import shape_tuple

    shape = shape_tuple(a)
    return broadcast_to(eye(shape[-1], dtype=a.dtype), shape)
