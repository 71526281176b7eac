"""SciPy special functions without a Numba counterpart, as Numba-compiled kernels.

Each kernel computes in float64 (the Elemwise loop casts the result to the output
dtype). Generated code calls a kernel by a name that carries a hash of this file (see
`kernel_name`), so the on-disk cache never serves machine code of an older version.

* digamma: the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic
  series; reflection for x < 0.
* polygamma(n, x), n >= 1: (-1)^(n+1) n! zeta(n+1, x), the Hurwitz zeta by
  Euler-Maclaurin summation.
* erfinv / erfcinv: a first guess (the Maclaurin series near 0, the asymptotic form of
  erfc in the tails) refined by Halley steps on erf / erfc.
* erfcx: exp(x^2) erfc(x) for x < 5, the continued fraction of erfc beyond.
* gammainc / gammaincc: the power series of P(a, x) for x < a + 1, the continued fraction
  of Q(a, x) otherwise (each from the other by 1 - ...); the factor x^a e^-x / Gamma(a)
  through log1p(t) - t and Stirling's series for large a.
* betaln: lgamma(a) + lgamma(b) - lgamma(a + b), the last two by Stirling's series
  (without their cancellation) where the larger argument is >= 10.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Sequence
from typing import Any

import numba
import numpy as np

from tensorgraft.compile_numba.codegen import np_dtype
from tensorgraft.compile_numba.registry import scalar_impl
from tensorgraft.tensor.scalar_ops import basic as sb
from tensorgraft.tensor.scalar_ops import special as sp

_SQRT_PI = math.sqrt(math.pi)
_EPS = 2.220446049250313e-16
# B_2k / (2k) for the digamma series, k = 1..7.
_PSI_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
# B_2k / (2k)! for the Euler-Maclaurin tail of the Hurwitz zeta, k = 1..8.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
_EM = tuple(b / math.factorial(2 * k + 2) for k, b in enumerate(_BERNOULLI))

_jit = numba.njit(cache=True, error_model="numpy")


@_jit
def digamma_k(x: float) -> float:
    """psi(x), the logarithmic derivative of the gamma function (scipy.special.psi)."""
    if math.isnan(x):
        return x
    if x == 0.0:
        return -math.copysign(math.inf, x)
    if math.isinf(x):
        return math.inf if x > 0 else math.nan
    shift = 0.0
    if x < 0.0:
        if x == math.floor(x):
            return math.nan
        # psi(x) = psi(1 - x) - pi / tan(pi x); tan taken of the fractional part.
        shift = -math.pi / math.tan(math.pi * (x - math.floor(x)))
        x = 1.0 - x
    if abs(x - _ROOT_HI) < 0.25:
        # Near the positive root the sum below cancels: a Taylor series about the root.
        h = (x - _ROOT_HI) - _ROOT_LO
        total = 0.0
        for k in range(len(_ROOT_SERIES) - 1, -1, -1):
            total = total * h + _ROOT_SERIES[k]
        return shift + total * h
    acc = 0.0
    while x < 10.0:
        acc -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    series = 0.0
    for k in range(len(_PSI_SERIES) - 1, -1, -1):
        series = series * inv2 + _PSI_SERIES[k]
    return shift + acc + math.log(x) - 0.5 / x - series * inv2


@_jit
def hurwitz_zeta_k(s: float, q: float) -> float:
    """zeta(s, q) = sum over k >= 0 of (q + k)^-s, for s > 1 (scipy.special.zeta)."""
    if math.isnan(s) or math.isnan(q):
        return math.nan
    if s == 1.0:
        return math.inf
    if s < 1.0:
        return math.nan
    if q <= 0.0:
        if q == math.floor(q):
            return math.inf
        if s != math.floor(s):
            return math.nan  # a negative base to a fractional power
    # Direct terms until q + n is large enough for the tail's expansion.
    total = 0.0
    a = q
    while a < 10.0 + s:
        total += a**-s
        a += 1.0
    total += a ** (1.0 - s) / (s - 1.0) + 0.5 * a**-s
    # Euler-Maclaurin: sum_k B_2k/(2k)! s(s+1)...(s+2k-2) a^(-s-2k+1).
    rising = s
    power = a ** (-s - 1.0)
    inv2 = 1.0 / (a * a)
    for k in range(len(_EM)):
        term = _EM[k] * rising * power
        total += term
        if abs(term) < _EPS * abs(total):
            break
        rising *= (s + 2 * k + 1) * (s + 2 * k + 2)
        power *= inv2
    return total


# The positive root of digamma as a sum of two doubles, and the Taylor coefficients
# there: psi^(k)(x0) / k! = (-1)^(k+1) zeta(k+1, x0), k = 1, 2, ...
_ROOT_HI = 1.4616321449683622
_ROOT_LO = 9.549995429965697e-17
_ROOT_SERIES = tuple(
    (-1.0) ** (k + 1) * hurwitz_zeta_k.py_func(k + 1.0, _ROOT_HI) for k in range(1, 24)
)


@_jit
def polygamma_k(n: float, x: float) -> float:
    """The n-th derivative of digamma (scipy.special.polygamma)."""
    if n == 0.0:
        return digamma_k(x)
    if math.isnan(n) or n < 0.0 or n != math.floor(n):
        return math.nan
    sign = 1.0 if int(n) % 2 == 1 else -1.0
    return sign * math.gamma(n + 1.0) * hurwitz_zeta_k(n + 1.0, x)


@_jit
def _halley(t: float, y: float, upper: bool) -> float:
    """Solve erf(t) = y (or erfc(t) = y when `upper`) from the guess t."""
    for _ in range(60):
        if upper:
            d = (math.erfc(t) - y) / (-2.0 / _SQRT_PI * math.exp(-t * t))
        else:
            d = (math.erf(t) - y) / (2.0 / _SQRT_PI * math.exp(-t * t))
        if not math.isfinite(d):
            break
        step = d / (1.0 + t * d)
        t -= step
        if abs(step) <= 1e-16 * abs(t) + 1e-300:
            break
    return t


@_jit
def _series_guess(x: float) -> float:
    # erfinv's Maclaurin series: sqrt(pi)/2 (x + pi x^3/12 + 7 pi^2 x^5/480 + ...).
    z = 0.5 * _SQRT_PI * x
    z2 = z * z
    return z * (1.0 + z2 / 3.0 + 7.0 * z2 * z2 / 30.0 + 127.0 * z2 * z2 * z2 / 630.0)


@_jit
def erfcinv_k(y: float) -> float:
    """t with erfc(t) = y, for 0 <= y <= 2 (scipy.special.erfcinv)."""
    if math.isnan(y) or y < 0.0 or y > 2.0:
        return math.nan
    if y == 0.0:
        return math.inf
    if y == 2.0:
        return -math.inf
    if y > 1.0:
        return -erfcinv_k(2.0 - y)
    if y > 0.3:
        t = _series_guess(1.0 - y)
    else:
        # erfc(t) ~ exp(-t^2) / (t sqrt(pi)): t^2 ~ u - log(pi u) / 2, u = -log(y).
        u = -math.log(y)
        t = math.sqrt(max(u - 0.5 * math.log(math.pi * u), 0.25))
    return _halley(t, y, True)


@_jit
def erfinv_k(x: float) -> float:
    """t with erf(t) = x, for -1 <= x <= 1 (scipy.special.erfinv)."""
    if math.isnan(x) or x < -1.0 or x > 1.0:
        return math.nan
    if x == 0.0:
        return x
    if abs(x) <= 0.5:
        return _halley(_series_guess(x), x, False)
    # Near +-1, 1 - |x| is exact: invert erfc there.
    return math.copysign(erfcinv_k(1.0 - abs(x)), x)


@_jit
def erfcx_k(x: float) -> float:
    """exp(x^2) erfc(x) (scipy.special.erfcx)."""
    if math.isnan(x):
        return x
    if x < 5.0:
        return math.exp(x * x) * math.erfc(x)
    if math.isinf(x):
        return 0.0
    # erfc(x) exp(x^2) sqrt(pi) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
    frac = x
    for k in range(60, 0, -1):
        frac = x + 0.5 * k / frac
    return 1.0 / (frac * _SQRT_PI)


@_jit
def _stirling(a: float) -> float:
    """lgamma(a) - ((a - 1/2) log a - a + log(2 pi) / 2), for a >= 10 (Stirling's series)."""
    inv2 = 1.0 / (a * a)
    series = 1 / 12 + inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 / 1188)))
    return series / a


