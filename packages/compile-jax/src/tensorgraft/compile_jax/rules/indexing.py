"""Basic and advanced indexing, and set/inc-subtensor as functional `.at[]` updates.

Slice bounds decide the output shape, so they are static (known when tracing); integer
indices and index arrays may be traced. A boolean mask is static too: its number of
true entries is the output length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from tensorgraft.compile_jax.registry import jax_impl
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.indexing import AdvancedIncSubtensor, AdvancedSubtensor
from tensorgraft.tensor.indexing_key import MASK, NEWAXIS, SliceSpec, group_inputs, n_inputs
from tensorgraft.tensor.subtensor import IncSubtensor, Subtensor


def _static_positions(first: int) -> Any:
    def positions(op: Any, node: Apply) -> list[int]:
        out: list[int] = []
        k = first
        for entry in op.idx_list:
            n = n_inputs(entry)
            if isinstance(entry, SliceSpec) or entry == MASK:
                out.extend(range(k, k + n))
            k += n
        return out

    return positions


def jax_key(idx_list: Sequence[Any], values: Sequence[Any]) -> tuple[Any, ...]:
    """The key for `x[key]` / `x.at[key]`: slices of ints, traced or static indices."""
    key: list[Any] = []
    for entry, v in zip(idx_list, group_inputs(idx_list, values), strict=True):
        if isinstance(entry, SliceSpec):
            key.append(slice(*(None if p is None else int(p) for p in v)))
        elif entry == NEWAXIS:
            key.append(None)
        elif entry == MASK:
            key.append(np.asarray(v, dtype=bool))
        else:
            key.append(v)
    return tuple(key)


@jax_impl.register(Subtensor, AdvancedSubtensor, static=_static_positions(1))
def _subtensor(op: Any, node: Apply, x: Any, *values: Any) -> Any:
    return jnp.asarray(x)[jax_key(op.idx_list, values)]


@jax_impl.register(IncSubtensor, AdvancedIncSubtensor, static=_static_positions(2))
def _inc_subtensor(op: Any, node: Apply, x: Any, v: Any, *values: Any) -> Any:
    x = jnp.asarray(x)
    at = x.at[jax_key(op.idx_list, values)]
    if op.set_instead_of_inc:
        return at.set(v)
    if x.dtype == bool:  # NumPy adds booleans with `or`
        return at.max(jnp.asarray(v, bool))
    return at.add(v)
