"""Conformance sweep of the shape and construction families against NumPy.

Every op that `catalog.listing()` lists under "shape" or "construction" has entries in
`SWEEP`; each entry is run over every dtype and over shapes with 0-d, size-0 and size-1
axes, with static and unknown input shapes. The result must match NumPy in dtype, in
static shape (fully known when the input shape is), in values, and `infer_shape` must
give the shape actually computed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor import catalog
from tensorgraft.tensor.catalog import assert_matches, draw
from tensorgraft.tensor.type import ALL_DTYPES

Shape = tuple[int, ...]
FAMILIES = ("shape", "construction")
SHAPES: list[Shape] = [(), (0,), (1,), (3,), (2, 0), (1, 3), (3, 4), (2, 1, 3), (0, 3, 1)]
DTYPE_SHAPE = (2, 3, 4)  # the shape the dtype sweep uses (cut to the entry's ndim range)


@dataclass(frozen=True)
class Entry:
    """One way of calling an op on a swept array `x` whose value has shape `s`.

    `build(x, s)` gives our output(s), `numpy(a)` NumPy's; the shape `s` is static, so
    an entry may choose arguments by it (a size-preserving reshape, the squeezed axes).
    """

    label: str
    build: Callable[[Any, Shape], Any]
    numpy: Callable[[np.ndarray], Any]
    ndims: tuple[int, ...] = (0, 1, 2, 3)


def e(
    label: str, build: Callable[[Any, Shape], Any], ref: Callable[..., Any], *ndims: int
) -> Entry:
    return Entry(label, build, ref, ndims or (0, 1, 2, 3))


def _last(x: Any) -> Any:
    return x.shape[-1]


SWEEP: dict[str, list[Entry]] = {
    # -- shape ---------------------------------------------------------------------------------
    "shape": [e("shape", lambda x, s: tt.shape(x), lambda a: np.asarray(a.shape, "int64"))],
    "dimshuffle": [
        e("new_axis", lambda x, s: x.dimshuffle("x", *range(len(s))), lambda a: a[None]),
    ],
    "expand_dims": [
        e("last", lambda x, s: tt.expand_dims(x, -1), lambda a: np.expand_dims(a, -1)),
        e("first_two", lambda x, s: tt.expand_dims(x, (0, 1)), lambda a: a[None, None]),
    ],
    "squeeze": [
        e(
            "ones",
            lambda x, s: x.squeeze(tuple(k for k, n in enumerate(s) if n == 1)),
            lambda a: np.squeeze(a),
        ),
    ],
    "transpose": [
        e("reverse", lambda x, s: x.T, lambda a: a.T),
        e("roll_axes", lambda x, s: tt.transpose(x, (2, 0, 1)), lambda a: a.transpose(2, 0, 1), 3),
    ],
    "reshape": [
        e("flat", lambda x, s: x.reshape(-1), lambda a: a.reshape(-1)),
        e("reversed", lambda x, s: x.reshape(s[::-1]), lambda a: a.reshape(a.shape[::-1])),
        e("own_shape", lambda x, s: tt.reshape(x, x.shape), lambda a: a),
        e(
            "minus_one",
            lambda x, s: x.reshape(x.shape[0], -1),
            lambda a: a.reshape(len(a), -1),
            1,
            2,
            3,
        ),
        e("one", lambda x, s: x.reshape((1, *s)), lambda a: a[None]),
    ],
    "flatten": [
        e("all", lambda x, s: x.flatten(), lambda a: a.flatten()),
        e(
            "ndim2",
            lambda x, s: tt.flatten(x, 2),
            lambda a: a.reshape(a.shape[0], np.prod(a.shape[1:], dtype=int)),
            2,
            3,
        ),
    ],
    "swapaxes": [
        e("ends", lambda x, s: tt.swapaxes(x, 0, -1), lambda a: np.swapaxes(a, 0, -1), 1, 2, 3),
    ],
    "moveaxis": [
        e("to_end", lambda x, s: tt.moveaxis(x, 0, -1), lambda a: np.moveaxis(a, 0, -1), 1, 2, 3),
    ],
    "specify_shape": [e("own", lambda x, s: tt.specify_shape(x, s), lambda a: a)],
    # -- construction --------------------------------------------------------------------------
    "alloc": [
        e("lead", lambda x, s: tt.alloc(x, 2, *s), lambda a: np.broadcast_to(a, (2, *a.shape)))
    ],
    "zeros": [
        e("like", lambda x, s: tt.zeros(x.shape, x.dtype), lambda a: np.zeros(a.shape, a.dtype))
    ],
    "ones": [
        e("like", lambda x, s: tt.ones(x.shape, x.dtype), lambda a: np.ones(a.shape, a.dtype))
    ],
    "full": [
        e(
            "like",
            lambda x, s: tt.full(x.shape, 1, x.dtype),
            lambda a: np.full(a.shape, 1, a.dtype),
        ),
        e("value", lambda x, s: tt.full((2, *s), x), lambda a: np.full((2, *a.shape), a)),
    ],
    "zeros_like": [e("x", lambda x, s: tt.zeros_like(x), np.zeros_like)],
    "ones_like": [e("x", lambda x, s: tt.ones_like(x), np.ones_like)],
    "full_like": [e("x", lambda x, s: tt.full_like(x, 1), lambda a: np.full_like(a, 1))],
    "broadcast_to": [
        e(
            "lead",
            lambda x, s: tt.broadcast_to(x, (3, *s)),
            lambda a: np.broadcast_to(a, (3, *a.shape)),
        ),
    ],
    "broadcast_arrays": [
        e(
            "lead",
            lambda x, s: tt.broadcast_arrays(x, x[None]),
            lambda a: np.broadcast_arrays(a, a[None]),
        ),
    ],
    "concatenate": [
        e(
            "last",
            lambda x, s: tt.concatenate([x, x], -1),
            lambda a: np.concatenate([a, a], -1),
            1,
            2,
            3,
        ),
        e(
            "flat",
            lambda x, s: tt.concatenate([x, x], None),
            lambda a: np.concatenate([a, a], None),
        ),
    ],
    "stack": [
        e("last", lambda x, s: tt.stack([x, x], -1), lambda a: np.stack([a, a], -1)),
        e("first", lambda x, s: tt.stack([x]), lambda a: np.stack([a])),
    ],
    "split": [
        e("one", lambda x, s: tt.split(x, 1, axis=-1), lambda a: np.split(a, 1, axis=-1), 1, 2, 3),
        e("at", lambda x, s: tt.split(x, [1, -1]), lambda a: np.split(a, [1, -1]), 1, 2, 3),
    ],
    "tile": [
        e("two", lambda x, s: tt.tile(x, 2), lambda a: np.tile(a, 2)),
        e("lead", lambda x, s: tt.tile(x, (2, 1, 1, 1)), lambda a: np.tile(a, (2, 1, 1, 1))),
    ],
    "repeat": [
        e("flat", lambda x, s: tt.repeat(x, 2), lambda a: np.repeat(a, 2)),
        e("last", lambda x, s: tt.repeat(x, 3, axis=-1), lambda a: np.repeat(a, 3, -1), 1, 2, 3),
    ],
    "flip": [
        e("all", lambda x, s: tt.flip(x), np.flip),
        e("last", lambda x, s: tt.flip(x, -1), lambda a: np.flip(a, -1), 1, 2, 3),
    ],
    "roll": [
        e("flat", lambda x, s: tt.roll(x, 2), lambda a: np.roll(a, 2)),
        e("last", lambda x, s: tt.roll(x, -1, axis=-1), lambda a: np.roll(a, -1, -1), 1, 2, 3),
    ],
    "arange": [
        e(
            "n",
            lambda x, s: tt.arange(_last(x), dtype=x.dtype),
            lambda a: np.arange(a.shape[-1], dtype=a.dtype),
            1,
            2,
            3,
        ),
    ],
    "linspace": [
        e(
            "n",
            lambda x, s: tt.linspace(-1, 2, s[-1], dtype=x.dtype),
            lambda a: np.linspace(-1, 2, a.shape[-1], dtype=a.dtype),
            1,
            2,
            3,
        ),
        e(
            "n_symbolic",
            lambda x, s: tt.linspace(-1, 2, _last(x), endpoint=False, dtype=x.dtype),
            lambda a: np.linspace(-1, 2, a.shape[-1], endpoint=False, dtype=a.dtype),
            1,
            2,
            3,
        ),
    ],
    "eye": [
        e(
            "n",
            lambda x, s: tt.eye(_last(x), dtype=x.dtype),
            lambda a: np.eye(a.shape[-1], dtype=a.dtype),
            1,
            2,
            3,
        ),
        e(
            "nmk",
            lambda x, s: tt.eye(x.shape[0], _last(x), 1, x.dtype),
            lambda a: np.eye(*a.shape[:: a.ndim - 1], 1, dtype=a.dtype),
            2,
            3,
        ),
    ],
    "identity": [
        e(
            "n",
            lambda x, s: tt.identity(_last(x), x.dtype),
            lambda a: np.identity(a.shape[-1], a.dtype),
            1,
            2,
            3,
        ),
    ],
    "tri": [
        e(
            "n",
            lambda x, s: tt.tri(_last(x), dtype=x.dtype),
            lambda a: np.tri(a.shape[-1], dtype=a.dtype),
            1,
            2,
            3,
        ),
    ],
    "tril": [
        e("k0", lambda x, s: tt.tril(x), np.tril, 1, 2, 3),
        e("k1", lambda x, s: tt.tril(x, -1), lambda a: np.tril(a, -1), 1, 2, 3),
    ],
    "triu": [e("k1", lambda x, s: tt.triu(x, 1), lambda a: np.triu(a, 1), 1, 2, 3)],
    "diag": [
        e("k0", lambda x, s: tt.diag(x), np.diag, 1, 2),
        e("k1", lambda x, s: tt.diag(x, 1), lambda a: np.diag(a, 1), 1, 2),
    ],
    "diagonal": [
        e("k0", lambda x, s: tt.diagonal(x), np.diagonal, 2, 3),
        e(
            "axes",
            lambda x, s: tt.diagonal(x, -1, -1, 0),
            lambda a: np.diagonal(a, -1, -1, 0),
            2,
            3,
        ),
    ],
    "trace": [e("k0", lambda x, s: tt.trace(x), np.trace, 2, 3)],
    "sort": [
        e("last", lambda x, s: tt.sort(x), lambda a: np.sort(a, kind="stable"), 1, 2, 3),
        e("flat", lambda x, s: tt.sort(x, None), lambda a: np.sort(a, None, kind="stable")),
    ],
    "argsort": [
        e(
            "first",
            lambda x, s: tt.argsort(x, 0),
            lambda a: np.argsort(a, 0, kind="stable"),
            1,
            2,
            3,
        ),
        e("flat", lambda x, s: tt.argsort(x, None), lambda a: np.argsort(a, None, kind="stable")),
    ],
}

# (op, dtype) pairs NumPy accepts only for some values, refused at build time instead.
REFUSED = {("arange", "bool")}  # NumPy fails at run time past two bool values


def _listed() -> list[str]:
    return [info.name for family in FAMILIES for info in catalog.listing(family)]


def test_every_listed_op_is_swept() -> None:
    missing = sorted(set(_listed()) - set(SWEEP))
    assert not missing, f"ops of {FAMILIES} without a sweep entry: {missing}"


def _value(rng: np.random.Generator, shape: Shape, dtype: str) -> np.ndarray:
    # Ties (small integers) make sorting stability and repeated values matter.
    return draw(rng, shape, dtype, 0, 4, ties=True)


def _as_list(out: Any) -> list[Any]:
    return list(out) if isinstance(out, list | tuple) else [out]


def _inferred_shapes(x: Variable, outputs: Sequence[Variable]) -> list[tuple[Any, ...]]:
    """Each output's shape from infer_shape alone, node after node, from ShapeI of `x`."""
    shapes: dict[Variable, tuple[Any, ...]] = {
        x: tuple(tt.ShapeI(i)(x) for i in range(x.type.ndim))
    }  # type: ignore[attr-defined]
    for node in toposort(outputs):
        for var in node.inputs:
            if var not in shapes:
                assert isinstance(var, Constant), f"{var} is neither x nor a constant"
                shapes[var] = tuple(int(n) for n in np.shape(var.data))
        shapes.update(
            zip(
                node.outputs,
                node.op.infer_shape(None, node, [shapes[v] for v in node.inputs]),
                strict=True,
            )
        )
    return [shapes[o] for o in outputs]


