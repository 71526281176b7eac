"""`vectorize(fn, signature)`: a batched version of a Python function over core graphs."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from tensorgraft.graph.basic import Variable
from tensorgraft.graph.traversal import ancestors
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.blockwise import parse_signature
from tensorgraft.tensor.construction import Alloc
from tensorgraft.tensor.elemwise import expand_dims_left
from tensorgraft.tensor.shape import shape_tuple
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable
from tensorgraft.vectorize.core import batch_lengths, vectorize_graph


def vectorize(
    fn: Callable[..., Any], signature: str | None = None
) -> Callable[..., TensorVariable | list[TensorVariable]]:
    """A batched version of `fn`, like `numpy.vectorize(fn, signature=...)` or `jax.vmap`.

    `fn` takes and returns tensor variables of the core shapes that `signature` gives
    (gufunc style, e.g. '(n),(n)->()'; without one every core is a scalar). The returned
    function takes arguments with extra leading batch dimensions, which broadcast
    together, calls `fn` once on core placeholders and batches the graph it builds
    with `vectorize_graph`. Every output carries the full batch shape.

        row_norm = vectorize(lambda v: tt.sqrt((v * v).sum()), signature="(n)->()")
        row_norm(tt.matrix("m"))  # a vector: one norm per row
    """
    ins_sig, outs_sig = parse_signature(signature) if signature else (None, None)

    @functools.wraps(fn)
    def batched(*args: Any) -> TensorVariable | list[TensorVariable]:
        tensors = [as_tensor(a) for a in args]
        if ins_sig is not None and len(ins_sig) != len(tensors):
            raise TypeError(
                f"vectorize({_name(fn)}): the signature {signature!r} takes {len(ins_sig)} "
                f"arguments, got {len(tensors)}"
            )
        core_ndims = [len(s) for s in ins_sig] if ins_sig is not None else [0] * len(tensors)
        if ins_sig is not None:
            _check_core_dims(fn, signature, tensors, ins_sig)
        core_inputs: list[TensorVariable] = []
        for t, nd in zip(tensors, core_ndims, strict=True):
            core_type = TensorType(t.dtype, t.type.shape[t.ndim - nd :])
            core_inputs.append(TensorVariable(core_type, name=t.name))
        result = fn(*core_inputs)
        single = not isinstance(result, list | tuple)
        outs = [as_tensor(o) for o in ([result] if single else result)]
        if outs_sig is not None:
            _check_outputs(fn, signature, outs, outs_sig)
        used = set(ancestors(outs))
        replace = {c: t for c, t in zip(core_inputs, tensors, strict=True) if c in used}
        new_outs = vectorize_graph(outs, replace) if replace else outs
        batch_of = [(t, t.ndim - nd) for t, nd in zip(tensors, core_ndims, strict=True)]
        full = [
            _broadcast_batch(as_tensor(n), o.ndim, batch_of)
            for n, o in zip(new_outs, outs, strict=True)
        ]
        return full[0] if single else full

    return batched


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", repr(fn))


def _check_core_dims(
    fn: Callable[..., Any],
    signature: str | None,
    tensors: Sequence[TensorVariable],
    ins_sig: Sequence[tuple[str, ...]],
) -> None:
    """Each core dimension named in the signature has one static length, where known."""
    seen: dict[str, tuple[int, TensorVariable]] = {}
    for t, sig in zip(tensors, ins_sig, strict=True):
        if t.ndim < len(sig):
            raise ValueError(
                f"vectorize({_name(fn)}): {describe(t)} has {t.ndim} dimensions, its core "
                f"in {signature!r} needs {len(sig)}"
            )
        for d, n in zip(sig, t.type.shape[t.ndim - len(sig) :], strict=True):
            if n is None:
                continue
            first = seen.setdefault(d, (n, t))
            if first[0] != n:
                raise ValueError(
                    f"vectorize({_name(fn)}): core dimension '{d}' of {signature!r} has length "
                    f"{first[0]} in {describe(first[1])} and {n} in {describe(t)}"
                )


def _check_outputs(
    fn: Callable[..., Any],
    signature: str | None,
    outs: Sequence[TensorVariable],
    outs_sig: Sequence[tuple[str, ...]],
) -> None:
    if len(outs) != len(outs_sig):
        raise ValueError(
            f"vectorize({_name(fn)}): the signature {signature!r} has {len(outs_sig)} "
            f"outputs, the function returned {len(outs)}"
        )
    for k, (o, sig) in enumerate(zip(outs, outs_sig, strict=True)):
        if o.ndim != len(sig):
            raise ValueError(
                f"vectorize({_name(fn)}): output {k}, {describe(o)}, has {o.ndim} dimensions; "
                f"the signature {signature!r} says ({','.join(sig)})"
            )


def _broadcast_batch(
    out: TensorVariable, core_ndim: int, batch_of: Sequence[tuple[TensorVariable, int]]
) -> TensorVariable:
    """`out` broadcast over the batch dimensions of every argument (as numpy.vectorize)."""
    b = max((nb for _, nb in batch_of), default=0)
    have = out.ndim - core_ndim
    batched = [t for t, nb in batch_of if nb]
    if all(nb == 0 or _covers(out, have, t, nb, len(batched) == 1) for t, nb in batch_of):
        return out
    aligned = [expand_dims_left(t, b - nb) if b > nb else t for t, nb in batch_of]
    return Alloc()(out, *batch_lengths(aligned, b), *shape_tuple(out)[have:])


def _covers(out: Variable, have: int, t: TensorVariable, nb: int, alone: bool) -> bool:
    """Whether `out`, with `have` batch dims, already spans the batch dims of argument `t`
    (statically, or because `t` is the only batched argument and `out` depends on it)."""
    if nb > have:
        return False
    out_batch = out.type.shape[have - nb : have]  # type: ignore[attr-defined]
    lengths = zip(out_batch, t.type.shape[:nb], strict=True)
    if all(s == 1 or (o is not None and o == s) for o, s in lengths):
        return True
    return alone and have == nb and t in set(ancestors([out]))


__all__ = ["vectorize"]
