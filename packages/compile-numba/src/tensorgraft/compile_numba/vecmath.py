"""glibc's vector math (libmvec) in the loops Numba compiles.

LLVM can replace calls to exp, log, sin, cos, tan and pow inside a loop with calls to
glibc's SIMD versions (`_ZGVdN4v_exp`: four doubles per call) and so vectorize the loop,
if it is told which vector library exists. PyPI's llvmlite has no SVML (Intel's), so by
default Numba leaves such loops scalar. While `compiling()` is active the backend gives
LLVM `--vector-library=LIBMVEC-X86`; it is reset afterwards so that other Numba users in
the process are unaffected. glibc documents at most 4 ulp of error for these functions.

Only on Linux x86-64 with `libmvec.so.1`, with an llvmlite built on LLVM 12 to 20 (LLVM 21
dropped the `-vector-library` option, which only its compiler drivers set now, and
llvmlite does not expose the replacement), and not when Numba already uses SVML;
`TENSORGRAFT_NUMBA_VECTOR_MATH=0` turns it off. Whether it is on is part of the cache
key (`cache.source_key`) and decides how some scalar ops are written (`rules/scalar.py`:
log1p, expm1, sigmoid, softplus, logaddexp through exp and log, without branches).
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
import sys
from collections.abc import Iterator


@functools.cache
def available() -> bool:
    """True when compiled loops may call libmvec (loaded into the process here)."""
    if os.environ.get("TENSORGRAFT_NUMBA_VECTOR_MATH", "1") == "0":
        return False
    if not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        from numba.core import config

        if config.USING_SVML:
            return False  # Numba vectorizes these with Intel's library already
        import llvmlite.binding as llvm

        if not 12 <= llvm.llvm_version_info[0] <= 20:
            return False
        llvm.load_library_permanently("libmvec.so.1")
    except (ImportError, OSError, RuntimeError):
        return False
    return True


@contextlib.contextmanager
def compiling() -> Iterator[None]:
    """LLVM may use libmvec for code compiled inside this block (under Numba's lock)."""
    if not available():
        yield
        return
    import llvmlite.binding as llvm
    from numba.core.compiler_lock import global_compiler_lock

    with global_compiler_lock:
        llvm.set_option("tensorgraft", "--vector-library=LIBMVEC-X86")
        try:
            yield
        finally:
            llvm.set_option("tensorgraft", "--vector-library=none")
