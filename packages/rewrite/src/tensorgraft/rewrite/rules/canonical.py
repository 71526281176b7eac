"""Canonical sums and products (phase `canonicalize`); the form is documented in README.md.

* `add` and `mul` are flat: `(a + b) + c` is `add(a, b, c)` (when the inner sum has no
  other client and the same dtype);
* their constant terms are combined into one, placed first: `add(3, x, y)`; an identity
  constant (0 for add, 1 for mul) disappears;
* negation stays `neg(x)`, subtraction stays `sub(x, y)`: `mul(-1, x)` becomes `neg(x)`,
  so later phases match `neg` and `sub` patterns directly;
* `x - x` is zeros and `x / x` is ones (of the result's dtype and shape), as in PyTensor:
  values where x is inf or nan (or 0 for `x / x`) are not preserved;
* more generally the factors of a product over a quotient, and the positive and negative
  terms of a sum, cancel pairwise: `x * y / x -> y`, `(x + y) - x -> y`, where the result
  keeps the type and the lengths are known to agree (same assumptions as above).
"""

from __future__ import annotations

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register, register_pattern
from tensorgraft.rewrite.patterns import constant_value
from tensorgraft.rewrite.rules.shapes import dim_key
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


# How deep a product or sum is looked into for terms that cancel (rules stay local).
CANCEL_DEPTH = 3


@register("canonicalize", tracks=[ts.true_div, ts.mul])
def cancel_factors(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """x * y / x -> y: a factor of the numerator cancels one of the denominator.

    The cancelled factor is assumed non-zero (as in PyTensor).
    """
    out = node.outputs[0]
    if len(node.inputs) == 2 and node.inputs[0] is node.inputs[1]:
        return None  # x / x and x * x: cancel_self and specialize
    num: list[Variable] = []
    den: list[Variable] = []
    for k, inp in enumerate(node.inputs):
        into = den if node.op.scalar_op == ts.true_div and k == 1 else num  # type: ignore[attr-defined]
        other = num if into is den else den
        _split(inp, out, ts.mul, ts.true_div, into, other, CANCEL_DEPTH)
    if not _cancel(num, den):
        return None
    if not num and not den:
        return _filled(out, node.inputs[0], 1)
    top = _join(ts.mul, num) if num else constant(np.array(1, dtype=out.type.dtype))  # type: ignore[attr-defined]
    new = Elemwise(ts.true_div)(top, _join(ts.mul, den)) if den else top
    return [new] if _same_value_type(out, new) else None


@register("canonicalize", tracks=[ts.sub, ts.add])
def cancel_terms(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """(x + y) - x -> y: a term added cancels one subtracted (inf/nan not kept)."""
    out = node.outputs[0]
    if len(node.inputs) == 2 and node.inputs[0] is node.inputs[1]:
        return None  # x - x: cancel_self
    pos: list[Variable] = []
    neg: list[Variable] = []
    for k, inp in enumerate(node.inputs):
        into = neg if node.op.scalar_op == ts.sub and k == 1 else pos  # type: ignore[attr-defined]
        other = pos if into is neg else neg
        _split(inp, out, ts.add, ts.sub, into, other, CANCEL_DEPTH)
    if not _cancel(pos, neg):
        return None
    if not pos and not neg:
        return _filled(out, node.inputs[0], 0)
    if not pos:
        new = Elemwise(ts.neg)(_join(ts.add, neg))
    elif neg:
        new = Elemwise(ts.sub)(_join(ts.add, pos), _join(ts.add, neg))
    else:
        new = _join(ts.add, pos)
    return [new] if _same_value_type(out, new) else None


def _split(
    var: Variable,
    out: Variable,
    join: ts.ScalarOp,
    inverse: ts.ScalarOp,
    into: list[Variable],
    other: list[Variable],
    depth: int,
) -> None:
    """Append the terms of `var` (a nest of `join` and `inverse`, and neg for sums) to
    `into`, the inverted ones to `other`; only through nodes of `out`'s type."""
    node = var.owner
    if depth > 0 and node is not None and var.type == out.type and isinstance(node.op, Elemwise):
        if not node.op.inplace_pattern:
            op = node.op.scalar_op
            if op == join:
                for i in node.inputs:
                    _split(i, out, join, inverse, into, other, depth - 1)
                return
            if op == inverse:
                _split(node.inputs[0], out, join, inverse, into, other, depth - 1)
                _split(node.inputs[1], out, join, inverse, other, into, depth - 1)
                return
            if op == ts.neg and join == ts.add:
                _split(node.inputs[0], out, join, inverse, other, into, depth - 1)
                return
    into.append(var)


def _cancel(a: list[Variable], b: list[Variable]) -> bool:
    """Remove the variables `a` and `b` share (pairwise, in place); whether any did."""
    found = False
    for v in list(a):
        k = next((k for k, w in enumerate(b) if w is v), None)  # by identity, never ==
        if k is not None:
            del b[k]
            del a[next(j for j, w in enumerate(a) if w is v)]
            found = True
    return found


def _join(op: ts.ScalarOp, terms: list[Variable]) -> Variable:
    return terms[0] if len(terms) == 1 else Elemwise(op)(*terms)


def _same_value_type(out: Variable, new: Variable) -> bool:
    """Whether `new` has out's type and, axis by axis, lengths known to equal out's."""
    if not fits(out, new) or new.type.ndim != out.type.ndim:  # type: ignore[attr-defined]
        return False
    return all(dim_key(new, a) == dim_key(out, a) for a in range(out.type.ndim))  # type: ignore[attr-defined]


def _filled(out: Variable, src: Variable, value: float) -> RuleResult:
    new = filled_like(out, src, value)
    return [new] if new is not None and _same_value_type(out, new) else None
