"""`norm`: vector and matrix norms with numpy.linalg.norm's semantics, as graphs of
elementwise ops, reductions and (for the spectral and nuclear norms) singular values."""

from __future__ import annotations

import math
import operator
from typing import Any

from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.variable import TensorVariable


def _tt() -> Any:
    import tensorgraft.tensor as tt

    return tt


def _abs_square(x: TensorVariable) -> TensorVariable:
    tt = _tt()
    if x.type.numpy_dtype.kind == "c":
        return tt.real(x) ** 2 + tt.imag(x) ** 2
    return x * x


def _vector_norm(x: TensorVariable, ord: Any, axis: int) -> TensorVariable:
    tt = _tt()
    if ord is None or ord == 2:
        return tt.sqrt(tt.sum(_abs_square(x), axis=axis))
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is not a vector norm")
    if ord == math.inf:
        return tt.max(tt.abs(x), axis=axis)
    if ord == -math.inf:
        return tt.min(tt.abs(x), axis=axis)
    absx = tt.abs(x)
    if ord == 0:
        return tt.sum(tt.cast(tt.neq(x, 0), absx.dtype), axis=axis)
    if ord == 1:
        return tt.sum(absx, axis=axis)
    return tt.sum(absx**ord, axis=axis) ** (1.0 / ord)


def _matrix_norm(x: TensorVariable, ord: Any, row: int, col: int) -> TensorVariable:
    tt = _tt()
    if ord is None or ord == "fro":
        return tt.sqrt(tt.sum(_abs_square(x), axis=(row, col)))
    if ord in (2, -2, "nuc"):
        from tensorgraft.tensor.linalg.decompositions import svd

        s = svd(tt.moveaxis(x, (row, col), (-2, -1)), compute_uv=False)
        reduce = {2: tt.max, -2: tt.min, "nuc": tt.sum}[ord]
        return reduce(s, axis=-1)
    if ord in (1, -1, math.inf, -math.inf):
        # 1: the largest column sum of |x|; inf: the largest row sum.
        summed, kept = (row, col) if ord in (1, -1) else (col, row)
        sums = tt.sum(tt.abs(x), axis=summed)
        reduce = tt.max if ord in (1, math.inf) else tt.min
        return reduce(sums, axis=kept - (summed < kept))
    raise ValueError(f"norm: ord={ord!r} is not a matrix norm")


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Vector or matrix norm, like numpy.linalg.norm.

    `axis` None takes the whole array: the 2-norm of it flattened when `ord` is None,
    else a vector norm of a vector or a matrix norm of a matrix. An int `axis` gives
    vector norms (ord: None/2, inf, -inf, 0, 1, any p); a pair gives matrix norms
    (ord: None/'fro', 'nuc', 1, -1, 2, -2, inf, -inf). Integers compute in float64.
    """
    tt = _tt()
    x = as_tensor(x)
    if x.type.numpy_dtype.kind in "biu":
        x = tt.cast(x, "float64")
    if axis is None:
        if ord is not None and x.ndim not in (1, 2):
            raise ValueError(
                f"norm: ord={ord!r} with axis=None needs a vector or a matrix, got {describe(x)}"
            )
        if ord is None or x.ndim == 1:
            out = _vector_norm(tt.flatten(x) if x.ndim != 1 else x, ord, 0)
        else:
            out = _matrix_norm(x, ord, 0, 1)
        axes: tuple[int, ...] = tuple(range(x.ndim))
    else:
        axes = axis if isinstance(axis, tuple) else (axis,)
        axes = tuple(_normalize(a, x) for a in axes)
        if len(set(axes)) != len(axes) or len(axes) not in (1, 2):
            raise ValueError(f"norm: axis={axis!r} must be one axis or two distinct axes")
        if len(axes) == 1:
            out = _vector_norm(x, ord, axes[0])
        else:
            out = _matrix_norm(x, ord, *axes)
    if keepdims:
        out = tt.expand_dims(out, sorted(axes))
    return out


def _normalize(axis: Any, x: TensorVariable) -> int:
    try:
        if isinstance(axis, bool):
            raise TypeError
        axis = operator.index(axis)  # NumPy integers too
    except TypeError:
        raise TypeError(f"norm: axis must be an int or a pair of ints, got {axis!r}") from None
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"norm: axis {axis} is out of bounds for {describe(x)}")
    return axis % x.ndim
