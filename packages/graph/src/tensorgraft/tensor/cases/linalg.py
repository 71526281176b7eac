"""Catalog cases: dot, matmul, Blockwise, tensor products and linear algebra.

Linear-algebra values are well conditioned (diagonally dominant, or Hermitian positive
definite where the op needs it), so that results are stable to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg

import tensorgraft.tensor as tt
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.catalog import (
    Built,
    Shapes,
    case,
    draw,
    list_ops,
    register_case,
    uniform,
)


# -- Blockwise, Dot, matmul, dot -----------------------------------------------------------------
@case("dot.core", lambda a, b: [a @ b])
def _dot_core(rng: np.random.Generator) -> Built:
    a, b = tt.matrix("a"), tt.matrix("b")
    return [a, b], [tt.Dot()(a, b)], [uniform(rng, (2, 3), -1, 1), uniform(rng, (3, 4), -1, 1)]


def _product_case(
    name: str,
    fn: Callable[[Any, Any], Any],
    ref: Callable[[Any, Any], Any],
    shapes: Shapes,
    dtypes: tuple[str, str] = ("float64", "float64"),
    static: bool = False,
) -> None:
    def build(rng: np.random.Generator) -> Built:
        a, b = (
            tt.tensor(n, shape=s if static else (None,) * len(s), dtype=d)
            for n, s, d in zip("ab", shapes, dtypes, strict=True)
        )
        values = [draw(rng, s, d, -3, 3, ties=False) for s, d in zip(shapes, dtypes, strict=True)]
        return [a, b], [fn(a, b)], values

    register_case(name, build, lambda a, b: [ref(a, b)])


def _blockwise_dot(a: Any, b: Any) -> Any:
    return Blockwise(tt.Dot(), "(m,k),(k,n)->(m,n)")(a, b)


_PRODUCTS: list[tuple[str, Callable[[Any, Any], Any], Callable[[Any, Any], Any], Shapes]] = [
    ("blockwise.dot", _blockwise_dot, np.matmul, ((2, 3), (3, 4))),
    ("blockwise.dot_batch", _blockwise_dot, np.matmul, ((5, 2, 3), (5, 3, 4))),
    ("blockwise.dot_broadcast_batch", _blockwise_dot, np.matmul, ((2, 1, 2, 3), (4, 3, 2))),
    ("blockwise.dot_unbatched_operand", _blockwise_dot, np.matmul, ((3, 2, 3), (3, 4))),
    ("blockwise.dot_empty_batch", _blockwise_dot, np.matmul, ((0, 2, 3), (1, 3, 4))),
    ("matmul.vector_vector", tt.matmul, np.matmul, ((4,), (4,))),
    ("matmul.matrix_vector", tt.matmul, np.matmul, ((3, 4), (4,))),
    ("matmul.vector_matrix", tt.matmul, np.matmul, ((4,), (4, 2))),
    ("matmul.matrix_matrix", tt.matmul, np.matmul, ((3, 4), (4, 2))),
    ("matmul.stack_stack", tt.matmul, np.matmul, ((2, 3, 4), (2, 4, 5))),
    ("matmul.stack_matrix", tt.matmul, np.matmul, ((2, 3, 4), (4, 5))),
    ("matmul.stack_vector", tt.matmul, np.matmul, ((2, 3, 4), (4,))),
    ("matmul.vector_stack", tt.matmul, np.matmul, ((4,), (2, 4, 5))),
    ("matmul.broadcast_stacks", tt.matmul, np.matmul, ((3, 1, 2, 4), (2, 4, 1))),
    ("matmul.operator", lambda a, b: a @ b, lambda a, b: a @ b, ((2, 3), (3,))),
    ("dot.vector_vector", tt.dot, np.dot, ((4,), (4,))),
    ("dot.matrix_matrix", tt.dot, np.dot, ((3, 4), (4, 2))),
    ("dot.tensor3_matrix", tt.dot, np.dot, ((2, 3, 4), (4, 5))),
    ("dot.matrix_tensor3", tt.dot, np.dot, ((3, 4), (2, 4, 5))),
    ("dot.vector_tensor3", tt.dot, np.dot, ((4,), (2, 4, 5))),
    ("dot.tensor3_tensor3", tt.dot, np.dot, ((2, 3, 4), (5, 4, 2))),
    ("dot.tensor3_vector", tt.dot, np.dot, ((2, 3, 4), (4,))),
    ("dot.scalar", tt.dot, np.dot, ((), (2, 3))),
]
for _name, _fn, _ref, _shapes in _PRODUCTS:
    _product_case(_name, _fn, _ref, _shapes)
_product_case(
    "blockwise.dot_static", _blockwise_dot, np.matmul, ((2, 1, 2, 3), (4, 3, 2)), static=True
)
_product_case("matmul.int", tt.matmul, np.matmul, ((3, 4), (4, 2)), ("int32", "int64"))
_product_case("matmul.mixed_float", tt.matmul, np.matmul, ((3, 4), (4,)), ("float32", "float64"))


# -- linear algebra ---------------------------------------------------------------------------
Values = Callable[[np.random.Generator, tuple[int, ...], str], np.ndarray]


def _general(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Random arrays; square matrices get a dominant diagonal (well conditioned)."""
    x = draw(rng, shape, "complex128" if np.dtype(dtype).kind == "c" else "float64", -1, 1, False)
    if len(shape) >= 2 and shape[-1] == shape[-2]:
        x = x + 3 * shape[-1] * np.eye(shape[-1])
    if np.dtype(dtype).kind in "iu":
        x = np.round(x)
    return np.asarray(x, dtype=dtype)


