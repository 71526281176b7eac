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
# Intrinsics written as LLVM IR (selects, no branches): unlike @njit helpers they cost no
# compile of their own. Each takes float64 or float32 (widened) and returns float64; the
# caller casts back.


class _Float:
    """IR arithmetic on doubles, to write the formulas below readably."""

    def __init__(self, builder) -> None:  # type: ignore[no-untyped-def]
        self.b = builder
        self.t = ir.DoubleType()

    def c(self, value: float):  # type: ignore[no-untyped-def]
        return ir.Constant(self.t, value)

    def log(self, v):  # type: ignore[no-untyped-def]
        return _libm_call(self.b, "log", [v])

    def exp(self, v):  # type: ignore[no-untyped-def]
        return _libm_call(self.b, "exp", [v])

    def fabs(self, v):  # type: ignore[no-untyped-def]
        fn = self.b.module.declare_intrinsic("llvm.fabs", [self.t])
        return self.b.call(fn, [v])

    def eq(self, a, b):  # type: ignore[no-untyped-def]
        return self.b.fcmp_ordered("==", a, b)

    def pick(self, cond, a, b):  # type: ignore[no-untyped-def]
        return self.b.select(cond, a, b)

    def log1p(self, y):  # type: ignore[no-untyped-def]
        # Goldberg (1991): log(u) * y / (u - 1), u = 1 + y, cancels the rounding of 1 + y.
        b = self.b
        u = b.fadd(self.c(1.0), y)
        d = b.fsub(u, self.c(1.0))
        r = b.fmul(self.log(u), b.fdiv(y, d))
        r = self.pick(self.eq(u, self.c(math.inf)), u, r)
        return self.pick(self.eq(d, self.c(0.0)), y, r)

    def expm1(self, x):  # type: ignore[no-untyped-def]
        # Kahan: (u - 1) * x / log(u), u = exp(x).
        b = self.b
        u = self.exp(x)
        d = b.fsub(u, self.c(1.0))
        r = b.fmul(d, b.fdiv(x, self.log(u)))
        r = self.pick(self.eq(d, self.c(-1.0)), self.c(-1.0), r)
        r = self.pick(self.eq(u, self.c(math.inf)), u, r)
        return self.pick(self.eq(u, self.c(1.0)), x, r)

    def softplus_tail(self, z):  # type: ignore[no-untyped-def]
        """log1p(exp(-|z|))."""
        return self.log1p(self.exp(self.b.fneg(self.fabs(z))))


def _float_intrinsic(arity: int, body, doc: str):  # type: ignore[no-untyped-def]
    """An intrinsic of `arity` float arguments returning float64, its IR made by `body`."""

    def typer(typingctx, *args):  # type: ignore[no-untyped-def]
        if len(args) != arity or any(a not in (types.float64, types.float32) for a in args):
            return None

        def codegen(context, builder, sig, llargs):  # type: ignore[no-untyped-def]
            f = _Float(builder)
            wide = [
                builder.fpext(v, f.t) if t == types.float32 else v
                for v, t in zip(llargs, sig.args, strict=True)
            ]
            return body(f, *wide)

        return signature(types.float64, *args), codegen

    if arity == 1:

        def one(typingctx, x):  # type: ignore[no-untyped-def]
            return typer(typingctx, x)

        one.__doc__ = doc
        return intrinsic(one)

    def two(typingctx, x, y):  # type: ignore[no-untyped-def]
        return typer(typingctx, x, y)

    two.__doc__ = doc
    return intrinsic(two)


def _sigmoid(f, x):  # type: ignore[no-untyped-def]
    b = f.b
    e = f.exp(b.fneg(f.fabs(x)))
    r = b.fdiv(f.c(1.0), b.fadd(f.c(1.0), e))
    return f.pick(b.fcmp_ordered(">=", x, f.c(0.0)), r, b.fmul(e, r))


def _softplus(f, x):  # type: ignore[no-untyped-def]
    b = f.b
    m = f.pick(b.fcmp_ordered(">", x, f.c(0.0)), x, f.c(0.0))
    r = b.fadd(m, f.softplus_tail(x))
    return f.pick(b.fcmp_unordered("uno", x, x), x, r)


def _logaddexp(f, a, c):  # type: ignore[no-untyped-def]
    b = f.b
    m = f.pick(b.fcmp_ordered(">", a, c), a, c)
    r = b.fadd(m, f.softplus_tail(b.fsub(a, c)))
    r = f.pick(f.eq(a, c), b.fadd(a, f.c(_LN2)), r)  # equal infinities
    return f.pick(b.fcmp_unordered("uno", a, c), b.fadd(a, c), r)


def _log1mexp(f, x):  # type: ignore[no-untyped-def]
    b = f.b
    near = f.log(b.fneg(f.expm1(x)))
    far = f.log1p(b.fneg(f.exp(x)))
    return f.pick(b.fcmp_ordered(">", x, f.c(-_LN2)), near, far)


log1p_v = _float_intrinsic(1, lambda f, y: f.log1p(y), "log(1 + y), within 2 ulp of log1p.")
expm1_v = _float_intrinsic(1, lambda f, x: f.expm1(x), "exp(x) - 1, accurate for small x.")
sigmoid_v = _float_intrinsic(1, _sigmoid, "1 / (1 + exp(-x)) from e = exp(-|x|).")
softplus_v = _float_intrinsic(1, _softplus, "log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)).")
logaddexp_v = _float_intrinsic(2, _logaddexp, "log(exp(a) + exp(b)), as np.logaddexp.")
log1mexp_v = _float_intrinsic(1, _log1mexp, "log(1 - exp(x)) for x <= 0 (Maechler 2012).")
