"""The numba backend on small graphs: loops, broadcasting, views, in-place, callbacks,
errors, and the on-disk cache. Each result is checked against NumPy."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.autodiff import grad
from tensorgraft.compile import function
from tensorgraft.compile_numba import (
    NumbaBackend,
    NumbaCallbackWarning,
    NumbaNotImplementedError,
    backend,
)
from tensorgraft.graph import Apply, Op
from tensorgraft.tensor import catalog


def compile_numba(inputs, outputs, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumbaCallbackWarning)  # these graphs compile fully
        return function(inputs, outputs, mode=backend, **kwargs)


def test_fused_elementwise_expression_is_one_loop() -> None:
    x = tt.vector("x")
    f = compile_numba([x], tt.exp(tt.sin(x)) * tt.cos(x) + tt.log1p(x**2))
    xv = np.linspace(-2.0, 2.0, 101)
    np.testing.assert_allclose(f(xv), np.exp(np.sin(xv)) * np.cos(xv) + np.log1p(xv**2))
    source = f._thunk.source
    assert source.count("empty_c(") == 1  # one output array, no temporaries
    assert "for i0 in range(" in source


def test_generated_source_holds_no_user_strings() -> None:
    x = tt.vector("user_secret_name")
    f = compile_numba([x], tt.exp(x) + 1)
    assert "user_secret_name" not in f._thunk.source
    assert os.path.basename(__file__) not in f._thunk.source


def test_runtime_broadcasting_of_unknown_length_one_axes() -> None:
    x, y = tt.matrix("x"), tt.matrix("y")  # static shapes unknown: (None, None)
    f = compile_numba([x, y], x * y + 1)
    xv, yv = np.arange(6.0).reshape(2, 3), np.array([[2.0], [3.0]])
    np.testing.assert_array_equal(f(xv, yv), xv * yv + 1)
    np.testing.assert_array_equal(f(yv, xv), yv * xv + 1)
    np.testing.assert_array_equal(f(np.ones((1, 1)), xv), xv + 1)
    np.testing.assert_array_equal(f(np.ones((0, 3)), np.ones((1, 3))), np.ones((0, 3)) * 2)


def test_broadcast_mismatch_raises_naming_the_node() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    f = compile_numba([x, y], x + y)
    with pytest.raises(ValueError, match="cannot be broadcast") as info:
        f(np.ones(3), np.ones(4))
    assert any("Add" in note for note in getattr(info.value, "__notes__", []))


def test_integer_wraparound_and_dtypes_follow_numpy() -> None:
    a, b = tt.vector("a", dtype="int8"), tt.vector("b", dtype="int8")
    f = compile_numba([a, b], [a + b, a * b, a // b, a / b])
    av = np.array([100, -100, 7, -7], dtype="int8")
    bv = np.array([100, 3, -2, 2], dtype="int8")
    for got, want in zip(f(av, bv), [av + bv, av * bv, av // bv, av / bv], strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2)])
def test_reductions_match_numpy(axis) -> None:  # type: ignore[no-untyped-def]
    x = tt.tensor("x", dtype="float64", shape=(None, None, None))
    f = compile_numba([x], [tt.sum(x, axis=axis), tt.max(x, axis=axis), tt.all(x > 0, axis=axis)])
    xv = np.random.default_rng(0).normal(size=(2, 3, 4))
    want = [np.sum(xv, axis=axis), np.max(xv, axis=axis), np.all(xv > 0, axis=axis)]
    for got, w in zip(f(xv), want, strict=True):
        np.testing.assert_allclose(got, w)
        assert got.shape == np.shape(w)


def test_max_of_empty_raises() -> None:
    x = tt.vector("x")
    f = compile_numba([x], tt.max(x))
    with pytest.raises(ValueError, match="zero-size"):
        f(np.ones(0))


def test_dot_float_uses_blas_and_int_loops() -> None:
    a, b = tt.matrix("a"), tt.matrix("b")
    i, j = tt.matrix("i", dtype="int32"), tt.matrix("j", dtype="int32")
    f = compile_numba([a, b, i, j], [a @ b, i @ j])
    rng = np.random.default_rng(1)
    av, bv = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    iv, jv = (
        rng.integers(-5, 5, (3, 4)).astype("int32"),
        rng.integers(-5, 5, (4, 2)).astype("int32"),
    )
    got_f, got_i = f(av, bv, iv, jv)
    np.testing.assert_allclose(got_f, av @ bv)
    np.testing.assert_array_equal(got_i, iv @ jv)
    assert got_i.dtype == np.int32
    with pytest.raises(ValueError, match="not aligned"):
        f(av, av, iv, jv)


def test_subtensor_with_symbolic_bounds_and_views() -> None:
    x = tt.matrix("x")
    start, stop = tt.scalar("start", dtype="int64"), tt.scalar("stop", dtype="int64")
    f = compile_numba([x, start, stop], [x[start:stop, ::-1], x[-1, start], x.T[1:]])
    xv = np.arange(20.0).reshape(4, 5)
    got = f(xv, 1, 3)
    for g, w in zip(got, [xv[1:3, ::-1], xv[-1, 1], xv.T[1:]], strict=True):
        np.testing.assert_array_equal(g, w)
    with pytest.raises(IndexError):
        f(xv, 9, 3)


def test_shapes_and_reshape() -> None:
    x = tt.matrix("x")
    f = compile_numba([x], [x.reshape((x.shape[1], -1)), x.T.reshape((-1,)), x.shape])
    xv = np.arange(6.0).reshape(2, 3)
    got = f(xv)
    for g, w in zip(got, [xv.reshape(3, -1), xv.T.reshape(-1), np.array([2, 3])], strict=True):
        np.testing.assert_array_equal(g, w)


def test_inplace_elementwise_reuses_a_fresh_buffer() -> None:
    x = tt.matrix("x")
    y = tt.sum(x, axis=0)  # a fresh array that only the next node uses
    out = tt.exp(y) * tt.sin(y)
    f = compile_numba([x], out)
    assert " if " in f._thunk.source and ".shape == (" in f._thunk.source
    xv = np.random.default_rng(2).normal(size=(3, 4))
    s = xv.sum(axis=0)
    np.testing.assert_allclose(f(xv), np.exp(s) * np.sin(s))
    np.testing.assert_array_equal(xv, xv.copy())  # the input itself is never overwritten


@dataclass(frozen=True)
class ReverseCumsum(Op):
    """An op of this test only: the numba backend has no template for it."""

    def make_node(self, x: Any) -> Apply:
        x = tt.as_tensor(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: Any) -> list[Any]:
        return [np.cumsum(inputs[0][::-1])[::-1]]


def test_op_without_implementation_runs_as_a_reported_callback() -> None:
    x = tt.vector("x")
    with pytest.warns(NumbaCallbackWarning, match="ReverseCumsum"):
        f = function([x], tt.exp(ReverseCumsum()(x)), mode=backend)
    xv = np.array([3.0, 1.0, 2.0])
    np.testing.assert_allclose(f(xv), np.exp(np.cumsum(xv[::-1])[::-1]))
    assert [type(node.op).__name__ for node, _ in f._thunk.callbacks] == ["ReverseCumsum"]
    assert len(f.report) == len(f.fgraph.apply_nodes) == 2
    for node, how in f.report:
        if isinstance(node.op, ReverseCumsum):
            assert how.startswith("python callback: ")
        else:
            assert how == "compiled", node


def test_op_without_implementation_is_rejected_without_callbacks() -> None:
    x = tt.vector("x")
    with pytest.raises(NumbaNotImplementedError, match="ReverseCumsum"):
        function([x], ReverseCumsum()(x), mode=NumbaBackend(callbacks=False))


def test_float16_is_rejected_at_compile_time() -> None:
    x = tt.vector("x", dtype="float16")
    with pytest.raises(NumbaNotImplementedError, match="float16"):
        function([x], x + 1, mode=backend)


def _cache_files(root: str) -> list[str]:
    folder = os.path.join(root, "numba", "__pycache__")
    return [os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("tg_")]


def test_on_disk_cache_hits_and_recovers_from_corruption(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TENSORGRAFT_CACHE_DIR", str(tmp_path))
    x = tt.vector("x")
    out = tt.tanh(x) * 3 - x
    xv = np.linspace(-1, 1, 7)
    first = compile_numba([x], out)
    assert sum(first._thunk.dispatcher.stats.cache_misses.values()) == 1
    np.testing.assert_allclose(first(xv), np.tanh(xv) * 3 - xv)
    # The same graph again (a fresh module): compiled code comes from disk.
    again = compile_numba([x], out)
    assert sum(again._thunk.dispatcher.stats.cache_hits.values()) == 1
    assert sum(again._thunk.dispatcher.stats.cache_misses.values()) == 0
    # Corrupt every cache entry: detected, dropped and rebuilt.
    for path in _cache_files(str(tmp_path)):
        with open(path, "wb") as fh:
            fh.write(b"\x80garbage")
    rebuilt = compile_numba([x], out)
    np.testing.assert_allclose(rebuilt(xv), np.tanh(xv) * 3 - xv)
    # A damaged module file is rewritten.
    (module,) = [p for p in os.listdir(tmp_path / "numba") if p.endswith(".py")]
    (tmp_path / "numba" / module).write_text("broken")
    np.testing.assert_allclose(compile_numba([x], out)(xv), np.tanh(xv) * 3 - xv)


SCRIPT = textwrap.dedent(
    """
    import numpy as np
    import tensorgraft.tensor as tt
    from tensorgraft.compile import function
    from tensorgraft.compile_numba import backend
    x = tt.vector("x")
    f = function([x], tt.exp(x) * tt.cos(x) + 2, mode=backend)
    v = np.linspace(0, 1, 5)
    assert np.allclose(f(v), np.exp(v) * np.cos(v) + 2)
    stats = f._thunk.dispatcher.stats
    print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
    """
)


def test_two_processes_compiling_at_once_then_a_warm_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "TENSORGRAFT_CACHE_DIR": str(tmp_path)}
    procs = [
        subprocess.Popen([sys.executable, "-c", SCRIPT], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    warm = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.split() == ["1", "0"]  # one cache hit, no compilation


SUM_TO_CASES = [
    c.name for c in catalog.CASES if c.name.startswith("reduction.sum_to") or "sum_to" in c.name
]


@pytest.mark.parametrize("name", SUM_TO_CASES)
def test_sum_to_catalog_cases_match_python_backend(name: str) -> None:
    case = catalog.get_case(name)
    inputs, outputs, values = case.build(np.random.default_rng(0))
    expected = function(inputs, outputs, mode="python")(*values)
    f = compile_numba(inputs, outputs)
    assert "SumTo" in f._thunk.source
    for k, (g, e) in enumerate(zip(f(*values), expected, strict=True)):
        catalog.assert_matches(g, e, f"{name} output {k}")


def test_sum_to_gradient_with_runtime_broadcasting_compiles_without_callbacks() -> None:
    x, mu = tt.vector("x"), tt.vector("mu")  # lengths 3 and 1, known only at run time
    loss = tt.sum((x - mu) ** 2)
    f = compile_numba([x, mu], [loss, grad(loss, mu)])
    assert "SumTo" in f._thunk.source and not f._thunk.callbacks
    xv, muv = np.array([1.0, 2.0, 4.0]), np.array([0.5])
    got_loss, got_grad = f(xv, muv)
    np.testing.assert_allclose(got_loss, np.sum((xv - muv) ** 2))
    np.testing.assert_allclose(got_grad, [-2.0 * np.sum(xv - muv)])
    assert got_grad.shape == (1,)


def test_sum_to_bad_target_raises_naming_the_node() -> None:
    x, shape = tt.matrix("x"), tt.tensor("shape", dtype="int64", shape=(2,))
    f = compile_numba([x, shape], tt.sum_to(x, shape))
    xv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(f(xv, np.array([1, 3])), xv.sum(axis=0, keepdims=True))
    for bad in ([2, 2], [-1, 3]):
        with pytest.raises(ValueError, match="does not broadcast") as info:
            f(xv, np.array(bad))
        assert any("SumTo" in note for note in getattr(info.value, "__notes__", []))


def test_calls_skip_python_checks_and_convert_or_name_bad_inputs() -> None:
    x, s = tt.vector("x"), tt.scalar("s")
    f = compile_numba([x, s], tt.exp(x) * s)
    assert f._fast  # Function leaves the checks to the compiled code
    xv = np.linspace(0.0, 1.0, 6)
    readonly = xv.copy()
    readonly.flags.writeable = False
    for xin, sin, xref in [
        (xv, 2.0, xv),  # a Python float for a 0-d input
        (xv[::2], np.float64(2), xv[::2]),  # a strided view
        (readonly, 2, xv),  # read-only; an int for a float
        (xv.astype("float32"), np.array(2.0), xv.astype("float32")),  # a safe upcast
        ([0.0, 0.5], 2.0, np.array([0.0, 0.5])),  # a list
    ]:
        np.testing.assert_allclose(f(xin, sin), np.exp(np.asarray(xref, "float64")) * 2.0)
    with pytest.raises(ValueError, match=r"input 'x'.*expected 1 dimension, got 2"):
        f(np.ones((2, 2)), 2.0)
    with pytest.raises(ValueError, match=r"input 's'.*expected 0 dimensions"):
        f(xv, np.ones(2))
    with pytest.raises(TypeError, match=r"input 's'"):
        f(xv, "two")
    # One compiled signature: no call compiled a specialization for other types.
    assert len(f._thunk.dispatcher.signatures) == 1


def test_static_shapes_and_downcasts_are_refused_naming_the_input() -> None:
    y = tt.vector("y", dtype="float32", shape=(3,))
    f = compile_numba([y], y * 2)
    np.testing.assert_array_equal(f(np.arange(3, dtype="float32")), [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(f([1, 2, 3]), [2.0, 4.0, 6.0])
    with pytest.raises(ValueError, match=r"input 'y'.*expected shape \(3,\), got \(4,\)"):
        f(np.ones(4, dtype="float32"))
    with pytest.raises(TypeError, match=r"input 'y'.*cannot be cast safely"):
        f(np.ones(3))


def test_run_time_errors_name_the_node_without_internal_tags() -> None:
    x, v = tt.matrix("x"), tt.vector("v")
    f = compile_numba([x, v], tt.set_subtensor(x[1:], v))
    with pytest.raises(ValueError, match="does not broadcast") as info:
        f(np.zeros((4, 3)), np.ones(2))
    assert "tg-node" not in str(info.value)
    assert any("SetSubtensor" in n and "created at" in n for n in info.value.__notes__)


def test_small_constants_are_written_into_the_code_large_ones_passed() -> None:
    x = tt.vector("x")
    small = np.array([1.5, -2.0, 0.25])
    large = np.linspace(0.0, 1.0, 40)
    f = compile_numba([x], [x * small + tt.sum(large * x[:1]), x + np.int8(3)])
    xv = np.array([1.0, 2.0, 3.0])
    for _ in range(2):  # the same results again: nothing written into a constant
        got = f(xv)
        np.testing.assert_allclose(got[0], xv * small + np.sum(large * xv[:1]))
        np.testing.assert_array_equal(got[1], xv + 3)
    source = f._thunk.source
    header = next(line for line in source.splitlines() if line.startswith("def graph_fn"))
    assert header == "def graph_fn(a0, c0):"  # only the 40-element constant is an argument
    assert "np.float64(-2.0)" in source
