"""`TensorType`: n-dimensional arrays of one dtype, with a static shape (None = unknown)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.graph.type import Type

ALL_DTYPES = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
)
INT_DTYPES = tuple(d for d in ALL_DTYPES if d.startswith(("int", "uint")))
FLOAT_DTYPES = ("float16", "float32", "float64")
COMPLEX_DTYPES = ("complex64", "complex128")

_CANONICAL = frozenset(ALL_DTYPES)

# The default float dtype (PyTensor's floatX).
floatX = "float64"

_RANK_NAMES = {0: "Scalar", 1: "Vector", 2: "Matrix", 3: "Tensor3", 4: "Tensor4"}


def as_dtype(dtype: Any) -> str:
    """The canonical name of a dtype ('float64', 'int8', ...); 'floatX' means floatX."""
    if isinstance(dtype, str):
        if dtype in _CANONICAL:
            return dtype
        if dtype == "floatX":
            return floatX
    try:
        name = np.dtype(dtype).name
    except TypeError:
        raise TypeError(f"{dtype!r} is not a dtype") from None
    if name not in ALL_DTYPES:
        raise TypeError(f"dtype {name} is not supported; use one of {', '.join(ALL_DTYPES)}")
    return name


@dataclass(frozen=True)
class TensorType(Type):
    """Arrays of `dtype` with `ndim == len(shape)`; each shape entry an int or None.

    A shape entry of None means "unknown until run time"; NumPy broadcasting rules
    apply to it at run time (a dimension of unknown length may turn out to be 1).
    """

    dtype: str
    shape: tuple[int | None, ...]

    def __init__(self, dtype: Any, shape: Iterable[int | None] = ()) -> None:
        norm: list[int | None] = []
        for s in shape:
            if s is None:
                norm.append(None)
                continue
            if isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 0:
                raise ValueError(f"static shape entries must be ints >= 0 or None, got {s!r}")
            norm.append(int(s))
        object.__setattr__(self, "dtype", as_dtype(dtype))
        object.__setattr__(self, "shape", tuple(norm))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def numpy_dtype(self) -> np.dtype[Any]:
        return np.dtype(self.dtype)

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        """Which dimensions are statically known to have length 1."""
        return tuple(s == 1 for s in self.shape)

    def clone(self, dtype: Any = None, shape: Iterable[int | None] | None = None) -> TensorType:
        """This type with another dtype and/or shape."""
        return TensorType(
            self.dtype if dtype is None else dtype, self.shape if shape is None else shape
        )

    # -- values -----------------------------------------------------------------------
    def filter(self, data: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        """`data` as an ndarray of this type.

        With `strict`, `data` must already be an ndarray of exactly this dtype. Otherwise
        arrays are cast when NumPy calls the cast "safe" (or always, with
        `allow_downcast=True`), and Python numbers and lists when their values survive the
        cast (unless `allow_downcast=False`, which refuses every unsafe cast).
        """
        if isinstance(data, np.ndarray) and data.dtype == self.numpy_dtype:
            arr = data
        elif strict:
            raise TypeError(f"expected an ndarray of {self.dtype}, got {_describe_value(data)}")
        else:
            arr = self._cast(data, allow_downcast)
        if arr.ndim != self.ndim:
            plural = "" if self.ndim == 1 else "s"
            raise ValueError(
                f"expected {self.ndim} dimension{plural}, got {arr.ndim} (shape {arr.shape})"
            )
        for want, got in zip(self.shape, arr.shape, strict=True):
            if want is not None and want != got:
                raise ValueError(f"expected shape {_fmt_shape(self.shape)}, got {arr.shape}")
        return arr

    def _cast(self, data: Any, allow_downcast: bool | None) -> np.ndarray:
        if isinstance(data, np.ndarray | np.generic):
            arr = np.asarray(data)
            if allow_downcast or np.can_cast(arr.dtype, self.numpy_dtype, "safe"):
                return arr.astype(self.numpy_dtype)
            raise TypeError(
                f"expected {self.dtype}, got {arr.dtype} data, which cannot be cast safely "
                f"(cast it first, or pass allow_downcast=True)"
            )
        try:
            raw = np.asarray(data)
        except (ValueError, TypeError) as err:
            raise TypeError(f"expected {self}, got {_describe_value(data)}: {err}") from None
        if raw.dtype.kind not in "biufc":
            raise TypeError(f"expected {self.dtype} values, got {_describe_value(data)}")
        if allow_downcast or np.can_cast(raw.dtype, self.numpy_dtype, "safe"):
            return raw.astype(self.numpy_dtype)
        if allow_downcast is False:  # no downcast at all, not even of Python numbers
            raise TypeError(
                f"expected {self.dtype}, got {_describe_value(data)}, which needs a downcast "
                f"from {raw.dtype} (allow_downcast=False)"
            )
        # Python numbers are weakly typed: accept them where their values fit.
        with np.errstate(all="ignore"):
            arr = raw.astype(self.numpy_dtype)
        if raw.dtype.kind in "iub" and self.numpy_dtype.kind in "iub":
            fits = np.array_equal(arr.astype(raw.dtype), raw)
        else:
            fits = _kind_rank(raw.dtype.kind) <= _kind_rank(self.numpy_dtype.kind)
        if not fits:
            raise TypeError(f"expected {self.dtype} values, got {_describe_value(data)}")
        return arr

    def is_super(self, other: Type) -> bool:
        """Same dtype and rank, and each of our static dims is unknown or equal."""
        if not isinstance(other, TensorType):
            return False
        if other.dtype != self.dtype or other.ndim != self.ndim:
            return False
        return all(s is None or s == o for s, o in zip(self.shape, other.shape, strict=True))

    def values_eq(self, a: Any, b: Any) -> bool:
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))

    # -- display ----------------------------------------------------------------------
    def __str__(self) -> str:
        rank = _RANK_NAMES.get(self.ndim, f"Tensor{self.ndim}")
        return f"{rank}({self.dtype}, shape={_fmt_shape(self.shape)})"

    def __repr__(self) -> str:
        return f"TensorType({self.dtype}, shape={_fmt_shape(self.shape)})"


def _kind_rank(kind: str) -> int:
    return "biufc".index(kind) if kind != "u" else 1


def _fmt_shape(shape: tuple[int | None, ...]) -> str:
    return str(tuple(shape))


def _describe_value(data: Any) -> str:
    if isinstance(data, np.ndarray):
        return f"an ndarray of {data.dtype} with shape {data.shape}"
    return f"{type(data).__name__} {data!r}"[:80]
