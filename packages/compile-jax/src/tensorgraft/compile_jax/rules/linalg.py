"""Matrix products, decompositions, inverses, solvers, and Blockwise (batched core ops)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from tensorgraft.compile_jax.registry import jax_impl, jsl
from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.linalg.decompositions import QR, SVD, Cholesky, Eigh
from tensorgraft.tensor.linalg.inverse import Det, MatrixInverse, Pinv, SlogDet
from tensorgraft.tensor.linalg.solvers import CholeskySolve, Lstsq, Solve, SolveTriangular
from tensorgraft.tensor.matmul import Dot


def _out_dtype(node: Apply, k: int = 0) -> Any:
    return node.outputs[k].type.dtype  # type: ignore[attr-defined]


def _transposed(var: Variable) -> Variable | None:
    """The matrix that `var` is the transpose of (`m.T`, a DimShuffle), or None."""
    owner = var.owner
    if owner is not None and isinstance(owner.op, DimShuffle) and owner.op.new_order == (1, 0):
        return owner.inputs[0]
    return None


def _dot_reads(node: Apply) -> list[Variable]:
    # A transposed operand is read untransposed: the product contracts its other axis
    # (as JAX's own gradients do), where XLA would copy the transpose first.
    return [v if (m := _transposed(v)) is None else m for v in node.inputs]


@jax_impl.register(Dot, reads=_dot_reads)
def _dot(op: Dot, node: Apply, a: Any, b: Any) -> Any:
    dtype = np.dtype(_out_dtype(node))
    ta, tb = (_transposed(v) is not None for v in node.inputs)
    if dtype.kind == "b":  # NumPy: or of ands
        a, b = (a.T if ta else a), (b.T if tb else b)
        return jnp.matmul(a.astype("int64"), b.astype("int64")) != 0
    contract = ((0 if ta else 1,), (1 if tb else 0,))
    return jax.lax.dot_general(jnp.asarray(a, dtype), jnp.asarray(b, dtype), (contract, ((), ())))


def _inexact(node: Apply, a: Any) -> Any:
    """`a` in a floating dtype: integers and bools in the output's dtype, as NumPy."""
    a = jnp.asarray(a)
    if jnp.issubdtype(a.dtype, jnp.inexact):
        return a
    return a.astype(_out_dtype(node))


@jax_impl.register(Cholesky)
def _cholesky(op: Cholesky, node: Apply, a: Any) -> Any:
    low = jnp.linalg.cholesky(_inexact(node, a), symmetrize_input=False)
    return low if op.lower else jnp.conj(jnp.swapaxes(low, -1, -2))


@jax_impl.register(Eigh)
def _eigh(op: Eigh, node: Apply, a: Any) -> Any:
    w, v = jnp.linalg.eigh(_inexact(node, a), UPLO="L" if op.lower else "U", symmetrize_input=False)
    return [w, v]


@jax_impl.register(QR)
def _qr(op: QR, node: Apply, a: Any) -> Any:
    out = jnp.linalg.qr(_inexact(node, a), mode=op.mode)
    return [out] if op.mode == "r" else list(out)


@jax_impl.register(SVD)
def _svd(op: SVD, node: Apply, a: Any) -> Any:
    a = _inexact(node, a)
    if not op.compute_uv:
        return [jnp.linalg.svd(a, compute_uv=False)]
    return list(jnp.linalg.svd(a, full_matrices=op.full_matrices))


@jax_impl.register(Det)
def _det(op: Det, node: Apply, a: Any) -> Any:
    return jnp.linalg.det(_inexact(node, a))


@jax_impl.register(SlogDet)
def _slogdet(op: SlogDet, node: Apply, a: Any) -> Any:
    sign, logabsdet = jnp.linalg.slogdet(_inexact(node, a))
    return [sign, logabsdet]


@jax_impl.register(MatrixInverse)
def _inv(op: MatrixInverse, node: Apply, a: Any) -> Any:
    return jnp.linalg.inv(_inexact(node, a))


@jax_impl.register(Pinv)
def _pinv(op: Pinv, node: Apply, a: Any) -> Any:
    rcond = 1e-15 if op.rcond is None else op.rcond
    return jnp.linalg.pinv(_inexact(node, a), rtol=rcond, hermitian=op.hermitian)


def _solver_inputs(node: Apply, a: Any, b: Any) -> tuple[Any, Any]:
    dtype = _out_dtype(node)
    return jnp.asarray(a, dtype), jnp.asarray(b, dtype)


