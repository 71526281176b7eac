"""The numba backend: the rewritten graph becomes one generated Python function, compiled
by `numba.njit` and cached on disk (see `cache`).

Nodes without a compiled implementation run their `perform` in an `objmode` block (a
Python callback): the backend says so with a `NumbaCallbackWarning` naming each such
node and the reason, and `callbacks=False` turns them into a compile-time error.
"""

from __future__ import annotations

import importlib.util
import re
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


def _signature(gen: Generated, fgraph: FunctionGraph) -> tuple[Any, ...]:
    import numba

    def array(dtype: Any, ndim: int) -> Any:
        return numba.types.Array(numba.from_dtype(np.dtype(dtype)), ndim, "C")

    ins = [array(v.type.dtype, v.type.ndim) for v in fgraph.inputs]  # type: ignore[attr-defined]
    consts = [array(c.dtype, c.ndim) for c in gen.constants]
    return tuple(ins + consts)


def compile_generated(gen: Generated, fgraph: FunctionGraph, folder: str) -> Any:
    """Write, import and compile the generated module; the Numba dispatcher.

    A cache entry that fails to load is deleted and the function compiled again.
    """
    from numba.core.errors import NumbaError

    key = disk.source_key(gen.source)
    sig = _signature(gen, fgraph)
    for attempt in range(2):
        path = disk.write_module(gen.source, key, folder)
        module = disk.load_module(path, key)
        for name, value in gen.globals.items():
            setattr(module, name, value)
        fn = getattr(module, FUNCTION_NAME)
        try:
            fn.compile(sig)
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
        constants = tuple(gen.constants)
        nodes = gen.nodes

        def run(values: Sequence[Any]) -> list[Any]:
            args = [
                v if type(v) is np.ndarray and v.flags.c_contiguous else _contiguous(v)
                for v in values
            ]
            try:
                return list(fn(*args, *constants))
            except Exception as err:
                found = _NODE_TAG.search(str(err))
                if found:
                    err.add_note(f"in {node_label(nodes[int(found.group(1))])}")
                raise

        run.dispatcher = fn  # type: ignore[attr-defined]
        run.source = gen.source  # type: ignore[attr-defined]
        run.callbacks = [(c.node, c.reason) for c in gen.callbacks]  # type: ignore[attr-defined]
        return run

    def __repr__(self) -> str:
        return f"NumbaBackend(callbacks={self.callbacks}, cache={self.cache})"


def _contiguous(value: Any) -> np.ndarray:
    a = np.asarray(value)
    return a if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(a.shape)


backend = NumbaBackend()
