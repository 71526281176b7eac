"""`infer_shape` of every op: compile the graph of the shapes it returns and compare it with
the shapes the python backend actually computes."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor.catalog import CASES, get_case
from tensorgraft.tensor.shape import shape_tuple
from tensorgraft.tensor.subtensor import slice_length

ShapeEntries = tuple[Any, ...]


def symbolic_shape(var: Variable) -> ShapeEntries:
    """The shape of `var` as ShapeI variables only (no static help)."""
    if isinstance(var, Constant):
        return tuple(int(n) for n in np.shape(var.data))
    return tuple(tt.ShapeI(i)(var) for i in range(var.type.ndim))  # type: ignore[attr-defined]


def static_shape(var: Variable) -> ShapeEntries:
    """Static lengths where known, ShapeI variables elsewhere."""
    if isinstance(var, Constant):
        return tuple(int(n) for n in np.shape(var.data))
    return shape_tuple(var)


def check_entries(node: Apply, shapes: Sequence[ShapeEntries]) -> None:
    assert len(shapes) == len(node.outputs), f"{node.op}: {len(shapes)} shapes"
    for out, shape in zip(node.outputs, shapes, strict=True):
        assert len(shape) == out.type.ndim, f"{node.op}: shape {shape} for {out.type}"  # type: ignore[attr-defined]
        for s in shape:
            if isinstance(s, Variable):
                assert s.type.ndim == 0 and s.type.dtype == "int64", f"{node.op}: entry {s.type}"  # type: ignore[attr-defined]
            else:
                assert type(s) is int and s >= 0, f"{node.op}: entry {s!r}"


def evaluate(inputs: list[Variable], values: list[Any], shapes: list[ShapeEntries]) -> list[tuple]:
    """The shape entries computed for these input values (ints pass through)."""
    symbolic = [s for shape in shapes for s in shape if isinstance(s, Variable)]
    computed = iter(
        function(inputs, symbolic, mode="python", on_unused_input="ignore")(*values)
        if symbolic
        else []
    )
    return [
        tuple(int(next(computed)) if isinstance(s, Variable) else s for s in shape)
        for shape in shapes
    ]


def actual_shapes(inputs: list[Variable], values: list[Any], variables: list[Variable]) -> list:
    outs = function(inputs, variables, mode="python", on_unused_input="ignore")(*values)
    return [np.shape(o) for o in outs]


def chained_shapes(
    outputs: Sequence[Variable], root: Callable[[Variable], ShapeEntries]
) -> dict[Variable, ShapeEntries]:
    """Every variable's shape, each node's infer_shape fed its inputs' inferred shapes."""
    shapes: dict[Variable, ShapeEntries] = {}
    for node in toposort(outputs):
        for var in node.inputs:
            if var not in shapes:
                shapes[var] = root(var)
        out_shapes = node.op.infer_shape(None, node, [shapes[v] for v in node.inputs])
        check_entries(node, out_shapes)
        shapes.update(zip(node.outputs, out_shapes, strict=True))
    return shapes


# -- every catalog case -------------------------------------------------------------------------
@pytest.mark.parametrize("name", [c.name for c in CASES])
@pytest.mark.parametrize("root", [symbolic_shape, static_shape], ids=["symbolic", "static"])
def test_infer_shape_of_every_node(name: str, root: Callable[[Variable], ShapeEntries]) -> None:
    """Each node on its own: its inputs' shapes given as ShapeI (or static ints)."""
    inputs, outputs, values = get_case(name).build(np.random.default_rng(0))
    nodes = toposort(outputs)
    shapes: list[ShapeEntries] = []
    for node in nodes:
        out_shapes = node.op.infer_shape(None, node, [root(v) for v in node.inputs])
        check_entries(node, out_shapes)
        shapes.extend(out_shapes)
    variables = [out for node in nodes for out in node.outputs]
    inferred = evaluate(inputs, values, shapes)
    for var, want, got in zip(
        variables, actual_shapes(inputs, values, variables), inferred, strict=True
    ):
        assert got == want, f"{name}: infer_shape of {var.owner.op} gives {got}, actual {want}"


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_infer_shape_chained_through_the_graph(name: str) -> None:
    """Shapes propagated from the inputs alone, node after node (as a shape analysis would)."""
    inputs, outputs, values = get_case(name).build(np.random.default_rng(0))
    shapes = chained_shapes(outputs, symbolic_shape)
    inferred = evaluate(inputs, values, [shapes[o] for o in outputs])
    assert inferred == actual_shapes(inputs, values, outputs)


