"""benchmarks/backends.py runs (--quick), and each of its cases is right on every backend."""

from __future__ import annotations

import json
import pathlib
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tensorgraft.compile import function, installed_backends, load_backend

USABLE = [n for n in installed_backends() if load_backend(n).unavailable_reason() is None]


@pytest.fixture(scope="module")
def bench(
    load_benchmark: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleType]:
    """benchmarks/backends.py as a module, compiling into a private cache."""
    with pytest.MonkeyPatch.context() as mp, load_benchmark("backends.py") as module:
        mp.setenv("TENSORGRAFT_CACHE_DIR", str(tmp_path_factory.mktemp("tg-cache")))
        yield module


def test_a_quick_run_measures_cold_warm_and_steady(
    bench: ModuleType, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    argv = ["--quick", "--cases", "overhead", "--engines", "c,numpy", "--json", str(out)]
    assert bench.main(argv) == 0
    rows = json.loads(out.read_text())["overhead"]
    assert set(rows) == {"numpy", "tg[c]"}
    c = rows["tg[c]"]
    assert c["error"] is None and 0 < c["turns_s"] < c["warm_s"] < c["cold_s"]
    text = capsys.readouterr().out
    assert "c: per-call overhead [overhead]" in text and "Targets" in text


@pytest.mark.parametrize("mode", USABLE)
def test_every_case_matches_numpy(bench: ModuleType, mode: str) -> None:
    from cases import CASES, same, symbolic

    for case in CASES:
        arrays = case.inputs(np.random.default_rng(1))
        inputs, outputs = symbolic(case, arrays, "tensorgraft")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # coverage is tested by each backend's suite
            got = function(inputs, outputs, mode=mode)(*arrays.values())
        assert same(got, case.reference(arrays)), (mode, case.name)
