"""Tensor products: tensordot, outer, vdot, kron and einsum, as graphs of existing ops.

Nothing here is a new op: a contraction transposes its operands (DimShuffle), merges the
kept and the summed axes (reshape), multiplies them with the batched matrix product
(`Blockwise(Dot)`) and splits the axes again, as numpy.tensordot does. So every stage
that handles those ops handles these products too.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.elemwise import DimShuffle, broadcast_dim
from tensorgraft.tensor.matmul import matmul
from tensorgraft.tensor.shape import reshape, shape_entry_variable, shape_tuple
from tensorgraft.tensor.variable import TensorVariable

Label = str


def _prod(entries: Sequence[Any]) -> Any:
    """The product of shape entries: an int if all are ints, else an int64 scalar."""
    total: Any = 1
    for e in entries:
        if isinstance(total, int) and isinstance(e, int):
            total *= e
        else:
            total = shape_entry_variable(total) * shape_entry_variable(e)
    return total


def _reshaped(x: TensorVariable, shape: Sequence[Any]) -> TensorVariable:
    if len(shape) == x.ndim and all(
        isinstance(s, int) and s == t for s, t in zip(shape, x.type.shape, strict=True)
    ):
        return x
    return reshape(x, tuple(shape))


def _permute(x: TensorVariable, order: Sequence[int]) -> TensorVariable:
    """`x` with its axes in `order` (no node when that is their order already)."""
    if list(order) == list(range(x.ndim)):
        return x
    return DimShuffle(x.ndim, tuple(order))(x)


def _check_lengths(name: str, a: TensorVariable, b: TensorVariable, pairs: Sequence[Any]) -> None:
    for ax, bx in pairs:
        la, lb = a.type.shape[ax], b.type.shape[bx]
        if la is not None and lb is not None and la != lb:
            raise ValueError(
                f"{name}: axis {ax} of {describe(a)} (shape {a.type.shape}) and axis {bx} of "
                f"{describe(b)} (shape {b.type.shape}) differ in length ({la} != {lb})"
            )


def _contract(
    a: TensorVariable,
    la: Sequence[Label],
    b: TensorVariable,
    lb: Sequence[Label],
    keep: set[Label],
) -> tuple[TensorVariable, list[Label]]:
    """Multiply `a` and `b` (one label per axis) and sum the shared labels not in `keep`.

    Labels that only one operand has must be kept (sum them out first). Shared kept labels
    are batch axes (they broadcast); the result's labels are batch, a's own, b's own.
    """
    batch = [x for x in la if x in lb and x in keep]
    summed = [x for x in la if x in lb and x not in keep]
    left = [x for x in la if x not in lb]
    right = [x for x in lb if x not in la]
    _check_lengths("contraction", a, b, [(la.index(x), lb.index(x)) for x in summed])
    a_t = _permute(a, [la.index(x) for x in (*batch, *left, *summed)])
    b_t = _permute(b, [lb.index(x) for x in (*batch, *summed, *right)])
    sa, sb = shape_tuple(a_t), shape_tuple(b_t)
    nb, nl, ns = len(batch), len(left), len(summed)
    left_shape, summed_shape, right_shape = sa[nb : nb + nl], sa[nb + nl :], sb[nb + ns :]
    # One axis per group needs no reshape (and keeps Dot's own shape checks).
    single = nl == ns == len(right) == 1
    a_m = a_t if single else _reshaped(a_t, (*sa[:nb], _prod(left_shape), _prod(summed_shape)))
    b_m = b_t if single else _reshaped(b_t, (*sb[:nb], _prod(summed_shape), _prod(right_shape)))
    out = matmul(a_m, b_m)
    if not single:
        batch_shape = [broadcast_dim([x, y]) for x, y in zip(sa[:nb], sb[:nb], strict=True)]
        out = _reshaped(out, (*batch_shape, *left_shape, *right_shape))
    return out, [*batch, *left, *right]


def tensordot(a: Any, b: Any, axes: int | Sequence[Any] = 2) -> TensorVariable:
    """Sum of products over the given axes, like numpy.tensordot.

    `axes` is N (the last N axes of `a` with the first N of `b`) or a pair of sequences of
    axes (`a`'s, `b`'s). The result has `a`'s remaining axes, then `b`'s.
    """
    a, b = as_tensor(a), as_tensor(b)
    if isinstance(axes, int | np.integer):
        n = operator.index(axes)
        if not 0 <= n <= min(a.ndim, b.ndim):
            raise ValueError(
                f"tensordot: cannot sum over {n} axes of {describe(a)} and {describe(b)}"
            )
        axes_a, axes_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        first, second = axes
        axes_a = [first] if isinstance(first, int) else list(first)
        axes_b = [second] if isinstance(second, int) else list(second)
        if len(axes_a) != len(axes_b):
            raise ValueError(f"tensordot: axes {axes} pair {len(axes_a)} and {len(axes_b)} axes")
    for t, ax in ((a, axes_a), (b, axes_b)):
        if any(not -t.ndim <= x < t.ndim for x in ax) or len({x % t.ndim for x in ax}) < len(ax):
            raise ValueError(f"tensordot: axes {ax} are not distinct axes of {describe(t)}")
    axes_a, axes_b = [x % a.ndim for x in axes_a], [x % b.ndim for x in axes_b]
    # Label a's axes a0, a1, ...; b's summed axes take the label of their partner in a.
    la = [f"a{k}" for k in range(a.ndim)]
    lb = [f"b{k}" for k in range(b.ndim)]
    for x, y in zip(axes_a, axes_b, strict=True):
        lb[y] = la[x]
    keep = {x for x in (*la, *lb) if not (x in la and x in lb)}
    out, _ = _contract(a, la, b, lb, keep)
    return out


def _flat(x: TensorVariable) -> TensorVariable:
    return x if x.ndim == 1 else reshape(x, (_prod(shape_tuple(x)),))


def outer(a: Any, b: Any) -> TensorVariable:
    """The outer product of two arrays, flattened first (numpy.outer): out[i, j] = a[i] b[j]."""
    from tensorgraft.tensor.math import mul

    a, b = _flat(as_tensor(a)), _flat(as_tensor(b))
    return mul(DimShuffle(1, (0, "x"))(a), DimShuffle(1, ("x", 0))(b))


def vdot(a: Any, b: Any) -> TensorVariable:
    """The dot product of two arrays flattened, conjugating `a` first (numpy.vdot)."""
    a, b = _flat(as_tensor(a)), _flat(as_tensor(b))
    if a.type.numpy_dtype.kind == "c":
        import tensorgraft.tensor as tt

        a = tt.conj(a)
    _check_lengths("vdot", a, b, [(0, 0)])
    return matmul(a, b)


def kron(a: Any, b: Any) -> TensorVariable:
    """The Kronecker product (numpy.kron): blocks a[i, j] * b, axes of the lower-rank
    operand padded with leading ones."""
    from tensorgraft.tensor.math import mul

    a, b = as_tensor(a), as_tensor(b)
    nd = max(a.ndim, b.ndim)
    # Axis k of the padded a goes to position 2k, of the padded b to 2k + 1: the product
    # has axis pairs (a_k, b_k) that merge into one axis of length a_k * b_k.
    pa, pb = nd - a.ndim, nd - b.ndim
    a_order = tuple(x for k in range(nd) for x in (k - pa if k >= pa else "x", "x"))
    b_order = tuple(x for k in range(nd) for x in ("x", k - pb if k >= pb else "x"))
    a_e, b_e = DimShuffle(a.ndim, a_order)(a), DimShuffle(b.ndim, b_order)(b)
    product = mul(a_e, b_e)
    sa, sb = (1,) * (nd - a.ndim) + shape_tuple(a), (1,) * (nd - b.ndim) + shape_tuple(b)
    return _reshaped(product, tuple(_prod([x, y]) for x, y in zip(sa, sb, strict=True)))


# -- einsum ---------------------------------------------------------------------------------
def _parse_einsum(subscripts: str, ndims: Sequence[int]) -> tuple[list[list[Label]], list[Label]]:
    """The labels of each operand's axes and of the output; '...' axes get labels '.k'."""
    spec = subscripts.replace(" ", "")
    ins, arrow, out = spec.partition("->")
    terms = ins.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"einsum: {subscripts!r} names {len(terms)} operands, got {len(ndims)}")
    n_ellipsis = 0
    for term, nd in zip(terms, ndims, strict=True):
        n_named = len(term.replace("...", ""))
        if "..." in term:
            n_ellipsis = max(n_ellipsis, nd - n_named)
        elif n_named != nd:
            raise ValueError(f"einsum: term {term!r} has {n_named} labels for {nd} dimensions")
    ell = [f".{k}" for k in range(n_ellipsis)]

    def labels(term: str, nd: int) -> list[Label]:
        if term.count("...") > 1 or not all(c.isalpha() for c in term.replace("...", "")):
            raise ValueError(f"einsum: bad term {term!r} in {subscripts!r}")
        head, dots, tail = term.partition("...")
        if not dots:
            return list(head)
        n = nd - len(head) - len(tail)
        if n < 0:
            raise ValueError(f"einsum: term {term!r} has more labels than {nd} dimensions")
        return [*head, *ell[n_ellipsis - n :], *tail]

    in_labels = [labels(t, nd) for t, nd in zip(terms, ndims, strict=True)]
    named = [x for ls in in_labels for x in ls if not x.startswith(".")]
    if arrow:
        if ell and "..." not in out:
            raise ValueError(f"einsum: {subscripts!r} has '...' in its inputs, not its output")
        head, dots, tail = out.partition("...")
        out_labels = [*head, *(ell if dots else []), *tail]
        unknown = [x for x in out_labels if not x.startswith(".") and x not in named]
        if unknown or len(set(out_labels)) != len(out_labels):
            raise ValueError(f"einsum: bad output {out!r} for inputs {ins!r}")
    else:
        out_labels = [*ell, *sorted(x for x in set(named) if named.count(x) == 1)]
    return in_labels, out_labels


