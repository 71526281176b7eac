"""Core rules for linear algebra (applied through `Blockwise`, on stacks of matrices).

Every rule `rule(g, z, *xs)` takes the list of output cotangents `g` and outputs `z`,
and uses only batch-agnostic ops (matmul, `mT`, the stacked solvers), so it works on
batched inputs directly. Ops reading one triangle of their input (cholesky, eigh, the
symmetric solvers) give the gradient with respect to that triangle: an entry below the
diagonal stands for itself and its mirror image.
"""

from __future__ import annotations

from typing import Any

import tensorgraft.tensor as tt
from tensorgraft.autodiff.engine import NoGradientRuleError
from tensorgraft.autodiff.matmul import defcore, mT
from tensorgraft.autodiff.registry import declare_not_implemented
from tensorgraft.tensor.linalg.decompositions import QR, SVD, Cholesky, Eigh
from tensorgraft.tensor.linalg.inverse import Det, MatrixInverse, Pinv, SlogDet
from tensorgraft.tensor.linalg.solvers import CholeskySolve, Lstsq, Solve, SolveTriangular

la = tt.linalg


def _scalar_to_matrix(v: Any) -> Any:
    """A stack of scalars as a stack of 1x1 matrices, to scale matrices with."""
    return tt.expand_dims(v, (-2, -1))


def _diag_part(x: Any) -> Any:
    return tt.tril(tt.triu(x))


def _on_triangle(g: Any, lower: bool) -> Any:
    """A gradient for a symmetric matrix, as one for the triangle that is read."""
    both = g + mT(g)
    return (tt.tril(both) if lower else tt.triu(both)) - _diag_part(g)


def _outer(a: Any, b: Any) -> Any:
    return tt.expand_dims(a, -1) * tt.expand_dims(b, -2)


def _inverse(op: Any, g: list[Any], z: list[Any], a: Any) -> list[Any]:
    # d(A^-1) = -A^-1 dA A^-1
    inv = z[0]
    return [-tt.matmul(tt.matmul(mT(inv), g[0]), mT(inv))]


def _det(op: Any, g: list[Any], z: list[Any], a: Any) -> list[Any]:
    # d det(A) = det(A) tr(A^-1 dA)
    return [_scalar_to_matrix(g[0] * z[0]) * mT(la.inv(a))]


def _slogdet(op: Any, g: list[Any], z: list[Any], a: Any) -> list[Any]:
    # d log|det(A)| = tr(A^-1 dA); the sign is piecewise constant.
    if g[1] is None:
        return [None]
    return [_scalar_to_matrix(g[1]) * mT(la.inv(a))]


def _cholesky(op: Cholesky, g: list[Any], z: list[Any], a: Any) -> list[Any]:
    # A = L L^T: A_bar = L^-T Phi(L^T L_bar) L^-1, Phi = lower triangle, half diagonal.
    lower = op.lower
    chol = z[0] if lower else mT(z[0])
    g_chol = g[0] if lower else mT(g[0])
    p = tt.tril(tt.matmul(mT(chol), g_chol))
    p = p - 0.5 * _diag_part(p)
    left = la.solve_triangular(mT(chol), p, lower=False)  # L^-T P
    s = mT(la.solve_triangular(mT(chol), mT(left), lower=False))  # (L^-T P) L^-1
    return [_on_triangle(0.5 * (s + mT(s)), lower)]  # the factor reads this triangle


def _eigh(op: Eigh, g: list[Any], z: list[Any], a: Any) -> list[Any]:
    # A = V diag(w) V^T: A_bar = V (diag(w_bar) + F o (V^T V_bar)) V^T, F_ij = 1/(w_j - w_i).
    w, v = z
    gw, gv = g
    inner = 0
    if gw is not None:
        inner = inner + tt.expand_dims(gw, -1) * tt.eye(tt.shape(w)[-1], dtype=w.dtype)
    if gv is not None:
        gap = tt.expand_dims(w, -2) - tt.expand_dims(w, -1)
        eye = tt.eye(tt.shape(w)[-1], dtype=w.dtype)
        f = (1 - eye) / (gap + eye)  # the diagonal (no gap) is masked out
        inner = inner + f * tt.matmul(mT(v), gv)
    full = tt.matmul(tt.matmul(v, inner), mT(v))
    return [_on_triangle(0.5 * (full + mT(full)), op.lower)]


def _solve(op: Solve, g: list[Any], z: list[Any], a: Any, b: Any) -> list[Any]:
    # x = A^-1 b: b_bar = A^-T x_bar, A_bar = -b_bar x^T.
    sym = op.assume_a != "gen"
    a_t = a if sym else mT(a)
    gb = la.solve(a_t, g[0], assume_a=op.assume_a, lower=op.lower, b_ndim=op.b_ndim)
    ga = -(_outer(gb, z[0]) if op.b_ndim == 1 else tt.matmul(gb, mT(z[0])))
    return [_on_triangle(0.5 * (ga + mT(ga)), op.lower) if sym else ga, gb]


