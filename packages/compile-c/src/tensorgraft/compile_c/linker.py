"""The `c` backend: link a rewritten graph to a function of a compiled extension module."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

from tensorgraft.compile.backends import Thunk
from tensorgraft.compile_c import codegen, registry
from tensorgraft.compile_c.toolchain import build_module, find_compiler, unavailable_reason
from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.utils import describe, format_site
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.type import TensorType


def node_label(node: Apply) -> str:
    """'Add (created at model.py:12)' for error messages."""
    return f"{node.op} (created at {format_site(node.site)})"


def _got(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of {value.dtype} with shape {value.shape}"
    return f"{type(value).__name__} {value!r:.60}"


def _expects(var: Variable) -> str:
    t: Any = var.type
    return f"{t.dtype} with {t.ndim} dimensions and shape {t.shape}"


def _callback(node: Apply) -> Callable[[list[Any]], tuple[Any, ...]]:
    """Run `node`'s `perform` and check its outputs (compiled code relies on their types)."""
    perform = node.op.perform
    checks: list[tuple[np.dtype[Any], int, list[tuple[int, int]]] | None] = []
    for out in node.outputs:
        t: Any = out.type
        if isinstance(t, TensorType):
            fixed = [(a, s) for a, s in enumerate(t.shape) if s is not None]
            checks.append((np.dtype(t.dtype), t.ndim, fixed))
        else:
            checks.append(None)

    def run(inputs: list[Any]) -> tuple[Any, ...]:
        try:
            results = perform(node, inputs)
        except Exception as err:
            shapes = ", ".join(str(np.shape(x)) for x in inputs)
            err.add_note(f"while computing {node_label(node)} on inputs of shapes {shapes}")
            raise
        checked = []
        for check, value, out in zip(checks, results, node.outputs, strict=True):
            if check is not None:
                dtype, ndim, fixed = check
                if isinstance(value, np.generic):
                    value = np.asarray(value)
                if not (
                    isinstance(value, np.ndarray)
                    and value.dtype == dtype
                    and value.ndim == ndim
                    and all(value.shape[a] == s for a, s in fixed)
                ):
                    raise TypeError(
                        f"{node_label(node)} returned {_got(value)}, "
                        f"but its output type is {out.type}"
                    )
            checked.append(value)
        return tuple(checked)

    return run


def _failer(code: codegen.GraphCode) -> Callable[[int, int, Any], None]:
    """The function compiled code calls to raise an error that names user variables."""
    fg, order, slots = code.fgraph, code.order, code.slots

    def fail(kind: int, index: int, obj: Any) -> None:
        if kind == registry.NOTE:
            _add_note(order[index], obj[-1], [obj[slots[v]] for v in order[index].inputs])
            return
        if kind == registry.BAD_INPUT:
            var = fg.inputs[index]
            raise TypeError(f"input {describe(var)} expects {_expects(var)}, got {_got(obj)}")
        node = order[index]
        if kind == registry.NO_BROADCAST:
            shapes = " and ".join(str(np.shape(x)) for x in obj)
            names = ", ".join(_user_name(v) for v in node.inputs)
            raise ValueError(
                f"{node_label(node)}: shapes {shapes} cannot be broadcast together "
                f"(operands: {names})"
            )
        if kind == registry.NOT_DROPPABLE:
            raise ValueError(
                f"{node_label(node)}: cannot drop axes {list(node.op.dropped)} "  # type: ignore[attr-defined]
                f"of {describe(node.inputs[0])} with shape {np.shape(obj)}: lengths are not 1"
            )
        if kind == registry.RERAISE:
            node.op.perform(node, list(obj))  # raises the reference's error
            raise ValueError(f"{node_label(node)}: invalid inputs")
        if kind == registry.NO_ELEMENTS:
            raise ValueError(
                f"{node_label(node)} of {describe(node.inputs[0])}: zero-size array "
                f"(shape {np.shape(obj)}) to a reduction that has no identity"
            )
        raise TypeError(f"{node_label(node)} returned {_got(obj)} from its Python callback")

    return fail


def _add_note(node: Apply, err: BaseException, inputs: list[Any]) -> None:
    """Note on `err` which node failed and on what shapes, as the python backend does;
    not when the error already names the node (it was raised for it)."""
    label = node_label(node)
    if label in str(err) or any(label in n for n in getattr(err, "__notes__", ())):
        return
    shapes = ", ".join(str(np.shape(x)) for x in inputs)
    err.add_note(f"while computing {label} on inputs of shapes {shapes}")