# SciPy's names for `assume_a` -> the structure JAX's solve knows.
_ASSUME = {
    "gen": "gen",
    "general": "gen",
    "sym": "sym",
    "symmetric": "sym",
    "her": "her",
    "hermitian": "her",
    "pos": "pos",
    "positive definite": "pos",
}


def _from_triangle(a: Any, lower: bool, conj: bool) -> Any:
    """The symmetric (Hermitian) matrix that SciPy reads from one triangle of `a`."""
    tri = jnp.tril(a) if lower else jnp.triu(a)
    strict = jnp.tril(a, -1) if lower else jnp.triu(a, 1)
    other = jnp.swapaxes(strict, -1, -2)
    if conj:
        other = jnp.conj(other)
        tri = tri.real.astype(a.dtype) * jnp.eye(a.shape[-1], dtype=a.dtype) + (
            tri - jnp.diag(jnp.diagonal(tri))
        )
    return tri + other


@jax_impl.register(Solve)
def _solve(op: Solve, node: Apply, a: Any, b: Any) -> Any:
    a, b = _solver_inputs(node, a, b)
    assume = _ASSUME.get(op.assume_a)
    if assume is None:
        raise NotImplementedError(f"jax backend: solve with assume_a={op.assume_a!r}")
    if assume != "gen":  # SciPy reads one triangle only
        a = _from_triangle(a, op.lower, conj=assume in ("her", "pos"))
    return jsl.solve(a, b, assume_a="gen" if assume != "pos" else "pos", lower=op.lower)


@jax_impl.register(SolveTriangular)
def _solve_triangular(op: SolveTriangular, node: Apply, a: Any, b: Any) -> Any:
    a, b = _solver_inputs(node, a, b)
    return jsl.solve_triangular(
        a, b, trans=op.trans, lower=op.lower, unit_diagonal=op.unit_diagonal
    )


@jax_impl.register(CholeskySolve)
def _cho_solve(op: CholeskySolve, node: Apply, c: Any, b: Any) -> Any:
    c, b = _solver_inputs(node, c, b)
    return jsl.cho_solve((c, op.lower), b)


@jax_impl.register(Lstsq)
def _lstsq(op: Lstsq, node: Apply, a: Any, b: Any) -> Any:
    a, b = _solver_inputs(node, a, b)
    x, _, rank, s = jnp.linalg.lstsq(a, b, rcond=op.rcond)
    m, n = jnp.shape(a)
    # NumPy's residuals: |b - a x|^2 per column when n < m (and a has full column rank,
    # which the compiled program assumes: its length cannot depend on the computed rank).
    if n < m:
        r = b - a @ x
        residuals = jnp.atleast_1d(jnp.sum(jnp.abs(r) ** 2, axis=0))
    else:
        residuals = jnp.zeros((0,), s.dtype)
    return [x, residuals, rank, s]


def _check_blockwise(node: Apply) -> str | None:
    core = node.op.core_node(node)  # type: ignore[attr-defined]
    if jax_impl.lookup(core.op) is None:
        return f"no JAX translation for its core op {core.op}"
    if jax_impl.static_inputs(core):
        return f"its core op {core.op} needs values known when tracing, which vary by batch"
    return jax_impl.check(core)


@jax_impl.register(Blockwise, check=_check_blockwise)
def _blockwise(op: Blockwise, node: Apply, *inputs: Any) -> Any:
    core = op.core_node(node)
    impl = jax_impl.lookup(op.core_op)
    if impl is None:
        raise NotImplementedError(f"jax backend: no JAX translation for {op.core_op}")
    n_out = len(core.outputs)

    def core_fn(*xs: Any) -> Any:
        outs = impl(op.core_op, core, *xs)
        outs = list(outs) if isinstance(outs, list | tuple) else [outs]
        outs = [jnp.asarray(o, _out_dtype(core, k)) for k, o in enumerate(outs)]
        return outs[0] if n_out == 1 else tuple(outs)

    batch_ndim = node.outputs[0].type.ndim - len(op.outputs_sig[0])  # type: ignore[attr-defined]
    if batch_ndim == 0:
        return core_fn(*inputs)
    # Broadcast the batch axes, then map the core function over them (one vmap per axis).
    arrays = [jnp.asarray(x) for x in inputs]
    batch = jnp.broadcast_shapes(*[jnp.shape(x)[:batch_ndim] for x in arrays])
    arrays = [jnp.broadcast_to(x, batch + jnp.shape(x)[batch_ndim:]) for x in arrays]
    fn = core_fn
    for _ in range(batch_ndim):
        fn = jax.vmap(fn)
    out = fn(*arrays)
    return out if n_out == 1 else list(out)