def _diagonals(x: TensorVariable, labels: list[Label]) -> tuple[TensorVariable, list[Label]]:
    """Take the diagonal over each label repeated within one operand ('ii->i')."""
    import tensorgraft.tensor as tt

    while len(set(labels)) != len(labels):
        label = next(y for y in labels if labels.count(y) > 1)
        first = labels.index(label)
        second = labels.index(label, first + 1)
        x = tt.diagonal(x, axis1=first, axis2=second)  # the diagonal becomes the last axis
        labels = [y for k, y in enumerate(labels) if k not in (first, second)] + [label]
    return x, labels


def _sum_out(
    x: TensorVariable, labels: list[Label], keep: set[Label]
) -> tuple[TensorVariable, list[Label]]:
    from tensorgraft.tensor.reduction import sum as tsum

    axes = tuple(k for k, label in enumerate(labels) if label not in keep)
    if not axes:
        return x, labels
    return tsum(x, axis=axes, dtype=x.dtype), [y for y in labels if y in keep]


def _sum_against_ones(
    x: TensorVariable, labels: list[Label], other: TensorVariable, other_labels: list[Label]
) -> TensorVariable:
    """Sum `x` (keeping the axes) over the shared labels of static length 1 in `other`.

    A length-1 axis broadcasts in NumPy's einsum, even a summed one:
    sum_j a[i, 0] b[j, k] = a[i, 0] * sum_j b[j, k].
    """
    from tensorgraft.tensor.reduction import sum as tsum

    axes = tuple(
        k
        for k, label in enumerate(labels)
        if label in other_labels
        and x.type.shape[k] != 1
        and other.type.shape[other_labels.index(label)] == 1
    )
    return tsum(x, axis=axes, keepdims=True, dtype=x.dtype) if axes else x


