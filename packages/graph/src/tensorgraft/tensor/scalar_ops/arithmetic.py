"""Scalar arithmetic beyond the basics: remainder, abs, roots, rounding, logic, bits, complex parts.

Each op computes with the NumPy ufunc (or ufunc-like function) it names, with its dtype
rules: `abs` of complex is real, `invert` is for integers and bool only, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.tensor.scalar_ops.basic import ScalarOp, UfuncOp, make_ufunc_op, ufunc_out_dtypes


def _op(cls_name: str, name: str, ufunc: Any, nin: int, **kwargs: Any) -> type[UfuncOp]:
    return make_ufunc_op(cls_name, name, ufunc, nin, module=__name__, **kwargs)


def _real(x: Any) -> Any:
    # A copy: numpy.real of a real array is that array, and Elemwise outputs are new memory.
    return np.array(np.real(x))


def _imag(x: Any) -> Any:
    # A copy: numpy.imag of a real array is a read-only array of zeros.
    return np.array(np.imag(x))


# Arithmetic.
Mod = _op("Mod", "mod", np.remainder, 2, infix="%")
Abs = _op("Abs", "abs", np.absolute, 1)
Sign = _op("Sign", "sign", np.sign, 1)
Reciprocal = _op("Reciprocal", "reciprocal", np.reciprocal, 1)
Sqr = _op("Sqr", "sqr", np.square, 1)
Sqrt = _op("Sqrt", "sqrt", np.sqrt, 1)
Clip = _op("Clip", "clip", np.clip, 3, doc="Scalar `clip(x, lo, hi)` = min(max(x, lo), hi).")
# Rounding to integral values (the dtype is kept; numpy.round is `Round`).
Floor = _op("Floor", "floor", np.floor, 1)
Ceil = _op("Ceil", "ceil", np.ceil, 1)
Trunc = _op("Trunc", "trunc", np.trunc, 1)
# Classification (output bool).
IsNan = _op("IsNan", "isnan", np.isnan, 1)
IsInf = _op("IsInf", "isinf", np.isinf, 1)
IsFinite = _op("IsFinite", "isfinite", np.isfinite, 1)
# Logic on truth values (output bool).
LogicalAnd = _op("LogicalAnd", "logical_and", np.logical_and, 2, commutative=True)
LogicalOr = _op("LogicalOr", "logical_or", np.logical_or, 2, commutative=True)
LogicalXor = _op("LogicalXor", "logical_xor", np.logical_xor, 2, commutative=True)
LogicalNot = _op("LogicalNot", "logical_not", np.logical_not, 1)
# Bits of integers and bools.
BitwiseAnd = _op("BitwiseAnd", "bitwise_and", np.bitwise_and, 2, infix="&", commutative=True)
BitwiseOr = _op("BitwiseOr", "bitwise_or", np.bitwise_or, 2, infix="|", commutative=True)
BitwiseXor = _op("BitwiseXor", "bitwise_xor", np.bitwise_xor, 2, infix="^", commutative=True)
Invert = _op("Invert", "invert", np.invert, 1)
LeftShift = _op("LeftShift", "left_shift", np.left_shift, 2, infix="<<")
RightShift = _op("RightShift", "right_shift", np.right_shift, 2, infix=">>")
# Parts of complex numbers (of a real number: itself, 0, itself, 0 or pi).
Real = _op("Real", "real", _real, 1, doc="Scalar `real`: the real part (numpy.real).")
Imag = _op("Imag", "imag", _imag, 1, doc="Scalar `imag`: the imaginary part (numpy.imag).")
Conj = _op("Conj", "conj", np.conjugate, 1)
Angle = _op("Angle", "angle", np.angle, 1, doc="Scalar `angle`: the argument (numpy.angle).")


@dataclass(frozen=True)
class Round(ScalarOp):
    """Round to `decimals` decimal places, half to even (numpy.round); keeps the dtype.

    Negative `decimals` round to tens, hundreds, ... (integers too).
    """

    decimals: int = 0
    nin = 1

    @property
    def name(self) -> str:  # type: ignore[override]
        return "round" if self.decimals == 0 else f"round{{decimals={self.decimals}}}"

    def output_dtypes(self, *dtypes: str) -> tuple[str, ...]:
        self.check_nin(len(dtypes))
        try:
            return ufunc_out_dtypes(np.round, tuple(dtypes))
        except TypeError:
            raise TypeError(f"round is not defined for {dtypes[0]}") from None

    def impl(self, *inputs: Any) -> Any:
        return np.round(inputs[0], self.decimals)


mod, abs, sign, reciprocal = Mod(), Abs(), Sign(), Reciprocal()
sqr, sqrt, clip, round = Sqr(), Sqrt(), Clip(), Round()
floor, ceil, trunc = Floor(), Ceil(), Trunc()
isnan, isinf, isfinite = IsNan(), IsInf(), IsFinite()
logical_and, logical_or, logical_xor, logical_not = (
    LogicalAnd(),
    LogicalOr(),
    LogicalXor(),
    LogicalNot(),
)
bitwise_and, bitwise_or, bitwise_xor = BitwiseAnd(), BitwiseOr(), BitwiseXor()
invert, left_shift, right_shift = Invert(), LeftShift(), RightShift()
real, imag, conj, angle = Real(), Imag(), Conj(), Angle()
bitwise_not = invert

SCALAR_OPS: tuple[ScalarOp, ...] = (
    mod,
    abs,
    sign,
    reciprocal,
    sqr,
    sqrt,
    clip,
    round,
    floor,
    ceil,
    trunc,
    isnan,
    isinf,
    isfinite,
    logical_and,
    logical_or,
    logical_xor,
    logical_not,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    invert,
    left_shift,
    right_shift,
    real,
    imag,
    conj,
    angle,
)

__all__ = [
    "Abs",
    "Angle",
    "BitwiseAnd",
    "BitwiseOr",
    "BitwiseXor",
    "Ceil",
    "Clip",
    "Conj",
    "Floor",
    "Imag",
    "Invert",
    "IsFinite",
    "IsInf",
    "IsNan",
    "LeftShift",
    "LogicalAnd",
    "LogicalNot",
    "LogicalOr",
    "LogicalXor",
    "Mod",
    "Real",
    "Reciprocal",
    "RightShift",
    "Round",
    "Sign",
    "Sqr",
    "Sqrt",
    "Trunc",
    "abs",
    "angle",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "ceil",
    "clip",
    "conj",
    "floor",
    "imag",
    "invert",
    "isfinite",
    "isinf",
    "isnan",
    "left_shift",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "mod",
    "real",
    "reciprocal",
    "right_shift",
    "round",
    "sign",
    "sqr",
    "sqrt",
    "trunc",
]
