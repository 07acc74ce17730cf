"""Linear regression by least squares, exact and fast, with its statistics (layer 2).

:class:`LinearRegression` fits ``y = b0 + X b`` on the columns as given, by the closed form
of the notes (see :mod:`yieldlab.engine.linear` for the solvers: normal equations on large
well-conditioned problems, QR with double-double refinement otherwise, or the notes'
gradient descent), and reports what JMP, Minitab or statsmodels report: a coefficient table,
R^2, adjusted and predicted R^2, the F test, an ANOVA table, and standard errors and
intervals for predictions.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive
from ._data import feature_names, validate_xy
from ._regression import AliasingWarning, LeastSquaresRegressor, check_int

__all__ = ["AliasingWarning", "LinearRegression"]


class LinearRegression(LeastSquaresRegressor):
    """Ordinary least squares (or ridge) with inference, scikit-learn compatible.

    Minimises ``||y - b0 - X b||^2 + alpha ||b||^2`` (the intercept is not penalised).

    Parameters
    ----------
    fit_intercept : bool, default=True
        Estimate ``b0``. Without it, R^2 and the F test use the total sum of squares about
        zero (as statsmodels and the NIST certified values do).
    solver : {'auto', 'cholesky', 'qr', 'svd', 'gd'}, default='auto'
        ``'auto'``: the normal equations (Cholesky) on large (``n_samples *
        n_features**2 >= 1e6``), well-conditioned problems, else ``'qr'``.
        ``'cholesky'``: always the normal equations (fast; loses digits when the columns are
        nearly collinear). ``'qr'``: QR of the centred, scaled design with iterative
        refinement in double-double precision (exact to about the last digit; aliased terms
        get 0). ``'svd'``: like ``'qr'``, but aliased terms get the minimum-norm estimates.
        ``'gd'``: the notes' gradient descent with a bias (``w <- w - eta dC/dw``,
        ``eta = 1/L``), which stops when its certified distance to the minimiser is below
        ``tol``; the statistics come from the closed-form factorisation.
    alpha : float, default=0.0
        Ridge penalty; ``0`` is ordinary least squares. With ``alpha > 0`` the standard
        errors use the sandwich covariance and the degrees of freedom the trace of the hat
        matrix; tests are then approximate.
    diagnostics : bool or 'auto', default='auto'
        Compute the per-run diagnostics: residuals, leverage, PRESS and predicted R^2, and
        the lack-of-fit test from replicated runs. False skips them (a second pass over the
        data and a hash of the rows); those statistics are then NaN (and ``residuals_``,
        ``leverage_`` None). ``'auto'`` computes them up to 20,000 runs: on larger tables
        they cost more than the fit itself, and predicted R^2 equals R^2 to many digits.
    max_iter : int, default=100000
        Gradient descent only.
    tol : float, default=1e-10
        Gradient descent only: relative distance to the minimiser at which it stops.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients (0 for aliased terms).
    intercept_ : float
        0.0 when ``fit_intercept=False``.
    term_names_ : list of str
        ``['intercept', *feature names]`` (column names of a DataFrame, else ``x0``, ...).
    covariance_ : ndarray of shape (n_terms, n_terms)
        Covariance of the estimates, in the order of ``term_names_`` (NaN for aliased).
    resid_std_ : float
        Residual standard deviation ``sigma = sqrt(RSS / dof_resid)``.
    dof_resid_ : float
        Residual degrees of freedom ``n_samples - rank`` (``- trace(H)`` for ridge).
    fit_statistics_ : dict
        ``n_samples, n_parameters, dof_resid, r2, adj_r2, resid_std, f_statistic,
        f_pvalue, pred_r2, press, aic, bic, lack_of_fit_pvalue, condition_number, ...``
    aliased_terms_ : list of str
    rank_ : int
    solver_ : str
        The solver that produced the coefficients.
    n_iter_ : int
        Refinement steps, or gradient-descent iterations.
    residuals_, leverage_ : ndarray of shape (n_samples,) or None
        Residuals and hat-matrix diagonal of the training runs (None without diagnostics).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a DataFrame.

    Warns
    -----
    AliasingWarning
        When terms are aliased (e.g. a constant column with an intercept), naming them.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> model = LinearRegression().fit(X, np.array([3.1, 4.9, 7.2, 8.8]))
    >>> round(model.intercept_, 6), model.coef_.round(6).tolist()
    (1.15, [1.94])
    >>> model.summary().round(3).loc["x0", ["estimate", "std_error"]].tolist()
    [1.94, 0.091]
    """

    def __init__(
        self,
        fit_intercept: bool = True,
        solver: str = "auto",
        alpha: float = 0.0,
        diagnostics: bool | str = "auto",
        max_iter: int = 100_000,
        tol: float = 1e-10,
    ) -> None:
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.alpha = alpha
        self.diagnostics = diagnostics
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y) -> LinearRegression:
        """Fit the model.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric, finite.
        y : array-like of shape (n_samples,)

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For NaN or inf (naming row and column), text in a numeric column, fewer rows
            than terms, or a bad parameter.
        """
        self._check_params()
        check_int("max_iter", self.max_iter, 1)
        check_positive("tol", self.tol)
        # NOTE: X is checked for NaN and inf by the fit (for free in the normal equations)
        X_valid, y_valid = validate_xy(self, X, y, finite_x=False)
        names = feature_names(X, X_valid.shape[1])
        self._fit_design(X_valid, None, y_valid, X_valid, names, names, finite=False)
        return self

    def _design(self, X: np.ndarray) -> tuple[np.ndarray, None]:
        return X, None
