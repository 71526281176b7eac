"""Fixtures shared by the integration tests."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@contextlib.contextmanager
def _benchmark_module(script: str) -> Iterator[ModuleType]:
    """benchmarks/<script> as a module, with its folder on sys.path (the scripts import
    their siblings, such as `cases`, by name); the siblings are unloaded afterwards."""
    before = set(sys.modules)
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(
        f"tg_benchmarks_{Path(script).stem}", BENCHMARKS / script
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCHMARKS))
        for name in set(sys.modules) - before:
            if name == spec.name or (getattr(sys.modules[name], "__file__", None) or "").startswith(
                str(BENCHMARKS)
            ):
                sys.modules.pop(name, None)


@pytest.fixture(scope="session")
def load_benchmark() -> Callable[[str], Any]:
    """`with load_benchmark("run.py") as module: ...`"""
    return _benchmark_module
