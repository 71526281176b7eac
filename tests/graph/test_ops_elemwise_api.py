"""The elementwise and special ops' API: names, aliases, printing, NumPy's special cases
(clip bounds, real of a real array, round half to even) and every scalar op in a Composite."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest
import scipy.special as sp

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor import catalog
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.catalog import assert_matches
from tensorgraft.tensor.elemwise import Elemwise


def op_of(var: Variable) -> Op:
    """The op that computed `var`."""
    assert var.owner is not None, f"{var} is not computed by an op"
    return var.owner.op


ALIASES = [
    ("int_div", "floor_div"),
    ("bitwise_not", "invert"),
    ("psi", "digamma"),
    ("expit", "sigmoid"),
    ("log1pexp", "softplus"),
    ("absolute", "abs"),
    ("remainder", "mod"),
    ("square", "sqr"),
    ("conjugate", "conj"),
    ("astype", "cast"),
    ("acos", "arccos"),
    ("asinh", "arcsinh"),
    ("atan2", "arctan2"),
    ("bitwise_invert", "invert"),
    ("bitwise_left_shift", "left_shift"),
]


@pytest.mark.parametrize(("alias", "name"), ALIASES)
def test_aliases_are_the_same_function(alias: str, name: str) -> None:
    assert getattr(tt, alias) is getattr(tt, name)
    (info,) = [i for i in catalog.listing() if i.name == name]
    assert alias in info.aliases
    if hasattr(ts, alias):
        assert getattr(ts, alias) is getattr(ts, name)


@pytest.mark.parametrize("op", ts.ALL_SCALAR_OPS, ids=str)
def test_scalar_op_names(op: ts.ScalarOp) -> None:
    # ts.<name> is the op, tt.<name> applies it, and its class is the name in CamelCase.
    assert getattr(ts, op.name) is op
    fn = getattr(tt, op.name)
    assert callable(fn) and fn.__doc__
    assert type(op).__name__.lower() == op.name.replace("_", "")
    assert type(op).__doc__


def test_printed_names() -> None:
    x = tt.vector("x")
    for fn, printed in [
        (tt.softplus, "Softplus"),
        (tt.log1p, "Log1p"),
        (tt.sqr, "Sqr"),
        (tt.reciprocal, "Reciprocal"),
        (tt.log1mexp, "Log1mexp"),
        (tt.sigmoid, "Sigmoid"),
    ]:
        assert str(op_of(fn(x))) == printed
    assert str(op_of(tt.round(x, 2))) == "Round{decimals=2}"
    i0, i1 = ts.ScalarType("int64")(), ts.ScalarType("int64")()
    expr = ts.bitwise_or(
        ts.bitwise_and(ts.mod(i0, i1), ts.left_shift(i0, 2)), ts.right_shift(i1, i0)
    )
    assert (
        str(ts.Composite([i0, i1], [expr])) == "Composite{(((i0 % i1) & (i0 << 2)) | (i1 >> i0))}"
    )


def test_dprint_shows_the_op_names() -> None:
    x = tt.vector("x")
    text = tt.softplus(tt.reciprocal(tt.sqr(x))).dprint(file="str")
    assert re.findall(r"[A-Z][a-z0-9]+", text) == ["Softplus", "Reciprocal", "Sqr"]


# -- NumPy's special cases --------------------------------------------------------------------
def test_clip_bounds_like_numpy() -> None:
    x = tt.vector("x", dtype="int8")
    assert tt.clip(x) is x and x.clip(None, None) is x
    assert op_of(tt.clip(x, None, 3)) == Elemwise(ts.minimum)
    assert op_of(tt.clip(x, -3)) == Elemwise(ts.maximum)
    # A Python bound beyond int8's range is no bound, as in numpy.clip.
    assert op_of(tt.clip(x, -1000, 5)) == Elemwise(ts.minimum)
    assert tt.clip(x, -1000, 1000) is x
    assert tt.clip(x, 0.5, 2).dtype == np.clip(np.zeros(1, "int8"), 0.5, 2).dtype


def test_real_of_a_real_array_is_the_array_and_imag_is_zeros() -> None:
    x = tt.matrix("x", dtype="float32")
    assert tt.real(x) is x and x.real is x
    value = np.arange(6, dtype="float32").reshape(2, 3)
    (imag,) = function([x], [x.imag], mode="python")(value)
    assert_matches(imag, np.imag(value), "imag")
    imag[0, 0] = 1.0  # an array of its own, writeable
    z = tt.vector("z", dtype="complex128")
    assert tt.real(z).dtype == "float64" and tt.angle(x).dtype == "float32"


def test_round_half_to_even() -> None:
    x = tt.vector("x")
    value = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.125, 0.375])
    rounded, two = function([x], [tt.round(x), tt.round(x, 2)], mode="python")(value)
    np.testing.assert_array_equal(rounded, [0.0, 2.0, 2.0, -0.0, -2.0, 0.0, 0.0])
    np.testing.assert_array_equal(two, np.round(value, 2))
    assert ts.Round(2) == ts.Round(2) and hash(ts.Round(2)) == hash(ts.Round(2))
    assert ts.Round(0) == ts.round != ts.Round(1)


def test_python_int_order_of_polygamma_stays_an_integer() -> None:
    x = tt.vector("x", dtype="float32")
    y = tt.polygamma(1, x)
    assert y.dtype == "float64" and y.owner is not None
    assert y.owner.inputs[0].type.dtype.startswith("int")
    i0 = ts.ScalarType("float32")()
    assert op_of(ts.polygamma(1, i0)) is ts.polygamma
    assert ts.polygamma(1, i0).owner.inputs[0].type.dtype == "int64"
    value = np.array([0.5, 1.0, 3.0], "float32")
    (got,) = function([x], [y], mode="python")(value)
    assert_matches(got, sp.polygamma(1, value), "polygamma")


# -- every scalar op inside a Composite ---------------------------------------------------------
def _float_ops() -> list[ts.ScalarOp]:
    ops = []
    for op in ts.ALL_SCALAR_OPS:
        if op.nin == -1:
            continue
        try:
            op.output_dtypes(*["float64"] * op.nin)
        except TypeError:
            continue
        ops.append(op)
    return ops


@pytest.mark.parametrize("op", _float_ops(), ids=str)
def test_every_float_scalar_op_works_in_a_composite(op: ts.ScalarOp) -> None:
    """Composite{op(i0 * 0.5, ...)} computes what the ops' own Elemwise nodes compute."""
    xs = [tt.matrix(f"x{k}") for k in range(op.nin)]
    inner = [ts.ScalarType("float64")() for _ in range(op.nin)]
    args = [ts.mul(i, 0.5) for i in inner]
    if op is ts.polygamma:
        args[0] = ts.Cast("int64")(inner[0])  # its order is an integer
    fused = Elemwise(ts.Composite(inner, [op(*args)]))(*xs)
    if op is ts.polygamma:
        plain = Elemwise(op)(tt.cast(xs[0], "int64"), *[x * 0.5 for x in xs[1:]])
    else:
        plain = Elemwise(op)(*[x * 0.5 for x in xs])
    rng = np.random.default_rng(0)
    values = [rng.uniform(0.2, 1.8, size=(2, 3)) for _ in xs]
    with np.errstate(all="ignore"):
        got, want = function(xs, [fused, plain], mode="python")(*values)
    assert_matches(got, want, str(op))


