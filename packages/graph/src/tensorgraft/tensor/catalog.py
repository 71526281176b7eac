"""The op catalog: small runnable graphs for every op, each with its NumPy reference.

Every stage tests itself against this list. The python backend must reproduce each
case's `reference` (tests/graph); every other backend must reproduce the python backend
on every case; a stage's coverage check asks which op types the catalog uses
(`catalog_op_types`) and fails on those it has no rule for. A new op comes with cases:

    @case("elemwise.log", lambda x: [np.log(x)])
    def _(rng):
        x = tt.vector("x")
        return [x], [tt.log(x)], [rng.uniform(0.5, 3.0, size=4)]

`build(rng)` returns (inputs, outputs, input values); the values must be valid for the op
(positive for log, no integer division by zero, ...). `reference(*values)` computes the
same outputs with NumPy/SciPy, with the same dtypes and shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.traversal import io_toposort, toposort
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.elemwise import Elemwise

Built = tuple[list[Variable], list[Variable], list[np.ndarray]]
Build = Callable[[np.random.Generator], Built]
Reference = Callable[..., list[Any]]  # arrays (or NumPy scalars, read with np.asarray)
Shapes = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class OpCase:
    """One catalog entry: a graph to build and the NumPy computation it must match.

    Attributes:
        name: unique, "<family>.<what>", e.g. "elemwise.log", "subtensor.symbolic_slice".
        build: rng -> (inputs, outputs, values of the inputs).
        reference: values of the inputs -> expected values of the outputs.
    """

    name: str
    build: Build
    reference: Reference

    def __str__(self) -> str:
        return self.name


CASES: list[OpCase] = []
_BY_NAME: dict[str, OpCase] = {}


def register_case(name: str, build: Build, reference: Reference) -> OpCase:
    """Add a case to `CASES` and return it. Names are unique: "<family>.<what>"."""
    if "." not in name or name != name.strip():
        raise ValueError(f"case names look like 'family.what', got {name!r}")
    if name in _BY_NAME:
        raise ValueError(f"the catalog already has a case named {name!r}")
    new = OpCase(name, build, reference)
    CASES.append(new)
    _BY_NAME[name] = new
    return new


def case(name: str, reference: Reference) -> Callable[[Build], Build]:
    """Decorator form of `register_case`: decorate the build function."""

    def register(build: Build) -> Build:
        register_case(name, build, reference)
        return build

    return register


def get_case(name: str) -> OpCase:
    """The case called `name`."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no catalog case named {name!r}") from None


def ops_in(op_case: OpCase) -> set[Op]:
    """Every op a case's graph applies, with the ops inside Elemwise, Composite, Blockwise."""
    _, outputs, _ = op_case.build(np.random.default_rng(0))
    found: set[Op] = set()
    stack: list[Op] = [node.op for node in toposort(outputs)]
    while stack:
        op = stack.pop()
        if op in found:
            continue
        found.add(op)
        if isinstance(op, Elemwise):
            stack.append(op.scalar_op)
        elif isinstance(op, Blockwise):
            stack.append(op.core_op)
        elif op.inner_outputs is not None:  # a Composite's scalar graph
            stack.extend(n.op for n in io_toposort(op.inner_inputs or [], op.inner_outputs))
    return found


def op_types_in(op_case: OpCase) -> set[type]:
    """The Op types a case's graph uses, scalar op types (Add, Cast, ...) included."""
    return {type(op) for op in ops_in(op_case)}


def catalog_op_types() -> set[type]:
    """Every Op type (scalar op types included) that some catalog case uses."""
    return {t for c in CASES for t in op_types_in(c)}


def catalog_scalar_ops() -> set[ts.ScalarOp]:
    """Every scalar op (an instance: `add`, `Cast('int32')`, a Composite) some case uses."""
    return {op for c in CASES for op in ops_in(c) if isinstance(op, ts.ScalarOp)}


# -- helpers for writing cases --------------------------------------------------------------
# Relative tolerance when comparing float results across engines, by dtype.
RTOL = {"float16": 1e-3, "float32": 1e-5, "complex64": 1e-5}


