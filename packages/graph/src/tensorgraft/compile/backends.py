"""Backends and the rewrite pipeline, found through entry points.

* group `tensorgraft.backends`: name -> backend object (`python` is graph's own; the
  compile-* packages add `c`, `numba`, `jax`). Only the requested backend is loaded.
* group `tensorgraft.rewriters`: the rewrite pipeline `function` runs when
  tensorgraft-rewrite is installed; without it, graphs are compiled as written.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol, runtime_checkable

from tensorgraft.graph.fg import FunctionGraph

# mode=None tries these in order; TENSORGRAFT_MODE overrides the choice.
DEFAULT_ORDER = ("c", "numba", "jax", "python")

Thunk = Callable[[Sequence[Any]], list[Any]]


@runtime_checkable
class Backend(Protocol):
    """What `function` needs from a backend.

    Optional attributes, on the backend or on the thunk `link` returns (default False):
    `checks_inputs`: the thunk raises TypeError for any input it cannot take as is, so
    `Function` skips its Python input checks and runs them only after such an error (to
    convert the value or name the input in the error); `fresh_outputs`: the thunk's
    outputs never share memory with its inputs, constants or each other, so `Function`
    does not copy them. A thunk may also carry `report`: (node, how it ran) pairs.
    """

    name: str
    # Rewrite tags the backend adds to / removes from the default pipeline.
    rewrite_include: tuple[str, ...]
    rewrite_exclude: tuple[str, ...]

    def unavailable_reason(self) -> str | None:
        """None if the backend can compile here, else a one-line reason."""

    def link(self, fgraph: FunctionGraph) -> Thunk:
        """Compile `fgraph` to a callable from input values to output values."""


@functools.cache
def _backend_entry_points() -> dict[str, EntryPoint]:
    return {ep.name.lower(): ep for ep in entry_points(group="tensorgraft.backends")}


def installed_backends() -> list[str]:
    """Names of the backends installed (whether or not they can compile here)."""
    names = set(_backend_entry_points()) | {"python"}
    return sorted(names, key=lambda n: (*DEFAULT_ORDER, n).index(n))


@functools.cache
def load_backend(name: str) -> Backend:
    """The backend registered as `name` (case-insensitive)."""
    key = name.lower()
    eps = _backend_entry_points()
    if key in eps:
        backend = eps[key].load()
    elif key == "python":
        from tensorgraft.compile.python_backend import backend
    else:
        raise ValueError(
            f"unknown mode {name!r}; installed backends: {', '.join(installed_backends())}"
        )
    if not isinstance(backend, Backend):
        raise TypeError(f"the entry point for backend {name!r} does not give a backend")
    return backend


def resolve_backend(mode: str | Backend | None) -> Backend:
    """The backend for `mode`: a name, a backend object, or None for the default."""
    if mode is not None and not isinstance(mode, str | Backend):
        raise TypeError(f"mode must be a backend name or object, got {mode!r}")
    if mode is None:
        mode = os.environ.get("TENSORGRAFT_MODE") or None
    if mode is not None:
        backend = load_backend(mode) if isinstance(mode, str) else mode
        reason = backend.unavailable_reason()
        if reason is not None:
            raise RuntimeError(f"backend {backend.name!r} cannot compile here: {reason}")
        return backend
    for name in installed_backends():
        try:
            backend = load_backend(name)
        except Exception as err:  # a broken optional backend must not break the default
            warnings.warn(f"skipping backend {name!r}: it failed to load ({err})", stacklevel=2)
            continue
        if backend.unavailable_reason() is None:
            return backend
    return load_backend("python")


@functools.cache
def rewriter() -> Callable[..., Any] | None:
    """The installed rewrite pipeline (entry point group `tensorgraft.rewriters`), if any."""
    eps = {ep.name: ep for ep in entry_points(group="tensorgraft.rewriters")}
    if not eps:
        return None
    ep = eps.get("default") or next(iter(eps.values()))
    return ep.load()


def cache_dir(backend: str) -> str:
    """The on-disk cache folder of a backend: $TENSORGRAFT_CACHE_DIR/<backend>.

    The root defaults to the platform's user cache folder (~/.cache/tensorgraft).
    """
    root = os.environ.get("TENSORGRAFT_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "tensorgraft")
    return os.path.join(root, backend)