def _hpd(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Hermitian positive-definite matrices."""
    x = _general(rng, shape, "complex128" if np.dtype(dtype).kind == "c" else "float64")
    x = x @ np.conj(np.swapaxes(x, -1, -2)) / shape[-1]
    if np.dtype(dtype).kind in "iu":
        x = np.round(x)
    return x.astype(dtype)


def _lower(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    return np.tril(_general(rng, shape, dtype))


def _upper(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    return np.triu(_general(rng, shape, dtype))


def _chol_factor(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    return np.linalg.cholesky(_hpd(rng, shape, dtype))


def _in_float(*arrays: np.ndarray) -> list[np.ndarray]:
    """Arrays in the dtype linalg computes them in (SciPy takes small ints to float32)."""
    dtype = np.result_type(*arrays)
    dtype = np.dtype("float64") if dtype.kind in "biu" else dtype
    return [a.astype(dtype) for a in arrays]


def _listed(result: Any) -> list[Any]:
    return list(result) if isinstance(result, tuple | list) else [result]


def _batched(fn: Callable[..., Any], signature: str, otypes: str) -> Callable[..., Any]:
    """A reference that loops a core SciPy function over broadcast batch dimensions."""
    return np.vectorize(fn, signature=signature, otypes=list(otypes.split()))


def _linalg_case(
    name: str,
    fn: Callable[..., Any],
    ref: Callable[..., Any],
    shapes: tuple[tuple[int, ...], ...],
    dtypes: tuple[str, ...] = ("float64",),
    values: tuple[Values, ...] = (_general,),
    static: bool = False,
) -> None:
    """Register "<name>": fn of inputs with these shapes (unknown unless `static`).

    `dtypes` and `values` give one entry per input, or one for all of them.
    """
    dtypes = dtypes * len(shapes) if len(dtypes) == 1 else dtypes
    values = values * len(shapes) if len(values) == 1 else values

    def build(rng: np.random.Generator) -> Built:
        inputs = [
            tt.tensor(f"x{k}", shape=s if static else (None,) * len(s), dtype=d)
            for k, (s, d) in enumerate(zip(shapes, dtypes, strict=True))
        ]
        vals = [v(rng, s, d) for v, s, d in zip(values, shapes, dtypes, strict=True)]
        return list(inputs), _listed(fn(*inputs)), vals

    register_case(name, build, lambda *v: [np.asarray(r) for r in _listed(ref(*v))])


la = tt.linalg
M3, B23 = (3, 3), (2, 3, 3)

# inv, pinv, det, slogdet, matrix_power
for _sfx, _shape, _dt in [
    ("float64", M3, "float64"),
    ("float32_batch", B23, "float32"),
    ("complex128", M3, "complex128"),
    ("int64", M3, "int64"),
    ("empty_batch", (0, 3, 3), "float64"),
    ("empty_matrix", (0, 0), "float64"),
    ("one_by_one", (2, 1, 1), "float32"),
]:
    _linalg_case(f"linalg.inv.{_sfx}", la.inv, np.linalg.inv, (_shape,), (_dt,))
    _linalg_case(f"linalg.det.{_sfx}", la.det, np.linalg.det, (_shape,), (_dt,))
    _linalg_case(f"linalg.slogdet.{_sfx}", la.slogdet, np.linalg.slogdet, (_shape,), (_dt,))
_linalg_case("linalg.inv.static", la.inv, np.linalg.inv, (B23,), static=True)
_linalg_case("linalg.det.bool", la.det, np.linalg.det, ((2, 2),), ("bool",), static=True)
_linalg_case(
    "linalg.slogdet.negative",
    la.slogdet,
    np.linalg.slogdet,
    ((2, 2),),
    ("float64",),
    (lambda r, s, d: np.array([[0.0, 2.0], [3.0, 1.0]]),),
)
for _sfx, _shape, _dt in [
    ("tall", (4, 2), "float64"),
    ("wide_float32_batch", (2, 2, 3), "float32"),
    ("complex128", (3, 2), "complex128"),
    ("int8", (2, 3), "int8"),
]:
    _linalg_case(f"linalg.pinv.{_sfx}", la.pinv, np.linalg.pinv, (_shape,), (_dt,))
_linalg_case(
    "linalg.pinv.hermitian",
    lambda a: la.pinv(a, hermitian=True),
    lambda a: np.linalg.pinv(a, hermitian=True),
    (M3,),
    values=(_hpd,),
)


# Integer stacks with one singular value below the cutoff 0.05 * the largest in the first
# matrix, none in the second (integer inputs: a cut has no gradient to check).
_linalg_case(
    "linalg.pinv.rcond_int64",
    lambda a: la.pinv(a, rcond=0.05),
    lambda a: np.linalg.pinv(a, rcond=0.05),
    ((2, 3, 2),),
    ("int64",),
    (lambda r, s, d: np.array([[[100, 0], [0, 1], [0, 0]], [[3, 1], [1, 40], [2, 0]]], d),),
)
for _n in (3, 5, -2):
    _linalg_case(
        f"linalg.matrix_power.n{_n}".replace("-", "minus"),
        lambda a, n=_n: la.matrix_power(a, n),
        lambda a, n=_n: np.linalg.matrix_power(a, n),
        (B23,),
    )
_linalg_case(
    "linalg.matrix_power.n0_bool",
    lambda a: la.matrix_power(a, 0),
    lambda a: np.linalg.matrix_power(a, 0),
    ((2, 1, 3, 3),),
    ("bool",),
)
_linalg_case(
    "linalg.matrix_power.int64",
    lambda a: la.matrix_power(a, 2),
    lambda a: np.linalg.matrix_power(a, 2),
    (M3,),
    ("int64",),
)

# cholesky, cho_solve, eigh, eigvalsh
for _sfx, _shape, _dt in [
    ("float64", M3, "float64"),
    ("float32_batch", B23, "float32"),
    ("complex128", M3, "complex128"),
    ("int64", M3, "int64"),
    ("empty_batch", (0, 3, 3), "float64"),
    ("one_by_one", (1, 1), "complex64"),
]:
    _linalg_case(
        f"linalg.cholesky.{_sfx}", la.cholesky, np.linalg.cholesky, (_shape,), (_dt,), (_hpd,)
    )
    _linalg_case(f"linalg.eigh.{_sfx}", la.eigh, np.linalg.eigh, (_shape,), (_dt,), (_hpd,))
    _linalg_case(
        f"linalg.eigvalsh.{_sfx}", la.eigvalsh, np.linalg.eigvalsh, (_shape,), (_dt,), (_hpd,)
    )
_linalg_case(
    "linalg.cholesky.upper",
    lambda a: la.cholesky(a, lower=False),
    lambda a: np.linalg.cholesky(a, upper=True),
    (B23,),
    values=(_hpd,),
    static=True,
)
_linalg_case(
    "linalg.eigh.upper",
    lambda a: la.eigh(a, UPLO="U"),
    lambda a: np.linalg.eigh(a, UPLO="U"),
    (M3,),
    values=(_hpd,),
)
_linalg_case(
    "linalg.eigh.scipy_lower_false",
    lambda a: la.eigh(a, lower=False),
    lambda a: np.linalg.eigh(a, UPLO="U"),
    (M3,),
    values=(_upper,),
)
_linalg_case(
    "linalg.eigvalsh.upper",
    lambda a: la.eigvalsh(a, UPLO="U"),
    lambda a: np.linalg.eigvalsh(a, UPLO="U"),
    (B23,),
    ("complex64",),
    (_upper,),
)
for _lower_flag in (True, False):
    _linalg_case(
        f"linalg.cho_solve.lower_{_lower_flag}".lower(),
        lambda c, b, lower=_lower_flag: la.cho_solve((c, lower), b),
        lambda c, b, lower=_lower_flag: scipy.linalg.cho_solve((c, lower), b),
        (M3, (3, 2)),
        values=(
            (lambda r, s, d: _chol_factor(r, s, d))
            if _lower_flag
            else (lambda r, s, d: np.conj(_chol_factor(r, s, d).T)),
            _general,
        ),
    )
_linalg_case(
    "linalg.cho_solve.batch_vector",
    lambda c, b: la.cho_solve((c, True), b),
    _batched(lambda c, b: scipy.linalg.cho_solve((c, True), b), "(m,m),(m)->(m)", "float64"),
    (B23, (3,)),
    values=(_chol_factor, _general),
)

# solve, solve_triangular
_SOLVE: list[tuple[str, Callable[..., Any], Callable[..., Any], Any, Any, Any]] = [
    ("vector", la.solve, scipy.linalg.solve, (M3, (3,)), ("float64",), (_general,)),
    ("matrix", la.solve, scipy.linalg.solve, (M3, (3, 2)), ("float64",), (_general,)),
    ("float32", la.solve, scipy.linalg.solve, (M3, (3, 2)), ("float32",), (_general,)),
    ("complex128", la.solve, scipy.linalg.solve, (M3, (3,)), ("complex128",), (_general,)),
    ("int64", la.solve, scipy.linalg.solve, (M3, (3,)), ("int64",), (_general,)),
    ("mixed", la.solve, scipy.linalg.solve, (M3, (3,)), ("float32", "float64"), (_general,)),
    (
        "pos",
        lambda a, b: la.solve(a, b, assume_a="pos"),
        lambda a, b: scipy.linalg.solve(a, b, assume_a="pos"),
        (M3, (3, 2)),
        ("float64",),
        (_hpd, _general),
    ),
    (
        "sym_lower",
        lambda a, b: la.solve(a, b, assume_a="sym", lower=True),
        lambda a, b: scipy.linalg.solve(a, b, assume_a="sym", lower=True),
        (M3, (3,)),
        ("float64",),
        (_lower, _general),
    ),
    (
        "her",
        lambda a, b: la.solve(a, b, assume_a="her"),
        lambda a, b: scipy.linalg.solve(a, b, assume_a="her"),
        (M3, (3,)),
        ("complex128",),
        (_hpd, _general),
    ),
    (
        "long_name",
        lambda a, b: la.solve(a, b, assume_a="positive definite", lower=True),
        lambda a, b: scipy.linalg.solve(a, b, assume_a="positive definite", lower=True),
        (M3, (3,)),
        ("float32",),
        (_hpd, _general),
    ),
    ("batch", la.solve, np.linalg.solve, (B23, (2, 3, 2)), ("float64",), (_general,)),
    (
        "broadcast_batch",
        la.solve,
        np.linalg.solve,
        ((2, 1, 3, 3), (4, 3, 1)),
        ("float64",),
        (_general,),
    ),
    ("empty_batch", la.solve, np.linalg.solve, ((0, 3, 3), (3, 2)), ("float64",), (_general,)),
    ("one_by_one", la.solve, scipy.linalg.solve, ((1, 1), (1,)), ("float64",), (_general,)),
    (
        "batch_vectors",
        lambda a, b: la.solve(a, b, b_ndim=1),
        lambda a, b: np.linalg.solve(a, b[..., None])[..., 0],
        (B23, (2, 3)),
        ("float64",),
        (_general,),
    ),
]
for _sfx, _fn, _ref, _shapes, _dts, _vals in _SOLVE:
    _linalg_case(f"linalg.solve.{_sfx}", _fn, _ref, _shapes, _dts, _vals)
_linalg_case("linalg.solve.static", la.solve, scipy.linalg.solve, (M3, (3, 2)), static=True)

_TRIANGULAR: list[tuple[str, dict[str, Any], Any, Any, Any]] = [
    ("upper", {}, (M3, (3,)), ("float64",), (_upper, _general)),
    ("lower", {"lower": True}, (M3, (3, 2)), ("float64",), (_lower, _general)),
    ("trans", {"trans": 1}, (M3, (3,)), ("float64",), (_upper, _general)),
    ("trans_c", {"trans": "C", "lower": True}, (M3, (3,)), ("complex128",), (_lower, _general)),
    ("unit_diagonal", {"unit_diagonal": True}, (M3, (3, 2)), ("float64",), (_upper, _general)),
    ("int8", {"lower": True}, (M3, (3,)), ("int8",), (_lower, _general)),
    ("float32", {}, (M3, (3, 2)), ("float32",), (_upper, _general)),
]
for _sfx, _kw, _shapes, _dts, _vals in _TRIANGULAR:
    _linalg_case(
        f"linalg.solve_triangular.{_sfx}",
        lambda a, b, kw=_kw: la.solve_triangular(a, b, **kw),
        lambda a, b, kw=_kw: scipy.linalg.solve_triangular(*_in_float(a, b), **kw),
        _shapes,
        _dts,
        _vals,
    )
_linalg_case(
    "linalg.solve_triangular.batch",
    lambda a, b: la.solve_triangular(a, b, lower=True),
    _batched(
        lambda a, b: scipy.linalg.solve_triangular(a, b, lower=True),
        "(m,m),(m,k)->(m,k)",
        "float64",
    ),
    ((2, 1, 3, 3), (4, 3, 2)),
    values=(_lower, _general),
)

# svd, qr, lstsq
for _sfx, _shape, _dt in [
    ("tall", (4, 3), "float64"),
    ("wide", (2, 3), "float64"),
    ("float32_batch", (2, 3, 2), "float32"),
    ("complex128", (3, 2), "complex128"),
    ("int64", (3, 3), "int64"),
    ("row", (1, 3), "float64"),
    ("column_batch", (2, 3, 1), "float64"),
]:
    _linalg_case(f"linalg.svd.{_sfx}", la.svd, np.linalg.svd, (_shape,), (_dt,))
    _linalg_case(f"linalg.qr.{_sfx}", la.qr, np.linalg.qr, (_shape,), (_dt,))
for _full in (True, False):
    _linalg_case(
        f"linalg.svd.full_{_full}".lower(),
        lambda a, full=_full: la.svd(a, full_matrices=full),
        lambda a, full=_full: np.linalg.svd(a, full_matrices=full),
        ((2, 4, 3),),
        static=not _full,
    )
_linalg_case(
    "linalg.svd.values",
    lambda a: la.svd(a, compute_uv=False),
    lambda a: np.linalg.svd(a, compute_uv=False),
    ((2, 3, 4),),
    ("complex128",),
)
_linalg_case("linalg.qr.empty_batch", la.qr, np.linalg.qr, ((0, 3, 2),))
_linalg_case(
    "linalg.svd.empty_batch_static",
    la.svd,
    np.linalg.svd,
    ((0, 3, 2),),
    static=True,
)
for _mode in ("complete", "r", "raw"):
    _linalg_case(
        f"linalg.qr.mode_{_mode}",
        lambda a, mode=_mode: la.qr(a, mode=mode),
        lambda a, mode=_mode: np.linalg.qr(a, mode=mode),
        ((4, 3),),
    )
_linalg_case(
    "linalg.qr.wide_complete_batch",
    lambda a: la.qr(a, mode="complete"),
    lambda a: np.linalg.qr(a, mode="complete"),
    ((2, 2, 3),),
)


# Sign-free quantities (reconstructions): what backends with other sign conventions match.
def _svd_reconstruct(a: Any) -> Any:
    u, s, vh = la.svd(a, full_matrices=False)
    return (u * tt.expand_dims(s, -2)) @ vh


def _svd_reconstruct_np(a: np.ndarray) -> np.ndarray:
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return (u * s[..., None, :]) @ vh


def _eigh_reconstruct(a: Any) -> Any:
    w, v = la.eigh(a)
    return (v * tt.expand_dims(w, -2)) @ tt.swapaxes(v, -1, -2)


def _eigh_reconstruct_np(a: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(a)
    return (v * w[..., None, :]) @ np.swapaxes(v, -1, -2)


_linalg_case("linalg.svd.reconstruct", _svd_reconstruct, _svd_reconstruct_np, ((2, 3, 4),))
_linalg_case(
    "linalg.eigh.reconstruct", _eigh_reconstruct, _eigh_reconstruct_np, (B23,), values=(_hpd,)
)
_linalg_case(
    "linalg.qr.reconstruct",
    lambda a: tt.matmul(*la.qr(a)),
    lambda a: np.matmul(*np.linalg.qr(a)),
    ((2, 4, 3),),
)

_LSTSQ: list[tuple[str, Any, Any, Any]] = [
    ("tall_vector", ((5, 3), (5,)), ("float64",), None),
    ("tall_matrix", ((5, 3), (5, 2)), ("float64",), None),
    ("wide", ((2, 3), (2,)), ("float64",), None),
    ("float32", ((4, 2), (4, 3)), ("float32",), None),
    ("complex128", ((4, 2), (4,)), ("complex128",), None),
    ("int64", ((4, 2), (4,)), ("int64",), None),
    ("rcond", ((4, 3), (4,)), ("float64",), 1e-3),
]
for _sfx, _shapes, _dts, _rcond in _LSTSQ:
    _linalg_case(
        f"linalg.lstsq.{_sfx}",
        lambda a, b, rcond=_rcond: la.lstsq(a, b, rcond=rcond),
        lambda a, b, rcond=_rcond: np.linalg.lstsq(a, b, rcond=rcond),
        _shapes,
        _dts,
        static=_sfx == "tall_matrix",
    )
_linalg_case(
    "linalg.lstsq.rank_deficient",
    la.lstsq,
    np.linalg.lstsq,
    ((4, 2), (4,)),
    values=(lambda r, s, d: np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [0.0, 0.0]]), _general),
)

# -- tensor products: tensordot, outer, vdot, kron, einsum -----------------------------------------
_TENSOR_PRODUCTS: list[tuple[str, Callable[..., Any], Callable[..., Any], Any, Any]] = [
    ("tensordot.axes2", tt.tensordot, np.tensordot, ((2, 3, 4), (3, 4, 5)), ("float64",)),
    (
        "tensordot.axes1_int8",
        lambda a, b: tt.tensordot(a, b, 1),
        lambda a, b: np.tensordot(a, b, 1),
        ((2, 3), (3, 4)),
        ("int8",),
    ),
    (
        "tensordot.axes0",
        lambda a, b: tt.tensordot(a, b, 0),
        lambda a, b: np.tensordot(a, b, 0),
        ((2, 3), (4,)),
        ("float32",),
    ),
    (
        "tensordot.pairs",
        lambda a, b: tt.tensordot(a, b, ([0, 2], [2, 0])),
        lambda a, b: np.tensordot(a, b, ([0, 2], [2, 0])),
        ((2, 3, 4), (4, 5, 2)),
        ("float64",),
    ),
    (
        "tensordot.all_axes",
        lambda a, b: tt.tensordot(a, b, 2),
        lambda a, b: np.tensordot(a, b, 2),
        ((2, 3), (2, 3)),
        ("complex128",),
    ),
    (
        "tensordot.empty",
        lambda a, b: tt.tensordot(a, b, 1),
        lambda a, b: np.tensordot(a, b, 1),
        ((2, 0), (0, 3)),
        ("float64",),
    ),
    ("tensordot.mixed", tt.tensordot, np.tensordot, ((3, 4), (3, 4)), ("int32", "float32")),
    ("outer.vectors", tt.outer, np.outer, ((3,), (4,)), ("float64",)),
    ("outer.flattens", tt.outer, np.outer, ((2, 3), (2, 2)), ("int64",)),
    ("outer.bool", tt.outer, np.outer, ((3,), (2,)), ("bool",)),
    ("outer.scalar", tt.outer, np.outer, ((), (2,)), ("float32",)),
    ("vdot.vectors", tt.vdot, np.vdot, ((4,), (4,)), ("float64",)),
    ("vdot.matrices", tt.vdot, np.vdot, ((2, 3), (3, 2)), ("int16",)),
    ("vdot.complex128", tt.vdot, np.vdot, ((2, 2), (4,)), ("complex128",)),
    ("vdot.empty", tt.vdot, np.vdot, ((0,), (0,)), ("float64",)),
    ("kron.matrices", tt.kron, np.kron, ((2, 3), (4, 1)), ("float64",)),
    ("kron.matrix_vector", tt.kron, np.kron, ((2, 3), (4,)), ("int64",)),
    ("kron.scalar", tt.kron, np.kron, ((), (3,)), ("float32", "float64")),
    ("kron.tensor3", tt.kron, np.kron, ((2, 1, 2), (1, 3, 0)), ("float64",)),
]
for _name, _fn, _ref, _shapes, _dts in _TENSOR_PRODUCTS:
    _linalg_case(_name, _fn, _ref, _shapes, _dts)
_linalg_case("tensordot.static", tt.tensordot, np.tensordot, ((2, 3, 4), (3, 4, 5)), static=True)
_linalg_case("kron.static", tt.kron, np.kron, ((2, 3), (4, 5)), static=True)

_EINSUM: list[tuple[str, str, tuple[tuple[int, ...], ...], tuple[str, ...]]] = [
    ("matmul", "ij,jk->ik", ((2, 3), (3, 4)), ("float64",)),
    ("implicit", "ij,jk", ((2, 3), (3, 4)), ("float32",)),
    ("batch", "bij,bjk->bik", ((5, 2, 3), (5, 3, 4)), ("float64",)),
    ("ellipsis_broadcast", "...ij,...jk", ((5, 2, 3), (3, 4)), ("float64",)),
    ("inner", "i,i", ((3,), (3,)), ("int32",)),
    ("outer", "i,j->ij", ((3,), (4,)), ("complex128",)),
    ("transpose", "ij->ji", ((2, 3),), ("float64",)),
    ("sum_all", "ij->", ((2, 3),), ("int8",)),
    ("sum_bool", "ij->i", ((2, 3),), ("bool",)),
    ("chain", "ij,jk,kl->il", ((2, 3), (3, 4), (4, 5)), ("float64",)),
    ("three", "abc,cd,b->ad", ((2, 3, 4), (4, 5), (3,)), ("float64",)),
    ("ellipsis_sum", "i...->...", ((2, 3, 4),), ("float64",)),
    ("rowwise", "ij,ij->i", ((2, 3), (2, 3)), ("float64", "int64")),
    ("ellipsis_only", "...,...", ((2, 1), (3,)), ("float64",)),
    ("empty", "ij,jk->ik", ((2, 0), (0, 3)), ("float64",)),
    ("trace", "ii", ((3, 3),), ("float64",)),
    ("diagonal", "ii->i", ((3, 3),), ("int64",)),
    ("batch_diagonal", "...ii->...i", ((2, 3, 3),), ("float64",)),
    ("diagonal_product", "iij,jk->ik", ((2, 2, 3), (3, 4)), ("float64",)),
    ("scalar_operand", ",ij->ji", ((), (2, 3)), ("float32",)),
]
for _sfx, _sub, _ein_shapes, _dts in _EINSUM:
    _linalg_case(
        f"einsum.{_sfx}",
        lambda *xs, sub=_sub: tt.einsum(sub, *xs),
        lambda *xs, sub=_sub: np.einsum(sub, *xs),
        _ein_shapes,
        _dts,
    )
# A summed label of static length 1 in one operand broadcasts against the other.
_linalg_case(
    "einsum.broadcast_summed",
    lambda a, b, c: tt.einsum("ij,jk,kl->il", a, b, c),
    lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c),
    ((2, 1), (3, 4), (1, 5)),
    static=True,
)
_linalg_case(
    "einsum.greedy",
    lambda a, b, c: tt.einsum("ij,jk,kl->li", a, b, c, optimize=True),
    lambda a, b, c: np.einsum("ij,jk,kl->li", a, b, c),
    ((5, 2), (2, 5), (5, 3)),
    static=True,
)
_linalg_case(
    "einsum.static",
    lambda a, b: tt.einsum("bij,jk->bk", a, b),
    lambda a, b: np.einsum("bij,jk->bk", a, b),
    ((2, 3, 4), (4, 5)),
    static=True,
)

# norm: (suffix, kwargs, shape, dtype)
_NORMS: list[tuple[str, dict[str, Any], tuple[int, ...], str]] = [
    ("default", {}, (2, 3, 4), "float64"),
    ("vector", {}, (5,), "float32"),
    ("complex128", {}, (2, 3), "complex128"),
    ("int64", {}, (4,), "int64"),
    ("keepdims", {"keepdims": True}, (2, 3), "float64"),
    ("empty", {}, (0, 3), "float64"),
    ("scalar", {}, (), "float64"),
    ("scalar_keepdims", {"keepdims": True}, (), "int8"),
]
for _ord in (None, 2, 1, 0, 3, 0.5, math.inf, -math.inf):
    _NORMS.append((f"vector_ord_{_ord}", {"ord": _ord, "axis": -1}, (2, 4), "float64"))
for _mord in (None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
    _NORMS.append((f"matrix_ord_{_mord}", {"ord": _mord}, (3, 4), "float64"))
_NORMS += [
    ("matrix_axes", {"ord": 1, "axis": (2, 0)}, (3, 2, 4), "float32"),
    (
        "matrix_axes_keepdims",
        {"ord": "nuc", "axis": (0, 2), "keepdims": True},
        (3, 2, 4),
        "float64",
    ),
    ("matrix_complex", {"ord": -math.inf}, (3, 2), "complex64"),
    ("vector_complex", {"ord": 1, "axis": 0}, (3, 2), "complex128"),
]
for _sfx, _kw, _shape, _dt in _NORMS:
    _linalg_case(
        f"linalg.norm.{_sfx}".replace("-", "minus").replace("0.5", "half"),
        lambda x, kw=_kw: la.norm(x, **kw),
        lambda x, kw=_kw: np.linalg.norm(x, **kw),
        (_shape,),
        (_dt,),
    )
_linalg_case("linalg.norm.static", la.norm, np.linalg.norm, ((2, 3),), static=True)

list_ops("linalg", "dot matmul tensordot outer vdot einsum kron")
list_ops(
    "linalg",
    " ".join(
        f"linalg.{n}"
        for n in (
            "inv pinv det slogdet matrix_power norm cholesky cho_solve eigh eigvalsh solve "
            "solve_triangular svd qr lstsq"
        ).split()
    ),
)
