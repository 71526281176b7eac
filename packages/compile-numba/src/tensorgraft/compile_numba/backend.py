"""The numba backend: the rewritten graph becomes one generated Python function, compiled
by `numba.njit` and cached on disk (see `cache`).

Nodes without a compiled implementation run their `perform` in an `objmode` block (a
Python callback): the backend says so with a `NumbaCallbackWarning` naming each such
node and the reason, and `callbacks=False` turns them into a compile-time error.

Calls: the compiled function takes exactly one signature (C-contiguous arrays of the
inputs' dtypes and ranks) and compiles no other, so the dispatcher itself checks each
input's dtype and rank and raises TypeError for anything else; the thunk checks static
shapes. `Function` then skips its Python checks (`checks_inputs`) and, on a TypeError,
converts the inputs (a list, a Python number, a safe cast) or names the bad one.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from tensorgraft.compile.backends import Thunk, cache_dir
from tensorgraft.compile_numba import cache as disk
from tensorgraft.compile_numba.codegen import FUNCTION_NAME, Generated, generate, node_label
from tensorgraft.graph.fg import FunctionGraph


class NumbaCallbackWarning(UserWarning):
    """Some nodes of a compiled graph run in Python (objmode), not as compiled code."""


_NODE_TAG = re.compile(r"\[tg-node (\d+)\] ")

# Numba versions whose first cache load may skip the context's registry refresh (see
# `_load_without_refresh`); others take Numba's usual path.
_FAST_LOAD_VERSIONS = ((0, 65), (0, 69))


def _signature(gen: Generated, fgraph: FunctionGraph) -> tuple[Any, ...]:
    import numba

    def array(dtype: Any, ndim: int) -> Any:
        return numba.types.Array(numba.from_dtype(np.dtype(dtype)), ndim, "C")

    ins = [array(v.type.dtype, v.type.ndim) for v in fgraph.inputs]  # type: ignore[attr-defined]
    consts = [array(c.dtype, c.ndim) for c in gen.constants]
    return tuple(ins + consts)


def _fast_load_enabled() -> bool:
    if os.environ.get("TENSORGRAFT_NUMBA_FAST_LOAD", "1") == "0":
        return False
    import numba

    try:
        version = tuple(int(p) for p in numba.__version__.split(".")[:2])
    except ValueError:
        return False
    low, high = _FAST_LOAD_VERSIONS
    return low <= version < high


def _defer_scipy_import() -> None:
    """Keep Numba's first registry refresh from importing SciPy (130-190 ms here).

    Loading its array functions, Numba checks that BLAS exists by importing
    `scipy.linalg.cython_blas`. Its BLAS and LAPACK calls import that module themselves
    when first run, so a check that SciPy is installed suffices: a graph without
    matrix products or linear algebra then never imports SciPy. Only before the
    registries load (importing numba.np.linalg costs a warm start 30 ms: only on a
    cache miss), and for the Numba versions this was checked on.
    """
    if "numba.np.arraymath" in sys.modules:
        return
    import numba.np.linalg as nplinalg

    def ensure_blas() -> None:
        if importlib.util.find_spec("scipy") is None:
            raise ImportError("scipy 0.16+ is required for linear algebra")

    nplinalg.ensure_blas = ensure_blas


def _load_without_refresh(fn: Any, sig: tuple[Any, ...]) -> None:
    """`fn.compile(sig)`, but a load from Numba's disk cache skips the first-use refresh.

    Numba refreshes its target context before each cache lookup: on first use in a
    process that imports and installs every typing and lowering registry (about half a
    second), which only compiling needs; loading compiled code needs just the runtime
    (NRT). So during the lookup alone the refresh only sets up the runtime. On a miss
    Numba's compiler refreshes the context itself (compiler.compile_extra).
    """
    from numba.core.runtime import rtsys

    ctx, cache = fn.targetctx, fn._cache
    lookup = cache.load_overload

    def load_overload(signature: Any, target_context: Any) -> Any:
        ctx.refresh = lambda: rtsys.initialize(ctx)
        try:
            found = lookup(signature, target_context)
        finally:
            ctx.__dict__.pop("refresh", None)
        if found is None:  # Numba compiles next
            _defer_scipy_import()
        return found

    cache.load_overload = load_overload
    try:
        fn.compile(sig)
    finally:
        cache.__dict__.pop("load_overload", None)


def compile_generated(gen: Generated, fgraph: FunctionGraph, folder: str) -> Any:
    """Write, import and compile the generated module; the Numba dispatcher.

    The dispatcher holds one signature and compiles no other (a call with other types
    raises TypeError). A cache entry that fails to load is deleted and the function
    compiled again.
    """
    from numba.core.errors import NumbaError

    key = disk.source_key(gen.source)
    sig = _signature(gen, fgraph)
    fast = _fast_load_enabled()
    for attempt in range(2):
        path = disk.write_module(gen.source, key, folder)
        module = disk.load_module(path, key)
        for name, value in gen.globals.items():
            setattr(module, name, value)
        fn = getattr(module, FUNCTION_NAME)
        try:
            if fast and not attempt:
                _load_without_refresh(fn, sig)
            else:
                if fast:
                    _defer_scipy_import()
                fn.compile(sig)
            fn.disable_compile()
            return fn
        except NumbaError as err:
            err.add_note(f"while compiling the generated module {path}")
            raise
        except Exception:
            if attempt:
                raise
            # A corrupt or unreadable cache entry: drop it (and the module) and rebuild.
            disk.drop_numba_entries(path)
            disk.with_suppress_remove(path)
    raise AssertionError("unreachable")


class NumbaBackend:
    """Compiles a graph to one `numba.njit` function with an on-disk cache.

    Args:
        callbacks: let nodes without a compiled implementation run their Python
            `perform` (objmode), with a warning; False rejects them at compile time.
        cache: keep compiled code on disk under cache_dir("numba").
    """

    name = "numba"
    rewrite_include: tuple[str, ...] = ("inplace",)
    rewrite_exclude: tuple[str, ...] = ()

    def __init__(self, callbacks: bool = True, cache: bool = True) -> None:
        self.callbacks = callbacks
        self.cache = cache

    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec("numba") is None:
            return "numba is not installed"
        return None

    def generate(self, fgraph: FunctionGraph) -> Generated:
        """The generated source (and its constants and callbacks) for `fgraph`."""
        return generate(fgraph, allow_callbacks=self.callbacks, cache=self.cache)

    def link(self, fgraph: FunctionGraph) -> Thunk:
        gen = self.generate(fgraph)
        if gen.callbacks:
            listing = "; ".join(f"{node_label(c.node)}: {c.reason}" for c in gen.callbacks)
            warnings.warn(
                f"numba backend: {len(gen.callbacks)} node(s) run as Python callbacks "
                f"(objmode): {listing}",
                NumbaCallbackWarning,
                stacklevel=4,
            )
        fn = compile_generated(gen, fgraph, cache_dir("numba"))
        run: Any = _make_thunk(fn, tuple(gen.constants), gen.nodes, _static_shapes(fgraph))
        run.dispatcher = fn
        run.source = gen.source
        run.callbacks = [(c.node, c.reason) for c in gen.callbacks]
        # Function.report: how each node runs.
        reasons = {c.node: c.reason for c in gen.callbacks}
        run.report = [
            (node, f"python callback: {reasons[node]}" if node in reasons else "compiled")
            for node in gen.nodes
        ]
        run.checks_inputs = True
        return run

    def __repr__(self) -> str:
        return f"NumbaBackend(callbacks={self.callbacks}, cache={self.cache})"


def _static_shapes(fgraph: FunctionGraph) -> tuple[tuple[int, int, int], ...]:
    """(input position, axis, length) for each axis of an input with a static length."""
    return tuple(
        (k, axis, length)
        for k, var in enumerate(fgraph.inputs)
        for axis, length in enumerate(getattr(var.type, "shape", ()))
        if length is not None
    )


def _make_thunk(
    fn: Any,
    constants: tuple[np.ndarray, ...],
    nodes: Sequence[Any],
    static: tuple[tuple[int, int, int], ...],
) -> Any:
    """The per-call function: values -> list of outputs, as little Python as possible.

    The dispatcher refuses (TypeError) a value of another type, rank or dtype, a
    non-contiguous or read-only array, or a Python number: those are retried once as
    C-contiguous writeable arrays, and a TypeError left over goes to `Function`, whose
    checkers convert the value or name it. A static length that does not match raises
    TypeError the same way (the compiled code relies on it).
    """

    def call(values: Sequence[Any]) -> list[Any]:
        try:
            return list(fn(*values, *constants) if constants else fn(*values))
        except TypeError as err:
            fixed = [_plain_array(v) for v in values]
            if all(a is b for a, b in zip(fixed, values, strict=True)):
                _name_node(err)
                raise
            return call(fixed)
        except Exception as err:
            _name_node(err)
            raise

    def _name_node(err: Exception) -> None:
        found = _NODE_TAG.search(str(err))
        if found:
            # The tag only says which node raised: the note names it in the user's terms.
            if err.args and isinstance(err.args[0], str):
                err.args = (_NODE_TAG.sub("", err.args[0], count=1), *err.args[1:])
            err.add_note(f"in {node_label(nodes[int(found.group(1))])}")

    if not static:
        return call

    def call_checked(values: Sequence[Any]) -> list[Any]:
        for k, axis, length in static:
            try:
                ok = values[k].shape[axis] == length
            except (AttributeError, IndexError, TypeError):
                ok = False
            if not ok:
                raise TypeError(f"input {k}: axis {axis} must have length {length}")
        return call(values)

    return call_checked


def _plain_array(value: Any) -> Any:
    """`value` as a C-contiguous writeable ndarray (itself when it already is one)."""
    if type(value) is np.ndarray:
        if value.flags.c_contiguous and value.flags.writeable:
            return value
        return np.array(value, order="C", copy=True)
    if isinstance(value, np.ndarray | np.generic | int | float | complex | bool):
        return np.array(value, order="C", copy=True)
    return value  # a list, say: Function's checkers convert it


backend = NumbaBackend()