Item = tuple[TensorVariable, list[Label]]
# The length assumed for an axis of unknown length when choosing a contraction order.
_UNKNOWN_LENGTH = 16


def _pair(first: Item, second: Item, keep: set[Label]) -> Item:
    """Contract two operands: multiply them and sum the labels not in `keep`."""
    a, la = _sum_out(*first, keep | set(second[1]))
    b, lb = _sum_out(*second, keep | set(la))
    summed = {y for y in lb if y in la and y not in keep}
    a, b = (
        _sum_against_ones(a, la, b, [y if y in summed else "" for y in lb]),
        _sum_against_ones(b, lb, a, [y if y in summed else "" for y in la]),
    )
    return _contract(a, la, b, lb, keep)


def _greedy_pair(items: Sequence[Item], needed: Callable[[list[Item]], set[Label]]) -> list[int]:
    """The two operands whose product is smallest (by static lengths), as numpy's 'greedy'."""
    lengths: dict[Label, int] = {}
    for x, labels in items:
        for label, n in zip(labels, x.type.shape, strict=True):
            lengths[label] = max(lengths.get(label, 1), _UNKNOWN_LENGTH if n is None else n)
    best: tuple[int, list[int]] | None = None
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            keep = needed([it for k, it in enumerate(items) if k not in (i, j)])
            kept = {y for y in (*items[i][1], *items[j][1]) if y in keep}
            size = math.prod(lengths[y] for y in kept)
            if best is None or size < best[0]:
                best = (size, [i, j])
    assert best is not None
    return best[1]


