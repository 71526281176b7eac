"""Shared variables: values that live between calls, read implicitly, written by updates."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import SharedVariable, function, shared


def test_shared_holds_a_copy_of_its_value() -> None:
    value = np.arange(3.0)
    s = shared(value, "s")
    assert isinstance(s, SharedVariable) and s.name == "s"
    assert s.type == tt.TensorType("float64", (None,))
    value[0] = 100.0
    np.testing.assert_array_equal(s.get_value(), [0.0, 1.0, 2.0])


def test_shared_with_static_shape_and_dtype() -> None:
    s = shared([1, 2, 3], shape=(3,), dtype="float32")
    assert s.type == tt.TensorType("float32", (3,))
    with pytest.raises(ValueError, match=r"expected shape \(3,\), got \(4,\)"):
        s.set_value(np.zeros(4, dtype="float32"))


def test_shared_rejects_non_numeric_values() -> None:
    with pytest.raises(TypeError, match="cannot hold str"):
        shared("abc")


def test_get_value_copies_unless_borrowed() -> None:
    s = shared(np.zeros(2))
    s.get_value()[0] = 5.0
    assert s.get_value()[0] == 0.0
    s.get_value(borrow=True)[0] = 5.0
    assert s.get_value()[0] == 5.0


def test_set_value_checks_and_copies() -> None:
    s = shared(np.zeros(2))
    new = np.ones(2)
    s.set_value(new)
    new[0] = 7.0
    np.testing.assert_array_equal(s.get_value(), [1.0, 1.0])
    with pytest.raises(TypeError, match="cannot be cast safely"):
        shared(np.zeros(2, dtype="float32")).set_value(np.ones(2))


def test_functions_read_the_current_value() -> None:
    w = shared(np.array([1.0, 2.0]), "w")
    x = tt.vector("x")
    f = function([x], x * w)
    np.testing.assert_array_equal(f(np.ones(2)), [1.0, 2.0])
    w.set_value(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(f(np.ones(2)), [3.0, 4.0])


def test_a_shared_output_is_a_copy() -> None:
    s = shared(np.zeros(2))
    out = function([], s)()
    out[0] = 9.0
    np.testing.assert_array_equal(s.get_value(), [0.0, 0.0])


def test_a_counter() -> None:
    c = shared(0, "c")
    step = function([], [], updates={c: c + 1})
    assert step() == []
    step()
    step()
    assert c.get_value() == 3
    assert c.get_value().dtype == np.int64


def test_updates_use_the_values_before_the_call() -> None:
    a, b = shared(1.0, "a"), shared(10.0, "b")
    swap = function([], [a, b], updates=[(a, b), (b, a)])
    assert swap() == [1.0, 10.0]
    assert (a.get_value(), b.get_value()) == (10.0, 1.0)


def test_an_update_from_an_input() -> None:
    acc = shared(np.zeros(2), "acc")
    x = tt.vector("x")
    add = function([x], acc + x, updates={acc: acc + x})
    np.testing.assert_array_equal(add(np.ones(2)), [1.0, 1.0])
    np.testing.assert_array_equal(add(np.ones(2)), [2.0, 2.0])
    np.testing.assert_array_equal(acc.get_value(), [2.0, 2.0])


def test_an_update_does_not_alias_the_callers_array() -> None:
    s = shared(np.zeros(2), "s")
    x = tt.vector("x")
    store = function([x], [], updates={s: x})
    value = np.ones(2)
    store(value)
    value[0] = 9.0
    np.testing.assert_array_equal(s.get_value(), [1.0, 1.0])


def test_an_update_does_not_alias_an_output() -> None:
    s = shared(np.zeros(2), "s")
    s1 = s + 1
    step = function([], s1, updates={s: s1})
    out = step()
    out[0] = 100.0
    np.testing.assert_array_equal(s.get_value(), [1.0, 1.0])


def test_an_update_of_the_wrong_type_is_a_type_error() -> None:
    c = shared(0, "c")
    with pytest.raises(TypeError, match=r"update of 'c'.*Scalar\(int64.*has type Scalar\(float64"):
        function([], [], updates={c: c + 1.5})
    with pytest.raises(TypeError, match="update of 'c'"):
        function([], [], updates={c: tt.vector("v")})


def test_only_shared_variables_can_be_updated() -> None:
    x = tt.scalar("x")
    with pytest.raises(TypeError, match=r"'x'.* is not a shared variable"):
        function([x], x, updates={x: x + 1})


def test_a_variable_updated_twice_is_an_error() -> None:
    c = shared(0, "c")
    with pytest.raises(ValueError, match=r"'c'.* is updated twice"):
        function([], [], updates=[(c, c + 1), (c, c + 2)])


def test_updates_with_givens() -> None:
    c = shared(0.0, "c")
    step, x = tt.scalar("step"), tt.scalar("x")
    f = function([x], [], updates={c: c + step}, givens={step: 2 * x})
    f(1.5)
    assert c.get_value() == 3.0
