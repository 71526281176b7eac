"""Scalar special functions: error and gamma functions, sigmoid, softplus, log1mexp, ...

Most are computed by `scipy.special`, with its dtype rules (float32 stays float32, integers
give float64); scipy.special is imported when one is first computed, not with tensorgraft
nor when a graph is built or rewritten (each op's dtype rule is written out here).
`softplus` and `log1mexp` are numerically stable formulas written with NumPy ufuncs, with
NumPy's dtype rules.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.scalar_ops.basic import ScalarOp, UfuncOp, as_scalar, make_ufunc_op

_LN2 = math.log(2.0)


@dataclass(frozen=True)
class ScipySpecial:
    """`scipy.special.<name>`, imported on first call (importing scipy.special is slow)."""

    name: str

    @property
    def __name__(self) -> str:
        return self.name

    def __call__(self, *args: Any) -> Any:
        return getattr(importlib.import_module("scipy.special"), self.name)(*args)


def _softplus(x: Any) -> Any:
    # log(1 + e^x) = logaddexp(0, x): x for large x, e^x (not 0) for very negative x.
    return np.logaddexp(0, x)


def _log1mexp(x: Any) -> Any:
    if np.iscomplexobj(x):
        raise TypeError("log1mexp is defined for real numbers only")
    # log(1 - e^x), x <= 0 (Mächler 2012): log(-expm1(x)) above -ln 2, log1p(-exp(x)) below.
    # Both branches are computed: hide the warnings of the one not taken.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > -_LN2, np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


# SciPy's dtype rules, per family of ops, so that building a graph never imports scipy.
# SciPy's ufuncs have float32 and float64 loops (some also complex64 and complex128);
# NumPy picks an exact match, else the first loop the inputs cast to safely.
# tests/graph/test_ops_special_api.py checks each rule against SciPy for every dtype.


def _refuse(dtypes: tuple[str, ...]) -> TypeError:
    return TypeError(f"no loop for {', '.join(dtypes)}")


def _same_or_double(*dtypes: str) -> tuple[str, ...]:
    """Real loops (float32, float64): all float32 stays float32, the rest (float16 too): float64."""
    if any(np.dtype(d).kind == "c" for d in dtypes):
        raise _refuse(dtypes)
    return ("float32" if all(d == "float32" for d in dtypes) else "float64",)


def _same_or_double_complex(*dtypes: str) -> tuple[str, ...]:
    """As `_same_or_double`, plus complex64 and complex128 loops (complex64 only if all are)."""
    if any(np.dtype(d).kind == "c" for d in dtypes):
        return ("complex64" if all(d == "complex64" for d in dtypes) else "complex128",)
    return _same_or_double(*dtypes)


def _smallest_float(*dtypes: str) -> tuple[str, ...]:
    """Real loops listed float32 first: float32 wherever it casts safely, else float64."""
    if any(np.dtype(d).kind == "c" for d in dtypes):
        raise _refuse(dtypes)
    return ("float32" if all(np.can_cast(d, "float32") for d in dtypes) else "float64",)


def _scipy_op(
    cls_name: str,
    name: str,
    scipy_name: str,
    nin: int,
    doc: str,
    rule: Callable[..., tuple[str, ...]] = _same_or_double,
) -> type[UfuncOp]:
    fn = ScipySpecial(scipy_name)
    return make_ufunc_op(
        cls_name, name, fn, nin, module=__name__, doc=f"Scalar `{name}`: {doc}", dtype_rule=rule
    )


_C = _same_or_double_complex
Erf = _scipy_op("Erf", "erf", "erf", 1, "the error function.", _C)
Erfc = _scipy_op("Erfc", "erfc", "erfc", 1, "1 - erf(x), accurate for large x.", _C)
Erfcx = _scipy_op("Erfcx", "erfcx", "erfcx", 1, "exp(x**2) * erfc(x), the scaled erfc.", _C)
Erfinv = _scipy_op(
    "Erfinv", "erfinv", "erfinv", 1, "the inverse of erf on (-1, 1).", _smallest_float
)
Erfcinv = _scipy_op(
    "Erfcinv", "erfcinv", "erfcinv", 1, "the inverse of erfc on (0, 2).", _smallest_float
)
Gamma = _scipy_op("Gamma", "gamma", "gamma", 1, "the gamma function.", _C)
GammaLn = _scipy_op("GammaLn", "gammaln", "gammaln", 1, "log |gamma(x)|.")
Digamma = _scipy_op("Digamma", "digamma", "psi", 1, "d/dx log gamma(x) (scipy.special.psi).", _C)
GammaInc = _scipy_op("GammaInc", "gammainc", "gammainc", 2, "regularized lower gamma(a, x).")
GammaIncC = _scipy_op("GammaIncC", "gammaincc", "gammaincc", 2, "regularized upper gamma(a, x).")
BetaLn = _scipy_op("BetaLn", "betaln", "betaln", 2, "log |beta(a, b)|.")
Sigmoid = _scipy_op("Sigmoid", "sigmoid", "expit", 1, "1 / (1 + exp(-x)) (scipy.special.expit).")
Logit = _scipy_op("Logit", "logit", "logit", 1, "log(p / (1 - p)), the inverse of sigmoid.")
XLogY = _scipy_op("XLogY", "xlogy", "xlogy", 2, "x * log(y), 0 where x == 0.", _C)
XLog1pY = _scipy_op("XLog1pY", "xlog1py", "xlog1py", 2, "x * log1p(y), 0 where x == 0.", _C)
LogAddExp = make_ufunc_op(
    "LogAddExp", "logaddexp", np.logaddexp, 2, commutative=True, module=__name__
)
LogAddExp2 = make_ufunc_op(
    "LogAddExp2", "logaddexp2", np.logaddexp2, 2, commutative=True, module=__name__
)
Softplus = make_ufunc_op(
    "Softplus",
    "softplus",
    _softplus,
    1,
    module=__name__,
    doc="Scalar `softplus`: log(1 + exp(x)), stable for all x (numpy.logaddexp(0, x)).",
)
Log1mexp = make_ufunc_op(
    "Log1mexp",
    "log1mexp",
    _log1mexp,
    1,
    module=__name__,
    doc="Scalar `log1mexp`: log(1 - exp(x)) for x <= 0, stable near 0 and for very negative x.",
)


class Polygamma(UfuncOp):
    """Scalar `polygamma(n, x)`: the n-th derivative of digamma (scipy.special.polygamma).

    The order `n` must be of an integer (or bool) dtype.
    """

    name = "polygamma"
    nin = 2
    ufunc = staticmethod(ScipySpecial("polygamma"))

    @staticmethod
    def dtype_rule(*dtypes: str) -> tuple[str, ...]:
        """SciPy's polygamma(n, x) for an integer n: float64 for real x, no complex x."""
        # scipy.special.polygamma mixes n's float64 gamma(n + 1) into the result.
        if np.dtype(dtypes[1]).kind == "c":
            raise _refuse(dtypes)
        return ("float64",)

    def make_node(self, *inputs: Any) -> Apply:
        self.check_nin(len(inputs))
        n, x = inputs
        if isinstance(n, int) and not isinstance(n, bool | np.generic):
            n = as_scalar(n, "int64")  # a Python int order stays an integer next to floats
        return super().make_node(n, x)

    def output_dtypes(self, *dtypes: str) -> tuple[str, ...]:
        self.check_nin(len(dtypes))
        if np.dtype(dtypes[0]).kind not in "biu":
            raise TypeError(f"polygamma's order n must be an integer, got {dtypes[0]}")
        return super().output_dtypes(*dtypes)

    def impl(self, *inputs: Any) -> Any:
        n, x = inputs
        # SciPy computes zeta(n + 1, x) in float32 for a small-integer n and float32 x, but
        # in float64 for int64 n (a Python int): give it int64 whatever n's dtype.
        return self.ufunc(np.asarray(n).astype(np.int64, copy=False), x)


