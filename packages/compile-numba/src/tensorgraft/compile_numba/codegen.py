"""Generate one Python function, Numba-compilable, for a whole rewritten graph.

Nodes are visited in topological order; each becomes a few lines that assign local
variables (`a0`: inputs, `c0`: array constants, `v0`: node outputs). Only generated
identifiers appear in the source, never user strings (names, file names): errors raised
in compiled code carry a node number, which the caller maps back to the user's node.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.utils import describe, format_site

CALLBACK = "python callback"


class NumbaNotImplementedError(NotImplementedError):
    """The numba backend can neither compile a node nor run it through a callback."""


def node_label(node: Apply) -> str:
    """'Log (created at model.py:12)' for error messages."""
    return f"{node.op} (created at {format_site(node.site)})"


def np_dtype(dtype: Any) -> str:
    """The NumPy scalar constructor for `dtype` in generated code: 'np.float64'."""
    name = np.dtype(dtype).name
    return "np.bool_" if name == "bool" else f"np.{name}"


def literal(value: Any, dtype: Any) -> str:
    """A scalar literal of `dtype` in generated code (exact: floats by repr)."""
    dt = np.dtype(dtype)
    v = np.asarray(value, dtype=dt)[()]
    if dt.kind == "b":
        return "True" if v else "False"
    if dt.kind in "iu":
        return f"{np_dtype(dt)}({int(v)})"
    if dt.kind == "f":
        return f"{np_dtype(dt)}({_float(float(v))})"
    if dt.kind == "c":
        return f"{np_dtype(dt)}(complex({_float(float(v.real))}, {_float(float(v.imag))}))"
    raise TypeError(f"no literal for dtype {dt}")


def _float(x: float) -> str:
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    return repr(x)


@dataclass
class Callback:
    """A node run by its `perform` inside an objmode block."""

    node: Apply
    reason: str
    index: int


@dataclass
class Context:
    """What a node rule writes into: lines, fresh names, node numbers for errors."""

    lines: list[str] = field(default_factory=list)
    level: int = 1
    counter: int = 0
    node_index: int = 0
    globals: dict[str, Any] = field(default_factory=dict)

    def emit(self, line: str) -> None:
        """Add a line at the current indentation."""
        self.lines.append("    " * self.level + line)

    @contextlib.contextmanager
    def indent(self) -> Iterator[None]:
        """Lines emitted inside are one level deeper (a loop or if body)."""
        self.level += 1
        try:
            yield
        finally:
            self.level -= 1

    def fresh(self, prefix: str = "t") -> str:
        """A new local name."""
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def fail(self, exc: str, message: str) -> None:
        """Emit a `raise` whose message names this node (mapped back by the caller)."""
        self.emit(f'raise {exc}("[tg-node {self.node_index}] {message}")')


@dataclass
class Generated:
    """The generated source, what to pass along with the inputs, and its callbacks."""

    source: str
    constants: list[np.ndarray]
    callbacks: list[Callback]
    nodes: list[Apply]
    globals: dict[str, Any]


def dtype_of(var: Variable) -> str:
    return str(var.type.dtype)  # type: ignore[attr-defined]


def ndim_of(var: Variable) -> int:
    return int(var.type.ndim)  # type: ignore[attr-defined]


def scalar_constant(var: Variable) -> Any | None:
    """The value of a constant that holds one element (inlined as a literal), else None."""
    if isinstance(var, Constant):
        data = np.asarray(var.data)
        if data.size == 1:
            return data.reshape(())[()]
    return None


FUNCTION_NAME = "graph_fn"
SMALL_CONSTANT = 16  # constants of at most this many elements are written into the code
UNSUPPORTED_DTYPES = ("float16", "complex32")


def generate(
    fgraph: FunctionGraph,
    allow_callbacks: bool = True,
    cache: bool = True,
    decline: Callable[[Apply], str | None] | None = None,
) -> Generated:
    """The source of one function computing `fgraph`'s outputs from its inputs.

    `decline(node)` may force nodes through callbacks (a reason string), e.g. to bisect a
    miscompiled graph.
    """
    from tensorgraft.compile_numba import rules  # noqa: F401  (fills the tables)

    names: dict[Variable, str] = {}
    params: list[str] = []
    for k, var in enumerate(fgraph.inputs):
        names[var] = f"a{k}"
        params.append(f"a{k}")
    constants: list[np.ndarray] = []
    prologue: list[str] = []

    def name_of(var: Variable) -> str:
        if var not in names:
            if not isinstance(var, Constant):
                raise ValueError(f"numba backend: {var} is neither an input nor computed")
            # A writeable C-contiguous copy (ascontiguousarray would make 0-d arrays 1-d).
            data = np.array(var.data, dtype=dtype_of(var), order="C", copy=True)
            if data.size <= SMALL_CONSTANT and data.dtype.kind in "biufc":
                # Built in the body: cheaper than unboxing one more argument each call.
                name = names[var] = f"k{len(prologue)}"
                dims = ", ".join(map(str, data.shape)) + ("," if data.ndim == 1 else "")
                prologue.append(f"    {name} = empty_c(({dims}), {np_dtype(data.dtype)})")
                for index in np.ndindex(data.shape):
                    key = ", ".join(map(str, index)) + "," if index else "()"
                    prologue.append(f"    {name}[{key}] = {literal(data[index], data.dtype)}")
            else:
                names[var] = f"c{len(constants)}"
                params.append(names[var])
                constants.append(data)
        return names[var]

    for var in fgraph.variables:
        dtype = getattr(var.type, "dtype", None)
        if dtype in UNSUPPORTED_DTYPES:
            where = node_label(var.owner) if var.owner else describe(var)
            raise NumbaNotImplementedError(
                f"numba backend: cannot compile a graph with {dtype} values (Numba has no "
                f"{dtype}): {where} is {var.type}"
            )
    ctx = Context()
    callbacks: list[Callback] = []
    order = fgraph.toposort()
    for n, node in enumerate(order):
        for out in node.outputs:
            if getattr(out.type, "dtype", None) is None or getattr(out.type, "ndim", None) is None:
                raise NumbaNotImplementedError(
                    f"numba backend: cannot compile {node_label(node)}: its output type "
                    f"{out.type} is not an array type"
                )
        ins = [name_of(v) for v in node.inputs]
        outs = []
        for out in node.outputs:
            names[out] = f"v{len(names)}"
            outs.append(names[out])
        ctx.node_index = n
        ctx.emit(f"# node {n}: {type(node.op).__name__}")
        impl = numba_impl.lookup(node.op)
        reason = decline(node) if decline is not None else None
        if reason is None and impl is None:
            reason = numba_impl.reason(node.op) or "no numba implementation is registered"
        if reason is None:
            mark = len(ctx.lines)
            reason = impl(ctx, node, ins, outs)  # type: ignore[misc]
            if reason is not None:
                del ctx.lines[mark:]
        if reason is not None:
            if not allow_callbacks:
                raise NumbaNotImplementedError(
                    f"numba backend: cannot compile {node_label(node)}: {reason}"
                )
            callbacks.append(Callback(node, reason, n))
            used = [bool(fgraph.clients.get(o)) or o in fgraph.outputs for o in node.outputs]
            _emit_callback(
                ctx, node, n, ins, [o if u else "_" for o, u in zip(outs, used, strict=True)]
            )
    results = [name_of(v) for v in fgraph.outputs]
    # objmode blocks hold the GIL and cannot be cached (their callbacks live in memory).
    flags = f"cache={bool(cache and not callbacks)}, error_model='numpy'"
    flags += "" if callbacks else ", nogil=True"
    header = [
        "# Generated by tensorgraft.compile_numba: one function for a whole graph.",
        "import math",
        "",
        "import numba",
        "import numpy as np",
        "",
        "from tensorgraft.compile_numba.runtime import *  # noqa: F403",
        "",
        "",
        f"@numba.njit({flags})",
        f"def {FUNCTION_NAME}({', '.join(params)}):",
    ]
    body = prologue + ctx.lines or ["    pass"]
    ret = f"    return ({', '.join(results)},)"
    source = "\n".join([*header, *body, ret, ""])
    return Generated(source, constants, callbacks, order, ctx.globals)


def _emit_callback(ctx: Context, node: Apply, n: int, ins: Sequence[str], outs: list[str]) -> None:
    import numba

    types = []
    for k, out in enumerate(node.outputs):
        if outs[k] == "_":  # an unused output: Numba refuses annotations of dead variables
            continue
        tname = f"_T{n}_{k}"
        ctx.globals[tname] = numba.types.Array(
            numba.from_dtype(np.dtype(dtype_of(out))), ndim_of(out), "C"
        )
        types.append(f"{outs[k]}={tname}")
    ctx.globals[f"_cb{n}"] = make_callback(node)
    ctx.emit(f"with numba.objmode({', '.join(types)}):")
    with ctx.indent():
        ctx.emit(f"({', '.join(outs)},) = _cb{n}({', '.join(ins)})")


def make_callback(node: Apply) -> Callable[..., tuple[np.ndarray, ...]]:
    """`node.op.perform` with outputs as C-contiguous, writeable arrays of the right dtype."""
    op = node.op
    dtypes = [np.dtype(dtype_of(o)) for o in node.outputs]

    def callback(*args: Any) -> tuple[np.ndarray, ...]:
        results = op.perform(node, list(args))
        fixed = []
        for r, dt in zip(results, dtypes, strict=True):
            a = np.asarray(r, dtype=dt)
            if not (a.flags.c_contiguous and a.flags.writeable):
                a = np.array(a, order="C")
            fixed.append(a)
        return tuple(fixed)

    return callback
