"""`Op`: an operation, as immutable data."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from tensorgraft.graph.basic import Apply, Variable

if TYPE_CHECKING:
    from tensorgraft.graph.fg import FunctionGraph

# A shape entry in `infer_shape`: a static int or a symbolic integer scalar variable.
ShapeEntry = int | Variable
Shape = tuple[ShapeEntry, ...]


class Op:
    """An operation: its type plus static parameters, immutable and hashable.

    Subclasses are frozen dataclasses, so two ops with equal parameters are equal and
    nodes applying them can be merged. An op has exactly three behaviours here:

    * `make_node(*inputs)`: check the inputs, infer output types, return an `Apply`;
    * `perform(node, inputs)`: the NumPy/SciPy reference implementation;
    * `infer_shape(fgraph, node, input_shapes)`: output shapes from input shapes.

    Gradients, batching and backend code live in the stages' own rule tables, keyed by
    op type; an op never learns about them.
    """

    # {output index: [input indices]} that the output overwrites (destroy) or views.
    destroy_map: ClassVar[dict[int, list[int]]] = {}
    view_map: ClassVar[dict[int, list[int]]] = {}

    def make_node(self, *inputs: Any) -> Apply:
        """Build the `Apply` node of this op on `inputs`."""
        raise NotImplementedError(f"{type(self).__name__}.make_node")

    def perform(self, node: Apply, inputs: Sequence[Any]) -> Sequence[Any]:
        """Compute the outputs from input values (the reference implementation)."""
        raise NotImplementedError(f"{type(self).__name__}.perform")

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Shape]
    ) -> list[Shape]:
        """The output shapes, as tuples of ints and integer scalar variables."""
        raise NotImplementedError(f"{type(self).__name__}.infer_shape")

    def __call__(self, *inputs: Any, **kwargs: Any) -> Any:
        """Apply the op: its output variable, or a list when it has several."""
        node = self.make_node(*inputs, **kwargs)
        if len(node.outputs) == 1:
            return node.outputs[0]
        return node.outputs

    def params(self) -> dict[str, Any]:
        """The op's static parameters (the dataclass fields)."""
        if dataclasses.is_dataclass(self):
            return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {}

    def __str__(self) -> str:
        params = self.params()
        name = type(self).__name__
        if not params:
            return name
        return f"{name}{{{', '.join(f'{k}={v}' for k, v in params.items())}}}"

    # Ops without parameters are equal when their types are; dataclasses override these.
    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    # Ops holding a graph (Composite, ...) expose it for dprint's "Inner graphs:".
    @property
    def inner_inputs(self) -> list[Variable] | None:
        return None

    @property
    def inner_outputs(self) -> list[Variable] | None:
        return None
