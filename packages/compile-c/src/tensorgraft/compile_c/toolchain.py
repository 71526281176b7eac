"""Find the C compiler, build extension modules, and keep them in an on-disk cache.

An entry lives in `cache_dir("c")/<key>/`, where the key hashes the source, the compiler,
its flags and the Python / NumPy ABI. It holds the shared library and a checksum of it.
Entries are built in a private temporary folder and published with one `os.replace`, so
two processes compiling the same module at once both succeed (the loser uses the
winner's entry). An entry whose checksum does not match, or that fails to import, is
rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import importlib.util
import os
import shlex
import shutil
import sys
import sysconfig
import tempfile
from types import ModuleType

import numpy as np

from tensorgraft.compile.backends import cache_dir

# -fwrapv: signed overflow wraps, as in NumPy. No fast-math: NaN/Inf follow IEEE, and no
# contraction into fused multiply-adds (results as NumPy's). -fopenmp-simd honours
# `#pragma omp simd` (elementwise loops, libmvec calls) without OpenMP's runtime;
# -fno-math-errno lets libm calls vectorize (nobody reads errno); GCC would merge sin and
# cos of one operand into sincos, which has no SIMD declaration: keep them apart.
OPTIONAL_FLAG = "-fopenmp-simd"  # dropped if the compiler rejects it
FLAGS = (
    *("-O2", "-shared", "-fPIC", "-fwrapv", "-fno-strict-aliasing", "-std=c99"),
    *("-ffp-contract=off", "-fno-math-errno", OPTIONAL_FLAG),
    *("-fno-builtin-sin", "-fno-builtin-cos", "-fno-builtin-sinf", "-fno-builtin-cosf"),
)
MODULE_NAME = "@MODULE_NAME@"  # placeholder in generated source, replaced by the real name
_CHECKSUM = "checksum"
_loaded: dict[str, ModuleType] = {}


class CompileError(RuntimeError):
    """The C compiler rejected generated source (a bug in the backend)."""


@functools.cache
def find_compiler() -> tuple[str, ...] | None:
    """The compiler command (argv prefix): $CC, Python's own CC, then cc, gcc, clang."""
    candidates = [os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc", "gcc", "clang"]
    for cand in candidates:
        if not cand:
            continue
        argv = shlex.split(cand)
        if argv and shutil.which(argv[0]) is not None:
            return tuple(argv)
    return None


def _link_flags() -> tuple[str, ...]:
    if sys.platform == "darwin":
        return ("-undefined", "dynamic_lookup", "-lm")
    return ("-lm",)


def _includes() -> tuple[str, ...]:
    return (f"-I{sysconfig.get_paths()['include']}", f"-I{np.get_include()}")


def _abi() -> str:
    return "|".join(
        [
            sys.version,
            sys.implementation.cache_tag or "",
            str(sysconfig.get_config_var("EXT_SUFFIX")),
            np.__version__,
            sys.platform,
            _libc(),
        ]
    )


def _libc() -> str:
    """The C library's version (which libmvec functions exist), where it says."""
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        return ""


def cache_key(source: str) -> str:
    """The cache key of a module: a hash of source, compiler, flags and ABI."""
    compiler = find_compiler() or ()
    parts = [source, " ".join(compiler), " ".join(FLAGS + _link_flags()), _abi()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _private_dir(path: str) -> str:
    """Create `path` (and its parent) readable by this user only; refuse another's folder."""
    parent = os.path.dirname(path)
    for folder in (parent, path):
        os.makedirs(folder, mode=0o700, exist_ok=True)
    if hasattr(os, "getuid") and os.stat(path).st_uid != os.getuid():
        raise PermissionError(f"the C cache folder {path} belongs to another user")
    return path


def _sha256_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _library_name(module_name: str) -> str:
    return module_name + str(sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def _import(module_name: str, path: str) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(module_name, path)
    spec = importlib.util.spec_from_file_location(module_name, path, loader=loader)
    if spec is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _load_entry(entry: str, module_name: str) -> ModuleType | None:
    """The module of a cache entry, or None if the entry is missing, corrupt or broken."""
    lib = os.path.join(entry, _library_name(module_name))
    try:
        with open(os.path.join(entry, _CHECKSUM)) as f:
            expected = f.read().strip()
        if _sha256_file(lib) != expected:
            return None
        return _import(module_name, lib)
    except (OSError, ImportError):
        return None


def _compile(source: str, module_name: str, folder: str) -> None:
    compiler = find_compiler()
    if compiler is None:
        raise RuntimeError(unavailable_reason())
    src = os.path.join(folder, module_name + ".c")
    with open(src, "w") as f:
        f.write(source)
    lib = os.path.join(folder, _library_name(module_name))
    argv = [*compiler, *FLAGS, *_includes(), src, "-o", lib, *_link_flags()]
    import subprocess  # only to compile: a warm start does not need it

    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0 and OPTIONAL_FLAG in (proc.stderr or ""):
        # A compiler without `omp simd` support (some clang builds): plain loops.
        argv.remove(OPTIONAL_FLAG)
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        first = "\n".join((proc.stderr or proc.stdout).splitlines()[:12])
        raise CompileError(f"the C compiler failed on generated module {module_name}:\n{first}")
    with open(os.path.join(folder, _CHECKSUM), "w") as f:
        f.write(_sha256_file(lib))


def _discard(entry: str, root: str) -> None:
    """Move a broken entry out of the way (atomically), then delete it."""
    trash = tempfile.mkdtemp(prefix=".trash-", dir=root)
    try:
        os.replace(entry, os.path.join(trash, "entry"))
    except OSError:
        pass  # someone else removed or replaced it already
    shutil.rmtree(trash, ignore_errors=True)


def build_module(template: str) -> ModuleType:
    """Compile (or load from the cache) the extension module of generated `template`.

    `template` spells the module name as `MODULE_NAME`; the real name derives from the
    cache key, so a name always denotes one source.
    """
    key = cache_key(template)
    if key in _loaded:
        return _loaded[key]
    module_name = f"tgc_{key[:32]}"
    source = template.replace(MODULE_NAME, module_name)
    root = _private_dir(cache_dir("c"))
    entry = os.path.join(root, key)
    module = _load_entry(entry, module_name) if os.path.isdir(entry) else None
    if module is None:
        if os.path.exists(entry):
            _discard(entry, root)
        build = tempfile.mkdtemp(prefix=".build-", dir=root)
        try:
            _compile(source, module_name, build)
            try:
                os.replace(build, entry)
            except OSError:
                pass  # another process published first: use its entry below
        finally:
            shutil.rmtree(build, ignore_errors=True)
        module = _load_entry(entry, module_name)
        if module is None:
            raise CompileError(f"the C cache entry {entry} is unusable after a rebuild")
    _loaded[key] = module
    return module


def unavailable_reason() -> str:
    """The one-line reason the C backend cannot run here (no compiler)."""
    return (
        "no C compiler found (set $CC or install gcc/clang); "
        "use mode='python', mode='numba' or mode='jax' instead"
    )