def _user_name(var: Variable) -> str:
    """The user's variable behind `var`, looking through the DimShuffles broadcasting adds."""
    while var.owner is not None and isinstance(var.owner.op, DimShuffle):
        var = var.owner.inputs[0]
    return describe(var)


def _constant_value(var: Variable) -> Any:
    data = var.data  # type: ignore[attr-defined]
    if registry.is_array(var):
        t: Any = var.type
        # Compiled code reads constants without checks: make sure they fit their type.
        value = np.require(np.asarray(data, dtype=t.dtype), requirements="A")
        if value.ndim != t.ndim:
            raise TypeError(f"constant {var} has {value.ndim} dimensions, its type {t}")
        return value
    return data


class CompiledGraph:
    """A graph linked to a function of a compiled module.

    Attributes:
        report: (node, "C" or "python callback") for each node, in execution order.
    """

    def __init__(self, code: codegen.GraphCode) -> None:
        self.code = code
        self.report = code.report
        self.state = (
            _failer(code),
            tuple(_callback(n) for n in code.callbacks),
            tuple(_constant_value(c) for c in code.constants),
        )
        self._run: Callable[[Any, Sequence[Any]], list[Any]] | None = None
        # The C code checks every tensor input (raising TypeError for one it does not
        # take as is), so `Function` may skip its Python checkers.
        self.checks_inputs = all(registry.is_array(v) for v in code.fgraph.inputs)

    def thunk(self) -> Thunk:
        """The fastest callable form: the module function with the state bound."""
        if self._run is None:
            raise RuntimeError("this graph's module is not built yet")
        fast: Any = functools.partial(self._run, self.state)
        fast.report = self.report
        fast.checks_inputs = self.checks_inputs
        return cast(Thunk, fast)

    def callbacks(self) -> list[Apply]:
        """The nodes that run their Python `perform`."""
        return [n for n, how in self.report if how != "C"]

    def __call__(self, inputs: Sequence[Any]) -> list[Any]:
        if self._run is None:
            raise RuntimeError("this graph's module is not built yet")
        return self._run(self.state, inputs)


class CBackend:
    """Generates C for the whole graph and runs it from a cached extension module."""

    name = "c"
    rewrite_include: tuple[str, ...] = ()
    # Destroy maps are honoured: in-place Elemwise loops write into the destroyed input.
    rewrite_exclude: tuple[str, ...] = ()

    def unavailable_reason(self) -> str | None:
        return unavailable_reason() if find_compiler() is None else None

    def link(self, fgraph: FunctionGraph) -> Thunk:
        (graph,) = link_many([fgraph])
        return graph.thunk()

    def __repr__(self) -> str:
        return "CBackend()"


def link_many(fgraphs: Sequence[FunctionGraph]) -> list[CompiledGraph]:
    """Compile several graphs into ONE module (one compiler run) and link each.

    Each result is a thunk (inputs -> outputs) with a `report` of which nodes run as C.
    """
    kernels: dict[str, str] = {}
    codes = [codegen.write_graph(fg, k, kernels) for k, fg in enumerate(fgraphs)]
    module = build_module(codegen.module_source(codes, kernels))
    graphs = []
    for k, code in enumerate(codes):
        graph = CompiledGraph(code)
        graph._run = getattr(module, f"run_{k}")
        graphs.append(graph)
    return graphs


class DeferredC(CBackend):
    """A `c` backend that compiles the graphs it links together, on their first call.

    `function(..., mode=batch)` for many graphs, then one call builds one module for all
    of them: one compiler run instead of one per graph (tests, benchmarks).
    """

    def __init__(self) -> None:
        self.pending: list[tuple[FunctionGraph, _Deferred]] = []

    def link(self, fgraph: FunctionGraph) -> Thunk:
        thunk = _Deferred(self, fgraph)
        self.pending.append((fgraph, thunk))
        return thunk

    def build(self) -> None:
        """Compile every graph linked since the last build."""
        pending, self.pending = self.pending, []
        if pending:
            graphs = link_many([fg for fg, _ in pending])
            for (_, thunk), graph in zip(pending, graphs, strict=True):
                thunk.graph = graph


class _Deferred:
    def __init__(self, owner: DeferredC, fgraph: FunctionGraph) -> None:
        self.owner = owner
        self.graph: CompiledGraph | None = None
        self.checks_inputs = all(registry.is_array(v) for v in fgraph.inputs)

    @property
    def report(self) -> list[tuple[Apply, str]]:
        if self.graph is None:
            self.owner.build()
        return self.graph.report  # type: ignore[union-attr]

    def __call__(self, inputs: Sequence[Any]) -> list[Any]:
        if self.graph is None:
            self.owner.build()
        return self.graph(inputs)  # type: ignore[misc]


backend = CBackend()