erf, erfc, erfcx, erfinv, erfcinv = Erf(), Erfc(), Erfcx(), Erfinv(), Erfcinv()
gamma, gammaln, digamma, polygamma = Gamma(), GammaLn(), Digamma(), Polygamma()
gammainc, gammaincc, betaln = GammaInc(), GammaIncC(), BetaLn()
sigmoid, softplus, log1mexp, logit = Sigmoid(), Softplus(), Log1mexp(), Logit()
xlogy, xlog1py, logaddexp, logaddexp2 = XLogY(), XLog1pY(), LogAddExp(), LogAddExp2()
psi, expit, log1pexp = digamma, sigmoid, softplus

SCALAR_OPS: tuple[ScalarOp, ...] = (
    erf,
    erfc,
    erfcx,
    erfinv,
    erfcinv,
    gamma,
    gammaln,
    digamma,
    polygamma,
    gammainc,
    gammaincc,
    betaln,
    sigmoid,
    softplus,
    log1mexp,
    logit,
    xlogy,
    xlog1py,
    logaddexp,
    logaddexp2,
)

__all__ = [
    "BetaLn",
    "Digamma",
    "Erf",
    "Erfc",
    "Erfcinv",
    "Erfcx",
    "Erfinv",
    "Gamma",
    "GammaInc",
    "GammaIncC",
    "GammaLn",
    "Log1mexp",
    "LogAddExp",
    "LogAddExp2",
    "Logit",
    "Polygamma",
    "ScipySpecial",
    "Sigmoid",
    "Softplus",
    "XLog1pY",
    "XLogY",
    "betaln",
    "digamma",
    "erf",
    "erfc",
    "erfcinv",
    "erfcx",
    "erfinv",
    "expit",
    "gamma",
    "gammainc",
    "gammaincc",
    "gammaln",
    "log1mexp",
    "log1pexp",
    "logaddexp",
    "logaddexp2",
    "logit",
    "polygamma",
    "psi",
    "sigmoid",
    "softplus",
    "xlog1py",
    "xlogy",
]
