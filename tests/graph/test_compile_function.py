"""`function`: outputs, arguments, the checks on its inputs, givens and aliasing."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import backends, function, shared
from tensorgraft.graph import MissingInputError


def _line() -> int:
    """The caller's line number (to check the creation sites that errors report)."""
    return sys._getframe(1).f_lineno


# -- outputs ---------------------------------------------------------------------------
def test_a_single_output_returns_an_array() -> None:
    x = tt.vector("x")
    f = function([x], tt.exp(x))
    out = f(np.array([0.0, 1.0]))
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, np.exp([0.0, 1.0]))


def test_a_list_of_outputs_returns_a_list() -> None:
    x = tt.vector("x")
    f = function([x], [tt.exp(x), tt.log(x)])
    out = f(np.array([1.0, 2.0]))
    assert isinstance(out, list) and len(out) == 2
    np.testing.assert_allclose(out[0], np.exp([1.0, 2.0]))
    np.testing.assert_allclose(out[1], np.log([1.0, 2.0]))


def test_a_list_of_one_output_returns_a_list_of_one() -> None:
    x = tt.vector("x")
    out = function([x], [x + 1])(np.zeros(2))
    assert isinstance(out, list) and len(out) == 1


def test_no_outputs_return_an_empty_list() -> None:
    x = tt.scalar("x")
    assert function([x], [], on_unused_input="ignore")(1.0) == []


def test_results_equal_numpy_on_the_seed_graph() -> None:
    x = tt.vector("x", shape=(5,))
    z = tt.exp(tt.sin(x))
    y = tt.cos((z[None, :] @ z[:, None]).squeeze())
    xv = np.linspace(-1.0, 1.0, 5)
    zv = np.exp(np.sin(xv))
    out = function([x], y)(xv)
    assert out.shape == () and out.dtype == np.float64
    np.testing.assert_allclose(out, np.cos(zv @ zv))


def test_results_equal_numpy_with_matmul_reduction_and_broadcasting() -> None:
    X, w, b = tt.matrix("X"), tt.vector("w"), tt.scalar("b")
    loss = tt.log1p(tt.exp(-(X @ w + b))).sum()
    rng = np.random.default_rng(0)
    Xv, wv = rng.normal(size=(6, 3)), rng.normal(size=3)
    out = function([X, w, b], loss)(Xv, wv, 0.5)
    np.testing.assert_allclose(out, np.log1p(np.exp(-(Xv @ wv + 0.5))).sum())


def test_inputs_can_be_passed_by_name() -> None:
    x, y = tt.scalar("x"), tt.scalar("y")
    f = function([x, y], x - y)
    assert f(y=1.0, x=3.0) == 2.0
    assert f(3.0, y=1.0) == 2.0


def test_unknown_and_repeated_keywords_are_type_errors() -> None:
    x, y = tt.scalar("x"), tt.scalar("y")
    f = function([x, y], x - y)
    with pytest.raises(TypeError, match="no input named 'z'"):
        f(1.0, z=2.0)
    with pytest.raises(TypeError, match="two values for input 'x'"):
        f(1.0, 2.0, x=3.0)


def test_name_appears_in_repr_and_errors() -> None:
    x = tt.scalar("x")
    f = function([x], x + 1, name="step")
    assert "step(x)" in repr(f) and "mode='python'" in repr(f)
    with pytest.raises(TypeError, match=r"step\(x\) takes 1 inputs, got 2"):
        f(1.0, 2.0)


# -- checks on call values ---------------------------------------------------------------
def _assert_short(err: pytest.ExceptionInfo[BaseException]) -> str:
    msg = str(err.value)
    assert "\n" not in msg and len(msg) < 300, msg
    return msg


def test_wrong_number_of_inputs() -> None:
    x, y = tt.scalar("x"), tt.scalar("y")
    f = function([x, y], x * y)
    with pytest.raises(TypeError, match="takes 2 inputs, got 3") as err:
        f(1.0, 2.0, 3.0)
    _assert_short(err)
    with pytest.raises(TypeError, match="missing a value for 'y'") as err:
        f(1.0)
    _assert_short(err)


def test_a_float64_array_into_a_float32_input_is_rejected() -> None:
    x, line = tt.vector("x", dtype="float32"), _line()
    f = function([x], x * 2)
    with pytest.raises(TypeError, match="cannot be cast safely") as err:
        f(np.ones(3))
    msg = _assert_short(err)
    assert "'x'" in msg and f"test_compile_function.py:{line}" in msg


