"""`verify_grad`: the symbolic gradient against central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.autodiff.engine import grad
from tensorgraft.compile import function
from tensorgraft.graph.basic import Variable

# (finite-difference step, absolute tolerance, relative tolerance) by input dtype.
_TOLERANCES = {
    "float64": (1e-6, 1e-6, 1e-5),
    "float32": (1e-2, 2e-2, 2e-2),
    "float16": (1e-1, 1e-1, 1e-1),
}
# Inputs with more elements are probed along random directions, not element by element.
_MAX_ELEMENTWISE = 64


class GradientError(AssertionError):
    """The symbolic gradient and the finite differences disagree."""


def _placeholder(value: np.ndarray, static_shape: bool, k: int) -> Variable:
    shape = value.shape if static_shape else (None,) * value.ndim
    return tt.tensor(f"x{k}", shape=shape, dtype=value.dtype)


def verify_grad(
    fn: Callable[..., Any],
    points: Sequence[Any],
    n_tests: int = 2,
    rng: np.random.Generator | int | None = None,
    eps: float | None = None,
    abs_tol: float | None = None,
    rel_tol: float | None = None,
    mode: str = "python",
    static_shape: bool = False,
) -> None:
    """Check the gradient of `fn` at `points` against central finite differences.

    `fn` takes one tensor variable per point and returns a variable or a list of them.
    The cost is a random projection of its float outputs, `sum(out_k * proj_k)`; its
    symbolic gradient with respect to each float input is compared with finite
    differences, element by element for small inputs and along `n_tests` random
    directions for large ones. Raises GradientError naming the input that disagrees.

    Args:
        fn: builds the outputs from the input variables.
        points: the input values (arrays; their dtypes give the input dtypes).
        n_tests: random projections (and directions) to try.
        rng: a Generator or a seed for the projections and directions.
        eps, abs_tol, rel_tol: step and tolerances (defaults by dtype).
        mode: the backend that computes the values.
        static_shape: give the inputs the points' static shapes (default: unknown).
    """
    values = [np.asarray(p) for p in points]
    inputs = [_placeholder(v, static_shape, k) for k, v in enumerate(values)]
    outs = fn(*inputs)
    outs = list(outs) if isinstance(outs, list | tuple) else [outs]
    verify_graph_grad(inputs, outs, values, n_tests, rng, eps, abs_tol, rel_tol, mode)


def verify_graph_grad(
    inputs: Sequence[Variable],
    outputs: Sequence[Variable],
    values: Sequence[Any],
    n_tests: int = 2,
    rng: np.random.Generator | int | None = None,
    eps: float | None = None,
    abs_tol: float | None = None,
    rel_tol: float | None = None,
    mode: str = "python",
) -> None:
    """`verify_grad` for a graph already built: `outputs` of `inputs` at `values`.

    Inputs that are not floats (indices, masks) are held at their values.
    """
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    values = [np.asarray(v) for v in values]
    inputs = list(inputs)
    float_outs = [o for o in outputs if o.type.numpy_dtype.kind == "f"]  # type: ignore[attr-defined]
    if not float_outs:
        raise ValueError("verify_grad: no floating-point output")
    wrt = [(k, x) for k, x in enumerate(inputs) if x.type.numpy_dtype.kind == "f"]  # type: ignore[attr-defined]
    if not wrt:
        raise ValueError("verify_grad: no floating-point input to differentiate")
    out_values = function(inputs, float_outs, mode=mode, on_unused_input="ignore")(*values)
    for _ in range(n_tests):
        projections = [
            tt.constant(gen.uniform(0.5, 1.5, size=np.shape(v)).astype(o.type.dtype))  # type: ignore[attr-defined]
            for v, o in zip(out_values, float_outs, strict=True)
        ]
        terms = [(o * p).sum() for o, p in zip(float_outs, projections, strict=True)]
        cost = terms[0] if len(terms) == 1 else tt.add(*terms)
        grads = grad(cost, [x for _, x in wrt], disconnected="ignore")
        f = function(inputs, [cost, *grads], mode=mode, on_unused_input="ignore")
        symbolic = f(*values)[1:]
        for (k, x), g in zip(wrt, symbolic, strict=True):
            # The least precise of the input and the outputs sets the step and tolerances.
            dtype = _least_precise([x.type.dtype, *(o.type.dtype for o in float_outs)])  # type: ignore[attr-defined]
            tols = _tolerances(dtype, eps, abs_tol, rel_tol)
            _check_input(f, values, k, x, np.asarray(g), gen, tols, n_tests)


def _least_precise(dtypes: list[str]) -> str:
    return max(dtypes, key=lambda d: float(np.finfo(d).eps))


def _tolerances(
    dtype: str, eps: float | None, abs_tol: float | None, rel_tol: float | None
) -> tuple[float, float, float]:
    step, atol, rtol = _TOLERANCES.get(dtype, _TOLERANCES["float64"])
    return (
        step if eps is None else eps,
        atol if abs_tol is None else abs_tol,
        rtol if rel_tol is None else rel_tol,
    )


def _cost(f: Any, values: list[np.ndarray]) -> float:
    return float(np.asarray(f(*values)[0], dtype="float64"))


def _check_input(
    f: Any,
    values: list[np.ndarray],
    k: int,
    x: Variable,
    g: np.ndarray,
    gen: np.random.Generator,
    tolerances: tuple[float, float, float],
    n_tests: int,
) -> None:
    step, atol, rtol = tolerances
    base = values[k]
    if g.shape != base.shape:
        raise GradientError(f"gradient of {x} has shape {g.shape}, the input {base.shape}")
    elementwise = base.size <= _MAX_ELEMENTWISE
    if elementwise:
        directions = list(np.eye(base.size).reshape(base.size, *base.shape))
    else:
        directions = [gen.standard_normal(base.shape) for _ in range(n_tests)]
    flat_g = g.astype("float64").ravel()
    for k_dir, d in enumerate(directions):
        shifted = list(values)
        shifted[k] = (base + step * d).astype(base.dtype)
        up = _cost(f, shifted)
        shifted[k] = (base - step * d).astype(base.dtype)
        down = _cost(f, shifted)
        numeric = (up - down) / (2 * step)
        # One element (an infinite gradient elsewhere must not leak in), or a projection.
        exact = float(flat_g[k_dir]) if elementwise else float(np.sum(flat_g * d.ravel()))
        if numeric == exact:  # equal infinities too
            continue
        if not abs(numeric - exact) <= atol + rtol * max(abs(numeric), abs(exact)):
            where = (
                f"at element {np.unravel_index(k_dir, base.shape)}"
                if elementwise
                else "along a random direction"
            )
            raise GradientError(
                f"gradient of input {k} ({x.type}) {where}: symbolic {exact:.8g}, "
                f"finite differences {numeric:.8g} (abs error {abs(numeric - exact):.3g})"
            )
