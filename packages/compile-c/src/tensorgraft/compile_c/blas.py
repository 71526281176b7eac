"""SciPy's BLAS and LAPACK (`scipy.linalg.cython_blas`, `cython_lapack`) for compiled code,
without `import scipy.linalg`.

Importing `scipy.linalg` takes a few hundred milliseconds, most of a warm start. The
compiled code only needs the function pointers those modules export (`__pyx_capi__`),
so each extension module is loaded on its own: its package `__init__` does not run. It
imports Cython's shared utility module `scipy._cyutility`, which is loaded on its own
too (an ordinary import of it would run `scipy/__init__`, tens of milliseconds). If that
fails for any reason, the ordinary import is used.
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import importlib.util
import os
import sys
import types
from typing import Any

NAME = "scipy.linalg.cython_blas"
LAPACK = "scipy.linalg.cython_lapack"
UTILITY = "scipy._cyutility"


@functools.cache
def capi(name: str = NAME) -> dict[str, Any]:
    """`<name>.__pyx_capi__` (`name` is cython_blas or cython_lapack): routine name ->
    capsule of its pointer."""
    module = sys.modules.get(name)
    if module is None:
        try:
            module = _load_alone(name)
        except Exception:  # any failure: the ordinary import below
            module = None
    if module is None:
        module = importlib.import_module(name)
    table: dict[str, Any] = module.__pyx_capi__
    return table


def lapack_capi() -> dict[str, Any]:
    """`scipy.linalg.cython_lapack.__pyx_capi__`."""
    return capi(LAPACK)


def _load_alone(name: str) -> Any:
    spec = importlib.util.find_spec("scipy")
    if spec is None or spec.origin is None:
        return None
    folder = os.path.dirname(spec.origin)
    placed: dict[str, Any] = {}
    try:
        utility = None
        if UTILITY not in sys.modules:  # (SciPy builds without it have nothing to place)
            utility = _extension(UTILITY, os.path.join(folder, "_cyutility"))
        if utility is not None:
            # cython_blas/lapack run `import scipy._cyutility`, which returns the top package:
            # a stand-in for it while the real one is not imported.
            if "scipy" not in sys.modules:
                package = types.ModuleType("scipy")
                package.__path__ = [folder]
                package._cyutility = utility  # type: ignore[attr-defined]
                placed["scipy"] = package
            placed[UTILITY] = utility
            sys.modules.update(placed)
        return _extension(name, os.path.join(folder, "linalg", name.rpartition(".")[2]))
    finally:
        # Leave the names to the ordinary import, which binds them to the real package
        # (a second load of a Cython module returns the same module object).
        for placed_name, module in placed.items():
            if sys.modules.get(placed_name) is module:
                del sys.modules[placed_name]


def _extension(name: str, stem: str) -> Any:
    """The extension module at `stem` + a suffix, executed as `name`, or None."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = stem + suffix
        if os.path.isfile(path):
            loader = importlib.machinery.ExtensionFileLoader(name, path)
            module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))  # type: ignore[arg-type]
            try:
                loader.exec_module(module)
            finally:
                if sys.modules.get(name) is module:
                    del sys.modules[name]
            return module
    return None