def _solve_triangular(op: SolveTriangular, g: list[Any], z: list[Any], a: Any, b: Any) -> list[Any]:
    # x = op(A)^-1 b: b_bar = op(A)^-T x_bar; A_bar on the triangle that is read.
    gb = la.solve_triangular(
        a,
        g[0],
        lower=op.lower,
        trans=1 - op.trans,
        unit_diagonal=op.unit_diagonal,
        b_ndim=op.b_ndim,
    )
    x = z[0]
    ga = -(_outer(gb, x) if op.b_ndim == 1 else tt.matmul(gb, mT(x)))
    if op.trans:
        ga = mT(ga)
    ga = tt.tril(ga) if op.lower else tt.triu(ga)
    return [ga - _diag_part(ga) if op.unit_diagonal else ga, gb]


def _cho_solve(op: CholeskySolve, g: list[Any], z: list[Any], c: Any, b: Any) -> list[Any]:
    # x = (L L^T)^-1 b: b_bar = A^-1 x_bar, A_bar = -b_bar x^T, then through A = L L^T.
    gb = la.cho_solve((c, op.lower), g[0], b_ndim=op.b_ndim)
    x = z[0]
    ga = -(_outer(gb, x) if op.b_ndim == 1 else tt.matmul(gb, mT(x)))
    sym = ga + mT(ga)
    if op.lower:  # A = L L^T: L_bar = (A_bar + A_bar^T) L
        return [tt.tril(tt.matmul(sym, c)), gb]
    return [tt.triu(tt.matmul(c, sym)), gb]  # A = U^T U: U_bar = U (A_bar + A_bar^T)


def _svd(op: SVD, g: list[Any], z: list[Any], a: Any) -> list[Any]:
    # Reduced A = U S V^T (Townsend, "Differentiating the SVD"), F_ij = 1/(s_j^2 - s_i^2):
    # A_bar = U [(F o (U^T U_bar - U_bar^T U)) S + diag(s_bar)
    #            + S (F o (V^T V_bar - V_bar^T V))] V^T
    #   + (I - U U^T) U_bar S^-1 V^T + U S^-1 V_bar^T (I - V V^T)
    if not op.compute_uv:
        u, s, vh = la.svd(a, full_matrices=False)
        return [tt.matmul(u * tt.expand_dims(g[0], -2), vh)]
    gu, gs, gvh = g
    u, s, vh = z
    if op.full_matrices and (gu is not None or gvh is not None):
        # The extra columns of a full U (or rows of V^H) are not unique (as in PyTensor).
        raise NoGradientRuleError("the gradient through svd's U and V^H needs full_matrices=False")
    if op.full_matrices:
        u, s, vh = la.svd(a, full_matrices=False)
    v = mT(vh)
    eye_k = tt.eye(tt.shape(s)[-1], dtype=s.dtype)
    s_row = tt.expand_dims(s, -2)
    inner = 0 if gs is None else tt.expand_dims(gs, -1) * eye_k
    gap = s_row**2 - tt.expand_dims(s, -1) ** 2
    f = (1 - eye_k) / (gap + eye_k)  # zero on the diagonal
    result = 0
    if gu is not None:
        ut_gu = tt.matmul(mT(u), gu)
        inner = inner + f * (ut_gu - mT(ut_gu)) * s_row
        proj = gu - tt.matmul(u, ut_gu)  # (I - U U^T) U_bar
        result = result + tt.matmul(proj / s_row, vh)
    if gvh is not None:
        gv = mT(gvh)
        vt_gv = tt.matmul(vh, gv)
        inner = inner + tt.expand_dims(s, -1) * (f * (vt_gv - mT(vt_gv)))
        proj = gv - tt.matmul(v, vt_gv)  # (I - V V^T) V_bar
        result = result + tt.matmul(u / s_row, mT(proj))
    return [result + tt.matmul(tt.matmul(u, inner), vh)]


defcore(MatrixInverse, _inverse)
defcore(Det, _det)
defcore(SlogDet, _slogdet)
defcore(Cholesky, _cholesky)
defcore(Eigh, _eigh)
defcore(Solve, _solve)
defcore(SolveTriangular, _solve_triangular)
defcore(CholeskySolve, _cho_solve)
defcore(SVD, _svd)
for _op, _why in (
    (QR, "the gradient of the QR factors is not implemented yet"),
    (Pinv, "the gradient of the pseudo-inverse is not implemented yet"),
    (Lstsq, "the gradient of least squares is not implemented yet (use solve on a^T a)"),
):
    declare_not_implemented(_op, _why)
