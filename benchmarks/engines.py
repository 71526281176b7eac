"""The engines compared: NumPy, tensorgraft on each installed backend, JAX and PyTensor.

`setup(case, arrays, build_repeats)` builds and compiles the case and makes its first
call, timing each step; it returns a `Setup` whose `call` runs the case once more.
JAX and PyTensor are optional: `engines()` lists them only when they import.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from cases import Case, jax_function, symbolic

from tensorgraft.compile import function, installed_backends, load_backend


@dataclass
class Setup:
    call: Callable[[], Any]  # one steady-state call on the case's inputs
    first_value: Any  # the result of the first call, to check against NumPy
    first_call_ns: int  # the first call (JAX: jit + trace + compile + first call)
    build_ns: int | None = None  # constructing the graph (median of a few builds)
    compile_ns: int | None = None  # the first compile of that graph in this process


@dataclass
class Engine:
    name: str
    setup: Callable[[Case, dict[str, np.ndarray], int], Setup]
    unavailable: str | None = None  # why it cannot run here


def _timed(fn: Callable[[], Any]) -> tuple[int, Any]:
    start = time.perf_counter_ns()
    value = fn()
    return time.perf_counter_ns() - start, value


def _build(make: Callable[[], Any], repeats: int) -> tuple[int, Any]:
    """The median time of `repeats` fresh builds, and the last graph built."""
    times, graph = [], None
    for _ in range(max(repeats, 1)):
        t, graph = _timed(make)
        times.append(t)
    return int(statistics.median(times)), graph


# -- NumPy: the reference --------------------------------------------------------------------
def _numpy_setup(case: Case, arrays: dict[str, np.ndarray], build_repeats: int) -> Setup:
    def call() -> Any:
        return case.reference(arrays)

    t, value = _timed(call)
    return Setup(call, value, t)


# -- tensorgraft ---------------------------------------------------------------------------
def _tensorgraft_setup(backend: str) -> Callable[[Case, dict[str, np.ndarray], int], Setup]:
    def setup(case: Case, arrays: dict[str, np.ndarray], build_repeats: int) -> Setup:
        def make() -> tuple[list[Any], list[Any]]:
            return symbolic(case, arrays, "tensorgraft")

        build_ns, (inputs, outputs) = _build(make, build_repeats)
        compile_ns, f = _timed(lambda: function(inputs, outputs, mode=backend))
        args = list(arrays.values())
        first_ns, value = _timed(lambda: f(*args))
        return Setup(lambda: f(*args), value, first_ns, build_ns, compile_ns)

    return setup


# -- JAX -------------------------------------------------------------------------------------
def _jax_setup(case: Case, arrays: dict[str, np.ndarray], build_repeats: int) -> Setup:
    import jax

    # Inputs live on the device already: steady state times the computation, not transfers.
    args = [jax.device_put(a) for a in arrays.values()]

    def first() -> Any:
        jitted = jax_function(case, arrays)
        return jitted, jax.block_until_ready(jitted(*args))

    first_ns, (jitted, value) = _timed(first)
    return Setup(lambda: jax.block_until_ready(jitted(*args)), value, first_ns)


def _jax_engine() -> Engine | None:
    if importlib.util.find_spec("jax") is None:
        return None
    try:
        import jax
    except Exception as err:  # an installed but broken jax: say so in the table
        return Engine("jax (jit)", _jax_setup, f"import failed: {err}")
    jax.config.update("jax_enable_x64", True)
    return Engine(f"jax {jax.__version__} (jit)", _jax_setup)


# -- PyTensor --------------------------------------------------------------------------------
def _pytensor_setup(case: Case, arrays: dict[str, np.ndarray], build_repeats: int) -> Setup:
    import pytensor

    def make() -> tuple[list[Any], list[Any]]:
        return symbolic(case, arrays, "pytensor")

    build_ns, (inputs, outputs) = _build(make, build_repeats)
    compile_ns, f = _timed(lambda: pytensor.function(inputs, outputs))
    args = list(arrays.values())
    first_ns, value = _timed(lambda: f(*args))
    return Setup(lambda: f(*args), value, first_ns, build_ns, compile_ns)


def _pytensor_engine() -> Engine | None:
    if importlib.util.find_spec("pytensor") is None:
        return None
    # Without a system BLAS PyTensor warns at its first compile; the default mode
    # (the Numba linker in PyTensor 3) does not use it.
    warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")
    try:
        import pytensor
        from pytensor.compile.mode import get_default_mode
    except Exception as err:
        return Engine("pytensor", _pytensor_setup, f"import failed: {err}")
    linker = type(get_default_mode().linker).__name__.removesuffix("Linker").lower()
    return Engine(f"pytensor {pytensor.__version__} ({linker})", _pytensor_setup)


def engines() -> list[Engine]:
    """NumPy first (the reference), then every tensorgraft backend, JAX and PyTensor."""
    found = [Engine("numpy", _numpy_setup)]
    for name in installed_backends():
        try:
            reason = load_backend(name).unavailable_reason()
        except Exception as err:
            reason = f"cannot load: {err}"
        found.append(Engine(f"tensorgraft[{name}]", _tensorgraft_setup(name), reason))
    for optional in (_jax_engine(), _pytensor_engine()):
        if optional is not None:
            found.append(optional)
    return found
