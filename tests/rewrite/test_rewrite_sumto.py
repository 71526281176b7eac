"""SumTo's rules (scalings move inside, nested ones compose) and fusion across earlier
readers: the graphs they make and their values against NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Variable
from tensorgraft.rewrite import RewriteEvent, rewrite_graph
from tensorgraft.rewrite.testing import evaluate, op_names
from tensorgraft.tensor.scalar_ops import Composite

RNG = np.random.default_rng(7)


def _rewrite(out: Variable | list[Variable], phases: tuple[str, ...] = ("canonicalize",)) -> Any:
    events: list[RewriteEvent] = []
    new = rewrite_graph(out, include=phases, trace=events)
    return new, [e.rule for e in events]


def _sum_to_numpy(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """x summed down to `shape` (broadcasting in reverse), written with NumPy only."""
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + k for k, n in enumerate(shape) if n == 1 and x.shape[lead + k] != 1
    )
    return np.sum(x, axis=axes, keepdims=True).reshape(shape)


# (target length of y, length of x): y broadcasts against x (summed) or matches it (not).
LENGTHS = [(1, 4), (4, 4)]


@pytest.mark.parametrize(("ny", "nx"), LENGTHS)
@pytest.mark.parametrize(
    ("build", "scale"),
    [
        (lambda s: -s, lambda v: -v),
        (lambda s: 2.5 * s, lambda v: 2.5 * v),
        (lambda s: s / 4.0, lambda v: v / 4.0),
    ],
    ids=["neg", "mul", "div"],
)
def test_a_scaling_moves_inside_sum_to(build: Any, scale: Any, ny: int, nx: int) -> None:
    x, y = tt.vector("x"), tt.vector("y")
    out = build(tt.sum_to(x * y, tt.shape(y)))
    new, rules = _rewrite(out)
    assert "scale_into_sum_to" in rules
    names = op_names(new)
    assert names[-1] == "SumTo" and names.count("SumTo") == 1  # the scaling is inside
    xv, yv = RNG.normal(size=nx), RNG.normal(size=ny)
    want = scale(_sum_to_numpy(xv * yv, yv.shape))
    for graph in (out, new):
        got = evaluate([graph], {x: xv, y: yv})[0]
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-13)


def test_a_scaling_stays_where_sum_to_has_another_use() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    s = tt.sum_to(x * y, tt.shape(y))
    _, rules = _rewrite([-s, tt.exp(s)])
    assert "scale_into_sum_to" not in rules  # else x * y would be summed twice


def test_a_scaling_by_a_vector_stays_outside() -> None:
    x, y, z = tt.vector("x"), tt.vector("y"), tt.vector("z")
    _, rules = _rewrite(z * tt.sum_to(x * y, tt.shape(y)))
    assert "scale_into_sum_to" not in rules


@pytest.mark.parametrize("dtype", ["int8", "float32"])
def test_integer_sums_keep_their_negation_outside(dtype: str) -> None:
    # sum_to widens int8 to int64: -sum_to(x) is not sum_to(-x) where -x wraps in int8.
    x, y = tt.vector("x", dtype=dtype), tt.vector("y", dtype=dtype)
    out = -tt.sum_to(x, tt.shape(y))
    new, rules = _rewrite(out)
    assert ("scale_into_sum_to" in rules) == (dtype == "float32")
    xv = np.array([-128, 5, 7], dtype=dtype)
    yv = np.ones(1, dtype=dtype)
    want = -np.sum(xv, dtype=np.result_type(np.sum(xv)), keepdims=True)
    got = evaluate([new], {x: xv, y: yv})[0]
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize(("s1", "s2"), [((3, 4), (1, 4)), ((1, 4), (1, 1)), ((3, 4), (3, 4))])
def test_sum_to_of_sum_to_is_one_sum_to(s1: tuple[int, int], s2: tuple[int, int]) -> None:
    x = tt.tensor("x", shape=(None, None, None))
    a, b = tt.matrix("a"), tt.matrix("b")
    out = tt.sum_to(tt.sum_to(x, tt.shape(a)), tt.shape(b))
    new, rules = _rewrite(out)
    assert "sum_to_of_sum_to" in rules and op_names(new).count("SumTo") == 1
    xv = RNG.normal(size=(2, 3, 4))
    values = {x: xv, a: np.zeros(s1), b: np.zeros(s2)}
    want = _sum_to_numpy(_sum_to_numpy(xv, s1), s2)
    np.testing.assert_allclose(evaluate([new], values)[0], want, rtol=1e-13)
    np.testing.assert_allclose(evaluate([out], values)[0], want, rtol=1e-13)


def test_gradient_of_a_broadcast_difference_scales_inside_sum_to() -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    t, y, s = tt.vector("t"), tt.vector("y"), tt.vector("s")
    cost = tt.sum(((y - t) / s) ** 2)
    (g,) = autodiff.grad(cost, [t])
    new, _ = _rewrite(g, ("canonicalize", "stabilize", "specialize"))
    names = op_names(new)
    assert names.count("SumTo") == 1 and names[-1] == "SumTo"  # no Neg after it
    tv, yv, sv = RNG.normal(size=5), RNG.normal(size=5), RNG.uniform(1, 2, size=5)
    want = -2 * (yv - tv) / sv**2
    np.testing.assert_allclose(evaluate([new], {t: tv, y: yv, s: sv})[0], want, rtol=1e-12)
    # t of length 1 broadcasts: its gradient sums.
    got = evaluate([new], {t: tv[:1], y: yv, s: sv})[0]
    np.testing.assert_allclose(got, [np.sum(-2 * (yv - tv[0]) / sv**2)], rtol=1e-12)


def _composites(outs: list[Variable]) -> list[Composite]:
    from tensorgraft.graph.traversal import toposort

    return [
        n.op.scalar_op
        for n in toposort(outs)
        if isinstance(getattr(n.op, "scalar_op", None), Composite)
    ]


def test_a_value_read_earlier_elsewhere_fuses_into_a_later_root() -> None:
    # r is read by sqr(r) (whose sum comes first) and by -r / s: one loop makes both.
    y, t, s = tt.vector("y"), tt.vector("t"), tt.vector("s")
    r = (y - t) / s
    outs = [tt.sum(tt.sqr(r)), -r / s]
    new = rewrite_graph(outs, include=("fusion",))
    (composite,) = _composites(new)
    assert composite.nout == 2
    inner = [n.op.name for n in composite._nodes]
    assert inner.count("sub") == 1 and inner.count("true_div") == 2  # r computed once
    yv, tv, sv = RNG.normal(size=6), RNG.normal(size=6), RNG.uniform(1, 2, size=6)
    rv = (yv - tv) / sv
    got = evaluate(new, {y: yv, t: tv, s: sv})
    np.testing.assert_allclose(got[0], np.sum(rv**2), rtol=1e-13)
    np.testing.assert_allclose(got[1], -rv / sv, rtol=1e-13)


def test_a_reader_that_leads_to_the_root_is_not_fused_over() -> None:
    # exp(x) is read by sum(exp(x)), which the root reads: fusing would make a cycle.
    x = tt.vector("x")
    e = tt.exp(tt.sin(x))
    out = [tt.sqr(e) + 1, e * tt.sum(tt.cos(e))]
    new = rewrite_graph(out, include=("fusion",))
    xv = RNG.normal(size=5)
    ev = np.exp(np.sin(xv))
    got = evaluate(new, {x: xv})
    np.testing.assert_allclose(got[0], ev**2 + 1, rtol=1e-13)
    np.testing.assert_allclose(got[1], ev * np.sum(np.cos(ev)), rtol=1e-13)


def test_fusing_a_fused_graph_again_inlines_the_composites() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    (inner,) = rewrite_graph([tt.exp(tt.sin(x)) * y], include=("fusion",))
    (new,) = rewrite_graph([tt.log1p(tt.sqr(inner)) - x], include=("fusion",))
    (composite,) = _composites([new])
    assert not any(isinstance(n.op, Composite) for n in composite._nodes)
    xv, yv = RNG.normal(size=4), RNG.normal(size=4)
    want = np.log1p((np.exp(np.sin(xv)) * yv) ** 2) - xv
    np.testing.assert_allclose(evaluate([new], {x: xv, y: yv})[0], want, rtol=1e-13)


def test_rewritten_gradient_runs_on_the_python_backend() -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    from tensorgraft.compile import function

    t, y, s = tt.vector("t"), tt.vector("y"), tt.vector("s")
    r = (y - t) / s
    cost = tt.sum(r**2)
    (g,) = autodiff.grad(cost, [t])
    f = function([t, y, s], [cost, g], mode="python")
    tv, yv, sv = RNG.normal(size=5), RNG.normal(size=5), RNG.uniform(1, 2, size=5)
    got = f(tv, yv, sv)
    np.testing.assert_allclose(got[0], np.sum(((yv - tv) / sv) ** 2), rtol=1e-13)
    np.testing.assert_allclose(got[1], -2 * (yv - tv) / sv**2, rtol=1e-13)


UNARY = [tt.neg, tt.sin, tt.tanh, tt.sqr, lambda a: a / 3.0, lambda a: -a * 2.0]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    lambda a, b: a / (1 + tt.sqr(b)),
]


@pytest.mark.parametrize("seed", range(0, 120, 12))
def test_random_graphs_with_early_readers_keep_their_values(seed: int) -> None:
    # Values read by several nodes and sums in between: fusion across earlier readers
    # must make no cycle (integrity) and keep every output's values.
    from tensorgraft.rewrite import default_pipeline
    from tensorgraft.rewrite.engine import clone_for_rewrite

    for k in range(seed, seed + 12):
        rng = np.random.default_rng(k)
        xs = [tt.vector(f"x{i}") for i in range(3)]
        vals: list[Variable] = list(xs)
        for _ in range(int(rng.integers(3, 15))):
            u = rng.random()
            pick = [vals[int(j)] for j in rng.integers(0, len(vals), 2)]
            if u < 0.35:
                vals.append(UNARY[int(rng.integers(len(UNARY)))](pick[0]))
            elif u < 0.85:
                vals.append(BINARY[int(rng.integers(len(BINARY)))](*pick))
            else:
                vals.append(pick[0] * tt.sum(pick[1]))
        outs = [vals[int(j)] for j in rng.choice(np.arange(3, len(vals)), 3)]
        fgraph = clone_for_rewrite(outs)
        default_pipeline(fgraph)
        fgraph.check_integrity()
        values = {x: rng.uniform(-1, 1, 5) for x in xs}
        want = evaluate(outs, values)
        got = evaluate(fgraph.outputs, {v: values[v] for v in fgraph.inputs})
        for a, b in zip(want, got, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
