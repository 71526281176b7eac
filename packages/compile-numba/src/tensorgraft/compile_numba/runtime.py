"""Helpers that generated code calls (Numba-compiled, imported by every generated module).

* `empty_c(shape, dtype)`: `np.empty` lowered inline. Numba's `np.empty` is an overload
  compiled through its whole pipeline once per rank and dtype (40-120 ms each on a
  first compile); this intrinsic costs nothing beyond the call site.
* `*_v` functions: the same values as NumPy's ufuncs, written so that a loop calling
  them has no branches and no libm calls LLVM cannot vectorize (log1p and expm1
  through log and exp, which it maps to glibc's vector math; see `vecmath`).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.core.typing import signature
from numba.extending import intrinsic

__all__ = [
    "empty_c",
    "expm1_v",
    "log1mexp_f",
    "log1mexp_v",
    "log1p_v",
    "logaddexp_v",
    "sigmoid_f",
    "sigmoid_v",
    "softplus_v",
]

_LN2 = math.log(2.0)


def _element_type(dtype: types.Type) -> types.Type | None:
    if isinstance(dtype, types.NumberClass):
        return dtype.instance_type
    if isinstance(dtype, types.DType):
        return dtype.dtype
    return None


@intrinsic
def empty_c(typingctx, shape, dtype):
    """A new C-contiguous array: `np.empty(shape, dtype)` for an int or a tuple of ints
    and a dtype given as `np.float64` or `arr.dtype`. Raises MemoryError when the
    allocation fails and ValueError when the size overflows, as NumPy does."""
    element = _element_type(dtype)
    if isinstance(shape, types.Integer):
        ranks = [shape]
    elif isinstance(shape, types.BaseTuple) and all(isinstance(t, types.Integer) for t in shape):
        ranks = list(shape)
    else:
        return None
    if element is None:
        return None
    arrty = types.Array(element, len(ranks), "C")

    def codegen(context, builder, sig, args):
        # Imported here: numba.np.arrayobj costs ~30 ms, which a warm start need not pay.
        from numba.np.arrayobj import make_array, populate_array

        intp = context.get_value_type(types.intp)
        if isinstance(sig.args[0], types.Integer):
            raw = [args[0]]
        else:
            raw = cgutils.unpack_tuple(builder, args[0], count=len(ranks))
        shapes = [context.cast(builder, v, t, types.intp) for v, t in zip(raw, ranks, strict=True)]
        itemsize = context.get_abi_sizeof(context.get_data_type(element))
        size = intp(itemsize)
        overflow = ir.Constant(ir.IntType(1), 0)
        negative = ir.Constant(ir.IntType(1), 0)
        for s in shapes:
            negative = builder.or_(negative, builder.icmp_signed("<", s, intp(0)))
            product = builder.smul_with_overflow(size, s)
            size = builder.extract_value(product, 0)
            overflow = builder.or_(overflow, builder.extract_value(product, 1))
        with builder.if_then(negative, likely=False):
            context.call_conv.return_user_exc(
                builder, ValueError, ("negative dimensions are not allowed",)
            )
        with builder.if_then(overflow, likely=False):
            context.call_conv.return_user_exc(
                builder, ValueError, ("array is too big; the size exceeds the maximum",)
            )
        align = context.get_preferred_array_alignment(element)
        meminfo = context.nrt.meminfo_alloc_aligned(builder, size, align)
        with builder.if_then(cgutils.is_null(builder, meminfo), likely=False):
            context.call_conv.return_user_exc(builder, MemoryError, ("cannot allocate array",))
        strides = []
        step = intp(itemsize)
        for s in reversed(shapes):
            strides.append(step)
            step = builder.mul(step, s)
        array = make_array(arrty)(context, builder)
        data = context.nrt.meminfo_data(builder, meminfo)
        populate_array(
            array,
            data=builder.bitcast(data, context.get_data_type(element).as_pointer()),
            shape=shapes,
            strides=list(reversed(strides)),
            itemsize=itemsize,
            meminfo=meminfo,
        )
        return array._getvalue()

    return signature(arrty, shape, dtype), codegen


@numba.njit(cache=True, error_model="numpy")
def sigmoid_f(x):
    """1 / (1 + exp(-x)) without overflow for either sign of x."""
    if x >= 0:
        return 1 / (1 + np.exp(-x))
    e = np.exp(x)
    return e / (1 + e)


@numba.njit(cache=True, error_model="numpy")
def log1mexp_f(x):
    """log(1 - exp(x)) for x <= 0, stable near 0 and for very negative x (Maechler 2012)."""
    if x > -_LN2:
        return np.log(-np.expm1(x))
    return np.log1p(-np.exp(x))


# -- branch-free forms, for loops LLVM vectorizes with glibc's vector math -----------------------
# Each takes and returns float64 (a float32 argument is widened; the caller casts back).


@numba.njit(cache=True, error_model="numpy")
def log1p_v(y):
    """log(1 + y) accurately for small y: log(u) * y / (u - 1) with u = 1 + y (Goldberg
    1991), which cancels the rounding error of 1 + y; within 2 ulp of log1p."""
    y = np.float64(y)
    u = 1.0 + y
    d = u - 1.0
    r = np.log(u) * (y / d)
    r = u if u == np.inf else r
    return y if d == 0.0 else r


@numba.njit(cache=True, error_model="numpy")
def expm1_v(x):
    """exp(x) - 1 accurately for small x: (u - 1) * x / log(u) with u = exp(x) (Kahan)."""
    x = np.float64(x)
    u = np.exp(x)
    d = u - 1.0
    r = d * (x / np.log(u))
    r = -1.0 if d == -1.0 else r
    r = u if u == np.inf else r
    return x if u == 1.0 else r


@numba.njit(cache=True, error_model="numpy")
def sigmoid_v(x):
    """1 / (1 + exp(-x)) from e = exp(-|x|): 1 / (1 + e) for x >= 0, e / (1 + e) below."""
    x = np.float64(x)
    e = np.exp(-abs(x))
    r = 1.0 / (1.0 + e)
    return r if x >= 0 else e * r


@numba.njit(cache=True, error_model="numpy")
def softplus_v(x):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), NaN for NaN."""
    x = np.float64(x)
    m = x if x > 0.0 else 0.0
    r = m + log1p_v(np.exp(-abs(x)))
    return x if x != x else r


@numba.njit(cache=True, error_model="numpy")
def logaddexp_v(a, b):
    """log(exp(a) + exp(b)) = max + log1p(exp(-|a - b|)); a + log 2 when a == b (infinities)."""
    a = np.float64(a)
    b = np.float64(b)
    m = a if a > b else b
    r = m + log1p_v(np.exp(-abs(a - b)))
    r = a + _LN2 if a == b else r
    return r if a == a and b == b else a + b


@numba.njit(cache=True, error_model="numpy")
def log1mexp_v(x):
    """log(1 - exp(x)) for x <= 0: both of Maechler's forms, the right one selected."""
    x = np.float64(x)
    near = np.log(-expm1_v(x))
    far = log1p_v(-np.exp(x))
    return near if x > -_LN2 else far