def assert_matches(got: Any, expected: Any, what: str = "") -> None:
    """Assert an ndarray result equals a reference: same dtype, shape and values.

    Floats are compared with a tolerance by dtype (NaNs equal); everything else exactly.
    Backends' differential tests compare against the python backend with this.
    """
    expected = np.asarray(expected)
    assert isinstance(got, np.ndarray), f"{what}: got {type(got).__name__}, not an ndarray"
    assert got.dtype == expected.dtype, f"{what}: dtype {got.dtype} != expected {expected.dtype}"
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != expected {expected.shape}"
    if got.dtype.kind in "fc":
        rtol = RTOL.get(got.dtype.name, 1e-10)
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=0, err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


def uniform(
    rng: np.random.Generator, shape: tuple[int, ...], lo: float, hi: float, dtype: str = "float64"
) -> np.ndarray:
    """Floats drawn uniformly from [lo, hi)."""
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def ints(
    rng: np.random.Generator, shape: tuple[int, ...], lo: int, hi: int, dtype: str = "int64"
) -> np.ndarray:
    """Integers in [lo, hi] (inclusive)."""
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)


def index(value: int) -> np.ndarray:
    """An int64 0-d array: a value for a symbolic index."""
    return np.asarray(value, dtype="int64")


def draw(
    rng: np.random.Generator, shape: tuple[int, ...], dtype: str, lo: float, hi: float, ties: bool
) -> np.ndarray:
    kind = np.dtype(dtype).kind
    if kind in "iu" or ties:
        return ints(rng, shape, int(lo), int(hi), dtype)
    if kind == "c":
        re, im = uniform(rng, shape, lo, hi), uniform(rng, shape, lo, hi)
        return np.asarray((re + 1j * im).astype(dtype))  # 0-d: an array, not a NumPy scalar
    return uniform(rng, shape, lo, hi, dtype)


# -- the listing: every public op with its family ---------------------------------------------
@dataclass(frozen=True)
class OpInfo:
    """A public function of `tensorgraft.tensor` that builds op nodes.

    Attributes:
        name: its public name ("log", "linalg.cholesky").
        family: "elemwise", "special", "reduction", "indexing", "shape", "construction"
            or "linalg".
        function: the function itself.
        aliases: other public names for the same function ("divide" for "true_div").
    """

    name: str
    family: str
    function: Callable[..., Any]
    aliases: tuple[str, ...] = ()


FAMILIES = ("elemwise", "special", "reduction", "indexing", "shape", "construction", "linalg")
_LISTING: dict[str, OpInfo] = {}


def _public(name: str) -> Callable[..., Any]:
    module: Any = tt
    for part in name.split("."):
        module = getattr(module, part)
    return module


def list_ops(family: str, names: str) -> None:
    """List the public ops called `names` (space separated) under `family`.

    Other public names bound to the same function are recorded as its aliases.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; one of {FAMILIES}")
    for name in names.split():
        if name in _LISTING:
            raise ValueError(f"{name!r} is already listed")
        fn = _public(name)
        prefix = name.rpartition(".")[0]
        space = tt.linalg.__all__ if prefix == "linalg" else tt.__all__
        aliases = tuple(
            f"{prefix}.{a}" if prefix else a
            for a in space
            if a != name.rpartition(".")[2] and getattr(_public(prefix) if prefix else tt, a) is fn
        )
        _LISTING[name] = OpInfo(name, family, fn, aliases)


def listing(family: str | None = None) -> list[OpInfo]:
    """Every public op (of one family) with its family, in listing order."""
    return [info for info in _LISTING.values() if family is None or info.family == family]


def cases_of(name: str) -> list[OpCase]:
    """The cases that exercise the public op `name`: those with a name segment equal to it.

    "elemwise.log.float32" exercises `log`; "linalg.cholesky.batched" exercises
    `linalg.cholesky`.
    """
    last = name.rpartition(".")[2]
    return [c for c in CASES if last in c.name.split(".")[1:] or c.name.split(".")[0] == last]


# The cases themselves, one module per family; importing them registers them.
import tensorgraft.tensor.cases.construction  # noqa: E402
import tensorgraft.tensor.cases.elemwise  # noqa: E402
import tensorgraft.tensor.cases.indexing  # noqa: E402
import tensorgraft.tensor.cases.linalg  # noqa: E402
import tensorgraft.tensor.cases.reduction  # noqa: E402
import tensorgraft.tensor.cases.shape  # noqa: E402
import tensorgraft.tensor.cases.special  # noqa: E402, F401
