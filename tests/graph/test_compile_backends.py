"""Choosing a backend (`mode`, $TENSORGRAFT_MODE, entry points), the rewrite hook, the
reference python backend and the cache folder."""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest

import tensorgraft.compile.backends as backends
import tensorgraft.tensor as tt
from tensorgraft.compile import (
    Backend,
    cache_dir,
    function,
    installed_backends,
    load_backend,
    resolve_backend,
)
from tensorgraft.compile.python_backend import PythonBackend
from tensorgraft.graph.basic import Apply
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.op import Op
from tensorgraft.tensor.basic import as_tensor

function_module = importlib.import_module("tensorgraft.compile.driver")


@pytest.fixture(autouse=True)
def _fresh_backend_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # load_backend is functools-cached by name: tests that fake entry points clear it.
    monkeypatch.delenv("TENSORGRAFT_MODE", raising=False)
    load_backend.cache_clear()
    yield
    load_backend.cache_clear()


class FakeBackend:
    """A backend that runs the python backend and records what it was given."""

    rewrite_include: tuple[str, ...] = ("fake",)
    rewrite_exclude: tuple[str, ...] = ()

    def __init__(self, name: str, reason: str | None = None) -> None:
        self.name = name
        self.reason = reason
        self.linked: list[FunctionGraph] = []
        self.calls: list[list[Any]] = []

    def unavailable_reason(self) -> str | None:
        return self.reason

    def link(self, fgraph: FunctionGraph) -> Any:
        self.linked.append(fgraph)
        run = PythonBackend().link(fgraph)

        def thunk(inputs: Sequence[Any]) -> list[Any]:
            self.calls.append(list(inputs))
            return run(inputs)

        return thunk


@dataclasses.dataclass
class FakeEntryPoint:
    name: str
    backend: Any

    def load(self) -> Any:
        return self.backend


def _register(monkeypatch: pytest.MonkeyPatch, *fakes: FakeBackend) -> None:
    """Pretend that `fakes` are installed next to the python backend."""
    eps = {f.name: FakeEntryPoint(f.name, f) for f in fakes}
    eps["python"] = FakeEntryPoint("python", load_backend("python"))
    monkeypatch.setattr(backends, "_backend_entry_points", lambda: eps)
    load_backend.cache_clear()


# -- the installed backends --------------------------------------------------------------
def test_python_is_installed_through_its_entry_point() -> None:
    assert "python" in installed_backends()
    assert "python" in backends._backend_entry_points()  # tensorgraft-graph registers it
    backend = load_backend("python")
    assert isinstance(backend, Backend) and backend.name == "python"


def test_installed_backends_follow_the_default_order(monkeypatch: pytest.MonkeyPatch) -> None:
    _register(monkeypatch, FakeBackend("zzz"), FakeBackend("jax"), FakeBackend("c"))
    assert installed_backends() == ["c", "jax", "python", "zzz"]


# -- mode --------------------------------------------------------------------------------
def test_mode_python_by_name_in_any_case() -> None:
    x = tt.vector("x")
    f = function([x], x * 2, mode="PYTHON")
    assert f.mode == "python"
    np.testing.assert_array_equal(f(np.arange(3.0)), [0.0, 2.0, 4.0])


def test_an_unknown_mode_lists_the_installed_backends() -> None:
    x = tt.vector("x")
    with pytest.raises(ValueError, match=r"unknown mode 'nope'; installed backends: .*python"):
        function([x], x * 2, mode="nope")


def test_mode_must_be_a_name_or_a_backend() -> None:
    with pytest.raises(TypeError, match="mode must be a backend name or object"):
        resolve_backend(3)  # type: ignore[arg-type]


def test_a_backend_object_is_used_as_given() -> None:
    fake = FakeBackend("fake")
    x = tt.vector("x")
    f = function([x], x + 1, mode=fake)
    assert f.backend is fake and f.mode == "fake"
    assert len(fake.linked) == 1 and f.fgraph is fake.linked[0]
    np.testing.assert_array_equal(f(np.zeros(2)), [1.0, 1.0])
    assert len(fake.calls) == 1


def test_an_unavailable_backend_is_an_error_when_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    off = FakeBackend("c", reason="no C compiler found")
    _register(monkeypatch, off)
    with pytest.raises(RuntimeError, match="'c' cannot compile here: no C compiler found"):
        resolve_backend("c")
    with pytest.raises(RuntimeError, match="no C compiler found"):
        resolve_backend(off)