@_jit
def _log1pmx(t: float) -> float:
    """log(1 + t) - t, accurate for small t too."""
    if abs(t) >= 0.5:
        return math.log1p(t) - t
    total = 0.0
    power = t * t
    for k in range(2, 80):
        term = power / k
        total += -term if k % 2 == 0 else term
        if abs(term) < _EPS * abs(total):
            break
        power *= t
    return total


@_jit
def _log_prefactor(a: float, x: float) -> float:
    """log(x^a e^-x / Gamma(a)); for large a without the cancellation of its terms."""
    if a < 10.0:
        return a * math.log(x) - x - math.lgamma(a)
    # a log x - x = a log a - a + a (log1p(t) - t), x = a (1 + t).
    return a * _log1pmx((x - a) / a) + 0.5 * math.log(a / (2 * math.pi)) - _stirling(a)


@_jit
def _gamma_p_series(a: float, x: float) -> float:
    term = 1.0 / a
    total = term
    n = a
    for _ in range(1000000):
        n += 1.0
        term *= x / n
        total += term
        if abs(term) < _EPS * abs(total):
            break
    return total * math.exp(_log_prefactor(a, x))


@_jit
def _gamma_q_fraction(a: float, x: float) -> float:
    # Q(a, x) = e^-x x^a / Gamma(a) / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...)),
    # evaluated forwards (modified Lentz).
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 1000000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h * math.exp(_log_prefactor(a, x))


