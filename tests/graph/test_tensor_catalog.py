"""The op catalog: the registry itself, its coverage of every op, and every case against NumPy."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.op import Op
from tensorgraft.tensor import catalog
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.catalog import (
    CASES,
    OpCase,
    assert_matches,
    catalog_op_types,
    catalog_scalar_ops,
    get_case,
    op_types_in,
    register_case,
)
from tensorgraft.tensor.subtensor import IndexedWrite

CASE_NAMES = [c.name for c in CASES]


def _subclasses(cls: type) -> set[type]:
    out: set[type] = set()
    stack = [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in out:
                out.add(sub)
                stack.append(sub)
    return out


def defined_op_types() -> set[type]:
    """Every concrete Op class defined in tensorgraft.tensor (scalar ops included)."""
    for mod in pkgutil.walk_packages(tt.__path__, "tensorgraft.tensor."):
        importlib.import_module(mod.name)
    abstract = {ts.ScalarOp, ts.UfuncOp, IndexedWrite}
    return {
        c
        for c in _subclasses(Op)
        if c.__module__.startswith("tensorgraft.tensor.") and c not in abstract
    }


# -- the registry -------------------------------------------------------------------------------
def test_names_are_unique_and_well_formed() -> None:
    assert len(CASE_NAMES) == len(set(CASE_NAMES))
    for name in CASE_NAMES:
        family, _, what = name.partition(".")
        assert family and what and name == name.strip() and " " not in name, name


def test_register_case_rejects_duplicates_and_bad_names() -> None:
    first = CASES[0]
    with pytest.raises(ValueError, match="already has a case"):
        register_case(first.name, first.build, first.reference)
    with pytest.raises(ValueError, match=r"family\.what"):
        register_case("nodot", first.build, first.reference)
    assert CASES.count(first) == 1


def test_register_case_grows_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "CASES", list(CASES))
    monkeypatch.setattr(catalog, "_BY_NAME", dict(catalog._BY_NAME))

    @catalog.case("test.neg_then_exp", lambda x: [np.exp(-x)])
    def build(rng: np.random.Generator) -> catalog.Built:
        x = tt.vector("x")
        return [x], [tt.exp(-x)], [rng.normal(size=3)]

    new = catalog.get_case("test.neg_then_exp")
    assert isinstance(new, OpCase) and str(new) == "test.neg_then_exp"
    assert catalog.CASES[-1] is new and new.build is build
    assert op_types_in(new) == {tt.Elemwise, type(ts.neg), type(ts.exp)}
    with pytest.raises(KeyError, match="no catalog case"):
        get_case("test.missing")


def test_every_op_has_a_case() -> None:
    missing = defined_op_types() - catalog_op_types()
    assert not missing, f"ops without a catalog case: {sorted(t.__name__ for t in missing)}"


def test_every_op_implements_its_behaviours() -> None:
    # The python backend runs any op with a perform: this is its coverage list.
    for op_type in defined_op_types():
        if issubclass(op_type, ts.ScalarOp):
            base, methods = ts.ScalarOp, ("output_dtypes", "impl")
        else:
            base, methods = Op, ("make_node", "perform", "infer_shape")
        for method in methods:
            assert getattr(op_type, method) is not getattr(base, method), (
                f"{op_type.__name__} does not implement {method}"
            )


def test_every_scalar_op_has_a_case() -> None:
    used = catalog_scalar_ops()
    missing = [op for op in ts.ALL_SCALAR_OPS if op not in used]
    assert not missing, f"scalar ops without an Elemwise case: {missing}"
    assert any(isinstance(op, ts.Cast) for op in used)
    assert sum(isinstance(op, ts.Composite) for op in used) >= 2


def test_every_op_form_has_a_case() -> None:
    ops = set().union(*(catalog.ops_in(c) for c in CASES))
    shuffles = {str(op).split("{")[0] for op in ops if isinstance(op, tt.DimShuffle)}
    assert {"ExpandDims", "DropDims", "Transpose", "DimShuffle"} <= shuffles
    sums = {op.axes for op in ops if isinstance(op, tt.Sum)}
    assert None in sums and any(a is not None and len(a) == 1 for a in sums)
    assert any(a is not None and len(a) > 1 for a in sums)
    assert any(op.dtype is not None for op in ops if isinstance(op, tt.Sum))
    forms = {str(e) for op in ops if isinstance(op, tt.Subtensor) for e in op.idx_list}
    assert {"i", "start:", ":stop", "start:stop", "::step", "start:stop:step"} <= forms


def test_op_types_in() -> None:
    assert op_types_in(get_case("elemwise.log")) == {tt.Elemwise, type(ts.log)}
    composite = op_types_in(get_case("elemwise.composite"))
    assert {tt.Elemwise, ts.Composite, type(ts.exp), type(ts.sin), type(ts.mul)} <= composite
    matmul = op_types_in(get_case("matmul.vector_vector"))
    assert matmul == {tt.Blockwise, tt.Dot, tt.DimShuffle}
    assert op_types_in(get_case("dot.core")) == {tt.Dot}


# -- every case against its NumPy reference ------------------------------------------------------
@pytest.mark.parametrize("name", CASE_NAMES)
def test_case_matches_reference(name: str) -> None:
    case = get_case(name)
    inputs, outputs, values = case.build(np.random.default_rng(42))
    assert len(inputs) == len(values)
    for var, value in zip(inputs, values, strict=True):
        assert var.type.is_valid_value(value), f"{name}: value for {var} is not a {var.type}"
    expected = case.reference(*[np.copy(v) for v in values])
    assert len(expected) == len(outputs), (
        f"{name}: {len(expected)} references, {len(outputs)} outputs"
    )
    got = function(inputs, outputs, mode="python")(*values)
    for k, (g, e, out) in enumerate(zip(got, expected, outputs, strict=True)):
        assert_matches(g, e, f"{name} output {k}")
        assert out.type.dtype == g.dtype.name
        assert all(s is None or s == n for s, n in zip(out.type.shape, g.shape, strict=True)), (
            f"{name} output {k}: static shape {out.type.shape}, computed {g.shape}"
        )


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case_does_not_change_its_inputs(name: str) -> None:
    inputs, outputs, values = get_case(name).build(np.random.default_rng(0))
    before = [np.copy(v) for v in values]
    function(inputs, outputs, mode="python")(*values)
    for b, v in zip(before, values, strict=True):
        np.testing.assert_array_equal(b, v)


# -- the listing: every public op, with its family and its cases --------------------------------
# Public names that are not ops: variable constructors, conversions, types and op classes.
NOT_OPS = {
    "as_tensor",
    "as_tensor_variable",
    "constant",
    "floatX",
    "linalg",
    "matrix",
    "scalar",
    "tensor",
    "tensor3",
    "vector",
}


def _public_functions() -> set[str]:
    names = {n for n in tt.__all__ if not n[0].isupper() and n not in NOT_OPS}
    names |= {f"linalg.{n}" for n in tt.linalg.__all__ if not n[0].isupper()}
    return names


def test_every_public_op_is_listed_with_a_family() -> None:
    listed = {info.name for info in catalog.listing()}
    listed |= {a for info in catalog.listing() for a in info.aliases}
    missing = sorted(_public_functions() - listed)
    assert not missing, f"public functions missing from the catalog listing: {missing}"
    assert {info.family for info in catalog.listing()} <= set(catalog.FAMILIES)


@pytest.mark.parametrize("name", [info.name for info in catalog.listing()])
def test_every_listed_op_has_cases(name: str) -> None:
    assert catalog.cases_of(name), f"no catalog case exercises {name!r}"


def test_list_ops_rejects_duplicates_and_unknown_families() -> None:
    with pytest.raises(ValueError, match="already listed"):
        catalog.list_ops("elemwise", "add")
    with pytest.raises(ValueError, match="unknown family"):
        catalog.list_ops("nonsense", "add")
