"""Packaging checks for tensorgraft-compile-numba: its version and its backend entry point."""

import importlib.metadata

from tensorgraft.compile import load_backend
from tensorgraft.compile_numba import __version__, backend


def test_imports_with_a_version() -> None:
    assert __version__ == importlib.metadata.version("tensorgraft-compile-numba")


def test_registers_its_backend() -> None:
    # mode="numba" (any case) finds this package's backend through the entry point.
    names = {ep.name for ep in importlib.metadata.entry_points(group="tensorgraft.backends")}
    assert "numba" in names
    assert load_backend("numba") is backend
    assert load_backend("NUMBA") is backend
