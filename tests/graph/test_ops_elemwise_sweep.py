"""Conformance sweep of the "elemwise" and "special" families against NumPy / scipy.special.

Every op of `catalog.listing("elemwise")` and `catalog.listing("special")`, over every
dtype and over 0-d, size-0 and length-1 (broadcast) shapes, known statically or not: either
NumPy refuses the dtype and so does the build (a TypeError naming it), or the node's dtype
and static shape are NumPy's, the python backend's values match, and `infer_shape` gives
the real shape. A new op in these families needs an entry in SPECS (its reference and the
domain of each input).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import scipy.special as sp

import tensorgraft.tensor as tt
from tensorgraft.compile.python_backend import backend
from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor import catalog
from tensorgraft.tensor.shape import ShapeI
from tensorgraft.tensor.type import ALL_DTYPES

# Input domains: (lo, hi) for floats; integers are drawn from the same range, rounded in.
DOMAINS: dict[str, tuple[float, float]] = {
    "any": (-3, 3),
    "pos": (0.5, 4),  # log, gamma, divisors that may be taken > 0
    "nonneg": (0, 4),
    "unit": (-0.9, 0.9),  # arcsin, arctanh, erfinv
    "ge1": (1, 4),  # arccosh
    "neg": (-3, -0.1),  # log1mexp
    "prob": (0.05, 0.95),  # logit
    "erfc": (0.05, 1.95),  # erfcinv
    "shift": (0, 3),  # shift counts, integer exponents
    "nonzero": (0.5, 4),  # divisors: drawn with both signs
}


@dataclass(frozen=True)
class Spec:
    """How to sweep one op: its NumPy/SciPy reference and the domain of each input.

    call: builds the graph from the inputs (default: the public function itself).
    dtypes: a fixed dtype for some inputs (by position) instead of the swept one.
    """

    reference: Callable[..., Any]
    domains: tuple[str, ...]
    call: Callable[..., Any] | None = None
    dtypes: dict[int, str] = field(default_factory=dict)


def _log1mexp(x: Any) -> Any:
    if x.dtype.kind == "c":
        raise TypeError("log1mexp is defined for real numbers only (a choice: no SciPy ufunc)")
    return np.where(x > -1, np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


U, B = ("any",), ("any", "any")
SPECS: dict[str, Spec] = {
    # Arithmetic.
    "add": Spec(np.add, B),
    "sub": Spec(np.subtract, B),
    "mul": Spec(np.multiply, B),
    "true_div": Spec(np.true_divide, ("any", "nonzero")),
    "floor_div": Spec(np.floor_divide, ("any", "nonzero")),
    "mod": Spec(np.remainder, ("any", "nonzero")),
    "pow": Spec(np.power, ("any", "shift")),
    "neg": Spec(np.negative, U),
    "abs": Spec(np.absolute, U),
    "sign": Spec(np.sign, U),
    "reciprocal": Spec(np.reciprocal, ("nonzero",)),
    "sqr": Spec(np.square, U),
    "sqrt": Spec(np.sqrt, ("nonneg",)),
    "maximum": Spec(np.maximum, B),
    "minimum": Spec(np.minimum, B),
    "clip": Spec(np.clip, ("any", "any", "any")),
    "round": Spec(np.round, U),
    "floor": Spec(np.floor, U),
    "ceil": Spec(np.ceil, U),
    "trunc": Spec(np.trunc, U),
    "cast": Spec(lambda x: x.astype("int16"), U, call=lambda x: tt.cast(x, "int16")),
    # Comparisons, classification, logic, bits.
    "eq": Spec(np.equal, B),
    "neq": Spec(np.not_equal, B),
    "lt": Spec(np.less, B),
    "le": Spec(np.less_equal, B),
    "gt": Spec(np.greater, B),
    "ge": Spec(np.greater_equal, B),
    "isnan": Spec(np.isnan, U),
    "isinf": Spec(np.isinf, U),
    "isfinite": Spec(np.isfinite, U),
    "logical_and": Spec(np.logical_and, B),
    "logical_or": Spec(np.logical_or, B),
    "logical_xor": Spec(np.logical_xor, B),
    "logical_not": Spec(np.logical_not, U),
    "bitwise_and": Spec(np.bitwise_and, B),
    "bitwise_or": Spec(np.bitwise_or, B),
    "bitwise_xor": Spec(np.bitwise_xor, B),
    "invert": Spec(np.invert, U),
    "left_shift": Spec(np.left_shift, ("any", "shift")),
    "right_shift": Spec(np.right_shift, ("any", "shift")),
    "switch": Spec(np.where, ("any", "any", "any")),
    # Complex numbers.
    "real": Spec(np.real, U),
    "imag": Spec(np.imag, U),
    "conj": Spec(np.conjugate, U),
    "angle": Spec(np.angle, U),
    # Transcendental.
    "exp": Spec(np.exp, U),
    "exp2": Spec(np.exp2, U),
    "expm1": Spec(np.expm1, U),
    "log": Spec(np.log, ("pos",)),
    "log2": Spec(np.log2, ("pos",)),
    "log10": Spec(np.log10, ("pos",)),
    "log1p": Spec(np.log1p, ("nonneg",)),
    "sin": Spec(np.sin, U),
    "cos": Spec(np.cos, U),
    "tan": Spec(np.tan, U),
    "arcsin": Spec(np.arcsin, ("unit",)),
    "arccos": Spec(np.arccos, ("unit",)),
    "arctan": Spec(np.arctan, U),
    "arctan2": Spec(np.arctan2, B),
    "sinh": Spec(np.sinh, U),
    "cosh": Spec(np.cosh, U),
    "tanh": Spec(np.tanh, U),
    "arcsinh": Spec(np.arcsinh, U),
    "arccosh": Spec(np.arccosh, ("ge1",)),
    "arctanh": Spec(np.arctanh, ("unit",)),
    # Special functions.
    "erf": Spec(sp.erf, U),
    "erfc": Spec(sp.erfc, U),
    "erfcx": Spec(sp.erfcx, U),
    "erfinv": Spec(sp.erfinv, ("unit",)),
    "erfcinv": Spec(sp.erfcinv, ("erfc",)),
    "gamma": Spec(sp.gamma, ("pos",)),
    "gammaln": Spec(sp.gammaln, ("pos",)),
    "digamma": Spec(sp.psi, ("pos",)),
    "polygamma": Spec(sp.polygamma, ("shift", "pos"), dtypes={0: "int64"}),
    "gammainc": Spec(sp.gammainc, ("pos", "nonneg")),
    "gammaincc": Spec(sp.gammaincc, ("pos", "nonneg")),
    "betaln": Spec(sp.betaln, ("pos", "pos")),
    "sigmoid": Spec(sp.expit, U),
    # scipy.special.softplus (SciPy >= 1.15) is logaddexp(0, x).
    "softplus": Spec(lambda x: np.logaddexp(0, x), U),
    "log1mexp": Spec(_log1mexp, ("neg",)),
    "logit": Spec(sp.logit, ("prob",)),
    "xlogy": Spec(sp.xlogy, ("any", "pos")),
    "xlog1py": Spec(sp.xlog1py, ("any", "nonneg")),
    "logaddexp": Spec(np.logaddexp, B),
    "logaddexp2": Spec(np.logaddexp2, B),
}
NAMES = [info.name for family in ("elemwise", "special") for info in catalog.listing(family)]

# Shapes of the inputs, by arity: 0-d, size-0, and length-1 axes broadcast against (2, 3).
SHAPES: dict[int, list[tuple[tuple[int, ...], ...]]] = {
    1: [((),), ((0, 3),), ((1, 3),), ((2, 3),)],
    2: [((), ()), ((2, 3), ()), ((1, 3), (2, 1)), ((0, 3), (1, 3)), ((2, 3), (3,))],
    3: [((), (), ()), ((2, 3), (3,), ()), ((1, 3), (2, 1), (1, 1)), ((0, 3), (3,), (1,))],
}


def test_every_listed_op_has_a_spec() -> None:
    assert set(NAMES) == set(SPECS), "add the new op of the elemwise/special family to SPECS"


def values(rng: np.random.Generator, shape: tuple[int, ...], dtype: str, domain: str) -> Any:
    """Random values of `dtype` in `domain`; small integers, so that ties and zeros happen."""
    lo, hi = DOMAINS[domain]
    kind = np.dtype(dtype).kind
    if kind == "b":
        if lo > 0:
            return np.ones(shape, bool)
        return rng.integers(0, 2, size=shape).astype(bool) if hi >= 1 else np.zeros(shape, bool)
    if kind in "iu":
        ilo, ihi = int(np.ceil(lo)), int(np.floor(hi))
        if ilo > ihi:  # no integer inside: take the bounds
            ilo, ihi = int(np.floor(lo)), int(np.ceil(hi))
        if kind == "u":
            ilo, ihi = max(ilo, 0), max(ihi, 0)
        ints = rng.integers(ilo, ihi, size=shape, endpoint=True)
        if domain == "nonzero":
            ints = np.maximum(ints, 1) * (rng.choice([-1, 1], size=shape) if kind == "i" else 1)
        return ints.astype(dtype)
    out = rng.uniform(lo, hi, size=shape)
    if domain == "nonzero":
        out = out * rng.choice([-1, 1], size=shape)
    if kind == "c":
        out = out + 1j * rng.uniform(-0.5, 0.5, size=shape)
    return out.astype(dtype)


def reference(spec: Spec, args: list[Any]) -> Any:
    """NumPy's result, warnings silenced (overflow, log of 0 and the like are expected)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(spec.reference(*args))


