"""The on-disk cache: each generated source is a module file under cache_dir("numba").

The file is named by a hash of its source and of the versions that shape the compiled
code (Python, NumPy, Numba, this package), so the same graph compiled in a new process
finds the same file, and Numba's own cache (`cache=True`, in `__pycache__` next to it)
gives back the machine code without recompiling.

* Writes are atomic (a temporary file, then a hard link or `os.replace`): two processes
  compiling the same graph at once both end up with one complete file.
* A file whose text differs from the source it is named after (truncated, edited) is
  rewritten; Numba's index records the file's size and time, so it recompiles then.
* A Numba cache entry that fails to load (corrupt) is deleted and compiled again.
* Numba does not notice when a helper the generated code calls changes: the key covers
  the text of `runtime` (the helpers) too.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
import tempfile
import types

import numpy as np

from tensorgraft.compile.backends import cache_dir
from tensorgraft.compile_numba.__about__ import __version__

# Bump when the generated code changes meaning without its text changing.
CODEGEN_VERSION = 1


def source_key(source: str) -> str:
    """The cache key of a generated source: a hash of it and of the relevant versions."""
    import numba

    from tensorgraft.compile_numba import vecmath

    versions = f"{sys.version}|numpy {np.__version__}|numba {numba.__version__}|{__version__}"
    versions += f"|libmvec {sorted(vecmath.functions())}"  # the machine code calls them or not
    text = f"{CODEGEN_VERSION}\n{versions}\n{_runtime_hash()}\n{source}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@functools.cache
def _runtime_hash() -> str:
    # Numba's cache does not notice when a called helper changes: key on the helpers' text.
    from tensorgraft.compile_numba import runtime

    with open(runtime.__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def module_path(key: str, folder: str | None = None) -> str:
    """Where the module of `key` lives."""
    return os.path.join(folder or cache_dir("numba"), f"tg_{key}.py")


def write_module(source: str, key: str, folder: str | None = None) -> str:
    """Make sure the module file for `key` holds `source` (atomically); its path.

    A new file is published with a hard link, which fails if another process got there
    first: the first complete file wins and is never replaced, so Numba's index (which
    records the file's time) stays valid. A file with other text is replaced.
    """
    path = module_path(key, folder)
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == source:
                return path
        exists = True
    except (FileNotFoundError, UnicodeDecodeError):
        exists = os.path.exists(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".tg_{key}.", suffix=".tmp", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(source)
        if exists:
            os.replace(tmp, path)
            return path
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process published it first
        except OSError:
            os.replace(tmp, path)  # no hard links on this file system
    finally:
        with_suppress_remove(tmp)
    return path


def with_suppress_remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def load_module(path: str, key: str) -> types.ModuleType:
    """Import the module file at `path` afresh (a new module object each time)."""
    # Numba names its cache entries after the module: the name must not vary.
    name = f"tg_{key}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import the generated module {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # Numba resolves some globals through sys.modules
    spec.loader.exec_module(module)
    return module


def drop_numba_entries(path: str) -> None:
    """Delete Numba's cache files of the module at `path` (a corrupt entry, say)."""
    folder = os.path.join(os.path.dirname(path), "__pycache__")
    stem = os.path.splitext(os.path.basename(path))[0]
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    for n in names:
        if n.startswith(stem + ".") and (n.endswith(".nbi") or n.endswith(".nbc")):
            with_suppress_remove(os.path.join(folder, n))
