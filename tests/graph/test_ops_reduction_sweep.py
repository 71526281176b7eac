"""Conformance sweep of the "reduction" family against NumPy / scipy.special.

Every op of `catalog.listing("reduction")` over every dtype, axis form, keepdims, and
shapes with 0-d, size-0 and length-1 axes, known statically or not: same dtype, static
shape and values as NumPy, the same errors, and `infer_shape` equal to the real shape.
A new op in the listing needs an entry in SPECS.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import scipy.special

import tensorgraft.tensor as tt
from tensorgraft.compile.python_backend import backend
from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor import catalog
from tensorgraft.tensor.shape import ShapeI
from tensorgraft.tensor.type import ALL_DTYPES


def _float_softmax(fn: Callable[..., Any]) -> Callable[..., Any]:
    # Integers are computed in NumPy's exp dtype (scipy would subtract in the integer
    # dtype, which wraps around for unsigned ones); nothing to normalise in a size-0 array.
    def reference(x: np.ndarray, **kwargs: Any) -> np.ndarray:
        np.sum(x, **kwargs)  # NumPy's AxisError for a bad axis
        if x.dtype == bool:
            raise TypeError("scipy refuses bool: x - max(x) is not defined for it")
        x = x.astype(np.exp(np.zeros(0, x.dtype)).dtype)
        return x if x.size == 0 else np.asarray(fn(x, **kwargs), dtype=x.dtype)

    return reference


def _logsumexp(x: np.ndarray, **kwargs: Any) -> Any:
    counts = np.sum(np.ones(x.shape), **kwargs)
    if np.any(counts == 0):
        raise ValueError("the shift by the maximum needs an element (scipy gives -inf)")
    dtype = x.dtype if x.dtype.kind in "fc" else np.dtype("float64")
    if x.size == 0:  # an empty result (scipy gives a scalar)
        return np.sum(x, **kwargs).astype(dtype)
    # NumPy's keepdims shape (scipy makes a 0-d input 1-d).
    return np.reshape(scipy.special.logsumexp(x, **kwargs), counts.shape)


@dataclass(frozen=True)
class Spec:
    """How to sweep one op: its reference and which arguments it takes.

    axes: "many" (None, an int or a tuple) or "one" (None or an int).
    variants: extra keyword arguments tried besides axis/keepdims (ddof, dtype).
    """

    reference: Callable[..., Any]
    axes: str = "many"
    keepdims: bool = True
    variants: tuple[dict[str, Any], ...] = field(default_factory=tuple)


SPECS: dict[str, Spec] = {
    "sum": Spec(np.sum, variants=({"dtype": "float32"}, {"dtype": "int16"})),
    "prod": Spec(np.prod, variants=({"dtype": "complex64"},)),
    "max": Spec(np.max),
    "min": Spec(np.min),
    "all": Spec(np.all),
    "any": Spec(np.any),
    "argmax": Spec(np.argmax, axes="one"),
    "argmin": Spec(np.argmin, axes="one"),
    "mean": Spec(np.mean, variants=({"dtype": "float32"},)),
    "var": Spec(np.var, variants=({"ddof": 1},)),
    "std": Spec(np.std, variants=({"ddof": 2},)),
    "cumsum": Spec(np.cumsum, axes="one", keepdims=False, variants=({"dtype": "float64"},)),
    "cumprod": Spec(np.cumprod, axes="one", keepdims=False),
    # Deviations from scipy, by choice: see the references above.
    "softmax": Spec(_float_softmax(scipy.special.softmax), axes="one", keepdims=False),
    "log_softmax": Spec(_float_softmax(scipy.special.log_softmax), axes="one", keepdims=False),
    "logsumexp": Spec(_logsumexp),
}
# sum_to takes a target shape, not axes: tests/graph/test_ops_sum_to.py sweeps it.
OWN_SWEEP = {"sum_to"}
NAMES = [info.name for info in catalog.listing("reduction") if info.name not in OWN_SWEEP]
SHAPES: list[tuple[int, ...]] = [(), (0,), (3,), (2, 3), (2, 0, 3), (1, 4, 1)]
AXES: list[Any] = [None, 0, -1, 2, (0, -1), (), (1, 0, 2)]


def test_every_listed_op_has_a_spec() -> None:
    assert set(NAMES) == set(SPECS), "add the new op of the reduction family to SPECS"


def _value(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    kind = np.dtype(dtype).kind
    if kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if kind in "iu":
        lo = 0 if kind == "u" else -3
        return rng.integers(lo, 4, size=shape).astype(dtype)
    value = rng.uniform(-2, 2, size=shape)
    if kind == "c":
        value = value + 1j * rng.uniform(-2, 2, size=shape)
    return value.astype(dtype)


def _calls(spec: Spec, ndim: int) -> list[dict[str, Any]]:
    """Keyword arguments to try: every axis form (with keepdims) and the spec's variants."""
    axes = [a for a in AXES if spec.axes == "many" or not isinstance(a, tuple)]
    keeps = (False, True) if spec.keepdims else (False,)
    calls = [
        {"axis": a, **({"keepdims": k} if k else {})} for a, k in itertools.product(axes, keeps)
    ]
    return calls + [{"axis": -1 if ndim else None, **v} for v in spec.variants]