@_jit
def gammainc_k(a: float, x: float) -> float:
    """The regularized lower incomplete gamma function P(a, x) (scipy.special.gammainc)."""
    if math.isnan(a) or math.isnan(x) or a < 0.0 or x < 0.0:
        return math.nan
    if a == 0.0:
        return 1.0 if x > 0.0 else math.nan
    if math.isinf(a):
        return math.nan if math.isinf(x) else 0.0
    if x == 0.0:
        return 0.0
    if math.isinf(x):
        return 1.0
    if x < a + 1.0:
        return _gamma_p_series(a, x)
    return 1.0 - _gamma_q_fraction(a, x)


@_jit
def gammaincc_k(a: float, x: float) -> float:
    """The regularized upper incomplete gamma function Q(a, x) (scipy.special.gammaincc)."""
    if math.isnan(a) or math.isnan(x) or a < 0.0 or x < 0.0:
        return math.nan
    if a == 0.0:
        return 0.0 if x > 0.0 else math.nan
    if math.isinf(a):
        return math.nan if math.isinf(x) else 1.0
    if x == 0.0:
        return 1.0
    if math.isinf(x):
        return 0.0
    if x < a + 1.0:
        return 1.0 - _gamma_p_series(a, x)
    return _gamma_q_fraction(a, x)


@_jit
def betaln_k(a: float, b: float) -> float:
    """log |B(a, b)| (scipy.special.betaln)."""
    if math.isnan(a) or math.isnan(b):
        return math.nan
    small, large = min(a, b), max(a, b)
    if small == 0.0:
        return math.inf
    if math.isinf(large):
        return -math.inf if 0.0 < small < math.inf else math.nan
    if large < 10.0 or small < 0.0:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    # lgamma(large) - lgamma(large + small) by Stirling's formula, without cancelling.
    total = large + small
    diff = -(large - 0.5) * math.log1p(small / large) - small * math.log(total) + small
    return math.lgamma(small) + diff + _stirling(large) - _stirling(total)


_KERNELS = {
    "digamma": digamma_k,
    "polygamma": polygamma_k,
    "erfinv": erfinv_k,
    "erfcinv": erfcinv_k,
    "erfcx": erfcx_k,
    "gammainc": gammainc_k,
    "gammaincc": gammaincc_k,
    "betaln": betaln_k,
}


@functools.cache
def _file_hash() -> str:
    with open(__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:10]


def kernel_name(name: str) -> str:
    """The name generated code calls kernel `name` by (it changes when this file does)."""
    return f"_sk{_file_hash()}_{name}"


_NAME = re.compile(r"\b_sk[0-9a-f]{10}_([a-z]+)\b")


def kernels_in(expr: str) -> dict[str, Any]:
    """The kernels an expression calls, by the names it uses (for the module's globals)."""
    return {m.group(0): _KERNELS[m.group(1)] for m in _NAME.finditer(expr)}


_OPS: dict[type, str] = {
    sp.Digamma: "digamma",
    sp.Polygamma: "polygamma",
    sp.Erfinv: "erfinv",
    sp.Erfcinv: "erfcinv",
    sp.Erfcx: "erfcx",
    sp.GammaInc: "gammainc",
    sp.GammaIncC: "gammaincc",
    sp.BetaLn: "betaln",
}


@scalar_impl.register(*_OPS)
def _special(op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Any:
    if np.dtype(outs[0]).kind != "f" or any(np.dtype(d).kind == "c" for d in ins):
        return f"{op.name} of {', '.join(ins)}"
    call = ", ".join(f"np.float64({a})" for a in args)
    expr = f"{kernel_name(_OPS[type(op)])}({call})"
    if isinstance(op, sp.Polygamma) and np.promote_types(ins[1], "float32") == "float32":
        # SciPy's polygamma(0, x) is psi(x), computed in float32 for such an x.
        psi = f"np.float32({kernel_name('digamma')}(np.float64({args[1]})))"
        expr = f"({psi} if {args[0]} == 0 else {expr})"
    return [f"{np_dtype(outs[0])}({expr})"]