def test_the_default_is_the_first_usable_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    c, numba = FakeBackend("c", reason="no C compiler found"), FakeBackend("numba")
    _register(monkeypatch, c, numba)
    assert resolve_backend(None) is numba
    numba.reason = "numba is not importable"
    assert resolve_backend(None).name == "python"


def test_tensorgraft_mode_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    numba = FakeBackend("numba")
    _register(monkeypatch, numba)
    monkeypatch.setenv("TENSORGRAFT_MODE", "Python")
    x = tt.vector("x")
    assert function([x], x + 1).mode == "python"
    monkeypatch.setenv("TENSORGRAFT_MODE", "nope")
    with pytest.raises(ValueError, match="unknown mode 'nope'"):
        function([x], x + 1)
    # An explicit mode wins over the environment.
    assert function([x], x + 1, mode="numba").backend is numba


def test_an_empty_tensorgraft_mode_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENSORGRAFT_MODE", "")
    usable = [n for n in installed_backends() if load_backend(n).unavailable_reason() is None]
    assert resolve_backend(None).name == usable[0]


# -- the rewrite hook --------------------------------------------------------------------
def test_the_installed_rewriter_runs_with_the_backends_tags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[FunctionGraph, tuple[str, ...], tuple[str, ...]]] = []

    def rewrite(fgraph: FunctionGraph, include: tuple[str, ...], exclude: tuple[str, ...]) -> None:
        seen.append((fgraph, include, exclude))

    monkeypatch.setattr(function_module, "rewriter", lambda: rewrite)
    x = tt.vector("x")
    f = function([x], x + 1, mode="python")
    assert seen == [(f.fgraph, (), ("inplace",))]
    function([x], x + 1, mode=FakeBackend("fake"))
    assert seen[-1][1:] == (("fake",), ())


def test_the_compiled_graph_is_a_clone() -> None:
    x = tt.vector("x")
    y = tt.exp(x)
    f = function([x], y)
    assert f.inputs == [x] and f.outputs == [y]
    assert f.fgraph.outputs[0] is not y and f.fgraph.inputs[0] is not x


# -- the python backend checks each perform's result ----------------------------------------
@dataclasses.dataclass(frozen=True)
class WrongDtype(Op):
    """Declares float64 but computes float32: the python backend must notice."""

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.asarray(inputs[0], dtype="float32")]


def test_the_python_backend_checks_output_types() -> None:
    x = tt.vector("x")
    f = function([x], WrongDtype()(x), mode="python")
    with pytest.raises(TypeError, match=r"WrongDtype .*created at .* returned ndarray float32"):
        f(np.zeros(2))
    g = function([x], WrongDtype()(x), mode=PythonBackend(check_outputs=False))
    assert g(np.zeros(2)).dtype == np.float32


# -- cache folder ------------------------------------------------------------------------
def test_cache_dir_honours_tensorgraft_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("TENSORGRAFT_CACHE_DIR", str(tmp_path))
    assert cache_dir("c") == os.path.join(str(tmp_path), "c")
    assert cache_dir("numba") == os.path.join(str(tmp_path), "numba")


def test_cache_dir_defaults_to_the_user_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("TENSORGRAFT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir("c") == os.path.join(str(tmp_path), "tensorgraft", "c")
    monkeypatch.delenv("XDG_CACHE_HOME")
    expected = os.path.join(os.path.expanduser("~"), ".cache", "tensorgraft", "jax")
    assert cache_dir("jax") == expected


class BrokenEntryPoint(FakeEntryPoint):
    def load(self) -> Any:
        raise ImportError("numba is broken here")


def test_a_backend_that_fails_to_load_is_skipped_by_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    eps: dict[str, Any] = {"numba": BrokenEntryPoint("numba", None)}
    eps["python"] = FakeEntryPoint("python", load_backend("python"))
    monkeypatch.setattr(backends, "_backend_entry_points", lambda: eps)
    load_backend.cache_clear()
    with pytest.warns(UserWarning, match="skipping backend 'numba'.*numba is broken here"):
        assert resolve_backend(None).name == "python"
    with pytest.raises(ImportError, match="numba is broken here"):
        resolve_backend("numba")  # asked for by name: the real error