def _path(optimize: Any, n: int) -> list[list[int]] | None:
    """An explicit contraction path (numpy.einsum_path's ['einsum_path', (0, 1), ...]),
    None for the greedy order; False gives left to right."""
    if isinstance(optimize, list | tuple) and optimize and optimize[0] == "einsum_path":
        return [list(step) for step in optimize[1:]]
    if optimize is False or optimize is None:
        return [[0, 1]] * (n - 1)
    if optimize is True or (isinstance(optimize, str) and optimize in ("greedy", "optimal")):
        return None
    raise ValueError(
        f"einsum: optimize must be a bool, 'greedy', 'optimal' or a path, got {optimize!r}"
    )


def einsum(subscripts: str, *operands: Any, optimize: Any = False) -> TensorVariable:
    """Einstein summation in NumPy's notation: `einsum("ij,jk->ik", a, b)`.

    Implicit output (labels used once, sorted), '...' for broadcast axes and repeated
    labels within one operand (diagonals) are supported. Operands are contracted a pair
    at a time, each pair through one batched matrix product; the dtype is NumPy's result
    type. The order: left to right (`optimize=False`), the pair with the smallest result
    first by static lengths (True, 'greedy', 'optimal'), or a path from
    numpy.einsum_path. Axes of length 1 broadcast, summed ones too where that length is
    static (where it is known only at run time, a summed label must have one length in
    every operand).
    """
    if not operands:
        raise ValueError("einsum needs at least one operand")
    tensors = [as_tensor(o) for o in operands]
    in_labels, out_labels = _parse_einsum(subscripts, [t.ndim for t in tensors])
    dtype = np.result_type(*[t.dtype for t in tensors]).name
    from tensorgraft.tensor.math import cast

    items = [_diagonals(cast(t, dtype), ls) for t, ls in zip(tensors, in_labels, strict=True)]

    def needed(rest: list[Item]) -> set[Label]:
        return set(out_labels).union(*(ls for _, ls in rest))

    path = _path(optimize, len(items))
    front = not optimize  # left to right: each result is the next left operand
    while len(items) > 1 or path:
        if path is None:
            step = _greedy_pair(items, needed)
        elif path:
            step = path.pop(0)
        else:
            raise ValueError(f"einsum: the contraction path leaves {len(items)} operands")
        if not step or len(set(step)) != len(step) or not all(0 <= k < len(items) for k in step):
            raise ValueError(f"einsum: bad contraction {tuple(step)} of {len(items)} operands")
        rest = [it for k, it in enumerate(items) if k not in step]
        keep = needed(rest)
        chosen = [items[k] for k in step]
        result = _sum_out(*chosen[0], keep.union(*(ls for _, ls in chosen[1:])))
        for k in range(1, len(chosen)):
            later = keep.union(*(ls for _, ls in chosen[k + 1 :]))
            result = _pair(result, chosen[k], later)
        items = [result, *rest] if front else [*rest, result]
    x, labels = _sum_out(*items[0], set(out_labels))
    return _permute(x, [labels.index(y) for y in out_labels])


__all__ = [
    "einsum",
    "kron",
    "outer",
    "tensordot",
    "vdot",
]
