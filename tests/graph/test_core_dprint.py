"""dprint: the whole printed text, compared as one string."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph import FunctionGraph, Variable, dprint, equal_computations
from tensorgraft.tensor.scalar_ops import Composite, ScalarType, exp, sin

SEED = """\
Log [id A]
 └─ Add [id B]
    ├─ ExpandDims{axis=0} [id C]
    │  └─ 1 [id D]
    └─ <Vector(float64, shape=(3,))> [id E]"""


def seed() -> Variable:
    x = tt.tensor(shape=(3,), dtype="float64")
    return tt.log(1 + x)


def exp_sin() -> Composite:
    i = ScalarType("float64")()
    return Composite([i], [exp(sin(i))])


# -- the seed examples ------------------------------------------------------------------
def test_seed_example() -> None:
    assert dprint(seed(), file="str") == SEED


def test_print_type() -> None:
    assert dprint(seed(), file="str", print_type=True) == (
        "Log [id A] <Vector(float64, shape=(3,))>\n"
        " └─ Add [id B] <Vector(float64, shape=(3,))>\n"
        "    ├─ ExpandDims{axis=0} [id C] <Vector(int8, shape=(1,))>\n"
        "    │  └─ 1 [id D] <Scalar(int8, shape=())>\n"
        "    └─ <Vector(float64, shape=(3,))> [id E] <Vector(float64, shape=(3,))>"
    )


def test_a_shared_subtree_is_shown_once() -> None:
    x = tt.vector("x", shape=(None,))
    z = tt.exp(tt.sin(x))
    out = tt.cos((z[None, :] @ z[:, None]).squeeze())
    assert dprint(out, file="str") == (
        "Cos [id A]\n"
        " └─ DropDims{axes=[0, 1]} [id B]\n"
        "    └─ Blockwise{dot, (m,k),(k,n)->(m,n)} [id C]\n"
        "       ├─ ExpandDims{axis=0} [id D]\n"
        "       │  └─ Exp [id E]\n"
        "       │     └─ Sin [id F]\n"
        "       │        └─ x [id G]\n"
        "       └─ ExpandDims{axis=1} [id H]\n"
        "          └─ Exp [id E]\n"
        "             └─ ···"
    )


def test_a_repeated_leaf_is_shown_each_time_without_an_ellipsis() -> None:
    x = tt.vector("x", shape=(3,))
    assert dprint(x + x, file="str") == "Add [id A]\n ├─ x [id B]\n └─ x [id B]"


# -- names, constants, several outputs --------------------------------------------------
def test_names_of_inputs_and_of_computed_variables() -> None:
    x = tt.vector("x", shape=(3,))
    a = tt.exp(x)
    a.name = "a"
    y = tt.log(a)
    y.name = "y"
    assert dprint(y, file="str") == "Log [id A] 'y'\n └─ Exp [id B] 'a'\n    └─ x [id C]"


def test_constants() -> None:
    x = tt.vector("x", shape=(3,))
    y = x * 2.5 + tt.constant(np.array([1, 2, 3]))
    z = tt.log(tt.constant(np.arange(20.0)) + tt.constant(np.ones(20), name="ones"))
    assert dprint(y, file="str") == (
        "Add [id A]\n"
        " ├─ Mul [id B]\n"
        " │  ├─ x [id C]\n"
        " │  └─ ExpandDims{axis=0} [id D]\n"
        " │     └─ 2.5 [id E]\n"
        " └─ [1 2 3] [id F]"
    )
    assert dprint(z, file="str") == (
        "Log [id A]\n"
        " └─ Add [id B]\n"
        "    ├─ Constant{shape=(20,), dtype=float64} [id C]\n"
        "    └─ ones [id D]"
    )


def test_several_outputs_share_labels() -> None:
    x = tt.vector("x", shape=(3,))
    a = tt.exp(x)
    assert (
        dprint([tt.log(a), a, x], file="str")
        == """\
Log [id A]
 └─ Exp [id B]
    └─ x [id C]
Exp [id B]
 └─ ···
