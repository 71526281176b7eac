"""`Variable.eval`: compile and run a variable in one call, with a cached function."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import shared
from tensorgraft.graph import MissingInputError

function_module = importlib.import_module("tensorgraft.compile.driver")


def test_eval_by_variable() -> None:
    x = tt.vector("x")
    np.testing.assert_allclose(tt.exp(x).eval({x: [0.0, 1.0]}), np.exp([0.0, 1.0]))


def test_eval_by_name() -> None:
    x, y = tt.scalar("x"), tt.scalar("y")
    assert (x - y).eval({"x": 5.0, "y": 2.0}) == 3.0
    assert (x - y).eval({x: 5.0, "y": 2.0}) == 3.0


def test_eval_of_a_constant_graph_needs_no_inputs() -> None:
    assert (tt.constant(2.0) * 3).eval() == 6.0


def test_eval_reads_shared_variables() -> None:
    s = shared(np.array([1.0, 2.0]), "s")
    assert (s.sum()).eval() == 3.0


def test_eval_ignores_extra_inputs() -> None:
    x, y = tt.scalar("x"), tt.scalar("y")
    assert (x + 1).eval({x: 1.0, y: 2.0}) == 2.0


def test_eval_of_an_unknown_name() -> None:
    x = tt.scalar("x")
    with pytest.raises(ValueError, match="no input named 'z'"):
        (x + 1).eval({"z": 1.0})


def test_eval_of_an_ambiguous_name() -> None:
    a1, a2 = tt.scalar("a"), tt.scalar("a")
    with pytest.raises(ValueError, match=r"2 inputs of .* are named 'a'"):
        (a1 + a2).eval({"a": 1.0})
    assert (a1 + 2 * a2).eval({a1: 1.0, a2: 10.0}) == 21.0


def test_eval_with_a_missing_input() -> None:
    x, y = tt.scalar("x"), tt.scalar("y")
    with pytest.raises(MissingInputError, match="'y'"):
        (x + y).eval({x: 1.0})


def test_eval_checks_values_like_a_function() -> None:
    x = tt.vector("x", shape=(2,))
    with pytest.raises(ValueError, match=r"'x'.*expected shape \(2,\), got \(3,\)"):
        (x + 1).eval({x: [1.0, 2.0, 3.0]})


def test_eval_passes_options_to_function() -> None:
    x = tt.vector("x", dtype="float32")
    with pytest.raises(TypeError, match="cannot be cast safely"):
        (x * 2).eval({x: np.ones(2)})
    out = (x * 2).eval({x: np.ones(2)}, allow_downcast=True)
    assert out.dtype == np.float32
    assert (x * 2).eval({x: [1.0]}, mode="python") == 2.0


def test_a_second_eval_reuses_the_compiled_function(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[Any] = []
    real = function_module.function

    def counting(*args: Any, **kwargs: Any) -> Any:
        compiled.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(function_module, "function", counting)
    x = tt.vector("x")
    y = tt.exp(x)
    np.testing.assert_allclose(y.eval({x: [0.0]}), [1.0])
    np.testing.assert_allclose(y.eval({"x": [1.0]}), [np.e])
    assert len(compiled) == 1
    y.eval({x: [0.0]}, mode="python")  # other options: another function
    assert len(compiled) == 2
    (y + 1).eval({x: [0.0]})  # another variable: its own cache
    assert len(compiled) == 3


def test_eval_with_unhashable_options_compiles_without_caching() -> None:
    x, z = tt.vector("x"), tt.vector("z")
    y = x + z
    out = y.eval({x: np.ones(2)}, givens={z: x * 2})
    np.testing.assert_allclose(out, [3.0, 3.0])
    assert not y.tag.get("eval_cache")
