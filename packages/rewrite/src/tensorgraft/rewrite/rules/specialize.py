"""Cheaper forms of the same values (phase `specialize`).

Powers become the dedicated scalar ops (`x ** 2 -> sqr(x)`, `x ** 0.5 -> sqrt(x)`,
`x ** -1` and `1 / x -> reciprocal(x)`), small integer powers become multiplications.
They apply to floating-point (and complex) values only: NumPy refuses negative integer
powers of integers, and `1 / x` of an integer is a float. A matrix product of vector
shapes becomes the cheaper elementwise product (inner length 1) or a sum of products
(one row times one column).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register, register_pattern
from tensorgraft.rewrite.patterns import scalar_constant
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.matmul import Dot
from tensorgraft.tensor.reduction import sum as sum_

SP = "specialize"
# Integer powers up to this exponent are computed by repeated squaring.
MAX_POWER = 16


def _inexact(bound: dict[str, Any]) -> bool:
    return bool(bound["x"].type.dtype[0] in "fc")


# x ** 2 -> sqr(x); x ** 0.5 -> sqrt(x); x ** -1 -> reciprocal(x); x ** -0.5 -> 1 / sqrt(x)
register_pattern("pow_two", (ts.pow, "x", 2), (ts.sqr, "x"), SP, when=_inexact)
register_pattern("pow_half", (ts.pow, "x", 0.5), (ts.sqrt, "x"), SP, when=_inexact)
register_pattern("pow_minus_one", (ts.pow, "x", -1), (ts.reciprocal, "x"), SP, when=_inexact)
register_pattern(
    "pow_minus_half", (ts.pow, "x", -0.5), (ts.reciprocal, (ts.sqrt, "x")), SP, when=_inexact
)
# 1 / x -> reciprocal(x)
register_pattern(
    "div_into_reciprocal", (ts.true_div, 1, "x"), (ts.reciprocal, "x"), SP, when=_inexact
)
# x * x -> sqr(x)
register_pattern("mul_self", (ts.mul, "x", "x"), (ts.sqr, "x"), SP, when=_inexact)


@register(SP, tracks=[ts.pow])
def pow_by_multiplication(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """x ** n -> products of squares, for integer n with 3 <= |n| <= 16."""
    x, exponent = node.inputs
    n = scalar_constant(exponent)
    if n is None or x.type.dtype[0] not in "fc":  # type: ignore[attr-defined]
        return None
    if not float(np.real(n)).is_integer() or not 3 <= abs(int(np.real(n))) <= MAX_POWER:
        return None
    k = int(np.real(n))
    result = _power(x, abs(k))
    if k < 0:
        result = Elemwise(ts.reciprocal)(result)
    return [result] if fits(node.outputs[0], result) else None


def _power(x: Variable, n: int) -> Variable:
    """x ** n for n >= 1 by binary exponentiation (sqr for the squarings)."""
    result: Variable | None = None
    square = x
    while n:
        if n & 1:
            result = square if result is None else Elemwise(ts.mul)(result, square)
        n >>= 1
        if n:
            square = Elemwise(ts.sqr)(square)
    assert result is not None
    return result


@register(SP, tracks=[Dot, Blockwise])
def dot_of_vector_shapes(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """dot(a, b) -> a * b where the inner length is 1 (an outer product), and
    dot(a, b) -> sum(a * b.T, -1) where a is one row and b one column (an inner product)."""
    op = node.op
    core = op.core_op if isinstance(op, Blockwise) else op
    if not isinstance(core, Dot):
        return None
    a, b = node.inputs
    m, k = a.type.shape[-2:]  # type: ignore[attr-defined]
    n = b.type.shape[-1]  # type: ignore[attr-defined]
    if k == 1:
        new = Elemwise(ts.mul)(a, b)
    elif m == 1 and n == 1:
        order = (*range(b.type.ndim - 2), b.type.ndim - 1, b.type.ndim - 2)  # type: ignore[attr-defined]
        new = sum_(Elemwise(ts.mul)(a, DimShuffle(b.type.ndim, order)(b)), axis=-1, keepdims=True)  # type: ignore[attr-defined]
    else:
        return None
    return [new] if fits(node.outputs[0], new) else None
