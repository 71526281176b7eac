"""The graph IR: Variable -> Apply -> Variable, a bipartite DAG.

Building is functional: an `Apply` is created once by `Op.make_node` and a user's graph
is never mutated afterwards. `FunctionGraph` works on its own clone, the only place where
`Apply.inputs` change.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tensorgraft.graph.utils import Site, user_site

if TYPE_CHECKING:
    from tensorgraft.graph.op import Op
    from tensorgraft.graph.type import Type


class Variable:
    """A value in a graph: the output of an `Apply` (`owner`) or a root (an input).

    Attributes:
        type: the `Type` of the values this variable can hold.
        owner: the `Apply` node computing it, or None for a root variable.
        index: the position of this variable in `owner.outputs`.
        name: an optional name, shown by `dprint` and in error messages.
        site: (file, line) of the user code that created a root variable.
    """

    __slots__ = ("__weakref__", "index", "name", "owner", "site", "tag", "type")

    def __init__(
        self,
        type: Type,
        owner: Apply | None = None,
        index: int | None = None,
        name: str | None = None,
    ) -> None:
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name
        self.site: Site | None = user_site() if owner is None else None
        self.tag: dict[str, Any] = {}

    def clone(self, name: str | None = None) -> Variable:
        """A new root variable of the same type (and name, unless one is given)."""
        new = type(self)(self.type, None, None, self.name if name is None else name)
        new.site = self.site
        new.tag = dict(self.tag)
        return new

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        if self.owner is not None:
            op = self.owner.op
            if len(self.owner.outputs) == 1:
                return f"{op}.0"
            return f"{op}.{self.index}"
        return f"<{self.type}>"

    def __repr__(self) -> str:
        return str(self)

    def dprint(self, **kwargs: Any) -> str | None:
        """Print the graph computing this variable (see `tensorgraft.graph.dprint`)."""
        from tensorgraft.graph.dprint import dprint

        return dprint(self, **kwargs)

    def eval(self, inputs_to_values: Mapping[Any, Any] | None = None, **kwargs: Any) -> Any:
        """Compute this variable for the given input values.

        `inputs_to_values` maps root variables (or their names) to values. The compiled
        function is cached on the variable, keyed by the inputs.
        """
        from tensorgraft.compile.driver import eval_variable

        return eval_variable(self, inputs_to_values or {}, **kwargs)


class Constant(Variable):
    """A root variable with a fixed value, `data`, already filtered by its type."""

    __slots__ = ("data",)

    def __init__(self, type: Type, data: Any, name: str | None = None) -> None:
        super().__init__(type, None, None, name)
        self.data = type.filter(data)

    def signature(self) -> Hashable:
        """A hashable key: two constants with the same signature are interchangeable."""
        data = self.data
        # By bytes, so that 0.0 and -0.0 differ and nan matches nan (scalars too).
        if isinstance(data, np.ndarray | np.generic):
            return (self.type, data.tobytes(), data.shape)
        return (self.type, data)

    def equals(self, other: object) -> bool:
        """Whether `other` is a constant of the same type and value."""
        return isinstance(other, Constant) and self.signature() == other.signature()

    def clone(self, name: str | None = None) -> Constant:
        new = type(self)(self.type, self.data, self.name if name is None else name)
        new.site = self.site
        return new

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        return format_constant(self.data)


def format_constant(data: Any) -> str:
    """Show a constant's value on one short line (large arrays by shape and dtype)."""
    if isinstance(data, np.ndarray):
        if data.ndim == 0:
            return str(data[()])  # numpy scalars print 2.0, where array2string gives 2.
        if data.size > 8:
            return f"Constant{{shape={data.shape}, dtype={data.dtype}}}"
        return np.array2string(data, separator=" ").replace("\n", "")
    return str(data)


class Apply:
    """The application of an `Op` to input variables, producing output variables."""

    __slots__ = ("__weakref__", "inputs", "op", "outputs", "site", "tag")

    def __init__(
        self,
        op: Op,
        inputs: Sequence[Variable],
        outputs: Sequence[Variable],
        site: Site | bool | None = True,
    ) -> None:
        self.op = op
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.site: Site | None = user_site() if site is True else (site or None)
        self.tag: dict[str, Any] = {}
        for i, out in enumerate(self.outputs):
            if out.owner is not None and (out.owner is not self or out.index != i):
                raise ValueError(f"output {out} of {op} already belongs to another node")
            out.owner = self
            out.index = i

    @property
    def out(self) -> Variable:
        """The single output of this node."""
        if len(self.outputs) != 1:
            raise ValueError(f"{self.op} has {len(self.outputs)} outputs; use .outputs")
        return self.outputs[0]

    @property
    def nin(self) -> int:
        return len(self.inputs)

    @property
    def nout(self) -> int:
        return len(self.outputs)

    def clone(self) -> Apply:
        """A new node with the same op and inputs and fresh outputs."""
        return self.clone_with_new_inputs(self.inputs)

    def clone_with_new_inputs(self, inputs: Sequence[Variable], strict: bool = True) -> Apply:
        """The same computation on `inputs`.

        When the input types are unchanged the outputs keep their types; otherwise the op
        rebuilds the node with `make_node` (inferring new output types). With `strict`,
        the new outputs must then still fit the old output types.
        """
        if len(inputs) != len(self.inputs):
            raise ValueError(f"{self.op} takes {len(self.inputs)} inputs, got {len(inputs)}")
        if all(new.type == old.type for new, old in zip(inputs, self.inputs, strict=True)):
            outputs = [_fresh_output(o) for o in self.outputs]
            return Apply(self.op, inputs, outputs, site=self.site)
        node = self.op.make_node(*inputs)
        node.site = self.site
        for new, old in zip(node.outputs, self.outputs, strict=True):
            new.name = old.name
            new.site = old.site
            if strict and old.type.convert_variable(new) is None:
                raise TypeError(
                    f"rebuilding {self.op} changed its output type from {old.type} to "
                    f"{new.type}; pass strict=False to allow it"
                )
        return node

    def __str__(self) -> str:
        return f"{self.op}({', '.join(str(i) for i in self.inputs)})"

    def __repr__(self) -> str:
        return str(self)


def _fresh_output(old: Variable) -> Variable:
    new = type(old)(old.type, None, None, old.name)
    new.site = old.site  # errors about a copy point where the original was created
    new.tag = dict(old.tag)
    return new
