"""What the benchmarks compute: each case is one expression, written once.

`expr(m, **arrays)` takes a NumPy-like namespace `m` (numpy, jax.numpy, tensorgraft.tensor
or pytensor.tensor) providing `exp`, `sin`, `cos`, `tanh` and `log1p`; everything else is
operators and methods (`@`, `x[None, :]`, `.squeeze()`, `.sum()`, `x[g]`) that all four
share. So every engine computes literally the same expression. A case with `wrt` also
asks for the gradient of its (scalar) expression with respect to those inputs: each
engine then returns `[value, *gradients]`, and NumPy's `numpy` function gives the same
list computed by hand.
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
    wrt: tuple[str, ...] = ()  # differentiate the expression by these inputs too
    numpy: Callable[..., list[Any]] | None = None  # [value, *gradients] by hand

    def reference(self, arrays: dict[str, np.ndarray]) -> list[Any]:
        """NumPy's outputs: the value, then the gradients of `wrt`."""
        if self.numpy is not None:
            return self.numpy(**arrays)
        return [self.expr(np, **arrays)]


def _seed(m: Any, x: Any) -> Any:
    z = m.exp(m.sin(x))
    return m.cos((z[None, :] @ z[:, None]).squeeze())


def _elemwise(m: Any, x: Any) -> Any:
    return m.exp(m.sin(x)) * m.cos(x) + m.log1p(x**2)


def _logreg(m: Any, X: Any, w: Any, y: Any) -> Any:
    return m.log1p(m.exp(-y * (X @ w))).sum()


def _logreg_numpy(X: Any, w: Any, y: Any) -> list[Any]:
    t = -y * (X @ w)
    return [np.log1p(np.exp(t)).sum(), X.T @ (-y / (1.0 + np.exp(-t)))]


CHAIN = 200


def _chain(m: Any, x: Any) -> Any:
    steps = (m.sin, lambda v: v * 0.9, m.cos, lambda v: v + 0.1, m.tanh, lambda v: v * 1.1)
    y = x
    for k in range(CHAIN):
        y = steps[k % len(steps)](y)
    return y


def _hier(m: Any, mu: Any, log_tau: Any, theta_raw: Any, y: Any, sigma: Any, g: Any) -> Any:
    # Non-centred hierarchical normal model: theta_j = mu + tau * theta_raw_j.
    theta = mu + m.exp(log_tau) * theta_raw
    resid = (y - theta[g]) / sigma
    prior = -0.5 * (mu / 5.0) ** 2 - 0.5 * log_tau**2 - 0.5 * (theta_raw**2).sum()
    return prior - 0.5 * (resid**2).sum()


def _hier_numpy(mu: Any, log_tau: Any, theta_raw: Any, y: Any, sigma: Any, g: Any) -> list[Any]:
    tau = np.exp(log_tau)
    r = (y - (mu + tau * theta_raw)[g]) / sigma**2
    per_group = np.bincount(g, r, minlength=theta_raw.size)
    return [
        _hier(np, mu, log_tau, theta_raw, y, sigma, g),
        -mu / 25.0 + r.sum(),
        -log_tau + tau * (theta_raw[g] * r).sum(),
        -theta_raw + tau * per_group,
    ]


def _hier_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    groups, n = 50, 2000
    return {
        "mu": np.asarray(1.0),
        "log_tau": np.asarray(0.3),
        "theta_raw": rng.normal(size=groups),
        "y": rng.normal(2.0, 3.0, size=n),
        "sigma": rng.uniform(1.0, 3.0, size=n),
        "g": rng.integers(0, groups, size=n),
    }


def _matmul(m: Any, a: Any, b: Any) -> Any:
    return a @ b


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
        "sum(log1p(exp(-y * (X @ w)))) and its gradient in w; X: 1000x20, y: ±1",
        lambda rng: {
            "X": rng.normal(size=(1000, 20)),
            "w": rng.normal(size=20) / np.sqrt(20),
            "y": rng.choice([-1.0, 1.0], size=1000),
        },
        _logreg,
        wrt=("w",),
        numpy=_logreg_numpy,
    ),
    Case(
        "overhead",
        "exp(sin(x)) * cos(x) + log1p(x**2); x: 10 (per-call overhead)",
        lambda rng: {"x": rng.uniform(0.0, 1.0, size=10)},
        _elemwise,
    ),
    Case(
        "chain",
        f"{CHAIN} elementwise ops (sin, *0.9, cos, +0.1, tanh, *1.1, ...); x: 1e5",
        lambda rng: {"x": rng.normal(size=100_000)},
        _chain,
    ),
    Case(
        "hier",
        "hierarchical normal log-density and its gradient; 50 groups, 2000 points",
        _hier_inputs,
        _hier,
        wrt=("mu", "log_tau", "theta_raw"),
        numpy=_hier_numpy,
    ),
    Case(
        "matmul",
        "a @ b; a, b: 512x512",
        lambda rng: {"a": rng.normal(size=(512, 512)), "b": rng.normal(size=(512, 512))},
        _matmul,
    ),
]

BY_NAME = {case.name: case for case in CASES}


# -- the same outputs in each library ---------------------------------------------------------
def symbolic(
    case: Case, arrays: dict[str, np.ndarray], library: str
) -> tuple[list[Any], list[Any]]:
    """Inputs and outputs ([value, *gradients]) of `case` as a tensorgraft or PyTensor graph.

    Inputs have unknown lengths (as a user's placeholders would), the dtypes of `arrays`.
    """
    if library == "tensorgraft":
        import tensorgraft.tensor as m

        def grad(cost: Any, wrt: list[Any]) -> list[Any]:
            from tensorgraft.autodiff import grad as tg_grad

            return list(tg_grad(cost, wrt))

    else:
        import pytensor
        import pytensor.tensor as m

        def grad(cost: Any, wrt: list[Any]) -> list[Any]:
            return list(pytensor.grad(cost, wrt))

    xs = {k: m.tensor(k, shape=(None,) * a.ndim, dtype=str(a.dtype)) for k, a in arrays.items()}
    out = case.expr(m, **xs)
    outs = [out, *grad(out, [xs[k] for k in case.wrt])] if case.wrt else [out]
    return list(xs.values()), outs


def jax_function(case: Case, arrays: dict[str, np.ndarray]) -> Callable[..., list[Any]]:
    """`jax.jit` of `case` over positional arrays (in the order of `arrays`), giving
    [value, *gradients]. Enables float64 in JAX."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    names = list(arrays)

    def fn(*xs: Any) -> Any:
        return case.expr(jnp, **dict(zip(names, xs, strict=True)))

    if not case.wrt:
        return jax.jit(lambda *xs: [fn(*xs)])
    value_and_grad = jax.value_and_grad(fn, argnums=tuple(names.index(k) for k in case.wrt))

    def both(*xs: Any) -> list[Any]:
        value, grads = value_and_grad(*xs)
        return [value, *grads]

    return jax.jit(both)


def same(got: Any, expected: list[Any]) -> bool:
    """Whether an engine's outputs equal NumPy's (shapes and values, np.allclose)."""
    got = list(got) if isinstance(got, list | tuple) else [got]
    return len(got) == len(expected) and all(
        np.shape(np.asarray(g)) == np.shape(e) and bool(np.allclose(np.asarray(g), e))
        for g, e in zip(got, expected, strict=True)
    )
