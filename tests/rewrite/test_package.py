"""Skeleton checks for tensorgraft-rewrite; replace them as the package gets real tests."""

import importlib.metadata

from tensorgraft.rewrite import __version__


def test_imports_with_a_version() -> None:
    assert __version__ == importlib.metadata.version("tensorgraft-rewrite")
