"""The elementwise math API: `tt.log(x)`, `tt.add(x, y)`, ... each an `Elemwise` node."""

from __future__ import annotations

from typing import Any

from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.matmul import dot, matmul
from tensorgraft.tensor.type import as_dtype
from tensorgraft.tensor.variable import TensorVariable


def _unary(scalar_op: ts.ScalarOp, doc: str) -> Any:
    op = Elemwise(scalar_op)

    def fn(x: Any) -> TensorVariable:
        return op(x)

    fn.__name__ = fn.__qualname__ = scalar_op.name
    fn.__doc__ = doc
    return fn


def _binary(scalar_op: ts.ScalarOp, doc: str) -> Any:
    op = Elemwise(scalar_op)

    def fn(x: Any, y: Any) -> TensorVariable:
        return op(x, y)

    fn.__name__ = fn.__qualname__ = scalar_op.name
    fn.__doc__ = doc
    return fn


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


sub = _binary(ts.sub, "Elementwise x - y (numpy.subtract).")
true_div = _binary(ts.true_div, "Elementwise x / y (numpy.true_divide): ints give floats.")
floor_div = _binary(ts.floor_div, "Elementwise x // y (numpy.floor_divide).")
pow = _binary(ts.pow, "Elementwise x ** y (numpy.power).")
maximum = _binary(ts.maximum, "Elementwise maximum, propagating NaN (numpy.maximum).")
minimum = _binary(ts.minimum, "Elementwise minimum, propagating NaN (numpy.minimum).")
eq = _binary(ts.eq, "Elementwise x == y (numpy.equal), a bool array.")
neq = _binary(ts.neq, "Elementwise x != y (numpy.not_equal), a bool array.")
lt = _binary(ts.lt, "Elementwise x < y (numpy.less), a bool array.")
le = _binary(ts.le, "Elementwise x <= y (numpy.less_equal), a bool array.")
gt = _binary(ts.gt, "Elementwise x > y (numpy.greater), a bool array.")
ge = _binary(ts.ge, "Elementwise x >= y (numpy.greater_equal), a bool array.")

neg = _unary(ts.neg, "Elementwise -x (numpy.negative).")
exp = _unary(ts.exp, "Elementwise e**x (numpy.exp).")
log = _unary(ts.log, "Elementwise natural logarithm (numpy.log).")
log1p = _unary(ts.log1p, "Elementwise log(1 + x), accurate for small x (numpy.log1p).")
sin = _unary(ts.sin, "Elementwise sine (numpy.sin).")
cos = _unary(ts.cos, "Elementwise cosine (numpy.cos).")

divide = true_div
multiply = mul
subtract = sub
negative = neg
power = pow


def switch(cond: Any, a: Any, b: Any) -> TensorVariable:
    """Elementwise `a` where `cond` is true, else `b` (numpy.where with three arguments)."""
    return Elemwise(ts.switch)(cond, a, b)


where = switch


def cast(x: Any, dtype: Any) -> TensorVariable:
    """`x` converted to `dtype` (numpy's astype); a no-op if it already has it."""
    from tensorgraft.tensor.basic import as_tensor

    x = as_tensor(x)
    dtype = as_dtype(dtype)
    if x.dtype == dtype:
        return x
    return Elemwise(ts.Cast(dtype))(x)


__all__ = [
    "add",
    "cast",
    "cos",
    "divide",
    "dot",
    "eq",
    "exp",
    "floor_div",
    "ge",
    "gt",
    "le",
    "log",
    "log1p",
    "lt",
    "matmul",
    "maximum",
    "minimum",
    "mul",
    "multiply",
    "neg",
    "negative",
    "neq",
    "pow",
    "power",
    "sin",
    "sub",
    "subtract",
    "switch",
    "true_div",
    "where",
]
