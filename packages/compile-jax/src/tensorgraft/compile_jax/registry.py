"""The jax backend's rule tables: a JAX implementation per op type, and per scalar op.

A rule turns one node into JAX calls: `impl(op, node, *inputs)` returns the output (or a
list of outputs, one per node output). Inputs are JAX arrays while tracing, or NumPy
arrays where the value is known when tracing (constants, shapes, and the inputs listed
as *static*). Third-party ops plug in the same way:

    @jax_impl.register(MyOp, static=(1,))   # input 1 must be known when tracing
    def _(op, node, x, n):
        return jnp.tile(x, int(n))

Elemwise looks up its scalar op in `scalar_impl` (keyed by scalar op type):
`scalar_impl.register(Log)(jnp.log)`, or a function `(op, *inputs)` with `with_op=True`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.op import Op

Impl = Callable[..., Any]
# Which input positions of a node must be known when tracing (a shape depends on them).
StaticInputs = tuple[int, ...] | Callable[[Op, Apply], Iterable[int]]


class JaxImplTable:
    """Op type -> (implementation, static input positions); looked up along the MRO."""

    def __init__(self) -> None:
        self.impls: dict[type, Impl] = {}
        self.statics: dict[type, StaticInputs] = {}
        self.checks: dict[type, Callable[[Apply], str | None]] = {}
        self.reads: dict[type, Callable[[Apply], list[Variable]]] = {}
        self.unsupported: dict[type, str] = {}

    def register(
        self,
        *op_types: type,
        static: StaticInputs = (),
        check: Callable[[Apply], str | None] | None = None,
        reads: Callable[[Apply], list[Variable]] | None = None,
    ) -> Callable[[Impl], Impl]:
        """Decorator: `fn(op, node, *inputs)` implements nodes of `op_types`.

        `static`: input positions whose values must be known when tracing (or a function
        of (op, node) giving them). `check(node)`: a reason the node cannot be translated
        (an unsupported dtype, say), or None; run at compile time. `reads(node)`: the
        variables whose values `fn` receives, if not the node's inputs (an earlier
        variable of the graph each: e.g. the matrix a transposed input comes from, so
        that a product contracts it directly).
        """

        def deco(fn: Impl) -> Impl:
            for t in op_types:
                self.impls[t] = fn
                self.statics[t] = static
                if check is not None:
                    self.checks[t] = check
                if reads is not None:
                    self.reads[t] = reads
            return fn

        return deco

    def inputs_read(self, node: Apply) -> list[Variable]:
        """The variables whose values the implementation of `node` receives."""
        for t in type(node.op).__mro__:
            if t in self.impls:
                return self.reads[t](node) if t in self.reads else list(node.inputs)
        return list(node.inputs)

    def check(self, node: Apply) -> str | None:
        """Why `node` cannot be translated, or None."""
        for t in type(node.op).__mro__:
            if t in self.checks:
                return self.checks[t](node)
        return None

    def declare_unsupported(self, op_type: type, reason: str) -> None:
        """Record that `op_type` has no translation, and why (shown by the coverage listing)."""
        self.unsupported[op_type] = reason

    def lookup(self, op: Op) -> Impl | None:
        for t in type(op).__mro__:
            if t in self.impls:
                return self.impls[t]
        return None

    def static_inputs(self, node: Apply) -> tuple[int, ...]:
        """Positions of `node`'s inputs whose values must be known when tracing."""
        for t in type(node.op).__mro__:
            if t in self.statics:
                spec = self.statics[t]
                return tuple(spec if isinstance(spec, tuple) else spec(node.op, node))
        return ()

    def __contains__(self, op_type: type) -> bool:
        return any(t in self.impls for t in op_type.__mro__)


class ScalarImplTable:
    """Scalar op type -> `fn(op, *arrays)`, used by Elemwise (and inside Composite)."""

    def __init__(self) -> None:
        self.impls: dict[type, Impl] = {}
        self.real_only: set[type] = set()
        self.unsupported: dict[type, str] = {}

    def register(
        self, *op_types: type, with_op: bool = False, real_only: bool = False
    ) -> Callable[[Impl], Impl]:
        """Decorator: `fn(*arrays)` (or `fn(op, *arrays)` with `with_op`) computes the op.

        `real_only`: JAX computes it for real inputs only (complex inputs are refused at
        compile time).
        """

        def deco(fn: Impl) -> Impl:
            impl = fn if with_op else (lambda op, *xs: fn(*xs))
            for t in op_types:
                self.impls[t] = impl
                if real_only:
                    self.real_only.add(t)
            return fn

        return deco

    def lookup(self, op: Any) -> Impl | None:
        for t in type(op).__mro__:
            if t in self.impls:
                return self.impls[t]
        return None

    def __contains__(self, op_type: type) -> bool:
        return any(t in self.impls for t in op_type.__mro__)


jax_impl = JaxImplTable()
scalar_impl = ScalarImplTable()


class LazyModule:
    """A module imported on first attribute access: `jax.scipy.*` costs ~0.1 s to import,
    which a graph without special functions or solvers should not pay."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


jss = LazyModule("jax.scipy.special")
jsl = LazyModule("jax.scipy.linalg")
