"""Least squares by the normal equations of the working design, solved by Cholesky.

:func:`solve_normal_equations` solves ``(Z^T Z + alpha S^-2) c = Z^T (y - mean y)`` in the
working coordinates of :mod:`yieldlab.engine.least_squares`, from one streaming pass over
the data (a BLAS ``syrk`` per cache-sized block), then refines in float64 and computes the
leverage in a second pass. It squares the condition number, so it returns None when the
scaled Gram matrix is ill-conditioned (LAPACK ``pocon`` estimate) and the caller
(:func:`~yieldlab.engine.linear.fit_least_squares`) uses QR instead
(:mod:`yieldlab.engine.refinement`). :func:`design_condition` gives the accurate condition
number of the working design where the Gram matrix's estimate cannot.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import blas, lapack

from .least_squares import _EPS, LeastSquaresFit, _pow2, _psd_factor

__all__ = ["design_condition", "solve_normal_equations"]

Array = np.ndarray
_RCOND_CHOLESKY = 1e-6  # cond(Gram) <= 1e6, i.e. cond(Z) <= 1e3: refinement converges at once
# beyond this cond(Z) the normal equations (cond(Z)^2 eps > 0.02) lose digits that three
# refinement steps do not recover (measured: 1e-8 relative at 1e7, 1e-3 at 1e8)
_COND_NORMAL_MAX = 1e7
_BLOCK = 1 << 17  # values per block of the streaming passes (1 MiB: stays in the L2 cache)


def _block_rows(m: int, n: int) -> int:
    """Rows per block of the streaming passes: a power of two near ``_BLOCK`` values
    (8,192 rows of 10 columns, 1,024 of 100; a fixed 8,192 rows made the passes over a
    1,000,000 x 100 design 2-2.5x slower), at least 512, at most ``m``."""
    return min(1 << max(9, (_BLOCK // n).bit_length() - 1), m)


def _gram_pass(X: Array, y: Array, fit_intercept: bool):
    """One streaming pass: ``Z^T Z``, ``Z^T [y, 1]`` and ``[y, 1]^T [y, 1]``, ``Z = X - shift``.

    Returns the centred Gram matrix, ``Xc^T yc``, the column means, the mean of ``y``, the
    offsets ``|mean - shift| / std``, ``yc^T yc`` and whether that last one lost less than
    a bit to the correction of the shift (then it is the total sum of squares).

    ``shift`` (the mean of the first rows) is near the column means, so centring exactly
    afterwards, ``Xc^T Xc = Z^T Z - S S^T / n`` with ``S = Z^T 1``, cancels little (when
    the first rows already look centred, ``shift = 0`` and the copy is skipped). Blocks
    stay in cache, so each row of ``X`` is read from memory once.
    """
    m, n = X.shape
    chunk = _block_rows(m, n)
    yt = np.ones((2, chunk))  # [y - y_shift; 1] of a block, rows contiguous for BLAS
    shift, y_shift = np.zeros(n), 0.0
    if fit_intercept:
        head, ones = X[:1024], np.ones(min(m, 1024))
        mean = ones @ head / ones.size
        # shift unless |mean| <= std on the first rows, i.e. 2 mean^2 <= mean of squares
        if np.any(2.0 * mean**2 > np.einsum("ij,ij->j", head, head) / ones.size):
            shift = mean
        y_shift = float(y[: ones.size] @ ones) / ones.size
    # cache-sized blocks: X is read from memory once, and the small buffers are not fresh
    # pages to fault in on every fit (without a shift, X's blocks are not copied)
    block = np.empty((chunk, n)) if shift.any() else None
    G, Zy1 = np.zeros((n, n), order="F"), np.zeros((2, n), order="F")
    yy = sy = 0.0
    for start in range(0, m, chunk):
        B = X[start : start + chunk]
        Y = yt[:, : B.shape[0]]
        np.subtract(y[start : start + chunk], y_shift, out=Y[0])
        if block is not None:
            B = np.subtract(B, shift, out=block[: B.shape[0]])
        # NOTE: B.T of a C-ordered block and Y.T are Fortran-ordered, as BLAS wants
        G = blas.dsyrk(1.0, B.T, beta=1.0, c=G, trans=0, lower=0, overwrite_c=1)
        Zy1 = blas.dgemm(1.0, Y.T, B.T, beta=1.0, c=Zy1, trans_a=1, trans_b=1, overwrite_c=1)
        yy += Y[0] @ Y[0]
        sy += Y[0] @ Y[1]
    G = np.triu(G) + np.triu(G, 1).T
    if not fit_intercept:
        return G, Zy1[0], np.zeros(n), 0.0, np.zeros(n), yy, True
    S = Zy1[1]
    gram = G - np.outer(S, S) / m
    offset = np.abs(S / m) / np.sqrt(np.maximum(np.diag(gram), 1e-300) / m)
    tss = yy - sy**2 / m
    tss_ok = bool(sy**2 / m <= 0.5 * tss)  # the correction cancels less than one bit
    return gram, Zy1[0] - S * sy / m, shift + S / m, y_shift + sy / m, offset, tss, tss_ok


def _normal_pass(X, y, center, b, y0, V, fit_intercept, leverage: bool):
    """Residuals ``r = y - y0 - (X - center) b``, ``(X - center)^T r`` and, optionally,
    the leverage ``||(x - center) V||^2`` (+ 1/n), streaming over cache-sized blocks."""
    m, n = X.shape
    r, Xtr = np.empty(m), np.zeros(n)
    lev = np.empty(m) if leverage else None
    chunk = _block_rows(m, n)
    block = np.empty((chunk, n))
    # few columns: one GEMM gives X b and the rows of X V; many: a triangular product (half
    # the flops), done in place in the block once X b and X^T r are taken
    wide = n >= 32
    Vb = b[:, None] if wide or not leverage else np.column_stack([b, V])
    for start in range(0, m, chunk):
        rows = slice(start, start + chunk)
        yb = y[rows] - y0
        B = np.subtract(X[rows], center, out=block[: yb.size]) if fit_intercept else X[rows]
        P = B @ Vb
        r[rows] = yb - P[:, 0]
        Xtr += r[rows] @ B
        if not leverage:
            continue
        if wide:
            H = blas.dtrmm(1.0, V, B.T, side=0, lower=0, trans_a=1, overwrite_b=fit_intercept)
            lev[rows] = np.einsum("ij,ij->j", H, H)
        else:
            lev[rows] = np.einsum("ij,ij->i", P[:, 1:], P[:, 1:])
    if leverage and fit_intercept:
        lev += 1.0 / m
    return r, Xtr, lev


def design_condition(X: Array, center: Array, s: Array, alpha: float, s0: float | None) -> float:
    """2-norm condition number of the working design, accurate where the Gram matrix's is not.

    The working design is ``[1 / s0, (X - center) / s]`` (no intercept column when ``s0``
    is None) with the ridge rows ``sqrt(alpha) / s``. Its R factor is built block by block
    (the R of each block stacked on the last one's), one streaming pass of Householder QR:
    unlike an estimate from the Cholesky factor of ``Z^T Z``, which cannot tell condition
    numbers beyond about ``1e8`` apart, it is accurate up to about ``1 / eps``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    center, s : ndarray of shape (n_features,)
        Column centres and scale factors.
    alpha : float
        Ridge penalty.
    s0 : float or None
        Scale of the intercept column; None without an intercept.

    Returns
    -------
    float
        ``inf`` for a singular design.
    """
    m, n = X.shape
    chunk = _block_rows(m, n)
    R = np.diag(np.sqrt(alpha) / s) if alpha > 0 else np.empty((0, n))
    for start in range(0, m, chunk):
        block = (X[start : start + chunk] - center) / s
        R = np.linalg.qr(np.vstack([R, block]), mode="r")
    sv = np.linalg.svd(R, compute_uv=False)
    if s0 is not None:  # the intercept column is orthogonal to the centred ones
        sv = np.r_[sv, np.sqrt(m) / s0]
    return float(sv.max() / sv.min()) if sv.min() > 0 else float("inf")


def solve_normal_equations(
    X: Array,
    y: Array,
    *,
    fit_intercept: bool = True,
    alpha: float = 0.0,
    check_condition: bool = True,
    diagnostics: bool = True,
) -> LeastSquaresFit | None:
    """Least squares by the normal equations of the centred, scaled design (Cholesky).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    fit_intercept : bool, default=True
    alpha : float, default=0.0
    check_condition : bool, default=True
        Return None when the scaled Gram matrix is ill-conditioned (``cond > 1e6``), a
        column is constant or its mean is large against its spread: the caller then uses
        :func:`solve_orthogonal`. Without it, only a failed factorisation returns None, and
        an ill-conditioned problem gets the accurate condition number of the scaled design
        (:func:`design_condition`): beyond ``1e7`` the result has ``converged=False`` (its
        coefficients and standard errors have lost digits) and that ``condition``.
    diagnostics : bool, default=True
        Compute the residuals and the leverage (a second pass over ``X``). Without it the
        second pass runs only when refinement is needed (``cond(Gram) * eps > 1e-14``) or
        the residual sum of squares would lose digits to cancellation, and ``residuals``
        and ``leverage`` are None.

    Returns
    -------
    LeastSquaresFit or None
        None also when the Gram matrix is not finite (a NaN or inf in ``X`` or ``y``, or
        overflow).
    """
    m, n = X.shape
    # NOTE: a NaN or inf in X or y (or a sum of squares that overflows) leaves the Gram
    # pass non-finite: the caller checks X and falls back to QR (fit_least_squares)
    with np.errstate(invalid="ignore", over="ignore"):
        G, g, center, y0, offset, yy, tss_ok = _gram_pass(X, y, fit_intercept)
    if not (np.isfinite(G).all() and np.isfinite(g).all() and np.isfinite(yy)):
        return None
    # yy sums squares about the first rows' mean less the correction to the mean; when the
    # correction is small against it (the common case) yy is the TSS to full precision
    tss = float(yy) if tss_ok else None
    factor = _cholesky(G, center, offset, alpha, m)
    if factor is None:
        return None
    s, Gs, U, condition, ill = factor
    if check_condition and ill:
        return None
    Uinv = lapack.dtrtri(U, lower=0)[0]
    V = Uinv / s[:, None]  # ||z U^-1|| = ||(x - center) V||, V still upper triangular
    b, r, lev, n_iter = V @ (V.T @ g), None, None, 0
    rss = yy - 2.0 * b @ g + b @ (G @ b)
    # the Cholesky solution is accurate to about cond(Gram) * eps; refine beyond 1e-14, or
    # when the residual sum of squares from the Gram matrix cancels (R^2 > 1 - 1e-8)
    refine = diagnostics or condition**2 * _EPS > 1e-14 or rss <= 1e-8 * yy
    while refine and n_iter < 3:  # float64 refinement; with cond(Z) <= 1e3 one step suffices
        n_iter += 1
        want_lev = diagnostics and lev is None
        r, Xtr, lev_i = _normal_pass(X, y, center, b, y0, V, fit_intercept, want_lev)
        lev = lev_i if want_lev else lev
        db = V @ (V.T @ (Xtr - alpha * b))
        b = b + db
        y0 += float(r.mean()) if fit_intercept else 0.0
        rss = float(r @ r)
        # the next step would shrink the error by about cond(Gram) * eps
        refine = np.linalg.norm(db) * condition**2 > np.linalg.norm(b)
    s0 = _pow2(np.sqrt(np.array([float(m)])))
    converged = True
    if ill:  # only without check_condition: the solver was asked for by name
        accurate = design_condition(X, center, s, alpha, s0[0] if fit_intercept else None)
        if accurate > _COND_NORMAL_MAX:
            converged, condition = False, accurate
    W, dof = _cov_factor(Uinv, Gs, s, s0, alpha, m, fit_intercept)
    k = n + int(fit_intercept)
    return LeastSquaresFit(
        coef=b, intercept=y0 - float(center @ b) if fit_intercept else 0.0, residuals=r,
        leverage=lev, aliased=np.zeros(k, dtype=bool), center=center,
        scale=np.r_[s0, s] if fit_intercept else s, cov_factor=W, rank=k,
        dof_model=dof + int(fit_intercept), condition=condition, solver="cholesky",
        n_iter=n_iter, fit_intercept=fit_intercept, rss=max(float(rss), 0.0), tss=tss,
        converged=converged,
    )  # fmt: skip


def _cholesky(G: Array, center: Array, offset: Array, alpha: float, m: int):
    """Upper Cholesky factor of the scaled Gram matrix, and how well it is conditioned.

    Returns the power-of-two column scales ``s``, ``Gs = S^-1 G S^-1 + alpha S^-2``, its
    factor ``U`` (``U^T U = Gs``), the condition estimate of the scaled design (LAPACK
    ``pocon``) and whether the problem is too ill-conditioned for the normal equations;
    None when the factorisation fails.
    """
    n = G.shape[0]
    sq = np.diag(G).copy()
    # NOTE: a constant column centres to rounding noise, which scaling would blow up to a
    # unit-norm column; such columns, and large mean/spread ratios, go to the QR path.
    spread = np.sqrt((sq + m * center**2) / np.maximum(sq, 1e-300))
    s = _pow2(np.sqrt(sq))
    Gs = G / np.outer(s, s)
    Gs[np.diag_indices(n)] += alpha / s**2
    U, info = lapack.dpotrf(Gs, lower=0, clean=1)
    if info != 0 or not np.all(np.isfinite(U)):
        return None
    rcond = lapack.dpocon(U, np.abs(Gs).sum(axis=0).max())[0]
    condition = float(np.sqrt(1.0 / max(rcond, 1e-300)))
    ill = rcond < _RCOND_CHOLESKY or condition * spread.max() > 1e3 or offset.max() > 1e2
    return s, Gs, U, condition, ill


def _cov_factor(
    Uinv: Array, Gs: Array, s: Array, s0: Array, alpha: float, m: int, fit_intercept: bool
) -> tuple[Array, float]:
    """``W`` with ``(A^T A)^-1 = K W W^T K^T`` in working coordinates (the sandwich
    ``B A^T A B``, ``B = (A^T A + alpha I)^-1``, for ridge), and the trace of the hat
    matrix without the intercept."""
    n = Uinv.shape[0]
    W, dof = Uinv, float(n)
    if alpha > 0:
        Bs = Uinv @ Uinv.T
        BG = Bs @ (Gs - np.diag(alpha / s**2))
        W, dof = _psd_factor(BG @ Bs), float(np.trace(BG))
    if fit_intercept:
        W_full = np.zeros((n + 1, n + 1))  # block diagonal: the intercept, then W
        W_full[0, 0], W_full[1:, 1:] = s0[0] / np.sqrt(m), W
        W = W_full
    return W, dof
