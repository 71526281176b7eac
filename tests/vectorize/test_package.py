"""Skeleton checks for tensorgraft-vectorize; replace them as the package gets real tests."""

import importlib.metadata

from tensorgraft.vectorize import __version__


def test_imports_with_a_version() -> None:
    assert __version__ == importlib.metadata.version("tensorgraft-vectorize")
