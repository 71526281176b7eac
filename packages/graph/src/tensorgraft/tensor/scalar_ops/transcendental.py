"""Scalar exponentials, logarithms, trigonometric and hyperbolic functions (NumPy ufuncs).

`exp`, `log`, `log1p`, `sin` and `cos` live in `basic` with the other core ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorgraft.tensor.scalar_ops.basic import ScalarOp, UfuncOp, make_ufunc_op


def _op(cls_name: str, name: str, ufunc: Any, nin: int = 1) -> type[UfuncOp]:
    return make_ufunc_op(cls_name, name, ufunc, nin, module=__name__)


Exp2 = _op("Exp2", "exp2", np.exp2)
Expm1 = _op("Expm1", "expm1", np.expm1)
Log2 = _op("Log2", "log2", np.log2)
Log10 = _op("Log10", "log10", np.log10)
Tan = _op("Tan", "tan", np.tan)
ArcSin = _op("ArcSin", "arcsin", np.arcsin)
ArcCos = _op("ArcCos", "arccos", np.arccos)
ArcTan = _op("ArcTan", "arctan", np.arctan)
ArcTan2 = _op("ArcTan2", "arctan2", np.arctan2, 2)
Sinh = _op("Sinh", "sinh", np.sinh)
Cosh = _op("Cosh", "cosh", np.cosh)
Tanh = _op("Tanh", "tanh", np.tanh)
ArcSinh = _op("ArcSinh", "arcsinh", np.arcsinh)
ArcCosh = _op("ArcCosh", "arccosh", np.arccosh)
ArcTanh = _op("ArcTanh", "arctanh", np.arctanh)

exp2, expm1, log2, log10 = Exp2(), Expm1(), Log2(), Log10()
tan, arcsin, arccos, arctan, arctan2 = Tan(), ArcSin(), ArcCos(), ArcTan(), ArcTan2()
sinh, cosh, tanh = Sinh(), Cosh(), Tanh()
arcsinh, arccosh, arctanh = ArcSinh(), ArcCosh(), ArcTanh()

SCALAR_OPS: tuple[ScalarOp, ...] = (
    exp2,
    expm1,
    log2,
    log10,
    tan,
    arcsin,
    arccos,
    arctan,
    arctan2,
    sinh,
    cosh,
    tanh,
    arcsinh,
    arccosh,
    arctanh,
)

__all__ = [
    "ArcCos",
    "ArcCosh",
    "ArcSin",
    "ArcSinh",
    "ArcTan",
    "ArcTan2",
    "ArcTanh",
    "Cosh",
    "Exp2",
    "Expm1",
    "Log2",
    "Log10",
    "Sinh",
    "Tan",
    "Tanh",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "cosh",
    "exp2",
    "expm1",
    "log2",
    "log10",
    "sinh",
    "tan",
    "tanh",
]
