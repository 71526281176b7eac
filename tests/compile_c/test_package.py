"""Packaging checks for tensorgraft-compile-c: its version and its backend entry point."""

import importlib.metadata

from tensorgraft.compile import load_backend
from tensorgraft.compile_c import __version__, backend


def test_imports_with_a_version() -> None:
    assert __version__ == importlib.metadata.version("tensorgraft-compile-c")


def test_registers_its_backend() -> None:
    # mode="c" (any case) finds this package's backend through the entry point.
    names = {ep.name for ep in importlib.metadata.entry_points(group="tensorgraft.backends")}
    assert "c" in names
    assert load_backend("c") is backend
    assert load_backend("C") is backend
