"""Arrays: the NumPy-like API users write graphs with (`import tensorgraft.tensor as tt`).

x = tt.vector("x", shape=(3,))
y = tt.log(1 + x)
y.dprint()

Each module of the op catalog lists its public names in `__all__`; this namespace is
their union (`tt.linalg` holds the decompositions and solvers).
"""

# ruff: noqa: F403
import tensorgraft.tensor.basic as _basic
import tensorgraft.tensor.blockwise as _blockwise
import tensorgraft.tensor.construction as _construction
import tensorgraft.tensor.cumulative as _cumulative
import tensorgraft.tensor.elemwise as _elemwise
import tensorgraft.tensor.indexing as _indexing
import tensorgraft.tensor.math as _math
import tensorgraft.tensor.matmul as _matmul
import tensorgraft.tensor.products as _products
import tensorgraft.tensor.reduction as _reduction
import tensorgraft.tensor.shape as _shape
import tensorgraft.tensor.softmax as _softmax
import tensorgraft.tensor.sort as _sort
import tensorgraft.tensor.special as _special
import tensorgraft.tensor.subtensor as _subtensor
from tensorgraft.tensor import linalg as linalg
from tensorgraft.tensor.basic import *
from tensorgraft.tensor.blockwise import *
from tensorgraft.tensor.construction import *
from tensorgraft.tensor.cumulative import *
from tensorgraft.tensor.elemwise import *
from tensorgraft.tensor.indexing import *
from tensorgraft.tensor.math import *
from tensorgraft.tensor.matmul import *
from tensorgraft.tensor.products import *
from tensorgraft.tensor.reduction import *
from tensorgraft.tensor.scalar_ops import Composite as Composite
from tensorgraft.tensor.shape import *
from tensorgraft.tensor.softmax import *
from tensorgraft.tensor.sort import *
from tensorgraft.tensor.special import *
from tensorgraft.tensor.subtensor import *
from tensorgraft.tensor.type import TensorType as TensorType
from tensorgraft.tensor.type import floatX as floatX
from tensorgraft.tensor.variable import TensorConstant as TensorConstant
from tensorgraft.tensor.variable import TensorVariable as TensorVariable

__all__ = sorted(
    {
        "Composite",
        "TensorConstant",
        "TensorType",
        "TensorVariable",
        "floatX",
        "linalg",
        *_basic.__all__,
        *_blockwise.__all__,
        *_construction.__all__,
        *_cumulative.__all__,
        *_elemwise.__all__,
        *_indexing.__all__,
        *_math.__all__,
        *_matmul.__all__,
        *_products.__all__,
        *_reduction.__all__,
        *_shape.__all__,
        *_softmax.__all__,
        *_sort.__all__,
        *_special.__all__,
        *_subtensor.__all__,
    }
)
