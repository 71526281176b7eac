"""Scalar types and ops: the element-level operations mapped by `Elemwise`.

Each op is a module-level instance named like the public function that applies it
(`ts.log1p`, `ts.softplus`, `ts.abs`), its class in CamelCase (`Log1p`, `Softplus`).
`ALL_SCALAR_OPS` lists each of them once (aliases such as `ts.psi` are the same objects).
"""

# ruff: noqa: F403
import tensorgraft.tensor.scalar_ops.arithmetic as _arithmetic
import tensorgraft.tensor.scalar_ops.special as _special
import tensorgraft.tensor.scalar_ops.transcendental as _transcendental
from tensorgraft.tensor.scalar_ops import basic as _basic
from tensorgraft.tensor.scalar_ops.arithmetic import *
from tensorgraft.tensor.scalar_ops.basic import *
from tensorgraft.tensor.scalar_ops.composite import Composite as Composite
from tensorgraft.tensor.scalar_ops.special import *
from tensorgraft.tensor.scalar_ops.transcendental import *

ALL_SCALAR_OPS: tuple[_basic.ScalarOp, ...] = (
    *_basic.SCALAR_OPS,
    *_arithmetic.SCALAR_OPS,
    *_transcendental.SCALAR_OPS,
    *_special.SCALAR_OPS,
)

__all__ = sorted(
    {
        "ALL_SCALAR_OPS",
        "Composite",
        *_basic.__all__,
        *_arithmetic.__all__,
        *_transcendental.__all__,
        *_special.__all__,
    }
)