# -- Subtensor with symbolic start / stop / step: a sweep against Python's slice.indices ---------
def _sweep_values() -> list[tuple[int, int | None, int | None, int | None]]:
    bounds: list[int | None] = [None, -9, -5, -2, -1, 0, 1, 3, 5, 9]
    return [
        (n, start, stop, step)
        for n in (0, 1, 5)
        for start in bounds
        for stop in bounds
        for step in (None, -3, -1, 1, 2)
    ]


@pytest.mark.parametrize("static_length", [False, True])
def test_subtensor_symbolic_bounds_sweep(static_length: bool) -> None:
    """x[start:stop:step] with each given bound symbolic, for a vector of length n."""
    by_form: dict[tuple[bool, bool, bool], list[tuple[int, ...]]] = {}
    for n, start, stop, step in _sweep_values():
        form = (start is not None, stop is not None, step is not None)
        by_form.setdefault(form, []).append((n, *(v for v in (start, stop, step) if v is not None)))
    for form, rows in by_form.items():
        lengths = sorted({r[0] for r in rows}) if static_length else [None]
        for length in lengths:
            x = tt.vector("x", shape=(length,))
            bounds = [tt.scalar(f"b{k}", dtype="int64") for k in range(sum(form))]
            it = iter(bounds)
            key = slice(*(next(it) if given else None for given in form))
            y = x[key]
            if not any(form):
                assert y.type == x.type  # x[:] is all of x
                continue
            (shape,) = y.owner.op.infer_shape(None, y.owner, [static_shape(x)] + [()] * len(bounds))
            check_entries(y.owner, [shape])
            fn = function([x, *bounds], [shape[0], y], mode="python", on_unused_input="ignore")
            for n, *vals in rows:
                if length is not None and n != length:
                    continue
                expected = len(range(*slice(*_fill(form, vals)).indices(n)))
                inferred, value = fn(np.zeros(n), *vals)
                assert int(inferred) == expected == len(value), (n, _fill(form, vals))


def _fill(form: tuple[bool, bool, bool], vals: list[int]) -> list[int | None]:
    """The slice bounds: the given values where `form` says a bound is given, else None."""
    it = iter(vals)
    return [next(it) if given else None for given in form]


def _given(form: tuple[bool, ...], bounds: tuple[Any, ...]) -> list[Any]:
    return [int(b) if given else None for given, b in zip(form, bounds, strict=True)]


def test_subtensor_symbolic_index_dtypes() -> None:
    x = tt.vector("x")
    for dtype in ["int8", "int16", "int32", "int64", "uint8", "uint32", "uint64"]:
        a = tt.scalar("a", dtype=dtype)
        b = tt.scalar("b", dtype="int8")
        for y in (x[a:], x[b:a], x[::a], x[a]):
            (shape,) = y.owner.op.infer_shape(
                None, y.owner, [symbolic_shape(x)] + [()] * (len(y.owner.inputs) - 1)
            )
            check_entries(y.owner, [shape])
        f = function([x, a, b], [x[b:a].shape, x[b:a]], mode="python")
        shape_value, value = f(np.arange(6.0), 4, -5)
        assert tuple(shape_value) == value.shape == np.arange(6.0)[-5:4].shape


def test_slice_length_matches_python_everywhere() -> None:
    """slice_length is elementwise: one graph per form, evaluated on every combination."""
    ns = np.arange(0, 7)
    bounds = np.arange(-9, 10)
    steps = np.array([-4, -3, -2, -1, 1, 2, 3, 5])
    for form in itertools.product([False, True], repeat=3):
        grids = np.meshgrid(
            ns,
            bounds if form[0] else [0],
            bounds if form[1] else [0],
            steps if form[2] else [1],
            indexing="ij",
        )
        n, start, stop, step = (g.ravel().astype("int64") for g in grids)
        vs = [tt.vector(name, dtype="int64") for name in ("n", "start", "stop", "step")]
        length = slice_length(
            vs[0],
            vs[1] if form[0] else None,
            vs[2] if form[1] else None,
            vs[3] if form[2] else None,
        )
        assert length.dtype == "int64"
        got = function(vs, length, mode="python", on_unused_input="ignore")(n, start, stop, step)
        want = [
            len(range(*slice(*_given(form, (a, b, c))).indices(m)))
            for m, a, b, c in zip(n, start, stop, step, strict=True)
        ]
        np.testing.assert_array_equal(got, want, err_msg=str(form))


