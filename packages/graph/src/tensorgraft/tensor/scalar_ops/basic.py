"""Scalar types and scalar ops: the element-level operations that `Elemwise` maps.

A `ScalarOp` computes with NumPy semantics. Its `impl` is ufunc-like: it accepts arrays
that broadcast together, so `Elemwise.perform` calls it once on whole arrays, and a
`Composite` evaluates its inner scalar graph on whole arrays too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.type import Type
from tensorgraft.tensor.type import as_dtype


@dataclass(frozen=True)
class ScalarType(Type):
    """Single numbers of one dtype (the element type of a tensor)."""

    dtype: str

    def __init__(self, dtype: Any) -> None:
        object.__setattr__(self, "dtype", as_dtype(dtype))

    def filter(self, data: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        if strict and not (isinstance(data, np.generic) and data.dtype == np.dtype(self.dtype)):
            raise TypeError(f"expected a {self.dtype} scalar, got {data!r}")
        arr = np.asarray(data)
        if arr.ndim != 0:
            raise ValueError(f"expected a scalar, got shape {arr.shape}")
        return arr.astype(self.dtype)[()]

    def __str__(self) -> str:
        return self.dtype

    def __repr__(self) -> str:
        return f"ScalarType({self.dtype})"


class ScalarVariable(Variable):
    """A scalar-typed variable, with arithmetic operators for building inner graphs."""

    __slots__ = ()

    def __add__(self, other: Any) -> Any:
        return add(self, other)

    def __radd__(self, other: Any) -> Any:
        return add(other, self)

    def __sub__(self, other: Any) -> Any:
        return sub(self, other)

    def __rsub__(self, other: Any) -> Any:
        return sub(other, self)

    def __mul__(self, other: Any) -> Any:
        return mul(self, other)

    def __rmul__(self, other: Any) -> Any:
        return mul(other, self)

    def __truediv__(self, other: Any) -> Any:
        return true_div(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return true_div(other, self)

    def __floordiv__(self, other: Any) -> Any:
        return floor_div(self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        return floor_div(other, self)

    def __mod__(self, other: Any) -> Any:
        from tensorgraft.tensor.scalar_ops.arithmetic import mod

        return mod(self, other)

    def __rmod__(self, other: Any) -> Any:
        from tensorgraft.tensor.scalar_ops.arithmetic import mod

        return mod(other, self)

    def __pow__(self, other: Any) -> Any:
        return pow(self, other)

    def __rpow__(self, other: Any) -> Any:
        return pow(other, self)

    def __neg__(self) -> Any:
        return neg(self)

    def __abs__(self) -> Any:
        from tensorgraft.tensor.scalar_ops.arithmetic import abs

        return abs(self)


class ScalarConstant(Constant, ScalarVariable):
    """A scalar constant."""

    __slots__ = ()


ScalarType.variable_type = ScalarVariable
ScalarType.constant_type = ScalarConstant


def as_scalar(x: Any, dtype: str | None = None) -> Variable:
    """`x` as a scalar variable: scalar variables pass through, numbers become constants."""
    if isinstance(x, Variable):
        if not isinstance(x.type, ScalarType):
            raise TypeError(f"expected a scalar variable, got {x} of type {x.type}")
        return x
    value = np.asarray(x) if dtype is None else np.asarray(x, dtype=dtype)
    return ScalarType(value.dtype).make_constant(value)


def as_scalar_inputs(inputs: Sequence[Any]) -> list[Variable]:
    """Operands of a scalar op as scalar variables; Python numbers are weak (NEP 50).

    As for arrays, `i0 * 2` keeps a float32 `i0` float32: a Python number takes the dtype
    it combines into (OverflowError if it does not fit, as in NumPy).
    """
    weak = [
        isinstance(x, bool | int | float | complex) and not isinstance(x, np.generic)
        for x in inputs
    ]
    if not any(weak) or all(weak):
        return [as_scalar(x) for x in inputs]
    strong = [as_scalar(x) for x, w in zip(inputs, weak, strict=True) if not w]
    numbers = [x for x, w in zip(inputs, weak, strict=True) if w]
    target = np.result_type(*[v.type.dtype for v in strong], *numbers).name  # type: ignore[attr-defined]
    it = iter(strong)
    return [as_scalar(x, target) if w else next(it) for x, w in zip(inputs, weak, strict=True)]


@functools.lru_cache(maxsize=4096)
def ufunc_out_dtypes(ufunc: Callable[..., Any], dtypes: tuple[str, ...]) -> tuple[str, ...]:
    """The dtypes `ufunc` returns for arrays of `dtypes` (TypeError where it has no loop).

    NumPy's (or SciPy's) own type resolution, found by calling it on empty arrays.
    """
    outs = ufunc(*[np.empty((0,), dtype=d) for d in dtypes])
    outs = outs if isinstance(outs, tuple) else (outs,)
    return tuple(o.dtype.name for o in outs)


class ScalarOp(Op):
    """An operation on scalars. Subclasses set `name`, `nin` (-1: variadic) and `nout`."""

    name: ClassVar[str] = ""
    nin: ClassVar[int] = 1
    nout: ClassVar[int] = 1
    # Shown infix in Composite names, e.g. "+" gives "(i0 + i1)".
    infix: ClassVar[str | None] = None
    commutative: ClassVar[bool] = False

    def output_dtypes(self, *dtypes: str) -> tuple[str, ...]:
        """The output dtypes for inputs of these dtypes (raise TypeError if unsupported)."""
        raise NotImplementedError

    def impl(self, *inputs: Any) -> Any:
        """Compute on NumPy arrays or scalars that broadcast together."""
        raise NotImplementedError

    def check_nin(self, n: int) -> None:
        """Raise a clear error when `n` inputs is the wrong count for this op."""
        if self.nin == -1:
            if n < 1:
                raise TypeError(f"{self.name} needs at least one input")
        elif n != self.nin:
            raise TypeError(f"{self.name} takes {self.nin} inputs, got {n}")

    def make_node(self, *inputs: Any) -> Apply:
        self.check_nin(len(inputs))
        ins = as_scalar_inputs(inputs)
        dtypes = self.output_dtypes(*[i.type.dtype for i in ins])  # type: ignore[attr-defined]
        return Apply(self, ins, [ScalarType(d)() for d in dtypes])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        outs = self.impl(*inputs)
        if self.nout == 1:
            outs = (outs,)
        return [
            np.asarray(o).astype(out.type.dtype)[()]  # type: ignore[attr-defined]
            for o, out in zip(outs, node.outputs, strict=True)
        ]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [() for _ in node.outputs]

    def c_name(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name


class UfuncOp(ScalarOp):
    """A scalar op computed by a NumPy ufunc, with NumPy's dtype rules.

    `ufunc` may also be a SciPy ufunc or a function that acts like a ufunc on whole
    arrays (`np.angle`, a stable formula written with ufuncs): its output dtypes are
    those it returns for empty arrays of the input dtypes, and a TypeError it raises
    there means the op is not defined for those dtypes.
    """

    ufunc: ClassVar[Callable[..., Any]]
    # When set, the output dtypes without calling `ufunc` (calling a SciPy ufunc once
    # imports scipy.special, slow enough to dominate building a graph). It must give
    # what `ufunc` gives for empty arrays, TypeError included (tested against SciPy).
    dtype_rule: ClassVar[Callable[..., tuple[str, ...]] | None] = None

    def _out_dtypes(self, dtypes: tuple[str, ...]) -> tuple[str, ...]:
        """`dtype_rule(*dtypes)` where the op has one, else the ufunc's own resolution."""
        rule = type(self).dtype_rule
        if rule is not None:
            return rule(*dtypes)
        return ufunc_out_dtypes(self.ufunc, dtypes)

    def output_dtypes(self, *dtypes: str) -> tuple[str, ...]:
        self.check_nin(len(dtypes))
        try:
            if self.nin == -1 and len(dtypes) > 2:
                # Variadic: fold pairwise, as evaluating it left to right would.
                acc = dtypes[0]
                for d in dtypes[1:]:
                    (acc,) = self._out_dtypes((acc, d))
                return (acc,)
            if self.nin == -1 and len(dtypes) == 1:
                return (dtypes[0],)
            return self._out_dtypes(tuple(dtypes))
        except TypeError:
            raise TypeError(
                f"{self.name} is not defined for {', '.join(dtypes)}{self._takes()}"
            ) from None

    def _takes(self) -> str:
        """What the op accepts, for errors: ": it takes integer or float inputs"."""
        kinds = {"bool": "bool", "int64": "integer", "float64": "float", "complex128": "complex"}
        accepted = []
        for dtype, kind in kinds.items():
            try:
                self._out_dtypes((dtype,) * (2 if self.nin == -1 else self.nin))
                accepted.append(kind)
            except TypeError:
                pass
        if not accepted:
            return ""
        listed = (
            ", ".join(accepted[:-1]) + " or " + accepted[-1] if len(accepted) > 1 else accepted[0]
        )
        return f": it takes {listed} inputs"

    def impl(self, *inputs: Any) -> Any:
        if self.nin == -1:
            return functools.reduce(self.ufunc, inputs)
        return self.ufunc(*inputs)


