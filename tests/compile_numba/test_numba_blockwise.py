"""Blockwise and the linear-algebra templates of the numba backend, against NumPy/SciPy.

Each test compiles one graph (Numba compiles take seconds) and calls it on several
shapes: batch broadcasting, empty batches, mismatched batches.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import scipy.linalg

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_numba import NumbaBackend, NumbaCallbackWarning, backend
from tensorgraft.graph import Apply, Op
from tensorgraft.tensor.blockwise import Blockwise

STRICT = NumbaBackend(callbacks=False)  # these graphs must compile without callbacks


def _spd(rng: np.random.Generator, *shape: int) -> np.ndarray:
    a = rng.normal(size=shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def test_batched_matmul_broadcasts_batch_axes_at_run_time() -> None:
    x = tt.tensor("x", shape=(None, None, None, None))
    y = tt.tensor("y", shape=(None, None, None, None))
    f = function([x, y], tt.matmul(x, y), mode=STRICT)
    assert "Blockwise" in f._thunk.source
    rng = np.random.default_rng(0)
    for xs, ys in [
        ((2, 3, 4, 5), (2, 3, 5, 2)),
        ((2, 1, 4, 5), (1, 3, 5, 2)),  # both broadcast
        ((1, 1, 4, 5), (2, 3, 5, 6)),
        ((0, 3, 4, 5), (1, 3, 5, 2)),  # an empty batch
    ]:
        xv, yv = rng.normal(size=xs), rng.normal(size=ys)
        np.testing.assert_allclose(f(xv, yv), np.matmul(xv, yv), rtol=1e-12)
    with pytest.raises(ValueError, match="batch dimensions cannot be broadcast"):
        f(np.ones((2, 3, 4, 5)), np.ones((3, 3, 5, 2)))
    with pytest.raises(ValueError, match="not aligned"):
        f(np.ones((2, 3, 4, 5)), np.ones((2, 3, 4, 2)))


def test_batched_cholesky_eigh_and_solvers_match_numpy_and_scipy() -> None:
    a = tt.tensor3("a")
    b = tt.tensor3("b")
    lower = tt.linalg.cholesky(a)
    w, v = tt.linalg.eigh(a)
    outs = [
        lower,
        w,
        v,
        tt.linalg.solve(a, b),
        tt.linalg.solve(a, b, assume_a="pos"),
        tt.linalg.solve_triangular(lower, b, lower=True),
        tt.linalg.solve_triangular(lower, b, lower=True, trans="T", unit_diagonal=True),
        tt.linalg.cho_solve((lower, True), b),
    ]
    f = function([a, b], outs, mode=STRICT)
    rng = np.random.default_rng(1)
    for a_shape, b_shape in [
        ((3, 4, 4), (3, 4, 2)),
        ((1, 3, 3), (2, 3, 1)),
        ((0, 2, 2), (1, 2, 2)),
    ]:
        av, bv = _spd(rng, *a_shape), rng.normal(size=b_shape)
        got = f(av, bv)
        n = max(a_shape[0], b_shape[0]) if 0 not in (a_shape[0], b_shape[0]) else 0
        ab = np.broadcast_to(av, (n, *a_shape[1:]))
        bb = np.broadcast_to(bv, (n, *b_shape[1:]))
        low = np.linalg.cholesky(av)
        lb = np.broadcast_to(low, ab.shape)
        ws, vs = np.linalg.eigh(av)
        expected = [
            low,
            ws,
            vs,
            np.linalg.solve(ab, bb),
            np.linalg.solve(ab, bb),
            [scipy.linalg.solve_triangular(m, r, lower=True) for m, r in zip(lb, bb, strict=True)],
            [
                scipy.linalg.solve_triangular(m, r, lower=True, trans="T", unit_diagonal=True)
                for m, r in zip(lb, bb, strict=True)
            ],
            [scipy.linalg.cho_solve((m, True), r) for m, r in zip(lb, bb, strict=True)],
        ]
        for k, (g, e) in enumerate(zip(got, expected, strict=True)):
            e = np.asarray(e).reshape(g.shape) if np.size(e) == 0 else np.asarray(e)
            np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12, err_msg=f"output {k}")


def test_triangular_and_cholesky_solves_of_complex_matrices() -> None:
    a = tt.matrix("a", dtype="complex128")
    b = tt.vector("b", dtype="complex128")
    outs = [tt.linalg.solve_triangular(a, b, lower=False, trans=t) for t in ("N", "T", "C")] + [
        tt.linalg.cho_solve((a, False), b),
        tt.linalg.solve(a, b, assume_a="her"),
    ]
    f = function([a, b], outs, mode=STRICT)
    rng = np.random.default_rng(2)
    m = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    upper = np.triu(m) + 4 * np.eye(4)
    herm = upper.conj().T @ upper
    bv = rng.normal(size=4) + 1j * rng.normal(size=4)
    # Only the upper triangle is read: garbage below it must not matter.
    *tri, cho, _ = f(upper + np.tril(np.ones((4, 4)), -1) * 7, bv)
    for t, got in zip("NTC", tri, strict=True):
        expected = scipy.linalg.solve_triangular(upper, bv, lower=False, trans=t)
        np.testing.assert_allclose(got, expected, rtol=1e-10)
    np.testing.assert_allclose(cho, np.linalg.solve(herm, bv), rtol=1e-10)
    upper_her = np.triu(herm) + np.tril(np.full((4, 4), 5.0), -1)  # lower part ignored
    her = f(upper_her, bv)[4]
    np.testing.assert_allclose(her, np.linalg.solve(herm, bv), rtol=1e-10)
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        f(np.triu(np.ones((3, 3))) - np.diag([0.0, 1.0, 0.0]), np.ones(3, dtype=complex))


def test_lstsq_matches_numpy() -> None:
    a, b = tt.matrix("a"), tt.vector("b")
    f = function([a, b], tt.linalg.lstsq(a, b), mode=STRICT)
    rng = np.random.default_rng(3)
    for shape in [(6, 3), (3, 5)]:
        av, bv = rng.normal(size=shape), rng.normal(size=shape[0])
        for g, e in zip(f(av, bv), np.linalg.lstsq(av, bv, rcond=None), strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12)


@dataclass(frozen=True)
class Twice(Op):
    """An op of this test only: the numba backend has no template for it."""

    def make_node(self, x: Any) -> Apply:
        x = tt.as_tensor(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: Any) -> list[Any]:
        return [2 * inputs[0]]


def test_blockwise_of_a_core_op_without_template_stays_a_callback() -> None:
    x = tt.matrix("x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaCallbackWarning)
        f = function([x], Blockwise(Twice(), "(n)->(n)")(x), mode=backend)
    assert [type(n.op).__name__ for n, _ in f._thunk.callbacks] == ["Blockwise"]
    assert "Twice" in f._thunk.callbacks[0][1]
    np.testing.assert_array_equal(f(np.ones((2, 3))), np.full((2, 3), 2.0))
