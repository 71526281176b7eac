"""Random elementwise / reduction graphs keep their values through the default pipeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph import FunctionGraph
from tensorgraft.graph.basic import Variable
from tensorgraft.rewrite import default_pipeline
from tensorgraft.rewrite.inplace import check_destroy_maps
from tensorgraft.rewrite.testing import evaluate

# Operations on values kept in a moderate range (so both forms are well conditioned).
UNARY: list[Callable[[Any], Any]] = [
    tt.neg,
    tt.sin,
    tt.tanh,
    lambda a: tt.exp(tt.sin(a)),
    lambda a: tt.log(1 + tt.sqr(a)),
    lambda a: tt.log1p(tt.exp(tt.tanh(a))),
    lambda a: a * 1,
    lambda a: a + 0,
    lambda a: a**2,
    lambda a: a**3,
    lambda a: tt.neg(tt.neg(a)),
    lambda a: 2 * a * 3,
    lambda a: tt.log(tt.exp(a)),
    lambda a: tt.sqrt(1 + tt.sqr(a)),
    lambda a: 1 / (1 + tt.exp(-a)),
    lambda a: tt.exp(a / 4) - 1,
    lambda a: tt.sum(a, axis=0, keepdims=True) / 3 + a,
    lambda a: tt.transpose(tt.transpose(a)),
    # A fresh array (alloc) read by elementwise ops only: the in-place phase reuses it.
    lambda a: tt.exp(tt.alloc(tt.sum(a, axis=0), a.shape[0], a.shape[1]) / 4),
]
# Binary operations with a bound on |result| given bounds on |a| and |b|: a value whose
# bound grows too large is squashed by tanh, so no graph ever holds inf or nan (the
# canonical x - x -> 0 and x / x -> 1 do not keep those, see README.md).
BINARY: list[tuple[Callable[[Any, Any], Any], Callable[[float, float], float]]] = [
    (lambda a, b: a + b, lambda p, q: p + q),
    (lambda a, b: a - b, lambda p, q: p + q),
    (lambda a, b: a * b, lambda p, q: p * q),
    (lambda a, b: (a + b) + (a + 1), lambda p, q: 2 * p + q + 1),
    (lambda a, b: tt.maximum(a, b), max),
    (lambda a, b: tt.switch(a > b, a, b * 0.5), max),
    (lambda a, b: a / (1 + tt.sqr(b)), lambda p, q: p),
    (lambda a, b: (a - a) + b, lambda p, q: q),
    (lambda a, b: a * ((1 + tt.sqr(b)) / (1 + tt.sqr(b))), lambda p, q: p),
]
LARGE = 1e6
INDICES: list[Any] = [(1, 2), (0,), (slice(None), 3), (slice(1, None), slice(None, 2)), (-1, -1)]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[Variable], Variable]:
    x, y = tt.matrix("x"), tt.matrix("y")
    pool: list[tuple[Variable, float]] = [(x, 2.0), (y, 2.0)]  # inputs are in [-2, 2]
    for _ in range(draw(st.integers(1, 12))):
        a, p = draw(st.sampled_from(pool))
        if draw(st.booleans()):
            op = draw(st.sampled_from(UNARY))
            pool.append((tt.tanh(op(a)), 1.0))
        else:
            op2, bound = draw(st.sampled_from(BINARY))
            b, q = draw(st.sampled_from(pool))
            value, r = op2(a, b), bound(p, q)
            pool.append((tt.tanh(value), 1.0) if r > LARGE else (value, r))
    out = pool[-1][0] + draw(st.sampled_from(pool))[0]
    choice = draw(st.integers(0, 2))
    if choice == 1:
        out = tt.sum(out, axis=draw(st.sampled_from([0, 1, None])))
    elif choice == 2:  # an entry, a row, a column or a block: lifted through the graph
        out = out[draw(st.sampled_from(INDICES))]
    return [x, y], out


@settings(max_examples=60, deadline=None)
@given(graphs(), st.integers(0, 2**32 - 1))
def test_default_pipeline_keeps_values(graph: tuple[list[Variable], Variable], seed: int) -> None:
    inputs, out = graph
    rng = np.random.default_rng(seed)
    values = [rng.uniform(-2, 2, (3, 4)) for _ in inputs]
    want = evaluate([out], dict(zip(inputs, values, strict=True)))[0]
    f = function(inputs, out, on_unused_input="ignore")
    got = f(*values)
    assert np.asarray(got).dtype == want.dtype and np.shape(got) == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(graphs(), st.integers(0, 2**32 - 1))
def test_inplace_pipeline_keeps_values_and_inputs(
    graph: tuple[list[Variable], Variable], seed: int
) -> None:
    # The whole pipeline, in-place phase included, run node by node on the very arrays
    # (copy=False): a destroyed value read later, or a user's input overwritten, shows.
    inputs, out = graph
    rng = np.random.default_rng(seed)
    values = [rng.uniform(-2, 2, (3, 4)) for _ in inputs]
    saved = [v.copy() for v in values]
    want = evaluate([out], dict(zip(inputs, saved, strict=True)))[0]
    fgraph = FunctionGraph(inputs, [out])
    default_pipeline(fgraph)
    check_destroy_maps(fgraph)
    got = evaluate(fgraph.outputs, dict(zip(fgraph.inputs, values, strict=True)), copy=False)[0]
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)
    for v, s in zip(values, saved, strict=True):
        np.testing.assert_array_equal(v, s)
