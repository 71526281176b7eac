"""Catalog cases: dot, matmul, Blockwise, tensor products and linear algebra."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.catalog import (
    Built,
    Shapes,
    case,
    draw,
    list_ops,
    register_case,
    uniform,
)


# -- Blockwise, Dot, matmul, dot -----------------------------------------------------------------
@case("dot.core", lambda a, b: [a @ b])
def _dot_core(rng: np.random.Generator) -> Built:
    a, b = tt.matrix("a"), tt.matrix("b")
    return [a, b], [tt.Dot()(a, b)], [uniform(rng, (2, 3), -1, 1), uniform(rng, (3, 4), -1, 1)]


def _product_case(
    name: str,
    fn: Callable[[Any, Any], Any],
    ref: Callable[[Any, Any], Any],
    shapes: Shapes,
    dtypes: tuple[str, str] = ("float64", "float64"),
    static: bool = False,
) -> None:
    def build(rng: np.random.Generator) -> Built:
        a, b = (
            tt.tensor(n, shape=s if static else (None,) * len(s), dtype=d)
            for n, s, d in zip("ab", shapes, dtypes, strict=True)
        )
        values = [draw(rng, s, d, -3, 3, ties=False) for s, d in zip(shapes, dtypes, strict=True)]
        return [a, b], [fn(a, b)], values

    register_case(name, build, lambda a, b: [ref(a, b)])


def _blockwise_dot(a: Any, b: Any) -> Any:
    return Blockwise(tt.Dot(), "(m,k),(k,n)->(m,n)")(a, b)


_PRODUCTS: list[tuple[str, Callable[[Any, Any], Any], Callable[[Any, Any], Any], Shapes]] = [
    ("blockwise.dot", _blockwise_dot, np.matmul, ((2, 3), (3, 4))),
    ("blockwise.dot_batch", _blockwise_dot, np.matmul, ((5, 2, 3), (5, 3, 4))),
    ("blockwise.dot_broadcast_batch", _blockwise_dot, np.matmul, ((2, 1, 2, 3), (4, 3, 2))),
    ("blockwise.dot_unbatched_operand", _blockwise_dot, np.matmul, ((3, 2, 3), (3, 4))),
    ("blockwise.dot_empty_batch", _blockwise_dot, np.matmul, ((0, 2, 3), (1, 3, 4))),
    ("matmul.vector_vector", tt.matmul, np.matmul, ((4,), (4,))),
    ("matmul.matrix_vector", tt.matmul, np.matmul, ((3, 4), (4,))),
    ("matmul.vector_matrix", tt.matmul, np.matmul, ((4,), (4, 2))),
    ("matmul.matrix_matrix", tt.matmul, np.matmul, ((3, 4), (4, 2))),
    ("matmul.stack_stack", tt.matmul, np.matmul, ((2, 3, 4), (2, 4, 5))),
    ("matmul.stack_matrix", tt.matmul, np.matmul, ((2, 3, 4), (4, 5))),
    ("matmul.stack_vector", tt.matmul, np.matmul, ((2, 3, 4), (4,))),
    ("matmul.vector_stack", tt.matmul, np.matmul, ((4,), (2, 4, 5))),
    ("matmul.broadcast_stacks", tt.matmul, np.matmul, ((3, 1, 2, 4), (2, 4, 1))),
    ("matmul.operator", lambda a, b: a @ b, lambda a, b: a @ b, ((2, 3), (3,))),
    ("dot.vector_vector", tt.dot, np.dot, ((4,), (4,))),
    ("dot.matrix_matrix", tt.dot, np.dot, ((3, 4), (4, 2))),
    ("dot.tensor3_matrix", tt.dot, np.dot, ((2, 3, 4), (4, 5))),
    ("dot.matrix_tensor3", tt.dot, np.dot, ((3, 4), (2, 4, 5))),
    ("dot.vector_tensor3", tt.dot, np.dot, ((4,), (2, 4, 5))),
    ("dot.tensor3_tensor3", tt.dot, np.dot, ((2, 3, 4), (5, 4, 2))),
    ("dot.tensor3_vector", tt.dot, np.dot, ((2, 3, 4), (4,))),
    ("dot.scalar", tt.dot, np.dot, ((), (2, 3))),
]
for _name, _fn, _ref, _shapes in _PRODUCTS:
    _product_case(_name, _fn, _ref, _shapes)
_product_case(
    "blockwise.dot_static", _blockwise_dot, np.matmul, ((2, 1, 2, 3), (4, 3, 2)), static=True
)
_product_case("matmul.int", tt.matmul, np.matmul, ((3, 4), (4, 2)), ("int32", "int64"))
_product_case("matmul.mixed_float", tt.matmul, np.matmul, ((3, 4), (4,)), ("float32", "float64"))


list_ops("linalg", "dot matmul")
