"""Reductions, cumulative ops and softmax: their ops' parameters, the graphs the
composite functions build, and the errors (bad axes, dtypes, empty axes)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.special

import tensorgraft.tensor as tt
from tensorgraft.compile.python_backend import backend
from tensorgraft.graph.basic import Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor.cumulative import Cumulative
from tensorgraft.tensor.reduction import ArgReduce, Reduce
from tensorgraft.tensor.softmax import SoftmaxBase

m = tt.matrix("m")
v = tt.vector("v", shape=(0,))
e = tt.matrix("e", shape=(3, 0))


def run(inputs: list[Variable], outputs: list[Variable], *values: Any) -> list[Any]:
    """Outputs computed by the ops' `perform` (no rewrites), quietly (log(0) is -inf)."""
    with np.errstate(all="ignore"):
        return backend.link(FunctionGraph(inputs, outputs, clone=False))(list(values))


# -- build-time errors: (what, build, error, message pattern) -------------------------------------
ERRORS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("sum axis", lambda: tt.sum(m, axis=2), ValueError, r"axis 2 .*'m'.* 2 dimensions"),
    ("prod axis", lambda: m.prod(axis=-3), ValueError, r"axis -3 .*'m'.* 2 dimensions"),
    ("max repeated", lambda: m.max(axis=(1, -1)), ValueError, r"repeated axis.*'m'.*2 dim"),
    ("all float axis", lambda: m.all(axis=0.0), TypeError, r"axis must be an int"),
    ("argmax tuple", lambda: m.argmax(axis=(0, 1)), TypeError, r"argmax takes one axis"),  # type: ignore[arg-type]
    ("argmin axis", lambda: m.argmin(axis=2), ValueError, r"axis 2 .*'m'"),
    ("cumsum tuple", lambda: m.cumsum(axis=(0,)), TypeError, r"cumsum takes one axis"),  # type: ignore[arg-type]
    ("cumprod axis", lambda: m.cumprod(axis=-3), ValueError, r"axis -3 .*'m'"),
    ("mean axis", lambda: m.mean(axis=5), ValueError, r"axis 5 .*'m'"),
    ("var repeated", lambda: m.var(axis=(0, 0)), ValueError, r"repeated axis.*'m'"),
    ("softmax tuple", lambda: tt.softmax(m, axis=(0, 1)), TypeError, r"softmax takes one"),  # type: ignore[arg-type]
    ("log_softmax axis", lambda: tt.log_softmax(m, axis=2), ValueError, r"axis 2 .*'m'"),
    ("logsumexp axis", lambda: tt.logsumexp(m, axis=2), ValueError, r"axis 2 .*'m'"),
    ("max of empty", lambda: v.max(), ValueError, r"Max\{axes=None\} of 'v'.*\(0,\).*zero-size"),
    ("min of empty axis", lambda: e.min(axis=1), ValueError, r"Min\{axis=1\} of 'e'"),
    ("argmax of empty", lambda: e.argmax(axis=1), ValueError, r"Argmax\{axis=1\} of 'e'"),
    ("argmin flattened", lambda: e.argmin(), ValueError, r"Argmin\{axis=None\} of 'e'"),
    ("logsumexp empty", lambda: tt.logsumexp(v), ValueError, r"Max\{axes=None\} of"),
    (
        "sum complex to real",
        lambda: tt.sum(tt.vector("c", dtype="complex64"), dtype="float64"),
        TypeError,
        r"numpy.sum of complex64 with dtype=float64",
    ),
    ("softmax bool", lambda: tt.softmax(tt.vector("b", dtype="bool")), TypeError, r"'b'.*bool"),
    ("unknown dtype", lambda: m.sum(dtype="float8"), TypeError, r"float8"),
]


@pytest.mark.parametrize(("what", "build", "error", "pattern"), ERRORS, ids=[e[0] for e in ERRORS])
def test_build_error(what: str, build: Callable[[], Any], error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        build()


# -- run-time errors: zero-size axes only known when running --------------------------------------
@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda x: x.max(axis=0), r"Max\{axis=0\}: zero-size array"),
        (lambda x: x.min(), r"Min\{axes=None\}: zero-size array"),
        (lambda x: x.argmax(axis=0), r"Argmax\{axis=0\}.*empty sequence"),
        (lambda x: x.argmin(), r"Argmin\{axis=None\}.*empty sequence"),
    ],
)
def test_empty_axis_raises_at_run_time(build: Callable[[Any], Any], pattern: str) -> None:
    x = tt.matrix("x")
    out = build(x)
    with pytest.raises(ValueError, match=pattern):
        run([x], [out], np.zeros((0, 3)))
    # The other axis may be empty: NumPy gives an empty result.
    (got,) = (
        run([x], [out], np.zeros((2, 3))) if out.ndim == 0 else run([x], [out], np.ones((2, 0)))
    )
    assert got.size == (1 if out.ndim == 0 else 0)


