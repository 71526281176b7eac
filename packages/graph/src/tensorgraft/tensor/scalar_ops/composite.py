"""`Composite`: a scalar op defined by a small graph of scalar ops (a fused kernel)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.traversal import clone_get_equiv, graph_inputs, io_toposort
from tensorgraft.tensor.scalar_ops.basic import ScalarOp, ScalarType


class Composite(ScalarOp):
    """A scalar op whose computation is a graph of scalar ops.

    `Composite([i0], [exp(sin(i0))])` is the fused `Composite{exp(sin(i0))}`;
    `Elemwise(composite)` runs the whole expression in one pass over the arrays. Two
    composites are equal when their graphs are structurally equal.
    """

    def __init__(self, inputs: Sequence[Variable], outputs: Sequence[Variable]) -> None:
        for var in inputs:
            if var.owner is not None or isinstance(var, Constant):
                raise ValueError(f"Composite inputs must be root scalar variables, got {var}")
        for var in [*inputs, *outputs]:
            if not isinstance(var.type, ScalarType):
                raise TypeError(f"Composite works on scalar variables, got {var} of {var.type}")
        missing = [
            v
            for v in graph_inputs(outputs, blockers=inputs)
            if v not in inputs and not isinstance(v, Constant)
        ]
        if missing:
            raise ValueError(f"Composite outputs depend on {missing}, which are not inputs")
        equiv = clone_get_equiv(inputs, outputs, copy_inputs=True, copy_orphans=True)
        self._inputs = [equiv[v] for v in inputs]
        self._outputs = [equiv[v] for v in outputs]
        for k, var in enumerate(self._inputs):
            var.name = f"i{k}"
        self._nodes = io_toposort(self._inputs, self._outputs)
        self._key = self._structure_key()
        self._name = f"Composite{{{', '.join(self._expr(o) for o in self._outputs)}}}"

    # ScalarOp's class-level arity, per instance here.
    @property
    def nin(self) -> int:  # type: ignore[override]
        return len(self._inputs)

    @property
    def nout(self) -> int:  # type: ignore[override]
        return len(self._outputs)

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    @property
    def inner_inputs(self) -> list[Variable]:
        return self._inputs

    @property
    def inner_outputs(self) -> list[Variable]:
        return self._outputs

    def output_dtypes(self, *dtypes: str) -> tuple[str, ...]:
        self.check_nin(len(dtypes))
        want = tuple(v.type.dtype for v in self._inputs)  # type: ignore[attr-defined]
        if tuple(dtypes) != want:
            raise TypeError(f"{self.name} expects inputs of {want}, got {tuple(dtypes)}")
        return tuple(v.type.dtype for v in self._outputs)  # type: ignore[attr-defined]

    def impl(self, *inputs: Any) -> Any:
        values: dict[Variable, Any] = dict(zip(self._inputs, inputs, strict=True))
        for node in self._nodes:
            args = [values[i] if i in values else i.data for i in node.inputs]  # type: ignore[attr-defined]
            outs = node.op.impl(*args)  # type: ignore[attr-defined]
            if len(node.outputs) == 1:
                outs = (outs,)
            for var, val in zip(node.outputs, outs, strict=True):
                values[var] = val
        results = [
            values[o] if o in values else o.data  # type: ignore[attr-defined]
            for o in self._outputs
        ]
        return results[0] if len(results) == 1 else tuple(results)

    def _structure_key(self) -> tuple[Any, ...]:
        position: dict[Variable, Any] = {v: ("in", k) for k, v in enumerate(self._inputs)}
        entries: list[Any] = [tuple(v.type for v in self._inputs)]
        for n, node in enumerate(self._nodes):
            args = []
            for i in node.inputs:
                args.append(position[i] if i in position else ("const", i.signature()))  # type: ignore[attr-defined]
            entries.append((node.op, tuple(args)))
            for j, out in enumerate(node.outputs):
                position[out] = ("node", n, j)
        entries.append(
            tuple(position[o] if o in position else ("const", o.signature()) for o in self._outputs)  # type: ignore[attr-defined]
        )
        return tuple(entries)

    def _expr(self, var: Variable) -> str:
        # Expressions are short (a fused kernel); recursion depth is bounded by its size.
        node = var.owner
        if node is None:
            return str(var)
        op = node.op
        args = [self._expr(i) for i in node.inputs]
        infix = getattr(op, "infix", None)
        if infix is not None and len(args) >= 2:
            return "(" + f" {infix} ".join(args) + ")"
        return f"{op}({', '.join(args)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Composite) and other._key == self._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return self._name
