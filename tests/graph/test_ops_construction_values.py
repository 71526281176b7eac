"""Shapes that depend on input *values* (arange(n), zeros(n), repeat by counts, reshape by a
shape vector holding -1): NumPy's results, and `infer_shape` computing the same shapes.

The catalog derives its symbolic sizes from input lengths (so static shapes follow input
shapes); these cases take the sizes as values instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor.catalog import assert_matches


def i64(v: int) -> np.ndarray:
    return np.asarray(v, dtype="int64")


n, a = tt.scalar("n", dtype="int64"), tt.scalar("a", dtype="int32")
b = tt.scalar("b", dtype="float32")
x, c = tt.matrix("x"), tt.vector("c", dtype="int64")
s = tt.vector("s", dtype="int16")

# (inputs, outputs builder, NumPy reference, input values)
CASES: dict[str, tuple[list[Variable], Callable[[], Any], Callable[..., Any], list[Any]]] = {
    "arange": (
        [n, a, b],
        lambda: [tt.arange(n), tt.arange(a, n, 2), tt.arange(n, a, -3), tt.arange(b, n)],
        lambda n, a, b: [
            np.arange(n),
            np.arange(a, n, 2),
            np.arange(n, a, -3),
            np.arange(b, n),
        ],
        [i64(7), np.asarray(-2, "int32"), np.asarray(2.3, "float32")],
    ),
    "arange_float_step": (
        [b],
        lambda: [tt.arange(0, b, 0.25), tt.arange(b, -1.0, -0.5)],
        lambda b: [np.arange(0, b, 0.25), np.arange(b, -1.0, -0.5)],
        [np.asarray(1.3, "float32")],
    ),
    "zeros_eye_tri": (
        [n],
        lambda: [tt.zeros((n, 2), "int8"), tt.eye(n, k=1), tt.tri(n, 3), tt.ones(n)],
        lambda n: [np.zeros((n, 2), "int8"), np.eye(n, k=1), np.tri(n, 3), np.ones(n)],
        [i64(3)],
    ),
    "alloc_tile": (
        [x, n],
        lambda: [tt.alloc(x, n, 2, 3), tt.tile(x, (n, 1))],
        lambda x, n: [np.broadcast_to(x, (n, 2, 3)).copy(), np.tile(x, (n, 1))],
        [np.ones((2, 3)), i64(2)],
    ),
    "repeat_counts": (
        [x, c],
        lambda: [tt.repeat(x, c, axis=1), tt.repeat(x, c[:1], axis=0), tt.repeat(x, c[0])],
        lambda x, c: [np.repeat(x, c, axis=1), np.repeat(x, c[:1], axis=0), np.repeat(x, c[0])],
        [np.arange(6.0).reshape(2, 3), np.asarray([2, 0, 1])],
    ),
    "reshape_vector": (
        [x, s],
        lambda: [tt.reshape(x, s, ndim=3), tt.specify_shape(x, (2, s[0]))],
        lambda x, s: [x.reshape(s), x],
        [np.arange(6.0).reshape(2, 3), np.asarray([3, -1, 1], "int16")],
    ),
}


def inferred_shapes(inputs: list[Variable], outputs: list[Variable]) -> list[tuple[Any, ...]]:
    """Output shapes from infer_shape alone, node after node, from ShapeI of the inputs."""
    shapes: dict[Variable, tuple[Any, ...]] = {
        v: tuple(tt.ShapeI(i)(v) for i in range(v.type.ndim))  # type: ignore[attr-defined]
        for v in inputs
    }
    for node in toposort(outputs):
        for var in node.inputs:
            if var not in shapes:
                assert isinstance(var, Constant)
                shapes[var] = tuple(int(k) for k in np.shape(var.data))
        out = node.op.infer_shape(None, node, [shapes[v] for v in node.inputs])
        shapes.update(zip(node.outputs, out, strict=True))
    return [shapes[o] for o in outputs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_dependent_shapes(name: str) -> None:
    inputs, build, reference, values = CASES[name]
    outputs = build()
    expected = reference(*values)
    got = function(inputs, outputs, mode="python", on_unused_input="ignore")(*values)
    for k, (g, e, out) in enumerate(zip(got, expected, outputs, strict=True)):
        assert_matches(g, e, f"{name} output {k}")
        assert all(d is None or d == m for d, m in zip(out.type.shape, g.shape, strict=True))
    shapes = inferred_shapes(inputs, outputs)
    entries = [d for shape in shapes for d in shape if isinstance(d, Variable)]
    computed = iter(function(inputs, entries, mode="python", on_unused_input="ignore")(*values))
    for shape, g in zip(shapes, got, strict=True):
        lengths = tuple(int(next(computed)) if isinstance(d, Variable) else d for d in shape)
        assert lengths == g.shape, f"{name}: infer_shape gives {lengths}, computed {g.shape}"
