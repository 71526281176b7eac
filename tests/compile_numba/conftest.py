"""A cold, private on-disk cache for the numba tests (as CI starts), shared by a session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def numba_cache_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """TENSORGRAFT_CACHE_DIR points at an empty folder for the whole session."""
    root = str(tmp_path_factory.mktemp("tensorgraft-cache"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TENSORGRAFT_CACHE_DIR", root)
        yield root
