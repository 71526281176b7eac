"""The elementwise math API: `tt.log(x)`, `tt.add(x, y)`, ... each an `Elemwise` node."""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.matmul import dot, matmul
from tensorgraft.tensor.type import as_dtype
from tensorgraft.tensor.variable import TensorVariable


def elemwise_unary(scalar_op: ts.ScalarOp, doc: str) -> Any:
    """The public function `f(x)` applying `Elemwise(scalar_op)`, named like the scalar op."""
    op = Elemwise(scalar_op)

    def fn(x: Any) -> TensorVariable:
        return op(x)

    fn.__name__ = fn.__qualname__ = scalar_op.name
    fn.__doc__ = doc
    return fn


def elemwise_binary(scalar_op: ts.ScalarOp, doc: str) -> Any:
    """The public function `f(x, y)` applying `Elemwise(scalar_op)`, broadcasting x and y."""
    op = Elemwise(scalar_op)

    def fn(x: Any, y: Any) -> TensorVariable:
        return op(x, y)

    fn.__name__ = fn.__qualname__ = scalar_op.name
    fn.__doc__ = doc
    return fn


# Short names for the tables below.
_unary, _binary = elemwise_unary, elemwise_binary


def add(*terms: Any) -> TensorVariable:
    """Elementwise sum of two or more arrays (numpy.add), broadcasting them."""
    if len(terms) < 2:
        raise TypeError(f"add needs at least two terms, got {len(terms)}")
    return Elemwise(ts.add)(*terms)


def mul(*factors: Any) -> TensorVariable:
    """Elementwise product of two or more arrays (numpy.multiply), broadcasting them."""
    if len(factors) < 2:
        raise TypeError(f"mul needs at least two factors, got {len(factors)}")
    return Elemwise(ts.mul)(*factors)


# -- arithmetic ---------------------------------------------------------------------------------
sub = _binary(ts.sub, "Elementwise x - y (numpy.subtract).")
true_div = _binary(ts.true_div, "Elementwise x / y (numpy.true_divide): ints give floats.")
floor_div = _binary(ts.floor_div, "Elementwise x // y, rounded towards -inf (numpy.floor_divide).")
mod = _binary(ts.mod, "Elementwise x % y, with the sign of y (numpy.remainder).")
pow = _binary(ts.pow, "Elementwise x ** y (numpy.power).")
neg = _unary(ts.neg, "Elementwise -x (numpy.negative).")
abs = _unary(ts.abs, "Elementwise |x| (numpy.absolute); real for complex x.")
sign = _unary(ts.sign, "Elementwise sign: -1, 0 or 1 (numpy.sign); x / |x| for complex x.")
reciprocal = _unary(ts.reciprocal, "Elementwise 1 / x in x's dtype (numpy.reciprocal).")
sqr = _unary(ts.sqr, "Elementwise x * x (numpy.square).")
sqrt = _unary(ts.sqrt, "Elementwise square root (numpy.sqrt).")
maximum = _binary(ts.maximum, "Elementwise maximum, propagating NaN (numpy.maximum).")
minimum = _binary(ts.minimum, "Elementwise minimum, propagating NaN (numpy.minimum).")

int_div = floor_div
divide = true_div
true_divide = true_div
floor_divide = floor_div
remainder = mod
multiply = mul
subtract = sub
negative = neg
power = pow
absolute = abs
square = sqr


def clip(x: Any, min: Any = None, max: Any = None) -> TensorVariable:
    """Limit `x` to [min, max] elementwise (numpy.clip); either bound may be None.

    As in NumPy, a missing bound gives `minimum` / `maximum`, and a Python integer bound
    beyond the range of an integer `x` is no bound at all.
    """
    x = as_tensor(x)
    if np.dtype(x.dtype).kind in "iu":
        info = np.iinfo(x.dtype)
        if type(min) is int and min <= info.min:
            min = None
        if type(max) is int and max >= info.max:
            max = None
    if min is None and max is None:
        return x
    if min is None:
        return minimum(x, max)
    if max is None:
        return maximum(x, min)
    return Elemwise(ts.clip)(x, min, max)


