"""The jax backend: the rewritten graph becomes one Python function over jax.numpy / lax,
traced and compiled once by `jax.jit`.

Shapes in XLA are fixed when a function is traced. A value that decides a shape (the
stop of `arange(n)`, the bounds of `x[a:b]`, the target of a reshape) must therefore be
known while tracing. At link time the backend works out which variables those are:

* computed from shapes and constants only: computed with NumPy while tracing (each
  node's own `perform`), so they become constants of the compiled program;
* an integer input of the function (a scalar, or a vector such as a shape): passed to
  `jax.jit` as a static argument, so each new value traces and compiles again;
* anything else (a float or bool input, a boolean mask): a `JaxUntraceableError` at
  compile time, naming the op and the variable.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tensorgraft.compile.backends import Thunk
from tensorgraft.compile_jax.registry import jax_impl
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.utils import describe, format_site

# How a node runs, in `Function.report`: in the compiled program, or folded to a constant.
NUMPY_WHILE_TRACING = "NumPy while tracing (decides a shape)"


class JaxUntraceableError(ValueError):
    """An op's output shape depends on a value that JAX cannot know when tracing."""


class JaxNotImplementedError(NotImplementedError):
    """The jax backend has no translation for an op."""


def node_label(node: Apply) -> str:
    """'Reshape{2} (created at model.py:12)' for error messages."""
    return f"{node.op} (created at {format_site(node.site)})"


class StaticValue:
    """A NumPy value passed to `jax.jit` as a static argument: hashed by its contents."""

    __slots__ = ("_key", "value")

    def __init__(self, value: Any) -> None:
        self.value = np.asarray(value)
        self._key = (self.value.dtype.str, self.value.shape, self.value.tobytes())

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticValue) and other._key == self._key


# Ops whose output needs only the *shape* of these inputs, never their values.
def _shape_only_inputs(node: Apply) -> tuple[int, ...]:
    from tensorgraft.tensor.shape import Shape, ShapeI

    return (0,) if isinstance(node.op, Shape | ShapeI) else ()


def static_plan(fgraph: FunctionGraph) -> tuple[set[Apply], list[int]]:
    """Which nodes to compute with NumPy while tracing, and which inputs are static.

    Raises `JaxUntraceableError` when a value that decides a shape comes from an input
    that cannot be static (floats, bools, arrays of more than one axis).
    """
    order = fgraph.toposort()
    wanted: dict[Variable, Apply] = {}  # variable -> the node that needs its value
    folded: set[Apply] = set()
    for node in reversed(order):
        needers = [wanted[o] for o in node.outputs if o in wanted]
        if needers:
            folded.add(node)
            skip = _shape_only_inputs(node)
            for k, var in enumerate(node.inputs):
                if k not in skip:
                    wanted.setdefault(var, needers[0])
        for k in jax_impl.static_inputs(node):
            wanted.setdefault(node.inputs[k], node)
    static_positions = []
    for k, var in enumerate(fgraph.inputs):
        if var not in wanted:
            continue
        dtype = np.dtype(getattr(var.type, "dtype", "object"))
        if dtype.kind not in "iu" or getattr(var.type, "ndim", 2) > 1:
            user = wanted[var]
            raise JaxUntraceableError(
                f"jax backend: {node_label(user)} has an output shape that depends on the "
                f"value of {describe(var)} ({var.type}); JAX compiles for fixed shapes, so "
                "such a value must be a constant, come from shapes, or be an integer input "
                "(scalar or vector, a static argument). Use another backend for this graph."
            )
        static_positions.append(k)
    return folded, static_positions


def _impl_for(node: Apply) -> Any:
    impl = jax_impl.lookup(node.op)
    if impl is None:
        reason = jax_impl.unsupported.get(type(node.op), "no JAX translation is registered")
        raise JaxNotImplementedError(f"jax backend: cannot compile {node_label(node)}: {reason}")
    return impl


