"""What the benchmarks compute: each case is one expression, written once.

`expr(m, **arrays)` takes a NumPy-like namespace `m` (numpy, jax.numpy, tensorgraft.tensor
or pytensor.tensor) providing `exp`, `sin`, `cos` and `log1p`; everything else is
operators and methods (`@`, `x[None, :]`, `.squeeze()`, `.sum()`) that all four share. So
every engine computes literally the same expression.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    formula: str
    inputs: Callable[[np.random.Generator], dict[str, np.ndarray]]
    expr: Callable[..., Any]
    note: str = ""


def _seed(m: Any, x: Any) -> Any:
    z = m.exp(m.sin(x))
    return m.cos((z[None, :] @ z[:, None]).squeeze())


def _elemwise(m: Any, x: Any) -> Any:
    return m.exp(m.sin(x)) * m.cos(x) + m.log1p(x**2)


def _logreg(m: Any, X: Any, w: Any, y: Any) -> Any:
    return m.log1p(m.exp(-y * (X @ w))).sum()


CASES = [
    Case(
        "seed",
        "cos((z[None, :] @ z[:, None]).squeeze()), z = exp(sin(x)); x: 1000",
        lambda rng: {"x": rng.normal(size=1000)},
        _seed,
    ),
    Case(
        "elemwise",
        "exp(sin(x)) * cos(x) + log1p(x**2); x: 1e6 in (0, 1)",
        lambda rng: {"x": rng.uniform(0.0, 1.0, size=1_000_000)},
        _elemwise,
    ),
    Case(
        "logreg",
        "sum(log1p(exp(-y * (X @ w)))); X: 1000x20, w: 20, y: ±1",
        lambda rng: {
            "X": rng.normal(size=(1000, 20)),
            "w": rng.normal(size=20) / np.sqrt(20),
            "y": rng.choice([-1.0, 1.0], size=1000),
        },
        _logreg,
        note="the loss value only (loss and gradient: c_backend.py, jax_backend.py)",
    ),
    Case(
        "overhead",
        "exp(sin(x)) * cos(x) + log1p(x**2); x: 10 (per-call overhead)",
        lambda rng: {"x": rng.uniform(0.0, 1.0, size=10)},
        _elemwise,
    ),
]

BY_NAME = {case.name: case for case in CASES}