# -- the ops' parameters -----------------------------------------------------------------------
def test_reduce_axes_are_sorted_and_checked() -> None:
    assert tt.Sum((2, 0)).axes == (0, 2)
    assert tt.Sum((2, 0)) == tt.Sum((0, 2)) and hash(tt.Sum((2, 0))) == hash(tt.Sum((0, 2)))
    assert tt.Sum((0,)) != tt.Prod((0,)) and tt.Max() != tt.Min()
    with pytest.raises(ValueError, match="distinct and >= 0"):
        tt.Max((-1,))
    with pytest.raises(ValueError, match="distinct and >= 0"):
        tt.All((1, 1))
    with pytest.raises(ValueError, match="only 2 dimensions"):
        tt.Any((2,))(m)
    assert tt.Prod(None, "int8").dtype == "int8"


def test_op_families() -> None:
    for op in (tt.Sum(), tt.Prod(), tt.Max(), tt.Min(), tt.All(), tt.Any()):
        assert isinstance(op, Reduce) and op.axes is None
    assert isinstance(tt.Argmax(1), ArgReduce) and isinstance(tt.Argmin(), ArgReduce)
    assert isinstance(tt.CumSum(0), Cumulative) and isinstance(tt.CumProd(), Cumulative)
    assert isinstance(tt.Softmax(0), SoftmaxBase) and isinstance(tt.LogSoftmax(), SoftmaxBase)
    # Distinct types, so that rules keyed by op type tell them apart.
    assert not isinstance(tt.LogSoftmax(), tt.Softmax)


@pytest.mark.parametrize(
    ("out", "text"),
    [
        (m.prod(axis=1, dtype="float32"), "Prod{axis=1, dtype=float32}"),
        (m.max(), "Max{axes=None}"),
        (tt.tensor3().min(axis=(0, 2)), "Min{axes=[0, 2]}"),
        (m.all(axis=-1), "All{axis=1}"),
        (m.argmax(axis=0), "Argmax{axis=0}"),
        (m.argmin(), "Argmin{axis=None}"),
        (m.cumsum(axis=-1), "CumSum{axis=1}"),
        (tt.cumprod(m, dtype="int64"), "CumProd{axis=None, dtype=int64}"),
        (tt.softmax(m, axis=1), "Softmax{axis=1}"),
        (tt.log_softmax(m), "LogSoftmax{axis=None}"),
    ],
)
def test_op_names(out: Variable, text: str) -> None:
    assert out.owner is not None and str(out.owner.op) == text


def test_every_axis_is_the_canonical_none() -> None:
    assert m.sum(axis=(0, 1)).owner.op == tt.Sum(None)
    assert tt.vector().argmax(axis=0).owner.op == tt.Argmax(None)
    assert m.max(axis=()).owner.op == tt.Max(())


# -- the functions built as graphs -------------------------------------------------------------
def _op_types(out: Variable) -> set[type]:
    return {type(node.op) for node in toposort([out])}


@pytest.mark.parametrize("fn", [tt.mean, tt.var, tt.std, tt.logsumexp])
def test_composites_build_graphs_of_existing_ops(fn: Callable[..., Variable]) -> None:
    types = _op_types(fn(m, axis=1))
    assert tt.Sum in types and types <= {tt.Sum, tt.Max, tt.Elemwise, tt.DimShuffle, tt.ShapeI}


def test_mean_count_is_static_when_the_shape_is() -> None:
    assert tt.ShapeI not in _op_types(tt.matrix(shape=(2, 3)).mean(axis=0))
    assert tt.ShapeI in _op_types(tt.matrix(shape=(2, None)).mean(axis=1))


def test_size_uses_prod() -> None:
    x = tt.tensor3("x")
    (got,) = run([x], [x.size], np.zeros((2, 3, 4)))
    assert got == 24 and got.dtype == np.int64


# -- numbers -----------------------------------------------------------------------------------
def test_logsumexp_is_stable() -> None:
    x = tt.vector("x")
    big = np.array([1000.0, 1000.0, -np.inf])
    (got,) = run([x], [tt.logsumexp(x)], big)
    assert got == pytest.approx(1000.0 + np.log(2.0))
    (low,) = run([x], [tt.logsumexp(x)], np.array([-np.inf, -np.inf]))
    (high,) = run([x], [tt.logsumexp(x)], np.array([np.inf, 0.0]))
    assert low == -np.inf and high == np.inf


def test_log_softmax_is_finite_where_softmax_underflows() -> None:
    x = tt.vector("x")
    value = np.array([0.0, -800.0])
    soft, log_soft = run([x], [tt.softmax(x), tt.log_softmax(x)], value)
    assert soft[1] == 0.0 and log_soft[1] == pytest.approx(-800.0)
    np.testing.assert_allclose(log_soft, scipy.special.log_softmax(value))


@pytest.mark.parametrize("ddof", [0, 1, 3, 4])
def test_var_ddof_like_numpy(ddof: int) -> None:
    # ddof = 3 leaves 1 degree of freedom on axis 0; 4 leaves none there (inf / nan).
    x = tt.matrix("x")
    value = np.arange(12.0).reshape(4, 3) ** 2
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = run([x], [x.var(axis=0, ddof=ddof), x.std(ddof=ddof)], value)
        want = [np.var(value, axis=0, ddof=ddof), np.std(value, ddof=ddof)]
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w)
