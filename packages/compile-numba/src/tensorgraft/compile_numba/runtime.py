"""Helpers that generated code calls (Numba-compiled, imported by every generated module).

* `empty_c(shape, dtype)`: `np.empty` lowered inline. Numba's `np.empty` is an overload
  compiled through its whole pipeline once per rank and dtype (40-120 ms each on a
  first compile); this intrinsic costs nothing beyond the call site.
* `vm_exp(x)`, `vm_log`, `vm_sin`, `vm_cos`, `vm_tan`, `vm_pow(x, y)`: libm's function,
  called so that LLVM may vectorize a loop around it with glibc's vector version
  (`vecmath`). Used only where `vecmath.available(name)`.
* `*_v` functions: the same values as NumPy's ufuncs, written so that a loop calling
  them has no branches and only calls that vectorize (log1p and expm1 through log and
  exp). Used only where vector math is available.
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
    "ones_view",
    "sigmoid_f",
    "sigmoid_v",
    "softplus_v",
    "vm_cos",
    "vm_exp",
    "vm_log",
    "vm_pow",
    "vm_sin",
    "vm_tan",
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


@intrinsic
def ones_view(typingctx, array, ndim):
    """A view of a 0-d array with `ndim` axes of length 1 (`ndim` a literal int): what
    `array.reshape((1,) * ndim)` gives, without Numba's reshape, whose compiled helper
    makes every cache load of the graph import numba.np.arrayobj (~30 ms)."""
    if not (
        isinstance(array, types.Array)
        and array.ndim == 0
        and isinstance(ndim, types.IntegerLiteral)
    ):
        return None
    rank = ndim.literal_value
    arrty = types.Array(array.dtype, rank, "C")

    def codegen(context, builder, sig, args):
        from numba.core.imputils import impl_ret_borrowed
        from numba.np.arrayobj import make_array, populate_array

        source = make_array(sig.args[0])(context, builder, value=args[0])
        itemsize = context.get_abi_sizeof(context.get_data_type(sig.args[0].dtype))
        intp = context.get_value_type(types.intp)
        view = make_array(sig.return_type)(context, builder)
        populate_array(
            view,
            data=source.data,
            shape=[intp(1)] * rank,
            strides=[intp(itemsize)] * rank,
            itemsize=itemsize,
            meminfo=source.meminfo,
            parent=source.parent,
        )
        return impl_ret_borrowed(context, builder, sig.return_type, view._getvalue())

    return signature(arrty, array, ndim), codegen


def _libm_call(builder, name: str, args):  # type: ignore[no-untyped-def]
    """Call libm's `name` (declared pure) with the attribute naming its libmvec version."""
    from tensorgraft.compile_numba.vecmath import VARIANTS

    module = builder.module
    _keep_vector_functions(module)
    vector, lanes, nargs = VARIANTS[name]
    scalar = args[0].type
    fn = cgutils.get_or_insert_function(module, ir.FunctionType(scalar, [scalar] * nargs), name)
    if not getattr(fn, "_tg_vector_abi", False):
        # llvmlite checks attribute names against a fixed list: set.add bypasses it.
        variant = f"_ZGV_LLVM_N{lanes}{'v' * nargs}_{name}({vector})"
        for attr in ("nounwind", "willreturn", "memory(none)"):
            set.add(fn.attributes, attr)
        set.add(fn.attributes, f'"vector-function-abi-variant"="{variant}"')
        fn._tg_vector_abi = True
    return builder.call(fn, args)


def _keep_vector_functions(module) -> None:  # type: ignore[no-untyped-def]
    """Declare every libmvec function once per module, listed in llvm.compiler.used:
    LLVM drops unused declarations before the vectorizer would look for them."""
    from tensorgraft.compile_numba.vecmath import VARIANTS, functions

    if "llvm.compiler.used" in module.globals:
        return
    declared = []
    for name in sorted(functions()):
        vector, lanes, nargs = VARIANTS[name]
        scalar = ir.FloatType() if name.endswith("f") else ir.DoubleType()
        vty = ir.VectorType(scalar, lanes)
        fnty = ir.FunctionType(vty, [vty] * nargs)
        declared.append(cgutils.get_or_insert_function(module, fnty, vector))
    ptr = ir.IntType(8).as_pointer()
    array = ir.ArrayType(ptr, len(declared))
    used = ir.GlobalVariable(module, array, "llvm.compiler.used")
    used.linkage = "appending"
    used.section = "llvm.metadata"
    used.initializer = ir.Constant(array, [f.bitcast(ptr) for f in declared])


def _libm_intrinsic_1(name: str):  # type: ignore[no-untyped-def]
    @intrinsic
    def call(typingctx, x):
        if x not in (types.float64, types.float32):
            return None
        libm = name if x == types.float64 else name + "f"
        return signature(x, x), lambda context, builder, sig, args: _libm_call(builder, libm, args)

    return call


@intrinsic
def vm_pow(typingctx, x, y):
    """x ** y for two floats of one dtype, vectorizable (see `vecmath`)."""
    if x != y or x not in (types.float64, types.float32):
        return None
    libm = "pow" if x == types.float64 else "powf"
    return signature(x, x, y), lambda context, builder, sig, args: _libm_call(builder, libm, args)


vm_exp = _libm_intrinsic_1("exp")
vm_log = _libm_intrinsic_1("log")
vm_sin = _libm_intrinsic_1("sin")
vm_cos = _libm_intrinsic_1("cos")
vm_tan = _libm_intrinsic_1("tan")


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
    r = vm_log(u) * (y / d)
    r = u if u == np.inf else r
    return y if d == 0.0 else r


@numba.njit(cache=True, error_model="numpy")
def expm1_v(x):
    """exp(x) - 1 accurately for small x: (u - 1) * x / log(u) with u = exp(x) (Kahan)."""
    x = np.float64(x)
    u = vm_exp(x)
    d = u - 1.0
    r = d * (x / vm_log(u))
    r = -1.0 if d == -1.0 else r
    r = u if u == np.inf else r
    return x if u == 1.0 else r


@numba.njit(cache=True, error_model="numpy")
def sigmoid_v(x):
    """1 / (1 + exp(-x)) from e = exp(-|x|): 1 / (1 + e) for x >= 0, e / (1 + e) below."""
    x = np.float64(x)
    e = vm_exp(-abs(x))
    r = 1.0 / (1.0 + e)
    return r if x >= 0 else e * r


@numba.njit(cache=True, error_model="numpy")
def softplus_v(x):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), NaN for NaN."""
    x = np.float64(x)
    m = x if x > 0.0 else 0.0
    r = m + log1p_v(vm_exp(-abs(x)))
    return x if x != x else r


@numba.njit(cache=True, error_model="numpy")
def logaddexp_v(a, b):
    """log(exp(a) + exp(b)) = max + log1p(exp(-|a - b|)); a + log 2 when a == b (infinities)."""
    a = np.float64(a)
    b = np.float64(b)
    m = a if a > b else b
    r = m + log1p_v(vm_exp(-abs(a - b)))
    r = a + _LN2 if a == b else r
    return r if a == a and b == b else a + b


@numba.njit(cache=True, error_model="numpy")
def log1mexp_v(x):
    """log(1 - exp(x)) for x <= 0: both of Maechler's forms, the right one selected."""
    x = np.float64(x)
    near = vm_log(-expm1_v(x))
    far = log1p_v(-vm_exp(x))
    return near if x > -_LN2 else far
