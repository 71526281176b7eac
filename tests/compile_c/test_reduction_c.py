"""Softmax, LogSoftmax, CumSum, CumProd and SumTo as C loops.

Every graph compiles into ONE module; each runs on contiguous, strided, transposed and
size-0 inputs of several dtypes, against the python backend and NumPy / SciPy, and must
run its node as C (no Python callback).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.special as sp

import tensorgraft.tensor as tt
from tensorgraft.compile import Function, function
from tensorgraft.compile_c import DeferredC, compile_report
from tensorgraft.compile_c.coverage import C
from tensorgraft.tensor.catalog import assert_matches

_batch = DeferredC()
_SHAPE = (3, 4, 5)


def _exp_dtype(dtype: str) -> str:
    return np.exp(np.zeros(0, dtype)).dtype.name


def _scipy(fn: Callable[..., Any], axis: int | None) -> Callable[[np.ndarray], Any]:
    def ref(x: np.ndarray) -> Any:
        x = x.astype(_exp_dtype(x.dtype.name))
        return x if x.size == 0 else fn(x, axis=axis)

    return ref


def _numpy_sum_to(target: tuple[int, ...]) -> Callable[[np.ndarray], Any]:
    def ref(x: np.ndarray) -> Any:
        lead = x.ndim - len(target)
        ones = [lead + a for a, n in enumerate(target) if n == 1 and x.shape[lead + a] != 1]
        return np.sum(x, axis=(*range(lead), *ones), keepdims=True).reshape(target)

    return ref


# name -> (build(x) -> output, input dtype, input ndim, reference on the input array)
_CASES: dict[str, tuple[Callable[[Any], Any], str, int, Callable[[np.ndarray], Any]]] = {}
for _axis in (None, 0, 1, 2):
    for _dtype in ("float64", "float32", "int32"):
        for _name, _tt, _sp in (
            ("softmax", tt.softmax, sp.softmax),
            ("log_softmax", tt.log_softmax, sp.log_softmax),
        ):
            _CASES[f"{_name}.axis{_axis}.{_dtype}"] = (
                functools.partial(_tt, axis=_axis),
                _dtype,
                3,
                _scipy(_sp, _axis),
            )
for _name, _tt, _np in (("cumsum", tt.cumsum, np.cumsum), ("cumprod", tt.cumprod, np.cumprod)):
    for _axis, _dtype, _out in [
        (None, "float64", None),
        (0, "float64", None),
        (1, "float32", None),
        (2, "int8", None),
        (None, "uint16", None),
        (1, "bool", None),
        (2, "int64", "float32"),
        (0, "int16", "int8"),  # wraps around as NumPy does
        (None, "float32", "bool"),
    ]:
        _CASES[f"{_name}.axis{_axis}.{_dtype}.{_out}"] = (
            functools.partial(_tt, axis=_axis, dtype=_out),
            _dtype,
            3,
            functools.partial(_np, axis=_axis, dtype=_out),
        )
for _target, _dtype in [
    ((4, 5), "float64"),
    ((3, 1, 5), "float32"),
    ((1, 5), "float64"),
    ((4, 1), "int8"),
    ((1, 1), "bool"),
    ((), "float32"),
    ((3, 4, 5), "int64"),
]:
    _CASES[f"sum_to.{_target}.{_dtype}"] = (
        functools.partial(tt.sum_to, shape=_target),
        _dtype,
        3,
        _numpy_sum_to(_target),
    )


def _value(rng: np.random.Generator, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    kind = np.dtype(dtype).kind
    if kind == "b":
        return rng.integers(0, 1, size=shape, endpoint=True).astype(bool)
    if kind in "iu":
        return rng.integers(0 if kind == "u" else -3, 3, size=shape, endpoint=True).astype(dtype)
    return rng.uniform(-3, 3, size=shape).astype(dtype)


@functools.cache
def _compiled() -> dict[str, tuple[Function, Function]]:
    fns: dict[str, tuple[Function, Function]] = {}
    for name, (build, dtype, ndim, _) in _CASES.items():
        x = tt.tensor("x", shape=(None,) * ndim, dtype=dtype)
        out = build(x)
        fns[name] = (function([x], out, mode=_batch), function([x], out, mode="python"))
    # A 0-d input, extreme rows, a target read at run time, softmax of a temporary.
    s, m = tt.scalar("s"), tt.matrix("m")
    y, n = tt.matrix("y"), tt.scalar("n", dtype="int64")
    others = {
        "scalar": ([s], [tt.cumsum(s), tt.cumprod(s), tt.softmax(s), tt.log_softmax(s)]),
        "extreme": ([m], [tt.softmax(m, axis=1), tt.log_softmax(m, axis=1)]),
        "runtime_target": ([m, y, n], [tt.sum_to(m, tt.shape(y)), tt.sum_to(m, (n, 1))]),
        "fused": ([m], tt.log_softmax(tt.exp(m) * 2.0, axis=0) + tt.cumsum(m, axis=0)),
    }
    for name, (ins, outs) in others.items():
        fns[name] = (
            function(ins, outs, mode=_batch, on_unused_input="ignore"),
            function(ins, outs, mode="python", on_unused_input="ignore"),
        )
    _batch.build()
    return fns


def _assert_c(fn: Function, *names: str) -> None:
    report = compile_report(fn)
    ours = [how for op, how in report if any(op.startswith(n) for n in names)]
    assert ours and all(how == C for how in ours), report


def _check(cf: Function, pf: Function, values: list[Any], ref: Any = None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                expected = pf(*values)
            except ValueError as err:  # the c backend must refuse these inputs too
                with pytest.raises(ValueError) as info:
                    cf(*values)
                assert str(err).splitlines()[0] == str(info.value).splitlines()[0]
                return
            got = cf(*values)
            reference = None if ref is None else np.asarray(ref(*values))
    assert_matches(got, expected)
    if reference is not None:
        assert got.dtype == reference.dtype and got.shape == reference.shape
        if got.dtype.kind == "f":
            rtol = 1e-5 if got.dtype == np.float32 else 1e-10
            np.testing.assert_allclose(got, reference, rtol=rtol, atol=1e-12)
        else:
            np.testing.assert_array_equal(got, reference)


_OPS = {"softmax": "Softmax", "log_softmax": "LogSoftmax", "cumsum": "CumSum"}
_OPS |= {"cumprod": "CumProd", "sum_to": "SumTo"}


@pytest.mark.parametrize("case", list(_CASES))
def test_case_matches_python_and_reference(case: str) -> None:
    cf, pf = _compiled()[case]
    _assert_c(cf, _OPS[case.split(".")[0]])
    _, dtype, _, ref = _CASES[case]
    rng = np.random.default_rng(len(case))
    x = _value(rng, dtype, _SHAPE)
    _check(cf, pf, [x], ref)
    _check(cf, pf, [np.repeat(x, 2, axis=-1)[..., ::2]], ref)  # strided
    _check(cf, pf, [np.asfortranarray(x)], ref)  # every axis strided differently
    _check(cf, pf, [np.ascontiguousarray(x[:, ::-1])], ref)  # a negative stride
    _check(cf, pf, [x[:, :, ::-1]], ref)
    # Size 0 (the python backend is the reference; it may refuse a sum_to target).
    _check(cf, pf, [x[:, :0]], None)
    _check(cf, pf, [x[:0]], None)


def test_scalar_input() -> None:
    cf, pf = _compiled()["scalar"]
    _assert_c(cf, "CumSum", "CumProd", "Softmax", "LogSoftmax")
    got = cf(np.asarray(-1.5))
    for g, e in zip(got, pf(np.asarray(-1.5)), strict=True):
        assert_matches(g, e)
    np.testing.assert_array_equal(got[0], [-1.5])
    np.testing.assert_array_equal(got[2], 1.0)
    np.testing.assert_array_equal(got[3], 0.0)


def test_softmax_extreme_rows() -> None:
    cf, pf = _compiled()["extreme"]
    _assert_c(cf, "Softmax", "LogSoftmax")
    inf, nan = np.inf, np.nan
    value = np.array(
        [
            [1000.0, 999.0, -1000.0, 0.0],
            [-1000.0, -1001.0, -inf, -1e300],
            [-inf, -inf, -inf, -inf],
            [inf, 1.0, -inf, 0.0],
            [nan, 1.0, 2.0, 3.0],
            [1e-300, -1e-300, 0.0, 5e-324],
        ]
    )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        soft, log = cf(value)
        np.testing.assert_allclose(soft, sp.softmax(value, axis=1), rtol=1e-12)
        np.testing.assert_allclose(log, sp.log_softmax(value, axis=1), rtol=1e-12)
        for g, e in zip((soft, log), pf(value), strict=True):
            assert_matches(g, e)


def test_sum_to_runtime_target_and_errors() -> None:
    cf, pf = _compiled()["runtime_target"]
    _assert_c(cf, "SumTo")
    x = np.arange(12.0).reshape(3, 4)
    for y, n in [(np.zeros((1, 4)), 3), (np.zeros((3, 4)), 3), (np.zeros((3, 1)), 1)]:
        got = cf(x, y, np.asarray(n))
        np.testing.assert_array_equal(got[0], _numpy_sum_to(y.shape)(x))
        np.testing.assert_array_equal(got[1], _numpy_sum_to((n, 1))(x))
        for g, e in zip(got, pf(x, y, np.asarray(n)), strict=True):
            assert_matches(g, e)
        np.testing.assert_array_equal(
            cf(x[::-1, ::2], y[:, :2], np.asarray(n))[0],
            _numpy_sum_to(y[:, :2].shape)(x[::-1, ::2]),
        )
    # Targets x does not broadcast from: the error names x and both shapes.
    for y, n in [(np.zeros((2, 4)), 3), (np.zeros((3, 4)), 2), (np.zeros((3, 4)), -1)]:
        with pytest.raises(ValueError, match=r"sum_to: 'm'.*\(3, 4\)") as info:
            cf(x, y, np.asarray(n))
        assert str(y.shape) in str(info.value) or f"({n}, 1)" in str(info.value)


def test_fused_with_temporaries() -> None:
    cf, pf = _compiled()["fused"]
    _assert_c(cf, "LogSoftmax", "CumSum")
    x = np.random.default_rng(1).normal(size=(4, 3))
    expected = sp.log_softmax(np.exp(x) * 2.0, axis=0) + np.cumsum(x, axis=0)
    for value in (x, x[:, ::-1], np.asfortranarray(x)):
        got = cf(value)
        assert_matches(got, pf(value))
    np.testing.assert_allclose(cf(x), expected, rtol=1e-12)
