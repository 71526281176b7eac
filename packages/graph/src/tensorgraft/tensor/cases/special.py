"""Catalog cases: special functions (SciPy references)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special as sp

import tensorgraft.tensor as tt
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.cases.elemwise import Table, register_elemwise_cases
from tensorgraft.tensor.catalog import Built, case, ints, list_ops, uniform
from tensorgraft.tensor.elemwise import Elemwise


def _softplus_ref(x: Any) -> Any:
    # max(x, 0) + log1p(exp(-|x|)): another stable form than the op's logaddexp(0, x).
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _log1mexp_ref(x: Any) -> Any:
    # Both forms are accurate on [-1, -ln 2]: switch at -1 (the op switches at -ln 2).
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > -1.0, np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


# (case suffix, tt function, reference, dtype, one (lo, hi) range per input); see
# `register_elemwise_cases` for the shapes.
_SPECIAL: Table = [
    ("erf", tt.erf, sp.erf, "float64", [(-3, 3)]),
    ("erf.float32", tt.erf, sp.erf, "float32", [(-3, 3)]),
    ("erf.int64", tt.erf, sp.erf, "int64", [(-2, 2)]),
    ("erfc", tt.erfc, sp.erfc, "float64", [(-3, 9)]),
    ("erfc.float32", tt.erfc, sp.erfc, "float32", [(-3, 5)]),
    ("erfcx", tt.erfcx, sp.erfcx, "float64", [(-3, 30)]),
    ("erfcx.float32", tt.erfcx, sp.erfcx, "float32", [(-3, 30)]),
    ("erfinv", tt.erfinv, sp.erfinv, "float64", [(-0.99, 0.99)]),
    ("erfinv.float32", tt.erfinv, sp.erfinv, "float32", [(-0.99, 0.99)]),
    ("erfcinv", tt.erfcinv, sp.erfcinv, "float64", [(0.01, 1.99)]),
    ("erfcinv.float32", tt.erfcinv, sp.erfcinv, "float32", [(0.01, 1.99)]),
    ("gamma", tt.gamma, sp.gamma, "float64", [(0.1, 6)]),
    ("gamma.negative", tt.gamma, sp.gamma, "float64", [(-2.9, -2.1)]),
    ("gamma.int64", tt.gamma, sp.gamma, "int64", [(1, 9)]),
    ("gammaln", tt.gammaln, sp.gammaln, "float64", [(0.1, 50)]),
    ("gammaln.float32", tt.gammaln, sp.gammaln, "float32", [(0.1, 50)]),
    ("gammaln.int16", tt.gammaln, sp.gammaln, "int16", [(1, 50)]),
    ("digamma", tt.digamma, sp.psi, "float64", [(0.1, 9)]),
    ("digamma.float32", tt.digamma, sp.psi, "float32", [(0.1, 9)]),
    ("gammainc", tt.gammainc, sp.gammainc, "float64", [(0.5, 5), (0, 6)]),
    ("gammainc.float32", tt.gammainc, sp.gammainc, "float32", [(0.5, 5), (0, 6)]),
    ("gammaincc", tt.gammaincc, sp.gammaincc, "float64", [(0.5, 5), (0, 6)]),
    ("gammaincc.float32", tt.gammaincc, sp.gammaincc, "float32", [(0.5, 5), (0, 6)]),
    ("betaln", tt.betaln, sp.betaln, "float64", [(0.1, 9), (0.1, 9)]),
    ("betaln.float32", tt.betaln, sp.betaln, "float32", [(0.1, 9), (0.1, 9)]),
    ("sigmoid", tt.sigmoid, sp.expit, "float64", [(-9, 9)]),
    ("sigmoid.float32", tt.sigmoid, sp.expit, "float32", [(-9, 9)]),
    ("sigmoid.int8", tt.sigmoid, sp.expit, "int8", [(-9, 9)]),
    ("softplus", tt.softplus, _softplus_ref, "float64", [(-9, 9)]),
    ("softplus.float32", tt.softplus, _softplus_ref, "float32", [(-9, 9)]),
    ("log1mexp", tt.log1mexp, _log1mexp_ref, "float64", [(-5, -0.01)]),
    ("log1mexp.float32", tt.log1mexp, _log1mexp_ref, "float32", [(-5, -0.01)]),
    ("logit", tt.logit, sp.logit, "float64", [(0.01, 0.99)]),
    ("logit.float32", tt.logit, sp.logit, "float32", [(0.01, 0.99)]),
    ("xlogy", tt.xlogy, sp.xlogy, "float64", [(-2, 2), (0.1, 5)]),
    ("xlogy.float32", tt.xlogy, sp.xlogy, "float32", [(-2, 2), (0.1, 5)]),
    ("xlog1py", tt.xlog1py, sp.xlog1py, "float64", [(-2, 2), (-0.9, 5)]),
    ("xlog1py.float32", tt.xlog1py, sp.xlog1py, "float32", [(-2, 2), (-0.9, 5)]),
    ("logaddexp", tt.logaddexp, np.logaddexp, "float64", [(-9, 9), (-9, 9)]),
    ("logaddexp.float32", tt.logaddexp, np.logaddexp, "float32", [(-9, 9), (-9, 9)]),
    ("logaddexp2", tt.logaddexp2, np.logaddexp2, "float64", [(-9, 9), (-9, 9)]),
    ("logaddexp2.float32", tt.logaddexp2, np.logaddexp2, "float32", [(-9, 9), (-9, 9)]),
]

register_elemwise_cases("special", _SPECIAL)


@case("special.polygamma", lambda n, x: [sp.polygamma(n[:, None], x)])
def _polygamma(rng: np.random.Generator) -> Built:
    n, x = tt.vector("n", dtype="int64"), tt.vector("x", shape=(4,))
    return [n, x], [tt.polygamma(n[:, None], x)], [np.arange(4), uniform(rng, (4,), 0.5, 5)]


@case("special.polygamma.python_order", lambda x: [sp.polygamma(1, x), sp.polygamma(0, x)])
def _polygamma_int(rng: np.random.Generator) -> Built:
    # A Python int order stays an integer; float32 x gives float64, as in SciPy.
    x = tt.matrix("x", dtype="float32")
    return [x], [tt.polygamma(1, x), tt.polygamma(0, x)], [uniform(rng, (2, 3), 0.5, 5, "float32")]


@case(
    "special.polygamma.edge",
    lambda n, x, m, e: [sp.polygamma(n, x), sp.polygamma(m, e), sp.polygamma(m, x[0, 0])],
)
def _polygamma_edge(rng: np.random.Generator) -> Built:
    # A (2, 1) order against a (1, 3) x; a 0-d order against an empty x, and a 0-d x.
    n, x = tt.tensor("n", shape=(None, 1), dtype="int8"), tt.tensor("x", shape=(1, 3))
    m, e = tt.scalar("m", dtype="uint8"), tt.matrix("e", dtype="float32")
    values = [
        np.array([[0], [2]], "int8"),
        uniform(rng, (1, 3), 0.5, 5),
        np.asarray(1, "uint8"),
        np.zeros((0, 3), "float32"),
    ]
    outputs = [tt.polygamma(n, x), tt.polygamma(m, e), tt.polygamma(m, x[0, 0])]
    return [n, x, m, e], outputs, values


@case("special.digamma.complex128", lambda z: [sp.psi(z), sp.gamma(z), sp.erf(z)])
def _complex(rng: np.random.Generator) -> Built:
    z = tt.vector("z", dtype="complex128")
    value = uniform(rng, (4,), 0.5, 3) + 1j * uniform(rng, (4,), -1, 1)
    return [z], [tt.psi(z), tt.gamma(z), tt.erf(z)], [value]


_LARGE = np.array([-800.0, -50.0, -1.0, 0.0, 1.0, 50.0, 800.0])


@case("special.sigmoid.extreme", lambda x: [sp.expit(x), _softplus_ref(x)])
def _extreme(rng: np.random.Generator) -> Built:
    # Finite and accurate far out in both tails: no overflow in exp.
    x = tt.vector("x")
    return [x], [tt.sigmoid(x), tt.softplus(x)], [_LARGE]


@case("special.softplus.extreme_float32", lambda x: [_softplus_ref(x), sp.expit(x)])
def _extreme_float32(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="float32")
    return [x], [tt.log1pexp(x), tt.expit(x)], [_LARGE.astype("float32")]


@case("special.log1mexp.extreme", lambda x: [_log1mexp_ref(x)])
def _log1mexp_extreme(rng: np.random.Generator) -> Built:
    # Near 0 (where 1 - exp(x) cancels), around the switch at -ln 2, and very negative.
    x = tt.vector("x")
    ln2 = math.log(2.0)
    value = np.array([-1e-20, -1e-8, -ln2 * (1 + 1e-12), -ln2, -ln2 * (1 - 1e-12), -40.0, -800.0])
    return [x], [tt.log1mexp(x)], [value]


@case("special.logaddexp.extreme", lambda x, y: [np.logaddexp(x, y), np.logaddexp2(x, y)])
def _logaddexp_extreme(rng: np.random.Generator) -> Built:
    x, y = tt.vector("x"), tt.vector("y")
    values = [np.array([800.0, -800.0, 1000.0, -np.inf]), np.array([799.0, -801.0, 0.0, 3.0])]
    return [x, y], [tt.logaddexp(x, y), tt.logaddexp2(x, y)], values


@case("special.xlogy.zeros", lambda x, y: [sp.xlogy(x, y), sp.xlog1py(x, y - 1)])
def _xlogy_zeros(rng: np.random.Generator) -> Built:
    # 0 * log(0) is 0 here, not NaN.
    x, y = tt.vector("x"), tt.vector("y")
    values = [np.array([0.0, 0.0, 2.0, 1.5]), np.array([0.0, 3.0, 0.5, 1.0])]
    return [x, y], [tt.xlogy(x, y), tt.xlog1py(x, y - 1)], values


@case("special.erf.empty", lambda x: [sp.erf(x), sp.gammaln(x)])
def _erf_empty(rng: np.random.Generator) -> Built:
    x = tt.tensor("x", shape=(0, 3), dtype="float32")
    return [x], [tt.erf(x), tt.gammaln(x)], [np.zeros((0, 3), "float32")]


@case("special.betaln.scalar_int", lambda a, b: [sp.betaln(a, b)])
def _betaln_scalars(rng: np.random.Generator) -> Built:
    a, b = tt.scalar("a", dtype="int64"), tt.vector("b", dtype="int8")
    return [a, b], [tt.betaln(a, b)], [np.asarray(3), ints(rng, (4,), 1, 9, "int8")]


@case(
    "special.composite",
    lambda x: [_softplus_ref(np.square(x)) + _log1mexp_ref(-np.abs(x) - 0.1) * sp.expit(x)],
)
def _composite(rng: np.random.Generator) -> Built:
    i0 = ts.ScalarType("float64")()
    expr = ts.softplus(ts.sqr(i0)) + ts.log1mexp(-ts.abs(i0) - 0.1) * ts.sigmoid(i0)
    x = tt.matrix("x")
    return [x], [Elemwise(ts.Composite([i0], [expr]))(x)], [uniform(rng, (2, 3), -3, 3)]


@case("special.composite.scipy", lambda x: [sp.erfc(x) * sp.gammaln(x + 1) + sp.polygamma(1, x)])
def _composite_scipy(rng: np.random.Generator) -> Built:
    i0 = ts.ScalarType("float64")()
    expr = ts.erfc(i0) * ts.gammaln(ts.add(i0, 1)) + ts.polygamma(1, i0)
    x = tt.vector("x")
    return [x], [Elemwise(ts.Composite([i0], [expr]))(x)], [uniform(rng, (5,), 0.5, 4)]


def _composite_float32_ref(x: Any, y: Any) -> list[Any]:
    s = sp.expit(x)
    return [s * _softplus_ref(-x) + np.logaddexp(x, y) - sp.xlogy(y, s) + sp.erf(y)]


@case("special.composite.float32", _composite_float32_ref)
def _composite_float32(rng: np.random.Generator) -> Built:
    # A fused float32 kernel of special functions: it stays float32 throughout.
    i0, i1 = ts.ScalarType("float32")(), ts.ScalarType("float32")()
    s = ts.sigmoid(i0)
    expr = s * ts.softplus(ts.neg(i0)) + ts.logaddexp(i0, i1) - ts.xlogy(i1, s) + ts.erf(i1)
    x, y = tt.matrix("x", dtype="float32"), tt.vector("y", shape=(3,), dtype="float32")
    values = [uniform(rng, (2, 3), -3, 3, "float32"), uniform(rng, (3,), 0.1, 2, "float32")]
    return [x, y], [Elemwise(ts.Composite([i0, i1], [expr]))(x, y)], values


list_ops(
    "special",
    "erf erfc erfcx erfinv erfcinv gamma gammaln digamma polygamma gammainc gammaincc betaln "
    "sigmoid softplus log1mexp logit xlogy xlog1py logaddexp logaddexp2",
)
