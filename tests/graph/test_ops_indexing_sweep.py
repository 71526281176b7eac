"""Indexing against NumPy over many generated keys: `x[key]`, `x[key].set(v)`, `x[key].inc(v)`.

Keys mix ints (negative too), slices with negative/None/symbolic bounds and steps, None,
Ellipsis, integer arrays of several shapes and boolean masks; arrays have several dtypes
and shapes (size-0 and length-1 dims included). Every result is compared with NumPy for
values, dtype and static shape, and its `infer_shape` with the computed shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Variable
from tensorgraft.tensor.catalog import assert_matches, draw

SHAPES = [(4, 3, 5), (5, 1, 2), (0, 3, 2), (3,), ()]
DTYPES = ["bool", "int8", "uint16", "int32", "uint64", "float16", "float32", "float64", "complex64"]
N_KEYS = 40


def _element(rng: np.random.Generator, dims: tuple[int, ...]) -> Any:
    """One random key element for the axes of lengths `dims` (the first one, mostly)."""
    n = dims[0] if dims else 1
    pick = int(rng.integers(0, 13))
    bound = lambda: [None, -n - 1, -2, -1, 0, 1, 2, n + 1][int(rng.integers(0, 8))]  # noqa: E731
    if pick <= 2:
        return int(rng.integers(-n, n)) if n else 0  # NumPy rejects any int on a 0-length axis
    if pick <= 5:
        step = [None, 1, 2, -1, -2][int(rng.integers(0, 5))]
        return slice(bound(), bound(), step)
    if pick == 6:
        return None
    if pick == 7:
        return Ellipsis
    if pick <= 9:
        shape = [(2,), (2, 1), (1, 3), (0,)][int(rng.integers(0, 4))]
        return rng.integers(-n, n, size=shape) if n else np.zeros(shape, dtype="int64")
    if pick == 10:
        return rng.random(n) < 0.5  # a mask along this axis
    if pick == 11 and len(dims) >= 2:
        return rng.random(dims[:2]) < 0.5  # a mask along two axes
    return bool(rng.integers(0, 2))  # a 0-d mask


def random_keys(rng: np.random.Generator, shape: tuple[int, ...], count: int) -> list[tuple]:
    """`count` keys that NumPy accepts for an array of `shape`."""
    value = np.zeros(shape)
    keys: list[tuple] = []
    while len(keys) < count:
        key: list[Any] = []
        axis = 0
        for _ in range(int(rng.integers(1, 5))):
            e = _element(rng, shape[axis:])
            key.append(e)
            is_mask = isinstance(e, np.ndarray) and e.dtype == bool
            axis += 0 if e is None or e is Ellipsis or isinstance(e, bool) else 1
            axis += e.ndim - 1 if is_mask else 0
        try:
            value[tuple(key)]
        except (IndexError, TypeError, ValueError):
            continue
        keys.append(tuple(key))
    return keys


def symbolic(key: tuple) -> tuple[tuple, list[Variable], list[Any]]:
    """The key with every int, slice bound and array made an input: (key, inputs, values)."""
    inputs: list[Variable] = []
    values: list[Any] = []

    def var(value: Any) -> Variable:
        arr = np.asarray(value)
        v = tt.tensor(f"k{len(inputs)}", shape=(None,) * arr.ndim, dtype=arr.dtype)
        inputs.append(v)
        values.append(arr)
        return v

    out: list[Any] = []
    for e in key:
        if isinstance(e, slice):
            out.append(slice(*(None if p is None else var(p) for p in (e.start, e.stop, e.step))))
        elif e is None or e is Ellipsis:
            out.append(e)
        else:
            out.append(var(e))
    return tuple(out), inputs, values


def _check_static(var: Variable, expected: np.ndarray, exact: bool, what: str) -> None:
    got = var.type.shape  # type: ignore[attr-defined]
    assert len(got) == expected.ndim, f"{what}: static {got}, NumPy {expected.shape}"
    for s, n in zip(got, expected.shape, strict=True):
        assert s == n or (s is None and not exact), f"{what}: static {got}, NumPy {expected.shape}"


def _shape_outputs(var: Variable) -> list[Variable]:
    """The entries of `infer_shape` of `var`'s node (as variables), from ShapeI of its inputs."""
    node = var.owner
    assert node is not None
    shapes = [
        tuple(tt.ShapeI(i)(v) for i in range(v.type.ndim))  # type: ignore[attr-defined]
        for v in node.inputs
    ]
    (shape,) = node.op.infer_shape(None, node, shapes)
    return [tt.as_tensor(s) if isinstance(s, int) else s for s in shape]


