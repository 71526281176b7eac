"""Catalog cases: reductions, cumulative ops and softmax."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Variable
from tensorgraft.tensor.catalog import (
    Built,
    case,
    draw,
    list_ops,
    register_case,
)

Shape = tuple[int, ...]

# -- sum, prod, max, min, all, any, argmax, argmin, mean, var, std ---------------------------
# The axis forms and shapes every reduction is tried with: (suffix, kwargs, dtype, shape).
# The input's shape is known statically in forms named "static...", else unknown (None).
_FORMS: list[tuple[str, dict[str, Any], str, Shape]] = [
    ("no_axis", {}, "float64", (2, 3, 4)),
    ("axis_int", {"axis": 1}, "float64", (2, 3, 4)),
    ("axis_negative", {"axis": -1, "keepdims": True}, "float64", (2, 3, 4)),
    ("axis_tuple", {"axis": (0, 2)}, "float64", (2, 3, 4)),
    ("keepdims", {"axis": (0, 2), "keepdims": True}, "float64", (2, 3, 4)),
    ("float32", {"axis": 2}, "float32", (2, 3, 4)),
    ("int8", {"axis": 1}, "int8", (2, 3, 4)),
    ("uint8", {}, "uint8", (2, 3, 4)),
    ("bool", {"axis": 0}, "bool", (2, 3, 4)),
    ("static", {"axis": 0}, "float64", (2, 3, 4)),
    ("static_ones", {"axis": (1, 2)}, "float64", (1, 3, 1)),
]
# Forms only some reductions take: (ops, suffix, kwargs, dtype, shape).
_EXTRA: list[tuple[str, str, dict[str, Any], str, Shape]] = [
    ("sum prod", "dtype", {"axis": 0, "dtype": "float32"}, "float64", (2, 3, 4)),
    ("sum prod", "int_dtype", {"axis": (1, 2), "dtype": "int32"}, "int8", (2, 3, 4)),
    ("sum prod max min all any", "complex128", {"axis": 1}, "complex128", (2, 3, 4)),
    ("sum prod max min all any mean", "empty_tuple", {"axis": ()}, "int16", (2, 3, 4)),
    ("sum prod all any mean", "empty_axis", {"axis": 1}, "float64", (2, 0, 4)),
    ("max min", "empty_other_axis", {"axis": 1}, "float64", (2, 3, 0)),
    ("mean var std", "complex64", {"axis": 1}, "complex64", (2, 3, 4)),
    ("var std", "ddof", {"axis": 1, "ddof": 1}, "float64", (2, 3, 4)),
    ("mean", "float16", {"axis": 1}, "float16", (2, 3, 4)),
    ("mean", "dtype", {"axis": 0, "dtype": "float32"}, "float64", (2, 3, 4)),
]
# Reductions: public name -> (NumPy reference, draw ties) (ties: small ints, zeros included).
_REFS: dict[str, tuple[Callable[..., Any], bool]] = {
    "sum": (np.sum, False),
    "prod": (np.prod, False),
    "max": (np.max, False),
    "min": (np.min, False),
    "all": (np.all, True),
    "any": (np.any, True),
    "mean": (np.mean, False),
    "var": (np.var, False),
    "std": (np.std, False),
}
_ARG_FORMS: list[tuple[str, dict[str, Any], str, Shape]] = [
    ("no_axis", {}, "float64", (2, 3, 4)),
    ("axis_int", {"axis": 1}, "float64", (2, 3, 4)),
    ("axis_negative", {"axis": -1}, "float32", (2, 3, 4)),
    ("keepdims", {"axis": 0, "keepdims": True}, "float64", (2, 3, 4)),
    ("keepdims_all", {"keepdims": True}, "float64", (2, 3, 4)),
    ("int8_ties", {"axis": 2}, "int8", (2, 3, 4)),
    ("bool", {"axis": 1}, "bool", (2, 3, 4)),
    ("uint64", {"axis": 0}, "uint64", (2, 3, 4)),
    ("empty_other_axis", {"axis": 1}, "float64", (0, 3, 4)),
    ("static", {"axis": -1, "keepdims": True}, "int32", (2, 3, 4)),
]


def _reduction_case(
    name: str,
    suffix: str,
    kwargs: dict[str, Any],
    dtype: str,
    shape: Shape,
    reference: Callable[..., Any],
    ties: bool,
) -> None:
    fn = getattr(tt, name)
    static = suffix.startswith("static")

    def build(rng: np.random.Generator) -> Built:
        x = tt.tensor("x", shape=shape if static else (None,) * len(shape), dtype=dtype)
        return [x], [fn(x, **kwargs)], [draw(rng, shape, dtype, -3, 3, ties=ties)]

    register_case(f"{name}.{suffix}", build, lambda x: [reference(x, **kwargs)])


for _name, (_ref, _ties) in _REFS.items():
    for _suffix, _kwargs, _dtype, _shape in _FORMS:
        _reduction_case(_name, _suffix, _kwargs, _dtype, _shape, _ref, _ties)
    for _ops, _suffix, _kwargs, _dtype, _shape in _EXTRA:
        if _name in _ops.split():
            _reduction_case(_name, _suffix, _kwargs, _dtype, _shape, _ref, _ties)
for _name, _ref in (("argmax", np.argmax), ("argmin", np.argmin)):
    for _suffix, _kwargs, _dtype, _shape in _ARG_FORMS:
        _reduction_case(_name, _suffix, _kwargs, _dtype, _shape, _ref, False)


@case("sum.scalar", lambda x: [np.sum(x), np.prod(x), np.max(x), np.argmin(x), np.mean(x)])
def _scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x")
    return [x], [tt.sum(x), tt.prod(x), tt.max(x), tt.argmin(x), tt.mean(x)], [np.asarray(2.5)]


@case("max.nan", lambda x: [np.max(x, axis=1), np.min(x, axis=0), np.argmax(x, axis=1)])
def _max_nan(rng: np.random.Generator) -> Built:
    # NaN wins in max and min, and argmax points at the first NaN, as in NumPy.
    x = tt.matrix("x")
    value = np.array([[1.0, np.nan, 3.0], [-np.inf, 2.0, np.inf]])
    return [x], [x.max(axis=1), x.min(axis=0), x.argmax(axis=1)], [value]


# -- cumsum, cumprod --------------------------------------------------------------------------
_CUM_FORMS: list[tuple[str, dict[str, Any], str, Shape]] = [
    ("flat", {}, "float64", (2, 3, 4)),
    ("axis_int", {"axis": 1}, "float64", (2, 3, 4)),
    ("axis_negative", {"axis": -1}, "float32", (2, 3, 4)),
    ("int8", {"axis": 0}, "int8", (2, 3, 4)),
    ("uint16", {}, "uint16", (2, 3, 4)),
    ("bool", {"axis": 2}, "bool", (2, 3, 4)),
    ("complex128", {"axis": 1}, "complex128", (2, 3, 4)),
    ("dtype", {"axis": 1, "dtype": "float32"}, "int64", (2, 3, 4)),
    ("empty_axis", {"axis": 1}, "float64", (2, 0, 4)),
    ("empty_flat", {}, "float64", (2, 0, 4)),
    ("static", {"axis": 0}, "float64", (2, 3, 4)),
    ("static_flat", {}, "int16", (2, 1, 4)),
]
for _name, _ref in (("cumsum", np.cumsum), ("cumprod", np.cumprod)):
    for _suffix, _kwargs, _dtype, _shape in _CUM_FORMS:
        _reduction_case(_name, _suffix, _kwargs, _dtype, _shape, _ref, False)


@case("cumsum.row", lambda x: [np.cumsum(x), np.cumprod(x, axis=0), np.cumsum(x[0])])
def _cum_static(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(2, 3))
    outs: list[Variable] = [tt.cumsum(x), tt.cumprod(x, axis=0), tt.cumsum(x[0])]
    return [x], outs, [draw(rng, (2, 3), "float64", -3, 3, False)]


@case("cumsum.scalar", lambda x: [np.cumsum(x), np.cumprod(x)])
def _cum_scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x")
    return [x], [tt.cumsum(x), tt.cumprod(x)], [np.asarray(-1.5)]


# -- softmax, log_softmax, logsumexp -----------------------------------------------------------
def scipy_softmax(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A scipy.special softmax computed in NumPy's exp dtype (ints first become floats)."""

    def reference(x: np.ndarray, **kwargs: Any) -> np.ndarray:
        x = x.astype(np.exp(np.zeros(0, x.dtype)).dtype)
        return x if x.size == 0 else np.asarray(fn(x, **kwargs), dtype=x.dtype)

    return reference


