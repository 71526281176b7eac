"""The benchmark runner works: a quick run of its smallest case, in this process.

JAX and PyTensor are not installed in the test environment; their columns are skipped
there, and checked when they are present (`hatch run bench:pytest ...`).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest


@pytest.fixture
def runner(load_benchmark: Callable[[str], Any]) -> Iterator[ModuleType]:
    """benchmarks/run.py as a module."""
    with load_benchmark("run.py") as module:
        yield module


def _rows(text: str) -> dict[str, str]:
    """Table rows by engine name, from the last table printed."""
    return {line.split()[0]: line for line in text.splitlines() if line and line[0] != " "}


def test_a_quick_run_prints_a_table(
    runner: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_json = tmp_path / "results.json"
    assert runner.main(["--quick", "--cases", "overhead", "--json", str(out_json)]) == 0
    text = capsys.readouterr().out
    assert "overhead: exp(sin(x)) * cos(x) + log1p(x**2)" in text
    header = next(line for line in text.splitlines() if line.startswith("engine "))
    for column in ("build", "compile", "first call", "first result", "steady", "vs numpy"):
        assert column in header
    rows = _rows(text)
    assert "1.00x" in rows["numpy"]
    assert rows["tensorgraft[python]"].endswith("x"), rows  # timed, with its ratio
    has_jax = importlib.util.find_spec("jax") is not None
    assert ("vs jax" in header) == has_jax
    has_pytensor = importlib.util.find_spec("pytensor") is not None
    assert any(name.startswith("pytensor") for name in rows) == has_pytensor

    saved = json.loads(out_json.read_text())
    by_engine = {r["engine"]: r for r in saved["results"]}
    assert saved["quick"] is True
    assert by_engine["numpy"]["vs_numpy"] == 1.0
    tg = by_engine["tensorgraft[python]"]
    assert tg["status"] == "ok" and tg["case"] == "overhead"
    assert all(tg[k] > 0 for k in ("build_ns", "compile_ns", "first_call_ns", "steady_ns"))


def test_an_engine_with_a_wrong_answer_is_reported_and_not_timed(
    runner: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engines = sys.modules["engines"]

    def wrong(case: Any, arrays: dict[str, np.ndarray], build_repeats: int) -> Any:
        return engines.Setup(call=lambda: 0.0, first_value=np.zeros(10), first_call_ns=1)

    def broken(case: Any, arrays: dict[str, np.ndarray], build_repeats: int) -> Any:
        raise RuntimeError("no such op\nsecond line")

    fakes = [
        engines.Engine("numpy", engines._numpy_setup),
        engines.Engine("wrong", wrong),
        engines.Engine("broken", broken),
        engines.Engine("absent", wrong, unavailable="not built here"),
    ]
    monkeypatch.setattr(runner, "engines", lambda: fakes)
    assert runner.main(["--quick", "--cases", "overhead"]) == 1
    rows = _rows(capsys.readouterr().out)
    assert "wrong: result differs from NumPy's" in rows["wrong"]
    assert rows["broken"].endswith("error: RuntimeError: no such op")  # its first line only
    assert rows["absent"].endswith("unavailable: not built here")


def test_unknown_cases_are_refused(runner: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.main(["--quick", "--cases", "nope"]) == 2
    assert "unknown case nope" in capsys.readouterr().err


def test_time_formatting(runner: ModuleType) -> None:
    assert [runner.fmt_time(t) for t in (850, 12_345, 4_560_000, 1.234e9, None)] == [
        "850 ns",
        "12.3 µs",
        "4.56 ms",
        "1.23 s",
        "—",
    ]
