"""The reverse and forward engines: grad, pullback/pushforward, disconnected inputs,
known_grads, consider_constant, gradient blockers, integer inputs and un-broadcasting."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.autodiff import (
    DisconnectedGrad,
    DisconnectedInputError,
    Lop,
    NoGradientRuleError,
    Rop,
    ZeroGrad,
    disconnected_grad,
    grad,
    pullback,
    pushforward,
    stop_gradient,
    verify_grad,
)
from tensorgraft.compile import function
from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.traversal import toposort


def _run(inputs: list, outputs: object, *values: object) -> object:
    return function(inputs, outputs, mode="python")(*values)


def test_grad_of_log1p_sum() -> None:
    x = tt.vector("x")
    g = grad(tt.log1p(x).sum(), x)
    xv = np.array([0.5, 1.0, 3.0])
    np.testing.assert_allclose(_run([x], g, xv), 1 / (1 + xv))


def test_grad_is_an_ordinary_graph_that_reads_cleanly() -> None:
    # No helper ops: the seed's example is a division by (1 + x) of a broadcast 1.
    x = tt.vector("x")
    g = grad(tt.log1p(x).sum(), x)
    names = {type(n.op).__name__ for n in toposort([g])}
    assert names <= {"Elemwise", "DimShuffle", "Alloc", "ShapeI"}
    assert str(g.owner.op) == "True_div"


def test_grad_of_log1p_after_rewrites_is_a_reciprocal() -> None:
    rewrite = pytest.importorskip("tensorgraft.rewrite")
    x = tt.vector("x")
    g = grad(tt.log1p(x).sum(), x)
    (out,) = rewrite.rewrite_graph([g], include=("canonicalize", "specialize"))
    # Exactly Reciprocal(Add(1, x)): the broadcast ones of sum's pullback are gone.
    assert type(out.owner.op.scalar_op).__name__ == "Reciprocal"
    add = out.owner.inputs[0].owner
    assert type(add.op.scalar_op).__name__ == "Add"
    ones = [i for i in add.inputs if i is not x]
    assert x in add.inputs and len(ones) == 1
    np.testing.assert_array_equal(ones[0].data, 1)
    xv = np.array([0.5, 2.0])
    np.testing.assert_allclose(function([x], out, mode="python")(xv), 1 / (1 + xv))


def test_grad_with_respect_to_several_variables() -> None:
    x, y = tt.vector("x"), tt.scalar("y")
    gx, gy = grad((x * y).sum(), [x, y])
    xv = np.array([1.0, 2.0, 4.0])
    got = _run([x, y], [gx, gy], xv, 3.0)
    np.testing.assert_allclose(got[0], [3.0, 3.0, 3.0])
    np.testing.assert_allclose(got[1], xv.sum())


def test_grad_keeps_the_dtype_of_wrt() -> None:
    x = tt.vector("x", dtype="float32")
    g = grad((x * 2.0).sum(), x)
    assert g.dtype == "float32"


def test_non_scalar_cost_is_a_clear_error() -> None:
    x = tt.vector("x")
    # The message names the cost (where it was created) and its shape.
    with pytest.raises(TypeError, match=r"must be a scalar.*test_autodiff_engine.py.*\(None,\)"):
        grad(tt.exp(x), x)


def test_disconnected_input_raises_warns_or_ignores() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    cost = tt.exp(x).sum()
    with pytest.raises(DisconnectedInputError, match="'y'"):
        grad(cost, y)
    with pytest.warns(UserWarning, match="'y'"):
        g = grad(cost, y, disconnected="warn")
    g = grad(cost, y, disconnected="ignore")
    np.testing.assert_array_equal(_run([y], g, np.ones(3)), np.zeros(3))


def test_integer_input_gets_a_float_zero_gradient() -> None:
    x, i = tt.vector("x"), tt.vector("i", dtype="int64")
    g = grad((x * i).sum(), i)
    assert g.dtype == "float64"
    np.testing.assert_array_equal(_run([i], g, np.array([1, 2])), [0.0, 0.0])


def test_piecewise_constant_ops_have_zero_gradient() -> None:
    x = tt.vector("x")
    g = grad(tt.floor_div(x, 2.0).sum() + tt.switch(x > 0, 1.0, 2.0).sum(), x)
    np.testing.assert_array_equal(_run([x], g, np.array([1.5, -2.0])), [0.0, 0.0])


def test_argmax_and_shape_are_disconnected() -> None:
    x = tt.vector("x")
    with pytest.raises(DisconnectedInputError):
        grad(tt.cast(tt.argmax(x), "float64"), x)
    with pytest.raises(DisconnectedInputError):
        grad(tt.cast(x.shape[0], "float64"), x)


def test_stop_gradient_gives_zero_and_disconnected_grad_disconnects() -> None:
    x = tt.vector("x")
    assert isinstance(stop_gradient(x).owner.op, ZeroGrad)
    g = grad((stop_gradient(x) * x).sum(), x)
    xv = np.array([1.0, 2.0])
    np.testing.assert_allclose(_run([x], g, xv), xv)  # d/dx (c x) with c = x held
    np.testing.assert_array_equal(_run([x], grad(stop_gradient(x).sum(), x), xv), [0, 0])
    assert isinstance(disconnected_grad(x).owner.op, DisconnectedGrad)
    with pytest.raises(DisconnectedInputError):
        grad(disconnected_grad(x).sum(), x)


def test_gradient_blockers_compute_their_input() -> None:
    x = tt.vector("x")
    xv = np.array([1.0, -2.0])
    got = _run([x], [stop_gradient(x) * 2, disconnected_grad(x) + 1], xv)
    np.testing.assert_allclose(got[0], 2 * xv)
    np.testing.assert_allclose(got[1], xv + 1)


def test_consider_constant() -> None:
    x = tt.vector("x")
    y = tt.exp(x)
    g = grad((y * x).sum(), x, consider_constant=[y])
    xv = np.array([0.5, 1.0])
    np.testing.assert_allclose(_run([x], g, xv), np.exp(xv))


def test_known_grads_starts_from_an_intermediate() -> None:
    x = tt.vector("x")
    y = tt.sin(x)
    gy = tt.vector("gy")
    g = grad(None, x, known_grads={y: gy})
    xv, gv = np.array([0.2, 0.7]), np.array([2.0, -1.0])
    np.testing.assert_allclose(_run([x, gy], g, xv, gv), gv * np.cos(xv))


def test_known_grads_adds_to_the_cost() -> None:
    x = tt.vector("x")
    y = tt.exp(x)
    g = grad(y.sum(), x, known_grads={y: tt.constant(np.ones(2))})
    xv = np.array([0.1, 0.2])
    np.testing.assert_allclose(_run([x], g, xv), 2 * np.exp(xv))


@pytest.mark.parametrize(
    ("x_value", "y_value"),
    [((2, 3), (1, 3)), ((2, 3), (2, 1)), ((1, 3), (2, 1)), ((1, 1), (2, 3)), ((2, 3), (2, 3))],
)
def test_unbroadcast_dims_known_only_at_run_time(x_value: tuple, y_value: tuple) -> None:
    # Both matrices have unknown shapes: a length of 1 is only seen at run time.
    rng = np.random.default_rng(0)
    verify_grad(
        lambda a, b: a * b + tt.exp(a), [rng.normal(size=x_value), rng.normal(size=y_value)]
    )


def test_run_time_unbroadcast_reads_as_sum_to() -> None:
    # The gradient sums over a length that may be 1 at run time with one readable op.
    x, mu = tt.vector("x"), tt.vector("mu")
    g = grad(((x - mu) ** 2).sum(), mu)
    names = {str(n.op) for n in toposort([g])}
    assert g.owner is not None and str(g.owner.op) == "SumTo"
    assert not {"Reshape", "Join", "Floor_div", "Int_div"} & names, names


@pytest.mark.parametrize("mu_length", [1, 3])
def test_run_time_unbroadcast_against_finite_differences(mu_length: int) -> None:
    # x of length 3 against mu of length 1 (broadcast at run time) or 3.
    rng = np.random.default_rng(2)
    x, mu = tt.vector("x"), tt.vector("mu")
    g = grad(((x - mu) ** 2).sum(), mu)
    xv, muv = rng.normal(size=3), rng.normal(size=mu_length)
    eps, got = 1e-6, _run([x, mu], g, xv, muv)

    def cost(m: np.ndarray) -> float:
        return float(np.sum((xv - m) ** 2))

    expected = [(cost(muv + eps * e) - cost(muv - eps * e)) / (2 * eps) for e in np.eye(mu_length)]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    verify_grad(lambda a, m: (a - m) ** 2, [xv, muv])


def test_sum_to_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(3)
    verify_grad(lambda a: tt.sum_to(a, (1, 3)), [rng.normal(size=(2, 4, 3))])
    verify_grad(lambda a, b: tt.sum_to(a, tt.shape(b)) * b, [rng.normal(size=(2, 3)), np.ones(1)])
    x = tt.matrix("x")
    t = tt.matrix("t")
    jvp = Rop(tt.sum_to(x, (2, 1)), x, t)
    tv = rng.normal(size=(2, 3))
    np.testing.assert_allclose(_run([t], jvp, tv), tv.sum(axis=1, keepdims=True))


@pytest.mark.parametrize("shapes", [((2, 3), (3,)), ((4, 1, 3), (2, 1)), ((), (2, 2))])
def test_unbroadcast_static_shapes(shapes: tuple) -> None:
    rng = np.random.default_rng(1)
    points = [rng.normal(size=s) for s in shapes]
    verify_grad(lambda a, b: tt.sin(a) * b - b / 3, points, static_shape=True)
    verify_grad(lambda a, b: tt.sin(a) * b - b / 3, points)


def test_pullback_and_lop() -> None:
    x = tt.vector("x")
    y = tt.exp(x)
    u = tt.vector("u")
    xv, uv = np.array([0.0, 1.0]), np.array([2.0, 3.0])
    np.testing.assert_allclose(_run([x, u], pullback(y, x, u), xv, uv), uv * np.exp(xv))
    np.testing.assert_allclose(_run([x, u], Lop(y, x, u), xv, uv), uv * np.exp(xv))


def test_pushforward_and_rop_match_finite_differences() -> None:
    x, y = tt.matrix("x"), tt.vector("y")
    out = [tt.exp(x) * y, (x @ y).sum()]
    tx, ty = tt.matrix("tx"), tt.vector("ty")
    rng = np.random.default_rng(2)
    vals = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    tans = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    jvp = function([x, y, tx, ty], pushforward(out, [x, y], [tx, ty]), mode="python")
    f = function([x, y], out, mode="python")
    eps = 1e-6
    up = f(*[v + eps * t for v, t in zip(vals, tans, strict=True)])
    down = f(*[v - eps * t for v, t in zip(vals, tans, strict=True)])
    for got, a, b in zip(jvp(*vals, *tans), up, down, strict=True):
        np.testing.assert_allclose(got, (a - b) / (2 * eps), rtol=1e-6, atol=1e-8)
    rop = function([x, y, tx], Rop(out[0], x, tx), mode="python")
    np.testing.assert_allclose(rop(*vals, tans[0]), np.exp(vals[0]) * vals[1] * tans[0])


def test_an_op_without_rule_is_a_clear_error() -> None:
    class Mystery(Op):
        def make_node(self, x: object) -> Apply:
            x = tt.as_tensor(x)
            return Apply(self, [x], [x.type()])

    x = tt.vector("x")
    y = Mystery()(x)
    with pytest.raises(NoGradientRuleError, match="Mystery") as info:
        grad(y.sum(), x)
    assert not info.value.declared


def test_declared_not_implemented_gradient_is_raised_only_when_needed() -> None:
    # gammainc has no gradient in `a`, but differentiating in x works.
    from tensorgraft.tensor.elemwise import Elemwise
    from tensorgraft.tensor.scalar_ops import special as sp

    a, x = tt.vector("a"), tt.vector("x")
    y = Elemwise(sp.gammainc)(a, x).sum()
    grad(y, x)
    with pytest.raises(NoGradientRuleError, match="shape parameter a"):
        grad(y, a)


def test_complex_wrt_is_refused() -> None:
    z = tt.vector("z", dtype="complex128")
    with pytest.raises(NotImplementedError, match="complex"):
        grad(tt.cast(z, "float64").sum(), z)


def test_qr_complete_q_of_a_tall_matrix_has_no_gradient() -> None:
    # Its extra columns are not unique; the reduced factors and R are differentiable.
    a = tt.matrix("a")
    q, _ = tt.linalg.qr(a, mode="complete")
    with pytest.raises(NoGradientRuleError, match="mode='reduced'"):
        grad(q.sum(), a)
    rng = np.random.default_rng(3)
    verify_grad(lambda m: tt.linalg.qr(m, mode="complete")[1], [rng.normal(size=(4, 3))])
    verify_grad(lambda m: tt.linalg.qr(m)[0], [rng.normal(size=(4, 3))])


@pytest.mark.parametrize("trans", [0, 1, 2])
def test_solve_triangular_gradient_for_every_trans(trans: int) -> None:
    rng = np.random.default_rng(3)
    a = np.tril(rng.standard_normal((3, 3))) + 3 * np.eye(3)
    b = rng.standard_normal((3, 2))
    verify_grad(lambda a, b: tt.linalg.solve_triangular(a, b, lower=True, trans=trans), [a, b])
