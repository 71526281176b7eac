"""`vectorize_graph` and the rule table it dispatches to, `vectorize_node`.

A rule receives the op, the original (core) node and the node's new inputs, some of
which carry extra leading batch dimensions (an input whose rank did not grow is
unbatched), and returns the node's batched outputs. Batch dimensions always come first;
inputs with fewer batch dimensions broadcast against the others, as in NumPy. An output
that does not depend on the batch (the shape of a batched array, say) may stay
unbatched: consumers broadcast it.

Ops without a rule of their own fall back to `Blockwise(op, signature)`, which loops the
core `perform` over the batch; `core_signature` derives the signature.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar, overload

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.traversal import ancestors, io_toposort
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.construction import Alloc
from tensorgraft.tensor.elemwise import broadcast_dim, broadcast_static_shape, expand_dims_left
from tensorgraft.tensor.shape import shape_tuple
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable

Rule = Callable[..., Sequence[Variable]]
OpT = TypeVar("OpT", bound=type)


@functools.singledispatch
def vectorize_node(op: Op, node: Apply, *inputs: Variable) -> Sequence[Variable]:
    """The batched outputs of `node` (an application of `op`) on new `inputs`.

    The default batches the op with `Blockwise`; register a rule per op type with
    `@vectorize_node.register(OpType)` where the op can do better (shift an axis, keep
    a view) or where Blockwise would be wrong.
    """
    return blockwise_rule(op, node, *inputs)


def blockwise_rule(op: Op, node: Apply, *inputs: Variable) -> Sequence[Variable]:
    """Batch `node` as `Blockwise(op, core_signature(op, node))` on `inputs`."""
    out = Blockwise(op, core_signature(op, node))(*inputs)
    return out if isinstance(out, list) else [out]


# Explicit gufunc signatures by op type; ops absent here get one derived from the node.
_SIGNATURES: dict[type, str | Callable[[Op, Apply], str]] = {}


def use_blockwise(op_type: OpT, signature: str | Callable[[Op, Apply], str] | None = None) -> OpT:
    """Declare that `op_type` is batched by the Blockwise fallback, optionally with its
    gufunc `signature` (a string, or a function of the op and node giving one).

    Blockwise stacks one core result per batch element. Where an output's shape depends
    on input values (a batched length argument), the results stack when the shapes agree
    and Blockwise raises at run time when they do not (a ragged result).
    """
    if signature is not None:
        _SIGNATURES[op_type] = signature
    vectorize_node.register(op_type)(blockwise_rule)
    return op_type


def core_signature(op: Op, node: Apply) -> str:
    """A gufunc signature for `node`: the op's own `gufunc_signature` where it declares
    one, else the registered one, else one derived from the node.

    A derived signature names every core input dimension apart and gives an output
    dimension the name of an input dimension when the op's `infer_shape` says they are
    the same length.
    """
    declared = getattr(op, "gufunc_signature", None)
    if isinstance(declared, str):
        return declared
    known = _SIGNATURES.get(type(op))
    if known is not None:
        return known if isinstance(known, str) else known(op, node)
    in_dims = [
        tuple(f"i{k}_{a}" for a in range(i.type.ndim))  # type: ignore[attr-defined]
        for k, i in enumerate(node.inputs)
    ]
    out_dims = [
        [f"o{k}_{a}" for a in range(o.type.ndim)]  # type: ignore[attr-defined]
        for k, o in enumerate(node.outputs)
    ]
    # Stand-in lengths, recognised by identity in what infer_shape returns.
    placeholders: list[Any] = [tuple(_ShapePlaceholder(d) for d in dims) for dims in in_dims]
    try:
        shapes = op.infer_shape(None, node, placeholders)
    except Exception:
        shapes = []
    for k, shape in enumerate(shapes):
        for a, s in enumerate(shape):
            if isinstance(s, _ShapePlaceholder):
                out_dims[k][a] = s.dim
    ins = ",".join(f"({','.join(d)})" for d in in_dims)
    outs = ",".join(f"({','.join(d)})" for d in out_dims)
    return f"{ins}->{outs}"


class _ShapePlaceholder:
    """A symbolic length standing for core dimension `dim` while deriving a signature."""

    def __init__(self, dim: str) -> None:
        self.dim = dim


def batch_ndim(node: Apply, inputs: Sequence[Variable]) -> int:
    """How many leading batch dimensions the new `inputs` of `node` (or the first ones
    of them) carry: the most any of them has."""
    pairs = zip(inputs, node.inputs[: len(inputs)], strict=True)
    return max((new.type.ndim - old.type.ndim for new, old in pairs), default=0)  # type: ignore[attr-defined]


def align_batch(node: Apply, inputs: Sequence[Variable]) -> tuple[int, list[TensorVariable]]:
    """The batch rank and the `inputs` (or the first ones), each given exactly that many
    batch dimensions (unbatched inputs and those with fewer get leading axes of length 1)."""
    b = batch_ndim(node, inputs)
    aligned = []
    for new, old in zip(inputs, node.inputs[: len(inputs)], strict=True):
        t = as_tensor(new)
        missing = b - (t.ndim - old.type.ndim)  # type: ignore[attr-defined]
        aligned.append(expand_dims_left(t, missing) if missing else t)
    return b, aligned


def is_batched(node: Apply, inputs: Sequence[Variable], k: int) -> bool:
    """Whether the new input `k` of `node` carries batch dimensions."""
    return inputs[k].type.ndim > node.inputs[k].type.ndim  # type: ignore[attr-defined]


def batch_lengths(aligned: Sequence[TensorVariable], b: int) -> list[Any]:
    """The broadcast lengths of the `b` batch axes of `aligned` inputs (ints or scalars)."""
    shapes = [shape_tuple(t)[:b] for t in aligned]
    return [broadcast_dim(dims) for dims in zip(*shapes, strict=True)]


# Set while vectorize_graph runs when every replacement has the same batch shape: then
# every batched variable has exactly that batch shape, and only unbatched ones broadcast.
_ONE_BATCH_SHAPE: ContextVar[bool] = ContextVar("one_batch_shape", default=False)


def broadcast_batch(aligned: Sequence[TensorVariable], b: int) -> list[TensorVariable]:
    """The `aligned` inputs, each broadcast to the full batch shape of all of them (for ops
    whose inputs must agree in every dimension, such as a join)."""
    full = broadcast_static_shape([t.type.shape[:b] for t in aligned])
    if None not in full and all(t.type.shape[:b] == full for t in aligned):
        return list(aligned)
    unbatched = [all(s == 1 for s in t.type.shape[:b]) for t in aligned]
    if _ONE_BATCH_SHAPE.get() and not all(unbatched):
        # The batched inputs agree: only the unbatched ones (length-1 batch) take their shape.
        ref = aligned[unbatched.index(False)]
        lengths = shape_tuple(ref)[:b]
        return [
            Alloc()(t, *lengths, *shape_tuple(t)[b:]) if u else t
            for t, u in zip(aligned, unbatched, strict=True)
        ]
    batch = batch_lengths(aligned, b)
    return [
        t
        if None not in full and t.type.shape[:b] == full
        else Alloc()(t, *batch, *shape_tuple(t)[b:])
        for t in aligned
    ]


def shift_axis_rule(*fields: str) -> Rule:
    """A rule for an op whose first input is an array and whose `fields` are axes of it:
    the axes move past the batch dimensions. Where an axis is None (the op works on the
    flattened array) or another input is batched, it falls back to Blockwise."""

    def rule(op: Any, node: Apply, x: Variable, *rest: Variable) -> Sequence[Variable]:
        axes = [getattr(op, f) for f in fields]
        others = [is_batched(node, [x, *rest], k) for k in range(1, node.nin)]
        if None in axes or any(others):
            return blockwise_rule(op, node, x, *rest)
        # op(x, axis) -> op(batched x, axis + b)
        b, (x,) = align_batch(node, [x])
        out = dataclasses.replace(op, **{f: a + b for f, a in zip(fields, axes, strict=True)})(
            x, *rest
        )
        return out if isinstance(out, list) else [out]

    rule.__name__ = rule.__qualname__ = f"shift_{'_'.join(fields)}"
    return rule


def _check_replacement(old: Variable, new: Variable) -> None:
    if not isinstance(new, Variable):
        raise TypeError(
            f"vectorize_graph: replacement for {describe(old)} is {new!r}, not a variable"
        )
    old_t, new_t = old.type, new.type
    if not isinstance(old_t, TensorType) or not isinstance(new_t, TensorType):
        raise TypeError(
            f"vectorize_graph: {describe(old)} ({old_t}) and {describe(new)} ({new_t}) "
            "must both be tensors"
        )
    b = new_t.ndim - old_t.ndim
    trailing = new_t.shape[b:] if b >= 0 else ()
    fits = (
        b >= 0
        and new_t.dtype == old_t.dtype
        and all(
            n is None or o is None or n == o for n, o in zip(trailing, old_t.shape, strict=True)
        )
    )
    if not fits:
        raise TypeError(
            f"vectorize_graph: cannot replace {describe(old)} of type {old_t} by "
            f"{describe(new)} of type {new_t}: the replacement must have the same dtype and "
            f"end with the core shape {old_t.shape}"
        )


@overload
def vectorize_graph(outputs: Variable, replace: Mapping[Any, Any]) -> Variable: ...
@overload
def vectorize_graph(outputs: Sequence[Variable], replace: Mapping[Any, Any]) -> list[Variable]: ...
def vectorize_graph(
    outputs: Variable | Sequence[Variable], replace: Mapping[Any, Any]
) -> Variable | list[Variable]:
    """The graph of `outputs` batched over the leading dimensions of the replacements.

    `replace` maps core variables of the graph (inputs, or intermediate variables) to
    variables of the same dtype whose shape is extra leading batch dimensions followed
    by the core shape. Returns a variable or a list, as `outputs` was given. An output
    that does not depend on any replaced variable is returned as it was.

        x = tt.vector("x", shape=(3,))
        y = tt.log(1 + x)
        new_x = tt.matrix("new_x", shape=(2, 3))
        vectorize_graph(y, {x: new_x})  # a (2, 3) matrix: log(1 + new_x)
    """
    single = isinstance(outputs, Variable)
    outs: list[Variable] = [outputs] if isinstance(outputs, Variable) else list(outputs)
    memo: dict[Variable, Variable] = {}
    for old, new in replace.items():
        _check_replacement(old, new)
        memo[old] = new
    used = set(ancestors(outs))
    for old in memo:
        if old not in used:
            raise ValueError(
                f"vectorize_graph: {describe(old)} is not part of the graph: the outputs do "
                "not depend on it (a graph that only reads its static shape, such as "
                "ones_like of it, was folded into a constant when it was built)"
            )
    existing = used | set(ancestors(list(memo.values())))  # the user's, never relabelled
    batch_shapes = {new.type.shape[: new.type.ndim - old.type.ndim] for old, new in memo.items()}  # type: ignore[attr-defined]
    one_shape = len(memo) == 1 or (len(batch_shapes) == 1 and None not in next(iter(batch_shapes)))
    token = _ONE_BATCH_SHAPE.set(one_shape)
    try:
        _vectorize_nodes(list(memo), outs, memo, existing)
    finally:
        _ONE_BATCH_SHAPE.reset(token)
    result = [memo.get(o, o) for o in outs]
    return result[0] if single else result


def _vectorize_nodes(
    replaced: list[Variable],
    outs: list[Variable],
    memo: dict[Variable, Variable],
    existing: set[Variable],
) -> None:
    """Batch every node between `replaced` and `outs`, recording new variables in `memo`."""
    for node in io_toposort(replaced, outs):
        new_inputs = [memo.get(i, i) for i in node.inputs]
        if all(n is o for n, o in zip(new_inputs, node.inputs, strict=True)):
            continue
        if batch_ndim(node, new_inputs) == 0:
            new_outputs: Sequence[Variable] = node.clone_with_new_inputs(
                new_inputs, strict=False
            ).outputs
        else:
            new_outputs = vectorize_node(node.op, node, *new_inputs)
        if len(new_outputs) != len(node.outputs):
            raise RuntimeError(
                f"the vectorize rule of {node.op} gave {len(new_outputs)} outputs, "
                f"not {len(node.outputs)}"
            )
        for old, new in zip(node.outputs, new_outputs, strict=True):
            if new.owner is not None and new not in existing:  # made by the rule
                if new.name is None:
                    new.name = old.name
                # Errors about the batched node point where the user wrote the core one.
                new.owner.site = node.site or new.owner.site
                new.site = old.site or new.site
            memo[old] = new


def vectorize_rule_of(op_type: type) -> Rule | None:
    """The rule registered for `op_type` (or inherited from a base class), None if it
    would fall back to the default Blockwise rule without having been declared."""
    rule = vectorize_node.dispatch(op_type)
    if rule is vectorize_node.dispatch(object):
        return None
    return rule


__all__ = [
    "align_batch",
    "batch_lengths",
    "batch_ndim",
    "blockwise_rule",
    "broadcast_batch",
    "core_signature",
    "is_batched",
    "shift_axis_rule",
    "use_blockwise",
    "vectorize_graph",
    "vectorize_node",
    "vectorize_rule_of",
]
