"""Every test of the c backend compiles into a fresh private cache (CI starts cold)."""

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _cold_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    mp.setenv("TENSORGRAFT_CACHE_DIR", str(tmp_path_factory.mktemp("tg-cache")))
    yield
    mp.undo()
