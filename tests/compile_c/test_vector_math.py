"""Elementwise loops vectorized with glibc's SIMD math (libmvec): same special values as
libm, and results within a few ulp of NumPy / SciPy, on contiguous and strided inputs.

All graphs compile into ONE module (one compiler run).
"""

from __future__ import annotations

import functools
import platform
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.special as sp

import tensorgraft.tensor as tt
from tensorgraft.compile import Function, function
from tensorgraft.compile_c import DeferredC, compile_report, toolchain
from tensorgraft.compile_c.coverage import C

# Wide-ranging values and the special ones: NaN, infinities, signed zeros, subnormals,
# huge values, domain edges and the points where the functions overflow.
_SPECIAL = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0]
_SPECIAL += [1e-310, -1e-310, 1e-40, 1e-20, -1e-20, 1e300, -1e300, 3e38, -3e38]
_SPECIAL += [88.7, -103.9, 709.78, -708.4, 710.0, -746.0, 1e22, np.pi, np.pi / 2, 27.0]
_SPECIAL += [0.99999999, -0.99999999, 1.0000001, 20.0, -20.0, 1e5]

UNARY: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "sin": (tt.sin, np.sin),
    "cos": (tt.cos, np.cos),
    "tan": (tt.tan, np.tan),
    "exp": (tt.exp, np.exp),
    "log": (tt.log, np.log),
    "log1p": (tt.log1p, np.log1p),
    "expm1": (tt.expm1, np.expm1),
    "exp2": (tt.exp2, np.exp2),
    "log2": (tt.log2, np.log2),
    "log10": (tt.log10, np.log10),
    "arcsin": (tt.arcsin, np.arcsin),
    "arccos": (tt.arccos, np.arccos),
    "arctan": (tt.arctan, np.arctan),
    "sinh": (tt.sinh, np.sinh),
    "cosh": (tt.cosh, np.cosh),
    "tanh": (tt.tanh, np.tanh),
    "arcsinh": (tt.arcsinh, np.arcsinh),
    "arccosh": (tt.arccosh, np.arccosh),
    "arctanh": (tt.arctanh, np.arctanh),
    "erf": (tt.erf, sp.erf),
    "erfc": (tt.erfc, sp.erfc),
    "sigmoid": (tt.sigmoid, sp.expit),
    "softplus": (tt.softplus, lambda x: np.logaddexp(0, x)),
    "log1mexp": (
        tt.log1mexp,
        lambda x: np.where(x > -np.log(2), np.log(-np.expm1(x)), np.log1p(-np.exp(x))),
    ),
    "logit": (tt.logit, sp.logit),
}
BINARY: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any]]] = {
    "power": (tt.power, np.power),
    "arctan2": (tt.arctan2, np.arctan2),
    "logaddexp": (tt.logaddexp, np.logaddexp),
    "logaddexp2": (tt.logaddexp2, np.logaddexp2),
    "xlogy": (tt.xlogy, sp.xlogy),
    "xlog1py": (tt.xlog1py, sp.xlog1py),
}
DTYPES = ("float64", "float32")
# glibc's erfc (its scalar libm function too) is up to ~300 ulp off SciPy's where the
# result is tiny (x > 20, erfc < 1e-170): relative 1e-13.
MAX_ULP = {"erfc": 512}
_batch = DeferredC()


@functools.cache
def _compiled() -> dict[tuple[str, str], Function]:
    fns = {}
    for dtype in DTYPES:
        x, y = tt.vector("x", dtype=dtype), tt.vector("y", dtype=dtype)
        for name, (op, _) in UNARY.items():
            fns[name, dtype] = function([x], op(x), mode=_batch)
        for name, (op2, _) in BINARY.items():
            fns[name, dtype] = function([x, y], op2(x, y), mode=_batch)
    _batch.build()
    return fns


def _values(dtype: str, n: int = 3000) -> np.ndarray:
    rng = np.random.default_rng(7)
    wide = rng.uniform(-1, 1, n) * 2.0 ** rng.integers(-40, 12, n)
    with np.errstate(over="ignore"):
        return np.concatenate([np.array(_SPECIAL), wide, rng.uniform(-3, 3, n)]).astype(dtype)


