"""Every case of the op catalog on the jax backend against the python backend, and the
coverage listing of the jax translations."""

from __future__ import annotations

from collections.abc import Iterator

import jax
import numpy as np
import pytest

from tensorgraft.compile import function
from tensorgraft.compile_jax import (
    JaxBackend,
    JaxNotImplementedError,
    JaxUntraceableError,
    coverage,
)
from tensorgraft.compile_jax import backend as jax_backend
from tensorgraft.tensor import catalog

# Output shapes that depend on values: refused when compiling, naming the op.
UNTRACEABLE = {
    "indexing.advanced.symbolic": "AdvancedSubtensor",  # x[m], m a boolean input
    "indexing.advanced.symbolic_int_and_mask": "AdvancedSubtensor",
    "indexing.inc_subtensor.symbolic_mask": "AdvancedIncSubtensor",
}
# Dtypes JAX does not compute: refused when compiling.
REFUSED = {"special.digamma.complex128": "Digamma"}
# lstsq's residuals are empty when the computed rank is below n: a value-dependent
# length, which the compiled program cannot have (it assumes full column rank).
RESIDUALS_DIFFER = {"linalg.lstsq.int64", "linalg.lstsq.rank_deficient"}
# Looser relative tolerances: JAX's betaln is accurate to ~1e-7 only; the reference
# computes this polygamma in float32 (SciPy's loop for a small-int order), JAX in float64.
RTOL = {
    "special.betaln": 1e-6,
    "special.betaln.scalar_int": 1e-6,
    "special.polygamma.python_order": 1e-6,
}


@pytest.fixture(scope="module", autouse=True)
def _quick_xla() -> Iterator[None]:
    # ~750 programs: XLA's optimizations cost more than the tiny graphs need. The
    # translation, not XLA, is under test (test_jax_backend.py compiles with them).
    before = jax.config.values["jax_disable_most_optimizations"]
    jax.config.update("jax_disable_most_optimizations", True)
    yield
    jax.config.update("jax_disable_most_optimizations", before)


def _compare(got: np.ndarray, expected: np.ndarray, what: str, rtol: float | None) -> None:
    if rtol is None and not what.startswith("linalg."):
        catalog.assert_matches(got, expected, what)
        return
    assert isinstance(got, np.ndarray), what
    assert got.dtype == expected.dtype and got.shape == expected.shape, what
    if got.dtype.kind not in "fc":
        np.testing.assert_array_equal(got, expected, err_msg=what)
        return
    # Decompositions are accurate relative to the matrix's size, not entry by entry: an
    # entry that is 0 up to rounding (1e-16 against 1.3e-16) is a match.
    eps = np.finfo(got.dtype).eps
    scale = float(np.max(np.abs(expected), initial=1.0))
    rtol = rtol or catalog.RTOL.get(got.dtype.name, 1e-10)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=100 * eps * scale, err_msg=what)


@pytest.mark.parametrize("op_case", catalog.CASES, ids=str)
def test_case_matches_the_python_backend(op_case: catalog.OpCase) -> None:
    inputs, outputs, values = op_case.build(np.random.default_rng(0))
    name = op_case.name
    if name in UNTRACEABLE or name in REFUSED:
        error = JaxUntraceableError if name in UNTRACEABLE else JaxNotImplementedError
        with pytest.raises(error, match=UNTRACEABLE.get(name) or REFUSED[name]):
            function(inputs, outputs, mode=jax_backend, on_unused_input="ignore")
        return
    expected = function(inputs, outputs, mode="python", on_unused_input="ignore")(*values)
    got = function(inputs, outputs, mode=jax_backend, on_unused_input="ignore")(*values)
    assert len(got) == len(expected)
    for k, (g, e) in enumerate(zip(got, expected, strict=True)):
        if name in RESIDUALS_DIFFER and k == 1:
            continue
        _compare(g, np.asarray(e), f"{name} output {k}", RTOL.get(name))


# Cases whose graphs the fusion rewrite turns into Composite elementwise ops.
FUSED = [c for c in catalog.CASES if c.name.startswith(("elemwise.", "special."))][::6]


@pytest.mark.parametrize("op_case", FUSED, ids=str)
def test_fused_graphs_match_the_python_backend(op_case: catalog.OpCase) -> None:
    if op_case.name in REFUSED:
        pytest.skip("refused dtype (tested above)")
    inputs, outputs, values = op_case.build(np.random.default_rng(1))
    fused = function(inputs, outputs, mode=JaxBackend(fusion=True), on_unused_input="ignore")
    expected = function(inputs, outputs, mode="python", on_unused_input="ignore")(*values)
    for k, (g, e) in enumerate(zip(fused(*values), expected, strict=True)):
        _compare(g, np.asarray(e), f"{op_case.name} output {k}", RTOL.get(op_case.name))


def test_every_catalog_op_is_translated_or_has_a_reason() -> None:
    listing = coverage()
    assert set(listing) == catalog.catalog_op_types()
    missing = sorted(t.__name__ for t, how in listing.items() if how.startswith("missing"))
    assert not missing, f"ops with no JAX translation and no reason: {missing}"
    names = {t.__name__: how for t, how in listing.items()}
    assert names["Composite"] == names["Blockwise"] == names["Dot"] == "translated"
