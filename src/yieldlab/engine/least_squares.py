"""Closed-form least squares: the result type, and the working coordinates it is kept in.

Both closed forms, the normal equations (:mod:`yieldlab.engine.normal_equations`) and QR or
SVD with refinement (:mod:`yieldlab.engine.refinement`), solve
``min ||y - b0 - X b||^2 + alpha ||b||^2`` in *working coordinates*: the centred design with
columns scaled by powers of two (exact in binary floating point),
``z = [1 / scale[0], (x - center) / scale[1:]]``, parameters ``theta = K phi``. Both return
a :class:`LeastSquaresFit`, whose covariance and prediction variance are computed from a
factor in those coordinates; :mod:`yieldlab.engine.linear` chooses between the solvers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["LeastSquaresFit", "prediction_variance"]

Array = np.ndarray
_EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class LeastSquaresFit:
    """Result of :func:`fit_least_squares`.

    Parameters are ``[intercept, coef...]`` (without the intercept when ``fit_intercept``
    is False). *Working coordinates* are those of the centred, scaled design
    ``z = [1 / scale[0], (x - center) / scale[1:]]``, in which the factorisation is done.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        Coefficients (0 for aliased terms with ``'qr'``/``'cholesky'``).
    intercept : float
        0.0 without an intercept.
    residuals : ndarray of shape (n_samples,) or None
        ``y - intercept - X coef`` (None when skipped, see ``diagnostics``).
    leverage : ndarray of shape (n_samples,) or None
        Diagonal of the hat matrix (of the ridge smoother when ``alpha > 0``).
    rss : float
        Residual sum of squares.
    aliased : ndarray of bool of shape (n_params,)
        Terms whose coefficient cannot be estimated (linear combinations of other terms).
    alias_relations : dict of int to ndarray of shape (n_params,)
        For each aliased parameter ``j`` (``'qr'``), the weights ``w`` with
        ``column_j = sum_t w[t] column_t`` over the estimated terms (intercept column = 1).
    center, scale : ndarray
        Column means (zeros without intercept), shape (n_features,), and scale factors,
        shape (n_params,).
    cov_factor : ndarray of shape (n_params, rank)
        ``W`` with ``(A^T A)^-1 = K W W^T K^T`` in working coordinates (the sandwich
        ``B A^T A B``, ``B = (A^T A + alpha I)^-1``, for ridge).
    rank : int
    dof_model : float
        Trace of the hat matrix: ``rank`` without ridge.
    condition : float
        2-norm condition number of the scaled design (an estimate for ``'cholesky'``).
    solver : str
        The solver that produced ``coef``.
    n_iter : int
        Refinement steps, or gradient-descent iterations for ``'gd'``.
    converged : bool
    tss : float or None
        Total sum of squares of ``y`` (about its mean with an intercept, about zero
        without), when the solver had it accurately on the way; else None.
    """

    coef: Array
    intercept: float
    residuals: Array | None
    leverage: Array | None
    aliased: Array
    center: Array
    scale: Array
    cov_factor: Array
    rank: int
    dof_model: float
    condition: float
    solver: str
    n_iter: int
    fit_intercept: bool
    rss: float
    converged: bool = True
    alias_relations: dict = field(default_factory=dict)
    tss: float | None = None

    @property
    def params(self) -> Array:
        """``[intercept, *coef]``, or ``coef`` without an intercept."""
        return np.r_[self.intercept, self.coef] if self.fit_intercept else self.coef.copy()

    def covariance(self) -> Array:
        """Unscaled covariance ``(A^T A)^-1`` of the parameters (times ``sigma^2`` gives
        the covariance); NaN rows and columns for aliased terms.

        Returns
        -------
        ndarray of shape (n_params, n_params)
        """
        KW = _to_params(self.cov_factor, self.center, self.scale, self.fit_intercept)
        cov = KW @ KW.T
        cov[self.aliased, :] = np.nan
        cov[:, self.aliased] = np.nan
        return cov

    def prediction_variance(self, X: Array) -> Array:
        """Unscaled variance of the fitted mean at the rows of ``X``; see
        :func:`prediction_variance`."""
        return prediction_variance(
            X, self.center, self.scale, self.cov_factor, fit_intercept=self.fit_intercept
        )


def prediction_variance(
    X: Array, center: Array, scale: Array, cov_factor: Array, *, fit_intercept: bool
) -> Array:
    """Unscaled variance ``a^T (A^T A)^-1 a`` of the fitted mean at the rows ``a = [1, x]``.

    Computed as ``||W^T z||^2`` in working coordinates (a sum of squares, so it does not
    cancel even where ``(A^T A)^-1`` has huge entries of both signs).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    center, scale, cov_factor : ndarray
        From a :class:`LeastSquaresFit`.
    fit_intercept : bool

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    H = _working_rows(X, center, scale, fit_intercept) @ cov_factor
    return np.einsum("ij,ij->i", H, H)


def _pow2(norms: Array) -> Array:
    """Powers of two nearest to ``norms`` (1 where zero): scale factors without rounding."""
    out = np.ones_like(norms, dtype=np.float64)
    ok = np.isfinite(norms) & (norms > 0)
    out[ok] = np.exp2(np.round(np.log2(norms[ok])))
    return out


def _working_rows(X: Array, center: Array, scale: Array, fit_intercept: bool) -> Array:
    Z = (X - center) / scale[int(fit_intercept) :]
    if fit_intercept:
        Z = np.hstack([np.full((X.shape[0], 1), 1.0 / scale[0]), Z])
    return Z


def _to_params(phi: Array, center: Array, scale: Array, fit_intercept: bool) -> Array:
    """``K phi``: working coordinates to parameters (rows of a matrix ``phi`` too)."""
    phi = np.asarray(phi, dtype=np.float64)
    col = phi.reshape(phi.shape[0], -1)
    if not fit_intercept:
        return (col / scale[:, None]).reshape(phi.shape)
    b = col[1:] / scale[1:, None]
    b0 = col[:1] / scale[0] - center @ b
    return np.vstack([b0, b]).reshape(phi.shape)


def _to_working(g: Array, center: Array, scale: Array, fit_intercept: bool) -> Array:
    """``K^T g``: a gradient over the parameters into working coordinates."""
    if not fit_intercept:
        return g / scale
    return np.r_[g[0] / scale[0], (g[1:] - center * g[0]) / scale[1:]]


def _psd_factor(C: Array) -> Array:
    """``W`` with ``W W^T = C`` for a symmetric positive semidefinite ``C`` (ridge)."""
    lam, V = np.linalg.eigh((C + C.T) / 2.0)
    return V * np.sqrt(np.clip(lam, 0.0, None))


# The normal-equations solver lived here; its old import path still works. (Looked up when
# asked for: normal_equations imports this module, so an import at the top would be a cycle.)
_MOVED = {"design_condition", "solve_normal_equations"}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from . import normal_equations

        return getattr(normal_equations, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
