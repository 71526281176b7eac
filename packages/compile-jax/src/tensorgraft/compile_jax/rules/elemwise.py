"""Elemwise, Composite, DimShuffle and the scalar ops.

Each scalar op runs in the dtype NumPy's ufunc loop would use: inputs are cast to the
output dtype (so `exp` of an int8 computes in float16, `int64 / int64` in float64),
except for comparisons (the inputs' common dtype), ops that take a complex number to a
real one (no cast), and the special arguments of `switch`, `polygamma` and `cast`.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import jax.numpy as jnp
import numpy as np

from tensorgraft.compile_jax.registry import jax_impl, jss, scalar_impl
from tensorgraft.graph.basic import Apply, Constant
from tensorgraft.graph.traversal import io_toposort
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.scalar_ops import arithmetic as ar
from tensorgraft.tensor.scalar_ops import basic as ts
from tensorgraft.tensor.scalar_ops import special as sp
from tensorgraft.tensor.scalar_ops import transcendental as tr
from tensorgraft.tensor.scalar_ops.composite import Composite

reg = scalar_impl.register

# -- arithmetic ----------------------------------------------------------------------------
reg(ts.Add)(lambda *xs: functools.reduce(jnp.add, xs))
reg(ts.Mul)(lambda *xs: functools.reduce(jnp.multiply, xs))
reg(ts.Sub)(jnp.subtract)
reg(ts.TrueDiv)(jnp.true_divide)
reg(ts.FloorDiv)(jnp.floor_divide)
reg(ts.Pow)(jnp.power)
reg(ts.Neg)(jnp.negative)
reg(ts.Maximum)(jnp.maximum)
reg(ts.Minimum)(jnp.minimum)
reg(ar.Mod)(jnp.remainder)
reg(ar.Abs)(jnp.abs)
reg(ar.Sign)(jnp.sign)
reg(ar.Sqr)(jnp.square)
reg(ar.Sqrt)(jnp.sqrt)
reg(ar.Clip)(lambda x, lo, hi: jnp.minimum(jnp.maximum(x, lo), hi))
reg(ar.Floor)(jnp.floor)
reg(ar.Ceil)(jnp.ceil)
reg(ar.Trunc)(jnp.trunc)


@reg(ar.Round, with_op=True)
def _round(op: ar.Round, x: Any) -> Any:
    if op.decimals < 0 and jnp.issubdtype(x.dtype, jnp.integer):
        # Tens, hundreds, ... of an integer: half to even in float64, as NumPy.
        scale = 10.0 ** (-op.decimals)
        return (jnp.round(x.astype("float64") / scale) * scale).astype(x.dtype)
    return jnp.round(x, op.decimals)


@reg(ar.Reciprocal)
def _reciprocal(x: Any) -> Any:
    if jnp.issubdtype(x.dtype, jnp.integer):  # NumPy: integer 1 // x
        return jnp.asarray(1, x.dtype) // x
    return jnp.reciprocal(x)


# -- comparisons, logic, bits --------------------------------------------------------------
reg(ts.EQ)(jnp.equal)
reg(ts.NEQ)(jnp.not_equal)
reg(ts.LT)(jnp.less)
reg(ts.LE)(jnp.less_equal)
reg(ts.GT)(jnp.greater)
reg(ts.GE)(jnp.greater_equal)
reg(ar.IsNan)(jnp.isnan)
reg(ar.IsInf)(jnp.isinf)
reg(ar.IsFinite)(jnp.isfinite)
reg(ar.LogicalAnd)(jnp.logical_and)
reg(ar.LogicalOr)(jnp.logical_or)
reg(ar.LogicalXor)(jnp.logical_xor)
reg(ar.LogicalNot)(jnp.logical_not)
reg(ar.BitwiseAnd)(jnp.bitwise_and)
reg(ar.BitwiseOr)(jnp.bitwise_or)
reg(ar.BitwiseXor)(jnp.bitwise_xor)
reg(ar.Invert)(jnp.invert)
reg(ar.LeftShift)(jnp.left_shift)
reg(ar.RightShift)(jnp.right_shift)
reg(ts.Switch)(jnp.where)
reg(ts.Cast, with_op=True)(lambda op, x: x.astype(op.dtype))

# -- complex parts -------------------------------------------------------------------------
reg(ar.Real)(jnp.real)
reg(ar.Imag)(jnp.imag)
reg(ar.Conj)(jnp.conjugate)
reg(ar.Angle)(jnp.angle)

# -- transcendental ------------------------------------------------------------------------
for _op, _fn in [
    (ts.Exp, jnp.exp),
    (ts.Log, jnp.log),
    (ts.Log1p, jnp.log1p),
    (ts.Sin, jnp.sin),
    (ts.Cos, jnp.cos),
    (tr.Exp2, jnp.exp2),
    (tr.Expm1, jnp.expm1),
    (tr.Log2, jnp.log2),
    (tr.Log10, jnp.log10),
    (tr.Tan, jnp.tan),
    (tr.ArcSin, jnp.arcsin),
    (tr.ArcCos, jnp.arccos),
    (tr.ArcTan, jnp.arctan),
    (tr.ArcTan2, jnp.arctan2),
    (tr.Sinh, jnp.sinh),
    (tr.Cosh, jnp.cosh),
    (tr.Tanh, jnp.tanh),
    (tr.ArcSinh, jnp.arcsinh),
    (tr.ArcCosh, jnp.arccosh),
    (tr.ArcTanh, jnp.arctanh),
]:
    reg(_op)(_fn)  # type: ignore[arg-type]


# -- special functions (JAX computes them for real numbers only) -----------------------------
def _special(name: str) -> Any:
    return lambda *xs: getattr(jss, name)(*xs)


for _op, _name in [
    (sp.Erf, "erf"),
    (sp.Erfc, "erfc"),
    (sp.Erfcx, "erfcx"),
    (sp.Erfinv, "erfinv"),
    (sp.Gamma, "gamma"),
    (sp.GammaLn, "gammaln"),
    (sp.Digamma, "digamma"),
    (sp.GammaInc, "gammainc"),
    (sp.GammaIncC, "gammaincc"),
    (sp.BetaLn, "betaln"),
    (sp.Logit, "logit"),
    (sp.XLogY, "xlogy"),
    (sp.XLog1pY, "xlog1py"),
]:
    reg(_op, real_only=True)(_special(_name))
reg(sp.LogAddExp)(jnp.logaddexp)
reg(sp.LogAddExp2)(jnp.logaddexp2)
# log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow, and e^x (not 0) for very negative x.
reg(sp.Softplus)(lambda x: jnp.maximum(x, 0) + jnp.log1p(jnp.exp(-jnp.abs(x))))


@reg(sp.Sigmoid, real_only=True)
def _sigmoid(x: Any) -> Any:
    # From the same e^-|x| as softplus: XLA computes it once for a softplus and its
    # gradient (the logistic loss), and neither overflows.
    e = jnp.exp(-jnp.abs(x))
    return jnp.where(x >= 0, 1.0, e) / (1.0 + e)


@reg(sp.Erfcinv, real_only=True)
def _erfcinv(y: Any) -> Any:
    # erfc(x) = 2 ndtr(-x sqrt 2), so erfcinv(y) = -ndtri(y / 2) / sqrt 2: exact in the tails.
    return -jss.ndtri(y / 2) / math.sqrt(2.0)


@reg(sp.Log1mexp)
def _log1mexp(x: Any) -> Any:
    # log(1 - e^x) (Mächler 2012): log(-expm1(x)) above -ln 2, log1p(-exp(x)) below.
    return jnp.where(x > -math.log(2.0), jnp.log(-jnp.expm1(x)), jnp.log1p(-jnp.exp(x)))


@reg(sp.Polygamma, real_only=True)
def _polygamma(n: Any, x: Any) -> Any:
    return jss.polygamma(n.astype(jnp.int64), x)


# -- dtypes: which loop NumPy would run ----------------------------------------------------
_NO_CAST = (ts.Cast, ar.Real, ar.Imag, ar.Abs, ar.Angle)


@functools.cache
def _input_dtypes(op: Any, in_dtypes: tuple[str, ...], out_dtype: str) -> list[str | None]:
    """The dtype each input is cast to before the op (None: as it is)."""
    if isinstance(op, _NO_CAST):
        return [None] * len(in_dtypes)
    if isinstance(op, ts.Switch):
        return [None, out_dtype, out_dtype]
    if isinstance(op, sp.Polygamma):
        return [None, out_dtype]
    if np.dtype(out_dtype).kind == "b":
        return [np.result_type(*in_dtypes).name] * len(in_dtypes)
    return [out_dtype] * len(in_dtypes)


def apply_scalar(
    op: Any, in_dtypes: list[str], out_dtypes: list[str], args: list[Any]
) -> list[Any]:
    """Compute scalar op `op` on broadcastable arrays, with NumPy's dtypes."""
    if isinstance(op, Composite):
        return _composite(op, args)
    impl = scalar_impl.lookup(op)
    if impl is None:
        raise NotImplementedError(f"jax backend: no JAX translation for scalar op {op}")
    casts = _input_dtypes(op, tuple(in_dtypes), out_dtypes[0])
    args = [_cast(a, c) for a, c in zip(args, casts, strict=True)]
    outs = impl(op, *args)
    outs = [outs] if len(out_dtypes) == 1 else list(outs)
    return [_cast(o, d) for o, d in zip(outs, out_dtypes, strict=True)]


