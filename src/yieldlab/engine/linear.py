"""Least squares, the first model of the notes: the closed form, exactly, and gradient descent.

The model ``y = b0 + X b + e`` is fitted by minimising the squared error, plus
``alpha ||b||^2`` for ridge (the intercept is never penalised)::

    C(b0, b) = ||y - b0 - X b||^2 + alpha ||b||^2

The notes solve ``dC/db = 0`` for one weight; ERRATA gives the general answer, computed here
in three ways (``solver``):

``'cholesky'``
    The normal equations ``(Z^T Z + alpha S^-2) c = Z^T (y - mean y)`` of the centred design
    with columns scaled to about unit norm (``Z = (X - mean) / s``, ``b = c / s``), by Cholesky,
    plus steps of iterative refinement. One BLAS ``syrk`` pass of ``n_samples *
    n_features**2`` flops: the fastest closed form. It squares the condition number, so
    ``'auto'`` uses it only on large, well-conditioned problems
    (:mod:`yieldlab.engine.normal_equations`).
``'qr'`` and ``'svd'``
    Householder QR (or the SVD) of the centred, scaled design, then iterative refinement of
    the solution *and* the residual (Björck's augmented system) with residuals computed in
    double-double arithmetic (:mod:`yieldlab.engine.extended`). Each step shrinks the error
    by about ``cond * 2**-53``, so the answer converges to the least-squares solution of the
    float64 data to the last digit or so, for scaled condition numbers up to ~1e14 (the
    NIST Filip polynomial has 1e15 unscaled, 4e9 centred and scaled)
    (:mod:`yieldlab.engine.refinement`).
``'gd'``
    The notes' gradient descent with a bias, ``w <- w - eta dC/dw`` (the sign fixed as in
    ERRATA), on standardised columns with ``eta = 1/L`` (see :func:`gradient_descent`).

``'auto'`` takes the normal equations when the problem is large enough for speed to matter
(``n_samples * n_features**2 >= 1e6``) and the scaled Gram matrix is well conditioned (LAPACK
``pocon`` estimate, ``cond(Z) <~ 1e3``); otherwise QR.

Scale factors are powers of two, which are exact in binary floating point. Terms that are
linear combinations of earlier terms (aliased) are detected in order, as R and JMP do, and get
the coefficient 0; ``'svd'`` gives instead the minimum-norm answer in the scaled coordinates.

Examples
--------
>>> import numpy as np
>>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
>>> fit = fit_least_squares(X, 1.0 + 2.0 * X[:, 0])
>>> float(fit.intercept), fit.coef.tolist()
(1.0, [2.0])
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np

from .._validation import check_choice, check_finite, check_numeric, check_positive
from ..exceptions import DivergenceError
from .least_squares import LeastSquaresFit
from .normal_equations import solve_normal_equations
from .optimizers import GradientDescent
from .refinement import solve_orthogonal

__all__ = ["SOLVERS", "GradientDescentResult", "LeastSquaresFit", "fit_least_squares",
           "gradient_descent"]  # fmt: skip

Array = np.ndarray
SOLVERS = ("auto", "cholesky", "qr", "svd", "gd")
_LARGE = 1_000_000  # n_samples * n_features**2 from which the normal equations pay off


class GradientDescentResult(NamedTuple):
    """Result of :func:`gradient_descent`."""

    coef: Array
    intercept: float
    n_iter: int
    converged: bool
    learning_rate: float


# --------------------------------------------------------------------------- gradient descent
def _design(X: Array, y: Array, *, check_x: bool) -> tuple[Array, Array]:
    """``X`` (2-D, at least one row) and ``y`` (1-D, as many rows, finite) as float arrays,
    or a ValueError that says which is wrong; ``X`` is checked for NaN and infinity when
    ``check_x``."""
    X = check_numeric("X", X)
    y = check_numeric("y", y)
    if X.ndim != 2:
        raise ValueError(
            f"X has shape {X.shape}; expected a 2-D array (n_samples, n_features): "
            "X.reshape(-1, 1) for one feature"
        )
    if X.shape[0] == 0:
        raise ValueError(f"X has no rows (shape {X.shape}); expected at least one sample")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y has shape {y.shape}; expected ({X.shape[0]},), one value per row of X"
        )
    check_finite("y", y[:, None])
    if check_x:
        check_finite("X", X)
    return X, y


def _check_descent(alpha: float, learning_rate: float | None, max_iter: int, tol: float):
    """The options of :func:`gradient_descent`, checked before any work."""
    check_positive("alpha", alpha, strict=False)
    if learning_rate is not None:
        check_positive("learning_rate", learning_rate)
    check_positive("max_iter", max_iter, integer=True)
    check_positive("tol", tol, strict=False)


def gradient_descent(
    X: Array,
    y: Array,
    *,
    fit_intercept: bool = True,
    alpha: float = 0.0,
    learning_rate: float | None = None,
    max_iter: int = 100_000,
    tol: float = 1e-10,
) -> GradientDescentResult:
    """The notes' gradient descent for a linear neuron with a bias.

    On standardised columns ``z = (x - mean) / std`` the cost and its gradients are::

        C(w, b) = 1/n sum_i (z_i w + b - y_i)^2 + alpha/n ||w / std||^2
        dC/dw   = 2/n sum_i z_i (z_i w + b - y_i) + 2 alpha/n w / std^2
        dC/db   = 2/n sum_i (z_i w + b - y_i)

    and each step is ``w <- w - eta dC/dw``, ``b <- b - eta dC/db`` (ERRATA: against the
    gradient), with :class:`~yieldlab.engine.optimizers.GradientDescent`. The step is
    ``eta = 1/L``, ``L`` the largest eigenvalue of the Hessian, which guarantees descent.
    The iteration stops when ``||grad|| / mu <= tol ||(w, b)||``, ``mu`` the smallest
    eigenvalue: a bound on the distance to the minimiser, so the answer agrees with the
    closed form to ``tol`` (relative, in the standardised coordinates). The number of
    iterations grows like ``L / mu``, the condition number of the scaled Gram matrix.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    fit_intercept : bool, default=True
    alpha : float, default=0.0
        Ridge penalty on the coefficients in the units of ``X``.
    learning_rate : float, optional
        ``eta``; default ``1/L``. Above ``2/L`` the iteration diverges.
    max_iter : int, default=100000
    tol : float, default=1e-10

    Returns
    -------
    GradientDescentResult
        ``coef`` (n_features,), ``intercept``, ``n_iter``, ``converged``, ``learning_rate``.

    Raises
    ------
    ValueError
        For data without rows, text, NaN or inf, or a bad option (``alpha < 0``,
        ``learning_rate <= 0``, ``max_iter < 1``, ``tol < 0``), naming it.
    TypeError
        For an option of the wrong type (``max_iter`` not an integer).
    DivergenceError
        When the iterates overflow (a ``learning_rate`` above ``2/L``).

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> res = gradient_descent(x, 1.0 + 2.0 * x[:, 0])
    >>> round(float(res.intercept), 8), np.round(res.coef, 8).tolist(), res.converged
    (1.0, [2.0], True)
    """
    _check_descent(alpha, learning_rate, max_iter, tol)
    X, y = _design(X, y, check_x=True)
    m, n = X.shape
    center = X.mean(axis=0) if fit_intercept else np.zeros(n)
    std = np.sqrt(np.mean((X - center) ** 2, axis=0))
    std[std == 0] = 1.0
    Z = (X - center) / std
    hessian = 2.0 / m * (Z.T @ Z + np.diag(alpha / std**2))
    lam = np.linalg.eigvalsh(hessian)
    curvature = np.r_[lam, 2.0] if fit_intercept else lam
    L, mu = float(curvature.max()), float(curvature.min())
    eta = 1.0 / L if learning_rate is None else float(learning_rate)
    optimizer = GradientDescent(learning_rate=eta)
    params = np.zeros(n + 1)  # [w, b]
    grads = np.zeros(n + 1)
    converged, n_iter = False, 0
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
        while n_iter < max_iter:
            n_iter += 1
            w, b = params[:n], params[n]
            e = Z @ w + b - y
            grads[:n] = 2.0 / m * (Z.T @ e + alpha * w / std**2)
            grads[n] = 2.0 / m * e.sum() if fit_intercept else 0.0
            size = float(np.linalg.norm(grads))
            if not np.isfinite(size):
                raise DivergenceError(
                    f"gradient descent diverged at iteration {n_iter}: learning_rate={eta!r} "
                    f"is above 2/L = {2.0 / L:.4g} (L, the largest curvature of the cost); "
                    "leave learning_rate=None for 1/L"
                )
            bound = size / mu if mu > 1e-12 * L else eta * size
            if bound <= tol * max(float(np.linalg.norm(params)), 1e-300):
                converged = True
                break
            optimizer.step(params, grads)
    coef = params[:n] / std
    intercept = float(params[n] - center @ coef) if fit_intercept else 0.0
    return GradientDescentResult(coef, intercept, n_iter, converged, eta)


# ------------------------------------------------------------------------------- entry point
def fit_least_squares(
    X: Array,
    y: Array,
    *,
    fit_intercept: bool = True,
    solver: str = "auto",
    alpha: float = 0.0,
    X_tail: Array | None = None,
    rtol: float | None = None,
    diagnostics: bool = True,
    max_iter: int = 100_000,
    tol: float = 1e-10,
    finite: bool = False,
) -> LeastSquaresFit:
    """Least-squares (or ridge) fit of ``y = b0 + X b``, with what inference needs.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Float64 design (validated by the caller), finite unless ``finite=False``.
    y : ndarray of shape (n_samples,)
    fit_intercept : bool, default=True
    solver : {'auto', 'cholesky', 'qr', 'svd', 'gd'}, default='auto'
        See the module docstring. ``'cholesky'`` falls back to ``'qr'`` when the Gram
        matrix is not numerically positive definite (``solver`` of the result says so);
        when the scaled design's condition number is above ``1e7`` its result has
        ``converged=False`` and that condition number (the estimators then warn).
        ``'gd'`` finds the coefficients by gradient descent and takes the statistics
        (covariance, leverage, aliasing) from the ``'auto'`` factorisation.
    alpha : float, default=0.0
        Ridge penalty ``alpha ||b||^2`` (intercept not penalised).
    X_tail : ndarray of shape (n_samples, n_features), optional
        Low-order part of the design: the exact design is ``X + X_tail`` (double-double,
        see :func:`~yieldlab.engine.extended.monomials`); used by the QR refinement.
    rtol : float, optional
        Relative tolerance of the alias (rank) detection; default
        ``max(n_samples, n_params) * eps``.
    diagnostics : bool, default=True
        Compute residuals and leverage. False lets the normal equations skip their second
        pass over ``X`` when it is not needed for accuracy (``residuals`` and ``leverage``
        are then None); the other solvers always compute them.
    max_iter, tol :
        Gradient descent only, see :func:`gradient_descent`.
    finite : bool, default=False
        Whether the caller has checked ``X`` for NaN and infinity (the estimators do);
        True skips every check of ``X``. False checks it without a pass of its own when the
        normal equations run: a NaN or inf makes their Gram matrix non-finite, and only
        then (or before any other solver) is ``X`` checked, raising the ``ValueError`` of
        :func:`~yieldlab._validation.check_finite`. The shapes of ``X`` and ``y`` and the
        values of ``y`` are always checked.

    Returns
    -------
    LeastSquaresFit

    Raises
    ------
    ValueError
        For data without rows, text in ``X`` or ``y`` (naming the entry), NaN or inf,
        shapes that do not match, or a bad option (naming it).

    Examples
    --------
    Two identical columns: the second is aliased with the first and gets 0.

    >>> X = np.array([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]])
    >>> fit = fit_least_squares(X, np.array([1.0, 2.0, 4.0]), fit_intercept=False)
    >>> fit.coef.round(12).tolist(), fit.aliased.tolist()
    ([1.0, 0.0], [False, True])
    """
    check_choice("solver", solver, SOLVERS)
    alpha = float(check_positive("alpha", alpha, strict=False))
    if solver == "gd":
        _check_descent(alpha, None, max_iter, tol)
    X, y = _design(X, y, check_x=False)
    m, n = X.shape
    fit = None
    if solver == "cholesky" or (solver in ("auto", "gd") and m * n**2 >= _LARGE):
        fit = solve_normal_equations(
            X, y, fit_intercept=fit_intercept, alpha=alpha,
            check_condition=solver != "cholesky", diagnostics=diagnostics or solver == "gd",
        )  # fmt: skip
    if fit is None and not finite:
        check_finite("X", X)
    if fit is None:
        fit = solve_orthogonal(
            X, y, fit_intercept=fit_intercept, alpha=alpha, X_tail=X_tail,
            method="svd" if solver == "svd" else "qr", rtol=rtol,
        )  # fmt: skip
    if solver != "gd":
        return fit
    keep = ~fit.aliased[int(fit_intercept) :]
    gd = gradient_descent(
        X[:, keep], y, fit_intercept=fit_intercept, alpha=alpha, max_iter=max_iter, tol=tol
    )
    coef = np.zeros(n)
    coef[keep] = gd.coef
    residuals = y - gd.intercept - X[:, keep] @ gd.coef
    return replace(
        fit, coef=coef, intercept=gd.intercept, residuals=residuals,
        rss=float(residuals @ residuals), solver="gd", n_iter=gd.n_iter,
        converged=gd.converged,
    )  # fmt: skip
