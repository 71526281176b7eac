"""Catalog cases: reductions, cumulative ops and softmax."""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.tensor.catalog import (
    Built,
    case,
    draw,
    list_ops,
    register_case,
)

# -- Sum -----------------------------------------------------------------------------------------
_SUMS: list[tuple[str, dict[str, Any], str, tuple[int, ...]]] = [
    ("all", {}, "float64", (2, 3, 4)),
    ("axis_int", {"axis": 1}, "float64", (2, 3, 4)),
    ("axis_negative", {"axis": -1}, "float64", (2, 3, 4)),
    ("axis_tuple", {"axis": (0, 2)}, "float64", (2, 3, 4)),
    ("keepdims", {"axis": (0, 2), "keepdims": True}, "float64", (2, 3, 4)),
    ("keepdims_all", {"keepdims": True}, "float64", (2, 3, 4)),
    ("dtype", {"axis": 0, "dtype": "float32"}, "float64", (2, 3, 4)),
    ("int8", {"axis": 1}, "int8", (2, 3, 4)),
    ("uint8", {}, "uint8", (2, 3, 4)),
    ("bool", {"axis": 0}, "bool", (2, 3, 4)),
    ("float32", {"axis": 2}, "float32", (2, 3, 4)),
    ("empty_axis", {"axis": 1}, "float64", (2, 0, 4)),
]


def _sum_case(suffix: str, kwargs: dict[str, Any], dtype: str, shape: tuple[int, ...]) -> None:
    def build(rng: np.random.Generator) -> Built:
        x = tt.tensor3("x", dtype=dtype)
        return [x], [x.sum(**kwargs)], [draw(rng, shape, dtype, -3, 3, ties=False)]

    register_case(f"sum.{suffix}", build, lambda x: [np.sum(x, **kwargs)])


for _suffix, _kwargs, _dtype, _sum_shape in _SUMS:
    _sum_case(_suffix, _kwargs, _dtype, _sum_shape)


@case("sum.scalar", lambda x: [np.sum(x)])
def _sum_scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x")
    return [x], [tt.sum(x)], [np.asarray(2.5)]


list_ops("reduction", "sum")