def _cast(value: Any, dtype: str | None) -> Any:
    # Tracing cost matters (a graph of a few hundred nodes): no call when nothing changes.
    if dtype is None or (
        getattr(value, "dtype", None) == dtype
        and not getattr(getattr(value, "aval", None), "weak_type", False)
    ):
        return value
    if isinstance(value, np.ndarray | np.generic):  # a constant: cast it now, not at run time
        return np.asarray(value, dtype=dtype)
    return jnp.asarray(value).astype(dtype)


def _composite(op: Composite, args: list[Any]) -> list[Any]:
    values: dict[Any, Any] = dict(zip(op.inner_inputs, args, strict=True))
    for node in io_toposort(op.inner_inputs, op.inner_outputs):
        ins = [i.data if isinstance(i, Constant) else values[i] for i in node.inputs]
        outs = apply_scalar(
            node.op,
            [i.type.dtype for i in node.inputs],  # type: ignore[attr-defined]
            [o.type.dtype for o in node.outputs],  # type: ignore[attr-defined]
            ins,
        )
        values.update(zip(node.outputs, outs, strict=True))
    return [o.data if isinstance(o, Constant) else values[o] for o in op.inner_outputs]


def _complex_refused(op: Any, dtypes: list[str]) -> str | None:
    if isinstance(op, Composite):
        for node in io_toposort(op.inner_inputs, op.inner_outputs):
            found = _complex_refused(node.op, [i.type.dtype for i in node.inputs])  # type: ignore[attr-defined]
            if found:
                return found
        return None
    if type(op) in scalar_impl.real_only and any(np.dtype(d).kind == "c" for d in dtypes):
        return f"JAX computes {op} for real numbers only, got {', '.join(dtypes)}"
    return None


