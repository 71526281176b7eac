"""Blockwise computes whole stacks through a core op's `perform_stacked`: the results
equal NumPy/SciPy matrix by matrix (empty stacks and broadcasting batch axes of length 1
included), and errors name the user's variables, shapes and the batch index at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.linalg

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.tensor.blockwise import Blockwise

la = tt.linalg
rng = np.random.default_rng(42)


def _spd(shape: tuple[int, ...], m: int) -> np.ndarray:
    x = rng.normal(size=(*shape, m, m))
    return x @ np.swapaxes(x, -1, -2) + m * np.eye(m)


def _lower(shape: tuple[int, ...], m: int) -> np.ndarray:
    return np.tril(rng.normal(size=(*shape, m, m))) + 3 * np.eye(m)


# name -> (graph of (a, b), one core element by NumPy/SciPy, make a, b's core shape)
Unary = Callable[..., Any]
CASES: dict[str, tuple[Unary, Unary, Callable[..., np.ndarray], tuple[int, ...] | None]] = {
    "inv": (lambda a, b: la.inv(a), np.linalg.inv, _spd, None),
    "det": (lambda a, b: la.det(a), np.linalg.det, _spd, None),
    "slogdet": (lambda a, b: la.slogdet(a), lambda a: np.linalg.slogdet(a), _spd, None),
    "cholesky": (lambda a, b: la.cholesky(a), np.linalg.cholesky, _spd, None),
    "cholesky_upper": (
        lambda a, b: la.cholesky(a, lower=False),
        lambda a: scipy.linalg.cholesky(a, lower=False),
        _spd,
        None,
    ),
    "eigh": (lambda a, b: la.eigh(a, UPLO="U"), lambda a: np.linalg.eigh(a, "U"), _spd, None),
    "svd": (lambda a, b: la.svd(a, full_matrices=False), np.linalg.svd, _spd, None),
    "svd_values": (lambda a, b: la.svd(a, compute_uv=False), np.linalg.svdvals, _spd, None),
    "qr": (lambda a, b: la.qr(a), np.linalg.qr, _spd, None),
    "qr_raw": (lambda a, b: la.qr(a, mode="raw"), lambda a: np.linalg.qr(a, "raw"), _spd, None),
    "pinv": (lambda a, b: la.pinv(a), np.linalg.pinv, _spd, None),
    "solve": (lambda a, b: la.solve(a, b), np.linalg.solve, _spd, (3, 2)),
    "solve_vector": (lambda a, b: la.solve(a, b, b_ndim=1), np.linalg.solve, _spd, (3,)),
    "solve_pos": (
        lambda a, b: la.solve(a, b, assume_a="pos"),
        lambda a, b: scipy.linalg.solve(a, b, assume_a="pos"),
        _spd,
        (3, 2),
    ),
    "solve_triangular": (
        lambda a, b: la.solve_triangular(a, b, lower=True),
        lambda a, b: scipy.linalg.solve_triangular(a, b, lower=True),
        _lower,
        (3, 2),
    ),
    "cho_solve": (
        lambda a, b: la.cho_solve((a, True), b),
        lambda a, b: scipy.linalg.cho_solve((a, True), b),
        _lower,
        (3, 2),
    ),
    "matmul": (lambda a, b: tt.matmul(a, b), np.matmul, _spd, (3, 2)),
}

# (batch shape of a, batch shape of b): empty stacks and length-1 axes that broadcast.
BATCHES = [((), ()), ((4,), (4,)), ((2, 3), (2, 3)), ((0,), (0,)), ((1, 3), (2, 1)), ((5,), (1,))]


def _looped(
    core: Unary, inputs: list[np.ndarray], core_ndims: list[int], batch: tuple[int, ...]
) -> list[np.ndarray]:
    """`core` matrix by matrix over the broadcast `batch`, stacked: the reference."""
    full = [
        np.broadcast_to(x, batch + x.shape[x.ndim - nd :])
        for x, nd in zip(inputs, core_ndims, strict=True)
    ]
    # One element for the core shapes (an empty stack has none): identity matrices.
    sample = core(np.eye(3), *[np.ones(x.shape[len(batch) :]) for x in full[1:]])
    n_out = len(sample) if isinstance(sample, tuple) else 1
    results = [
        np.empty(batch + np.shape(np.asarray(o))) for o in (sample if n_out > 1 else [sample])
    ]
    for idx in np.ndindex(*batch):
        r = core(*[x[idx] for x in full])
        for k, o in enumerate(r if n_out > 1 else [r]):
            results[k][idx] = o
    return results


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize(("a_batch", "b_batch"), BATCHES)
def test_stack_equals_matrix_by_matrix(
    name: str, a_batch: tuple[int, ...], b_batch: tuple[int, ...]
) -> None:
    graph, core, make, b_core = CASES[name]
    a = make(a_batch, 3)
    inputs = [a] if b_core is None else [a, rng.normal(size=(*b_batch, *b_core))]
    core_ndims = [2, len(b_core or ())][: len(inputs)]
    batch = np.broadcast_shapes(
        *[x.shape[: x.ndim - nd] for x, nd in zip(inputs, core_ndims, strict=True)]
    )
    ta = tt.tensor("a", shape=(None,) * a.ndim)
    tb = tt.tensor("b", shape=(None,) * inputs[-1].ndim)
    outs = graph(ta, tb)
    outs = list(outs) if isinstance(outs, tuple | list) else [outs]
    fn = function([ta, tb], outs, mode="python", on_unused_input="ignore")
    values = fn(*inputs) if len(inputs) == 2 else fn(a, a)
    expected = _looped(core, inputs, core_ndims, batch)
    for v, e in zip(values, expected, strict=True):
        assert v.shape == e.shape
        np.testing.assert_allclose(v, e, rtol=1e-10, atol=1e-12)


def test_stacks_keep_float32_and_promote_ints() -> None:
    a32, ai = tt.tensor3("a32", dtype="float32"), tt.tensor3("ai", dtype="int64")
    fn = function([a32, ai], [la.inv(a32), la.det(ai), tt.matmul(ai, a32)], mode="python")
    ints = np.tile(np.array([[2, 1], [1, 3]]), (3, 1, 1))
    inv, det, prod = fn(ints.astype("float32"), ints)
    assert (inv.dtype, det.dtype, prod.dtype) == (np.float32, np.float64, np.float64)
    np.testing.assert_allclose(inv, np.linalg.inv(ints.astype("float32")), rtol=1e-6)
    np.testing.assert_allclose(det, [5.0, 5.0, 5.0])
    np.testing.assert_allclose(prod, ints @ ints)


# -- errors ------------------------------------------------------------------------------------
def _stack_with_bad(bad: np.ndarray, at: tuple[int, ...]) -> np.ndarray:
    a = _spd((2, 3), 2)
    a[at] = bad
    return a


@pytest.mark.parametrize(
    ("call", "bad", "reason"),
    [
        (la.inv, np.ones((2, 2)), "is singular"),
        (lambda a: la.solve(a, np.ones(2), b_ndim=1), np.ones((2, 2)), "is singular"),
        (lambda a: la.solve_triangular(a, np.ones(2)), np.zeros((2, 2)), "is singular"),
        (la.cholesky, -np.eye(2), "is not positive definite"),
        (lambda a: la.solve(a, np.ones(2), assume_a="pos"), -np.eye(2), "is (singular|not pos)"),
    ],
)
def test_linalg_errors_name_the_matrix_and_its_batch_index(
    call: Unary, bad: np.ndarray, reason: str
) -> None:
    a = tt.tensor("covariances", shape=(None,) * 4)
    fn = function([a], call(a), mode="python")
    with pytest.raises(
        np.linalg.LinAlgError, match=rf"'covariances'.* at batch index \(1, 2\) {reason}"
    ):
        fn(_stack_with_bad(bad, (1, 2)))
    with pytest.raises(np.linalg.LinAlgError, match=rf"'m'.* {reason}"):
        m = tt.matrix("m")
        function([m], call(m), mode="python")(bad)


def test_run_time_batch_mismatch_names_the_inputs() -> None:
    a, b = tt.tensor3("a"), tt.tensor3("b")
    fn = function([a, b], tt.matmul(a, b), mode="python")
    with pytest.raises(
        ValueError, match=r"^dot: the batch dimensions.*'a'.*\(2, 3, 3\).*'b'.*\(4, 3, 3\)"
    ):
        fn(np.ones((2, 3, 3)), np.ones((4, 3, 3)))


def test_run_time_batch_mismatch_of_an_operand_with_fewer_batch_axes() -> None:
    a, b = tt.tensor("a", shape=(None,) * 4), tt.tensor3("b")
    fn = function([a, b], la.solve(a, b), mode="python")
    with pytest.raises(ValueError, match=r"'a'.*\(2, 3, 2, 2\).*'b'.*has shape \(4, 2, 1\)"):
        fn(_spd((2, 3), 2), np.ones((4, 2, 1)))  # b's batch axis 3 against a's last one


def test_static_batch_mismatch_says_batch_axis_and_full_shapes() -> None:
    a, b = tt.tensor("a", shape=(1, 2, 3, 3)), tt.tensor("b", shape=(2, 4, 3, 1))
    with pytest.raises(
        ValueError,
        match=r"'a'.*\(1, 2, 3, 3\).*'b'.*\(2, 4, 3, 1\).*batch axis 1 has lengths 2 and 4",
    ):
        la.solve(a, b)


def test_a_core_op_without_a_stacked_perform_still_loops() -> None:
    from tensorgraft.tensor.linalg import Det

    # A Blockwise of an op that declines (NotImplemented) loops over the batch.
    class LoopingDet(Det):
        def perform_stacked(self, node: Any, inputs: Any, batch_ndim: int) -> Any:
            return NotImplemented

        def perform(self, node: Any, inputs: Any) -> Any:
            assert np.ndim(inputs[0]) == 2  # one matrix at a time
            return Det.perform_stacked(self, node, inputs, 0)

    a = tt.tensor3("a")
    out = Blockwise(LoopingDet(), "(m,m)->()")(a)
    x = _spd((4,), 3)
    np.testing.assert_allclose(function([a], out, mode="python")(x), np.linalg.det(x))
