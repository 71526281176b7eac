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


def _tt() -> Any:
    # The whole public API (methods delegate to the function of the same name).
    import tensorgraft.tensor as tt

    return tt


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

    @property
    def mT(self) -> Any:
        """The transpose of the last two axes (numpy.ndarray.mT)."""
        if self.ndim < 2:
            raise ValueError(f"mT needs at least 2 dimensions; {self} has {self.ndim}")
        return _tt().swapaxes(self, -2, -1)

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

    def __mod__(self, other: Any) -> Any:
        return _tt().mod(self, other)

    def __rmod__(self, other: Any) -> Any:
        return _tt().mod(other, self)

    def __abs__(self) -> Any:
        return _tt().abs(self)

    def __invert__(self) -> Any:
        return _tt().invert(self)

    def __and__(self, other: Any) -> Any:
        return _tt().bitwise_and(self, other)

    def __rand__(self, other: Any) -> Any:
        return _tt().bitwise_and(other, self)

    def __or__(self, other: Any) -> Any:
        return _tt().bitwise_or(self, other)

    def __ror__(self, other: Any) -> Any:
        return _tt().bitwise_or(other, self)

    def __xor__(self, other: Any) -> Any:
        return _tt().bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Any:
        return _tt().bitwise_xor(other, self)

    def __lshift__(self, other: Any) -> Any:
        return _tt().left_shift(self, other)

    def __rlshift__(self, other: Any) -> Any:
        return _tt().left_shift(other, self)

    def __rshift__(self, other: Any) -> Any:
        return _tt().right_shift(self, other)

    def __rrshift__(self, other: Any) -> Any:
        return _tt().right_shift(other, self)

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

    def reshape(self, *shape: Any) -> Any:
        """This array with a new shape (one entry may be -1), like numpy.reshape."""
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        return _tt().reshape(self, shape)

    def flatten(self) -> Any:
        """A 1-d copy of this array (numpy.ndarray.flatten)."""
        return _tt().flatten(self)

    def __round__(self, ndigits: int | None = None) -> Any:
        """`round(x)` / `round(x, n)`: round half to even, as NumPy arrays do."""
        return _tt().round(self, ndigits or 0)

    def ravel(self) -> Any:
        """This array as 1-d (numpy.ravel)."""
        return _tt().flatten(self)

    def swapaxes(self, axis1: int, axis2: int) -> Any:
        """Exchange two axes (numpy.swapaxes)."""
        return _tt().swapaxes(self, axis1, axis2)

    def repeat(self, repeats: Any, axis: int | None = None) -> Any:
        """Repeat elements (numpy.repeat)."""
        return _tt().repeat(self, repeats, axis=axis)

    def take(self, indices: Any, axis: int | None = None) -> Any:
        """Elements at `indices` along `axis` (numpy.take)."""
        return _tt().take(self, indices, axis=axis)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
        """The diagonal (numpy.diagonal)."""
        return _tt().diagonal(self, offset=offset, axis1=axis1, axis2=axis2)

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Any:
        """Sum along the diagonal (numpy.trace)."""
        return _tt().trace(self, offset=offset, axis1=axis1, axis2=axis2, dtype=dtype)

    def sort(self, axis: int | None = -1, kind: str | None = None) -> Any:
        """A sorted copy (numpy.sort; this does not sort in place)."""
        return _tt().sort(self, axis=axis, kind=kind)

    def argsort(self, axis: int | None = -1, kind: str | None = None) -> Any:
        """Indices that sort the array (numpy.argsort)."""
        return _tt().argsort(self, axis=axis, kind=kind)

    def set(self, value: Any) -> Any:
        """`x[idx].set(v)`: the array indexed here, with those entries replaced by `v`."""
        return _tt().set_subtensor(self, value)

    def inc(self, value: Any) -> Any:
        """`x[idx].inc(v)`: the array indexed here, with `v` added to those entries."""
        return _tt().inc_subtensor(self, value)

    # -- elementwise methods --------------------------------------------------------------
    def clip(self, min: Any = None, max: Any = None) -> Any:
        """Limit the values to [min, max] (numpy.clip)."""
        return _tt().clip(self, min, max)

    def round(self, decimals: int = 0) -> Any:
        """Round half to even (numpy.round)."""
        return _tt().round(self, decimals)

    def conj(self) -> Any:
        """The complex conjugate (numpy.conj)."""
        return _tt().conj(self)

    conjugate = conj

    @property
    def real(self) -> Any:
        return _tt().real(self)

    @property
    def imag(self) -> Any:
        return _tt().imag(self)

    @property
    def size(self) -> Any:
        """The number of elements, symbolic (an int64 scalar)."""
        return _tt().prod(self.shape)

    # -- reductions -----------------------------------------------------------------------
    def sum(self, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Any:
        """Sum over `axis` (all axes by default), like numpy.sum."""
        from tensorgraft.tensor.reduction import sum

        return sum(self, axis=axis, keepdims=keepdims, dtype=dtype)

    def prod(self, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Any:
        """Product over `axis` (numpy.prod)."""
        return _tt().prod(self, axis=axis, keepdims=keepdims, dtype=dtype)

    def max(self, axis: Any = None, keepdims: bool = False) -> Any:
        """Maximum over `axis` (numpy.max)."""
        return _tt().max(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Any:
        """Minimum over `axis` (numpy.min)."""
        return _tt().min(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Any:
        """Index of the maximum along `axis` (numpy.argmax)."""
        return _tt().argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Any:
        """Index of the minimum along `axis` (numpy.argmin)."""
        return _tt().argmin(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Any:
        """Mean over `axis` (numpy.mean)."""
        return _tt().mean(self, axis=axis, keepdims=keepdims, dtype=dtype)

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
        """Variance over `axis` (numpy.var)."""
        return _tt().var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
        """Standard deviation over `axis` (numpy.std)."""
        return _tt().std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def all(self, axis: Any = None, keepdims: bool = False) -> Any:
        """Whether every element is true over `axis` (numpy.all)."""
        return _tt().all(self, axis=axis, keepdims=keepdims)

    def any(self, axis: Any = None, keepdims: bool = False) -> Any:
        """Whether some element is true over `axis` (numpy.any)."""
        return _tt().any(self, axis=axis, keepdims=keepdims)

    def cumsum(self, axis: int | None = None, dtype: Any = None) -> Any:
        """Cumulative sum along `axis` (numpy.cumsum; flattened when axis is None)."""
        return _tt().cumsum(self, axis=axis, dtype=dtype)

    def cumprod(self, axis: int | None = None, dtype: Any = None) -> Any:
        """Cumulative product along `axis` (numpy.cumprod)."""
        return _tt().cumprod(self, axis=axis, dtype=dtype)

    def dot(self, other: Any) -> Any:
        return _m().dot(self, other)


class TensorConstant(Constant, TensorVariable):
    """A constant array."""

    __slots__ = ()


TensorType.variable_type = TensorVariable
TensorType.constant_type = TensorConstant
