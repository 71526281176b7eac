"""`fresh_outputs`: a backend whose results are fresh arrays spares `Function` its copies.

`Function` copies an output that may share memory with an input, a constant or an
earlier output (`x`, `x[1:]`, `x.T`, `[y, y[1:]]`). A thunk (or backend) that says
`fresh_outputs = True` promises that its results never do, so `Function` returns them
as they are. The test backend below keeps that promise by copying every result of the
python backend itself, and records what it returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile.python_backend import backend as python_backend
from tensorgraft.graph.fg import FunctionGraph


class CopyingBackend:
    """The python backend, but every result is a fresh copy; says so if `fresh`."""

    name = "copying"
    rewrite_include: tuple[str, ...] = ()
    rewrite_exclude: tuple[str, ...] = ()

    def __init__(self, fresh: bool, on: str = "thunk") -> None:
        self.fresh, self.on = fresh, on
        self.returned: list[Any] = []
        if on == "backend":
            self.fresh_outputs = fresh

    def unavailable_reason(self) -> str | None:
        return None

    def link(self, fgraph: FunctionGraph) -> Any:
        inner = python_backend.link(fgraph)

        def run(values: Sequence[Any]) -> list[Any]:
            self.returned = [np.array(r, copy=True) for r in inner(values)]
            return list(self.returned)

        if self.on == "thunk":
            run.fresh_outputs = self.fresh  # type: ignore[attr-defined]
        return run


def _aliasing_graphs() -> list[tuple[str, list[Any], list[Any], list[np.ndarray]]]:
    x, m = tt.vector("x"), tt.matrix("m")
    y = x + 1
    xv, mv = np.arange(3.0), np.arange(6.0).reshape(2, 3)
    return [
        ("input", [x], [x], [xv]),
        ("view of an input", [x], [x[1:]], [xv]),
        ("transpose", [m], [m.T[None]], [mv]),
        ("constant", [], [tt.constant(np.arange(3.0))], []),
        ("view of an output", [x], [y, y[1:]], [xv]),
    ]


@pytest.mark.parametrize("case", _aliasing_graphs(), ids=lambda c: c[0])
@pytest.mark.parametrize("on", ["thunk", "backend"])
def test_fresh_outputs_are_returned_as_the_backend_made_them(case: Any, on: str) -> None:
    _, inputs, outputs, values = case
    backend = CopyingBackend(fresh=True, on=on)
    f = function(inputs, outputs, mode=backend, rewrite=False)
    got = f(*values)
    assert all(g is r for g, r in zip(got, backend.returned, strict=True))
    reference = function(inputs, outputs, mode="python", rewrite=False)(*values)
    for g, r in zip(got, reference, strict=True):
        np.testing.assert_array_equal(g, r)


@pytest.mark.parametrize("case", _aliasing_graphs(), ids=lambda c: c[0])
def test_without_the_promise_aliasing_outputs_are_copied_again(case: Any) -> None:
    _, inputs, outputs, values = case
    backend = CopyingBackend(fresh=False)
    got = function(inputs, outputs, mode=backend, rewrite=False)(*values)
    copied = [g is not r for g, r in zip(got, backend.returned, strict=True)]
    assert copied[-1]  # the last output of every case aliases something
    for g, v in ((g, v) for g in got for v in values):
        assert not np.shares_memory(g, v)


def test_fresh_outputs_with_checked_inputs_take_the_fast_path() -> None:
    x = tt.vector("x")
    backend = CopyingBackend(fresh=True)
    f = function([x], x[1:], mode=backend, rewrite=False)
    f.trust_input = True  # the fast path needs checked (or trusted) inputs and no copies
    value = np.arange(4.0)
    out = f(value)
    assert out is backend.returned[0]
    np.testing.assert_array_equal(out, value[1:])
    assert not np.shares_memory(out, value)