def test_python_floats_into_a_float32_input_are_accepted() -> None:
    x = tt.vector("x", dtype="float32")
    out = function([x], x * 2)([1.0, 2.5])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [2.0, 5.0])


def test_an_int64_array_into_a_float64_input_is_a_safe_cast() -> None:
    x = tt.vector("x")
    out = function([x], x / 2)(np.arange(3))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


def test_allow_downcast_accepts_unsafe_casts() -> None:
    x = tt.vector("x", dtype="float32")
    out = function([x], x * 2, allow_downcast=True)(np.array([1.5, 2.0]))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [3.0, 4.0])


def test_wrong_rank_is_a_value_error_naming_the_input() -> None:
    x = tt.vector("x")
    f = function([x], x + 1)
    with pytest.raises(ValueError, match="'x'") as err:
        f(np.ones((2, 2)))
    msg = _assert_short(err)
    assert "expected 1 dimension, got 2" in msg


def test_a_shape_contradicting_the_static_type_names_input_shapes_and_site() -> None:
    x, line = tt.vector("x", shape=(3,)), _line()
    f = function([x], x + 1)
    with pytest.raises(ValueError) as err:
        f(np.ones(4))
    msg = _assert_short(err)
    assert "'x'" in msg
    assert "(3,)" in msg and "(4,)" in msg
    assert f"test_compile_function.py:{line}" in msg


def test_trust_input_skips_the_checks() -> None:
    x = tt.vector("x", dtype="float32")
    f = function([x], x * 2)
    with pytest.raises(TypeError):
        f(np.ones(2))
    f.trust_input = True
    # The float64 array reaches the op unconverted; the op still computes float32.
    out = f(np.ones(2))
    np.testing.assert_array_equal(out, [2.0, 2.0])


# -- checks on function(...) arguments ----------------------------------------------------
def test_an_input_computed_by_an_op_is_rejected() -> None:
    x = tt.vector("x")
    with pytest.raises(TypeError, match="computed by Add; inputs must be placeholders"):
        function([x + 1], x)


def test_a_constant_input_is_rejected() -> None:
    with pytest.raises(TypeError, match="is a constant"):
        function([tt.constant(1.0)], tt.scalar("x"))


def test_an_input_given_twice_is_rejected() -> None:
    x = tt.vector("x")
    with pytest.raises(ValueError, match=r"'x'.* is given twice"):
        function([x, x], x + 1)


def test_a_shared_variable_as_input_is_rejected() -> None:
    s = shared(np.zeros(2), "s")
    with pytest.raises(TypeError, match=r"'s'.* is shared"):
        function([s], s + 1)


def test_inputs_must_be_a_list_and_outputs_variables() -> None:
    x = tt.vector("x")
    with pytest.raises(TypeError, match="inputs must be a list"):
        function(x, x + 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="outputs must be variables"):
        function([x], [x + 1, 3])  # type: ignore[list-item]


def test_a_missing_input_names_the_variable() -> None:
    x, y = tt.scalar("x"), tt.scalar("y")
    with pytest.raises(MissingInputError, match=r"'y'.* is needed to compute the outputs"):
        function([x], x + y)


def test_an_unused_input_raises_by_default() -> None:
    x, y = tt.scalar("x"), tt.scalar("y")
    with pytest.raises(ValueError, match="do not depend on input 'y'"):
        function([x, y], x + 1)


def test_an_unused_input_warns_or_is_ignored_on_request() -> None:
    x, y = tt.scalar("x"), tt.scalar("y")
    with pytest.warns(UserWarning, match="do not depend on input 'y'"):
        f = function([x, y], x + 1, on_unused_input="warn")
    assert f(1.0, 5.0) == 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = function([x, y], x + 1, on_unused_input="ignore")
    assert g(1.0, 5.0) == 2.0


def test_on_unused_input_must_be_a_known_policy() -> None:
    x = tt.scalar("x")
    with pytest.raises(ValueError, match="on_unused_input must be"):
        function([x], x + 1, on_unused_input="silent")


# -- givens -----------------------------------------------------------------------------
def test_givens_substitute_a_variable_before_compiling() -> None:
    x, z = tt.scalar("x"), tt.scalar("z")
    f = function([x], z * 2, givens={z: x + 1})
    assert f(3.0) == 8.0


def test_givens_accept_pairs_and_keep_the_users_graph() -> None:
    x, z = tt.vector("x"), tt.vector("z")
    out = tt.exp(z)
    f = function([x], out, givens=[(z, x * 0)])
    np.testing.assert_array_equal(f(np.ones(2)), [1.0, 1.0])
    assert out.owner.inputs[0] is z


