"""Matrix products: the core `Dot` op, and `matmul` / `dot` with NumPy's semantics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


class Dot(Op):
    """The product of two matrices, (m, k) x (k, n) -> (m, n)."""

    # The core signature Blockwise batches it with (stacks of matrices).
    gufunc_signature: ClassVar[str] = "(m,k),(k,n)->(m,n)"

    def make_node(self, a: Any, b: Any) -> Apply:
        a, b = as_tensor(a), as_tensor(b)
        if a.ndim != 2 or b.ndim != 2:
            raise ValueError(f"dot takes two matrices, got {describe(a)} and {describe(b)}")
        ka, kb = a.type.shape[1], b.type.shape[0]
        if ka is not None and kb is not None and ka != kb:
            raise ValueError(
                f"dot: {describe(a)} with shape {a.type.shape} and {describe(b)} with shape "
                f"{b.type.shape} are not aligned ({ka} != {kb})"
            )
        dtype = np.result_type(a.dtype, b.dtype).name
        return Apply(self, [a, b], [TensorType(dtype, (a.type.shape[0], b.type.shape[1]))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return self.perform_stacked(node, inputs, 0)

    def perform_stacked(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> list[Any]:
        """Products of whole stacks of matrices (Blockwise's hook): numpy.matmul broadcasts."""
        a, b = inputs
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(
                f"dot: matrices of shapes {a.shape[-2:]} and {b.shape[-2:]} are not aligned"
            )
        return [np.asarray(np.matmul(a, b), dtype=node.outputs[0].type.dtype)]  # type: ignore[attr-defined]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        sa, sb = input_shapes
        return [(sa[0], sb[1])]

    def __str__(self) -> str:
        return "dot"


_matmul = Blockwise(Dot(), Dot.gufunc_signature)


def _drop_axis(x: TensorVariable, axis: int) -> TensorVariable:
    axis %= x.ndim
    return DimShuffle(x.ndim, tuple(a for a in range(x.ndim) if a != axis))(x)


def _expand(x: TensorVariable, order: tuple[int | str, ...]) -> TensorVariable:
    return DimShuffle(x.ndim, order)(x)


def _check_aligned(name: str, a: TensorVariable, b: TensorVariable) -> None:
    # The last axis of `a` against the second-to-last of `b` (its only one for a vector).
    ka, kb = a.type.shape[-1], b.type.shape[-2 if b.ndim > 1 else 0]
    if ka is not None and kb is not None and ka != kb:
        raise ValueError(
            f"{name}: {describe(a)} with shape {a.type.shape} and {describe(b)} with shape "
            f"{b.type.shape} are not aligned ({ka} != {kb})"
        )


def matmul(a: Any, b: Any) -> TensorVariable:
    """Matrix product with NumPy's `@` semantics: stacks of matrices broadcast, a vector
    operand is promoted to a matrix and its axis removed from the result."""
    a, b = as_tensor(a), as_tensor(b)
    for k, t in enumerate((a, b)):
        if t.ndim == 0:
            raise ValueError(f"matmul: operand {k}, {describe(t)}, is a scalar; use * instead")
    _check_aligned("matmul", a, b)
    a2 = _expand(a, ("x", 0)) if a.ndim == 1 else a
    b2 = _expand(b, (0, "x")) if b.ndim == 1 else b
    out: TensorVariable = _matmul(a2, b2)
    if b.ndim == 1:
        out = _drop_axis(out, -1)
    if a.ndim == 1:
        out = _drop_axis(out, -1 if b.ndim == 1 else -2)
    return out


def dot(a: Any, b: Any) -> TensorVariable:
    """numpy.dot: a product over the last axis of `a` and the second-to-last of `b`."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        from tensorgraft.tensor.math import mul

        return mul(a, b)
    _check_aligned("dot", a, b)
    if (b.ndim <= 2 and a.ndim <= 2) or b.ndim == 1:
        return matmul(a, b)
    # a: (I..., k), b: (J..., k, n) -> (I..., J..., n). Give `a` the batch axes J as 1s
    # and a row axis, so matmul's broadcasting puts I before J.
    extra = b.ndim - 2
    order: tuple[int | str, ...] = (*range(a.ndim - 1), *("x",) * extra, "x", a.ndim - 1)
    out: TensorVariable = _matmul(_expand(a, order), b)
    return _drop_axis(out, -2)


__all__ = [
    "Dot",
]
