"""Helpers shared by the linear-algebra ops: dtypes, shape checks, shape entries."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.blockwise import Blockwise, user_operand
from tensorgraft.tensor.shape import shape_entry_variable
from tensorgraft.tensor.variable import TensorVariable


def linalg_dtype(name: str, *variables: Variable) -> str:
    """The dtype numpy.linalg computes `variables` in: ints and bools give float64.

    float16 (and non-numeric dtypes) raise TypeError, as numpy.linalg does.
    """
    dtype = np.result_type(*[v.type.dtype for v in variables])  # type: ignore[attr-defined]
    if dtype.kind in "biu":
        return "float64"
    if dtype.kind not in "fc" or dtype.itemsize < 4 or dtype.itemsize > 16:
        bad = next(v for v in variables if v.type.dtype == dtype.name)  # type: ignore[attr-defined]
        raise TypeError(f"{name}: {describe(bad)} has dtype {dtype.name}, unsupported in linalg")
    return dtype.name


def real_dtype(dtype: str) -> str:
    """The real dtype of the same precision (float32 for complex64)."""
    return np.finfo(dtype).dtype.name


def check_square(name: str, a: Variable) -> None:
    """Raise if the last two static dimensions of `a` are known and differ."""
    m, n = a.type.shape[-2:]  # type: ignore[attr-defined]
    if m is not None and n is not None and m != n:
        raise ValueError(
            f"{name}: {describe(a)} has shape {a.type.shape}, not a square matrix"  # type: ignore[attr-defined]
        )


def matrix_input(name: str, a: Any, ndim: int = 2) -> TensorVariable:
    """`a` as a tensor with at least `ndim` dimensions (a core input and batch ones)."""
    a = as_tensor(a)
    if a.ndim < ndim:
        kind = "matrix" if ndim == 2 else "vector"
        raise ValueError(
            f"{name}: {describe(a)} needs at least {ndim} dimensions (a {kind} or a stack "
            f"of them), got {a.ndim}"
        )
    return a


def square_input(name: str, a: Any) -> TensorVariable:
    """`a` as (a stack of) matrices, checked where its shape is static to be square."""
    a = matrix_input(name, a)
    check_square(name, a)
    return a


def batched(op: Any) -> Blockwise:
    """`op` batched over leading dimensions by Blockwise, with its own core signature."""
    return Blockwise(op, op.gufunc_signature)


def square_length(a: Variable) -> int | None:
    """The static length of a square matrix `a`, from either of its dimensions."""
    m, n = a.type.shape[-2:]  # type: ignore[attr-defined]
    return m if m is not None else n


def check_rhs(name: str, a: Variable, b: Variable, b_ndim: int) -> None:
    """Raise if the rows of the (stacks of) matrix `a` and right-hand side `b` differ."""
    if a.type.ndim < 2 or b.type.ndim < b_ndim:  # type: ignore[attr-defined]
        return  # Blockwise names the missing dimensions
    m = square_length(a)
    rows = b.type.shape[-b_ndim]  # type: ignore[attr-defined]
    if m is not None and rows is not None and m != rows:
        raise ValueError(
            f"{name}: {describe(a)} with shape {a.type.shape} and {describe(b)} with shape "  # type: ignore[attr-defined]
            f"{b.type.shape} do not match ({m} != {rows} rows)"  # type: ignore[attr-defined]
        )


def check_matrix(name: str, a: Variable, ndim: int = 2) -> None:
    """Raise unless `a` has exactly `ndim` dimensions (a core input of a linalg op)."""
    if a.type.ndim != ndim:  # type: ignore[attr-defined]
        kind = "matrix" if ndim == 2 else "vector"
        raise ValueError(f"{name} takes a {kind}, got {describe(a)}")


def square_value(name: str, a: np.ndarray) -> None:
    """Raise LinAlgError (a ValueError) for run-time (stacks of) matrices that are not square."""
    if a.shape[-1] != a.shape[-2]:
        raise np.linalg.LinAlgError(f"{name}: a matrix of shape {a.shape[-2:]} is not square")


def _reason(error: Exception) -> str:
    text = str(error).lower()
    if "positive definite" in text:
        return "is not positive definite"
    if "singular" in text:
        return "is singular"
    return f"failed: {error}"


def _first_failure(
    fn: Callable[..., Any], inputs: Sequence[np.ndarray], batch_ndim: int
) -> tuple[int, ...] | None:
    """The first batch index where `fn` on one core element raises LinAlgError."""
    batch = np.broadcast_shapes(*[np.shape(x)[:batch_ndim] for x in inputs])
    full = [np.broadcast_to(x, batch + np.shape(x)[batch_ndim:]) for x in inputs]
    for idx in np.ndindex(*batch):
        try:
            fn(*[x[idx] for x in full])
        except np.linalg.LinAlgError:
            return idx
    return None


@contextmanager
def named_errors(
    name: str,
    node: Apply,
    inputs: Sequence[np.ndarray],
    batch_ndim: int,
    fn: Callable[..., Any],
) -> Iterator[None]:
    """Re-raise NumPy's LinAlgError from a (stacked) computation with our own words.

    The error names input 0 of `node` (the matrix) and, for a stack, the batch index of
    the first matrix at fault, found by calling `fn` on each core element in turn.
    """
    try:
        yield
    except np.linalg.LinAlgError as error:
        if str(error).startswith(f"{name}:"):
            raise
        where = ""
        if batch_ndim:
            idx = _first_failure(fn, inputs, batch_ndim)
            where = "" if idx is None else f" at batch index {idx}"
        a = describe(user_operand(node.inputs[0]))
        raise np.linalg.LinAlgError(f"{name}: the matrix {a}{where} {_reason(error)}") from None


def min_dim(a: Any, b: Any) -> Any:
    """min of two shape entries (ints or int64 scalar variables)."""
    if isinstance(a, int) and isinstance(b, int):
        return min(a, b)
    from tensorgraft.tensor.math import minimum

    return minimum(shape_entry_variable(a), shape_entry_variable(b))


def static_min(a: int | None, b: int | None) -> int | None:
    """min of two static lengths; 0 wins over an unknown one."""
    if a is not None and b is not None:
        return min(a, b)
    return 0 if 0 in (a, b) else None
