"""`TensorVariable`: the symbolic array users write NumPy-like code with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.tensor.type import TensorType

if TYPE_CHECKING:
    from tensorgraft.tensor.type import TensorType as _TensorType


def _m() -> Any:
    # The math functions import this module; import them when first used.
    from tensorgraft.tensor import math

    return math


class TensorVariable(Variable):
    """A symbolic array. Operators build graph nodes: `x + 1`, `x @ y`, `x[0, 1:]`.

    `==` and `!=` keep Python's identity meaning (variables are dictionary keys); use
    `tt.eq` / `tt.neq` for elementwise comparison. A symbolic variable has no truth value.
    """

    __slots__ = ()
    type: _TensorType
    # NumPy defers to our reflected operators: `np.float32(2) * x` and `array + x` build
    # graphs (with the NumPy operand strongly typed), not object arrays of variables.
    __array_ufunc__ = None

    # -- static information -------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return self.type.ndim

    @property
    def dtype(self) -> str:
        return self.type.dtype

    @property
    def shape(self) -> Any:
        """The symbolic shape (an int64 vector); static shape: `x.type.shape`."""
        from tensorgraft.tensor.shape import shape

        return shape(self)

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return self.type.broadcastable

    @property
    def T(self) -> Any:
        return self.transpose()

    def __bool__(self) -> bool:
        raise TypeError(
            f"the truth value of symbolic {self} is unknown until it is computed; "
            "use tt.switch / tt.where for a symbolic condition"
        )

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError(f"len() of {self}, a scalar (0-d) variable")
        size = self.type.shape[0]
        if size is None:
            raise TypeError(f"len() of {self}: its first dimension is not known statically")
        return size

    def __iter__(self) -> Any:
        for i in range(len(self)):
            yield self[i]

    # -- arithmetic -----------------------------------------------------------------------
    def __add__(self, other: Any) -> Any:
        return _m().add(self, other)

    def __radd__(self, other: Any) -> Any:
        return _m().add(other, self)

    def __sub__(self, other: Any) -> Any:
        return _m().sub(self, other)

    def __rsub__(self, other: Any) -> Any:
        return _m().sub(other, self)

    def __mul__(self, other: Any) -> Any:
        return _m().mul(self, other)

    def __rmul__(self, other: Any) -> Any:
        return _m().mul(other, self)

    def __truediv__(self, other: Any) -> Any:
        return _m().true_div(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return _m().true_div(other, self)

    def __floordiv__(self, other: Any) -> Any:
        return _m().floor_div(self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        return _m().floor_div(other, self)

    def __pow__(self, other: Any) -> Any:
        return _m().pow(self, other)

    def __rpow__(self, other: Any) -> Any:
        return _m().pow(other, self)

    def __neg__(self) -> Any:
        return _m().neg(self)

    def __pos__(self) -> Any:
        return self

    def __matmul__(self, other: Any) -> Any:
        return _m().matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return _m().matmul(other, self)

    def __lt__(self, other: Any) -> Any:
        return _m().lt(self, other)

    def __le__(self, other: Any) -> Any:
        return _m().le(self, other)

    def __gt__(self, other: Any) -> Any:
        return _m().gt(self, other)

    def __ge__(self, other: Any) -> Any:
        return _m().ge(self, other)

    __hash__ = Variable.__hash__

    # -- indexing and shape ---------------------------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        from tensorgraft.tensor.subtensor import getitem

        return getitem(self, key)

    def dimshuffle(self, *pattern: Any) -> Any:
        """Reorder, add ('x') and drop dimensions: `x.dimshuffle(1, 'x', 0)`."""
        from tensorgraft.tensor.elemwise import dimshuffle

        if len(pattern) == 1 and isinstance(pattern[0], list | tuple):
            pattern = tuple(pattern[0])
        return dimshuffle(self, pattern)

    def transpose(self, *axes: Any) -> Any:
        """Permute the dimensions (reverse them by default), like numpy.transpose."""
        from tensorgraft.tensor.shape import transpose

        if len(axes) == 1 and isinstance(axes[0], list | tuple):
            axes = tuple(axes[0])
        return transpose(self, axes or None)

    def squeeze(self, axis: Any = None) -> Any:
        """Drop dimensions of length 1 (all those known statically, or `axis`)."""
        from tensorgraft.tensor.shape import squeeze

        return squeeze(self, axis)

    def astype(self, dtype: Any) -> Any:
        """This array cast to `dtype`."""
        return _m().cast(self, dtype)

    # -- reductions -----------------------------------------------------------------------
    def sum(self, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Any:
        """Sum over `axis` (all axes by default), like numpy.sum."""
        from tensorgraft.tensor.reduction import sum

        return sum(self, axis=axis, keepdims=keepdims, dtype=dtype)

    def dot(self, other: Any) -> Any:
        return _m().dot(self, other)


class TensorConstant(Constant, TensorVariable):
    """A constant array."""

    __slots__ = ()


TensorType.variable_type = TensorVariable
TensorType.constant_type = TensorConstant
