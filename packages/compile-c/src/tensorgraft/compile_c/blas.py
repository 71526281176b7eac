"""SciPy's BLAS (`scipy.linalg.cython_blas`) for compiled code, without `import scipy.linalg`.

Importing `scipy.linalg` takes a few hundred milliseconds, most of a warm start. The
compiled code only needs the function pointers `cython_blas` exports (`__pyx_capi__`),
so the extension module is loaded on its own: its package `__init__` does not run. If
that fails for any reason, the ordinary import is used.
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import importlib.util
import os
import sys
from typing import Any

NAME = "scipy.linalg.cython_blas"


@functools.cache
def capi() -> dict[str, Any]:
    """`scipy.linalg.cython_blas.__pyx_capi__`: routine name -> capsule of its pointer."""
    module = sys.modules.get(NAME)
    if module is None:
        try:
            module = _load_alone()
        except Exception:  # any failure: the ordinary import below
            module = None
    if module is None:
        module = importlib.import_module(NAME)
    table: dict[str, Any] = module.__pyx_capi__
    return table


def _load_alone() -> Any:
    spec = importlib.util.find_spec("scipy")
    if spec is None or spec.origin is None:
        return None
    folder = os.path.join(os.path.dirname(spec.origin), "linalg")
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(folder, "cython_blas" + suffix)
        if os.path.isfile(path):
            loader = importlib.machinery.ExtensionFileLoader(NAME, path)
            module = importlib.util.module_from_spec(importlib.util.spec_from_loader(NAME, loader))  # type: ignore[arg-type]
            try:
                loader.exec_module(module)
            finally:
                # Loading registered it without binding it to its package: leave the
                # name to the ordinary import, which does both.
                if sys.modules.get(NAME) is module:
                    del sys.modules[NAME]
            return module
    return None
