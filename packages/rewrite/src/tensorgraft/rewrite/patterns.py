"""Declarative patterns: `(ts.log, (ts.add, 1, "x"))` matches `log(1 + x)`.

A pattern is a nested tuple `(head, *arguments)`:

* head: a scalar op instance (`ts.log`: an `Elemwise` of it that works out of place),
  a scalar op class (`ts.Cast`), an op instance (exact equality) or an op class;
* argument: a name (`"x"`, binds any variable; a name used twice must bind the same
  variable), a number (a constant, possibly behind `ExpandDims`, whose elements all
  equal it), or a nested pattern. `"*rest"` as the last argument of a commutative variadic
  op (add, mul) binds the remaining inputs, at least one.

Commutative ops match their arguments in any order. A result is written the same way,
with a callable allowed as head; numbers become weakly typed constants (`x`'s dtype).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.op import Op
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.scalar_ops import ScalarOp

Pattern = Any
Bindings = dict[str, Any]


def constant_value(var: Variable) -> np.ndarray | None:
    """The value of a constant, seen through `ExpandDims`; None if `var` is not one."""
    while var.owner is not None:
        op = var.owner.op
        if not isinstance(op, DimShuffle) or op.dropped or list(op.kept) != sorted(op.kept):
            return None
        var = var.owner.inputs[0]
    if isinstance(var, Constant) and isinstance(var.data, np.ndarray):
        return var.data
    return None


def scalar_constant(var: Variable) -> Any:
    """The single value of a one-element constant (through ExpandDims), else None."""
    data = constant_value(var)
    if data is None or data.size != 1:
        return None
    return data.reshape(())[()]


# Larger constants are not checked for holding one repeated value.
UNIFORM_MAX_SIZE = 4096


def uniform_constant(var: Variable) -> Any:
    """The value of a constant (through ExpandDims) whose elements are all equal, else None.

    `ones(3) / x` matches `1 / x` this way; a rule still only fires where its result keeps
    the dtype and static shape (so a constant that broadcasts `x` is not dropped).
    """
    data = constant_value(var)
    if data is None or data.size == 0 or data.size > UNIFORM_MAX_SIZE:
        return None
    first = data.reshape(-1)[0]
    if data.size > 1 and not (data == first).all():
        return None
    return first


def head_key(head: Any) -> Any:
    """The index key of a pattern head: an op type or (Elemwise, scalar op type)."""
    if isinstance(head, ScalarOp):
        return (Elemwise, type(head))
    if isinstance(head, type) and issubclass(head, ScalarOp):
        return (Elemwise, head)
    if isinstance(head, Op):
        return type(head)
    if isinstance(head, type) and issubclass(head, Op):
        return head
    raise TypeError(f"pattern head must be an op or op class, got {head!r}")


def _head_matches(head: Any, op: Op) -> bool:
    if isinstance(head, ScalarOp):
        return isinstance(op, Elemwise) and not op.inplace_pattern and op.scalar_op == head
    if isinstance(head, type) and issubclass(head, ScalarOp):
        return (
            isinstance(op, Elemwise) and not op.inplace_pattern and isinstance(op.scalar_op, head)
        )
    if isinstance(head, Op):
        return op == head
    return isinstance(op, head)


def _commutative(head: Any) -> bool:
    op = head if isinstance(head, ScalarOp) else None
    return op is not None and op.commutative


def match(pattern: Pattern, var: Variable, bound: Bindings) -> Bindings | None:
    """Bindings extending `bound` under which `pattern` matches `var`, or None."""
    if isinstance(pattern, str):
        if pattern in bound:
            return bound if bound[pattern] is var else None
        return {**bound, pattern: var}
    if isinstance(pattern, bool | int | float):
        value = uniform_constant(var)
        if value is None or not value == pattern:
            return None
        return bound
    head, *args = pattern
    node = var.owner
    if node is None or len(node.outputs) != 1 or not _head_matches(head, node.op):
        return None
    inputs = node.inputs
    if args and isinstance(args[-1], str) and args[-1].startswith("*"):
        return _match_rest(args[:-1], args[-1], inputs, bound)
    if len(args) != len(inputs):
        return None
    orders = itertools.permutations(inputs) if _commutative(head) else (inputs,)
    for order in orders:
        result = _match_all(args, order, bound)
        if result is not None:
            return result
    return None


def _match_all(
    args: Sequence[Pattern], values: Sequence[Variable], bound: Bindings
) -> Bindings | None:
    result = bound
    for p, v in zip(args, values, strict=True):
        found = match(p, v, result)
        if found is None:
            return None
        result = found
    return result


def _match_rest(
    args: Sequence[Pattern], rest: str, inputs: Sequence[Variable], bound: Bindings
) -> Bindings | None:
    if len(inputs) <= len(args):
        return None
    for chosen in itertools.permutations(range(len(inputs)), len(args)):
        result = _match_all(args, [inputs[k] for k in chosen], bound)
        if result is not None:
            others = [v for k, v in enumerate(inputs) if k not in chosen]
            return {**result, rest: others}
    return None


def build(template: Pattern, bound: Bindings) -> Any:
    """The graph `template` describes, with names replaced by their bindings."""
    if isinstance(template, str):
        return bound[template]
    if not isinstance(template, tuple):
        return template  # a number: a weakly typed constant where it is used
    head, *args = template
    values: list[Any] = []
    for a in args:
        if isinstance(a, str) and a.startswith("*"):
            values.extend(bound[a])
        else:
            values.append(build(a, bound))
    if isinstance(head, ScalarOp):
        if head.nin == -1 and len(values) == 1:
            return values[0]
        return Elemwise(head)(*values)
    if callable(head):
        return head(*values)
    raise TypeError(f"cannot build a result with head {head!r}")


def pattern_names(pattern: Pattern) -> set[str]:
    """The names a pattern binds."""
    if isinstance(pattern, str):
        return {pattern}
    if isinstance(pattern, tuple):
        return set().union(*(pattern_names(p) for p in pattern[1:]))
    return set()


BuildFn = Callable[[Bindings], Any]
