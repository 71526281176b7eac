"""In-place nodes through views, and the per-call path that leaves the checks to C."""

from __future__ import annotations

import functools
import io
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import Function, function
from tensorgraft.compile_c import DeferredC

_batch = DeferredC()


@functools.cache
def _functions() -> dict[str, Function]:
    x = tt.vector("x")
    z = tt.exp(tt.sin(x))
    m = tt.matrix("m")
    f32 = tt.vector("f", dtype="float32")
    fns = {
        "seed": function([x], tt.cos((z[None, :] @ z[:, None]).squeeze()), mode=_batch),
        "transpose": function([m], tt.cos(tt.exp(m).T), mode=_batch),
        # (A Subtensor of an Elemwise is lifted above it: Alloc keeps it below.)
        "subtensor": function([m], tt.cos(tt.alloc(tt.exp(m), 2, *m.shape)[1:, ::-1]), mode=_batch),
        "reshape": function([m], tt.cos(tt.exp(m).reshape((-1,))), mode=_batch),
        "add": function([x, m], tt.exp(m) + x, mode=_batch),
        "two": function([x], [tt.exp(x), tt.sin(x)], mode=_batch),
        "f32": function([f32], f32 * 2, mode=_batch),
    }
    _batch.build()
    return fns


def _dprint(fn: Function) -> str:
    buf = io.StringIO()
    fn.dprint(file=buf, print_destroy_map=True)
    return buf.getvalue()


def test_the_seed_graph_shows_the_fused_loop_and_the_inplace_cos() -> None:
    fn = _functions()["seed"]
    text = _dprint(fn)
    assert "Composite{exp(sin(i0))}" in text
    cos_line = next(line for line in text.splitlines() if line.startswith("Cos"))
    assert "d={0: [0]}" in cos_line
    xv = np.linspace(-1.0, 2.0, 1000)
    saved = xv.copy()
    zv = np.exp(np.sin(saved))
    np.testing.assert_allclose(fn(xv), np.cos(zv @ zv), rtol=1e-9)
    np.testing.assert_array_equal(xv, saved)
    assert all(how == "C" for _, how in fn.report)


@pytest.mark.parametrize(
    ("name", "ref"),
    [
        ("transpose", lambda m: np.cos(np.exp(m).T)),
        ("subtensor", lambda m: np.cos(np.broadcast_to(np.exp(m), (2, *m.shape))[1:, ::-1])),
        ("reshape", lambda m: np.cos(np.exp(m).reshape(-1))),
    ],
)
def test_inplace_through_a_view_matches_numpy(name: str, ref: Any) -> None:
    fn = _functions()[name]
    assert "d={0: [0]}" in _dprint(fn)
    for mv in (np.arange(12.0).reshape(3, 4) / 5, (np.arange(12.0).reshape(4, 3) / 5).T):
        saved = mv.copy()
        for _ in range(2):  # a second call must not see buffers of the first
            np.testing.assert_allclose(fn(mv), ref(saved))
        np.testing.assert_array_equal(mv, saved)


def test_calls_skip_the_python_checkers_for_arrays_that_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fn = _functions()["add"]

    def refuse(value: Any) -> Any:
        raise AssertionError("the Python checker ran")

    monkeypatch.setattr(fn, "_checkers", [refuse, refuse])
    xv, mv = np.arange(3.0), np.ones((2, 3))
    np.testing.assert_allclose(fn(xv, mv), np.exp(mv) + xv)
    np.testing.assert_allclose(fn(m=mv, x=xv), np.exp(mv) + xv)


def test_values_the_c_code_refuses_go_through_the_checkers() -> None:
    fn, f32, two = _functions()["add"], _functions()["f32"], _functions()["two"]
    # Lists, Python numbers and safe casts are converted, as with any backend.
    np.testing.assert_allclose(
        fn([1.0, 2.0], [[0.0, 1.0]]), np.exp([[0.0, 1.0]]) + np.array([1.0, 2.0])
    )
    np.testing.assert_allclose(fn(np.arange(2, dtype="int8"), np.zeros((1, 2))), [[1.0, 2.0]])
    np.testing.assert_allclose(f32([1, 2]), np.array([2, 4], dtype="float32"))
    got = two(np.array([0.5], dtype="float32"))
    assert isinstance(got, list) and len(got) == 2
    np.testing.assert_allclose(got[1], np.sin([0.5]))
    # Errors keep the checkers' wording: the variable, the argument and the type.
    with pytest.raises(TypeError, match=r"input 'f'.*\(argument 0\).*float32"):
        f32(np.zeros(2))
    with pytest.raises(ValueError, match=r"input 'm'.*\(argument 1\)"):
        fn(np.zeros(3), np.zeros(3))
    # A run-time shape error from the graph is raised once, as the C code words it.
    with pytest.raises(ValueError, match="broadcast"):
        fn(np.zeros(4), np.zeros((2, 3)))


def test_trust_input_still_hands_values_over_unconverted() -> None:
    fn = _functions()["add"]
    fn.trust_input = True
    try:
        with pytest.raises(TypeError, match=r"'x'.*list"):
            fn([1.0, 2.0, 3.0], np.zeros((2, 3)))
        np.testing.assert_allclose(fn(np.zeros(3), np.zeros((2, 3))), np.ones((2, 3)))
    finally:
        fn.trust_input = False
    np.testing.assert_allclose(fn([1.0, 2.0, 3.0], np.zeros((1, 3))), [[2.0, 3.0, 4.0]])