# -- rounding -----------------------------------------------------------------------------------
def round(x: Any, decimals: int = 0) -> TensorVariable:
    """Round to `decimals` decimal places, half to even (numpy.round); keeps the dtype."""
    if not isinstance(decimals, int | np.integer) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    return Elemwise(ts.Round(int(decimals)))(x)


floor = _unary(ts.floor, "Elementwise largest integral value <= x (numpy.floor).")
ceil = _unary(ts.ceil, "Elementwise smallest integral value >= x (numpy.ceil).")
trunc = _unary(ts.trunc, "Elementwise x rounded towards 0 (numpy.trunc).")
around = round

# -- comparisons, classification and logic --------------------------------------------------------
eq = _binary(ts.eq, "Elementwise x == y (numpy.equal), a bool array.")
neq = _binary(ts.neq, "Elementwise x != y (numpy.not_equal), a bool array.")
lt = _binary(ts.lt, "Elementwise x < y (numpy.less), a bool array.")
le = _binary(ts.le, "Elementwise x <= y (numpy.less_equal), a bool array.")
gt = _binary(ts.gt, "Elementwise x > y (numpy.greater), a bool array.")
ge = _binary(ts.ge, "Elementwise x >= y (numpy.greater_equal), a bool array.")
isnan = _unary(ts.isnan, "Elementwise: is x NaN (numpy.isnan)?")
isinf = _unary(ts.isinf, "Elementwise: is x +inf or -inf (numpy.isinf)?")
isfinite = _unary(ts.isfinite, "Elementwise: is x neither infinite nor NaN (numpy.isfinite)?")
logical_and = _binary(ts.logical_and, "Elementwise truth of x and y (numpy.logical_and).")
logical_or = _binary(ts.logical_or, "Elementwise truth of x or y (numpy.logical_or).")
logical_xor = _binary(ts.logical_xor, "Elementwise truth of x xor y (numpy.logical_xor).")
logical_not = _unary(ts.logical_not, "Elementwise truth of not x (numpy.logical_not).")

# -- bits of integers and bools -----------------------------------------------------------------
bitwise_and = _binary(ts.bitwise_and, "Elementwise x & y on integers and bools.")
bitwise_or = _binary(ts.bitwise_or, "Elementwise x | y on integers and bools.")
bitwise_xor = _binary(ts.bitwise_xor, "Elementwise x ^ y on integers and bools.")
invert = _unary(ts.invert, "Elementwise ~x on integers and bools (numpy.invert).")
left_shift = _binary(ts.left_shift, "Elementwise x << y on integers (numpy.left_shift).")
right_shift = _binary(ts.right_shift, "Elementwise x >> y on integers (numpy.right_shift).")
bitwise_not = invert
# NumPy 2 (array API) names.
bitwise_invert, bitwise_left_shift, bitwise_right_shift = invert, left_shift, right_shift


# -- complex numbers ------------------------------------------------------------------------------
def real(x: Any) -> TensorVariable:
    """The real part (numpy.real); a real `x` is returned itself, as NumPy does."""
    x = as_tensor(x)
    if np.dtype(x.dtype).kind != "c":
        return x
    return Elemwise(ts.real)(x)


imag = _unary(ts.imag, "The imaginary part (numpy.imag); zeros of x's dtype for a real x.")
conj = _unary(ts.conj, "The complex conjugate (numpy.conjugate).")
angle = _unary(ts.angle, "The argument of complex x, in radians (numpy.angle).")
conjugate = conj

