"""`FunctionGraph`: a mutable view of a graph, for rewriting and compiling.

It owns its nodes (it clones the user's graph by default), tracks every variable's
clients, imports and prunes nodes as replacements are made, and tells attached features
(listeners) about every change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Literal, overload

from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.traversal import clone_get_equiv, graph_inputs, io_toposort
from tensorgraft.graph.utils import MissingInputError, describe

# A client of a variable: (node, input position), or ("output", output position).
ClientNode = Apply | Literal["output"]
Client = tuple[ClientNode, int]


class ClientList:
    """The clients of one variable, in the order they were added.

    Reads like a list (`len`, iteration, `clients[0]`, `== [...]`); `append` and
    `remove` take constant time, so a variable with thousands of clients stays cheap to
    rewire. A client added twice is kept twice (a count per client).
    """

    __slots__ = ("_counts", "_extra")

    def __init__(self, clients: Iterable[Client] = ()) -> None:
        self._counts: dict[Client, int] = {}
        self._extra = 0  # uses beyond the first of each client (rare)
        for c in clients:
            self.append(c)

    def append(self, client: Client) -> None:
        """Add one use."""
        counts = self._counts
        if client in counts:
            counts[client] += 1
            self._extra += 1
        else:
            counts[client] = 1

    def remove(self, client: Client) -> None:
        """Drop one use (ValueError when `client` is not there, like `list.remove`)."""
        counts = self._counts
        n = counts.get(client)
        if n is None:
            raise ValueError(f"{client} is not a client")
        if n == 1:
            del counts[client]
        else:
            counts[client] = n - 1
            self._extra -= 1

    def __len__(self) -> int:
        return len(self._counts) + self._extra

    def __bool__(self) -> bool:
        return bool(self._counts)

    def __iter__(self) -> Iterator[Client]:
        if not self._extra:
            return iter(self._counts)
        return (c for c, n in self._counts.items() for _ in range(n))

    def __contains__(self, client: object) -> bool:
        return client in self._counts

    @overload
    def __getitem__(self, i: int) -> Client: ...
    @overload
    def __getitem__(self, i: slice) -> list[Client]: ...
    def __getitem__(self, i: int | slice) -> Client | list[Client]:
        if isinstance(i, slice):
            return list(self)[i]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("client index out of range")
        return next(islice(iter(self), i, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ClientList | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


class Feature:
    """A listener attached to a FunctionGraph. Override the callbacks you need."""

    def on_attach(self, fgraph: FunctionGraph) -> None:
        """Called when the feature is attached."""

    def on_detach(self, fgraph: FunctionGraph) -> None:
        """Called when the feature is removed."""

    def on_import(self, fgraph: FunctionGraph, node: Apply, reason: str | None) -> None:
        """Called when `node` enters the graph."""

    def on_prune(self, fgraph: FunctionGraph, node: Apply, reason: str | None) -> None:
        """Called when `node` leaves the graph (no output is used any more)."""

    def on_change_input(
        self,
        fgraph: FunctionGraph,
        node: ClientNode,
        i: int,
        old: Variable,
        new: Variable,
        reason: str | None,
    ) -> None:
        """Called when input `i` of `node` (or output `i`, node == "output") changes."""


class FunctionGraph:
    """A graph from `inputs` to `outputs` that can be changed in place.

    With `clone=True` (the default) the graph is copied first, so the user's variables
    are never touched; `equiv` then maps each original variable to its copy.
    """

    def __init__(
        self,
        inputs: Sequence[Variable] | None = None,
        outputs: Sequence[Variable] = (),
        features: Iterable[Feature] = (),
        clone: bool = True,
    ) -> None:
        outputs = list(outputs)
        if inputs is None:
            inputs = [v for v in graph_inputs(outputs) if not isinstance(v, Constant)]
        inputs = list(inputs)
        self.equiv: dict[Variable, Variable] | None = None
        if clone:
            _check_no_missing_inputs(inputs, outputs)
            self.equiv = clone_get_equiv(inputs, outputs, copy_inputs=True, copy_orphans=True)
            inputs = [self.equiv[i] for i in inputs]
            outputs = [self.equiv[o] for o in outputs]

        self.inputs: list[Variable] = []
        self.outputs: list[Variable] = []
        self.apply_nodes: set[Apply] = set()
        self.variables: set[Variable] = set()
        self.clients: dict[Variable, ClientList] = {}
        self._features: list[Feature] = []

        for inp in inputs:
            self.add_input(inp)
        for out in outputs:
            self.add_output(out, reason="init")
        for feature in features:
            self.attach_feature(feature)

    # -- building ---------------------------------------------------------------------
    def add_input(self, var: Variable) -> None:
        """Declare a root variable as an input of the graph."""
        if var.owner is not None:
            raise ValueError(f"input {describe(var)} is computed by {var.owner}; inputs are roots")
        if var in self.inputs:
            return
        self.inputs.append(var)
        self.variables.add(var)
        if var not in self.clients:
            self.clients[var] = ClientList()

    def add_output(self, var: Variable, reason: str | None = None) -> None:
        """Append `var` to the outputs, importing what computes it."""
        self.import_var(var, reason)
        self.outputs.append(var)
        self.clients[var].append(("output", len(self.outputs) - 1))

    def import_var(self, var: Variable, reason: str | None = None) -> None:
        """Make `var` (and the nodes computing it) part of the graph."""
        if var in self.variables:
            return
        if var.owner is not None:
            self.import_node(var.owner, reason=reason)
        elif isinstance(var, Constant) or var in self.inputs:
            self.variables.add(var)
            if var not in self.clients:
                self.clients[var] = ClientList()
        else:
            raise _missing_input(var)

    def import_node(self, node: Apply, reason: str | None = None) -> None:
        """Add `node` and every node it depends on that is not in the graph yet."""
        if node in self.apply_nodes:
            return
        variables = self.variables
        if all(i in variables for i in node.inputs):
            new_nodes = [node]  # the common case in rewrites: no graph walk
        else:
            new_nodes = [
                n for n in io_toposort(variables, node.outputs) if n not in self.apply_nodes
            ]
        # Check the roots first, so that a missing input leaves the graph unchanged.
        roots = [i for n in new_nodes for i in n.inputs if i.owner is None]
        for var in roots:
            if var not in self.variables and not isinstance(var, Constant):
                raise _missing_input(var)
        for new in new_nodes:
            for inp in new.inputs:
                if inp.owner is None and inp not in self.variables:
                    self.import_var(inp, reason)
            self.apply_nodes.add(new)
            for out in new.outputs:
                self.variables.add(out)
                if out not in self.clients:
                    self.clients[out] = ClientList()
            for i, inp in enumerate(new.inputs):
                self.clients[inp].append((new, i))
            self.execute_callbacks("on_import", new, reason)

    # -- removing ---------------------------------------------------------------------
    def remove_client(self, var: Variable, client: Client, reason: str | None = None) -> None:
        """Drop one use of `var`; prune the nodes (and constants) nothing uses any more."""
        stack: list[tuple[Variable, Client]] = [(var, client)]
        while stack:
            v, c = stack.pop()
            self.clients[v].remove(c)
            node = v.owner
            if self.clients[v]:
                continue
            if node is None:
                if v not in self.inputs:  # a constant nothing uses any more
                    self.variables.discard(v)
                    del self.clients[v]
                continue
            if node not in self.apply_nodes:
                continue
            if any(self.clients[o] for o in node.outputs):
                continue
            self.apply_nodes.remove(node)
            for out in node.outputs:
                self.variables.discard(out)
                del self.clients[out]
            self.execute_callbacks("on_prune", node, reason)
            for i, inp in enumerate(node.inputs):
                stack.append((inp, (node, i)))

    # -- changing ---------------------------------------------------------------------
    def change_node_input(
        self, node: ClientNode, i: int, new_var: Variable, reason: str | None = None
    ) -> None:
        """Make input `i` of `node` (output `i` when node == "output") be `new_var`."""
        old = self.outputs[i] if node == "output" else node.inputs[i]
        if old is new_var:
            return
        if old.type.convert_variable(new_var) is None:
            raise TypeError(
                f"cannot replace {describe(old)} of type {old.type} by {describe(new_var)} "
                f"of type {new_var.type}"
            )
        self.import_var(new_var, reason)
        if node == "output":
            self.outputs[i] = new_var
        else:
            node.inputs[i] = new_var
        self.clients[new_var].append((node, i))
        self.remove_client(old, (node, i), reason)
        self.execute_callbacks("on_change_input", node, i, old, new_var, reason)

    def replace(self, var: Variable, new_var: Variable, reason: str | None = None) -> None:
        """Make every client of `var` use `new_var` instead.

        `new_var` must have a type that fits `var`'s (the same, or more specific).
        """
        if var not in self.variables:
            return
        if var.type.convert_variable(new_var) is None:
            raise TypeError(
                f"cannot replace {describe(var)} of type {var.type} by {describe(new_var)} "
                f"of type {new_var.type}"
            )
        for node, i in list(self.clients[var]):
            self.change_node_input(node, i, new_var, reason)

    def replace_all(
        self, pairs: Iterable[tuple[Variable, Variable]], reason: str | None = None
    ) -> None:
        """`replace` each (old, new) pair in order."""
        for var, new_var in pairs:
            self.replace(var, new_var, reason)

    # -- features ---------------------------------------------------------------------
    def attach_feature(self, feature: Feature) -> None:
        """Attach a listener; it is told about every later change."""
        if feature in self._features:
            return
        feature.on_attach(self)
        self._features.append(feature)

    def remove_feature(self, feature: Feature) -> None:
        """Detach a listener."""
        self._features.remove(feature)
        feature.on_detach(self)

    def execute_callbacks(self, name: str, *args: Any) -> None:
        """Call `name(self, *args)` on every attached feature."""
        for feature in self._features:
            getattr(feature, name)(self, *args)

    # -- queries ----------------------------------------------------------------------
    def toposort(self) -> list[Apply]:
        """The graph's nodes, each after the nodes it depends on."""
        return io_toposort(self.inputs, self.outputs)

    def clone(self) -> FunctionGraph:
        """An independent copy (features are not copied)."""
        return FunctionGraph(self.inputs, self.outputs, clone=True)

    def check_integrity(self) -> None:
        """Raise AssertionError if the clients, nodes and variables disagree."""
        nodes = set(io_toposort(self.inputs, self.outputs))
        assert nodes == self.apply_nodes, "apply_nodes differ from the nodes reachable"
        expected: dict[Variable, list[Client]] = {v: [] for v in self.variables}
        for node in nodes:
            for i, inp in enumerate(node.inputs):
                assert inp in self.variables, f"{inp} used by {node} is not in the graph"
                expected[inp].append((node, i))
            for out in node.outputs:
                assert out in self.variables, f"output {out} of {node} is not in the graph"
        for i, out in enumerate(self.outputs):
            assert out in self.variables, f"output {out} is not in the graph"
            expected[out].append(("output", i))
        used = set(self.inputs).union(self.outputs)
        for node in nodes:
            used.update(node.inputs, node.outputs)
        assert self.variables == used, (
            f"variables not in the graph: {self.variables - used}, missing: {used - self.variables}"
        )
        for var, clients in expected.items():
            got = self.clients.get(var)
            assert got is not None and sorted(map(_key, got)) == sorted(map(_key, clients)), (
                f"clients of {var} are {got}, expected {clients}"
            )

    def dprint(self, **kwargs: Any) -> str | None:
        """Print the graph (see `tensorgraft.graph.dprint`)."""
        from tensorgraft.graph.dprint import dprint

        return dprint(self, **kwargs)

    def __str__(self) -> str:
        return f"FunctionGraph({', '.join(str(o) for o in self.outputs)})"

    __repr__ = __str__


def _key(client: Client) -> tuple[int, int]:
    node, i = client
    return (-1 if node == "output" else id(node), i)


def _check_no_missing_inputs(inputs: Sequence[Variable], outputs: Sequence[Variable]) -> None:
    given = set(inputs)
    for var in graph_inputs(outputs, blockers=given):
        if var not in given and not isinstance(var, Constant):
            raise _missing_input(var)


def _missing_input(var: Variable) -> MissingInputError:
    return MissingInputError(
        f"{describe(var)} is needed to compute the outputs but is not an input"
    )
