"""The on-disk module cache: warm loads, corrupt entries, concurrent builds, privacy."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile.backends import cache_dir
from tensorgraft.compile_c import CBackend, toolchain

TEMPLATE = """
#define PY_SSIZE_T_CLEAN
#include <Python.h>
/* TAG */
static PyObject* answer(PyObject* self, PyObject* args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "@MODULE_NAME@", NULL, -1, methods};
PyMODINIT_FUNC PyInit_@MODULE_NAME@(void) { return PyModule_Create(&def); }
"""


def _template() -> str:
    return TEMPLATE.replace("TAG", uuid.uuid4().hex)  # a module no earlier test built


def _entry(template: str) -> Path:
    return Path(cache_dir("c")) / toolchain.cache_key(template)


@pytest.fixture
def count_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = toolchain._compile

    def counting(source: str, name: str, folder: str) -> None:
        calls.append(name)
        real(source, name, folder)

    monkeypatch.setattr(toolchain, "_compile", counting)
    return calls


def _forget(template: str) -> None:
    toolchain._loaded.pop(toolchain.cache_key(template), None)


def test_a_warm_cache_loads_without_compiling(count_compiles: list[str]) -> None:
    template = _template()
    assert toolchain.build_module(template).answer() == 42
    assert len(count_compiles) == 1
    _forget(template)
    start = time.perf_counter()
    assert toolchain.build_module(template).answer() == 42
    assert time.perf_counter() - start < 0.05
    assert len(count_compiles) == 1


@pytest.mark.parametrize("damage", ["checksum", "truncate", "no_checksum", "empty_folder"])
def test_a_corrupt_entry_is_rebuilt(count_compiles: list[str], damage: str) -> None:
    template = _template()
    toolchain.build_module(template)
    entry = _entry(template)
    lib = next(p for p in entry.iterdir() if p.name != "checksum" and not p.name.endswith(".c"))
    if damage == "checksum":
        (entry / "checksum").write_text("0" * 64)
    elif damage == "truncate":
        # A new file, not the loaded one rewritten in place (that would fault this process).
        data = lib.read_bytes()
        lib.unlink()
        lib.write_bytes(data[:100])
    elif damage == "no_checksum":
        (entry / "checksum").unlink()
    else:
        for p in entry.iterdir():
            p.unlink()
    _forget(template)
    assert toolchain.build_module(template).answer() == 42
    assert len(count_compiles) == 2


def test_two_processes_compiling_at_once_both_succeed() -> None:
    template = _template()
    code = (
        "import sys; from tensorgraft.compile_c import toolchain; "
        "print(toolchain.build_module(sys.argv[1]).answer())"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, template],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "42"
    leftovers = [p.name for p in Path(cache_dir("c")).iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_the_cache_folder_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "fresh" / "root"
    monkeypatch.setenv("TENSORGRAFT_CACHE_DIR", str(root))
    toolchain.build_module(_template())
    for folder in (root, root / "c"):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_a_compiler_error_is_short_and_quotes_the_compiler() -> None:
    with pytest.raises(toolchain.CompileError) as info:
        toolchain.build_module("this is not C @MODULE_NAME@ " + uuid.uuid4().hex)
    message = str(info.value)
    assert "error" in message
    assert len(message.splitlines()) <= 13


def test_no_compiler_names_the_alternatives(monkeypatch: pytest.MonkeyPatch) -> None:
    import tensorgraft.compile_c.linker as linker

    monkeypatch.setattr(linker, "find_compiler", lambda: None)
    x = tt.vector("x")
    with pytest.raises(RuntimeError) as info:
        function([x], x + 1, mode=CBackend())
    message = str(info.value)
    assert "\n" not in message
    for name in ("python", "numba", "jax"):
        assert f"mode='{name}'" in message


def test_same_graph_twice_compiles_once(count_compiles: list[str]) -> None:
    x = tt.vector("x")
    y = tt.log1p(x) * 3.0 - 0.25
    f1 = function([x], y, mode="python")
    got = [function([x], y, mode=CBackend())(np.arange(4.0)) for _ in range(2)]
    for g in got:
        np.testing.assert_allclose(g, f1(np.arange(4.0)), rtol=1e-12)
    assert len(count_compiles) <= 1


def test_a_compiler_that_rejects_the_simd_flag_builds_plain_loops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bogus = "-fno-such-option-tensorgraft"  # stands for -fopenmp-simd on a compiler without it
    monkeypatch.setattr(toolchain, "OPTIONAL_FLAG", bogus)
    monkeypatch.setattr(toolchain, "FLAGS", (*toolchain.FLAGS, bogus))
    template = _template()
    assert toolchain.build_module(template).answer() == 42
    _forget(template)
