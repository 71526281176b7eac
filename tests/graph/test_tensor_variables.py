"""Tensor variables show their type, owner, op, inputs and outputs as in PyTensor."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Apply


def test_type_repr_and_str() -> None:
    y = tt.vector("y", shape=(3,))
    assert repr(y.type) == "TensorType(float64, shape=(3,))"
    assert str(y.type) == "Vector(float64, shape=(3,))"
    assert repr(tt.matrix().type) == "TensorType(float64, shape=(None, None))"
    assert str(tt.scalar(dtype="int8").type) == "Scalar(int8, shape=())"
    assert str(tt.tensor3(dtype="bool").type) == "Tensor3(bool, shape=(None, None, None))"
    assert str(tt.tensor(shape=(1, 2, 3, 4, 5)).type) == "Tensor5(float64, shape=(1, 2, 3, 4, 5))"
    assert tt.tensor(shape=(2, None), dtype="float32").type == tt.TensorType("float32", (2, None))


def test_owner_op_inputs_outputs() -> None:
    x, w = tt.vector("x", shape=(3,)), tt.vector("w")
    y = tt.log(x + w)
    node = y.owner
    assert isinstance(node, Apply)
    assert str(node.op) == "Log" and isinstance(node.op, tt.Elemwise)
    assert repr(node.op) == "Elemwise(scalar_op=log, inplace_pattern={})"
    assert node.outputs == [y] and y.index == 0 and node.out is y
    (s,) = node.inputs
    assert str(s) == "Add.0" and s.owner.inputs == [x, w]
    assert str(node) == "Log(Add.0)" and str(y) == "Log.0" and repr(y) == "Log.0"
    assert x.owner is None and x.index is None and str(x) == "x"
    assert str(tt.vector()) == "<Vector(float64, shape=(None,))>"
    assert y.name is None and y.type.shape == (3,)
    assert (y.ndim, y.dtype, y.broadcastable) == (1, "float64", (False,))


def test_multi_output_nodes() -> None:
    from tensorgraft.tensor import scalar_ops as ts

    i0, i1 = ts.ScalarType("float64")(), ts.ScalarType("float64")()
    op = tt.Elemwise(ts.Composite([i0, i1], [i0 + i1, i0 * i1]))
    a, b = op(tt.vector("p"), tt.vector("q"))
    assert a.owner is b.owner and a.owner.outputs == [a, b]
    assert (a.index, b.index) == (0, 1)
    assert str(a) == "Composite{(i0 + i1), (i0 * i1)}.0" and str(b).endswith(".1")


def test_op_names() -> None:
    x, m = tt.vector("x"), tt.matrix("m")
    cases = [
        (x[1:], "Subtensor{start:}"),
        (m[0, ::2], "Subtensor{i, ::step}"),
        (x[None], "ExpandDims{axis=0}"),
        (m.T, "Transpose{axes=[1, 0]}"),
        (tt.matrix(shape=(1, None)).squeeze(), "DropDims{axis=0}"),
        (m.dimshuffle(1, "x", 0), "DimShuffle{order=[1, 'x', 0]}"),
        (m.sum(axis=0), "Sum{axis=0}"),
        (m.sum(), "Sum{axes=None}"),
        (tt.tensor3().sum(axis=(0, 2), dtype="float32"), "Sum{axes=[0, 2], dtype=float32}"),
        (m @ m, "Blockwise{dot, (m,k),(k,n)->(m,n)}"),
        (tt.Dot()(m, m), "dot"),
        (x.shape, "Shape"),
        (tt.ShapeI(0)(x), "Shape_i{0}"),
        (tt.cast(x, "int8"), "Cast{int8}"),
        (x < 1, "Lt"),
        (tt.switch(x > 0, x, 0), "Switch"),
    ]
    for var, name in cases:
        assert str(var.owner.op) == name


def test_constants() -> None:
    c = tt.constant(np.arange(3), name="c")
    assert isinstance(c, tt.TensorConstant) and c.type == tt.TensorType("int64", (3,))
    assert str(c) == "c" and str(tt.constant([1, 2])) == "[1 2]"
    assert str(tt.constant(np.ones(20))) == "Constant{shape=(20,), dtype=float64}"
    assert tt.as_tensor(2.5).dtype == "float64" and tt.as_tensor(True).dtype == "bool"
    assert tt.as_tensor(np.float32(1)).dtype == "float32"
    assert tt.as_tensor(3, dtype="int8").dtype == "int8"
    x = tt.vector("x")
    assert tt.as_tensor(x) is x and tt.as_tensor(x, dtype="float32").owner is not None


def test_dprint_shows_the_graph() -> None:
    x, w = tt.vector("x", shape=(3,)), tt.vector("w")
    text = tt.log(x + w).dprint(file="str", print_type=True)
    assert text.splitlines() == [
        "Log [id A] <Vector(float64, shape=(3,))>",
        " └─ Add [id B] <Vector(float64, shape=(3,))>",
        "    ├─ x [id C] <Vector(float64, shape=(3,))>",
        "    └─ w [id D] <Vector(float64, shape=(None,))>",
    ]


def test_eval() -> None:
    x = tt.vector("x")
    np.testing.assert_allclose((x * 2).eval({x: np.array([1.0, 2.0])}), [2.0, 4.0])
    np.testing.assert_allclose(tt.constant([1.0, 2.0]).sum().eval(), 3.0)


def test_numpy_methods_pass_their_options_on() -> None:
    x = tt.tensor3("x")
    v = np.random.default_rng(0).random((2, 3, 4))
    mt, srt, arg, tr = (
        out.eval({x: v})
        for out in (
            x.mT,
            x.sort(kind="stable"),
            x.argsort(axis=0, kind="mergesort"),
            x[0].trace(dtype="float32"),
        )
    )
    np.testing.assert_array_equal(mt, v.mT)
    np.testing.assert_array_equal(srt, np.sort(v, kind="stable"))
    np.testing.assert_array_equal(arg, np.argsort(v, axis=0, kind="stable"))
    assert tr.dtype == np.float32 and np.isclose(tr, np.trace(v[0]))
    with pytest.raises(ValueError, match="mT needs at least 2 dimensions; w has 1"):
        _ = tt.vector("w").mT


def test_python_round_rounds_half_to_even() -> None:
    x = tt.vector("x")
    v = np.array([0.5, 1.5, 2.675, -2.5])
    np.testing.assert_array_equal(round(x).eval({x: v}), np.round(v))
    np.testing.assert_array_equal(round(x, 2).eval({x: v}), np.round(v, 2))