_SOFTMAX_FORMS: list[tuple[str, dict[str, Any], str, Shape]] = [
    ("no_axis", {}, "float64", (2, 3, 4)),
    ("axis_int", {"axis": 1}, "float64", (2, 3, 4)),
    ("axis_negative", {"axis": -1}, "float32", (2, 3, 4)),
    ("int32", {"axis": 0}, "int32", (2, 3, 4)),
    ("empty_other_axis", {"axis": 1}, "float64", (0, 3, 4)),
    ("static", {"axis": 1}, "float64", (2, 1, 4)),
]
_LSE_FORMS: list[tuple[str, dict[str, Any], str, Shape]] = [
    *_SOFTMAX_FORMS[:4],
    ("axis_tuple", {"axis": (0, 2)}, "float64", (2, 3, 4)),
    ("keepdims", {"axis": (0, 2), "keepdims": True}, "float32", (2, 3, 4)),
    ("keepdims_all", {"keepdims": True}, "float64", (2, 3, 4)),
    ("uint8", {"axis": 1}, "uint8", (2, 3, 4)),
    ("bool", {"axis": 1}, "bool", (2, 3, 4)),
    ("complex128", {"axis": 1}, "complex128", (2, 3, 4)),
    ("static", {"axis": (0, 1), "keepdims": True}, "float32", (2, 1, 4)),
]
for _name, _ref in (
    ("softmax", scipy_softmax(scipy.special.softmax)),
    ("log_softmax", scipy_softmax(scipy.special.log_softmax)),
):
    for _suffix, _kwargs, _dtype, _shape in _SOFTMAX_FORMS:
        _reduction_case(_name, _suffix, _kwargs, _dtype, _shape, _ref, False)