def _check_elemwise(node: Apply) -> str | None:
    return _complex_refused(node.op.scalar_op, [i.type.dtype for i in node.inputs])  # type: ignore[attr-defined]


def _scalar_constants(node: Apply, inputs: tuple[Any, ...]) -> list[Any]:
    """Constants of one element (`x * [0.9]`) as 0-d arrays, where another input gives
    the output its rank: JAX inlines a 0-d constant as a literal, while a (1,) array
    becomes an array constant and a broadcast in the program."""
    ndims = [len(np.shape(v)) for v in inputs]
    values = list(inputs)
    for k, (var, value) in enumerate(zip(node.inputs, inputs, strict=True)):
        if (
            ndims[k]
            and isinstance(var, Constant)
            and np.size(value) == 1
            and any(n >= ndims[k] for j, n in enumerate(ndims) if j != k)
        ):
            values[k] = np.reshape(value, ())
    return values


@jax_impl.register(Elemwise, check=_check_elemwise)
def _elemwise(op: Elemwise, node: Apply, *inputs: Any) -> Any:
    outs = apply_scalar(
        op.scalar_op,
        [i.type.dtype for i in node.inputs],  # type: ignore[attr-defined]
        [o.type.dtype for o in node.outputs],  # type: ignore[attr-defined]
        _scalar_constants(node, inputs),
    )
    if isinstance(op.scalar_op, Composite) or not inputs:
        # A Composite output may ignore some inputs (or be a constant): the full shape.
        shape = jnp.broadcast_shapes(*[jnp.shape(i) for i in inputs])
        outs = [o if jnp.shape(o) == shape else jnp.broadcast_to(o, shape) for o in outs]
    return outs if len(outs) > 1 else outs[0]


@jax_impl.register(DimShuffle)
def _dimshuffle(op: DimShuffle, node: Apply, x: Any) -> Any:
    y = (
        jnp.transpose(x, (*op.kept, *op.dropped))
        if op.dropped or op.kept != tuple(range(len(op.kept)))
        else x
    )
    shape = tuple(1 if a == "x" else jnp.shape(x)[int(a)] for a in op.new_order)
    return jnp.reshape(y, shape)
