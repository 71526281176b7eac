"""Special functions (SciPy reference): erf, gammaln, sigmoid, softplus, ...

Each is an `Elemwise` of the scalar op of the same name (`ts.erf`, `ts.softplus`), with
the dtype scipy.special returns (float32 stays float32, integers give float64); the
NumPy-based ones (`logaddexp`, `softplus`, `log1mexp`) follow NumPy's dtype rules. Python
numbers are weak (NEP 50) as everywhere: `xlogy(float32 x, 1.5)` is float32, where
SciPy's own resolution would give float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.basic import as_tensor, constant
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.math import elemwise_binary, elemwise_unary
from tensorgraft.tensor.variable import TensorVariable


def _is_number(x: Any) -> bool:
    return isinstance(x, bool | int | float | complex) and not isinstance(x, np.generic)


def scipy_binary(scalar_op: ts.ScalarOp, doc: str) -> Any:
    """The public function `f(x, y)` of a binary SciPy ufunc, with weak Python numbers.

    SciPy picks its loop from each operand's dtype, so a Python number becomes a constant
    of the dtype it combines into (NEP 50: `xlogy(float32 x, 2)` is float32), not of the
    smallest dtype that holds it as elsewhere.
    """
    op = Elemwise(scalar_op)

    def fn(x: Any, y: Any) -> TensorVariable:
        inputs = [x, y]
        weak = [_is_number(v) for v in inputs]
        if any(weak) and not all(weak):
            strong = [as_tensor(v) for v, w in zip(inputs, weak, strict=True) if not w]
            numbers = [v for v, w in zip(inputs, weak, strict=True) if w]
            target = np.result_type(*[s.dtype for s in strong], *numbers)
            inputs = [
                constant(v, dtype=target) if w else v for v, w in zip(inputs, weak, strict=True)
            ]
        return op(*inputs)

    fn.__name__ = fn.__qualname__ = scalar_op.name
    fn.__doc__ = doc
    return fn


# -- error functions ----------------------------------------------------------------------------
erf = elemwise_unary(ts.erf, "The error function (scipy.special.erf).")
erfc = elemwise_unary(ts.erfc, "1 - erf(x), accurate where erf(x) is near 1 (scipy.special.erfc).")
erfcx = elemwise_unary(ts.erfcx, "exp(x**2) * erfc(x), the scaled erfc (scipy.special.erfcx).")
erfinv = elemwise_unary(ts.erfinv, "The inverse of erf, on [-1, 1] (scipy.special.erfinv).")
erfcinv = elemwise_unary(ts.erfcinv, "The inverse of erfc, on [0, 2] (scipy.special.erfcinv).")

# -- gamma and beta functions -------------------------------------------------------------------
gamma = elemwise_unary(ts.gamma, "The gamma function (scipy.special.gamma).")
gammaln = elemwise_unary(ts.gammaln, "log |gamma(x)| (scipy.special.gammaln).")
digamma = elemwise_unary(ts.digamma, "The digamma function, d/dx log gamma(x) (scipy.special.psi).")
polygamma = elemwise_binary(
    ts.polygamma,
    "The n-th derivative of digamma at x, for an integer order n >= 0 (scipy.special.polygamma).",
)
gammainc = scipy_binary(
    ts.gammainc, "The regularized lower incomplete gamma function P(a, x) (scipy.special.gammainc)."
)
gammaincc = scipy_binary(
    ts.gammaincc,
    "The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x) "
    "(scipy.special.gammaincc).",
)
betaln = scipy_binary(ts.betaln, "log |beta(a, b)| (scipy.special.betaln).")
psi = digamma

# -- logistic functions and stable logarithms ----------------------------------------------------
sigmoid = elemwise_unary(
    ts.sigmoid, "The logistic function 1 / (1 + exp(-x)) (scipy.special.expit)."
)
softplus = elemwise_unary(
    ts.softplus, "log(1 + exp(x)), stable for all x: exactly x for large x (numpy.logaddexp(0, x))."
)
log1mexp = elemwise_unary(
    ts.log1mexp,
    "log(1 - exp(x)) for x <= 0, stable near 0 and for very negative x "
    "(log(-expm1(x)) above -ln 2, log1p(-exp(x)) below).",
)
logit = elemwise_unary(ts.logit, "log(p / (1 - p)), the inverse of sigmoid (scipy.special.logit).")
xlogy = scipy_binary(ts.xlogy, "x * log(y), and 0 where x == 0 (scipy.special.xlogy).")
xlog1py = scipy_binary(ts.xlog1py, "x * log1p(y), and 0 where x == 0 (scipy.special.xlog1py).")
logaddexp = elemwise_binary(
    ts.logaddexp, "log(exp(x) + exp(y)), without overflow (numpy.logaddexp)."
)
logaddexp2 = elemwise_binary(
    ts.logaddexp2, "log2(2**x + 2**y), without overflow (numpy.logaddexp2)."
)
expit = sigmoid
log1pexp = softplus

__all__ = [
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