def test_givens_of_another_type_are_rejected() -> None:
    x, z = tt.vector("x"), tt.scalar("z")
    with pytest.raises(TypeError, match="cannot replace 'z'"):
        function([x], z * 2, givens={z: x})


# -- aliasing: results never share memory with what the caller holds ----------------------
def test_an_output_that_is_an_input_is_a_copy() -> None:
    x = tt.vector("x")
    value = np.arange(3.0)
    out = function([x], x)(value)
    out[0] = 100.0
    np.testing.assert_array_equal(value, [0.0, 1.0, 2.0])


def test_an_output_that_views_an_input_is_a_copy() -> None:
    x = tt.vector("x")
    value = np.arange(3.0)
    out = function([x], x[1:])(value)
    out[0] = 100.0
    np.testing.assert_array_equal(value, [0.0, 1.0, 2.0])
    m = tt.matrix("m")
    mv = np.arange(6.0).reshape(2, 3)
    assert not np.shares_memory(function([m], m.T[None])(mv), mv)


def test_a_constant_output_is_a_copy() -> None:
    f = function([], tt.constant(np.arange(3.0)))
    f()[0] = 42.0
    np.testing.assert_array_equal(f(), [0.0, 1.0, 2.0])


def test_repeated_outputs_are_distinct_arrays() -> None:
    x = tt.vector("x")
    y = x + 1
    a, b = function([x], [y, y])(np.zeros(2))
    a[0] = 5.0
    np.testing.assert_array_equal(b, [1.0, 1.0])


def test_an_output_viewing_another_output_is_a_copy() -> None:
    x = tt.vector("x")
    y = x + 1
    a, b = function([x], [y, y[1:]])(np.zeros(3))
    a[1] = 5.0
    np.testing.assert_array_equal(b, [1.0, 1.0])


# -- errors at run time ---------------------------------------------------------------------
def test_an_error_inside_an_op_names_the_node_and_its_site() -> None:
    x, i = tt.vector("x"), tt.scalar("i", dtype="int64")
    y, line = x[i], _line()
    f = function([x, i], y)
    assert f(np.arange(3.0), 2) == 2.0
    with pytest.raises(IndexError, match="out of bounds") as err:
        f(np.arange(3.0), 10)
    notes = "\n".join(getattr(err.value, "__notes__", []))
    assert "Subtensor" in notes
    assert f"test_compile_function.py:{line}" in notes


def test_a_shape_mismatch_at_run_time_names_the_node() -> None:
    a, b = tt.matrix("a"), tt.matrix("b")
    f = function([a, b], a @ b)
    with pytest.raises(ValueError, match="not aligned") as err:
        f(np.ones((2, 3)), np.ones((2, 3)))
    assert any("dot" in n and "(2, 3)" in n for n in err.value.__notes__)


# -- dprint --------------------------------------------------------------------------------
def test_dprint_to_a_string_shows_the_graph_that_runs() -> None:
    x = tt.vector("x")
    f = function([x], tt.exp(x) + 1)
    text = f.dprint(file="str")
    assert isinstance(text, str)
    # The graph that runs is the rewritten one: with tensorgraft-rewrite installed the two
    # elementwise ops are fused into one Composite, whose inner graph is listed too.
    if backends.rewriter() is not None:
        assert "Composite{(1 + exp(i0))}" in text and "Inner graphs" in text
    as_written = function([x], tt.exp(x) + 1, rewrite=False).dprint(file="str")
    assert "Add" in as_written and "Exp" in as_written and "x" in as_written


def test_dprint_prints_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    x = tt.vector("x")
    assert function([x], tt.exp(x)).dprint() is None
    assert "Exp" in capsys.readouterr().out


def test_a_missing_input_is_reported_before_an_unused_one() -> None:
    w, z = tt.vector("w"), tt.vector("z")
    with pytest.raises(MissingInputError, match="'z'"):
        function([w], z * 2)


def test_allow_downcast_false_refuses_python_floats_too() -> None:
    x = tt.vector("x", dtype="float32")
    assert function([x], x * 2)([1.5]).dtype == np.float32  # default: weak Python floats fit
    strict = function([x], x * 2, allow_downcast=False)
    np.testing.assert_allclose(strict(np.array([1.5], dtype=np.float32)), [3.0])
    with pytest.raises(TypeError, match=r"'x'.*needs a downcast from float64"):
        strict([1.5])