# -- exponentials and logarithms ---------------------------------------------------------------
exp = _unary(ts.exp, "Elementwise e**x (numpy.exp).")
exp2 = _unary(ts.exp2, "Elementwise 2**x (numpy.exp2).")
expm1 = _unary(ts.expm1, "Elementwise e**x - 1, accurate for small x (numpy.expm1).")
log = _unary(ts.log, "Elementwise natural logarithm (numpy.log).")
log2 = _unary(ts.log2, "Elementwise base-2 logarithm (numpy.log2).")
log10 = _unary(ts.log10, "Elementwise base-10 logarithm (numpy.log10).")
log1p = _unary(ts.log1p, "Elementwise log(1 + x), accurate for small x (numpy.log1p).")

# -- trigonometric and hyperbolic ---------------------------------------------------------------
sin = _unary(ts.sin, "Elementwise sine (numpy.sin).")
cos = _unary(ts.cos, "Elementwise cosine (numpy.cos).")
tan = _unary(ts.tan, "Elementwise tangent (numpy.tan).")
arcsin = _unary(ts.arcsin, "Elementwise inverse sine (numpy.arcsin).")
arccos = _unary(ts.arccos, "Elementwise inverse cosine (numpy.arccos).")
arctan = _unary(ts.arctan, "Elementwise inverse tangent (numpy.arctan).")
arctan2 = _binary(ts.arctan2, "Elementwise angle of the point (x=x2, y=x1) (numpy.arctan2).")
sinh = _unary(ts.sinh, "Elementwise hyperbolic sine (numpy.sinh).")
cosh = _unary(ts.cosh, "Elementwise hyperbolic cosine (numpy.cosh).")
tanh = _unary(ts.tanh, "Elementwise hyperbolic tangent (numpy.tanh).")
arcsinh = _unary(ts.arcsinh, "Elementwise inverse hyperbolic sine (numpy.arcsinh).")
arccosh = _unary(ts.arccosh, "Elementwise inverse hyperbolic cosine (numpy.arccosh).")
arctanh = _unary(ts.arctanh, "Elementwise inverse hyperbolic tangent (numpy.arctanh).")
# NumPy 2 (array API) names.
acos, asin, atan, atan2 = arccos, arcsin, arctan, arctan2
acosh, asinh, atanh = arccosh, arcsinh, arctanh


def switch(cond: Any, a: Any, b: Any) -> TensorVariable:
    """Elementwise `a` where `cond` is true, else `b` (numpy.where with three arguments)."""
    return Elemwise(ts.switch)(cond, a, b)


where = switch


def cast(x: Any, dtype: Any) -> TensorVariable:
    """`x` converted to `dtype` (numpy's astype); a no-op if it already has it."""
    x = as_tensor(x)
    dtype = as_dtype(dtype)
    if x.dtype == dtype:
        return x
    return Elemwise(ts.Cast(dtype))(x)


astype = cast


__all__ = [
    "abs",
    "absolute",
    "acos",
    "acosh",
    "add",
    "angle",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "around",
    "asin",
    "asinh",
    "astype",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "cast",
    "ceil",
    "clip",
    "conj",
    "conjugate",
    "cos",
    "cosh",
    "divide",
    "dot",
    "eq",
    "exp",
    "exp2",
    "expm1",
    "floor",
    "floor_div",
    "floor_divide",
    "ge",
    "gt",
    "imag",
    "int_div",
    "invert",
    "isfinite",
    "isinf",
    "isnan",
    "le",
    "left_shift",
    "log",
    "log1p",
    "log2",
    "log10",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "lt",
    "matmul",
    "maximum",
    "minimum",
    "mod",
    "mul",
    "multiply",
    "neg",
    "negative",
    "neq",
    "pow",
    "power",
    "real",
    "reciprocal",
    "remainder",
    "right_shift",
    "round",
    "sign",
    "sin",
    "sinh",
    "sqr",
    "sqrt",
    "square",
    "sub",
    "subtract",
    "switch",
    "tan",
    "tanh",
    "true_div",
    "true_divide",
    "trunc",
    "where",
]
