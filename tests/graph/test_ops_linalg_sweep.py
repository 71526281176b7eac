"""Conformance sweep of the "linalg" family against NumPy / SciPy.

Every op of `catalog.listing("linalg")` over dtypes (ints, float32/64, complex64/128 and
bool where NumPy takes them), core and batched shapes (broadcast batch dimensions, size-0
batches and matrices), static and unknown shapes: the same dtypes and shapes as NumPy,
values within a tolerance by dtype, and `infer_shape` equal to the real shapes. Where a
decomposition is unique only up to signs or phases, invariant quantities (reconstructions,
Gram matrices, singular and eigen values) are compared. A new op in the listing needs an
entry in SPECS.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import scipy.linalg

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Variable
from tensorgraft.tensor import catalog
from tensorgraft.tensor.shape import shape_tuple

la = tt.linalg
Arrays = list[np.ndarray]

LINALG_DTYPES = ["int8", "int64", "uint8", "float32", "float64", "complex64", "complex128"]
PRODUCT_DTYPES = ["bool", "int8", "uint16", "int64", "float32", "float64", "complex128"]


# -- input values -------------------------------------------------------------------------------
def make_value(kind: str, shape: tuple[int, ...], dtype: str, rng: np.random.Generator) -> Any:
    """A value of `kind` ("any", "square", "hpd", "lower", "upper"): square kinds are
    diagonally dominant, so well conditioned (a triangular one is also a Cholesky factor),
    and small integers where the dtype is one."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        x: np.ndarray = rng.integers(0, 2, size=shape).astype(bool)
        return x | np.eye(shape[-1], dtype=bool) if kind != "any" else x
    lo = 0 if dt.kind == "u" else -2
    x = rng.integers(lo, 3, size=shape) if dt.kind in "iu" else rng.uniform(-1, 1, size=shape)
    if dt.kind == "c":
        x = x + 1j * rng.uniform(-1, 1, size=shape)
    if kind == "any":
        return x.astype(dtype)
    n = shape[-1]
    if kind == "hpd":
        x = x + np.conj(np.swapaxes(x, -1, -2))
    x = x + 4 * n * np.eye(n)
    return {"lower": np.tril, "upper": np.triu}.get(kind, lambda v: v)(x).astype(dtype)


def work_dtype(*arrays: np.ndarray) -> np.dtype[Any]:
    """The dtype linalg computes in: NumPy's result type, with ints and bools as float64."""
    dtype = np.result_type(*arrays)
    return np.dtype("float64") if dtype.kind in "biu" else dtype


def looped(fn: Callable[..., Any], signature: str) -> Callable[..., Any]:
    """A SciPy core function broadcast over batch dimensions (in the linalg dtype)."""

    def reference(*arrays: np.ndarray) -> Any:
        dtype = work_dtype(*arrays)
        vec = np.vectorize(fn, signature=signature, otypes=[dtype])
        return vec(*[a.astype(dtype) for a in arrays])

    return reference


# -- invariants of decompositions unique only up to signs or phases ------------------------------
def _h(x: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(x, -1, -2))


def svd_invariants(u: np.ndarray, s: np.ndarray, vh: np.ndarray) -> Arrays:
    k = s.shape[-1]
    return [s, (u[..., :k] * s[..., None, :]) @ vh[..., :k, :], _h(u) @ u, vh @ _h(vh)]


def eigh_invariants(w: np.ndarray, v: np.ndarray) -> Arrays:
    return [w, (v * w[..., None, :]) @ _h(v), _h(v) @ v]


def qr_invariants(q: np.ndarray, r: np.ndarray) -> Arrays:
    return [q @ r, _h(q) @ q, np.abs(r), np.triu(r) - r]


