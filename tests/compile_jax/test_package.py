"""Packaging checks for tensorgraft-compile-jax: its version and its backend entry point."""

import importlib.metadata

from tensorgraft.compile import load_backend
from tensorgraft.compile_jax import __version__, backend


def test_imports_with_a_version() -> None:
    assert __version__ == importlib.metadata.version("tensorgraft-compile-jax")


def test_registers_its_backend() -> None:
    # mode="jax" (any case) finds this package's backend through the entry point.
    names = {ep.name for ep in importlib.metadata.entry_points(group="tensorgraft.backends")}
    assert "jax" in names
    assert load_backend("jax") is backend
    assert load_backend("JAX") is backend
