"""Acceptance tests for issue 4 (the rewrite package), written from the issue text."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator

import numpy as np
import pytest
import scipy.special

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph import graph_replace
from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.traversal import toposort
from tensorgraft.rewrite import RULES, RewriteError, register_pattern, rewrite_graph
from tensorgraft.rewrite.testing import evaluate, op_names
from tensorgraft.tensor import scalar_ops as ts


def expr(var: Variable) -> str:
    """`Reciprocal(Add(1, x))`: a graph as a call expression, scalar constants as numbers."""
    if isinstance(var, Constant):
        data = np.asarray(var.data)
        if data.size == 1 or (data.size and np.all(data == data.flat[0])):
            return f"{data.flat[0]:g}"
        return str(var)
    if var.owner is None:
        return str(var.name)
    op = var.owner.op
    name = type(getattr(op, "scalar_op", op)).__name__
    # ExpandDims/DimShuffle of a constant is just the constant for reading.
    if name in ("ExpandDims", "DimShuffle") and isinstance(var.owner.inputs[0], Constant):
        return expr(var.owner.inputs[0])
    return f"{name}({', '.join(expr(i) for i in var.owner.inputs)})"


def names(var: Variable | list[Variable]) -> set[str]:
    return set(op_names(var))


# ---- the seed workflow -----------------------------------------------------------------------


def test_seed_log1p() -> None:
    x = tt.vector("x", shape=(3,))
    new = rewrite_graph(tt.log(1 + x), include=("stabilize",))
    assert expr(new) == "Log1p(x)"
    assert new.owner.inputs[0] is x


def test_seed_softplus_after_graph_replace() -> None:
    x, log_x = tt.vector("x", shape=(3,)), tt.vector("log_x", shape=(3,))
    y = tt.log(1 + x)
    new = rewrite_graph(graph_replace(y, {x: tt.exp(log_x)}), include=("stabilize",))
    assert expr(new) == "Softplus(log_x)"
    # the user's graph is unchanged
    assert expr(y) == "Log(Add(1, x))"


def test_seed_gradient_reads_reciprocal() -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    x = tt.vector("x", shape=(3,))
    g = autodiff.grad(tt.log1p(x).sum(), x)
    assert expr(rewrite_graph(g, include=("canonicalize", "specialize"))) == "Reciprocal(Add(1, x))"


def test_seed_scalarize_vectorized_graph() -> None:
    vec = pytest.importorskip("tensorgraft.vectorize")
    x = tt.vector("x", shape=(3,))
    new_x = tt.matrix("new_x", shape=(2, 3))
    new_y = vec.vectorize_graph(tt.log(1 + x), replace={x: new_x})
    out = rewrite_graph(new_y[0, 1])
    assert out.type.shape == ()
    # only one entry is computed: the log and add are on 0-d values
    for node in toposort([out]):
        if type(getattr(node.op, "scalar_op", None)).__name__ in ("Log", "Add", "Log1p"):
            assert all(o.type.ndim == 0 for o in node.outputs), op_names(out)
    a = np.random.default_rng(0).uniform(size=(2, 3))
    np.testing.assert_allclose(evaluate([out], {new_x: a})[0], np.log(1 + a[0, 1]))


# ---- engine ----------------------------------------------------------------------------------


def test_trace_true_prints_rules_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    x = tt.vector("x")
    rewrite_graph(tt.log(1 + tt.exp(x)), include=("stabilize",), trace=True)
    out = capsys.readouterr().out
    assert out.strip(), "trace=True printed nothing"
    assert "softplus" in out.lower()


def test_trace_collects_events_in_order() -> None:
    x = tt.vector("x")
    events: list = []
    rewrite_graph((x * 1) + 0, include=("canonicalize",), trace=events)
    assert len(events) >= 2
    assert all(e.rule and e.node for e in events)


def test_default_include_is_canonicalize() -> None:
    x = tt.vector("x")
    # canonicalize removes x * 1 but does not stabilize log(1 + x)
    assert rewrite_graph(x * 1) is x
    assert "Log1p" not in names(rewrite_graph(tt.log(1 + x)))


def test_exclude_by_tag_and_by_rule_name() -> None:
    x = tt.vector("x")
    y = tt.log(1 + x)
    assert "Log1p" not in names(rewrite_graph(y, include=("stabilize",), exclude=("stabilize",)))
    events: list = []
    rewrite_graph(y, include=("stabilize",), trace=events)
    rule = next(e.rule for e in events if "log1p" in str(e).lower())
    assert "Log1p" not in names(rewrite_graph(y, include=("stabilize",), exclude=(rule,)))


def test_commutative_matching() -> None:
    x = tt.vector("x")
    for y in (tt.log(x + 1), tt.log(1 + x)):
        assert expr(rewrite_graph(y, include=("stabilize",))) == "Log1p(x)"


def test_cse_merges_identical_nodes_and_constants() -> None:
    x = tt.vector("x")
    a = tt.exp(x) + tt.constant(2.0)
    b = tt.exp(x) + tt.constant(2.0)
    out = rewrite_graph([a, b])
    assert out[0] is out[1]


_LOOP = ("accept_sin_to_cos", "accept_cos_to_sin")


@pytest.fixture
def cycling_rules() -> Iterator[None]:
    """Two public rules that undo each other, removed again so other tests never see them."""
    register_pattern(_LOOP[0], (ts.sin, "x"), (ts.cos, "x"), "accept_loop")
    register_pattern(_LOOP[1], (ts.cos, "x"), (ts.sin, "x"), "accept_loop")
    try:
        yield
    finally:
        for name in _LOOP:
            RULES.pop(name, None)


@pytest.mark.usefixtures("cycling_rules")
def test_loop_guard_names_rules() -> None:
    x = tt.vector("x")
    with pytest.raises(RewriteError) as info:
        rewrite_graph(tt.sin(x), include=("accept_loop",))
    msg = str(info.value)
    assert _LOOP[0] in msg and _LOOP[1] in msg
    assert len(msg) < 2000


def test_pipeline_registered_through_entry_point() -> None:
    eps = importlib.metadata.entry_points(group="tensorgraft.rewriters")
    assert any(ep.value.startswith("tensorgraft.rewrite") for ep in eps)


def test_function_runs_the_pipeline() -> None:
    x = tt.vector("x")
    f = function([x], tt.log(1 + tt.exp(x)), mode="python")
    np.testing.assert_allclose(f(np.array([-800.0, 0.0, 800.0])), [0.0, np.log(2), 800.0])
    g = function([x], tt.log(1 + x), mode="python")
    np.testing.assert_allclose(g(np.array([1e-20])), [1e-20])


# ---- useless nodes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda x: x * 1,
        lambda x: x + 0,
        lambda x: 0 + x,
        lambda x: x**1,
        lambda x: x.T.T,
        lambda x: x.reshape((3, 4)),
        lambda x: tt.cast(x, "float64"),
        lambda x: tt.broadcast_to(x, (3, 4)),
        lambda x: tt.switch(tt.constant(True), x, tt.exp(x)),
        lambda x: tt.switch(tt.constant(False), tt.exp(x), x),
        lambda x: x - 0,
        lambda x: x / 1,
    ],
)
def test_useless_nodes_are_removed(build) -> None:
    x = tt.matrix("x", shape=(3, 4))
    assert rewrite_graph(build(x)) is x


def test_constant_folding() -> None:
    c = tt.constant(np.arange(3.0))
    x = tt.vector("x", shape=(3,))
    out = rewrite_graph(x + tt.exp(c) * 2)
    consts = [i for n in toposort([out]) for i in n.inputs if isinstance(i, Constant)]
    assert "Exp" not in names(out)
    assert any(np.allclose(k.data, np.exp(np.arange(3.0)) * 2) for k in consts)


# ---- canonicalize ----------------------------------------------------------------------------


def test_cancel_x_over_x_and_x_minus_x() -> None:
    x = tt.vector("x", shape=(3,))
    for y, val in ((x / x, 1.0), (x - x, 0.0)):
        out = rewrite_graph(y)
        assert not names(out) & {"TrueDiv", "Sub"}, names(out)
        np.testing.assert_allclose(
            evaluate([out], {x: np.array([1.0, 2.0, 3.0])})[0], np.full(3, val)
        )


def test_shape_computed_from_shapes_not_values() -> None:
    x = tt.matrix("x")
    out = rewrite_graph(tt.exp(x @ x.T).shape)
    assert "Exp" not in names(out) and "Matmul" not in names(out) and "Dot" not in names(out)
    a = np.ones((3, 2))
    np.testing.assert_array_equal(evaluate([out], {x: a})[0], [3, 3])


def test_scalarization_through_big_elementwise_graph() -> None:
    x = tt.matrix("x", shape=(1000, 1000))
    y = tt.tanh(tt.exp(x) * 2 + tt.sin(x.T))
    out = rewrite_graph(y[3, 7])
    for node in toposort([out]):
        if getattr(node.op, "scalar_op", None) is not None:
            assert all(o.type.ndim == 0 for o in node.outputs)
    a = np.random.default_rng(1).normal(size=(1000, 1000))
    np.testing.assert_allclose(
        evaluate([out], {x: a})[0], np.tanh(np.exp(a[3, 7]) * 2 + np.sin(a[7, 3]))
    )


def test_neg_does_not_hide_stabilize_patterns() -> None:
    x = tt.vector("x")
    # canonicalize then stabilize, as the pipeline does: log(1 - x) still stabilizes
    out = rewrite_graph(tt.log(1 - x), include=("canonicalize", "stabilize"))
    assert "Log1p" in names(out)
    v = np.array([1e-20])
    np.testing.assert_allclose(evaluate([out], {x: v})[0], np.log1p(-v))
    out2 = rewrite_graph(tt.log(1 + tt.exp(-x)), include=("canonicalize", "stabilize"))
    assert "Softplus" in names(out2)


# ---- stabilize: each rule by hand-built graph, structure and accuracy ------------------------

XV = tt.vector("xv")
STABILIZE = [
    ("log1p", lambda x: tt.log(1 + x), "Log1p", np.array([1e-20, 1e-10]), np.log1p),
    (
        "log1p_neg",
        lambda x: tt.log(1 - x),
        "Log1p",
        np.array([1e-20, 1e-10]),
        lambda v: np.log1p(-v),
    ),
    (
        "softplus",
        lambda x: tt.log(1 + tt.exp(x)),
        "Softplus",
        np.array([-800.0, 800.0]),
        lambda v: np.logaddexp(0, v),
    ),
    (
        "softplus1p",
        lambda x: tt.log1p(tt.exp(x)),
        "Softplus",
        np.array([-800.0, 800.0]),
        lambda v: np.logaddexp(0, v),
    ),
    (
        "log1mexp",
        lambda x: tt.log(1 - tt.exp(x)),
        "Log1mexp",
        np.array([-1e-20, -800.0]),
        lambda v: np.log(-np.expm1(v)),
    ),
    ("expm1", lambda x: tt.exp(x) - 1, "Expm1", np.array([1e-20, -1e-12]), np.expm1),
    (
        "log_sigmoid",
        lambda x: tt.log(tt.sigmoid(x)),
        "Softplus",
        np.array([-800.0, 800.0]),
        lambda v: -np.logaddexp(0, -v),
    ),
    (
        "log_1m_sigmoid",
        lambda x: tt.log(1 - tt.sigmoid(x)),
        "Softplus",
        np.array([-800.0, 800.0]),
        lambda v: -np.logaddexp(0, v),
    ),
    (
        "sigmoid",
        lambda x: 1 / (1 + tt.exp(-x)),
        "Sigmoid",
        np.array([-800.0, 800.0]),
        scipy.special.expit,
    ),
    ("log_exp", lambda x: tt.log(tt.exp(x)), None, np.array([-800.0, 800.0]), lambda v: v),
    ("erfc", lambda x: 1 - tt.erf(x), "Erfc", np.array([6.0, 10.0]), scipy.special.erfc),
    (
        "log_erfc",
        lambda x: tt.log(tt.erfc(x)),
        "Erfcx",
        np.array([30.0, 100.0]),
        lambda v: np.log(scipy.special.erfcx(v)) - v**2,
    ),
]


@pytest.mark.parametrize("case", STABILIZE, ids=[c[0] for c in STABILIZE])
def test_stabilize_rule(case) -> None:
    _, build, op, values, ref = case
    x = tt.vector("x")
    y = build(x)
    out = rewrite_graph(y, include=("canonicalize", "stabilize"))
    if op is not None:
        assert op in names(out), names(out)
    got = evaluate([out], {x: values})[0]
    expected = ref(values)
    assert np.all(np.isfinite(got)), got
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_log_exp_cancels_to_x() -> None:
    x = tt.vector("x")
    assert rewrite_graph(tt.log(tt.exp(x)), include=("canonicalize", "stabilize")) is x


def test_exp_log_only_where_valid() -> None:
    x = tt.vector("x")
    out = rewrite_graph(tt.exp(tt.log(x)), include=("canonicalize", "stabilize"))
    # exp(log(x)) is nan for x < 0: the rewrite must keep that (or not fire)
    got = evaluate([out], {x: np.array([-1.0, 2.0])})[0]
    assert np.isnan(got[0]) and got[1] == pytest.approx(2.0)


def test_logsumexp_with_max_shift() -> None:
    x = tt.vector("x")
    out = rewrite_graph(tt.log(tt.sum(tt.exp(x))), include=("canonicalize", "stabilize"))
    v = np.array([1000.0, 1000.0, -5.0])
    np.testing.assert_allclose(evaluate([out], {x: v})[0], scipy.special.logsumexp(v))
    m = tt.matrix("m")
    out2 = rewrite_graph(tt.log(tt.exp(m).sum(axis=1)), include=("canonicalize", "stabilize"))
    a = np.array([[800.0, 801.0], [-900.0, -899.0]])
    np.testing.assert_allclose(evaluate([out2], {m: a})[0], scipy.special.logsumexp(a, axis=1))


def test_log_softmax() -> None:
    x = tt.vector("x")
    out = rewrite_graph(tt.log(tt.softmax(x)), include=("canonicalize", "stabilize"))
    assert "LogSoftmax" in names(out), names(out)
    v = np.array([0.0, 1000.0, -1000.0])
    np.testing.assert_allclose(evaluate([out], {x: v})[0], scipy.special.log_softmax(v))


# ---- specialize ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "op", "forbidden"),
    [
        (lambda x: x**2, "Sqr", "Pow"),
        (lambda x: x**0.5, "Sqrt", "Pow"),
        (lambda x: x**-1, "Reciprocal", "Pow"),
        (lambda x: 1 / x, "Reciprocal", "TrueDiv"),
        (lambda x: x**-0.5, "Reciprocal", "Pow"),
        (lambda x: x**3, "Mul", "Pow"),
        (lambda x: x * -1, "Neg", "Mul"),
        (lambda x: -1 * x, "Neg", "Mul"),
    ],
)
def test_specialize(build, op: str, forbidden: str) -> None:
    x = tt.vector("x")
    out = rewrite_graph(build(x), include=("canonicalize", "specialize"))
    got_names = names(out)
    assert op in got_names and forbidden not in got_names, got_names
    v = np.array([0.5, 2.0, 3.0])
    np.testing.assert_allclose(
        evaluate([out], {x: v})[0], evaluate([build(x)], {x: v})[0], rtol=1e-14
    )


def test_float_powers_by_multiplication() -> None:
    x = tt.vector("x")
    for k in (3, 5, -4):
        out = rewrite_graph(x**k, include=("canonicalize", "specialize"))
        assert "Pow" not in names(out), (k, names(out))
        v = np.array([0.5, -2.0, 3.0])
        np.testing.assert_allclose(evaluate([out], {x: v})[0], v**k, rtol=1e-14)


def test_vector_dot_becomes_cheaper_product() -> None:
    x, y = tt.vector("x", shape=(4,)), tt.vector("y", shape=(4,))
    a, b = tt.matrix("a", shape=(3, 1)), tt.matrix("b", shape=(1, 5))
    for out, vals, ref in (
        (tt.dot(x, y), {x: np.arange(4.0), y: np.ones(4)}, np.arange(4.0) @ np.ones(4)),
        (
            a @ b,
            {a: np.ones((3, 1)) * 2, b: np.arange(5.0)[None]},
            2 * np.arange(5.0)[None] * np.ones((3, 1)),
        ),
    ):
        new = rewrite_graph(out, include=("canonicalize", "specialize"))
        assert not names(new) & {"Dot", "Blockwise", "Matmul"}, names(new)
        np.testing.assert_allclose(evaluate([new], vals)[0], ref)


# ---- fusion and in-place ---------------------------------------------------------------------


def test_fusion_builds_one_composite_and_dprint_shows_inner_graph(
    capsys: pytest.CaptureFixture[str],
) -> None:
    x, y = tt.vector("x"), tt.vector("y")
    out = tt.exp(x) * tt.sin(y) + tt.tanh(x)
    fused = rewrite_graph(out, include=("canonicalize", "fusion"))
    nodes = list(toposort([fused]))
    assert len(nodes) == 1, op_names(fused)
    assert type(nodes[0].op.scalar_op).__name__ == "Composite"
    text = fused.dprint(file="str") if _dprint_takes_file() else None
    if text is None:
        fused.dprint()
        text = capsys.readouterr().out
    for inner in ("Exp", "Sin", "Tanh"):
        assert inner.lower() in text.lower(), text
    v, w = np.array([0.1, 0.2]), np.array([0.3, 0.4])
    np.testing.assert_allclose(
        evaluate([fused], {x: v, y: w})[0], np.exp(v) * np.sin(w) + np.tanh(v)
    )


def _dprint_takes_file() -> bool:
    import inspect

    from tensorgraft.graph import dprint

    return "file" in inspect.signature(dprint).parameters


def test_fusion_multiple_outputs() -> None:
    x = tt.vector("x")
    e = tt.exp(x)
    a, b = e + 1, e * 2
    fused = rewrite_graph([a, b], include=("canonicalize", "fusion"))
    composites = [
        n for n in toposort(fused) if type(getattr(n.op, "scalar_op", None)).__name__ == "Composite"
    ]
    assert len(composites) == 1 and len(composites[0].outputs) == 2


def test_compiled_function_dprint_shows_composite(capsys: pytest.CaptureFixture[str]) -> None:
    x = tt.vector("x")
    f = function([x], tt.exp(tt.sin(x)) + 1, mode="python")
    f.dprint()
    assert "composite" in capsys.readouterr().out.lower()


def test_inplace_never_overwrites_user_inputs() -> None:
    x = tt.vector("x")
    i = tt.scalar("i", dtype="int64")
    outs = [tt.exp(x) + 1, x * 2, tt.set_subtensor(x[i], 5.0), tt.inc_subtensor(x[1:], 1.0)]
    for out in outs:
        f = function([x, i], out, mode="python", on_unused_input="ignore")
        a = np.arange(4.0)
        before = a.copy()
        f(a, 0)
        f(a, 0)
        np.testing.assert_array_equal(a, before)


def test_inplace_no_value_read_after_destroyed() -> None:
    x = tt.vector("x")
    e = tt.exp(x)
    # e is used twice: once in a set_subtensor (which may want to destroy e) and once after
    s = tt.set_subtensor(e[0], 0.0)
    out = s + e
    inplace = rewrite_graph(out, include=("canonicalize", "fusion", "inplace"))
    v = np.array([0.0, 1.0, 2.0])
    expected = np.exp(v) * 2
    expected[0] = 1.0
    np.testing.assert_allclose(evaluate([inplace], {x: v}, copy=False)[0], expected)
    f = function([x], out, mode="python")
    np.testing.assert_allclose(f(v), expected)


# ---- property: random graphs keep their values through the default pipeline ------------------


def test_random_graphs_keep_values() -> None:
    rng = np.random.default_rng(7)
    unary = [
        tt.exp,
        tt.tanh,
        tt.sin,
        tt.log1p,
        tt.sigmoid,
        tt.softplus,
        lambda v: -v,
        lambda v: v * 1,
        lambda v: v + 0,
    ]
    binary = [tt.add, tt.mul, tt.sub, lambda a, b: a / (1 + b * b)]
    for _ in range(30):
        x, y = tt.matrix("x", shape=(2, 3)), tt.vector("y", shape=(3,))
        pool = [x, y]
        for _ in range(8):
            if rng.random() < 0.5:
                v = pool[rng.integers(len(pool))]
                pool.append(unary[rng.integers(len(unary))](tt.tanh(v)))
            else:
                a, b = pool[rng.integers(len(pool))], pool[rng.integers(len(pool))]
                pool.append(binary[rng.integers(len(binary))](a, b))
        out = pool[-1]
        if rng.random() < 0.5:
            out = out.sum(axis=int(rng.integers(out.ndim))) if out.ndim else out
        vals = {x: rng.normal(size=(2, 3)), y: rng.normal(size=3)}
        f = function([x, y], out, mode="python", on_unused_input="ignore")
        np.testing.assert_allclose(
            f(vals[x], vals[y]), evaluate([out], vals)[0], rtol=1e-12, atol=1e-14
        )


def test_inplace_phase_keeps_user_inputs_when_nodes_really_overwrite() -> None:
    x = tt.vector("x")
    outs = [
        tt.exp(x) + 1,
        x * 2,
        tt.set_subtensor(x[0], 5.0),
        tt.inc_subtensor(x[[0, 0]], 1.0),
        x + x[::-1],
    ]
    rewritten = rewrite_graph(outs, include=("canonicalize", "fusion", "inplace"))
    a = np.arange(4.0)
    got = evaluate(rewritten, {x: a}, copy=False)  # nodes with a destroy map overwrite
    np.testing.assert_array_equal(a, np.arange(4.0))
    expected = evaluate(outs, {x: np.arange(4.0)})
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e)


def test_inplace_phase_does_make_intermediates_inplace() -> None:
    x = tt.vector("x")
    out = tt.set_subtensor(tt.exp(x)[0], 5.0)
    rewritten = rewrite_graph(out, include=("canonicalize", "inplace"))
    assert any(getattr(n.op, "destroy_map", None) for n in toposort([rewritten]))


def test_products_and_sums_cancel_common_terms() -> None:
    x, y = tt.vector("x", shape=(3,)), tt.vector("y", shape=(3,))
    assert rewrite_graph(x * y / x) is y
    assert rewrite_graph((x + y) - x) is y


def test_default_pipeline_time_grows_linearly() -> None:
    import time

    from tensorgraft.graph import FunctionGraph
    from tensorgraft.rewrite import default_pipeline

    def chain(n: int) -> FunctionGraph:
        x = tt.vector("x")
        z = x
        for _ in range(n):
            z = tt.tanh(z * 1.0001 + 0.5)
        return FunctionGraph([x], [z], clone=False)

    times = []
    for n in (500, 2000):  # about 2.5k and 10k nodes
        fg = chain(n)
        start = time.process_time()
        default_pipeline(fg)
        times.append(time.process_time() - start)
    # loose: the issue asks < 1 s at 10k nodes; CI machines are loaded
    assert times[1] < 3.0, times
    assert times[1] < 8 * times[0] + 0.2, times


def test_random_graphs_through_inplace_keep_inputs_and_values() -> None:
    rng = np.random.default_rng(11)
    for _ in range(60):
        x, y = tt.vector("x", shape=(4,)), tt.vector("y", shape=(4,))
        pool = [x, y]
        for _ in range(8):
            a, b = pool[rng.integers(len(pool))], pool[rng.integers(len(pool))]
            pool.append(
                [
                    lambda a, b: tt.exp(a) * 0.5,
                    lambda a, b: a + b,
                    lambda a, b: tt.set_subtensor(a[int(rng.integers(4))], 1.0),
                    lambda a, b: tt.inc_subtensor(a[1:], b[:3]),
                    lambda a, b: a[::-1] * b,
                    lambda a, b: tt.sum(a) + b,
                ][rng.integers(6)](a, b)
            )
        outs = pool[-3:]
        new = rewrite_graph(outs, include=("canonicalize", "fusion", "inplace"))
        xv, yv = rng.normal(size=4), rng.normal(size=4)
        xc, yc = xv.copy(), yv.copy()
        got = evaluate(new, {x: xv, y: yv}, copy=False)  # destroy maps really overwrite
        expected = evaluate(outs, {x: xc, y: yc})
        np.testing.assert_array_equal(xv, xc)
        np.testing.assert_array_equal(yv, yc)
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_allclose(g, e)
