"""benchmarks/c_backend.py runs (--quick) and each of its cases is right on the c backend."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys
from collections.abc import Iterator
from types import ModuleType

import numpy as np
import pytest

PATH = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "c_backend.py"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("tensorgraft_bench_c_backend", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_quick_run_times_the_c_backend_and_numpy(
    bench: ModuleType, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    assert bench.main(["--quick", "--engines", "tensorgraft[c],numpy", "--json", str(out)]) == 0
    rows = {row["engine"]: row for row in json.loads(out.read_text())}
    assert set(rows) == {"tensorgraft[c]", "numpy"}
    c = rows["tensorgraft[c]"]
    assert 0 < c["steady"] < c["warm_first"] and 0 < c["cold_first"]
    assert rows["numpy"]["vs_numpy"] == 1.0
    assert all(row["in_turns"] > 0 for row in rows.values())
    assert "overhead  tensorgraft[c]" in capsys.readouterr().out


def test_every_case_matches_numpy_on_the_c_backend(bench: ModuleType) -> None:
    pytest.importorskip("tensorgraft.autodiff")
    for case in bench.CASES:
        arrays = case.inputs(np.random.default_rng(1))
        got = bench._make_call("tensorgraft[c]", case, arrays)()
        want = bench._numpy_call(case, arrays)()
        got, want = (got, want) if isinstance(want, tuple) else ([got], [want])
        assert len(got) == len(want), case.name
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=case.name)
