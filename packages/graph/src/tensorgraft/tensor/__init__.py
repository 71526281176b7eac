"""Arrays: the NumPy-like API users write graphs with (`import tensorgraft.tensor as tt`).

x = tt.vector("x", shape=(3,))
y = tt.log(1 + x)
y.dprint()
"""

from tensorgraft.tensor.basic import (
    as_tensor,
    as_tensor_variable,
    constant,
    matrix,
    scalar,
    tensor,
    tensor3,
    vector,
)
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise, dimshuffle
from tensorgraft.tensor.math import (
    add,
    cast,
    cos,
    divide,
    dot,
    eq,
    exp,
    floor_div,
    ge,
    gt,
    le,
    log,
    log1p,
    lt,
    matmul,
    maximum,
    minimum,
    mul,
    multiply,
    neg,
    negative,
    neq,
    pow,
    power,
    sin,
    sub,
    subtract,
    switch,
    true_div,
    where,
)
from tensorgraft.tensor.matmul import Dot
from tensorgraft.tensor.reduction import Sum, sum
from tensorgraft.tensor.scalar_ops import Composite
from tensorgraft.tensor.shape import Shape, ShapeI, expand_dims, shape, squeeze, transpose
from tensorgraft.tensor.subtensor import Subtensor
from tensorgraft.tensor.type import TensorType, floatX
from tensorgraft.tensor.variable import TensorConstant, TensorVariable

__all__ = [
    "Blockwise",
    "Composite",
    "DimShuffle",
    "Dot",
    "Elemwise",
    "Shape",
    "ShapeI",
    "Subtensor",
    "Sum",
    "TensorConstant",
    "TensorType",
    "TensorVariable",
    "add",
    "as_tensor",
    "as_tensor_variable",
    "cast",
    "constant",
    "cos",
    "dimshuffle",
    "divide",
    "dot",
    "eq",
    "exp",
    "expand_dims",
    "floatX",
    "floor_div",
    "ge",
    "gt",
    "le",
    "log",
    "log1p",
    "lt",
    "matmul",
    "matrix",
    "maximum",
    "minimum",
    "mul",
    "multiply",
    "neg",
    "negative",
    "neq",
    "pow",
    "power",
    "scalar",
    "shape",
    "sin",
    "squeeze",
    "sub",
    "subtract",
    "sum",
    "switch",
    "tensor",
    "tensor3",
    "transpose",
    "true_div",
    "vector",
    "where",
]