def make_ufunc_op(
    cls_name: str,
    name: str,
    ufunc: Callable[..., Any],
    nin: int,
    infix: str | None = None,
    commutative: bool = False,
    module: str = __name__,
    doc: str | None = None,
    dtype_rule: Callable[..., tuple[str, ...]] | None = None,
) -> type[UfuncOp]:
    """A `UfuncOp` subclass called `cls_name` (defined in `module`), computed by `ufunc`.

    `dtype_rule(*dtypes)` gives its output dtypes without calling `ufunc` (see `UfuncOp`).
    """
    attrs: dict[str, Any] = {
        "name": name,
        "ufunc": staticmethod(ufunc),
        "nin": nin,
        "infix": infix,
        "commutative": commutative,
        "__doc__": doc or f"Scalar `{name}`, computed by numpy.{ufunc.__name__}.",
        "__module__": module,
    }
    if dtype_rule is not None:
        attrs["dtype_rule"] = staticmethod(dtype_rule)
    return type(cls_name, (UfuncOp,), attrs)


# Arithmetic. add and mul are variadic (n-ary), which keeps sums and products flat.
Add = make_ufunc_op("Add", "add", np.add, -1, "+", commutative=True)
Mul = make_ufunc_op("Mul", "mul", np.multiply, -1, "*", commutative=True)
Sub = make_ufunc_op("Sub", "sub", np.subtract, 2, "-")
TrueDiv = make_ufunc_op("TrueDiv", "true_div", np.true_divide, 2, "/")
FloorDiv = make_ufunc_op("FloorDiv", "floor_div", np.floor_divide, 2, "//")
Pow = make_ufunc_op("Pow", "pow", np.power, 2, "**")
Neg = make_ufunc_op("Neg", "neg", np.negative, 1)
Maximum = make_ufunc_op("Maximum", "maximum", np.maximum, 2, commutative=True)
Minimum = make_ufunc_op("Minimum", "minimum", np.minimum, 2, commutative=True)
# Transcendental.
Exp = make_ufunc_op("Exp", "exp", np.exp, 1)
Log = make_ufunc_op("Log", "log", np.log, 1)
Log1p = make_ufunc_op("Log1p", "log1p", np.log1p, 1)
Sin = make_ufunc_op("Sin", "sin", np.sin, 1)
Cos = make_ufunc_op("Cos", "cos", np.cos, 1)
# Comparisons (output bool).
EQ = make_ufunc_op("EQ", "eq", np.equal, 2, "==", commutative=True)
NEQ = make_ufunc_op("NEQ", "neq", np.not_equal, 2, "!=", commutative=True)
LT = make_ufunc_op("LT", "lt", np.less, 2, "<")
LE = make_ufunc_op("LE", "le", np.less_equal, 2, "<=")
GT = make_ufunc_op("GT", "gt", np.greater, 2, ">")
GE = make_ufunc_op("GE", "ge", np.greater_equal, 2, ">=")