def check(entry: Entry, dtype: str, shape: Shape, static: bool, rng: np.random.Generator) -> None:
    what = f"{entry.label} {dtype} {shape} {'static' if static else 'unknown'}"
    value = _value(rng, shape, dtype)
    x = tt.tensor("x", shape=shape if static else (None,) * len(shape), dtype=dtype)
    try:
        expected = _as_list(entry.numpy(value.copy()))
    except TypeError:
        with pytest.raises(TypeError):  # a dtype NumPy refuses: refused at build time
            entry.build(x, shape)
        return
    except ValueError:
        with pytest.raises(ValueError):  # impossible shapes: refused at build or run time
            outs = [o for o in _as_list(entry.build(x, shape)) if o is not x]
            function([x], outs, mode="python", on_unused_input="ignore")(value)
        return
    outs = _as_list(entry.build(x, shape))
    assert len(outs) == len(expected), what
    outputs = [o for o in outs if o is not x]
    got = dict(
        zip(
            outputs,
            function([x], outputs, mode="python", on_unused_input="ignore")(value)
            if outputs
            else [],
            strict=True,
        )
    )
    inferred = dict(zip(outputs, _inferred_shapes(x, outputs), strict=True))
    symbolic = [s for o in outputs for s in inferred[o] if isinstance(s, Variable)]
    computed = iter(
        function([x], symbolic, mode="python", on_unused_input="ignore")(value) if symbolic else []
    )
    for k, (out, want) in enumerate(zip(outs, expected, strict=True)):
        result = value if out is x else got[out]
        assert_matches(result, np.asarray(want), f"{what} output {k}")
        assert out.type.dtype == result.dtype.name
        static_shape = out.type.shape
        assert all(n is None or n == m for n, m in zip(static_shape, result.shape, strict=True)), (
            f"{what} output {k}: static {static_shape}, computed {result.shape}"
        )
        if static:
            assert None not in static_shape, f"{what} output {k}: static shape {static_shape}"
        if out is not x:
            lengths = tuple(
                int(next(computed)) if isinstance(n, Variable) else n for n in inferred[out]
            )
            assert lengths == result.shape, f"{what} output {k}: infer_shape {lengths}"


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_dtypes(name: str) -> None:
    """Every dtype, on one shape per entry, with static and unknown shapes."""
    rng = np.random.default_rng(0)
    for entry in SWEEP[name]:
        shape = DTYPE_SHAPE[: max(entry.ndims)]
        for dtype in ALL_DTYPES:
            if (name, dtype) in REFUSED:
                x = tt.tensor("x", shape=shape, dtype=dtype)
                with pytest.raises(TypeError, match=dtype):
                    entry.build(x, shape)
                continue
            for static in (True, False):
                check(entry, dtype, shape, static, rng)


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_shapes(name: str) -> None:
    """0-d, size-0 and size-1 axes, static and unknown, on an int and a float dtype."""
    rng = np.random.default_rng(1)
    for entry in SWEEP[name]:
        for shape in SHAPES:
            if len(shape) not in entry.ndims:
                continue
            for dtype in ("int8", "float64"):
                for static in (True, False):
                    check(entry, dtype, shape, static, rng)
