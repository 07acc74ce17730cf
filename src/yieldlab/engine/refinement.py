"""Exact least squares: QR or SVD of the working design with iterative refinement.

Householder QR (or the SVD) of the centred, column-scaled design (the working coordinates of
:mod:`yieldlab.engine.least_squares`), then Björck's iterative refinement of the solution
*and* the residual, with residuals computed in double-double arithmetic
(:mod:`yieldlab.engine.extended`)::

    f = y - r - A theta,   g = -A^T r                 (double-double, rounded once)
    [I  A; A^T 0] [dr; dtheta] = [f; g]               (solved with the float64 M = A K = QR)
    r <- r + dr,   theta <- theta + dtheta

Each step shrinks the error by about ``cond * 2**-53``, so the answer is the least-squares
solution of the float64 data to about the last digit for scaled condition numbers up to
~1e14, and the residual is as accurate as the solution. Columns that are linear
combinations of earlier ones (aliased) are detected in order, as R and JMP do, and get the
coefficient 0; the SVD gives instead the minimum-norm answer in working coordinates.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from .extended import dd_matvec, dd_rmatvec, dd_sum, two_sum
from .least_squares import (
    _EPS,
    LeastSquaresFit,
    _pow2,
    _psd_factor,
    _to_params,
    _to_working,
)

__all__ = ["solve_orthogonal"]

Array = np.ndarray


def _qr_factor(M: Array, tol: Array, detect: bool):
    """Householder QR keeping columns in order, dropping each column whose distance to the
    span of the earlier ones, ``|R_jj| / ||M_j||``, is at most ``tol[j]``."""
    norms = np.linalg.norm(M, axis=0)
    keep = np.flatnonzero(norms > 0)
    while True:
        Q, R = np.linalg.qr(M[:, keep])
        small = np.abs(np.diag(R)) <= tol[keep] * norms[keep]
        if not detect or not small.any():
            break
        keep = np.delete(keep, np.flatnonzero(small)[0])
    Rinv = np.zeros((M.shape[1], keep.size))
    Rinv[keep] = solve_triangular(R, np.eye(keep.size)) if keep.size else 0.0
    sv = np.linalg.svd(R, compute_uv=False) if keep.size else np.array([np.nan])
    aliased = np.ones(M.shape[1], dtype=bool)
    aliased[keep] = False
    return Q, Rinv, aliased, float(sv[0] / sv[-1])


def _svd_factor(M: Array, rtol: float):
    U, sv, Vt = np.linalg.svd(M, full_matrices=False)
    rank = int(np.sum(sv > rtol * sv[0])) if sv.size and sv[0] > 0 else 0
    aliased = np.linalg.norm(Vt[rank:], axis=0) > 1e-8
    Rinv = Vt[:rank].T / sv[:rank]
    condition = float(sv[0] / sv[rank - 1]) if rank else float("nan")
    return U[:, :rank], Rinv, aliased, condition


def _dd_residual(X, X_tail, y, r, theta, fit_intercept):
    """``y - r - A theta`` with ``A = [1, X + X_tail]``, in double-double, rounded."""
    b0 = theta[0] if fit_intercept else 0.0
    hi, lo = dd_matvec(X, theta[int(fit_intercept) :], X_tail, np.full(X.shape[0], b0))
    s, e = two_sum(y, -r)
    s, e2 = two_sum(s, -hi)
    return s + ((e + e2) - lo)


def _dd_gradient(X, X_tail, r, fit_intercept):
    """``A^T r`` in double-double, rounded."""
    g = dd_rmatvec(X, r, X_tail)
    if not fit_intercept:
        return g
    hi, lo = dd_sum(r)
    return np.r_[hi + lo, g]


def _refine(X, X_tail, y, Q, Rinv, center, scale, fit_intercept, sqrt_alpha, max_iter=30):
    """Björck's refinement of ``(r, theta)`` for ``min ||y - A theta||^2 (+ ridge rows)``.

    Each step solves the augmented system ``[I A; A^T 0] [dr; dtheta] = [f; g]`` with
    ``f = y - r - A theta`` and ``g = -A^T r`` computed in double-double, using the float64
    factorisation ``M = A K = Q R`` of the working design.
    """
    m, k = X.shape[0], Rinv.shape[0]
    n_pen = (k - int(fit_intercept)) if sqrt_alpha else 0
    theta, r = np.zeros(k), np.zeros(m + n_pen)
    first = prev = accepted = np.inf
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        f = _dd_residual(X, X_tail, y, r[:m], theta, fit_intercept)
        g = -_dd_gradient(X, X_tail, r[:m], fit_intercept)
        if n_pen:
            f = np.r_[f, -r[m:] - sqrt_alpha * theta[int(fit_intercept) :]]
            g[int(fit_intercept) :] -= sqrt_alpha * r[m:]
        u = Q.T @ f - Rinv.T @ _to_working(g, center, scale, fit_intercept)
        dphi = Rinv @ u
        size = float(np.linalg.norm(dphi))
        # NOTE: growing (cond * eps >~ 1, or noise) or overflowing: keep the last iterate
        if not np.isfinite(size) or size > prev:
            break
        dtheta = _to_params(dphi, center, scale, fit_intercept)
        theta, r = theta + dtheta, r + (f - Q @ u)
        first, accepted = (size if first == np.inf else first), size
        if size > 0.5 * prev or np.all(np.abs(dtheta) <= _EPS * np.abs(theta)):
            break
        prev = size
    residuals = _dd_residual(X, X_tail, y, np.zeros(m), theta, fit_intercept)
    return theta, residuals, n_iter, accepted <= 1e-6 * first or accepted == 0.0


def solve_orthogonal(
    X: Array,
    y: Array,
    *,
    fit_intercept: bool = True,
    alpha: float = 0.0,
    X_tail: Array | None = None,
    method: str = "qr",
    rtol: float | None = None,
) -> LeastSquaresFit:
    """Least squares by QR (or SVD) of the working design and double-double refinement.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    fit_intercept : bool, default=True
    alpha : float, default=0.0
        Ridge penalty, as extra rows ``sqrt(alpha) I`` of the design.
    X_tail : ndarray of shape (n_samples, n_features), optional
        Low-order part of the design (the exact design is ``X + X_tail``).
    method : {'qr', 'svd'}, default='qr'
    rtol : float, optional
        Alias tolerance on ``|R_jj| / ||column j||`` (QR) or ``sigma_j / sigma_max`` (SVD);
        default ``max(n_samples, n_params) * eps``.

    Returns
    -------
    LeastSquaresFit
    """
    m, n = X.shape
    k = n + int(fit_intercept)
    center = X.mean(axis=0) if fit_intercept else np.zeros(n)
    Xc = X - center
    raw, cnorm = np.linalg.norm(X, axis=0), np.linalg.norm(Xc, axis=0)
    rtol = max(m, k) * _EPS if rtol is None else rtol
    # NOTE: centring perturbs column j by about eps * ||X_j||; relative to the centred norm
    # that is eps * ||X_j|| / ||X_j - mean||, so the alias tolerance grows with that ratio.
    ratio = raw / np.maximum(cnorm, 1e-300)
    constant = (cnorm <= rtol * raw) | (raw == 0)
    s = _pow2(np.where(constant, 1.0, cnorm))
    scale = np.r_[_pow2(np.sqrt(np.array([float(m)]))), s] if fit_intercept else s
    M = np.zeros((m + (n if alpha > 0 else 0), k), order="F")
    if fit_intercept:
        M[:m, 0] = 1.0 / scale[0]
    M[:m, int(fit_intercept) :] = np.where(constant, 0.0, Xc / s)
    if alpha > 0:
        M[m + np.arange(n), int(fit_intercept) + np.arange(n)] = np.sqrt(alpha) / s
    if method == "svd":
        Q, Rinv, aliased, condition = _svd_factor(M, rtol)
    else:
        tol = np.r_[rtol, rtol * np.maximum(ratio, 1.0)] if fit_intercept else np.full(k, rtol)
        Q, Rinv, aliased, condition = _qr_factor(M, tol, detect=alpha == 0)
    Xf = np.asfortranarray(X)
    tail = None if X_tail is None else np.asfortranarray(X_tail)
    theta, residuals, n_iter, converged = _refine(
        Xf, tail, y, Q, Rinv, center, scale, fit_intercept, np.sqrt(alpha)
    )
    Qtop = Q[:m]
    leverage = np.einsum("ij,ij->i", Qtop, Qtop)
    W = _psd_factor(Rinv @ (Qtop.T @ Qtop) @ Rinv.T) if alpha > 0 else Rinv
    relations = {}
    if method != "svd":
        for j in np.flatnonzero(aliased):
            w = scale[j] * _to_params(Rinv @ (Q.T @ M[:, j]), center, scale, fit_intercept)
            if fit_intercept:
                w[0] += center[j - 1]
            relations[int(j)] = w
    if method != "svd":
        theta[aliased] = 0.0  # exactly: the refinement never moves them
    rank = int(Rinv.shape[1])
    return LeastSquaresFit(
        coef=theta[int(fit_intercept) :], intercept=float(theta[0]) if fit_intercept else 0.0,
        residuals=residuals, leverage=leverage, aliased=aliased, center=center, scale=scale,
        cov_factor=W, rank=rank, dof_model=float(leverage.sum()) if alpha > 0 else float(rank),
        condition=condition, solver=method, n_iter=n_iter, fit_intercept=fit_intercept,
        converged=converged, alias_relations=relations, rss=float(residuals @ residuals),
    )  # fmt: skip