# -- what to sweep ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One way to call an op.

    fn: tt inputs -> output(s); reference: NumPy/SciPy on the values -> output(s).
    shapes: core shapes of the inputs; kinds: a value kind per input (see make_value).
    batched: the op broadcasts leading batch dimensions (Blockwise).
    invariants: maps outputs (ours and NumPy's) to the quantities compared.
    dtypes: the dtypes swept.
    dynamic: outputs whose length depends on the values (not known statically).
    """

    fn: Callable[..., Any]
    reference: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    kinds: tuple[str, ...] = ("square",)
    batched: bool = True
    invariants: Callable[..., Arrays] | None = None
    dtypes: tuple[str, ...] = tuple(LINALG_DTYPES)
    dynamic: tuple[int, ...] = ()


def _v(*args: Any, **kwargs: Any) -> Variant:
    return Variant(*args, **kwargs)


SQ = ((3, 3),)
# solve_triangular: (options, core signature, b's core shape, b_ndim).
TRIANGULAR: list[tuple[dict[str, Any], str, tuple[int, ...], int]] = [
    ({}, "(m,m),(m)->(m)", (3,), 1),
    ({"lower": True, "trans": "T"}, "(m,m),(m,k)->(m,k)", (3, 2), 2),
    ({"trans": 2, "unit_diagonal": True}, "(m,m),(m,k)->(m,k)", (3, 2), 2),
]
SPECS: dict[str, list[Variant]] = {
    "dot": [
        _v(tt.dot, np.dot, ((2, 3), (3, 4)), ("any", "any"), False, dtypes=PRODUCT_DTYPES),
        _v(tt.dot, np.dot, ((2, 0), (0,)), ("any", "any"), False),
    ],
    "matmul": [
        _v(tt.matmul, np.matmul, ((2, 3), (3, 4)), ("any", "any"), dtypes=PRODUCT_DTYPES),
        _v(tt.matmul, np.matmul, ((3,), (3, 4)), ("any", "any"), False),
    ],
    "tensordot": [
        _v(tt.tensordot, np.tensordot, ((2, 3, 4), (3, 4, 2)), ("any", "any"), False),
        _v(
            lambda a, b: tt.tensordot(a, b, ((0,), (1,))),
            lambda a, b: np.tensordot(a, b, ((0,), (1,))),
            ((3, 1), (2, 3)),
            ("any", "any"),
            False,
            dtypes=PRODUCT_DTYPES,
        ),
        _v(tt.tensordot, np.tensordot, ((0, 2), (0, 2)), ("any", "any"), False),
    ],
    "outer": [
        _v(tt.outer, np.outer, ((2, 2), (3,)), ("any", "any"), False, dtypes=PRODUCT_DTYPES),
        _v(tt.outer, np.outer, ((0,), ()), ("any", "any"), False),
    ],
    "vdot": [
        _v(tt.vdot, np.vdot, ((2, 3), (6,)), ("any", "any"), False, dtypes=PRODUCT_DTYPES),
        _v(tt.vdot, np.vdot, ((), ()), ("any", "any"), False),
    ],
    "kron": [
        _v(tt.kron, np.kron, ((2, 3), (1, 2)), ("any", "any"), False, dtypes=PRODUCT_DTYPES),
        _v(tt.kron, np.kron, ((2,), (3, 0)), ("any", "any"), False),
    ],
    "einsum": [
        _v(
            lambda *xs, s=s: tt.einsum(s, *xs),
            lambda *xs, s=s: np.einsum(s, *xs),
            shapes,
            ("any",) * len(shapes),
            False,
            dtypes=PRODUCT_DTYPES,
        )
        for s, shapes in [
            ("ij,jk", ((2, 3), (3, 1))),
            ("...i,...i->...", ((2, 1, 3), (4, 3))),
            ("ii->i", ((3, 3),)),
            ("ijk,jil->kl", ((2, 3, 0), (3, 2, 2))),
            ("i,j,k->ijk", ((1,), (2,), (3,))),
        ]
    ],
    "linalg.inv": [_v(la.inv, np.linalg.inv, SQ)],
    "linalg.pinv": [
        _v(la.pinv, np.linalg.pinv, ((4, 2),), ("any",)),
        _v(
            lambda a: la.pinv(a, hermitian=True),
            lambda a: np.linalg.pinv(a, hermitian=True),
            SQ,
            ("hpd",),
        ),
    ],
    "linalg.det": [_v(la.det, np.linalg.det, SQ), _v(la.det, np.linalg.det, ((0, 0),))],
    "linalg.slogdet": [_v(la.slogdet, np.linalg.slogdet, SQ)],
    "linalg.matrix_power": [
        _v(lambda a, n=n: la.matrix_power(a, n), lambda a, n=n: np.linalg.matrix_power(a, n), SQ)
        for n in (0, 1, 4, -3)
    ],
    "linalg.cholesky": [
        _v(la.cholesky, np.linalg.cholesky, SQ, ("hpd",)),
        _v(
            lambda a: la.cholesky(a, lower=False),
            lambda a: np.linalg.cholesky(a, upper=True),
            SQ,
            ("hpd",),
        ),
    ],
    "linalg.cho_solve": [
        _v(
            lambda c, b, lower=lower, nd=nd: la.cho_solve((c, lower), b, b_ndim=nd),
            looped(lambda c, b, lower=lower: scipy.linalg.cho_solve((c, lower), b), sig),
            (SQ[0], b),
            ("lower" if lower else "upper", "any"),
        )
        for lower in (True, False)
        for sig, b, nd in (("(m,m),(m)->(m)", (3,), 1), ("(m,m),(m,k)->(m,k)", (3, 2), 2))
    ],
    "linalg.eigh": [
        _v(la.eigh, np.linalg.eigh, SQ, ("hpd",), invariants=eigh_invariants),
        _v(
            lambda a: la.eigh(a, UPLO="U"),
            lambda a: np.linalg.eigh(a, UPLO="U"),
            SQ,
            ("hpd",),
            invariants=eigh_invariants,
        ),
    ],
    "linalg.eigvalsh": [_v(la.eigvalsh, np.linalg.eigvalsh, SQ, ("hpd",))],
    "linalg.solve": [
        _v(
            lambda a, b: la.solve(a, b, b_ndim=1),
            looped(scipy.linalg.solve, "(m,m),(m)->(m)"),
            (SQ[0], (3,)),
            ("square", "any"),
        ),
        _v(la.solve, np.linalg.solve, (SQ[0], (3, 2)), ("square", "any")),
        _v(
            lambda a, b: la.solve(a, b, assume_a="pos", lower=True),
            looped(
                lambda a, b: scipy.linalg.solve(a, b, assume_a="pos", lower=True),
                "(m,m),(m,k)->(m,k)",
            ),
            (SQ[0], (3, 1)),
            ("hpd", "any"),
        ),
    ],
    "linalg.solve_triangular": [
        _v(
            lambda a, rhs, kw=kw, nd=nd: la.solve_triangular(a, rhs, **kw, b_ndim=nd),
            looped(lambda a, b, kw=kw: scipy.linalg.solve_triangular(a, b, **kw), sig),
            (SQ[0], b),
            ("lower" if kw.get("lower") else "upper", "any"),
        )
        for kw, sig, b, nd in TRIANGULAR
    ],
    "linalg.svd": [
        _v(la.svd, np.linalg.svd, ((4, 3),), ("any",), invariants=svd_invariants),
        _v(
            lambda a: la.svd(a, full_matrices=False),
            lambda a: np.linalg.svd(a, full_matrices=False),
            ((2, 3),),
            ("any",),
            invariants=svd_invariants,
        ),
        _v(
            lambda a: la.svd(a, compute_uv=False),
            lambda a: np.linalg.svd(a, compute_uv=False),
            ((3, 2),),
            ("any",),
        ),
    ],
    "linalg.qr": [
        _v(la.qr, np.linalg.qr, ((4, 3),), ("any",), invariants=qr_invariants),
        _v(
            lambda a: la.qr(a, mode="complete"),
            lambda a: np.linalg.qr(a, mode="complete"),
            ((2, 3),),
            ("any",),
            invariants=qr_invariants,
        ),
        _v(
            lambda a: la.qr(a, mode="r"),
            lambda a: np.linalg.qr(a, mode="r"),
            ((3, 2),),
            ("any",),
            invariants=np.abs,
        ),
    ],
    "linalg.lstsq": [
        _v(la.lstsq, np.linalg.lstsq, ((5, 3), (5,)), ("any", "any"), False, dynamic=(1,)),
        _v(la.lstsq, np.linalg.lstsq, ((2, 3), (2, 2)), ("any", "any"), False, dynamic=(1,)),
    ],
    "linalg.norm": [
        _v(
            lambda x, kw=kw: la.norm(x, **kw),
            lambda x, kw=kw: np.linalg.norm(x, **kw),
            (shape,),
            ("any",),
            False,
        )
        for kw, shape in [
            ({}, (2, 3, 4)),
            ({"ord": 3, "axis": 1, "keepdims": True}, (2, 3)),
            ({"ord": -math.inf, "axis": 0}, (4, 0)),
            ({"ord": "nuc"}, (3, 2)),
            ({"ord": -1, "axis": (1, 0)}, (2, 3)),
            ({"ord": 0}, (5,)),
        ]
    ],
}

NAMES = [info.name for info in catalog.listing("linalg")]
# Batch shapes of (the first input, the others); one-input ops take the first non-empty.
BATCHES: list[tuple[tuple[int, ...], tuple[int, ...]]] = [
    ((2,), (2,)),
    ((2, 1), (3,)),
    ((0,), ()),
    ((), (2, 0)),
]


def test_every_linalg_op_has_a_spec() -> None:
    assert set(NAMES) == set(SPECS), f"listed without a spec: {set(NAMES) - set(SPECS)}"


# -- the comparison -----------------------------------------------------------------------------
def _listed(x: Any) -> list[Any]:
    return list(x) if isinstance(x, tuple | list) else [x]


def _tolerance(dtype: np.dtype[Any]) -> float:
    return 1e-4 if dtype in (np.float32, np.complex64) else 1e-9


def _close(got: np.ndarray, want: np.ndarray, what: str) -> None:
    want = np.asarray(want)
    if got.dtype.kind in "fc":
        tol = _tolerance(got.dtype)
        scale = max(1.0, float(np.max(np.abs(want), initial=0)))
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale, err_msg=what)
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)


def inferred_shapes(
    inputs: Sequence[Variable], outputs: Sequence[Variable], values: list[Any]
) -> list:
    """The output shapes the graph's last nodes infer from their inputs, evaluated."""
    shapes = []
    for out in outputs:
        node = out.owner
        if node is None:
            shapes.append(tuple(np.shape(values[inputs.index(out)])))
            continue
        entries = node.op.infer_shape(None, node, [shape_tuple(i) for i in node.inputs])
        shapes.append(entries[node.outputs.index(out)])
    symbolic = [e for s in shapes for e in s if isinstance(e, Variable)]
    computed = iter(
        function(inputs, symbolic, mode="python", on_unused_input="ignore")(*values)
        if symbolic
        else []
    )
    return [tuple(int(next(computed)) if isinstance(e, Variable) else e for e in s) for s in shapes]


def run_and_compare(
    variant: Variant,
    shapes: Sequence[tuple[int, ...]],
    dtype: str,
    static: bool,
) -> None:
    rng = np.random.default_rng(0)
    values = [make_value(k, s, dtype, rng) for k, s in zip(variant.kinds, shapes, strict=True)]
    inputs = [
        tt.tensor(f"x{k}", shape=s if static else (None,) * len(s), dtype=dtype)
        for k, s in enumerate(shapes)
    ]
    outputs = _listed(variant.fn(*inputs))
    want = [np.asarray(w) for w in _listed(variant.reference(*values))]
    got = function(inputs, outputs, mode="python", on_unused_input="ignore")(*values)
    assert len(got) == len(want)
    for k, (g, w, out) in enumerate(zip(got, want, outputs, strict=True)):
        assert g.dtype == w.dtype, f"output {k}: dtype {g.dtype}, NumPy gives {w.dtype}"
        assert out.type.dtype == g.dtype.name, f"output {k}: static dtype {out.type.dtype}"
        assert g.shape == w.shape, f"output {k}: shape {g.shape}, NumPy gives {w.shape}"
        static_shape = out.type.shape
        assert all(s is None or s == n for s, n in zip(static_shape, g.shape, strict=True)), (
            f"output {k}: static shape {static_shape}, computed {g.shape}"
        )
        if static and k not in variant.dynamic:
            assert None not in static_shape, f"output {k}: static shape {static_shape}"
    raw_shapes = [np.shape(w) for w in want]
    if variant.invariants is not None:
        got, want = _listed(variant.invariants(*got)), _listed(variant.invariants(*want))
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        _close(np.asarray(g), w, f"compared quantity {k}")
    assert inferred_shapes(inputs, outputs, values) == raw_shapes


CORE = [
    pytest.param(name, k, dtype, static, id=f"{name}-{k}-{dtype}{'-static' if static else ''}")
    for name in NAMES
    for k, variant in enumerate(SPECS.get(name, []))
    for dtype in variant.dtypes
    for static in ((False, True) if dtype == "float64" else (False,))
]


@pytest.mark.parametrize(("name", "k", "dtype", "static"), CORE)
def test_core_shapes(name: str, k: int, dtype: str, static: bool) -> None:
    variant = SPECS[name][k]
    run_and_compare(variant, variant.shapes, dtype, static)


BATCHED = [
    pytest.param(
        name,
        k,
        b,
        static,
        id=f"{name}-{k}-{b[0]}{b[1]}{'-static' if static else ''}",
    )
    for name in NAMES
    for k, variant in enumerate(SPECS.get(name, []))
    if variant.batched
    for b in BATCHES
    for static in (False, True)
]


@pytest.mark.parametrize(("name", "k", "batch", "static"), BATCHED)
def test_batched_shapes(
    name: str, k: int, batch: tuple[tuple[int, ...], tuple[int, ...]], static: bool
) -> None:
    variant = SPECS[name][k]
    first, rest = batch
    if len(variant.shapes) == 1:
        shapes = [(first or rest) + variant.shapes[0]]
    else:
        shapes = [first + variant.shapes[0], *(rest + s for s in variant.shapes[1:])]
    run_and_compare(variant, shapes, "float64", static)