def inferred_shapes(outputs: list[Variable]) -> list[tuple[Any, ...]]:
    """Each output's shape, propagated by infer_shape node after node from ShapeI roots."""
    shapes: dict[Variable, tuple[Any, ...]] = {}

    def root(var: Variable) -> tuple[Any, ...]:
        if isinstance(var, Constant):
            return tuple(np.shape(var.data))
        return tuple(ShapeI(i)(var) for i in range(var.type.ndim))  # type: ignore[attr-defined]

    for node in toposort(outputs):
        in_shapes = [shapes[v] if v in shapes else root(v) for v in node.inputs]
        shapes.update(zip(node.outputs, node.op.infer_shape(None, node, in_shapes), strict=True))
    return [shapes[o] if o in shapes else root(o) for o in outputs]


def sweep(name: str, dtype_sets: list[tuple[str, ...]], static: bool, shapes: list[Any]) -> int:
    """Check `name` on inputs of each dtype set (cycled over its arity), on every shape combination.

    Builds one graph for all of them; returns how many combinations NumPy accepted.
    """
    spec = SPECS[name]
    fn = spec.call or getattr(tt, name)
    arity = len(spec.domains)
    rng = np.random.default_rng(arity)
    inputs: list[Variable] = []
    args: list[Any] = []
    outputs: list[Variable] = []
    expected: list[Any] = []
    labels: list[str] = []
    for dtypes in dtype_sets:
        kinds = [spec.dtypes.get(k, dtypes[k % len(dtypes)]) for k in range(arity)]
        for combo in shapes:
            label = f"{name}({', '.join(f'{d}{s}' for d, s in zip(kinds, combo, strict=True))})"
            label += " static" if static else " unknown"
            vals = [
                values(rng, s, d, dom) for s, d, dom in zip(combo, kinds, spec.domains, strict=True)
            ]
            xs = [
                tt.tensor(f"x{k}", shape=s if static else (None,) * len(s), dtype=d)
                for k, (s, d) in enumerate(zip(combo, kinds, strict=True))
            ]
            try:
                want = reference(spec, [v.copy() for v in vals])
            except TypeError:
                # NumPy has no loop for these dtypes: the build refuses them, naming one.
                with pytest.raises(TypeError) as info:
                    fn(*xs)
                assert any(d in str(info.value) for d in kinds), f"{label}: {info.value}"
                continue
            out = fn(*xs)
            assert out.dtype == want.dtype.name, f"{label}: dtype {out.dtype}, NumPy {want.dtype}"
            assert out.ndim == want.ndim, f"{label}: ndim {out.ndim}, NumPy {want.ndim}"
            if static:
                assert out.type.shape == want.shape, f"{label}: static shape {out.type.shape}"
            else:
                assert all(s in (None, n) for s, n in zip(out.type.shape, want.shape, strict=True))
            inputs.extend(xs)
            args.extend(vals)
            outputs.append(out)
            expected.append(want)
            labels.append(label)
    if not outputs:
        return 0
    shape_entries = inferred_shapes(outputs)
    symbolic = [e for s in shape_entries for e in s if isinstance(e, Variable)]
    # The ops' own `perform` on the python backend, without rewrites (the reference).
    run = backend.link(FunctionGraph(inputs, outputs + symbolic, clone=False))
    with np.errstate(all="ignore"):
        results = run(args)
    computed = iter(results[len(outputs) :])
    for got, want, label, inferred in zip(
        results[: len(outputs)], expected, labels, shape_entries, strict=True
    ):
        catalog.assert_matches(got, want, label)
        lengths = tuple(int(next(computed)) if isinstance(e, Variable) else e for e in inferred)
        assert lengths == got.shape, f"{label}: infer_shape gives {lengths}"
    return len(outputs)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("static", [True, False], ids=["static", "unknown"])