def run(
    x: Variable,
    value: np.ndarray,
    graphs: list[tuple[Variable, list[Variable], list[Any], np.ndarray, bool, str]],
) -> None:
    """Compile all graphs at once and compare each with its NumPy result."""
    inputs = [x] + [i for _, ins, _, _, _, _ in graphs for i in ins]
    values = [value] + [v for _, _, vals, _, _, _ in graphs for v in vals]
    outs = [g[0] for g in graphs]
    shape_vars = [_shape_outputs(o) if o.owner is not None else [] for o in outs]
    flat = outs + [s for shape in shape_vars for s in shape]
    results = function(inputs, flat, mode="python", on_unused_input="ignore")(*values)
    shapes = iter(results[len(outs) :])
    for (out, _, _, expected, exact, what), got, entries in zip(
        graphs, results[: len(outs)], shape_vars, strict=True
    ):
        assert_matches(got, expected, what)
        assert out.type.dtype == expected.dtype.name, what  # type: ignore[attr-defined]
        _check_static(out, expected, exact, what)
        inferred = tuple(int(next(shapes)) for _ in entries)
        assert not entries or inferred == expected.shape, f"{what}: infer_shape {inferred}"


# -- x[key] ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("form", ["static", "unknown", "symbolic"])
def test_getitem_sweep(shape: tuple[int, ...], form: str) -> None:
    rng = np.random.default_rng(len(shape) * 7 + sum(shape))
    dtype = DTYPES[(sum(shape) + len(form)) % len(DTYPES)]
    value = draw(rng, shape, dtype, -5, 5, False)
    x = tt.tensor("x", shape=shape if form == "static" else (None,) * len(shape), dtype=dtype)
    graphs = []
    for key in random_keys(rng, shape, N_KEYS):
        expected = np.asarray(value[key])
        if form == "symbolic":
            sym, ins, vals = symbolic(key)
            graphs.append((x[sym], ins, vals, expected, False, f"x{shape}[{key}] symbolic"))
        else:
            exact = form == "static"  # constant keys: every length is known
            graphs.append((x[key], [], [], expected, exact, f"x{shape}[{key}] {form}"))
    run(x, value, graphs)


# -- x[key].set(v), x[key].inc(v) -----------------------------------------------------------------
def _reference(set_: bool) -> Callable[[np.ndarray, tuple, np.ndarray], np.ndarray]:
    def ref(x: np.ndarray, key: tuple, v: np.ndarray) -> np.ndarray:
        out = x.copy()
        if set_:
            out[key] = v
        else:
            np.add.at(out, key, v.astype(out.dtype))
        return out

    return ref


def _value_shape(rng: np.random.Generator, target: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts to `target`: itself, a suffix, or with some 1s."""
    pick = int(rng.integers(0, 3))
    if pick == 0 or not target:
        return target
    if pick == 1:
        return target[int(rng.integers(0, len(target) + 1)) :]
    return tuple(1 if rng.random() < 0.5 else n for n in target)


def _is_indexing(indexed: Variable, x: Variable) -> bool:
    node = indexed.owner
    if node is not None and isinstance(node.op, tt.DimShuffle):
        node = node.inputs[0].owner
    return node is not None and isinstance(node.op, tt.Subtensor | tt.AdvancedSubtensor)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("what", ["set", "inc"])
@pytest.mark.parametrize("form", ["static", "symbolic"])
def test_set_inc_sweep(shape: tuple[int, ...], what: str, form: str) -> None:
    rng = np.random.default_rng(sum(shape) + len(what) * 3 + len(form))
    dtype = DTYPES[(sum(shape) + len(what) + len(form)) % len(DTYPES)]
    value = draw(rng, shape, dtype, -5, 5, False)
    x = tt.tensor("x", shape=shape if form == "static" else (None,) * len(shape), dtype=dtype)
    ref = _reference(what == "set")
    graphs = []
    for k, key in enumerate(random_keys(rng, shape, N_KEYS)):
        target = np.shape(value[key])
        v_dtype = [dtype, "int8", "float32"][k % 3]
        if what == "inc" and not np.can_cast(v_dtype, dtype, "same_kind"):
            v_dtype = dtype
        v_value = draw(rng, _value_shape(rng, target), v_dtype, 0, 3, False)
        v = tt.tensor("v", shape=v_value.shape, dtype=v_dtype)
        sym, ins, vals = symbolic(key) if form == "symbolic" else (key, [], [])
        indexed = x[sym]
        if not _is_indexing(indexed, x):
            continue  # x[...], x[None]: nothing tells them from x or expand_dims(x)
        out = indexed.set(v) if what == "set" else indexed.inc(v)
        expected = ref(value, key, v_value)
        label = f"x{shape}[{key}].{what}(v{v_value.shape})"
        graphs.append((out, [v, *ins], [v_value, *vals], expected, form == "static", label))
    run(x, value, graphs)
