"""Scalar rules for the rest of the elementwise catalog: arithmetic, transcendental and
special functions. Each rule is `rule(g, z, *xs) -> [g * dz/dx_i, ...]` (see elemwise)."""

from __future__ import annotations

import math
from typing import Any

import tensorgraft.tensor as tt
from tensorgraft.autodiff.registry import GradNotImplemented, defscalar
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.scalar_ops import arithmetic as ar
from tensorgraft.tensor.scalar_ops import special as sp
from tensorgraft.tensor.scalar_ops import transcendental as tr

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2


def _ew(scalar_op: Any, *xs: Any) -> Any:
    return Elemwise(scalar_op)(*xs)


def _where(cond: Any, g: Any) -> Any:
    return tt.switch(cond, g, 0)


def _zero(g: Any, z: Any, *xs: Any) -> list[Any]:
    return [None] * len(xs)


# -- arithmetic ---------------------------------------------------------------------------------
defscalar(ar.Mod, lambda g, z, x, y: [g, -g * tt.floor(x / y)])  # x % y = x - y floor(x/y)
defscalar(ar.Abs, lambda g, z, x: [g * tt.sign(x)])
defscalar(ar.Reciprocal, lambda g, z, x: [-g * z * z])
defscalar(ar.Sqr, lambda g, z, x: [g * 2 * x])
defscalar(ar.Sqrt, lambda g, z, x: [g / (2 * z)])
defscalar(  # the gradient goes to whichever of x, lo, hi the result is
    ar.Clip,
    lambda g, z, x, lo, hi: [
        _where(tt.eq(z, x), g),
        _where(tt.lt(x, lo), g),
        _where(tt.gt(x, hi), g),
    ],
)
defscalar(ar.Real, lambda g, z, x: [g])  # real inputs only: real(x) = x
defscalar(ar.Conj, lambda g, z, x: [g])
# Piecewise constant, integer- or boolean-valued: a zero gradient.
for _op in (
    ar.Sign, ar.Floor, ar.Ceil, ar.Trunc, ar.Round, ar.Imag, ar.Angle,
    ar.IsNan, ar.IsInf, ar.IsFinite, ar.LogicalAnd, ar.LogicalOr, ar.LogicalXor, ar.LogicalNot,
    ar.BitwiseAnd, ar.BitwiseOr, ar.BitwiseXor, ar.Invert, ar.LeftShift, ar.RightShift,
):  # fmt: skip
    defscalar(_op, _zero)

# -- transcendental -------------------------------------------------------------------------------
defscalar(tr.Exp2, lambda g, z, x: [g * z * math.log(2)])
defscalar(tr.Expm1, lambda g, z, x: [g * (z + 1)])
defscalar(tr.Log2, lambda g, z, x: [g / (x * math.log(2))])
defscalar(tr.Log10, lambda g, z, x: [g / (x * math.log(10))])
defscalar(tr.Tan, lambda g, z, x: [g * (1 + z * z)])
defscalar(tr.ArcSin, lambda g, z, x: [g / tt.sqrt(1 - x * x)])
defscalar(tr.ArcCos, lambda g, z, x: [-g / tt.sqrt(1 - x * x)])
defscalar(tr.ArcTan, lambda g, z, x: [g / (1 + x * x)])
defscalar(  # atan2(y, x): d = (x dy - y dx) / (x^2 + y^2)
    tr.ArcTan2, lambda g, z, y, x: [g * x / (x * x + y * y), -g * y / (x * x + y * y)]
)
defscalar(tr.Sinh, lambda g, z, x: [g * tt.cosh(x)])
defscalar(tr.Cosh, lambda g, z, x: [g * tt.sinh(x)])
defscalar(tr.Tanh, lambda g, z, x: [g * (1 - z * z)])
defscalar(tr.ArcSinh, lambda g, z, x: [g / tt.sqrt(x * x + 1)])
defscalar(tr.ArcCosh, lambda g, z, x: [g / tt.sqrt(x * x - 1)])
defscalar(tr.ArcTanh, lambda g, z, x: [g / (1 - x * x)])

# -- special functions ----------------------------------------------------------------------------
defscalar(sp.Erf, lambda g, z, x: [g * _TWO_OVER_SQRT_PI * tt.exp(-x * x)])
defscalar(sp.Erfc, lambda g, z, x: [-g * _TWO_OVER_SQRT_PI * tt.exp(-x * x)])
defscalar(sp.Erfcx, lambda g, z, x: [g * (2 * x * z - _TWO_OVER_SQRT_PI)])
defscalar(sp.Erfinv, lambda g, z, x: [g * _SQRT_PI_OVER_TWO * tt.exp(z * z)])
defscalar(sp.Erfcinv, lambda g, z, x: [-g * _SQRT_PI_OVER_TWO * tt.exp(z * z)])
defscalar(sp.Gamma, lambda g, z, x: [g * z * _ew(sp.digamma, x)])
defscalar(sp.GammaLn, lambda g, z, x: [g * _ew(sp.digamma, x)])
defscalar(sp.Digamma, lambda g, z, x: [g * _ew(sp.polygamma, 1, x)])
defscalar(sp.Polygamma, lambda g, z, n, x: [None, g * _ew(sp.polygamma, n + 1, x)])
# s(x) s(-x), not s (1 - s): 1 - s rounds to 0 for x > 37 where s(-x) does not.
defscalar(sp.Sigmoid, lambda g, z, x: [g * z * _ew(sp.sigmoid, -x)])
defscalar(sp.Logit, lambda g, z, x: [g / (x * (1 - x))])
defscalar(sp.Softplus, lambda g, z, x: [g * _ew(sp.sigmoid, x)])  # finite for any x
# d log(1 - e^x) = -e^x / (1 - e^x) = -exp(x - z): no overflow at x << 0, finite near 0-.
defscalar(sp.Log1mexp, lambda g, z, x: [-g * tt.exp(x - z)])
# x log(y) is 0 wherever x == 0, whatever y: no gradient to y there (not 0 / 0).
defscalar(sp.XLogY, lambda g, z, x, y: [g * tt.log(y), _where(tt.neq(x, 0), g * x / y)])
defscalar(sp.XLog1pY, lambda g, z, x, y: [g * tt.log1p(y), _where(tt.neq(x, 0), g * x / (1 + y))])
defscalar(sp.LogAddExp, lambda g, z, x, y: [g * tt.exp(x - z), g * tt.exp(y - z)])
defscalar(sp.LogAddExp2, lambda g, z, x, y: [g * tt.exp2(x - z), g * tt.exp2(y - z)])


def _betaln(g: Any, z: Any, a: Any, b: Any) -> list[Any]:
    dab = _ew(sp.digamma, a + b)
    return [g * (_ew(sp.digamma, a) - dab), g * (_ew(sp.digamma, b) - dab)]


def _gammainc_density(a: Any, x: Any) -> Any:
    # d/dx P(a, x) = x^(a-1) e^(-x) / Gamma(a), in logs for range.
    return tt.exp((a - 1) * tt.log(x) - x - _ew(sp.gammaln, a))


_NO_DA = GradNotImplemented("the gradient with respect to the shape parameter a")


def _gammainc(g: Any, z: Any, a: Any, x: Any) -> list[Any]:
    return [_NO_DA, g * _gammainc_density(a, x)]


def _gammaincc(g: Any, z: Any, a: Any, x: Any) -> list[Any]:
    return [_NO_DA, -g * _gammainc_density(a, x)]


defscalar(sp.BetaLn, _betaln)
defscalar(sp.GammaInc, _gammainc)
defscalar(sp.GammaIncC, _gammaincc)