def test_dtypes_and_shapes(name: str, static: bool) -> None:
    """Every dtype, each on every shape combination (0-d, size-0, broadcast length-1 axes)."""
    shapes = SHAPES[len(SPECS[name].domains)]
    assert sweep(name, [(d,) for d in ALL_DTYPES], static, shapes) > 0, f"{name}: no dtype"


# Mixed dtypes: promotion as NumPy does it (one shape combination each).
PAIRS: list[tuple[str, ...]] = [
    ("bool", "int8"),
    ("int8", "uint8"),
    ("uint64", "int64"),
    ("int16", "float16"),
    ("int64", "float32"),
    ("uint8", "float32"),
    ("float32", "float64"),
    ("float64", "complex64"),
]


@pytest.mark.parametrize("name", [n for n in NAMES if len(SPECS[n].domains) >= 2])
def test_mixed_dtypes(name: str) -> None:
    sweep(name, PAIRS, True, SHAPES[len(SPECS[name].domains)][1:2])


# SciPy's ufuncs resolve a Python float as float64 (xlogy(float32 x, 1.5) is float64);
# here Python numbers are weak everywhere (NEP 50), so the reference gets the number as an
# array of the dtype NEP 50 gives it.
SCIPY_BINARY = {"gammainc", "gammaincc", "betaln", "xlogy", "xlog1py"}
NUMBERS: list[Any] = [True, 2, 1.5, 1j]