def scalar(dtype: str) -> ts.ScalarVariable:
    """A scalar variable for a Composite's inner graph."""
    var = ts.ScalarType(dtype)()
    assert isinstance(var, ts.ScalarVariable)
    return var


def test_scalar_variable_operators() -> None:
    i0, i1 = scalar("float64"), scalar("float64")
    exprs = [abs(i0) % i1, i0 // i1, 2.0**i0, 7.0 // i1, 5.0 % i0]
    assert [op_of(e) for e in exprs] == [ts.mod, ts.floor_div, ts.pow, ts.floor_div, ts.mod]
    op = Elemwise(ts.Composite([i0, i1], exprs))
    x, y = tt.vector("x"), tt.vector("y")
    xv, yv = np.array([-2.5, 1.5, 3.0]), np.array([0.7, 2.0, -1.5])
    got = function([x, y], op(x, y), mode="python")(xv, yv)
    want = [np.abs(xv) % yv, xv // yv, 2.0**xv, 7.0 // yv, 5.0 % xv]
    for g, w in zip(got, want, strict=True):
        assert_matches(g, w, "scalar operators")


# -- the catalog runs every op on edge shapes -----------------------------------------------------
def _edge_shapes_in_catalog() -> dict[str, set[str]]:
    """For each scalar op name, which edge shapes some catalog case applies it to.

    "0-d": a 0-d output; "empty": a size-0 output; "broadcast": an input with a length-1
    axis that the output stretches. Shapes are those computed by the python backend.
    """
    found: dict[str, set[str]] = {}
    for op_case in catalog.CASES:
        if op_case.name.split(".")[0] not in ("elemwise", "special"):
            continue
        inputs, outputs, values = op_case.build(np.random.default_rng(0))
        nodes = [n for n in toposort(outputs) if isinstance(n.op, Elemwise)]
        wanted = [v for n in nodes for v in [*n.inputs, n.outputs[0]]]
        with np.errstate(all="ignore"):
            got = function(inputs, wanted, mode="python", on_unused_input="ignore")(*values)
        shapes = iter([np.shape(g) for g in got])
        for node in nodes:
            ins = [next(shapes) for _ in node.inputs]
            out = next(shapes)
            kinds = found.setdefault(node.op.scalar_op.name.split("{")[0], set())
            kinds |= {"0-d"} if out == () else set()
            kinds |= {"empty"} if 0 in out else set()
            stretched = any(
                len(s) == len(out) and any(a == 1 < b for a, b in zip(s, out, strict=True))
                for s in ins
            )
            kinds |= {"broadcast"} if stretched else set()
    return found


def test_every_listed_op_has_catalog_cases_on_edge_shapes() -> None:
    found = _edge_shapes_in_catalog()
    missing = []
    for info in catalog.listing("elemwise") + catalog.listing("special"):
        scalar_op = getattr(ts, info.name, None)
        nin = 2 if scalar_op is None else scalar_op.nin  # cast and round: unary
        nin = 1 if info.name in ("cast", "round") else nin
        want = {"0-d", "empty"} | ({"broadcast"} if nin != 1 else set())
        if want - found.get(info.name, set()):
            missing.append(f"{info.name}: {sorted(want - found.get(info.name, set()))}")
    assert not missing, f"catalog cases lack edge shapes for {missing}"


@pytest.mark.parametrize("op", [*ts.ALL_SCALAR_OPS, ts.Cast("int8"), ts.Round(2)], ids=str)
def test_ops_pickle_to_equal_ops(op: ts.ScalarOp) -> None:
    # On-disk caches and worker processes key on (and ship) ops.
    for o in (op, Elemwise(op)):
        back = pickle.loads(pickle.dumps(o))
        assert back == o and hash(back) == hash(o)


# The issue's lists, by family: each name is a listed op or an alias of one.
ISSUE_LISTS = {
    "elemwise": "add sub mul true_div floor_div int_div mod pow neg abs sign reciprocal sqr sqrt "
    "minimum maximum clip round floor ceil trunc cast astype eq neq lt le gt ge isnan isinf "
    "logical_and logical_or logical_xor logical_not bitwise_and bitwise_or bitwise_xor invert "
    "left_shift right_shift "
    "switch where real imag conj angle "
    "exp exp2 expm1 log log2 log10 log1p sin cos tan arcsin arccos arctan arctan2 "
    "sinh cosh tanh arcsinh arccosh arctanh",
    "special": "erf erfc erfcx erfinv erfcinv gamma gammaln digamma psi polygamma gammainc "
    "gammaincc betaln sigmoid expit softplus log1pexp log1mexp logit xlogy xlog1py logaddexp",
    # Along the axis they normalize over: listed with the reductions (cases/reduction.py).
    "reduction": "log_softmax softmax logsumexp",
}


@pytest.mark.parametrize("family", list(ISSUE_LISTS))
def test_the_issue_lists_are_in_the_catalog_listing(family: str) -> None:
    listed = {n: info.family for info in catalog.listing() for n in (info.name, *info.aliases)}
    for name in ISSUE_LISTS[family].split():
        assert listed.get(name) == family, f"{name}: listed as {listed.get(name)}, not {family}"
