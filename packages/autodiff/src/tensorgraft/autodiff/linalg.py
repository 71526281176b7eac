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
from tensorgraft.autodiff.engine import NoGradientRuleError, _total
from tensorgraft.autodiff.matmul import defcore, mT
from tensorgraft.autodiff.registry import register_pullback
from tensorgraft.graph.basic import Apply
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
        trans=0 if op.trans else 1,  # 2 (conjugate) is 1 for the real inputs differentiated
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


def _pinv_adjoint(a: Any, p: Any, g: Any) -> Any:
    """The cotangent of `a` from the cotangent `g` of p = pinv(a) (a's rank held fixed).

    dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P (Golub and Pereyra), so
    A_bar = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A).
    """
    p_t, g_t = mT(p), mT(g)
    first = -tt.matmul(tt.matmul(p_t, g), p_t)
    m = tt.matmul(g_t, tt.matmul(p, p_t))  # G^T P P^T, then (I - A P) applied on the left
    second = m - tt.matmul(a, tt.matmul(p, m))
    n = tt.matmul(tt.matmul(p_t, p), g_t)  # P^T P G^T, then (I - P A) applied on the right
    third = n - tt.matmul(tt.matmul(n, p), a)
    return first + second + third


def _pinv(op: Pinv, g: list[Any], z: list[Any], a: Any) -> list[Any]:
    ga = _pinv_adjoint(a, z[0], g[0])
    # hermitian: numpy reads the lower triangle (eigh), so the gradient is on that triangle.
    return [_on_triangle(0.5 * (ga + mT(ga)), True) if op.hermitian else ga]


def _copyltu(m: Any) -> Any:
    """The symmetric matrix with the lower triangle of `m`."""
    return tt.tril(m) + mT(tt.tril(m, -1))


def _qr(op: QR, g: list[Any], z: list[Any], a: Any) -> list[Any]:
    # Reduced A = Q R, k = min(m, n); split A = [X | Y] and R = [U | V] after column k
    # (Y and V are empty for m >= n). With X = Q U and Y = Q V (Liao et al. 2019):
    #   Q_bar' = Q_bar + Y V_bar^T,  M = U U_bar^T - Q_bar'^T Q,
    #   X_bar = (Q_bar' + Q copyltu(M)) U^-T,  Y_bar = Q V_bar.
    if op.mode == "raw":
        raise NoGradientRuleError("qr(mode='raw') has no gradient (Householder reflectors)")
    if op.mode == "reduced":
        gq, gr = g
        q, r = z
    else:
        gq, gr = (None, g[0]) if op.mode == "r" else g
        m, n = a.type.shape[-2:]
        if gq is not None and not (m is not None and n is not None and m <= n):
            raise NoGradientRuleError(
                "the gradient through qr's complete Q needs a static shape with m <= n "
                "(its extra columns are not unique); use mode='reduced'"
            )
        q, r = la.qr(a)  # reduced factors
        k = tt.minimum(tt.shape(a)[-2], tt.shape(a)[-1])
        if gr is not None:
            gr = gr[..., :k, :]  # complete R's extra rows are zeros
    if gq is None and gr is None:
        return [None]
    gq = tt.zeros_like(q) if gq is None else gq
    gr = tt.zeros_like(r) if gr is None else gr
    k = tt.shape(r)[-2]
    y = a[..., :, k:]
    u = r[..., :, :k]
    gu, gv = gr[..., :, :k], gr[..., :, k:]
    gq = gq + tt.matmul(y, mT(gv))
    mm = tt.matmul(u, mT(gu)) - tt.matmul(mT(gq), q)
    b = gq + tt.matmul(q, _copyltu(mm))
    gx = mT(la.solve_triangular(u, mT(b), lower=False))  # B U^-T
    gy = tt.matmul(q, gv)
    return [tt.concatenate([gx, gy], axis=-1)]


@register_pullback(Lstsq)
def _lstsq_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # [x, residuals, rank, s] = lstsq(A, b), with A's rank held fixed: x = pinv(A) b;
    # residuals = ||e||^2 per column, e = b - A x orthogonal to A's range, so
    # d residuals = 2 e^T (db - dA x); s = the singular values of A.
    a, b = node.inputs
    x = node.outputs[0]
    gx, gres, _, gs = g
    vec = node.op.b_ndim == 1  # type: ignore[attr-defined]
    p = la.pinv(a)
    ga: list[Any] = []
    gb: list[Any] = []
    if gx is not None:
        gb.append(tt.matmul(mT(p), gx))
        ga.append(_pinv_adjoint(a, p, _outer(gx, b) if vec else tt.matmul(gx, mT(b))))
    if gres is not None:
        e = b - tt.matmul(a, x)
        # residuals is empty unless rank == n < m: then zero-padding gives no gradient.
        cols = 1 if vec else tt.shape(b)[-1]
        w = tt.concatenate([gres, tt.zeros((cols,), dtype=gres.dtype)])[:cols]
        we = 2 * (e * w[0] if vec else e * tt.expand_dims(w, 0))
        gb.append(we)
        ga.append(-(_outer(we, x) if vec else tt.matmul(we, mT(x))))
    if gs is not None:
        u, _, vh = la.svd(a, full_matrices=False)
        ga.append(tt.matmul(u * tt.expand_dims(gs, -2), vh))
    return [_total(ga), _total(gb)]


defcore(MatrixInverse, _inverse)
defcore(Det, _det)
defcore(SlogDet, _slogdet)
defcore(Cholesky, _cholesky)
defcore(Eigh, _eigh)
defcore(Solve, _solve)
defcore(SolveTriangular, _solve_triangular)
defcore(CholeskySolve, _cho_solve)
defcore(SVD, _svd)
defcore(Pinv, _pinv)
defcore(QR, _qr)