def _assert_close(
    got: np.ndarray, want: np.ndarray, name: str, max_ulp: int, scale: Any = None
) -> None:
    """Same NaNs, infinities and signs; finite values within `max_ulp` ulps of `scale`
    (default: the value itself), or tiny."""
    assert got.dtype == want.dtype, name
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan, err_msg=f"{name}: NaNs")
    g, w = got[~nan], want[~nan]
    np.testing.assert_array_equal(g[np.isinf(w)], w[np.isinf(w)], err_msg=f"{name}: infinities")
    zero = w == 0
    np.testing.assert_array_equal(np.signbit(g[zero]), np.signbit(w[zero]), err_msg=name)
    tiny = np.finfo(want.dtype).tiny
    scale = np.abs(w) if scale is None else np.maximum(np.abs(w), scale[~nan])
    with np.errstate(invalid="ignore"):
        ulp = np.spacing(scale.astype(want.dtype))
    with np.errstate(invalid="ignore"):
        bad = (np.abs(g - w) > max_ulp * ulp) & (np.abs(w) > 4 * tiny) & np.isfinite(w)
    assert not bad.any(), (name, g[bad][:3], w[bad][:3])


def _reference(fn: Callable[..., Any], dtype: str, *args: np.ndarray) -> np.ndarray:
    # float32: in float64, rounded once (SciPy's float32 loops compute in float64 too).
    with np.errstate(all="ignore"):
        return np.asarray(fn(*[a.astype("float64") for a in args])).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_matches_numpy_on_special_values(name: str, dtype: str) -> None:
    fn = _compiled()[name, dtype]
    assert set(dict(compile_report(fn)).values()) == {C}
    x = _values(dtype)
    want = _reference(UNARY[name][1], dtype, x)
    ulps = MAX_ULP.get(name, 8)
    _assert_close(fn(x), want, name, max_ulp=ulps)
    _assert_close(fn(x[::3]), want[::3], f"{name} strided", max_ulp=ulps)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_matches_numpy_on_special_values(name: str, dtype: str) -> None:
    fn = _compiled()[name, dtype]
    x = _values(dtype)
    # Every pair of special values, then random pairs.
    with np.errstate(all="ignore"):
        s = np.array(_SPECIAL, dtype=dtype)
        a = np.concatenate([np.repeat(s, s.size), x, x[::-1]])
        b = np.concatenate([np.tile(s, s.size), np.abs(x[::-1]) % 5, x])
    want = _reference(BINARY[name][1], dtype, a, b)
    # max + log(1 + e^-|x - y|) cancels when the result is small: its error is relative to
    # the operands, in the reference's formula as in ours.
    scale = np.maximum(np.abs(a), np.abs(b)) if name.startswith("logaddexp") else None
    _assert_close(fn(a, b), want, name, max_ulp=8, scale=scale)
    _assert_close(
        fn(a[::2], b[::2]), want[::2], f"{name} strided", 8, None if scale is None else scale[::2]
    )


def test_in_place_and_broadcast_loops_vectorized_match_numpy() -> None:
    x, b = tt.matrix("x"), tt.vector("b")
    fn = function([x, b], tt.exp(tt.sin(x * 2.0) + b) * tt.cos(x), mode=_batch)
    rng = np.random.default_rng(3)
    xv, bv = rng.normal(size=(37, 41)), rng.normal(size=41)
    # Contiguous rows broadcast (each row runs the contiguous loop), strided, Fortran, empty.
    for value in (xv, xv[:, ::2], np.asfortranarray(xv), xv[:0]):
        bb = bv[: value.shape[1]]
        want = np.exp(np.sin(value * 2.0) + bb) * np.cos(value)
        np.testing.assert_allclose(fn(value, bb), want, rtol=1e-14, atol=0)
    # A column broadcast along the rows (a zero inner stride): the general loop.
    column = function([x, b], tt.tanh(x) + tt.exp(b)[:, None], mode=_batch)
    cv = bv[:37]
    want = np.tanh(xv) + np.exp(cv)[:, None]
    np.testing.assert_allclose(column(xv, cv), want, rtol=1e-13, atol=1e-14)


@pytest.mark.skipif(
    not (sys.platform.startswith("linux") and platform.machine() == "x86_64"),
    reason="libmvec is glibc's x86-64 vector math library",
)
def test_loops_call_libmvec_where_gcc_and_glibc_allow() -> None:
    import os
    import subprocess

    compiler = toolchain.find_compiler()
    if compiler is None:
        pytest.skip("no C compiler")
    probe = subprocess.run(
        [*compiler, "-dM", "-E", "-"], input="", capture_output=True, text=True, check=False
    )
    if "__GNUC__" not in probe.stdout or "__clang__" in probe.stdout:
        pytest.skip("SIMD math is declared for GCC only")
    if (os.confstr("CS_GNU_LIBC_VERSION") or "").split()[-1:] < ["2.35"]:
        pytest.skip("glibc before 2.35 has no SIMD tanh")
    fn = _compiled()["tanh", "float64"]
    path = fn._thunk.graph._run.__self__.__file__  # type: ignore[attr-defined]
    with open(path, "rb") as f:
        library = f.read()
    assert b"_ZGVbN2v_tanh" in library and b"_ZGVdN4v_tanh" in library