class Switch(ScalarOp):
    """`switch(cond, a, b)`: a where cond is true, else b (numpy.where)."""

    name = "switch"
    nin = 3

    def output_dtypes(self, *dtypes: str) -> tuple[str, ...]:
        self.check_nin(len(dtypes))
        return (np.result_type(dtypes[1], dtypes[2]).name,)

    def impl(self, *inputs: Any) -> Any:
        cond, a, b = inputs
        return np.where(cond, a, b)


@dataclass(frozen=True)
class Cast(ScalarOp):
    """Convert to `dtype` (numpy's astype, unsafe casting)."""

    dtype: str
    nin = 1

    def __init__(self, dtype: Any) -> None:
        object.__setattr__(self, "dtype", as_dtype(dtype))

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"cast{{{self.dtype}}}"

    def output_dtypes(self, *dtypes: str) -> tuple[str, ...]:
        self.check_nin(len(dtypes))
        return (self.dtype,)

    def impl(self, *inputs: Any) -> Any:
        return np.asarray(inputs[0]).astype(self.dtype)


add, mul, sub, true_div, floor_div, pow = Add(), Mul(), Sub(), TrueDiv(), FloorDiv(), Pow()
neg, maximum, minimum = Neg(), Maximum(), Minimum()
exp, log, log1p, sin, cos = Exp(), Log(), Log1p(), Sin(), Cos()
eq, neq, lt, le, gt, ge = EQ(), NEQ(), LT(), LE(), GT(), GE()
switch = Switch()
int_div = floor_div

SCALAR_OPS: tuple[ScalarOp, ...] = (
    add,
    mul,
    sub,
    true_div,
    floor_div,
    pow,
    neg,
    maximum,
    minimum,
    exp,
    log,
    log1p,
    sin,
    cos,
    eq,
    neq,
    lt,
    le,
    gt,
    ge,
    switch,
)

__all__ = [
    "Cast",
    "ScalarConstant",
    "ScalarOp",
    "ScalarType",
    "ScalarVariable",
    "UfuncOp",
    "add",
    "as_scalar",
    "as_scalar_inputs",
    "cos",
    "eq",
    "exp",
    "floor_div",
    "ge",
    "gt",
    "int_div",
    "le",
    "log",
    "log1p",
    "lt",
    "make_ufunc_op",
    "maximum",
    "minimum",
    "mul",
    "neg",
    "neq",
    "pow",
    "sin",
    "sub",
    "switch",
    "true_div",
    "ufunc_out_dtypes",
]
