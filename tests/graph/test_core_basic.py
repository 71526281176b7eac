"""Variable, Constant, Apply and Op basics, and creation sites in error messages."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tensorgraft
import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph import (
    Apply,
    Constant,
    FunctionGraph,
    MissingInputError,
    Op,
    graph_replace,
)
from tensorgraft.graph.utils import describe, format_site
from tensorgraft.tensor.scalar_ops import Composite, ScalarType, add, exp, log, mul, sin

HERE = "test_core_basic.py"


def line() -> int:
    """The caller's line number."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


@dataclass(frozen=True)
class Scale(Op):
    """A tiny op with one parameter, to test what Op gives every op."""

    factor: int

    def make_node(self, x: Any) -> Apply:
        x = tt.as_tensor(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: Any) -> list[Any]:
        return [inputs[0] * self.factor]


class NoParams(Op):
    pass


def test_tensorgraft_is_a_namespace_package() -> None:
    assert tensorgraft.__file__ is None


# -- Variable and Apply -----------------------------------------------------------------
def test_repr_of_variables_and_nodes() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.log(1 + x)
    assert repr(y) == "Log.0"
    assert repr(y.owner) == "Log(Add.0)"
    assert repr(y.owner.inputs[0].owner) == "Add(ExpandDims{axis=0}.0, x)"
    assert repr(tt.vector(shape=(3,))) == "<Vector(float64, shape=(3,))>"
    y.name = "y"
    assert repr(y) == "y"


def test_owner_outputs_and_index() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.log(x)
    node = y.owner
    assert node.outputs == [y] and node.out is y
    assert y.index == 0 and node.inputs == [x]
    assert node.nin == 1 and node.nout == 1
    assert x.owner is None and x.index is None


def test_a_node_with_several_outputs() -> None:
    i = ScalarType("float64")()
    op = tt.Elemwise(Composite([i], [exp(i), sin(i)]))
    a, b = op(tt.vector("x", shape=(3,)))
    assert (a.index, b.index) == (0, 1) and a.owner is b.owner
    assert repr(b) == "Composite{exp(i0), sin(i0)}.1"
    with pytest.raises(ValueError, match="has 2 outputs"):
        _ = a.owner.out


def test_an_output_cannot_belong_to_two_nodes() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.log(x)
    with pytest.raises(ValueError, match="already belongs to another node"):
        Apply(y.owner.op, [x], [y])


def test_variable_clone_is_a_new_root() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.log(x)
    c = y.clone()
    assert c.owner is None and c.type == y.type and c is not y
    assert x.clone().name == "x" and x.clone("w").name == "w"
    assert type(x.clone()) is type(x)


# -- clone_with_new_inputs --------------------------------------------------------------
def test_clone_with_new_inputs_of_the_same_types_keeps_types() -> None:
    x, z = tt.vector("x", shape=(3,)), tt.vector("z", shape=(3,))
    y = tt.log(x)
    y.name = "y"
    node = y.owner.clone_with_new_inputs([z])
    assert node is not y.owner and node.op is y.owner.op
    assert node.inputs == [z] and node.out.type == y.type and node.out.name == "y"
    assert node.site == y.owner.site
    assert y.owner.inputs == [x]  # the original node is untouched


def test_clone_with_new_inputs_of_other_types_infers_types_again() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.log(x)
    v = tt.vector("v", shape=(None,))
    node = y.owner.clone_with_new_inputs([v], strict=False)
    assert node.out.type.shape == (None,)
    f32 = tt.vector("f", shape=(3,), dtype="float32")
    assert y.owner.clone_with_new_inputs([f32], strict=False).out.type.dtype == "float32"
    with pytest.raises(TypeError, match=re.escape("from Vector(float64, shape=(3,)) to")):
        y.owner.clone_with_new_inputs([v])
    with pytest.raises(ValueError, match="takes 1 inputs, got 2"):
        y.owner.clone_with_new_inputs([x, x])


def test_clone_with_new_inputs_of_a_more_specific_type_is_strict_compatible() -> None:
    x = tt.vector("x", shape=(None,))
    y = tt.log(x)
    node = y.owner.clone_with_new_inputs([tt.vector("x3", shape=(3,))])
    assert node.out.type.shape == (3,)


# -- Op ---------------------------------------------------------------------------------
def test_ops_are_equal_and_hashable_by_parameters() -> None:
    a, b = tt.Elemwise(log), tt.Elemwise(log)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert tt.Elemwise(log) != tt.Elemwise(exp)
    assert tt.Elemwise(add) != tt.Elemwise(add, inplace_pattern=((0, 0),))
    assert tt.DimShuffle(2, (1, 0)) == tt.DimShuffle(2, (1, 0))
    assert tt.DimShuffle(2, (1, 0)) != tt.DimShuffle(2, (0, 1))
    assert tt.DimShuffle(2, (1, 0)) != tt.DimShuffle(3, (1, 0, 2))
    x = tt.vector("x", shape=(3,))
    assert tt.log(x).owner.op == tt.log(x).owner.op


def test_composites_are_equal_by_structure() -> None:
    i, j = ScalarType("float64")(), ScalarType("float64")()
    assert Composite([i], [exp(sin(i))]) == Composite([j], [exp(sin(j))])
    assert hash(Composite([i], [exp(sin(i))])) == hash(Composite([j], [exp(sin(j))]))
    assert Composite([i], [exp(sin(i))]) != Composite([j], [sin(exp(j))])