def build_function(
    fgraph: FunctionGraph, static_positions: Sequence[int], folded: set[Apply]
) -> Callable[..., list[Any]]:
    """The graph as one Python function of the input values, ready for `jax.jit`."""
    order = fgraph.toposort()
    steps = []
    for node in order:
        if node in folded:
            steps.append((node, None))
        else:
            impl = _impl_for(node)
            reason = jax_impl.check(node)
            if reason is not None:
                raise JaxNotImplementedError(
                    f"jax backend: cannot compile {node_label(node)}: {reason}"
                )
            steps.append((node, impl))
    inputs = list(fgraph.inputs)
    outputs = list(fgraph.outputs)
    static = set(static_positions)
    constants: dict[Variable, Any] = {
        v: v.data
        for v in [*(i for n in order for i in n.inputs), *outputs]
        if isinstance(v, Constant)
    }

    def graph_fn(*values: Any) -> list[Any]:
        env: dict[Variable, Any] = dict(constants)
        for k, (var, value) in enumerate(zip(inputs, values, strict=True)):
            env[var] = value.value if k in static else value
        for node, impl in steps:
            args = [env[v] for v in node.inputs]
            try:
                if impl is None:  # a value that decides a shape: NumPy, while tracing
                    results = node.op.perform(node, args)
                else:
                    results = impl(node.op, node, *args)
                    if not isinstance(results, list | tuple):
                        results = [results]
                    results = [_as_dtype(r, o) for r, o in zip(results, node.outputs, strict=True)]
            except (JaxUntraceableError, JaxNotImplementedError):
                raise
            except Exception as err:
                err.add_note(f"while translating {node_label(node)} to JAX")
                raise
            for var, value in zip(node.outputs, results, strict=True):
                env[var] = value
        return [env[v] for v in outputs]

    return graph_fn


def _as_dtype(value: Any, var: Variable) -> Any:
    dtype = getattr(var.type, "dtype", None)
    if dtype is not None and getattr(value, "dtype", None) != np.dtype(dtype):
        import jax.numpy as jnp

        return jnp.asarray(value, dtype=dtype)
    return value


def _x64_context() -> Callable[[], Any]:
    """A context manager factory that turns float64 on (jax.enable_x64 from JAX 0.6)."""
    import jax

    public = getattr(jax, "enable_x64", None)
    if public is not None:
        return lambda: public(True)
    import jax.experimental

    older: Callable[[], Any] = getattr(jax.experimental, "enable_x64")  # noqa: B009 (older JAX)
    return older


class JaxBackend:
    """Compiles a graph to one `jax.jit` function (float64 enabled around its calls).

    Args:
        return_jax: return JAX arrays instead of NumPy arrays.
        fusion: run the rewrites' elementwise fusion first (off by default: XLA fuses).
    """

    name = "jax"
    rewrite_include: tuple[str, ...] = ()

    def __init__(self, return_jax: bool = False, fusion: bool = False) -> None:
        self.return_jax = return_jax
        self.fusion = fusion
        # JAX has no in-place updates; XLA fuses elementwise loops itself.
        self.rewrite_exclude: tuple[str, ...] = ("inplace",) if fusion else ("inplace", "fusion")

    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec("jax") is None:
            return "jax is not installed"
        return None

    def link(self, fgraph: FunctionGraph) -> Thunk:
        import jax

        from tensorgraft.compile_jax import rules  # noqa: F401  (fills the tables)

        folded, static_positions = static_plan(fgraph)
        graph_fn = build_function(fgraph, static_positions, folded)
        jitted = jax.jit(graph_fn, static_argnums=tuple(static_positions))
        static = frozenset(static_positions)
        return_jax = self.return_jax
        config: Any = jax.config
        x64 = _x64_context()

        def run(values: Sequence[Any]) -> list[Any]:
            if static:
                values = [StaticValue(v) if k in static else v for k, v in enumerate(values)]
            if config.jax_enable_x64:
                results = jitted(*values)
            else:
                with x64():
                    results = jitted(*values)
            if return_jax:
                return list(results)
            return [np.asarray(r) for r in results]

        run.jitted = jitted  # type: ignore[attr-defined]
        run.graph_fn = graph_fn  # type: ignore[attr-defined]
        # Function.report: how each node runs, in execution order.
        run.report = [  # type: ignore[attr-defined]
            (node, NUMPY_WHILE_TRACING if node in folded else "jax") for node in fgraph.toposort()
        ]
        return run

    def __repr__(self) -> str:
        return f"JaxBackend(return_jax={self.return_jax}, fusion={self.fusion})"


backend = JaxBackend()
