"""Vector math in numba loops (libmvec through LLVM), the branch-free helpers it relies on,
the inline `empty_c` allocation, and a first compile that does not import SciPy."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest
from scipy import special

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_numba import NumbaBackend, backend, cache, runtime, vecmath

HELPER_SOURCE = """
def apply_one(x, out):
    for i in range(x.shape[0]):
        out[i] = HELPER(x[i])

def apply_two(x, y, out):
    for i in range(x.shape[0]):
        out[i] = HELPER(x[i], y[i])
"""


def _loop(helper: str, arity: int):  # type: ignore[no-untyped-def]
    """An njit loop calling `runtime.<helper>` on each element, compiled as the backend does."""
    namespace = {"HELPER": getattr(runtime, helper)}
    exec(HELPER_SOURCE, namespace)
    return numba.njit(error_model="numpy")(namespace["apply_one" if arity == 1 else "apply_two"])


def _sweep() -> np.ndarray:
    rng = np.random.default_rng(0)
    mags = np.concatenate([np.geomspace(1e-300, 1e300, 4001), rng.uniform(0.0, 40.0, 2000)])
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1e-17, 0.5, 1.0, 2.0, 709.0, 710.0]
    return np.concatenate([mags, -mags, specials])


def _assert_close_ulps(got: np.ndarray, want: np.ndarray, ulps: float) -> None:
    same_special = (np.isnan(got) & np.isnan(want)) | (got == want)
    finite = np.isfinite(want) & ~same_special
    assert np.array_equal(np.isnan(got), np.isnan(want)), "NaN where NumPy has none or vice versa"
    assert np.array_equal(got[np.isinf(want)], want[np.isinf(want)]), "infinities differ"
    err = np.abs(got[finite] - want[finite]) / np.spacing(np.abs(want[finite]))
    assert err.size == 0 or err.max() <= ulps, f"max error {err.max():.1f} ulp"


@pytest.mark.parametrize(
    ("helper", "reference", "domain"),
    [
        ("log1p_v", np.log1p, "any"),
        ("expm1_v", np.expm1, "any"),
        ("sigmoid_v", special.expit, "any"),
        ("softplus_v", lambda x: np.logaddexp(0.0, x), "any"),
        ("log1mexp_v", lambda x: np.log(-np.expm1(x)), "negative"),
    ],
)
def test_branch_free_helpers_match_numpy(helper, reference, domain) -> None:  # type: ignore[no-untyped-def]
    x = _sweep()
    if domain == "negative":
        x = -np.abs(x)
    out = np.empty_like(x)
    fn = _loop(helper, 1)
    with np.errstate(all="ignore"):
        fn(x, out)
    with np.errstate(all="ignore"):
        want = reference(x)
        if helper == "log1mexp_v":  # two formulas joined at -log 2, as Maechler (2012)
            want = np.where(x > -np.log(2), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))
    _assert_close_ulps(out, want, ulps=8)


def test_logaddexp_helper_matches_numpy() -> None:
    rng = np.random.default_rng(1)
    a = np.concatenate([rng.normal(0, 50, 3000), [np.inf, -np.inf, np.inf, np.nan, 3.0, -np.inf]])
    b = np.concatenate([rng.normal(0, 50, 3000), [np.inf, -np.inf, -np.inf, 1.0, np.nan, 2.0]])
    out = np.empty_like(a)
    _loop("logaddexp_v", 2)(a, b, out)
    with np.errstate(all="ignore"):
        _assert_close_ulps(out, np.logaddexp(a, b), ulps=8)


@pytest.mark.skipif(
    not (vecmath.available("exp") and vecmath.available("sin")),
    reason="no vector math here (needs Linux x86-64 with AVX2, glibc's libmvec, LLVM 16+)",
)
def test_transcendental_loop_calls_vector_math_and_nothing_else_does() -> None:
    x = tt.vector("x")
    # Without the disk cache: code loaded from it carries no LLVM IR to inspect.
    expr = tt.exp(tt.sin(x)) * tt.cos(x) + tt.log1p(x**2)
    f = function([x], expr, mode=NumbaBackend(cache=False))
    xv = np.linspace(-3.0, 3.0, 1001)
    np.testing.assert_allclose(
        f(xv), np.exp(np.sin(xv)) * np.cos(xv) + np.log1p(xv**2), rtol=1e-14, atol=1e-15
    )
    dispatcher = f._thunk.dispatcher
    llvm = dispatcher.inspect_llvm(dispatcher.signatures[0])
    assert "_ZGV" in llvm  # glibc's SIMD exp / sin / cos / log
    assert "log1p_v" in f._thunk.source

    @numba.njit
    def plain(v):  # compiled by Numba alone afterwards: no vector library
        out = np.empty_like(v)
        for i in range(v.shape[0]):
            out[i] = np.exp(v[i])
        return out

    plain(xv)  # the backend changed no process-wide LLVM setting
    assert "_ZGV" not in plain.inspect_llvm(plain.signatures[0])


def test_without_vector_math_the_scalar_forms_are_used(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    was_on = bool(vecmath.functions())
    key_before = cache.source_key("x = 1\n")
    monkeypatch.setenv("TENSORGRAFT_NUMBA_VECTOR_MATH", "0")
    vecmath.functions.cache_clear()
    try:
        assert not vecmath.functions()
        # The machine code of one source differs with and without libmvec: so do the keys.
        assert (cache.source_key("x = 1\n") != key_before) == was_on
        x = tt.vector("x")
        f = function([x], tt.log1p(x) + tt.sigmoid(x), mode=backend)
        assert "np.log1p(" in f._thunk.source and "sigmoid_f(" in f._thunk.source
        assert "vm_" not in f._thunk.source
        xv = np.linspace(-0.9, 5.0, 11)
        np.testing.assert_allclose(f(xv), np.log1p(xv) + special.expit(xv), rtol=1e-14)
    finally:
        monkeypatch.delenv("TENSORGRAFT_NUMBA_VECTOR_MATH")
        vecmath.functions.cache_clear()


@numba.njit
def _alloc_forms(n):  # type: ignore[no-untyped-def]
    a = runtime.empty_c(n, np.float32)
    b = runtime.empty_c((n, 3), np.int64)
    c = runtime.empty_c((), np.complex128)
    d = runtime.empty_c(b.shape, a.dtype)
    return a, b, c, d


def test_empty_c_shapes_dtypes_and_errors() -> None:
    a, b, c, d = _alloc_forms(4)
    assert (a.shape, a.dtype) == ((4,), np.float32)
    assert (b.shape, b.dtype, b.strides) == ((4, 3), np.int64, (24, 8))
    assert (c.shape, c.dtype) == ((), np.complex128)
    assert (d.shape, d.dtype) == ((4, 3), np.float32)
    assert all(arr.flags.c_contiguous and arr.flags.owndata is not None for arr in (a, b, c, d))
    with pytest.raises(ValueError, match="negative dimensions"):
        _alloc_forms(-1)
    with pytest.raises(ValueError, match="too big"):
        _alloc_forms(2**62)


def test_first_compile_without_linear_algebra_does_not_import_scipy_linalg(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        import tensorgraft.tensor as tt
        from tensorgraft.compile import function
        x = tt.vector("x")
        f = function([x], tt.exp(x) + tt.sigmoid(x), mode="numba")
        np.testing.assert_allclose(f(np.zeros(3)), np.full(3, 1.5))
        print("scipy.linalg" in sys.modules)
        """
    )
    env = dict(os.environ, TENSORGRAFT_CACHE_DIR=str(tmp_path), NUMBA_CACHE_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


@numba.njit
def _expand(x):  # type: ignore[no-untyped-def]
    a = runtime.empty_c((), np.float64)
    a[()] = x
    v = runtime.ones_view(a, 2)
    v[0, 0] += 1.0  # writes through to `a`: a view, not a copy
    return v, runtime.ones_view(a, 1), a


def test_ones_view_is_a_view_with_unit_axes() -> None:
    v, w, a = _expand(3.0)
    assert (v.shape, w.shape, a.shape) == ((1, 1), (1,), ())
    assert v[0, 0] == w[0] == a[()] == 4.0
    del a  # the views keep the buffer alive
    assert v[0, 0] == 4.0


WARM_SCRIPT = """
import sys
import numpy as np
import tensorgraft.tensor as tt
from tensorgraft.autodiff import grad
from tensorgraft.compile import function
mu = tt.scalar("mu")
x = tt.vector("x")
cost = tt.sum((x - mu) ** 2) + tt.exp(mu)
f = function([mu, x], [cost, grad(cost, mu)], mode="numba")
xv = np.arange(3.0)
value, slope = f(np.asarray(0.5), xv)
want = [np.sum((xv - 0.5) ** 2) + np.exp(0.5), -2 * np.sum(xv - 0.5) + np.exp(0.5)]
np.testing.assert_allclose([value, slope], want)
heavy = ("numba.np.arrayobj", "numba.np.linalg", "scipy.linalg")
print(",".join(m for m in heavy if m in sys.modules) or "none")
"""


def test_warm_start_imports_no_numba_lowering_modules(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The second process loads the machine code: it must not import what only compiling
    needs (Numba's array lowering, linear algebra, SciPy), ~30-200 ms each."""
    env = dict(os.environ, TENSORGRAFT_CACHE_DIR=str(tmp_path))
    runs = [
        subprocess.run(
            [sys.executable, "-c", WARM_SCRIPT],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        for _ in range(2)
    ]
    for done in runs:
        assert done.returncode == 0, done.stderr[-2000:]
    assert runs[1].stdout.strip() == "none"
