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

import gc
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


def _input_spec(var: Variable) -> tuple[np.dtype[Any], int, tuple[tuple[int, int], ...]] | None:
    """(dtype, ndim, fixed dims) that a traced value of `var` must have; None: not an array."""
    dtype = getattr(var.type, "numpy_dtype", None)
    shape = getattr(var.type, "shape", None)
    if dtype is None or shape is None:
        return None
    return dtype, len(shape), tuple((a, s) for a, s in enumerate(shape) if s is not None)


def _check_traced(var: Variable, value: Any, spec: tuple[Any, int, Any]) -> None:
    """Refuse (TypeError) a traced input that does not match its type exactly.

    This runs once per new signature of the inputs, when JAX traces: JAX's own dispatch
    then sends every call with that signature straight to the compiled program, so the
    driver need not check inputs in Python (`checks_inputs`). A TypeError makes the
    driver run its checkers, which convert the value (a list, a Python number, a safe
    cast) or raise the error a user should see.
    """
    dtype, ndim, fixed = spec
    aval = getattr(value, "aval", None)
    shape = getattr(value, "shape", ())
    if (
        getattr(value, "dtype", None) != dtype
        or len(shape) != ndim
        or any(shape[a] != s for a, s in fixed)
        or getattr(aval, "weak_type", False)  # a Python number: its dtype is JAX's guess
    ):
        raise TypeError(f"jax backend: {describe(var)} expects {var.type}, got {aval or value}")


def build_function(
    fgraph: FunctionGraph, static_positions: Sequence[int], folded: set[Apply]
) -> Callable[..., list[Any]]:
    """The graph as one Python function of the input values, ready for `jax.jit`.

    Each input that is traced (not static) is checked against its type while tracing.
    """
    order = fgraph.toposort()
    steps: list[tuple[Apply, Any, Sequence[Variable], Sequence[Variable], tuple[Any, ...]]] = []
    for node in order:
        if node in folded:
            steps.append((node, None, node.inputs, node.outputs, ()))
        else:
            impl = _impl_for(node)
            reason = jax_impl.check(node)
            if reason is not None:
                raise JaxNotImplementedError(
                    f"jax backend: cannot compile {node_label(node)}: {reason}"
                )
            dtypes = tuple(np.dtype(getattr(o.type, "dtype", "object")) for o in node.outputs)
            steps.append((node, impl, jax_impl.inputs_read(node), node.outputs, dtypes))
    outputs = list(fgraph.outputs)
    static = set(static_positions)
    # (variable, static?, the checks of a traced value) per input, in call order.
    inputs = [
        (var, k in static, None if k in static else _input_spec(var))
        for k, var in enumerate(fgraph.inputs)
    ]
    constants: dict[Variable, Any] = {
        v: v.data
        for v in [*(i for n in order for i in n.inputs), *outputs]
        if isinstance(v, Constant)
    }

    def graph_fn(*values: Any) -> list[Any]:
        env: dict[Variable, Any] = dict(constants)
        for (var, is_static, spec), value in zip(inputs, values, strict=True):
            if is_static:
                value = value.value
            elif spec is not None:
                _check_traced(var, value, spec)
            env[var] = value
        for node, impl, node_inputs, node_outputs, dtypes in steps:
            args = [env[v] for v in node_inputs]
            try:
                if impl is None:  # a value that decides a shape: NumPy, while tracing
                    results = node.op.perform(node, args)
                else:
                    results = impl(node.op, node, *args)
                    if not isinstance(results, list | tuple):
                        results = [results]
                    results = [
                        r if _has_dtype(r, d) else _as_dtype(r, d)
                        for r, d in zip(results, dtypes, strict=True)
                    ]
            except (JaxUntraceableError, JaxNotImplementedError):
                raise
            except Exception as err:
                err.add_note(f"while translating {node_label(node)} to JAX")
                raise
            env.update(zip(node_outputs, results, strict=True))
        return [env[v] for v in outputs]

    return graph_fn


def _has_dtype(value: Any, dtype: np.dtype[Any]) -> bool:
    found = getattr(value, "dtype", None)  # (NumPy takes `None == dtype` for float64)
    return found is not None and found == dtype


def _as_dtype(value: Any, dtype: np.dtype[Any]) -> Any:
    if dtype.kind == "O":  # not an array type: as the rule gave it
        return value
    import jax.numpy as jnp

    return jnp.asarray(value, dtype=dtype)


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
        block_until_ready = jax.block_until_ready
        # Outputs that are inputs or constants: jit may hand back a view of their memory.
        own = [k for k, v in enumerate(fgraph.outputs) if v.owner is None]

        def run(values: Sequence[Any]) -> list[Any]:
            # The per-call path: as lean as a plain `jax.jit` call and `np.asarray`.
            if static:
                values = [StaticValue(v) if k in static else v for k, v in enumerate(values)]
            # No garbage collection while JAX may trace and compile: a full collection
            # walks the whole heap (tensorgraft's graphs included) and finds nothing
            # to free in what compiling allocates. Collections resume after the call.
            collect = gc.isenabled()
            gc.disable()
            try:
                if config.jax_enable_x64:
                    results = jitted(*values)
                else:
                    with x64():
                        results = jitted(*values)
            finally:
                if collect:
                    gc.enable()
            if return_jax:
                return list(results)
            # Waiting for all results first, then converting, is faster than np.asarray
            # waiting on each (48 µs against 66 µs per call of the logistic regression).
            results = [np.asarray(r) for r in block_until_ready(results)]
            for k in own:
                results[k] = results[k].copy()
            return results

        run.jitted = jitted  # type: ignore[attr-defined]
        run.graph_fn = graph_fn  # type: ignore[attr-defined]
        # JAX's dispatch sends a call to the compiled program only for input signatures
        # that graph_fn checked when tracing (static inputs are checked by Function).
        run.checks_inputs = not static and all(  # type: ignore[attr-defined]
            _input_spec(v) is not None for v in fgraph.inputs
        )
        # Every result is a fresh buffer (read-only as NumPy), or a copy (`own`): Function
        # need not copy outputs that view inputs or other outputs in the graph.
        run.fresh_outputs = True  # type: ignore[attr-defined]
        # Function.report: how each node runs, in execution order.
        run.report = [  # type: ignore[attr-defined]
            (node, NUMPY_WHILE_TRACING if node in folded else "jax") for node in fgraph.toposort()
        ]
        return run

    def __repr__(self) -> str:
        return f"JaxBackend(return_jax={self.return_jax}, fusion={self.fusion})"


backend = JaxBackend()