@pytest.mark.parametrize(
    "name", [n for n in NAMES if len(SPECS[n].domains) == 2 and n != "polygamma"]
)
def test_weak_python_scalars(name: str) -> None:
    """`f(x, number)` has NumPy's NEP 50 dtype, or is refused as NumPy refuses it."""
    spec, fn = SPECS[name], getattr(tt, name)
    rng = np.random.default_rng(0)
    for dtype in ALL_DTYPES:
        x = tt.vector("x", shape=(3,), dtype=dtype)
        value = values(rng, (3,), dtype, spec.domains[0])
        for number in NUMBERS:
            label = f"{name}({dtype} x, {number!r})"
            arg = number
            if name in SCIPY_BINARY:
                arg = np.asarray(number, dtype=np.result_type(value.dtype, number))
            try:
                want = reference(spec, [value.copy(), arg])
            except (TypeError, OverflowError) as err:
                with pytest.raises(type(err)):
                    fn(x, number)
                continue
            out = fn(x, number)
            assert out.dtype == want.dtype.name, f"{label}: dtype {out.dtype}, NumPy {want.dtype}"
            run = backend.link(FunctionGraph([x], [out], clone=False))
            with np.errstate(all="ignore"):
                (got,) = run([value])
            catalog.assert_matches(got, want, label)
