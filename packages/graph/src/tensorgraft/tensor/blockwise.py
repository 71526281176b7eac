"""`Blockwise`: batch any op over leading dimensions, given its gufunc-style signature."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.replace import graph_replace
from tensorgraft.graph.traversal import ancestors
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.elemwise import (
    DimShuffle,
    broadcast_dim,
    broadcast_static_shape,
    expand_dims_left,
)
from tensorgraft.tensor.type import TensorType

CoreDims = tuple[str, ...]

_ARGS = re.compile(r"\(([^()]*)\)")


def parse_signature(signature: str) -> tuple[list[CoreDims], list[CoreDims]]:
    """'(m,k),(k,n)->(m,n)' as ([('m','k'), ('k','n')], [('m','n')])."""
    if signature.count("->") != 1:
        raise ValueError(f"signature {signature!r} needs exactly one '->'")
    ins, outs = signature.replace(" ", "").split("->")

    def parse(part: str) -> list[CoreDims]:
        groups = _ARGS.findall(part)
        if ",".join(f"({g})" for g in groups) != part:
            raise ValueError(f"cannot parse {part!r} in signature {signature!r}")
        return [tuple(d for d in g.split(",") if d) for g in groups]

    return parse(ins), parse(outs)


class ShapeUnknownError(ValueError):
    """An output length that only computing the output tells (it depends on input values)."""


@dataclass(frozen=True)
class Blockwise(Op):
    """`core_op` applied over the leading (batch) dimensions of its inputs.

    `signature` names the core dimensions, e.g. '(m,k),(k,n)->(m,n)' for a matrix
    product. Batch dimensions broadcast as in NumPy and come first in the outputs.

    `perform` calls the core op once per batch element, unless the core op defines
    `perform_stacked(node, inputs, batch_ndim)`: given this Blockwise node and inputs
    that each carry `batch_ndim` leading batch axes (checked to broadcast; lengths of 1
    are not expanded), it returns every output for the whole stack, or NotImplemented
    where its options do not broadcast (Blockwise then loops).
    """

    core_op: Op
    signature: str
    _parsed: tuple[list[CoreDims], list[CoreDims]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_parsed", parse_signature(self.signature))

    @property
    def inputs_sig(self) -> list[CoreDims]:
        return self._parsed[0]

    @property
    def outputs_sig(self) -> list[CoreDims]:
        return self._parsed[1]

    def core_node(self, node: Apply) -> Apply:
        """An Apply of the core op on core-shaped stand-ins for the node's inputs."""
        core = node.tag.get("core_node")
        if core is None:
            core_inputs = [
                TensorType(i.type.dtype, i.type.shape[i.type.ndim - len(sig) :])()  # type: ignore[attr-defined]
                for i, sig in zip(node.inputs, self.inputs_sig, strict=True)
            ]
            core = self.core_op.make_node(*core_inputs)
            node.tag["core_node"] = core
        return core

    def make_node(self, *inputs: Any) -> Apply:
        if len(inputs) != len(self.inputs_sig):
            raise TypeError(f"{self} takes {len(self.inputs_sig)} inputs, got {len(inputs)}")
        tensors = [as_tensor(i) for i in inputs]
        for k, (t, sig) in enumerate(zip(tensors, self.inputs_sig, strict=True)):
            if t.ndim < len(sig):
                raise ValueError(
                    f"{self}: input {k}, {describe(t)}, needs at least {len(sig)} dimensions "
                    f"({','.join(sig)}), got {t.ndim}"
                )
        batch_ndim = max(t.ndim - len(sig) for t, sig in zip(tensors, self.inputs_sig, strict=True))
        operands = tensors
        tensors = [
            t
            if t.ndim - len(sig) == batch_ndim
            else expand_dims_left(t, batch_ndim - t.ndim + len(sig))
            for t, sig in zip(tensors, self.inputs_sig, strict=True)
        ]
        self._check_static_batch(tensors, operands, batch_ndim)
        batch = broadcast_static_shape([t.type.shape[:batch_ndim] for t in tensors], operands)
        sizes = self._core_sizes(tensors, batch_ndim)
        # Operands without batch dimensions are their own core inputs: the core op can
        # then read static values (a constant length) from them.
        core_inputs = [
            o if o.ndim == len(sig) else TensorType(t.dtype, t.type.shape[batch_ndim:])()
            for o, t, sig in zip(operands, tensors, self.inputs_sig, strict=True)
        ]
        core = self.core_op.make_node(*core_inputs)
        outputs = []
        for out, sig in zip(core.outputs, self.outputs_sig, strict=True):
            core_shape = out.type.shape  # type: ignore[attr-defined]
            if len(core_shape) != len(sig):
                raise ValueError(
                    f"{self}: core output has shape {core_shape}, not ({','.join(sig)})"
                )
            shape = tuple(
                s if s is not None else sizes.get(d) for s, d in zip(core_shape, sig, strict=True)
            )
            outputs.append(TensorType(out.type.dtype, batch + shape)())  # type: ignore[attr-defined]
        node = Apply(self, tensors, outputs)
        return node

    def _check_static_batch(
        self, tensors: Sequence[Variable], operands: Sequence[Variable], batch_ndim: int
    ) -> None:
        """Raise if static batch lengths differ (neither is 1), naming the full shapes."""
        for axis in range(batch_ndim):
            dims = [t.type.shape[axis] for t in tensors]  # type: ignore[attr-defined]
            known = sorted({d for d in dims if d is not None and d != 1})
            if len(known) > 1:
                parts = [
                    f"{describe(o)} has shape {o.type.shape}"  # type: ignore[attr-defined]
                    for o, d in zip(operands, dims, strict=True)
                    if d is not None and d != 1
                ]
                raise ValueError(
                    f"{self.core_op}: batch dimensions cannot be broadcast: {' and '.join(parts)} "
                    f"(batch axis {axis} has lengths "
                    f"{' and '.join(map(str, known))})"
                )

    def _core_sizes(self, tensors: Sequence[Variable], batch_ndim: int) -> dict[str, int]:
        sizes: dict[str, int] = {}
        first: dict[str, Variable] = {}
        for t, sig in zip(tensors, self.inputs_sig, strict=True):
            for d, s in zip(sig, t.type.shape[batch_ndim:], strict=True):  # type: ignore[attr-defined]
                if s is None:
                    continue
                first.setdefault(d, t)
                if sizes.setdefault(d, s) != s:
                    raise ValueError(
                        f"{self}: core dimension '{d}' has length {sizes[d]} in "
                        f"{describe(first[d])} and {s} in {describe(t)}"
                    )
        return sizes

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        core = self.core_node(node)
        batch_ndim = node.outputs[0].type.ndim - len(self.outputs_sig[0])  # type: ignore[attr-defined]
        stacked = getattr(self.core_op, "perform_stacked", None)
        if batch_ndim == 0 and stacked is None:
            return list(self.core_op.perform(core, inputs))
        batch = self._batch_shape(node, inputs, batch_ndim)
        if stacked is not None:
            # The core op computes the whole stack at once (NumPy broadcasts the batch).
            stack = stacked(node, inputs, batch_ndim)
            if stack is not NotImplemented:
                return self._check_stacked(node, list(stack), batch, batch_ndim)
            if batch_ndim == 0:
                return list(self.core_op.perform(core, inputs))
        arrays = [np.broadcast_to(i, batch + np.shape(i)[batch_ndim:]) for i in inputs]
        results: list[np.ndarray] | None = None
        for idx in np.ndindex(*batch):
            outs = self.core_op.perform(core, [a[idx] for a in arrays])
            if results is None:
                results = [np.empty(batch + np.shape(o), dtype=o.dtype) for o in outs]
            for k, (r, o) in enumerate(zip(results, outs, strict=True)):
                if np.shape(o) != r.shape[batch_ndim:]:
                    # Assigning would broadcast a length-1 axis silently.
                    raise ValueError(
                        f"{describe(node.outputs[k])}: {self.core_op} gives results of different "
                        f"shapes across the batch (a ragged result): {r.shape[batch_ndim:]} at "
                        f"batch index {(0,) * batch_ndim}, {np.shape(o)} at {idx}"
                    )
                r[idx] = o
        if results is None:  # an empty batch: the core shapes come from the signature
            results = self._empty_outputs(node, inputs, batch, batch_ndim)
        return results

    def _batch_shape(self, node: Apply, inputs: Sequence[Any], batch_ndim: int) -> tuple[int, ...]:
        """The broadcast batch shape of run-time `inputs`, or an error naming them."""
        shapes = [np.shape(i) for i in inputs]
        try:
            return tuple(np.broadcast_shapes(*[s[:batch_ndim] for s in shapes]))
        except ValueError:
            parts = []
            for v, s in zip(node.inputs, shapes, strict=True):
                operand = user_operand(v)  # without the axes make_node added in front
                added = v.type.ndim - operand.type.ndim  # type: ignore[attr-defined]
                parts.append(f"{describe(operand)} has shape {s[added:]}")
            raise ValueError(
                f"{self.core_op}: the batch dimensions of the inputs cannot be broadcast: "
                f"{' and '.join(parts)}"
            ) from None

    def _check_stacked(
        self, node: Apply, results: list[Any], batch: tuple[int, ...], batch_ndim: int
    ) -> list[Any]:
        """`results` of a core op's perform_stacked, checked to carry the batch shape."""
        for out, r in zip(node.outputs, results, strict=True):
            if np.shape(r)[:batch_ndim] != batch or np.ndim(r) != out.type.ndim:  # type: ignore[attr-defined]
                raise ValueError(
                    f"{describe(out)}: {self.core_op}.perform_stacked gave shape {np.shape(r)} "
                    f"for batch shape {batch}"
                )
        return results

    def _empty_outputs(
        self, node: Apply, inputs: Sequence[Any], batch: tuple[int, ...], batch_ndim: int
    ) -> list[np.ndarray]:
        sizes: dict[str, Any] = {}
        for i, sig in zip(inputs, self.inputs_sig, strict=True):
            sizes.update(zip(sig, np.shape(i)[batch_ndim:], strict=True))
        core_shapes: list[Any] | None = None
        results = []
        for k, (out, sig) in enumerate(zip(node.outputs, self.outputs_sig, strict=True)):
            static = out.type.shape[batch_ndim:]  # type: ignore[attr-defined]
            shape = []
            for a, (d, s) in enumerate(zip(sig, static, strict=True)):
                n = sizes.get(d, s)
                if n is None:
                    # The core op's infer_shape on the input lengths, where it needs no values.
                    if core_shapes is None:
                        lengths = [tuple(np.shape(i)[batch_ndim:]) for i in inputs]
                        core_shapes = self._try_core_shapes(node, lengths)
                    n = core_shapes[k][a] if core_shapes is not None else None
                if not isinstance(n, int | np.integer):
                    raise ValueError(
                        f"{describe(out)}: the length of core dimension '{d}' of {self} on an "
                        "empty batch is not known (it depends on the core op's result)"
                    )
                shape.append(int(n))
            results.append(np.empty((*batch, *shape), dtype=out.type.dtype))  # type: ignore[attr-defined]
        return results

    def _try_core_shapes(self, node: Apply, lengths: list[tuple[int, ...]]) -> list[Any] | None:
        try:
            return list(self.core_op.infer_shape(None, self.core_node(node), lengths))
        except Exception:
            return None

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        batch_ndim = node.outputs[0].type.ndim - len(self.outputs_sig[0])  # type: ignore[attr-defined]
        batch = tuple(
            broadcast_dim(dims)
            for dims in zip(*[s[:batch_ndim] for s in input_shapes], strict=True)
        )
        sizes: dict[str, Any] = {}
        for shape, sig in zip(input_shapes, self.inputs_sig, strict=True):
            for d, s in zip(sig, shape[batch_ndim:], strict=True):
                if d not in sizes or isinstance(s, int):
                    sizes[d] = s
        if all(d in sizes for sig in self.outputs_sig for d in sig):
            return [batch + tuple(sizes[d] for d in sig) for sig in self.outputs_sig]
        core = self._core_output_shapes(node, input_shapes, batch_ndim)
        return [
            batch + tuple(sizes[d] if d in sizes else c for d, c in zip(sig, shape, strict=True))
            for sig, shape in zip(self.outputs_sig, core, strict=True)
        ]

    def _core_output_shapes(
        self, node: Apply, input_shapes: Sequence[Any], batch_ndim: int
    ) -> list[tuple[Any, ...]]:
        """Core output shapes for dimensions the signature does not tie to an input.

        They come from the core op's `infer_shape`. Where it reads the value of an input
        (a shape or index argument), an input without batch elements of its own is used
        as it is; a batched one gives each element its own value, and the length is known
        only once the output is computed: ShapeUnknownError (callers keep Shape_i).
        """
        core = self.core_node(node)
        core_shapes = [tuple(s[batch_ndim:]) for s in input_shapes]
        shapes = self.core_op.infer_shape(None, core, core_shapes)
        # Stand-ins of inputs whose batch dimensions all have length 1: the input itself.
        unbatched = {
            stand_in: DimShuffle(real.type.ndim, tuple(range(batch_ndim, real.type.ndim)))(real)  # type: ignore[attr-defined]
            for stand_in, real in zip(core.inputs, node.inputs, strict=True)
            if all(s == 1 for s in real.type.shape[:batch_ndim])  # type: ignore[attr-defined]
        }
        stand_ins = set(core.inputs)
        result = []
        for k, shape in enumerate(shapes):
            entries: list[Any] = []
            for a, s in enumerate(shape):
                if isinstance(s, Variable):
                    needs = stand_ins.intersection(ancestors([s], blockers=stand_ins))
                    if needs <= unbatched.keys():
                        s = graph_replace(s, {v: unbatched[v] for v in needs}) if needs else s
                    else:
                        raise ShapeUnknownError(
                            f"{self}: length {a} of core output {k} depends on the values of "
                            "a batched input; it is known once the output is computed"
                        )
                entries.append(s)
            result.append(tuple(entries))
        return result

    def __str__(self) -> str:
        return f"Blockwise{{{self.core_op}, {self.signature}}}"


def user_operand(v: Variable) -> Variable:
    """The user's operand behind a Blockwise input that make_node gave leading axes of
    length 1 (for error messages)."""
    owner = v.owner
    if owner is not None and isinstance(owner.op, DimShuffle) and owner.op.new_order[:1] == ("x",):
        return owner.inputs[0]
    return v


__all__ = [
    "Blockwise",
    "ShapeUnknownError",
]