x [id C]"""
    )


def test_a_node_with_several_outputs() -> None:
    i, j = ScalarType("float64")(), ScalarType("float64")()
    two = Composite([i, j], [i + j, exp(i)])
    x = tt.vector("x", shape=(3,))
    s, e = tt.Elemwise(two)(x, x)
    assert dprint([s, e], file="str") == (
        "Composite{(i0 + i1), exp(i0)}.0 [id A]\n"
        " ├─ x [id B]\n"
        " └─ x [id B]\n"
        "Composite{(i0 + i1), exp(i0)}.1 [id C]\n"
        " ├─ x [id B]\n"
        " └─ x [id B]\n"
        "\n"
        "Inner graphs:\n"
        "\n"
        "Composite{(i0 + i1), exp(i0)} [id A]\n"
        " ← add [id D] 'o0'\n"
        "    ├─ i0 [id E]\n"
        "    └─ i1 [id F]\n"
        " ← exp [id G] 'o1'\n"
        "    └─ i0 [id E]"
    )


# -- inner graphs, destroy and view maps ------------------------------------------------
def test_inner_graph_of_a_composite() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.Elemwise(exp_sin())(x)
    assert dprint(y, file="str") == (
        "Composite{exp(sin(i0))} [id A]\n"
        " └─ x [id B]\n"
        "\n"
        "Inner graphs:\n"
        "\n"
        "Composite{exp(sin(i0))} [id A]\n"
        " ← exp [id C] 'o0'\n"
        "    └─ sin [id D]\n"
        "       └─ i0 [id E]"
    )


def test_inner_graph_with_types_names_outputs_before_types() -> None:
    x = tt.vector("x", shape=(3,))
    text = dprint(tt.Elemwise(exp_sin())(x), file="str", print_type=True)
    assert text is not None
    assert text.splitlines()[-3:] == [
        " ← exp [id C] 'o0' <float64>",
        "    └─ sin [id D] <float64>",
        "       └─ i0 [id E] <float64>",
    ]


def test_nested_inner_graphs_are_printed_too() -> None:
    s, t = ScalarType("float64")(), ScalarType("float64")()
    inner = Composite([s], [sin(s)])
    outer = Composite([t], [exp(inner(t))])
    y = tt.Elemwise(outer)(tt.vector("x", shape=(3,)))
    assert dprint(y, file="str") == (
        "Composite{exp(Composite{sin(i0)}(i0))} [id A]\n"
        " └─ x [id B]\n"
        "\n"
        "Inner graphs:\n"
        "\n"
        "Composite{exp(Composite{sin(i0)}(i0))} [id A]\n"
        " ← exp [id C] 'o0'\n"
        "    └─ Composite{sin(i0)} [id D]\n"
        "       └─ i0 [id E]\n"
        "\n"
        "Composite{sin(i0)} [id D]\n"
        " ← sin [id F] 'o0'\n"
        "    └─ i0 [id G]"
    )


def test_print_destroy_map() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.Elemwise(exp, inplace_pattern=((0, 0),))(x)
    assert dprint(y, file="str") == "Exp [id A]\n └─ x [id B]"
    assert dprint(y, file="str", print_destroy_map=True) == "Exp [id A] d={0: [0]}\n └─ x [id B]"


def test_print_view_map() -> None:
    text = dprint(seed(), file="str", print_view_map=True)
    assert text == SEED.replace("ExpandDims{axis=0} [id C]", "ExpandDims{axis=0} [id C] v={0: [0]}")


# -- what can be printed, and where -----------------------------------------------------
def test_variable_and_function_graph_methods() -> None:
    y = seed()
    assert y.dprint(file="str") == SEED
    assert FunctionGraph(outputs=[y]).dprint(file="str") == SEED
    assert dprint(y.owner, file="str") == SEED


def test_function_shows_execution_order() -> None:
    x = tt.vector("x", shape=(3,))
    z = tt.exp(x)
    y = tt.sin(z) + tt.cos(z)
    f = function([x], y, mode="python", rewrite=False)  # the graph as written
    text = f.dprint(file="str")
    assert text is not None
    # Each node's line ends with its position in the order the nodes run.
    order = f.fgraph.toposort()
    positions = [int(m) for m in re.findall(r"\] (\d+)$", text, flags=re.MULTILINE)]
    assert sorted(set(positions)) == list(range(len(order)))
    assert equal_computations(f.fgraph.outputs, [y], f.fgraph.inputs, [x])
    assert text == (
        "Add [id A] 3\n"
        " ├─ Sin [id B] 1\n"
        " │  └─ Exp [id C] 0\n"
        " │     └─ x [id D]\n"
        " └─ Cos [id E] 2\n"
        "    └─ Exp [id C] 0\n"
        "       └─ ···"
    )


def test_file_argument() -> None:
    buf = io.StringIO()
    assert dprint(seed(), file=buf) is None
    assert buf.getvalue() == SEED + "\n"


def test_prints_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert seed().dprint() is None
    assert capsys.readouterr().out == SEED + "\n"


def test_depth_limit() -> None:
    assert dprint(seed(), file="str", depth=2) == "Log [id A]\n └─ Add [id B]\n    └─ ···"
    assert dprint(seed(), file="str", depth=1) == "Log [id A]\n └─ ···"
    assert dprint(seed(), file="str", depth=4) == SEED


def test_labels_past_26_nodes() -> None:
    y = tt.vector("x", shape=(3,))
    for _ in range(28):
        y = tt.exp(y)
    text = dprint(y, file="str")
    assert text is not None
    labels = re.findall(r"\[id (\w+)\]", text)
    assert labels[:3] == ["A", "B", "C"]
    assert labels[24:] == ["Y", "Z", "AA", "AB", "AC"]
    assert text.splitlines()[-1].endswith("└─ x [id AC]")


def test_labels_past_702_nodes() -> None:
    # Bijective base 26: ... Z, AA ... ZZ, AAA ...
    y = tt.vector("x", shape=(3,))
    for _ in range(703):
        y = tt.exp(y)
    labels = re.findall(r"\[id (\w+)\]", dprint(y, file="str") or "")
    assert labels[701:] == ["ZZ", "AAA", "AAB"]
    assert len(set(labels)) == len(labels)


def test_unprintable_objects_are_refused() -> None:
    with pytest.raises(TypeError, match="dprint cannot print int"):
        dprint(3)
