"""Products and linear algebra: errors at graph-build time and at run time, dtypes, and a few
direct checks of behaviour the sweep does not reach (options, structure of the graphs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor.blockwise import Blockwise

la = tt.linalg


def run(inputs: list[Any], outputs: Any, *values: Any) -> Any:
    return function(inputs, outputs, mode="python", on_unused_input="ignore")(*values)


# -- dtypes ------------------------------------------------------------------------------------
# One call per linalg function on matrices a (and b) of one dtype.
CALLS: dict[str, Callable[[Any, Any], Any]] = {
    "inv": lambda a, b: la.inv(a),
    "pinv": lambda a, b: la.pinv(a),
    "det": lambda a, b: la.det(a),
    "slogdet": lambda a, b: la.slogdet(a),
    "matrix_power": lambda a, b: la.matrix_power(a, -1),
    "cholesky": lambda a, b: la.cholesky(a),
    "cho_solve": lambda a, b: la.cho_solve((a, True), b),
    "eigh": lambda a, b: la.eigh(a),
    "eigvalsh": lambda a, b: la.eigvalsh(a),
    "solve": lambda a, b: la.solve(a, b),
    "solve_triangular": lambda a, b: la.solve_triangular(a, b),
    "svd": lambda a, b: la.svd(a),
    "qr": lambda a, b: la.qr(a),
    "lstsq": lambda a, b: la.lstsq(a, b),
}


def test_every_linalg_function_has_a_dtype_check() -> None:
    assert set(CALLS) | {"norm"} == set(la.__all__) - {n for n in la.__all__ if n[0].isupper()}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_float16_is_rejected_at_build_time(name: str) -> None:
    a, b = tt.matrix("a", dtype="float16"), tt.matrix("b", dtype="float16")
    with pytest.raises(TypeError, match=r"'a'.*float16, unsupported in linalg"):
        CALLS[name](a, b)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [("bool", "float64"), ("int8", "float64"), ("uint64", "float64"), ("float32", "float32")],
)
@pytest.mark.parametrize("name", sorted(CALLS))
def test_result_dtypes_follow_numpy(name: str, dtype: str, expected: str) -> None:
    a, b = tt.matrix("a", dtype=dtype), tt.matrix("b", dtype=dtype)
    out = CALLS[name](a, b)
    first = out[0] if isinstance(out, tuple | list) else out
    assert first.dtype == expected


def test_complex_decompositions_give_real_values() -> None:
    a = tt.matrix("a", dtype="complex64")
    w, v = la.eigh(a)
    assert (w.dtype, v.dtype) == ("float32", "complex64")
    u, s, vh = la.svd(a)
    assert (u.dtype, s.dtype, vh.dtype) == ("complex64", "float32", "complex64")
    sign, logdet = la.slogdet(a)
    assert (sign.dtype, logdet.dtype) == ("complex64", "float32")
    x, residuals, rank, sv = la.lstsq(a, tt.vector("b", dtype="complex128"))
    assert (x.dtype, residuals.dtype, rank.dtype, sv.dtype) == (
        "complex128",
        "float64",
        "int32",
        "float64",
    )


def test_mixed_solve_dtypes_promote() -> None:
    a, b = tt.matrix("a", dtype="float32"), tt.vector("b", dtype="int16")
    assert la.solve(a, b).dtype == "float32"
    assert la.solve(a, tt.vector("c")).dtype == "float64"


# -- impossible static shapes -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky", "eigh", "eigvalsh"])
def test_non_square_static_matrix(name: str) -> None:
    a = tt.matrix("a", shape=(2, 3))
    with pytest.raises(ValueError, match=r"'a'.*\(2, 3\), not a square matrix"):
        CALLS[name](a, None)


@pytest.mark.parametrize(
    "name", ["inv", "det", "slogdet", "cholesky", "eigh", "svd", "qr", "pinv", "solve"]
)
def test_core_input_must_be_a_matrix(name: str) -> None:
    with pytest.raises(ValueError, match=rf"{name}: 'x'.*needs at least 2 dimensions"):
        CALLS[name](tt.vector("x"), None)


@pytest.mark.parametrize("name", ["solve", "solve_triangular", "cho_solve", "lstsq"])
def test_mismatched_right_hand_side(name: str) -> None:
    a, b = tt.matrix("a", shape=(3, 3)), tt.vector("b", shape=(4,))
    with pytest.raises(ValueError, match=r"'a'.*\(3, 3\).*'b'.*\(4,\)"):
        CALLS[name](a, b)


def test_batched_solve_names_both_shapes() -> None:
    a, b = tt.tensor("a", shape=(2, 3, 3)), tt.tensor("b", shape=(2, 4, 1))
    with pytest.raises(ValueError, match=r"'a'.*\(2, 3, 3\).*'b'.*\(2, 4, 1\).*3 != 4 rows"):
        la.solve(a, b)


def test_batch_dimensions_must_broadcast() -> None:
    a, b = tt.tensor("a", shape=(2, 3, 3)), tt.tensor("b", shape=(5, 3, 1))
    with pytest.raises(ValueError, match="cannot be broadcast"):
        la.solve(a, b)


def test_lstsq_takes_one_matrix() -> None:
    with pytest.raises(ValueError, match=r"lstsq takes a matrix, got 'a'"):
        la.lstsq(tt.tensor3("a"), tt.vector("b"))


@pytest.mark.parametrize(
    ("fn", "shapes", "match"),
    [
        (tt.matmul, ((2, 3), (4, 5)), r"'a'.*\(2, 3\).*'b'.*\(4, 5\).*not aligned"),
        (tt.dot, ((2, 3), (4,)), r"'a'.*\(2, 3\).*'b'.*\(4,\).*not aligned"),
        (tt.tensordot, ((2, 3), (2, 4)), r"axis 1 of 'a'.*axis 1 of 'b'.*3 != 4"),
        (tt.vdot, ((2, 3), (5,)), r"differ in length \(6 != 5\)"),
        (lambda a, b: tt.einsum("ij,jk", a, b), ((2, 3), (4, 5)), r"3 != 4"),
    ],
)
def test_misaligned_products(fn: Callable[..., Any], shapes: Any, match: str) -> None:
    a, b = (tt.tensor(n, shape=s) for n, s in zip("ab", shapes, strict=True))
    with pytest.raises(ValueError, match=match):
        fn(a, b)


# -- run time -----------------------------------------------------------------------------------
def test_singular_and_not_positive_definite_raise_linalg_error() -> None:
    a, b = tt.matrix("a"), tt.vector("b")
    singular = np.ones((2, 2))
    for out in (la.inv(a), la.solve(a, b)):
        with pytest.raises(np.linalg.LinAlgError):
            run([a, b], out, singular, np.ones(2))
    with pytest.raises(np.linalg.LinAlgError):
        run([a], la.cholesky(a), -np.eye(2))
    assert run([a], la.det(a), singular) == 0


def test_non_square_at_run_time() -> None:
    a = tt.matrix("a")
    for out in (la.inv(a), la.det(a), la.cholesky(a), la.eigvalsh(a)):
        with pytest.raises(np.linalg.LinAlgError, match=r"\(2, 3\) is not square"):
            run([a], out, np.ones((2, 3)))


def test_mismatched_rows_at_run_time() -> None:
    a, b = tt.matrix("a"), tt.vector("b")
    for out in (la.solve_triangular(a, b), la.cho_solve((a, True), b), la.lstsq(a, b)[0]):
        with pytest.raises(ValueError, match=r"\(2, 2\) and b of shape \(3,\) differ"):
            run([a, b], out, np.eye(2), np.ones(3))


def test_misaligned_product_at_run_time() -> None:
    a, b = tt.matrix("a"), tt.matrix("b")
    with pytest.raises(ValueError, match="not aligned"):
        run([a, b], tt.tensordot(a, b, 1), np.ones((2, 3)), np.ones((4, 2)))


# -- options ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda a: la.qr(a, mode="economic"), "qr mode must be one of"),
        (lambda a: la.solve(a, a, assume_a="banded"), "assume_a must be one of"),
        (lambda a: la.solve_triangular(a, a, trans=3), "trans must be"),
        (lambda a: la.SolveTriangular(trans=-1), "trans must be 0, 1 or 2"),
        (lambda a: la.solve(a, a, b_ndim=3), "b_ndim must be 1 or 2"),
        (lambda a: la.eigh(a, UPLO="X"), "UPLO must be"),
        (lambda a: la.norm(a, ord="nuc", axis=0), "not a vector norm"),
        (lambda a: la.norm(a, ord=3), "not a matrix norm"),
        (lambda a: la.norm(a, axis=(0, 0)), "two distinct axes"),
        (lambda a: la.norm(a, axis=2), "out of bounds"),
        (lambda a: la.norm(tt.tensor3("t"), ord=1), "needs a vector or a matrix"),
        (lambda a: tt.tensordot(a, a, 3), "cannot sum over 3 axes"),
        (lambda a: tt.tensordot(a, a, ([0], [0, 1])), "pair 1 and 2 axes"),
        (lambda a: tt.tensordot(a, a, ([0, 0], [0, 1])), "not distinct axes"),
    ],
)
def test_bad_options(call: Callable[[Any], Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call(tt.matrix("a"))


def test_solve_takes_scipys_names_for_assume_a() -> None:
    a, b = tt.matrix("a"), tt.vector("b")
    for name, short in [("positive definite", "pos"), ("symmetric", "sym"), (None, "gen")]:
        node = la.solve(a, b, assume_a=name).owner
        assert node is not None and node.op.core_op.assume_a == short


def test_eigh_takes_scipys_lower() -> None:
    a = tt.matrix("a")
    for kwargs, lower in [({}, True), ({"UPLO": "U"}, False), ({"lower": False}, False)]:
        node = la.eigh(a, **kwargs)[0].owner
        assert node is not None and node.op.core_op.lower is lower
    # Only the upper triangle is read: the lower one may hold anything.
    value = np.triu(np.random.default_rng(0).normal(size=(3, 3))) + 3 * np.eye(3)
    got = run([a], la.eigvalsh(a, lower=False), value)
    np.testing.assert_allclose(got, np.linalg.eigvalsh(value, UPLO="U"))


def test_cholesky_takes_numpys_upper() -> None:
    a = tt.matrix("a")
    value = np.array([[4.0, 2.0], [2.0, 3.0]])
    for kwargs, upper in [({}, False), ({"lower": False}, True), ({"upper": True}, True)]:
        got = run([a], la.cholesky(a, **kwargs), value)
        np.testing.assert_allclose(got, np.linalg.cholesky(value, upper=upper))


def test_einsum_broadcasts_a_length_one_summed_axis_only_when_static() -> None:
    a, b = tt.matrix("a", shape=(2, 1)), tt.matrix("b", shape=(3, 2))
    values = np.ones((2, 1)), np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(
        run([a, b], tt.einsum("ij,jk", a, b), *values), np.einsum("ij,jk", *values)
    )
    # NumPy's `optimize` is accepted (and changes nothing).
    out = tt.einsum("ij,jk", a, b, optimize="greedy")
    np.testing.assert_allclose(run([a, b], out, *values), np.einsum("ij,jk", *values))
    # Unknown lengths: the product is a matrix product, which needs equal lengths.
    a, b = tt.matrix("a"), tt.matrix("b")
    with pytest.raises(ValueError, match="not aligned"):
        run([a, b], tt.einsum("ij,jk", a, b), *values)


def test_norm_axis_types_follow_numpy() -> None:
    x = tt.matrix("x")
    value = np.arange(6.0).reshape(2, 3)
    for axis in (np.int64(1), (np.int32(-1), 0)):
        got = run([x], la.norm(x, axis=axis), value)
        np.testing.assert_allclose(got, np.linalg.norm(value, axis=axis))
    for bad in (1.5, True, [0, 1]):
        with pytest.raises(TypeError, match="axis must be an int or a pair of ints"):
            la.norm(x, axis=bad)


def test_matrix_power_exponent() -> None:
    a = tt.matrix("a")
    with pytest.raises(TypeError, match="must be a Python int"):
        la.matrix_power(a, 1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="square matrices"):
        la.matrix_power(tt.vector("v"), 2)
    assert la.matrix_power(a, 1) is a
    # Repeated squaring: a**5 = a**4 @ a takes three products.
    products = [n for n in toposort([la.matrix_power(a, 5)]) if isinstance(n.op, Blockwise)]
    assert len(products) == 3
    eye = la.matrix_power(tt.matrix("s", shape=(3, 3), dtype="int8"), 0)
    assert eye.type.shape == (3, 3) and eye.dtype == "int8"
    np.testing.assert_array_equal(run([], eye), np.eye(3, dtype="int8"))


@pytest.mark.parametrize(
    ("subscripts", "ndims", "match"),
    [
        ("ij,jk", (2,), "names 2 operands, got 1"),
        ("ijk", (2,), "3 labels for 2 dimensions"),
        ("i1", (2,), "bad term"),
        ("i.j", (3,), "bad term"),
        ("ij->k", (2,), "bad output"),
        ("ij->ii", (2,), "bad output"),
        ("...i->i", (3,), "'...' in its inputs, not its output"),
        ("ijk...", (2,), "more labels than 2 dimensions"),
    ],
)
def test_einsum_parse_errors(subscripts: str, ndims: tuple[int, ...], match: str) -> None:
    operands = [tt.tensor(f"x{k}", shape=(None,) * n) for k, n in enumerate(ndims)]
    with pytest.raises(ValueError, match=match):
        tt.einsum(subscripts, *operands)
    with pytest.raises(ValueError, match="at least one operand"):
        tt.einsum("i")


def test_einsum_builds_one_product_per_pair() -> None:
    a, b, c = tt.matrix("a"), tt.matrix("b"), tt.matrix("c")
    out = tt.einsum("ij,jk,kl->li", a, b, c)
    ops = [n.op for n in toposort([out])]
    assert sum(isinstance(op, Blockwise) for op in ops) == 2
    values = [np.random.default_rng(k).normal(size=(3, 3)) for k in range(3)]
    np.testing.assert_allclose(run([a, b, c], out, *values), np.einsum("ij,jk,kl->li", *values))


def test_einsum_contraction_order() -> None:
    a, b, c = (tt.matrix(n, shape=s) for n, s in [("a", (50, 2)), ("b", (2, 50)), ("c", (50, 3))])
    values = [np.random.default_rng(k).normal(size=x.type.shape) for k, x in enumerate((a, b, c))]
    want = np.einsum("ij,jk,kl->il", *values)

    def first_product(out: Any) -> Any:
        return next(n for n in toposort([out]) if isinstance(n.op, Blockwise)).outputs[0]

    # Left to right makes a 50 x 50 matrix first; the greedy order a 2 x 3 one.
    assert first_product(tt.einsum("ij,jk,kl->il", a, b, c)).type.shape == (50, 50)
    path = np.einsum_path("ij,jk,kl->il", *values, optimize="greedy")[0]
    for optimize in (True, "greedy", path):
        out = tt.einsum("ij,jk,kl->il", a, b, c, optimize=optimize)
        assert first_product(out).type.shape == (2, 3)
        np.testing.assert_allclose(run([a, b, c], out, *values), want)
    with pytest.raises(ValueError, match="optimize must be"):
        tt.einsum("ij,jk", a, b, optimize="fast")
    with pytest.raises(ValueError, match=r"bad contraction \(0, 3\) of 3 operands"):
        tt.einsum("ij,jk,kl", a, b, c, optimize=["einsum_path", (0, 3)])
    with pytest.raises(ValueError, match="path leaves 2 operands"):
        tt.einsum("ij,jk,kl", a, b, c, optimize=["einsum_path", (0, 1)])


def test_products_keep_static_shapes() -> None:
    a, b = tt.tensor("a", shape=(2, 3, 4)), tt.tensor("b", shape=(4, 3, 5))
    assert tt.tensordot(a, b, ([1, 2], [1, 0])).type.shape == (2, 5)
    assert tt.kron(tt.matrix("m", shape=(2, 3)), b).type.shape == (4, 6, 15)
    assert tt.outer(a, tt.vector("v", shape=(7,))).type.shape == (24, 7)
    assert tt.einsum("ijk,kjl", a, b).type.shape == (2, 5)
    assert la.svd(tt.matrix("w", shape=(2, 5)), full_matrices=False)[0].type.shape == (2, 2)
    assert la.qr(tt.matrix("t", shape=(5, 2)), mode="r").type.shape == (2, 2)


def test_lstsq_residuals_length_depends_on_rank() -> None:
    a, b = tt.matrix("a"), tt.vector("b")
    residuals = la.lstsq(a, b)[1]
    full = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    deficient = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    node = residuals.owner
    assert node is not None
    (length,) = node.op.infer_shape(None, node, [(a.shape[0], a.shape[1]), (b.shape[0],)])[1]
    for value in (full, deficient, full.T[:, :2]):
        rhs = np.arange(value.shape[0], dtype=float)
        got_residuals, got_length = run([a, b], [residuals, length], value, rhs)
        want = np.linalg.lstsq(value, rhs)[1]
        assert got_residuals.shape == want.shape == (int(got_length),)


def test_cho_solve_inverts_what_cholesky_factors() -> None:
    a, b = tt.tensor3("a"), tt.matrix("b")
    x = la.cho_solve((la.cholesky(a), True), b)
    rng = np.random.default_rng(0)
    m = rng.normal(size=(2, 3, 3))
    spd = m @ m.transpose(0, 2, 1) + 3 * np.eye(3)
    rhs = rng.normal(size=(3, 2))
    np.testing.assert_allclose(spd @ run([a, b], x, spd, rhs), np.broadcast_to(rhs, (2, 3, 2)))


def test_dot_method_and_operator() -> None:
    a, b = tt.matrix("a"), tt.vector("b")
    values = np.arange(6.0).reshape(2, 3), np.arange(3.0)
    for out in (a.dot(b), a @ b, tt.dot(a, b)):
        np.testing.assert_array_equal(run([a, b], out, *values), values[0] @ values[1])


# -- core signatures ------------------------------------------------------------------------------
def test_core_ops_carry_their_signature() -> None:
    # Every op the public functions batch says with which signature (vectorize reads it).
    from tensorgraft.tensor.catalog import CASES

    seen = set()
    for case in CASES:
        if case.name.split(".")[0] not in {"linalg", "matmul", "dot", "einsum", "tensordot"}:
            continue
        _, outputs, _ = case.build(np.random.default_rng(0))
        for node in toposort(outputs):
            if isinstance(node.op, Blockwise):
                assert node.op.signature == node.op.core_op.gufunc_signature, case.name
                seen.add(type(node.op.core_op).__name__)
    ops = {n for n in la.__all__ if n[0].isupper()} | {"Dot"}
    assert seen == ops - {"Lstsq"}, "Lstsq is the one op that is not batched"