def test_composites_with_zero_and_negative_zero_differ() -> None:
    # x * 0.0 and x * -0.0 differ for x < 0; merging them would change results.
    i = ScalarType("float64")()
    t = ScalarType("float64")
    pos = Composite([i], [mul(i, t.make_constant(0.0))])
    neg = Composite([i], [mul(i, t.make_constant(-0.0))])
    assert pos != neg


def test_op_parameters_and_str() -> None:
    assert Scale(2) == Scale(2) and Scale(2) != Scale(3) and hash(Scale(2)) == hash(Scale(2))
    assert Scale(2).params() == {"factor": 2}
    assert str(Scale(2)) == "Scale{factor=2}"
    assert NoParams() == NoParams() and hash(NoParams()) == hash(NoParams())
    assert NoParams() != Scale(1)
    assert NoParams().params() == {} and str(NoParams()) == "NoParams"
    with pytest.raises(NotImplementedError, match=r"NoParams\.make_node"):
        NoParams().make_node()


def test_an_op_of_our_own_compiles() -> None:
    x = tt.vector("x", shape=(3,))
    y = Scale(3)(x)
    assert repr(y.owner) == "Scale{factor=3}(x)"
    f = function([x], y, mode="python")
    np.testing.assert_array_equal(f(np.array([1.0, 2.0, 3.0])), [3.0, 6.0, 9.0])


# -- Constant ---------------------------------------------------------------------------
def test_constants_equal_by_type_and_value() -> None:
    a = tt.constant(np.array([1.0, 2.0]))
    assert a.equals(tt.constant(np.array([1.0, 2.0])))
    assert a.signature() == tt.constant(np.array([1.0, 2.0])).signature()
    assert hash(a.signature()) == hash(tt.constant(np.array([1.0, 2.0])).signature())
    assert not a.equals(tt.constant(np.array([1.0, 3.0])))
    assert not a.equals(tt.constant(np.array([1.0, 2.0]), dtype="float32"))
    assert not a.equals(tt.constant(np.array([[1.0, 2.0]])))
    assert not a.equals(tt.vector("v", shape=(2,)))
    assert a.clone().equals(a) and a.clone() is not a


@pytest.mark.parametrize(
    "make",
    [lambda v: tt.constant(np.array(v)), lambda v: ScalarType("float64").make_constant(v)],
    ids=["tensor", "scalar"],
)
def test_constant_signature_by_bits(make) -> None:  # type: ignore[no-untyped-def]
    # Interchangeable means the same bits: 0.0 is not -0.0, and nan is nan.
    assert not make(0.0).equals(make(-0.0))
    assert make(np.nan).equals(make(np.nan))
    assert make(1.5).equals(make(1.5))


def test_constant_data_is_filtered_by_its_type() -> None:
    c = Constant(tt.TensorType("float32", (2,)), [1, 2])
    assert isinstance(c.data, np.ndarray) and c.data.dtype == np.float32
    with pytest.raises((TypeError, ValueError)):
        Constant(tt.TensorType("float32", (3,)), [1, 2])


# -- creation sites in errors -----------------------------------------------------------
def test_a_missing_input_names_the_variable_and_its_line() -> None:
    x = tt.vector("x", shape=(3,))
    z, z_line = tt.vector("z", shape=(3,)), line()
    y = tt.log(x) + z
    with pytest.raises(MissingInputError, match=rf"'z' \(created at {HERE}:{z_line}\)"):
        function([x], y, mode="python")


def test_sites_of_roots_and_of_computed_variables() -> None:
    x, x_line = tt.vector("x", shape=(3,)), line()
    y, y_line = tt.exp(x), line()
    assert format_site(x.site) == f"{HERE}:{x_line}"
    assert describe(x) == f"'x' (created at {HERE}:{x_line})"
    assert describe(y) == f"Exp.0 (created at {HERE}:{y_line})"
    assert format_site(y.owner.site) == f"{HERE}:{y_line}"


def test_copies_keep_the_site_of_the_original() -> None:
    x = tt.vector("x", shape=(3,))
    y, y_line = tt.exp(x), line()
    fg = FunctionGraph([x], [y])
    assert describe(fg.outputs[0]) == f"Exp.0 (created at {HERE}:{y_line})"
    bad = tt.vector("w", shape=(4,))
    with pytest.raises(TypeError, match=rf"cannot replace Exp.0 \(created at {HERE}:{y_line}\)"):
        fg.replace(fg.outputs[0], bad)

    v = tt.vector("v", shape=(None,))
    new = graph_replace(y, {x: v}, strict=False)  # rebuilt with make_node: new types
    assert describe(new) == f"Exp.0 (created at {HERE}:{y_line})"


def test_a_type_error_names_both_variables_and_lines() -> None:
    x, x_line = tt.vector("x", shape=(3,)), line()
    y = tt.log(x)
    i, i_line = tt.vector("i", shape=(3,), dtype="int32"), line()
    with pytest.raises(TypeError) as err:
        graph_replace(y, {x: i})
    assert f"'x' (created at {HERE}:{x_line})" in str(err.value)
    assert f"'i' (created at {HERE}:{i_line})" in str(err.value)
