"""The coverage listing, and which nodes a compiled function runs as C."""

from __future__ import annotations

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_c import CBackend, compile_report
from tensorgraft.compile_c.coverage import CALLBACK, PARTIAL, C, coverage, format_coverage
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise


def test_every_catalog_op_runs_as_c_or_calls_back() -> None:
    listing = coverage()
    allowed = (C, CALLBACK, *PARTIAL.values())
    bad = {
        t.__name__: how
        for t, how in listing.items()
        if how not in allowed and not how.startswith(f"{CALLBACK}: ")
    }
    assert not bad, bad
    for t in (Elemwise, DimShuffle, type(ts.add), type(ts.exp), ts.Cast, ts.Composite):
        assert listing[t] == C, t
    assert t.__name__ in format_coverage()


def test_report_names_fused_c_nodes_and_callbacks() -> None:
    x = tt.matrix("x")
    fn = function([x], [tt.exp(tt.sin(x)), tt.linalg.pinv(x)], mode=CBackend())
    report = dict(compile_report(fn))
    assert report["Composite{exp(sin(i0))}"] == C
    assert CALLBACK in report.values()
    xv = np.random.default_rng(0).normal(size=(3, 3))
    e, d = fn(xv)
    np.testing.assert_allclose(e, np.exp(np.sin(xv)), rtol=1e-12)
    np.testing.assert_allclose(d, np.linalg.pinv(xv), rtol=1e-10)


def test_in_place_elemwise_writes_into_the_destroyed_buffer() -> None:
    x = tt.matrix("x")
    fn = function([x], tt.exp(tt.sum(x, axis=0)) * 2.0, mode=CBackend())
    destroyers = [n for n in fn.fgraph.toposort() if n.op.destroy_map]
    assert destroyers, "the inplace rewrites should have made the Composite in-place"
    assert dict(compile_report(fn))[str(destroyers[0].op)] == C
    xv = np.random.default_rng(0).normal(size=(3, 4))
    for value in (xv, xv[:, ::2], np.asfortranarray(xv)):
        np.testing.assert_allclose(fn(value), np.exp(value.sum(axis=0)) * 2.0, rtol=1e-12)


def test_deliberate_callbacks_give_their_reason() -> None:
    listing = {t.__name__: how for t, how in coverage().items()}
    for name, words in [
        ("Lstsq", "gelsd"),
        ("Pinv", "gesdd"),
        ("Digamma", "SciPy"),
    ]:
        assert listing[name].startswith(f"{CALLBACK}: "), name
        assert words in listing[name], name


def test_dimshuffle_of_any_dtype_is_a_c_view() -> None:
    x = tt.tensor("x", dtype="complex128", shape=(None, None))
    fn = function([x], x.T[:, None, :], mode=CBackend())
    (how,) = {how for op, how in compile_report(fn) if op.startswith("DimShuffle")}
    assert how == C
    xv = np.arange(6.0).reshape(2, 3) * (1 + 2j)
    np.testing.assert_array_equal(fn(xv), xv.T[:, None, :])
    np.testing.assert_array_equal(fn(xv[:, ::2]), xv[:, ::2].T[:, None, :])
