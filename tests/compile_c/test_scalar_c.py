"""Scalar ops the c backend computes in C (erf, gamma, logit, clip, angle, ...).

Each op runs compiled (all graphs in ONE module) on contiguous, strided, broadcast and
size-0 inputs of several dtypes, against the python backend and NumPy / SciPy; the
compiled functions must run every node as C (no Python callback).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.special as sp

import tensorgraft.tensor as tt
from tensorgraft.compile import Function, function
from tensorgraft.compile_c import DeferredC, compile_report
from tensorgraft.compile_c.coverage import CALLBACK, C
from tensorgraft.compile_c.scalar import CALLBACK_REASONS
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.catalog import assert_matches

_LN2 = math.log(2.0)


def _log1mexp(x: Any) -> Any:
    # Both forms are accurate on [-1, -ln 2]: switch at -1 (the op switches at -ln 2).
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > -1.0, np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


# (name, tt function, reference, input dtypes, one (lo, hi) range per input)
_OPS: list[tuple[str, Callable[..., Any], Callable[..., Any], tuple[str, ...], list[Any]]] = [
    ("erf", tt.erf, sp.erf, ("float64",), [(-3, 3)]),
    ("erf.float32", tt.erf, sp.erf, ("float32",), [(-3, 3)]),
    ("erf.int64", tt.erf, sp.erf, ("int64",), [(-2, 2)]),
    ("erfc", tt.erfc, sp.erfc, ("float64",), [(-3, 9)]),
    ("erfc.float32", tt.erfc, sp.erfc, ("float32",), [(-3, 5)]),
    ("gamma", tt.gamma, sp.gamma, ("float64",), [(-3.9, 8)]),
    ("gamma.float32", tt.gamma, sp.gamma, ("float32",), [(0.2, 6)]),
    ("gamma.int32", tt.gamma, sp.gamma, ("int32",), [(1, 12)]),
    ("gammaln", tt.gammaln, sp.gammaln, ("float64",), [(-9.5, 60)]),
    ("gammaln.float32", tt.gammaln, sp.gammaln, ("float32",), [(0.1, 50)]),
    ("gammaln.int16", tt.gammaln, sp.gammaln, ("int16",), [(1, 90)]),
    ("logit", tt.logit, sp.logit, ("float64",), [(0.001, 0.999)]),
    ("logit.float32", tt.logit, sp.logit, ("float32",), [(0.01, 0.99)]),
    ("log1mexp", tt.log1mexp, _log1mexp, ("float64",), [(-40, -1e-6)]),
    ("log1mexp.float32", tt.log1mexp, _log1mexp, ("float32",), [(-9, -0.01)]),
    ("log1mexp.int16", tt.log1mexp, _log1mexp, ("int16",), [(-9, -1)]),
    ("xlogy", tt.xlogy, sp.xlogy, ("float64", "float64"), [(-2, 2), (0.1, 5)]),
    ("xlogy.float32", tt.xlogy, sp.xlogy, ("float32", "float32"), [(-2, 2), (0.1, 5)]),
    ("xlogy.mixed", tt.xlogy, sp.xlogy, ("int32", "float32"), [(-2, 2), (0.1, 5)]),
    ("xlog1py", tt.xlog1py, sp.xlog1py, ("float64", "float64"), [(-2, 2), (-0.9, 5)]),
    ("xlog1py.float32", tt.xlog1py, sp.xlog1py, ("float32", "float32"), [(-2, 2), (-0.9, 5)]),
    ("logaddexp2", tt.logaddexp2, np.logaddexp2, ("float64", "float64"), [(-60, 60), (-60, 60)]),
    ("logaddexp2.float32", tt.logaddexp2, np.logaddexp2, ("float32",) * 2, [(-9, 9), (-9, 9)]),
    ("logaddexp2.int64", tt.logaddexp2, np.logaddexp2, ("int64", "int64"), [(-9, 9), (-9, 9)]),
    ("angle", tt.angle, np.angle, ("float64",), [(-2, 2)]),
    ("angle.float32", tt.angle, np.angle, ("float32",), [(-2, 2)]),
    ("angle.int32", tt.angle, np.angle, ("int32",), [(-3, 3)]),
    ("clip", tt.clip, np.clip, ("float64",) * 3, [(-3, 3), (-2, 0), (0, 2)]),
    ("clip.float32", tt.clip, np.clip, ("float32",) * 3, [(-3, 3), (-2, 0), (0, 2)]),
    ("clip.int8", tt.clip, np.clip, ("int8",) * 3, [(-9, 9), (-5, 0), (0, 5)]),
    ("clip.mixed", tt.clip, np.clip, ("int16", "float32", "float64"), [(-9, 9), (-5, 0), (0, 5)]),
]

_NAN, _INF = math.nan, math.inf
# (name, tt function, reference, edge values per input): poles, infinities, NaN, zeros.
_EDGES: list[tuple[str, Callable[..., Any], Callable[..., Any], list[list[float]]]] = [
    ("erf", tt.erf, sp.erf, [[0.0, -0.0, 30.0, -30.0, _INF, -_INF, _NAN, 1e-300]]),
    ("erfc", tt.erfc, sp.erfc, [[0.0, 27.0, -30.0, _INF, -_INF, _NAN, 1e-300, -1e-300]]),
    ("gamma", tt.gamma, sp.gamma, [[0.0, -0.0, -1.0, -2.0, 171.7, -170.5, _INF, -_INF, _NAN]]),
    ("gammaln", tt.gammaln, sp.gammaln, [[0.0, -0.0, -1.0, -2.5, 1.0, 2.0, _INF, -_INF, _NAN]]),
    ("logit", tt.logit, sp.logit, [[0.0, 1.0, 0.5, 0.5 + 1e-9, 0.3, 0.65, -0.5, 1.5, _NAN]]),
    (
        "log1mexp",
        tt.log1mexp,
        _log1mexp,
        [[0.0, -0.0, 1.0, -1e-20, -_LN2, -_LN2 * (1 + 1e-12), -800.0, -_INF, _NAN]],
    ),
    (
        "xlogy",
        tt.xlogy,
        sp.xlogy,
        [[0.0, 0.0, 0.0, 0.0, 2.0, _NAN, -0.0, 1.0], [_NAN, 0.0, -1.0, _INF, 0.0, 1.0, 3.0, -1.0]],
    ),
    (
        "xlog1py",
        tt.xlog1py,
        sp.xlog1py,
        [
            [0.0, 0.0, 0.0, 2.0, _NAN, 1.0, 1.0, 0.0],
            [_NAN, -1.0, -2.0, -1.0, 1.0, -2.0, 1e-20, 5.0],
        ],
    ),
    (
        "logaddexp2",
        tt.logaddexp2,
        np.logaddexp2,
        [
            [800.0, -800.0, 1000.0, -_INF, _INF, _NAN, 3.0],
            [799.0, -801.0, 0.0, 3.0, _INF, 1.0, 3.0],
        ],
    ),
    ("angle", tt.angle, np.angle, [[0.0, -0.0, -1.0, 2.0, -_INF, _INF, _NAN]]),
    (
        "clip",
        tt.clip,
        np.clip,
        [[_NAN, -_INF, _INF, 0.25, -3.0, 1.0, 1.0], [-1.0] * 5 + [_NAN, -1.0], [1.0] * 6 + [_NAN]],
    ),
]


def _draw(
    rng: np.random.Generator, shape: tuple[int, ...], dtype: str, lo: float, hi: float
) -> Any:
    if np.dtype(dtype).kind in "iu":
        return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def _strided(value: np.ndarray) -> np.ndarray:
    """The same values, every other element of a bigger array (not contiguous)."""
    view = np.repeat(value, 2, axis=-1)[..., ::2]
    assert value.shape[-1] <= 1 or not view.flags.c_contiguous
    return view


_batch = DeferredC()
Compiled = tuple[Function, Function, Callable[..., Any]]


def _others() -> dict[str, tuple[Function, Function]]:
    x, y, v = tt.matrix("x", dtype="float32"), tt.matrix("y"), tt.vector("v")
    fused = tt.erf(x) * tt.gammaln(y + 1) + tt.clip(tt.logit(tt.sigmoid(y)), -2, 2) + tt.angle(x)
    digamma = tt.digamma(v) + tt.erf(v)
    return {
        "fused": (function([x, y], fused, mode=_batch), function([x, y], fused, mode="python")),
        "digamma": (function([v], digamma, mode=_batch), function([v], digamma, mode="python")),
    }


@functools.cache
def _compiled() -> tuple[
    dict[str, Compiled], dict[str, Compiled], dict[str, tuple[Function, Function]]
]:
    """Every case compiled (one module for all) and on the python backend."""
    ops: dict[str, Compiled] = {}
    for name, fn, ref, dtypes, _ in _OPS:
        # Matrices of unknown shape: the first has the full shape, the others may
        # broadcast along either axis at run time.
        ins = [tt.matrix(f"x{k}", dtype=d) for k, d in enumerate(dtypes)]
        out = fn(*ins)
        ops[name] = (function(ins, out, mode=_batch), function(ins, out, mode="python"), ref)
    edges: dict[str, Compiled] = {}
    for name, fn, ref, values in _EDGES:
        for dtype in ("float64", "float32"):
            ins = [tt.vector(f"x{k}", dtype=dtype) for k in range(len(values))]
            out = fn(*ins)
            cf, pf = function(ins, out, mode=_batch), function(ins, out, mode="python")
            edges[f"{name}.{dtype}"] = (cf, pf, ref)
    others = _others()
    _batch.build()
    return ops, edges, others


def _check(cf: Function, pf: Function, ref: Callable[..., Any], values: list[Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            got, expected, reference = cf(*values), pf(*values), ref(*values)
    assert_matches(got, expected)
    rtol = 1e-5 if got.dtype == np.float32 else 1e-9
    np.testing.assert_allclose(got, np.asarray(reference, dtype=got.dtype), rtol=rtol, atol=0)
    numbers = ~np.isnan(expected)
    assert np.array_equal(np.signbit(got[numbers]), np.signbit(expected[numbers]))  # -0.0


@pytest.mark.parametrize("case", [c[0] for c in _OPS])
def test_op_matches_python_and_reference(case: str) -> None:
    cf, pf, ref = _compiled()[0][case]
    assert all(how == C for _, how in compile_report(cf)), compile_report(cf)
    _, _, _, dtypes, ranges = next(c for c in _OPS if c[0] == case)
    rng = np.random.default_rng(len(case))
    full = [_draw(rng, (3, 4), d, lo, hi) for d, (lo, hi) in zip(dtypes, ranges, strict=True)]
    _check(cf, pf, ref, full)
    _check(cf, pf, ref, [_strided(v) for v in full])
    _check(cf, pf, ref, [v[:, :0] for v in full])  # size 0
    if len(full) > 1:
        # Run-time broadcasting: a row, a column (strided too), and a 1 x 1 operand.
        _check(cf, pf, ref, [full[0], *[v[:1] for v in full[1:]]])
        _check(cf, pf, ref, [full[0], *[_strided(v[:, :1]) for v in full[1:]]])
        _check(cf, pf, ref, [v[:1, :1] for v in full[:1]] + full[1:])
        _check(cf, pf, ref, [full[0][:0], *[v[:1] for v in full[1:]]])
    # Fortran-ordered operands take the strided loop.
    _check(cf, pf, ref, [np.asfortranarray(v) for v in full])


@pytest.mark.parametrize("case", [f"{c[0]}.{d}" for c in _EDGES for d in ("float64", "float32")])
def test_edge_values(case: str) -> None:
    cf, pf, ref = _compiled()[1][case]
    assert all(how == C for _, how in compile_report(cf)), compile_report(cf)
    name, dtype = case.rsplit(".", 1)
    (values,) = [np.array(c[3], dtype=dtype) for c in _EDGES if c[0] == name]
    _check(cf, pf, ref, list(values))


def test_fused_special_functions_run_as_one_c_loop() -> None:
    cf, pf = _compiled()[2]["fused"]
    report = compile_report(cf)
    assert [how for _, how in report] == [C] and "Composite" in report[0][0], report
    rng = np.random.default_rng(3)
    xv, yv = _draw(rng, (2, 5), "float32", -3, 3), _draw(rng, (2, 5), "float64", 0.1, 4)
    ref = (
        sp.erf(xv) * sp.gammaln(yv + 1)
        + np.clip(sp.logit(sp.expit(yv)), -2, 2)
        + np.angle(xv).astype("float64")
    )
    got = cf(xv, yv)
    assert_matches(got, pf(xv, yv))
    np.testing.assert_allclose(got, ref, rtol=1e-6)
    assert_matches(cf(_strided(xv), yv[:1]), pf(_strided(xv), yv[:1]))


def test_scipy_only_ops_call_back_with_a_reason() -> None:
    for t in (ts.Digamma, ts.Polygamma, ts.Erfinv, ts.Erfcinv, ts.Erfcx, ts.GammaInc, ts.BetaLn):
        assert "SciPy" in CALLBACK_REASONS[t]
    cf, _ = _compiled()[2]["digamma"]
    assert CALLBACK in dict(compile_report(cf)).values()
    xv = np.linspace(0.5, 3, 5)
    np.testing.assert_allclose(cf(xv), sp.psi(xv) + sp.erf(xv), rtol=1e-12)
