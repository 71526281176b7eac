"""`core_signature` reads an op's own `gufunc_signature` first: core ops that declare one
are batched by Blockwise with it, without a registration in vectorize."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.matmul import Dot
from tensorgraft.tensor.type import TensorType
from tensorgraft.vectorize import vectorize_graph
from tensorgraft.vectorize.core import core_signature


@dataclass(frozen=True)
class RowSums(Op):
    """A third-party core op: the sums of the rows of a matrix, (m,n)->(m)."""

    gufunc_signature: ClassVar[str] = "(m,n)->(m)"

    def make_node(self, a: Any) -> Apply:
        a = tt.as_tensor(a)
        return Apply(self, [a], [TensorType(a.dtype, a.type.shape[:1])()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.asarray(inputs[0].sum(axis=1))]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [input_shapes[0][:1]]


def _blockwise_ops(out: Any) -> list[Blockwise]:
    from tensorgraft.graph.traversal import toposort

    return [n.op for n in toposort([out]) if isinstance(n.op, Blockwise)]


def test_declared_signature_is_used_for_an_unregistered_op() -> None:
    a = tt.matrix("a")
    out = RowSums()(a)
    assert out.owner is not None
    assert core_signature(out.owner.op, out.owner) == "(m,n)->(m)"
    new_a = tt.tensor3("new_a")
    batched = vectorize_graph(out, {a: new_a})
    assert [op.signature for op in _blockwise_ops(batched)] == ["(m,n)->(m)"]
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(function([new_a], batched, mode="python")(x), x.sum(axis=2))


def test_dot_and_linalg_ops_take_their_own_signatures() -> None:
    a, b = tt.matrix("a"), tt.matrix("b")
    node = Dot().make_node(a, b)
    assert core_signature(node.op, node) == Dot.gufunc_signature
    for out in (tt.linalg.inv(a), tt.linalg.svd(a, compute_uv=False), tt.linalg.solve(a, b)):
        assert out.owner is not None
        core = out.owner.op.core_op  # type: ignore[attr-defined]
        assert core_signature(core, out.owner) == core.gufunc_signature


def test_vectorized_bare_dot_is_a_blockwise_matmul() -> None:
    a, b = tt.matrix("a"), tt.matrix("b")
    out = Dot()(a, b)
    new_a = tt.tensor3("new_a")
    batched = vectorize_graph(out, {a: new_a})
    assert [op.signature for op in _blockwise_ops(batched)] == ["(m,k),(k,n)->(m,n)"]
    x, y = np.ones((5, 2, 3)), np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(function([new_a, b], batched, mode="python")(x, y), x @ y)