for _suffix, _kwargs, _dtype, _shape in _LSE_FORMS:
    _reduction_case("logsumexp", _suffix, _kwargs, _dtype, _shape, scipy.special.logsumexp, False)

_INFS = np.array([[-np.inf, -np.inf, -np.inf], [np.inf, 1.0, -np.inf], [1000.0, 999.0, -np.inf]])


@case("logsumexp.infinite", lambda x: [scipy.special.logsumexp(x, axis=1)])
def _lse_infinite(rng: np.random.Generator) -> Built:
    # Rows of -inf only, with +inf, and large values: the shift keeps them exact.
    x = tt.matrix("x")
    return [x], [tt.logsumexp(x, axis=1)], [_INFS.copy()]


@case(
    "log_softmax.large",
    lambda x: [scipy.special.log_softmax(x, axis=1), scipy.special.softmax(x, axis=1)],
)
def _softmax_large(rng: np.random.Generator) -> Built:
    # exp(1000) overflows: only the shifted forms are finite.
    x = tt.matrix("x")
    value = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -np.inf]])
    return [x], [tt.log_softmax(x, axis=1), tt.softmax(x, axis=1)], [value]


# -- sum_to: broadcasting in reverse -----------------------------------------------------------
def numpy_sum_to(x: np.ndarray, shape: Shape) -> np.ndarray:
    """x summed down to `shape` with NumPy: the leading extra axes, and the axes where
    `shape` has 1 and x does not."""
    lead = x.ndim - len(shape)
    ones = [lead + a for a, n in enumerate(shape) if n == 1 and x.shape[lead + a] != 1]
    return np.sum(x, axis=(*range(lead), *ones), keepdims=True).reshape(shape)


# (suffix, x's shape, target, dtype, x's shape static)
_SUM_TO_FORMS: list[tuple[str, Shape, Shape, str, bool]] = [
    ("leading", (2, 3, 4), (3, 4), "float64", False),
    ("ones", (2, 3, 4), (2, 1, 4), "float32", False),
    ("leading_and_ones", (2, 3, 4), (1, 4), "float64", False),
    ("same", (2, 3), (2, 3), "float64", False),
    ("int8", (2, 3, 4), (3, 1), "int8", False),
    ("bool", (2, 3), (1, 3), "bool", False),
    ("complex128", (3, 4), (1, 4), "complex128", False),
    ("empty", (2, 0, 4), (1, 4), "float64", False),
    ("empty_kept", (0, 3), (0, 1), "float64", False),
    ("to_scalar", (2, 3), (), "float64", False),
    ("static", (2, 3, 4), (1, 4), "float64", True),
]


def _sum_to_case(suffix: str, shape: Shape, target: Shape, dtype: str, static: bool) -> None:
    def build(rng: np.random.Generator) -> Built:
        x = tt.tensor("x", shape=shape if static else (None,) * len(shape), dtype=dtype)
        return [x], [tt.sum_to(x, target)], [draw(rng, shape, dtype, -3, 3, ties=False)]

    register_case(f"sum_to.{suffix}", build, lambda x: [numpy_sum_to(x, target)])


for _form in _SUM_TO_FORMS:
    _sum_to_case(*_form)


@case("sum_to.symbolic", lambda x, y, n: [numpy_sum_to(x, y.shape), numpy_sum_to(x, (int(n), 1))])
def _sum_to_symbolic(rng: np.random.Generator) -> Built:
    # The target is the run-time shape of another input, or holds an integer scalar.
    x, y = tt.tensor("x", shape=(None, None, None)), tt.matrix("y")
    n = tt.scalar("n", dtype="int64")
    outs: list[Variable] = [tt.sum_to(x, tt.shape(y)), tt.sum_to(x, (n, 1))]
    values = [draw(rng, (2, 3, 4), "float64", -3, 3, False), np.zeros((1, 4)), np.asarray(3)]
    return [x, y, n], outs, values


list_ops(
    "reduction",
    "sum prod max min all any argmax argmin mean var std cumsum cumprod "
    "softmax log_softmax logsumexp sum_to",
)