def test_slice_length_with_constant_steps() -> None:
    assert int(slice_length(5, None, None, 2).eval()) == 3  # a static n is fine too
    n, start, stop = (tt.scalar(name, dtype="int64") for name in ("n", "start", "stop"))
    for step in (-3, -1, 1, 2, None):
        length = slice_length(n, start, stop, step)
        f = function([n, start, stop], length, mode="python")
        for m, a, b in itertools.product(range(0, 6), range(-7, 8), range(-7, 8)):
            assert int(f(m, a, b)) == len(range(*slice(a, b, step).indices(m))), (m, a, b, step)


# -- Elemwise broadcasting with unknown dims ------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [((1, 3), (2, 1)), ((2, 3), (1, 1)), ((1, 1), (1, 1)), ((0, 1), (1, 5)), ((4, 1), (4, 1))],
    ids=str,
)
def test_elemwise_infer_shape_with_unknown_dims(a: tuple, b: tuple) -> None:
    x, y = tt.matrix("x"), tt.matrix("y")
    z = tt.add(x, y, x)
    for root in (symbolic_shape, static_shape):
        (shape,) = z.owner.op.infer_shape(None, z.owner, [root(v) for v in z.owner.inputs])
        (got,) = evaluate([x, y], [np.ones(a), np.ones(b)], [shape])
        assert got == np.broadcast_shapes(a, b)


def test_elemwise_infer_shape_prefers_static_lengths() -> None:
    x, y = tt.matrix("x", shape=(None, 3)), tt.matrix("y", shape=(2, 1))
    z = x * y
    (shape,) = z.owner.op.infer_shape(None, z.owner, [static_shape(x), static_shape(y)])
    assert shape[1] == 3 and shape[0] == 2


# -- Blockwise batch broadcasting ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((2, 3), (3, 4)),
        ((5, 2, 3), (5, 3, 4)),
        ((5, 2, 3), (1, 3, 4)),
        ((1, 2, 3), (5, 3, 4)),
        ((2, 1, 2, 3), (4, 3, 2)),
        ((3, 2, 3), (3, 4)),
        ((0, 2, 3), (1, 3, 4)),
        ((2, 0), (0, 3)),
    ],
    ids=str,
)
def test_blockwise_infer_shape_batch_broadcasting(a: tuple, b: tuple) -> None:
    bw = tt.Blockwise(tt.Dot(), "(m,k),(k,n)->(m,n)")
    for static in (False, True):
        x = tt.tensor("x", shape=a if static else (None,) * len(a))
        y = tt.tensor("y", shape=b if static else (None,) * len(b))
        z = bw(x, y)
        values = [np.ones(a), np.ones(b)]
        for root in (symbolic_shape, static_shape):
            shapes = chained_shapes([z], root)
            (got,) = evaluate([x, y], values, [shapes[z]])
            assert got == np.matmul(*values).shape, (a, b, static, root.__name__)


# -- DimShuffle, Sum with unknown dims -------------------------------------------------------------
def test_sum_and_dimshuffle_infer_shape_sweep() -> None:
    x = tt.tensor3("x")
    value = np.ones((2, 1, 4))
    outputs = [
        x.sum(axis=axis, keepdims=k) for axis in [None, 0, 1, 2, (0, 2), (1, 2)] for k in (0, 1)
    ]
    outputs += [x.T, x.transpose(1, 2, 0), x.squeeze(1), x.dimshuffle(2, "x", 0), x[None, :, 0]]
    shapes = chained_shapes(outputs, symbolic_shape)
    inferred = evaluate([x], [value], [shapes[o] for o in outputs])
    assert inferred == actual_shapes([x], [value], outputs)


def test_shape_infer_shape() -> None:
    x = tt.tensor3("x")
    s = x.shape
    assert s.owner.op.infer_shape(None, s.owner, [symbolic_shape(x)]) == [(3,)]
    i = tt.ShapeI(2)(x)
    assert i.owner.op.infer_shape(None, i.owner, [symbolic_shape(x)]) == [()]
