"""Canonical sums and products (phase `canonicalize`); the form is documented in README.md.

* `add` and `mul` are flat: `(a + b) + c` is `add(a, b, c)` (when the inner sum has no
  other client and the same dtype);
* their constant terms are combined into one, placed first: `add(3, x, y)`; an identity
  constant (0 for add, 1 for mul) disappears;
* negation stays `neg(x)`, subtraction stays `sub(x, y)`: `mul(-1, x)` becomes `neg(x)`,
  so later phases match `neg` and `sub` patterns directly;
* `x - x` is zeros and `x / x` is ones (of the result's dtype and shape), as in PyTensor:
  values where x is inf or nan (or 0 for `x / x`) are not preserved.
"""

from __future__ import annotations

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register, register_pattern
from tensorgraft.rewrite.patterns import constant_value
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.basic import constant
from tensorgraft.tensor.construction import Alloc
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.shape import ShapeI

# A cancelled x - x or x / x becomes a constant up to this size, an alloc beyond.
FILL_MAX_ELEMENTS = 1024

# mul(-1, x) -> neg(x): negation has one canonical spelling.
register_pattern(
    "mul_minus_one", (ts.mul, -1, "*xs"), (ts.neg, (ts.mul, "*xs")), "canonicalize", "specialize"
)


@register("canonicalize", tracks=[ts.add, ts.mul])
def flatten_sum_product(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """add(add(a, b), c) -> add(a, b, c) (and mul) when the inner node has no other use."""
    op = node.op
    assert isinstance(op, Elemwise)
    out = node.outputs[0]
    terms: list[Variable] = []
    changed = False
    for inp in node.inputs:
        inner = inp.owner
        if (
            inner is not None
            and inner.op == op
            and inp.type == out.type
            and len(fgraph.clients.get(inp, ())) == 1
        ):
            terms.extend(inner.inputs)
            changed = True
        else:
            terms.append(inp)
    if not changed:
        return None
    return [op(*terms)]


@register("canonicalize", tracks=[ts.add, ts.mul])
def collect_constants(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """add(x, 2, y, 3) -> add(5, x, y): one constant term, first (dropped if neutral)."""
    op = node.op
    assert isinstance(op, Elemwise)
    consts: list[np.ndarray] = []
    others: list[Variable] = []
    for inp in node.inputs:
        value = constant_value(inp)
        if value is not None and value.size == 1:
            consts.append(value.reshape(()))
        else:
            others.append(inp)
    if not consts or not others:
        return None
    first_is_const = node.inputs[0] is not others[0]
    neutral = 0 if op.scalar_op == ts.add else 1
    with np.errstate(all="ignore"):
        value = op.scalar_op.impl(*consts) if len(consts) > 1 else consts[0]
    value = np.asarray(value)
    out = node.outputs[0]
    if value == neutral and not np.signbit(value):
        new = op(*others) if len(others) > 1 else others[0]
    elif len(consts) == 1 and first_is_const:
        return None  # already canonical
    else:
        new = op(constant(value), *others)
    return [new] if fits(out, new) else None


@register("canonicalize", tracks=[ts.sub, ts.true_div])
def cancel_self(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """x - x -> zeros, x / x -> ones, with the result's dtype and shape (inf/nan not kept)."""
    x, y = node.inputs
    if x is not y:
        return None
    out = node.outputs[0]
    value = 0 if node.op.scalar_op == ts.sub else 1  # type: ignore[attr-defined]
    new = filled_like(out, x, value)
    return [new] if new is not None and fits(out, new) else None


def filled_like(out: Variable, src: Variable, value: float) -> Variable | None:
    """An array of `value` with `out`'s dtype and the shape of `src` (which `out` has)."""
    dtype = out.type.dtype  # type: ignore[attr-defined]
    shape = out.type.shape  # type: ignore[attr-defined]
    if src.type.ndim != len(shape):  # type: ignore[attr-defined]
        return None
    if None not in shape and int(np.prod(shape)) <= FILL_MAX_ELEMENTS:
        return constant(np.full(shape, value, dtype=dtype))
    lengths = [s if s is not None else ShapeI(i)(src) for i, s in enumerate(shape)]
    result: Variable = Alloc()(constant(np.array(value, dtype=dtype)), *lengths)
    return result