def _run(inputs: list[Variable], outputs: list[Variable], values: list[Any]) -> list[Any]:
    """The outputs computed by the ops' `perform` alone (no rewrites)."""
    with np.errstate(all="ignore"):
        return backend.link(FunctionGraph(inputs, outputs, clone=False))(values)


def _inferred_shapes(outputs: list[Variable]) -> list[tuple[Any, ...]]:
    """Each output's shape, propagated by infer_shape node after node from ShapeI roots."""
    shapes: dict[Variable, tuple[Any, ...]] = {}
    for node in toposort(outputs):
        for var in node.inputs:
            if var not in shapes:
                ndim = var.type.ndim  # type: ignore[attr-defined]
                shapes[var] = (
                    tuple(np.shape(var.data))
                    if isinstance(var, Constant)
                    else tuple(ShapeI(i)(var) for i in range(ndim))
                )
        in_shapes = [shapes[v] for v in node.inputs]
        shapes.update(zip(node.outputs, node.op.infer_shape(None, node, in_shapes), strict=True))
    return [shapes[o] for o in outputs]


def _sweep(name: str, dtype: str, shape: tuple[int, ...], static: bool) -> int:
    """Check every call of `name` on one input; the number of calls NumPy accepts."""
    spec, fn = SPECS[name], getattr(tt, name)
    x = tt.tensor("x", shape=shape if static else (None,) * len(shape), dtype=dtype)
    value = _value(np.random.default_rng(len(shape)), shape, dtype)
    outputs, expected, what = [], [], []
    for kwargs in _calls(spec, len(shape)):
        label = f"{name}({dtype} {shape} {'static' if static else 'unknown'}, {kwargs})"
        try:
            if not shape and isinstance(kwargs["axis"], int):
                # NumPy lets some reductions take axis 0 of a 0-d array; we refuse it
                # everywhere, as numpy.mean does.
                raise ValueError("a 0-d array has no axis 0")
            with np.errstate(all="ignore"), warnings.catch_warnings():
                # A cast that drops imaginary parts is refused (a TypeError here).
                warnings.simplefilter("ignore", RuntimeWarning)  # mean of nothing, ...
                warnings.simplefilter("error", np.exceptions.ComplexWarning)
                want = np.asarray(spec.reference(value.copy(), **kwargs))
        except np.exceptions.ComplexWarning:
            with pytest.raises(TypeError):
                fn(x, **kwargs)
            continue
        except (TypeError, ValueError) as err:
            # NumPy refuses it: so do we, when building where the types or static shapes
            # tell, else when running.
            with pytest.raises(type(err) if isinstance(err, TypeError) else ValueError):
                out = fn(x, **kwargs)
                if static or isinstance(err, TypeError):
                    pytest.fail(f"{label}: built although NumPy raises {err!r}")
                _run([x], [out], [value])
            continue
        out = fn(x, **kwargs)
        assert out.dtype == want.dtype.name, f"{label}: dtype {out.dtype}, NumPy {want.dtype}"
        assert out.ndim == want.ndim, f"{label}: ndim {out.ndim}, NumPy {want.ndim}"
        if static:
            assert out.type.shape == want.shape, f"{label}: static shape {out.type.shape}"
        else:
            assert all(s in (None, n) for s, n in zip(out.type.shape, want.shape, strict=True))
        outputs.append(out)
        expected.append(want)
        what.append(label)
    if not outputs:
        return 0
    shapes = _inferred_shapes(outputs)
    entries = [e for s in shapes for e in s if isinstance(e, Variable)]
    results = _run([x], outputs + entries, [value])
    computed = iter(results[len(outputs) :])
    for got, want, label, inferred in zip(
        results[: len(outputs)], expected, what, shapes, strict=True
    ):
        catalog.assert_matches(got, want, label)
        entry_values = [int(next(computed)) if isinstance(e, Variable) else e for e in inferred]
        assert tuple(entry_values) == got.shape, f"{label}: infer_shape {entry_values}"
    return len(outputs)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("static", [True, False], ids=["static", "unknown"])
def test_shapes_and_axes(name: str, static: bool) -> None:
    """Every axis form and keepdims, on 0-d, size-0 and length-1 shapes, in float64."""
    checked = [_sweep(name, "float64", shape, static) for shape in SHAPES]
    assert sum(checked) > 0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_dtypes(name: str, dtype: str) -> None:
    """Every dtype: the result dtype is NumPy's, or the build refuses it as NumPy does."""
    _sweep(name, dtype, (2, 3), static=True)
    _sweep(name, dtype, (2, 0), static=False)
