"""Scalar ops as C expressions, in a table keyed by scalar op type.

A rule receives the C expressions of the operands, already converted to the dtypes the
NumPy ufunc computes in (its loop dtypes, `ufunc.resolve_dtypes`), and those dtypes; it
returns a C expression, or None where it does not handle those dtypes (the node then
falls back to Python). Semantics follow NumPy: NaN-propagating maximum, floor division
and remainder with the sign of the divisor, integer division by zero gives 0, shifts by
the bit width or more give 0 (or -1). Special functions follow SciPy (C99 erf, erfc,
tgamma, lgamma; float32 computed in float64 where SciPy's float32 loop does); those with
no C99 counterpart stay Python callbacks, with the reason in `CALLBACK_REASONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tensorgraft.tensor import scalar_ops as ts

C_TYPES = {
    "bool": "npy_bool",
    "int8": "npy_int8",
    "int16": "npy_int16",
    "int32": "npy_int32",
    "int64": "npy_int64",
    "uint8": "npy_uint8",
    "uint16": "npy_uint16",
    "uint32": "npy_uint32",
    "uint64": "npy_uint64",
    "float32": "npy_float32",
    "float64": "npy_float64",
}

Rule = Callable[[list[str], list[str]], str | None]
RULES: dict[type, Rule] = {}


def _kind(dtype: str) -> str:
    return np.dtype(dtype).kind


def _all(dtypes: list[str], kinds: str) -> bool:
    return all(_kind(d) in kinds for d in dtypes)


def convert(expr: str, src: str, dst: str) -> str:
    """`expr` of dtype `src` as a value of dtype `dst` (NumPy's unsafe cast)."""
    if src == dst:
        return expr
    if dst == "bool":
        return f"(npy_bool)(({expr}) != 0)"
    return f"(({C_TYPES[dst]})({expr}))"


def rule(*ops: type, kinds: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register `fn(args, dtypes)` for scalar op types `ops`, for loop dtypes of `kinds`."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        def checked(args: list[str], dtypes: list[str]) -> str | None:
            return fn(args, dtypes) if _all(dtypes, kinds) else None

        for op in ops:
            RULES[op] = checked
        return fn

    return register


def _math(cname: str) -> Callable[[list[str], list[str]], str]:
    """A libm function: `sin` for float64, `sinf` for float32."""

    def fn(args: list[str], dtypes: list[str]) -> str:
        suffix = "f" if dtypes[0] == "float32" else ""
        return f"{cname}{suffix}({', '.join(args)})"

    return fn


_LIBM = {
    type(ts.exp): "exp",
    type(ts.log): "log",
    type(ts.log1p): "log1p",
    type(ts.sin): "sin",
    type(ts.cos): "cos",
    ts.Exp2: "exp2",
    ts.Expm1: "expm1",
    ts.Log2: "log2",
    ts.Log10: "log10",
    ts.Tan: "tan",
    ts.ArcSin: "asin",
    ts.ArcCos: "acos",
    ts.ArcTan: "atan",
    ts.ArcTan2: "atan2",
    ts.Sinh: "sinh",
    ts.Cosh: "cosh",
    ts.Tanh: "tanh",
    ts.ArcSinh: "asinh",
    ts.ArcCosh: "acosh",
    ts.ArcTanh: "atanh",
    ts.Sqrt: "sqrt",
    ts.Floor: "floor",
    ts.Ceil: "ceil",
    ts.Trunc: "trunc",
    type(ts.pow): "pow",
}
for _op, _name in _LIBM.items():
    rule(_op, kinds="f")(_math(_name))


def _binary(symbol: str) -> Callable[[list[str], list[str]], str]:
    return lambda a, d: f"({a[0]} {symbol} {a[1]})"


rule(type(ts.sub), kinds="fiu")(_binary("-"))
rule(type(ts.true_div), kinds="f")(_binary("/"))
for _op, _sym in [
    (type(ts.eq), "=="),
    (type(ts.neq), "!="),
    (type(ts.lt), "<"),
    (type(ts.le), "<="),
    (type(ts.gt), ">"),
]:
    rule(_op, kinds="fiub")(_binary(_sym))
rule(type(ts.ge), kinds="fiub")(_binary(">="))
rule(ts.BitwiseAnd, kinds="iub")(_binary("&"))
rule(ts.BitwiseOr, kinds="iub")(_binary("|"))
rule(ts.BitwiseXor, kinds="iub")(_binary("^"))


@rule(type(ts.add), kinds="fiub")
def _add(a: list[str], d: list[str]) -> str:
    return f"({a[0]} || {a[1]})" if d[0] == "bool" else f"({a[0]} + {a[1]})"


@rule(type(ts.mul), kinds="fiub")
def _mul(a: list[str], d: list[str]) -> str:
    return f"({a[0]} && {a[1]})" if d[0] == "bool" else f"({a[0]} * {a[1]})"


@rule(type(ts.neg), kinds="fiu")
def _neg(a: list[str], d: list[str]) -> str:
    return f"(-{a[0]})"


@rule(type(ts.maximum), kinds="fiub")
def _maximum(a: list[str], d: list[str]) -> str:
    # NaN wins, as in numpy.maximum.
    return f"tg_max_{d[0]}({a[0]}, {a[1]})"


@rule(type(ts.minimum), kinds="fiub")
def _minimum(a: list[str], d: list[str]) -> str:
    return f"tg_min_{d[0]}({a[0]}, {a[1]})"


@rule(type(ts.floor_div), kinds="fiu")
def _floor_div(a: list[str], d: list[str]) -> str:
    return f"tg_floordiv_{d[0]}({a[0]}, {a[1]})"


@rule(ts.Mod, kinds="fiu")
def _mod(a: list[str], d: list[str]) -> str:
    return f"tg_mod_{d[0]}({a[0]}, {a[1]})"


@rule(ts.Abs, kinds="fiub")
def _abs(a: list[str], d: list[str]) -> str:
    k = _kind(d[0])
    if k == "f":
        return f"fabs{'f' if d[0] == 'float32' else ''}({a[0]})"
    return f"({a[0]} < 0 ? -{a[0]} : {a[0]})" if k == "i" else a[0]


@rule(ts.Sign, kinds="fiu")
def _sign(a: list[str], d: list[str]) -> str:
    x = a[0]
    if _kind(d[0]) == "f":
        return f"({x} > 0 ? 1 : ({x} < 0 ? -1 : ({x} == 0 ? 0 : {x})))"
    return f"(({x} > 0) - ({x} < 0))"


@rule(ts.Reciprocal, kinds="f")
def _reciprocal(a: list[str], d: list[str]) -> str:
    return f"(1 / {a[0]})"


@rule(ts.Sqr, kinds="fiu")
def _sqr(a: list[str], d: list[str]) -> str:
    return f"({a[0]} * {a[0]})"


@rule(ts.IsNan, kinds="fiub")
def _isnan(a: list[str], d: list[str]) -> str:
    return f"isnan({a[0]})" if _kind(d[0]) == "f" else "0"


@rule(ts.IsInf, kinds="fiub")
def _isinf(a: list[str], d: list[str]) -> str:
    return f"isinf({a[0]})" if _kind(d[0]) == "f" else "0"


@rule(ts.IsFinite, kinds="fiub")
def _isfinite(a: list[str], d: list[str]) -> str:
    return f"isfinite({a[0]})" if _kind(d[0]) == "f" else "1"


@rule(ts.LogicalAnd, kinds="fiub")
def _logical_and(a: list[str], d: list[str]) -> str:
    return f"(({a[0]} != 0) && ({a[1]} != 0))"


@rule(ts.LogicalOr, kinds="fiub")
def _logical_or(a: list[str], d: list[str]) -> str:
    return f"(({a[0]} != 0) || ({a[1]} != 0))"


@rule(ts.LogicalXor, kinds="fiub")
def _logical_xor(a: list[str], d: list[str]) -> str:
    return f"(({a[0]} != 0) != ({a[1]} != 0))"


@rule(ts.LogicalNot, kinds="fiub")
def _logical_not(a: list[str], d: list[str]) -> str:
    return f"({a[0]} == 0)"


@rule(ts.Invert, kinds="iub")
def _invert(a: list[str], d: list[str]) -> str:
    return f"(!{a[0]})" if d[0] == "bool" else f"(~{a[0]})"


@rule(ts.LeftShift, kinds="iu")
def _left_shift(a: list[str], d: list[str]) -> str:
    bits = 8 * np.dtype(d[0]).itemsize
    # NumPy: a shift by the width or more (or a negative one) gives 0.
    return f"((npy_uint64)({a[1]}) < {bits} ? (npy_uint64)({a[0]}) << ({a[1]}) : 0)"


@rule(ts.RightShift, kinds="iu")
def _right_shift(a: list[str], d: list[str]) -> str:
    bits = 8 * np.dtype(d[0]).itemsize
    return f"((npy_uint64)({a[1]}) < {bits} ? ({a[0]}) >> ({a[1]}) : ({a[0]} < 0 ? -1 : 0))"


@rule(ts.LogAddExp, kinds="f")
def _logaddexp(a: list[str], d: list[str]) -> str:
    return f"tg_logaddexp_{d[0]}({a[0]}, {a[1]})"


@rule(ts.Softplus, kinds="f")
def _softplus(a: list[str], d: list[str]) -> str:
    # NumPy's definition, logaddexp(0, x): stable for every x.
    return f"tg_logaddexp_{d[0]}(0, {a[0]})"


@rule(ts.Sigmoid, kinds="f")
def _sigmoid(a: list[str], d: list[str]) -> str:
    return f"tg_sigmoid_{d[0]}({a[0]})"


def _round(op: Any) -> Rule:
    def fn(a: list[str], d: list[str]) -> str | None:
        if op.decimals != 0:
            return None
        k = _kind(d[0])
        if k == "f":
            return f"nearbyint{'f' if d[0] == 'float32' else ''}({a[0]})"  # half to even
        return a[0] if k in "iu" else None

    return fn


@rule(ts.LogAddExp2, kinds="f")
def _logaddexp2(a: list[str], d: list[str]) -> str:
    return f"tg_logaddexp2_{d[0]}({a[0]}, {a[1]})"


def _in_double(fn: str, a: list[str], d: list[str]) -> str:
    # SciPy's float32 loops of these functions compute in float64 and round the result.
    if d[0] == "float32":
        return f"((npy_float32){fn}((npy_float64)({a[0]})))"
    return f"{fn}({a[0]})"


@rule(ts.Erf, kinds="f")
def _erf(a: list[str], d: list[str]) -> str:
    return _in_double("erf", a, d)


@rule(ts.Erfc, kinds="f")
def _erfc(a: list[str], d: list[str]) -> str:
    return _in_double("tg_erfc", a, d)


@rule(ts.Gamma, kinds="f")
def _gamma(a: list[str], d: list[str]) -> str:
    # C99 tgamma has SciPy's values: NaN at the poles below 0, +-inf at +-0.
    return _in_double("tgamma", a, d)


@rule(ts.GammaLn, kinds="f")
def _gammaln(a: list[str], d: list[str]) -> str:
    return _in_double("tg_gammaln", a, d)


@rule(ts.Logit, kinds="f")
def _logit(a: list[str], d: list[str]) -> str:
    return f"tg_logit_{d[0]}({a[0]})"


@rule(ts.Log1mexp, kinds="f")
def _log1mexp(a: list[str], d: list[str]) -> str:
    return f"tg_log1mexp_{d[0]}({a[0]})"


@rule(ts.XLogY, kinds="f")
def _xlogy(a: list[str], d: list[str]) -> str:
    return f"tg_xlogy_{d[0]}({a[0]}, {a[1]})"


@rule(ts.XLog1pY, kinds="f")
def _xlog1py(a: list[str], d: list[str]) -> str:
    return f"tg_xlog1py_{d[0]}({a[0]}, {a[1]})"


@rule(ts.Clip, kinds="fiub")
def _clip(a: list[str], d: list[str]) -> str:
    return f"tg_clip_{d[0]}({a[0]}, {a[1]}, {a[2]})"


@rule(ts.Angle, kinds="f")
def _angle(a: list[str], d: list[str]) -> str:
    # numpy.angle of a real number: arctan2(0, x), 0 or pi (NaN stays NaN).
    return f"atan2{'f' if d[0] == 'float32' else ''}(0, {a[0]})"


# Scalar ops whose `ufunc` is a Python function (not a NumPy ufunc) of floats: their
# operands are converted to the output dtype (SciPy's real loops are float32, float64).
FLOAT_FUNCTIONS: tuple[type, ...] = (
    ts.Softplus,
    ts.Sigmoid,
    ts.Erf,
    ts.Erfc,
    ts.Gamma,
    ts.GammaLn,
    ts.Logit,
    ts.Log1mexp,
    ts.XLogY,
    ts.XLog1pY,
    ts.Angle,
)
# Scalar ops computed by a NumPy function that is not a ufunc, whose loop has the
# output dtype for every operand (numpy.clip calls the `clip` ufunc's homogeneous loops).
OUTPUT_DTYPE_FUNCTIONS: tuple[type, ...] = (ts.Clip,)

# Scalar ops left to their Python `perform` on purpose, and why.
_SCIPY_ONLY = "SciPy special function with no C99 counterpart"
CALLBACK_REASONS: dict[type, str] = {
    ts.Digamma: _SCIPY_ONLY,
    ts.Polygamma: _SCIPY_ONLY,
    ts.Erfinv: _SCIPY_ONLY,
    ts.Erfcinv: _SCIPY_ONLY,
    ts.Erfcx: _SCIPY_ONLY,
    ts.GammaInc: _SCIPY_ONLY,
    ts.GammaIncC: _SCIPY_ONLY,
    ts.BetaLn: _SCIPY_ONLY + " (log|B| needs care where lgamma terms cancel)",
}

# Rules that depend on the op's parameters: op instance -> rule.
PARAM_RULES: dict[type, Callable[[Any], Rule]] = {ts.Round: _round}


def loop_dtypes(op: ts.ScalarOp, dtypes: list[str], out: list[str]) -> list[str] | None:
    """The dtypes the op computes in for inputs of `dtypes` (NumPy's loop), or None."""
    if isinstance(op, ts.UfuncOp):
        ufunc = op.ufunc
        if not isinstance(ufunc, np.ufunc):
            if type(op) in OUTPUT_DTYPE_FUNCTIONS:
                (result,) = op.output_dtypes(*dtypes)
                return [result] * len(dtypes)
            if type(op) not in FLOAT_FUNCTIONS:
                return None
            # A Python function of floats: it computes in its output dtype.
            (result,) = op.output_dtypes(*dtypes)
            return [result] * len(dtypes) if result in ("float32", "float64") else None
        try:
            resolved = ufunc.resolve_dtypes((*[np.dtype(d) for d in dtypes], None))
        except (TypeError, ValueError):
            return None
        return [r.name for r in resolved[: len(dtypes)]]
    if isinstance(op, ts.Round):
        return list(dtypes)
    return None


def scalar_expr(op: ts.ScalarOp, args: list[str], dtypes: list[str], out: str) -> str | None:
    """A C expression of dtype `out` for `op` applied to `args` (of `dtypes`), or None."""
    if any(d not in C_TYPES for d in [*dtypes, out]):
        return None
    if isinstance(op, ts.Cast):
        return convert(args[0], dtypes[0], out)
    if isinstance(op, type(ts.switch)):
        a, b = convert(args[1], dtypes[1], out), convert(args[2], dtypes[2], out)
        return f"(({args[0]}) != 0 ? {a} : {b})"
    if isinstance(op, ts.Real | ts.Conj) and _all(dtypes, "fiub"):
        return convert(args[0], dtypes[0], out)
    if isinstance(op, ts.Imag) and _all(dtypes, "fiub"):
        return convert("0", "int64", out)
    if op.nin == -1 and len(args) > 2:
        # Variadic add / mul: fold left to right, as the reference does.
        acc, acc_dtype = args[0], dtypes[0]
        for arg, dtype in zip(args[1:], dtypes[1:], strict=True):
            (step_out,) = op.output_dtypes(acc_dtype, dtype)
            acc = scalar_expr(op, [acc, arg], [acc_dtype, dtype], step_out)  # type: ignore[assignment]
            if acc is None:
                return None
            acc_dtype = step_out
        return convert(acc, acc_dtype, out)
    if op.nin == -1 and len(args) == 1:
        return convert(args[0], dtypes[0], out)
    found = PARAM_RULES.get(type(op))
    fn = found(op) if found is not None else RULES.get(type(op))
    loop = loop_dtypes(op, dtypes, [out])
    if fn is None or loop is None or any(d not in C_TYPES for d in loop):
        return None
    expr = fn([convert(a, d, ld) for a, d, ld in zip(args, dtypes, loop, strict=True)], loop)
    if expr is None:
        return None
    # A rule's result has the loop's output dtype; comparisons give C ints (0/1).
    return f"(({C_TYPES[out]})({expr}))" if out != "bool" else f"(npy_bool)(({expr}) != 0)"


def _minmax(dtype: str) -> str:
    t = C_TYPES[dtype]
    nan = "|| a != a" if _kind(dtype) == "f" else ""
    return (
        f"static inline {t} tg_max_{dtype}({t} a, {t} b) {{ return (a >= b {nan}) ? a : b; }}\n"
        f"static inline {t} tg_min_{dtype}({t} a, {t} b) {{ return (a <= b {nan}) ? a : b; }}\n"
    )


def _clip_helper(dtype: str) -> str:
    t = C_TYPES[dtype]
    # numpy.clip: max with the lower bound, then min with the upper one; NaN propagates.
    nan_x = "x != x || " if _kind(dtype) == "f" else ""
    nan_a = "a != a || " if _kind(dtype) == "f" else ""
    return (
        f"static inline {t} tg_clip_{dtype}({t} x, {t} lo, {t} hi) {{\n"
        f"    {t} a = ({nan_x}x > lo) ? x : lo;\n"
        f"    return ({nan_a}a < hi) ? a : hi;\n"
        "}\n"
    )


def _float_divmod(dtype: str) -> str:
    t = C_TYPES[dtype]
    f = "f" if dtype == "float32" else ""
    # NumPy's npy_divmod: floor division consistent with the remainder.
    return f"""
static inline {t} tg_mod_{dtype}({t} a, {t} b) {{
    {t} m = fmod{f}(a, b);
    if (!b) return m;
    if (m) {{ if ((b < 0) != (m < 0)) m += b; }}
    else m = copysign{f}(0, b);
    return m;
}}
static inline {t} tg_floordiv_{dtype}({t} a, {t} b) {{
    {t} m, d, q;
    if (!b) return a / b;
    m = fmod{f}(a, b);
    d = (a - m) / b;
    if (m && ((b < 0) != (m < 0))) d -= 1;
    if (d) {{ q = floor{f}(d); if (d - q > 0.5) q += 1; }}
    else q = copysign{f}(0, a / b);
    return q;
}}
static inline {t} tg_logaddexp_{dtype}({t} x, {t} y) {{
    /* Every call unconditional (the branches select): SIMD loops can vectorize it. */
    const {t} d = x - y, l = log1p{f}(exp{f}(-fabs{f}(d)));
    if (x == y) return x + ({t})0.693147180559945309417232121458176568;
    return d > 0 ? x + l : (d <= 0 ? y + l : d);
}}
static inline {t} tg_logaddexp2_{dtype}({t} x, {t} y) {{
    /* log2(2^x + 2^y) = max + log2(1 + 2^-|x - y|): no overflow. */
    const {t} d = x - y;
    const {t} l = ({t})1.442695040888963407359924681001892137 * log1p{f}(exp2{f}(-fabs{f}(d)));
    if (x == y) return x + 1;
    return d > 0 ? x + l : (d <= 0 ? y + l : d);
}}
static inline {t} tg_logit_{dtype}({t} x) {{
    /* log(x / (1 - x)) loses digits near 1/2, where log1p(s) - log1p(-s), s = 2x - 1, does not. */
    const {t} s = 2 * x - 1;
    const {t} far = log{f}(x / (1 - x)), near = log1p{f}(s) - log1p{f}(-s);
    return (x < ({t})0.3 || x > ({t})0.65 || x != x) ? far : near;
}}
static inline {t} tg_log1mexp_{dtype}({t} x) {{
    /* log(1 - e^x) (Maechler 2012): log(-expm1(x)) above -ln 2, log1p(-exp(x)) below. */
    const {t} above = log{f}(-expm1{f}(x)), below = log1p{f}(-exp{f}(x));
    return x > ({t})-0.693147180559945309417232121458176568 ? above : below;
}}
static inline {t} tg_xlogy_{dtype}({t} x, {t} y) {{
    const {t} l = log{f}(y);
    return (x == 0 && y == y) ? 0 : x * l;  /* SciPy: 0 * log(y) is 0 unless y is NaN */
}}
static inline {t} tg_xlog1py_{dtype}({t} x, {t} y) {{
    const {t} l = log1p{f}(y);
    return (x == 0 && y == y) ? 0 : x * l;
}}
static inline {t} tg_sigmoid_{dtype}({t} x) {{
    /* exp of a non-positive number only: no overflow, and e^x (not 0) far left. */
    const {t} e = exp{f}(-fabs{f}(x));
    return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}}
"""


def _int_divmod(dtype: str) -> str:
    t = C_TYPES[dtype]
    if _kind(dtype) == "u":
        return (
            f"static inline {t} tg_floordiv_{dtype}({t} a, {t} b) {{ return b ? a / b : 0; }}\n"
            f"static inline {t} tg_mod_{dtype}({t} a, {t} b) {{ return b ? a % b : 0; }}\n"
        )
    # Division by zero gives 0 and MIN / -1 wraps, as in NumPy (C would trap).
    return f"""
static inline {t} tg_floordiv_{dtype}({t} a, {t} b) {{
    {t} q;
    if (b == 0) return 0;
    if (b == -1) return ({t})(0 - (npy_uint64)a);
    q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
    return q;
}}
static inline {t} tg_mod_{dtype}({t} a, {t} b) {{
    {t} r;
    if (b == 0 || b == -1) return 0;
    r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}}
"""


_DOUBLE_HELPERS = """
static inline npy_float64 tg_erfc(npy_float64 x) {
    /* SciPy gives 0 (not a subnormal) where exp(-x^2) underflows: x^2 > log(DBL_MAX). */
    const npy_float64 e = erfc(x);
    return x > 26.641747557046326 ? 0 : e;
}
static inline npy_float64 tg_gammaln(npy_float64 x) {
    /* log|gamma(x)|; SciPy gives -inf at -inf. lgamma_r leaves the global signgam alone. */
    if (x == -INFINITY) return x;
#if defined(__GLIBC__) && defined(__USE_MISC)
    { int sign; return lgamma_r(x, &sign); }
#else
    return lgamma(x);
#endif
}
"""


# libm functions with SIMD variants in glibc's vector math library libmvec (<= 4 ulp;
# NaN, Inf and signed zeros as libm): since glibc 2.22, then since 2.35.
_MVEC_OLD = ("sin", "cos", "exp", "log")
_MVEC_NEW = (
    *("tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh"),
    *("exp2", "expm1", "log2", "log10", "log1p", "erf", "erfc"),
)
VECTOR_MATH = frozenset([*_MVEC_OLD, *_MVEC_NEW, "pow", "atan2"])


def _simd_declarations() -> str:
    def declare(names: tuple[str, ...], arity: int) -> str:
        lines = []
        for name in names:
            for t, suffix in (("double", ""), ("float", "f")):
                args = ", ".join([t] * arity)
                lines.append(f"TG_VECTOR_MATH {t} {name}{suffix}({args});")
        return "\n".join(lines)

    # GCC (x86-64, glibc) calls libmvec from `#pragma omp simd` loops when the function is
    # declared `simd`; glibc's math.h declares them only under -ffast-math, which we avoid
    # (it breaks isnan). `TG_CLONES` compiles a loop for AVX-512, AVX2 and the baseline,
    # and the loader picks the one the CPU runs (ifunc).
    return f"""
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 6 && defined(__x86_64__) \\
    && defined(__GLIBC__)
#if __GLIBC_PREREQ(2, 22)
#define TG_VECTOR_MATH __attribute__((__simd__("notinbranch")))
#define TG_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
{declare(_MVEC_OLD, 1)}
{declare(("pow",), 2)}
#if __GLIBC_PREREQ(2, 35)
{declare(_MVEC_NEW, 1)}
{declare(("atan2",), 2)}
#endif
#endif
#endif
#ifndef TG_CLONES
#define TG_CLONES
#endif
"""


def uses_vector_math(lines: list[str]) -> bool:
    """Whether C statements `lines` call a function libmvec has SIMD variants of (or a
    helper that does): their loops are worth compiling for wider vector units."""
    text = "\n".join(lines)
    return any(f"{name}(" in text or f"{name}f(" in text for name in VECTOR_MATH) or any(
        f"tg_{name}" in text
        for name in ("erfc", "logaddexp", "logit", "log1mexp", "xlog", "sigmoid")
    )


def helpers() -> str:
    """C definitions the expressions use (min/max, floor division, remainder, ...)."""
    parts = (
        [_simd_declarations(), _DOUBLE_HELPERS]
        + [_minmax(d) for d in C_TYPES]
        + [_clip_helper(d) for d in C_TYPES]
    )
    parts += [_float_divmod(d) for d in ("float32", "float64")]
    parts += [_int_divmod(d) for d in C_TYPES if _kind(d) in "iu"]
    return "".join(parts)
