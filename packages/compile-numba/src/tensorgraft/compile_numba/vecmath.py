"""glibc's vector math (libmvec) in the loops Numba compiles.

A loop calling exp, log, sin, cos, tan or pow stays scalar in Numba: LLVM vectorizes a
call only when it knows a vector version of the function, and PyPI's llvmlite has no
SVML (Intel's library). glibc ships such versions (`_ZGVdN4v_exp`: four doubles a call,
AVX2), so generated code calls these functions through intrinsics (`runtime.vm_exp`,
...) that declare the libm function with LLVM's `vector-function-abi-variant`
attribute, naming its libmvec twin (and keep that declaration alive with
`llvm.compiler.used` until the vectorizer has run). The attribute is per call, so no
process-wide LLVM option changes and other Numba code is unaffected. glibc documents at
most 4 ulp of error for these functions.

On Linux x86-64 with AVX2, `libmvec.so.1` and an llvmlite on LLVM 16 or later; each
function only if libmvec exports it. `TENSORGRAFT_NUMBA_VECTOR_MATH=0` turns it off.
Whether it is on is part of the cache key (`cache.source_key`) and decides how scalar
ops are written (`rules/scalar.py`: also log1p, expm1, sigmoid, softplus, logaddexp and
log1mexp through exp and log, without branches, so that their loops vectorize too).
"""

from __future__ import annotations

import functools
import os
import platform
import sys

# libm name -> (libmvec name, lanes, arguments); AVX2 ("d") variants.
VARIANTS: dict[str, tuple[str, int, int]] = {
    **{f: (f"_ZGVdN4v_{f}", 4, 1) for f in ("exp", "log", "sin", "cos", "tan")},
    **{f"{f}f": (f"_ZGVdN8v_{f}f", 8, 1) for f in ("exp", "log", "sin", "cos", "tan")},
    "pow": ("_ZGVdN4vv_pow", 4, 2),
    "powf": ("_ZGVdN8vv_powf", 8, 2),
}


@functools.cache
def functions() -> frozenset[str]:
    """The libm functions whose vector versions compiled loops may call (loaded here)."""
    if os.environ.get("TENSORGRAFT_NUMBA_VECTOR_MATH", "1") == "0":
        return frozenset()
    if not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "AMD64"):
        return frozenset()
    try:
        import llvmlite.binding as llvm
        from numba.core import config

        if config.CPU_NAME or config.CPU_FEATURES:
            return frozenset()  # code for another CPU than this one: maybe without AVX2
        if llvm.llvm_version_info[0] < 16:  # `memory(none)` attribute syntax
            return frozenset()
        if "+avx2" not in llvm.get_host_cpu_features().flatten().split(","):
            return frozenset()
        llvm.load_library_permanently("libmvec.so.1")
    except (ImportError, OSError, RuntimeError):
        return frozenset()
    return frozenset(f for f, (v, _, _) in VARIANTS.items() if llvm.address_of_symbol(v))


def available(name: str = "exp") -> bool:
    """True when loops may call the vector version of libm's `name` (double precision)."""
    return name in functions()
