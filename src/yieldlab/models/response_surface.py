"""Response-surface models: polynomials in the process settings, as DoE tools fit them.

:class:`ResponseSurface` fits ``y = b0 + sum_j b_j x_j + sum_{j<=k} b_jk x_j x_k + ...`` up
to any degree, with readable term names (``temperature``, ``temperature^2``,
``temperature*pressure``), optionally in coded units (-1 at the lowest setting of each
input, +1 at the highest, as JMP, Design-Expert and Minitab report), with the statistics
of :class:`~yieldlab.models._regression.LeastSquaresRegressor` and, for a quadratic, the
canonical analysis: the stationary point and whether it is a maximum, a minimum or a
saddle.

The polynomial terms are formed in double-double arithmetic
(:func:`~yieldlab.engine.extended.monomials`), so ``x**10`` carries no rounding into the
fit: with the QR solver and refinement the NIST Filip, Pontius and Wampler polynomials are
reproduced to 13 or more significant digits in original units.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..engine.extended import monomials
from ..engine.least_squares import prediction_variance
from ._data import feature_names, validate_xy
from ._regression import AliasingWarning, LeastSquaresRegressor, check_int

__all__ = ["AliasingWarning", "CanonicalAnalysis", "ResponseSurface", "polynomial_exponents"]

_MAX_TERMS = 100_000


def polynomial_exponents(n_features: int, degree: int, interactions: bool = True) -> np.ndarray:
    """Exponents of the polynomial terms, by total degree, without the constant.

    Parameters
    ----------
    n_features : int
    degree : int
    interactions : bool, default=True
        All products of total degree ``<= degree``; False gives pure powers only
        (``x_j, x_j^2, ..., x_j^degree``).

    Returns
    -------
    ndarray of int of shape (n_terms, n_features)

    Examples
    --------
    >>> polynomial_exponents(2, 2).tolist()
    [[1, 0], [0, 1], [2, 0], [1, 1], [0, 2]]
    >>> polynomial_exponents(2, 2, interactions=False).tolist()
    [[1, 0], [0, 1], [2, 0], [0, 2]]
    """
    rows = []
    for d in range(1, degree + 1):
        if interactions:
            combos = itertools.combinations_with_replacement(range(n_features), d)
        else:
            combos = ((j,) * d for j in range(n_features))
        rows += [np.bincount(c, minlength=n_features) for c in combos]
    return np.array(rows, dtype=int).reshape(-1, n_features)


def drop_aliased_powers(exponents: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The rows of ``exponents`` without powers ``x_j^k`` of inputs that take at most
    ``k`` distinct values in ``X`` (such a power is a combination of lower ones: the square
    of a 0/1 indicator is the indicator itself), and without products of inputs that are
    constant over ``X`` (two indicators of one categorical input are never 1 together:
    their product is 0, and in coded units a combination of the main effects).

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [1.0, 2.0], [0.0, 3.0]])
    >>> drop_aliased_powers(polynomial_exponents(2, 2), X).tolist()
    [[1, 0], [0, 1], [1, 1], [0, 2]]
    """
    levels = np.array([np.unique(X[:, j]).size for j in range(X.shape[1])])
    keep = np.all(exponents < np.maximum(levels, 1), axis=1)
    for row in np.flatnonzero(keep & ((exponents > 0).sum(axis=1) > 1)):
        if np.ptp(np.prod(X ** exponents[row], axis=1)) == 0.0:
            keep[row] = False
    return exponents[keep]


def _term_name(exponents: np.ndarray, names: list[str]) -> str:
    parts = [n if e == 1 else f"{n}^{e}" for n, e in zip(names, exponents, strict=True) if e]
    return "*".join(parts)


def _n_terms(n_features: int, degree: int, interactions: bool) -> int:
    if not interactions:
        return n_features * degree
    return math.comb(n_features + degree, degree) - 1


@dataclass(frozen=True)
class CanonicalAnalysis:
    """Canonical analysis of a quadratic response surface.

    With ``u`` the coded inputs (-1..+1 over the training range), the quadratic is
    ``y = y_s + sum_i lambda_i w_i^2`` in the rotated, shifted coordinates ``w = V^T (u -
    u_s)``: all ``lambda_i < 0`` is a maximum, all ``> 0`` a minimum, mixed signs a saddle.

    Attributes
    ----------
    stationary_point : dict of str to float
        Stationary point in original units, by input name.
    x : ndarray of shape (n_features,)
        The same as an array.
    x_coded : ndarray of shape (n_features,)
        In coded units; outside [-1, 1] means outside the region of the data.
    response : float
        Predicted mean response at the stationary point.
    response_std : float
        Its standard error.
    eigenvalues : ndarray of shape (n_features,)
        ``lambda``, in coded units, ascending.
    eigenvectors : ndarray of shape (n_features, n_features)
        ``V``, one column per eigenvalue.
    kind : {'maximum', 'minimum', 'saddle'}
    inside : bool
        The stationary point lies within the ranges of the training data.
    ridge : bool
        Some eigenvalue is numerically zero: a stationary ridge; the point given is the one
        nearest the centre of the data.
    """

    stationary_point: dict
    x: np.ndarray
    x_coded: np.ndarray
    response: float
    response_std: float
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    kind: str
    inside: bool
    ridge: bool

    def to_dict(self) -> dict:
        """All fields as a dict (arrays as lists)."""
        out = asdict(self)
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in out.items()}


