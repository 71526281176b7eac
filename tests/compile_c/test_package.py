"""Skeleton checks for tensorgraft-compile-c; replace them as the package gets real tests."""

import importlib.metadata

from tensorgraft.compile_c import __version__


def test_imports_with_a_version() -> None:
    assert __version__ == importlib.metadata.version("tensorgraft-compile-c")


def test_registers_no_backend_until_it_works() -> None:
    # An entry point here would make function(mode=None) pick an unimplemented backend.
    names = {ep.name for ep in importlib.metadata.entry_points(group="tensorgraft.backends")}
    assert "c" not in names
