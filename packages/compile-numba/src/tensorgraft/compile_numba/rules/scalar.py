"""Scalar ops as Numba expressions over scalars (used inside Elemwise / Composite loops).

Each rule gives expressions in the op's *output* dtypes: the caller wraps them in a cast
(`np.float32(...)`), so NumPy's dtype rules hold even where Numba computes wider.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tensorgraft.compile_numba import vecmath
from tensorgraft.compile_numba.codegen import np_dtype
from tensorgraft.compile_numba.registry import scalar_impl
from tensorgraft.tensor.scalar_ops import arithmetic as ar
from tensorgraft.tensor.scalar_ops import basic as sb
from tensorgraft.tensor.scalar_ops import special as sp

# NumPy ufuncs Numba compiles on scalars (the ones our scalar ops use).
NUMBA_UFUNCS = frozenset(
    """add subtract multiply divide true_divide floor_divide power negative maximum minimum
    exp log log1p sin cos equal not_equal less less_equal greater greater_equal
    remainder absolute sign reciprocal square sqrt floor ceil trunc isnan isinf isfinite
    logical_and logical_or logical_xor logical_not bitwise_and bitwise_or bitwise_xor
    invert left_shift right_shift conjugate exp2 expm1 log2 log10 tan arcsin arccos
    arctan arctan2 sinh cosh tanh arcsinh arccosh arctanh logaddexp logaddexp2""".split()
)

Exprs = list[str] | str

# With glibc's vector math (vecmath.py), libm calls go through runtime's vm_* intrinsics,
# and these ufuncs through branch-free helpers built on them: their loops vectorize.
_LIBM = {"exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "power": "pow"}
_BRANCH_FREE = {"log1p": "log1p_v", "expm1": "expm1_v", "logaddexp": "logaddexp_v"}


def _vector(name: str, dtype: str) -> str | None:
    """The vectorizable function to call instead of np.<name> on `dtype`, if any."""
    if np.dtype(dtype).name not in ("float32", "float64"):
        return None
    if name in _LIBM:
        libm = _LIBM[name] + ("f" if np.dtype(dtype).name == "float32" else "")
        return f"vm_{_LIBM[name]}" if vecmath.available(libm) else None
    return _BRANCH_FREE.get(name) if _branch_free() else None


def _branch_free() -> bool:
    return vecmath.available("exp") and vecmath.available("log")


def _kind(dtype: str) -> str:
    return np.dtype(dtype).kind


@scalar_impl.register(sb.UfuncOp)
def _ufunc(op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    fn = op.ufunc
    name = getattr(fn, "__name__", "")
    if not isinstance(fn, np.ufunc) or name not in NUMBA_UFUNCS:
        return f"{op.name} is computed by {name or fn!r}, which Numba does not compile"
    if name in ("bitwise_and", "bitwise_or", "bitwise_xor", "invert") and _kind(ins[0]) == "b":
        return [_bool_bits(name, args)]
    if _kind(outs[0]) in "fc":
        # NumPy computes in the output dtype (int8 / int8 in float64); Numba's loop
        # search would pick another (float32): convert the inputs first.
        cast = np_dtype(outs[0])
        args = [
            a if d == outs[0] or (_kind(d) == "c" and _kind(outs[0]) == "f") else f"{cast}({a})"
            for a, d in zip(args, ins, strict=True)
        ]
    if op.nin == -1:
        # Fold left to right, casting each partial result as NumPy would type it.
        acc = args[0]
        for a in args[1:]:
            acc = f"np.{name}({acc}, {a})"
        return [acc]
    helper = _vector(name, outs[0])
    return [f"{helper or 'np.' + name}({', '.join(args)})"]


def _bool_bits(name: str, args: Sequence[str]) -> str:
    # Numba has no bitwise ufunc loops on bools; these are the logical ones.
    logical = {"bitwise_and": "and", "bitwise_or": "or", "bitwise_xor": "!="}
    if name == "invert":
        return f"(not {args[0]})"
    return f"(bool({args[0]}) {logical[name]} bool({args[1]}))"


@scalar_impl.register(sb.Switch)
def _switch(op: sb.Switch, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    c, a, b = args
    cast = np_dtype(outs[0])
    return [f"({cast}({a}) if {c} else {cast}({b}))"]


@scalar_impl.register(sb.Cast)
def _cast(op: sb.Cast, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    src, dst = _kind(ins[0]), _kind(op.dtype)
    if src == "c" and dst != "c":
        return f"casting complex {ins[0]} to {op.dtype} (NumPy drops the imaginary part)"
    if dst == "b":
        return [f"({args[0]} != 0)"]
    return [args[0]]  # the caller casts to the output dtype


@scalar_impl.register(ar.Clip)
def _clip(op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    if _kind(outs[0]) == "c":
        return "clip of complex numbers"
    x, lo, hi = args
    return [f"np.minimum(np.maximum({x}, {lo}), {hi})"]


@scalar_impl.register(ar.Round)
def _round(op: ar.Round, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    kind, d, x = _kind(ins[0]), op.decimals, args[0]
    if kind == "f":
        if d == 0:
            return [f"np.rint({x})"]
        # NumPy: rint(x * 10^d) / 10^d (or rint(x / 10^-d) * 10^-d), in x's dtype.
        f = f"{np_dtype(ins[0])}({float(10 ** abs(d))!r})"
        return [f"np.rint({x} * {f}) / {f}" if d > 0 else f"np.rint({x} / {f}) * {f}"]
    if kind in "iu" and outs[0] == ins[0]:
        if d >= 0:
            return [x]
        # Through float64 as NumPy, then back to the integer dtype (wrapping).
        f = repr(float(10**-d))
        return [f"np.int64(np.rint(np.float64({x}) / {f}) * {f})"]
    return f"round of {ins[0]}"


@scalar_impl.register(ar.Real, ar.Imag, ar.Angle)
def _parts(op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    x = args[0]
    complex_in = _kind(ins[0]) == "c"
    if isinstance(op, ar.Real):
        return [f"{x}.real" if complex_in else x]
    if isinstance(op, ar.Imag):
        return [f"{x}.imag" if complex_in else "0"]
    # angle: the argument of a complex number; 0 or pi for reals (NumPy's arctan2(0, x)).
    if complex_in:
        return [f"math.atan2({x}.imag, {x}.real)"]
    return [f"math.atan2(0.0, float({x}))"]


# Special functions: Numba has math.erf/erfc/gamma/lgamma for floats.
_MATH = {
    sp.Erf: "math.erf",
    sp.Erfc: "math.erfc",
    sp.Gamma: "math.gamma",
    sp.GammaLn: "math.lgamma",
}


@scalar_impl.register(*_MATH)
def _math(op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    if _kind(outs[0]) != "f":
        return f"{op.name} of {ins[0]}"
    return [f"{_MATH[type(op)]}(float({args[0]}))"]


@scalar_impl.register(sp.Sigmoid)
def _sigmoid(op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    if _kind(outs[0]) != "f":
        return f"sigmoid of {ins[0]}"
    helper = "sigmoid_v" if _branch_free() else "sigmoid_f"
    return [f"{helper}({np_dtype(outs[0])}({args[0]}))"]


@scalar_impl.register(sp.Softplus)
def _softplus(
    op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]
) -> Exprs:
    if _kind(outs[0]) != "f":
        return f"softplus of {ins[0]}"
    if _branch_free():
        return [f"softplus_v({args[0]})"]
    return [f"np.logaddexp({np_dtype(outs[0])}(0), {np_dtype(outs[0])}({args[0]}))"]


@scalar_impl.register(sp.Log1mexp)
def _log1mexp(
    op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]
) -> Exprs:
    if _kind(outs[0]) != "f":
        return f"log1mexp of {ins[0]}"
    helper = "log1mexp_v" if _branch_free() else "log1mexp_f"
    return [f"{helper}({np_dtype(outs[0])}({args[0]}))"]


@scalar_impl.register(sp.Logit)
def _logit(op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    if _kind(outs[0]) != "f":
        return f"logit of {ins[0]}"
    x = f"{np_dtype(outs[0])}({args[0]})"
    return [f"np.log({x} / (1 - {x}))"]


@scalar_impl.register(sp.XLogY, sp.XLog1pY)
def _xlogy(op: sb.UfuncOp, args: Sequence[str], ins: Sequence[str], outs: Sequence[str]) -> Exprs:
    if _kind(outs[0]) != "f":
        return f"{op.name} of {ins[0]}, {ins[1]}"
    cast = np_dtype(outs[0])
    x, y = f"{cast}({args[0]})", f"{cast}({args[1]})"
    log = "np.log"
    if isinstance(op, sp.XLog1pY):
        log = "log1p_v" if _branch_free() else "np.log1p"
    # x * log(y), 0 where x == 0 (even where log(y) is -inf), NaN where y is NaN.
    return [f"({cast}(0) if {x} == 0 and not np.isnan({y}) else {x} * {log}({y}))"]


# SciPy's special functions without a Numba counterpart: kernels in `special`.