class ResponseSurface(LeastSquaresRegressor):
    """Polynomial response surface fitted by least squares, with its statistics.

    Parameters
    ----------
    degree : int, default=2
        Highest total degree of the terms (1: linear, 2: quadratic, ...).
    interactions : bool, default=True
        Include products of different inputs (``temperature*pressure``); False keeps the
        pure powers only.
    coded : bool, default=False
        Fit in coded units ``u = (x - center) / half_range``, -1 at the lowest and +1 at
        the highest training value of each input, so coefficients are comparable effects;
        predictions always take original units.
    alpha : float, default=0.0
        Ridge penalty on the coefficients (not the intercept).
    fit_intercept : bool, default=True
    solver : {'auto', 'cholesky', 'qr', 'svd', 'gd'}, default='auto'
        See :class:`~yieldlab.models.linear.LinearRegression`.
    diagnostics : bool or 'auto', default='auto'
        Residuals, leverage, predicted R^2 and the lack-of-fit test (``'auto'``: up to
        20,000 runs; see :class:`~yieldlab.models.linear.LinearRegression`).
    skip_aliased_powers : bool, default=False
        Leave out the powers ``x^k`` of an input with at most ``k`` distinct training
        values (the square of a 0/1 indicator or of a two-level factor), which can only be
        aliased with lower terms. False keeps them and reports them as aliased.

    Attributes
    ----------
    term_names_ : list of str
        ``['intercept', 'temperature', 'pressure', 'temperature^2',
        'temperature*pressure', 'pressure^2']`` (input names from a DataFrame, else
        ``x0``, ``x1``, ...).
    exponents_ : ndarray of int of shape (n_terms - 1, n_features)
        Exponents of each term after the intercept.
    coef_ : ndarray of shape (n_terms - 1,)
    intercept_ : float
    input_names_ : list of str
    center_, half_range_ : ndarray of shape (n_features,)
        Coding of the inputs (midpoint and half-width of the training ranges).
    covariance_, resid_std_, dof_resid_, fit_statistics_, aliased_terms_, rank_,
    solver_, n_iter_, residuals_, leverage_ :
        As for :class:`~yieldlab.models.linear.LinearRegression`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-1.0, 3.0, 9).reshape(-1, 1)
    >>> y = 5.0 - (x[:, 0] - 1.0) ** 2
    >>> model = ResponseSurface(degree=2).fit(x, y)
    >>> model.term_names_
    ['intercept', 'x0', 'x0^2']
    >>> result = model.canonical_analysis()
    >>> result.kind, round(result.stationary_point["x0"], 10), round(result.response, 10)
    ('maximum', 1.0, 5.0)
    """

    def __init__(
        self,
        degree: int = 2,
        interactions: bool = True,
        coded: bool = False,
        alpha: float = 0.0,
        fit_intercept: bool = True,
        solver: str = "auto",
        diagnostics: bool | str = "auto",
        skip_aliased_powers: bool = False,
    ) -> None:
        self.degree = degree
        self.interactions = interactions
        self.coded = coded
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.diagnostics = diagnostics
        self.skip_aliased_powers = skip_aliased_powers

    def fit(self, X, y) -> ResponseSurface:
        """Fit the polynomial.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For NaN or inf, text in a numeric column, fewer runs than terms, or a bad
            parameter.
        """
        self._check_params()
        degree = check_int("degree", self.degree, 1)
        for name in ("interactions", "coded", "skip_aliased_powers"):
            if not isinstance(getattr(self, name), bool | np.bool_):
                raise TypeError(f"{name}={getattr(self, name)!r} has the wrong type; "
                                "expected True or False")  # fmt: skip
        X_valid, y_valid = validate_xy(self, X, y)
        n_samples, n_features = X_valid.shape
        n_terms = _n_terms(n_features, degree, bool(self.interactions))
        if n_terms <= _MAX_TERMS:
            exponents = polynomial_exponents(n_features, degree, bool(self.interactions))
            if self.skip_aliased_powers:
                exponents = drop_aliased_powers(exponents, X_valid)
            n_terms = len(exponents)
        if n_terms > _MAX_TERMS or (self.alpha == 0 and n_samples < n_terms):
            raise ValueError(
                f"X has n_samples={n_samples} but ResponseSurface(degree={degree}, "
                f"interactions={self.interactions}) on {n_features} inputs has "
                f"{n_terms + int(self.fit_intercept)} terms; least squares needs at least "
                "as many runs as terms. Add runs, lower the degree, set "
                "interactions=False, or set alpha > 0 (ridge)"
            )
        self.input_names_ = feature_names(X, n_features)
        low, high = X_valid.min(axis=0), X_valid.max(axis=0)
        half = (high - low) / 2.0
        self.center_ = low + half
        self.half_range_ = np.where(half > 0, half, 1.0)
        self.exponents_ = exponents
        names = [_term_name(e, self.input_names_) for e in self.exponents_]
        D, D_tail = self._design(X_valid)
        self._fit_design(D, D_tail, y_valid, X_valid, names, self.input_names_)
        return self

    def coded_units(self, X) -> np.ndarray:
        """Inputs in coded units, ``(X - center_) / half_range_`` (-1..+1 over the data)."""
        check_is_fitted(self)
        return (np.asarray(X, dtype=np.float64) - self.center_) / self.half_range_

    def original_units(self, U) -> np.ndarray:
        """Inverse of :meth:`coded_units`."""
        check_is_fitted(self)
        return self.center_ + np.asarray(U, dtype=np.float64) * self.half_range_

    def _design(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        U = (X - self.center_) / self.half_range_ if self.coded else X
        return monomials(U, self.exponents_)

    def _quadratic(self) -> tuple[np.ndarray, np.ndarray]:
        """``b`` and symmetric ``B`` of ``y = b0 + u^T b + u^T B u`` in coded units."""
        n = self.exponents_.shape[1]
        b, B = np.zeros(n), np.zeros((n, n))
        for coef, e in zip(self.coef_, self.exponents_, strict=True):
            j = np.flatnonzero(e)
            if e.sum() == 1:
                b[j[0]] = coef
            elif j.size == 1:
                B[j[0], j[0]] = coef
            else:
                B[j[0], j[1]] = B[j[1], j[0]] = coef / 2.0
        if not self.coded:  # x = c + h u
            h = self.half_range_
            b, B = h * (b + 2.0 * B @ self.center_), B * np.outer(h, h)
        return b, B

    def canonical_analysis(self) -> CanonicalAnalysis:
        """Stationary point of a quadratic and its nature (maximum, minimum, saddle).

        Solves ``grad y = b + 2 B u = 0`` in coded units and classifies the point by the
        signs of the eigenvalues of ``B``.

        Returns
        -------
        CanonicalAnalysis

        Raises
        ------
        ValueError
            When the model is not quadratic (``degree != 2``) or has no curvature.
        """
        check_is_fitted(self)
        if self.degree != 2:
            raise ValueError(
                f"canonical_analysis needs a quadratic model; this one has "
                f"degree={self.degree}. Fit ResponseSurface(degree=2)"
            )
        b, B = self._quadratic()
        lam, V = np.linalg.eigh(B)
        scale = np.max(np.abs(lam))
        if scale == 0:
            raise ValueError(
                "canonical_analysis: the quadratic terms are all zero, so the surface has "
                "no stationary point; check aliased_terms_ and the quadratic coefficients"
            )
        nonzero = np.abs(lam) > 1e-8 * scale
        # NOTE: on a ridge (an eigenvalue ~0) take the stationary point nearest the centre.
        u = -0.5 * V[:, nonzero] @ ((V[:, nonzero].T @ b) / lam[nonzero])
        x = self.center_ + u * self.half_range_
        D, D_tail = self._design(x[None, :])
        variance = prediction_variance(D, **self._factor_, fit_intercept=self.fit_intercept)
        if np.all(lam[nonzero] < 0):
            kind = "maximum"
        elif np.all(lam[nonzero] > 0):
            kind = "minimum"
        else:
            kind = "saddle"
        return CanonicalAnalysis(
            stationary_point={n: float(v) for n, v in zip(self.input_names_, x, strict=True)},
            x=x, x_coded=u, response=float(self._mean(D, D_tail)[0]),
            response_std=float(self.resid_std_ * np.sqrt(variance[0])), eigenvalues=lam,
            eigenvectors=V, kind=kind, inside=bool(np.all(np.abs(u) <= 1.0 + 1e-12)),
            ridge=bool(not nonzero.all()),
        )  # fmt: skip
