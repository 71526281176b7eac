"""The SciPy-backed scalar ops know SciPy's dtype rules without calling SciPy.

Building or rewriting a graph must not import scipy.special (importing it takes most of
a second). Each op's written-out dtype rule is checked here against what the SciPy ufunc
itself returns, for every dtype (every pair for binary ops), refusals included.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor.scalar_ops as ts
from tensorgraft.tensor.scalar_ops.special import ScipySpecial
from tensorgraft.tensor.type import ALL_DTYPES

scipy_special = pytest.importorskip("scipy.special")

# Every scalar op computed by scipy.special: its dtype rule must not need SciPy.
SCIPY_OPS = [op for op in ts.ALL_SCALAR_OPS if isinstance(getattr(op, "ufunc", None), ScipySpecial)]


def scipy_dtypes(op: Any, dtypes: tuple[str, ...]) -> tuple[str, ...] | None:
    """What SciPy's function returns for empty arrays of `dtypes` (None: TypeError)."""
    fn = getattr(scipy_special, op.ufunc.name)
    try:
        outs = fn(*[np.empty((0,), dtype=d) for d in dtypes])
    except TypeError:
        return None
    outs = outs if isinstance(outs, tuple) else (outs,)
    return tuple(o.dtype.name for o in outs)


def our_dtypes(op: Any, dtypes: tuple[str, ...]) -> tuple[str, ...] | None:
    try:
        return tuple(op.output_dtypes(*dtypes))
    except TypeError:
        return None


def test_every_scipy_op_has_a_dtype_rule() -> None:
    names = {op.name for op in SCIPY_OPS}
    # The list is not empty and covers the ops the rewrites build (sigmoid, softplus's kin).
    assert {"sigmoid", "erf", "gammaln", "xlogy", "polygamma"} <= names
    assert all(type(op).dtype_rule is not None for op in SCIPY_OPS)


@pytest.mark.parametrize("op", [op for op in SCIPY_OPS if op.nin == 1], ids=str)
def test_unary_dtype_rule_matches_scipy(op: Any) -> None:
    for dtype in ALL_DTYPES:
        want = scipy_dtypes(op, (dtype,))
        assert our_dtypes(op, (dtype,)) == want, (op.name, dtype, want)


@pytest.mark.parametrize("op", [op for op in SCIPY_OPS if op.nin == 2], ids=str)
def test_binary_dtype_rule_matches_scipy(op: Any) -> None:
    for pair in itertools.product(ALL_DTYPES, repeat=2):
        got = our_dtypes(op, pair)
        if op is ts.polygamma and np.dtype(pair[0]).kind not in "biu":
            assert got is None, pair  # the order n must be an integer (our rule, not SciPy's)
            continue
        want = scipy_dtypes(op, pair)
        assert got == want, (op.name, pair, want)


@pytest.mark.parametrize("op", SCIPY_OPS, ids=str)
def test_perform_gives_the_declared_dtype(op: Any) -> None:
    # The computed values carry the dtype the node promised, as SciPy computes them.
    for dtype in ("int8", "float16", "float32", "complex64"):
        dtypes = ("int64", dtype) if op is ts.polygamma else (dtype,) * op.nin
        outs = our_dtypes(op, dtypes)
        if outs is None:
            continue
        args = [np.array(0.5 if np.dtype(d).kind in "fc" else 1, dtype=d) for d in dtypes]
        assert np.asarray(op.impl(*args)).dtype.name == outs[0], (op.name, dtypes)


def test_refusal_names_the_op_and_what_it_takes() -> None:
    with pytest.raises(TypeError, match=r"sigmoid is not defined for complex64.*float inputs"):
        ts.sigmoid.output_dtypes("complex64")


def test_building_and_rewriting_sigmoid_does_not_import_scipy_special() -> None:
    code = textwrap.dedent(
        """
        import importlib.util
        import sys

        import tensorgraft.tensor as tt

        x = tt.vector("x")
        y = tt.sigmoid(x)
        ys = [y, tt.erf(x) + tt.gammaln(x), 1 / (1 + tt.exp(-x))]
        assert "scipy.special" not in sys.modules, "building imported scipy.special"
        if importlib.util.find_spec("tensorgraft.rewrite") is not None:
            from tensorgraft.rewrite import rewrite_graph

            out = rewrite_graph(ys, include=("canonicalize", "stabilize", "specialize"))
            assert "scipy.special" not in sys.modules, "rewriting imported scipy.special"
            # stabilize built a new sigmoid node from 1 / (1 + exp(-x)).
            assert "sigmoid" in str(out[2].owner.op).lower(), out[2].owner.op
            print("rewritten", len(out))
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
