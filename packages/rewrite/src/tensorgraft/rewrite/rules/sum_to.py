"""SumTo is linear (phase `canonicalize`): scalings move inside it, nested ones compose.

Gradients of broadcasting ops end in `sum_to`, and the chain rule puts negations and
constant factors after it: `-sum_to(g / s, shape)`. Inside, the scaling joins the
elementwise work that makes `g / s` (one loop after fusion) instead of a pass of its
own. A `sum_to` of a `sum_to` is one `sum_to` (summing in two steps or in one gives the
same totals). Each rule fires only where the inner `sum_to` has no other use (nothing is
computed twice) and keeps the dtype: sums of integers are widened, so `-sum_to(x)` of
int8 `x` is not `sum_to(-x)` (the negation would wrap first); only floats move.
"""

from __future__ import annotations

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register
from tensorgraft.rewrite.patterns import scalar_constant
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.reduction import SumTo, sum_to


def _only_sum_to(fgraph: FunctionGraph, var: Variable) -> Apply | None:
    """The `sum_to` node computing `var` where `var` has exactly one client, else None."""
    node = var.owner
    if node is None or not isinstance(node.op, SumTo):
        return None
    return node if len(fgraph.clients.get(var, ())) == 1 else None


def _inexact(var: Variable) -> bool:
    return var.type.dtype.startswith(("float", "complex"))  # type: ignore[attr-defined]


@register("canonicalize", tracks=[ts.neg, ts.mul, ts.true_div])
def scale_into_sum_to(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """-sum_to(x, s) -> sum_to(-x, s); c * sum_to(x, s) and sum_to(x, s) / c ->
    sum_to(c * x, s) and sum_to(x / c, s) for a one-element constant c."""
    op = node.op
    assert isinstance(op, Elemwise)
    if op.inplace_pattern:
        return None
    scalar = op.scalar_op
    ins = node.inputs
    inner: Apply | None = None
    if scalar == ts.neg:
        inner = _only_sum_to(fgraph, ins[0])
    elif scalar == ts.true_div:
        if scalar_constant(ins[1]) is not None:
            inner = _only_sum_to(fgraph, ins[0])
    elif scalar == ts.mul:
        found = [k for k, v in enumerate(ins) if _only_sum_to(fgraph, v) is not None]
        if len(found) == 1 and all(
            scalar_constant(v) is not None for k, v in enumerate(ins) if k != found[0]
        ):
            inner = ins[found[0]].owner
    if inner is None:
        return None
    x, shape = inner.inputs
    out = node.outputs[0]
    target = inner.outputs[0]
    if not (_inexact(x) and x.type.dtype == target.type.dtype):  # type: ignore[attr-defined]
        return None
    # The constants must not add axes: the scaled x keeps at least the target's rank.
    if any(v is not target and v.type.ndim > target.type.ndim for v in ins):  # type: ignore[attr-defined]
        return None
    scaled = op(*[x if v is target else v for v in ins])
    if scaled.type.dtype != x.type.dtype:  # type: ignore[attr-defined]
        return None
    new = sum_to(scaled, shape)
    return [new] if fits(out, new) else None


@register("canonicalize", tracks=[SumTo])
def sum_to_of_sum_to(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """sum_to(sum_to(x, s1), s2) -> sum_to(x, s2): s1 broadcasts from s2, so every axis
    summed in either step is one x broadcasts along from s2."""
    y, shape = node.inputs
    inner = _only_sum_to(fgraph, y)
    if inner is None:
        return None
    try:
        new = sum_to(inner.inputs[0], shape)
    except ValueError:  # static lengths that do not broadcast: the graph fails anyway
        return None
    return [new] if fits(node.outputs[0], new) else None
