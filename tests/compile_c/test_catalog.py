"""The c backend against the python backend on every catalog case.

All cases of a family compile into ONE module (`DeferredC`), one compiler run per family.
Each case also runs on strided (non-contiguous) copies of its inputs and, where the
python backend accepts them, on size-0 slices.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
import pytest

from tensorgraft.compile import function
from tensorgraft.compile_c import DeferredC
from tensorgraft.tensor.catalog import CASES, OpCase, assert_matches

FAMILIES = sorted({c.name.split(".")[0] for c in CASES})


def strided(value: Any) -> Any:
    """The same values in a non-contiguous array (every other element of a bigger one)."""
    arr = np.asarray(value)
    if arr.ndim == 0 or arr.size == 0:
        return value
    big = np.repeat(arr, 2, axis=-1)
    view = big[..., ::2]
    assert not view.flags.c_contiguous or arr.shape[-1] <= 1
    return view


def empty(value: Any) -> Any:
    arr = np.asarray(value)
    return arr[..., :0] if arr.ndim else value


def _compare(case: OpCase, fc: Any, fp: Any, values: list[Any], what: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = fp(*values)
        except Exception:
            if what == "size-0":
                return  # the op does not accept these inputs
            raise
        got = fc(*values)
    for k, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert_matches(g, e, f"{case.name} ({what}) output {k}")


@functools.cache
def _family(family: str) -> list[tuple[OpCase, Any, Any, list[Any]]]:
    """Compile every case of `family`: c functions (one module) and python functions."""
    batch = DeferredC()
    compiled = []
    for case in [c for c in CASES if c.name.split(".")[0] == family]:
        inputs, outputs, values = case.build(np.random.default_rng(0))
        fp = function(inputs, outputs, mode="python", on_unused_input="ignore")
        fc = function(inputs, outputs, mode=batch, on_unused_input="ignore")
        compiled.append((case, fc, fp, values))
    batch.build()
    return compiled


@pytest.mark.parametrize("family", FAMILIES)
def test_family_matches_python(family: str) -> None:
    failures = []
    for case, fc, fp, values in _family(family):
        for what, vals in [
            ("as built", values),
            ("strided", [strided(v) for v in values]),
            ("size-0", [empty(v) for v in values]),
        ]:
            try:
                _compare(case, fc, fp, vals, what)
            except Exception as err:
                failures.append(f"{case.name} ({what}): {type(err).__name__}: {err}"[:300])
    assert not failures, "\n".join(failures)
