"""vectorize(fn, signature): a batched function from a Python function over core graphs."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.vectorize import vectorize, vectorize_graph


def test_signature_gives_the_core_dimensions() -> None:
    row_norm = vectorize(lambda v: tt.sqrt((v * v).sum()), signature="(n)->()")
    m = tt.tensor3("m")
    out = row_norm(m)
    assert isinstance(out, tt.TensorVariable) and out.ndim == 2
    mv = np.arange(24.0).reshape(2, 3, 4)
    got = function([m], out, mode="python")(mv)
    np.testing.assert_allclose(got, np.linalg.norm(mv, axis=-1))


def test_without_a_signature_every_core_is_a_scalar() -> None:
    clip = vectorize(lambda a, lo: tt.maximum(a, lo))
    a, lo = tt.matrix("a"), tt.vector("lo")
    av, lov = np.arange(6.0).reshape(2, 3) - 2, np.array([0.0, 1.0, -5.0])
    got = function([a, lo], clip(a, lo), mode="python")(av, lov)
    np.testing.assert_allclose(got, np.maximum(av, lov))


def test_arguments_broadcast_over_their_batch_dimensions() -> None:
    inner = vectorize(lambda u, v: (u * v).sum(), signature="(n),(n)->()")
    u, v = tt.tensor("u", shape=(4, 1, 3)), tt.tensor("v", shape=(5, 3))
    out = inner(u, v)
    assert out.type.shape == (4, 5)  # type: ignore[union-attr]
    uv, vv = np.ones((4, 1, 3)), np.arange(15.0).reshape(5, 3)
    np.testing.assert_allclose(function([u, v], out, mode="python")(uv, vv), np.sum(uv * vv, -1))


def test_outputs_that_ignore_an_argument_still_get_the_full_batch() -> None:
    first = vectorize(lambda a, b: [a * 2, b], signature="(),()->(),()")
    a, b = tt.vector("a"), tt.matrix("b")
    out_a, out_b = first(a, b)
    av, bv = np.arange(3.0), np.ones((2, 1))
    got_a, got_b = function([a, b], [out_a, out_b], mode="python")(av, bv)
    np.testing.assert_allclose(got_a, np.broadcast_to(av * 2, (2, 3)))
    np.testing.assert_allclose(got_b, np.broadcast_to(bv, (2, 3)))


def test_several_outputs_with_matrix_cores() -> None:
    both = vectorize(lambda a, b: [a @ b, (a @ b).sum()], signature="(m,k),(k,n)->(m,n),()")
    a, b = tt.tensor3("a"), tt.matrix("b")
    prod, total = both(a, b)
    av, bv = np.arange(12.0).reshape(2, 2, 3), np.arange(6.0).reshape(3, 2)
    got_p, got_t = function([a, b], [prod, total], mode="python")(av, bv)
    np.testing.assert_allclose(got_p, av @ bv)
    np.testing.assert_allclose(got_t, (av @ bv).sum(axis=(1, 2)))


def test_errors_name_the_function_and_the_argument() -> None:
    def norm(v: tt.TensorVariable) -> tt.TensorVariable:
        return (v * v).sum()

    with pytest.raises(TypeError, match="takes 1 arguments, got 2"):
        vectorize(norm, signature="(n)->()")(tt.vector("u"), tt.vector("w"))
    with pytest.raises(ValueError, match=r"'s'.*needs 1"):
        vectorize(norm, signature="(n)->()")(tt.scalar("s"))
    with pytest.raises(ValueError, match=r"norm.*output 0"):
        vectorize(norm, signature="(n)->(n)")(tt.matrix("m"))


def test_a_core_dimension_has_one_length_across_the_arguments() -> None:
    inner = vectorize(lambda u, v: (u * v).sum(), signature="(n),(n)->()")
    u, v = tt.matrix("u", shape=(2, 3)), tt.matrix("v", shape=(2, 4))
    with pytest.raises(ValueError, match=r"core dimension 'n'.*3 in 'u'.*4 in 'v'"):
        inner(u, v)


def test_a_batched_function_composes_with_vectorize_graph() -> None:
    # vectorize of vectorize: rows of a matrix of matrices, then a batch of those.
    row_sums = vectorize(lambda v: v.sum(), signature="(n)->()")
    m = tt.matrix("m", shape=(2, 3))
    sums = row_sums(m)
    assert isinstance(sums, tt.TensorVariable)
    batch = tt.tensor3("batch", shape=(None, 2, 3))
    out = vectorize_graph(sums, {m: batch})
    bv = np.arange(24.0).reshape(4, 2, 3)
    np.testing.assert_allclose(function([batch], out, mode="python")(bv), bv.sum(axis=-1))
