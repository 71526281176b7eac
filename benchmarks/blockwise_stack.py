"""Blockwise on stacks of small matrices: one NumPy call for the whole stack, not a loop.

    hatch run bench:python benchmarks/blockwise_stack.py [--n 10000] [--m 3] [--repeats 15]

Each case is a linear-algebra function applied to a stack of `n` matrices of `m` x `m`
(well conditioned, positive definite where the function needs it). Prints, per case, the
median wall-clock time of the compiled tensorgraft function on the python backend (which
runs Blockwise's `perform`), of NumPy/SciPy on the same stack, and their ratio. Before
core ops could compute a whole stack (`perform_stacked`), `inv` of 10000 3x3 matrices
took 224 ms against NumPy's 11 ms; a ratio near 1 means Blockwise adds only its checks.
(solve_triangular and cho_solve still go matrix by matrix: SciPy's do not broadcast.)
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm up (and compile)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _cases(la: Any, tt: Any) -> dict[str, tuple[Callable[..., Any], Callable[..., Any]]]:
    """name -> (tensorgraft graph of (a, b), NumPy/SciPy computation of (a, b))."""

    return {
        "inv": (lambda a, b: la.inv(a), lambda a, b: np.linalg.inv(a)),
        "det": (lambda a, b: la.det(a), lambda a, b: np.linalg.det(a)),
        "slogdet": (lambda a, b: la.slogdet(a)[1], lambda a, b: np.linalg.slogdet(a)[1]),
        "cholesky": (lambda a, b: la.cholesky(a), lambda a, b: np.linalg.cholesky(a)),
        "eigh": (lambda a, b: la.eigh(a)[1], lambda a, b: np.linalg.eigh(a)[1]),
        "svd": (lambda a, b: la.svd(a)[1], lambda a, b: np.linalg.svd(a)[1]),
        "qr": (lambda a, b: la.qr(a)[1], lambda a, b: np.linalg.qr(a)[1]),
        "pinv": (lambda a, b: la.pinv(a), lambda a, b: np.linalg.pinv(a)),
        "solve": (lambda a, b: la.solve(a, b), lambda a, b: np.linalg.solve(a, b)),
        "matmul": (lambda a, b: tt.matmul(a, b), lambda a, b: np.matmul(a, b)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="matrices in the stack")
    parser.add_argument("--m", type=int, default=3, help="rows (and columns) of each matrix")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="few repeats, small stack")
    args = parser.parse_args()
    if args.quick:
        args.n, args.repeats = 200, 3

    import tensorgraft.tensor as tt
    from tensorgraft.compile import function

    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.n, args.m, args.m))
    a = x @ np.swapaxes(x, -1, -2) + args.m * np.eye(args.m)  # positive definite
    b = rng.normal(size=(args.n, args.m, 2))
    ta, tb = tt.tensor3("a"), tt.tensor3("b")

    print(f"stack of {args.n} matrices {args.m}x{args.m}, median of {args.repeats} runs")
    print(f"{'case':<18}{'tensorgraft (ms)':>18}{'numpy (ms)':>14}{'ratio':>9}")
    for name, (graph, reference) in _cases(tt.linalg, tt).items():
        fn = function([ta, tb], graph(ta, tb), mode="python", on_unused_input="ignore")
        np.testing.assert_allclose(fn(a, b), reference(a, b), rtol=1e-8, atol=1e-10)
        ours = _median_seconds(lambda fn=fn: fn(a, b), args.repeats)
        theirs = _median_seconds(lambda ref=reference: ref(a, b), args.repeats)
        print(f"{name:<18}{ours * 1e3:>18.2f}{theirs * 1e3:>14.2f}{ours / theirs:>8.2f}x")


if __name__ == "__main__":
    main()
