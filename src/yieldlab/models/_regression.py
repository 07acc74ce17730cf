"""The shared base of the least-squares estimators (layer 2): fit, predict, inference.

:class:`LeastSquaresRegressor` turns a design (the columns a model builds from ``X``) into a
fitted linear model with the statistics engineers read in JMP, Design-Expert, Minitab or
statsmodels: a coefficient table, R^2 and adjusted R^2, the residual standard deviation, the
overall F test, predicted R^2 from PRESS, an ANOVA table with lack of fit, standard errors
of mean predictions and prediction intervals. Subclasses say how the design is built
(:class:`~yieldlab.models.linear.LinearRegression`: the columns themselves;
:class:`~yieldlab.models.response_surface.ResponseSurface`: polynomial terms).

Aliased terms (linear combinations of earlier terms, as with a constant column, a copied
column or too few distinct runs) are never dropped silently: an :class:`AliasingWarning`
names them and how they depend on the others, their coefficient is 0 and their standard
error NaN, and every other number is that of the model without them. With a ridge penalty
the aliased terms keep the share of the effect the penalty gives them, but neither they nor
the terms they are aliased with are separately estimable: their standard errors, t and p are
NaN in :meth:`~LeastSquaresRegressor.summary`. A fit that leaves less than one residual
degree of freedom (as many terms as runs, fitted with a ridge penalty) warns too, and its
summary gives only the estimates (as without a penalty, where they are NaN anyway).
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from .._validation import check_choice, check_positive
from ..engine.extended import dd_matvec
from ..engine.least_squares import prediction_variance
from ..engine.linear import SOLVERS, fit_least_squares
from ._data import validate_features
from ._fit_statistics import alias_message, anova_table, fit_statistics, pure_error
from ._inference import coefficient_table, t_quantile

__all__ = ["AliasingWarning", "LeastSquaresRegressor"]

INTERVAL_KINDS = ("confidence", "prediction")
# diagnostics="auto" computes the per-run diagnostics up to this many runs: experiment
# tables, where leverage and PRESS matter; above it they cost a second pass over the data
# and predicted R^2 equals R^2 to many digits anyway
AUTO_DIAGNOSTICS_MAX_ROWS = 20_000
# below one residual degree of freedom (a ridge fit with as many terms as runs) the residual
# variance, and with it every standard error, t, p-value and interval, is not estimable
MIN_RESIDUAL_DOF = 1.0


class AliasingWarning(UserWarning):
    """Some terms of a linear model cannot be estimated: they are linear combinations of
    other terms (a constant column with an intercept, a duplicated column, too few distinct
    runs for the model). The message names them and the relation."""


class LeastSquaresRegressor(RegressorMixin, BaseEstimator):
    """Base class: a linear model fitted by least squares, with its inference.

    Subclasses define ``__init__`` (with at least ``fit_intercept``, ``solver``, ``alpha``
    and ``diagnostics``), ``fit`` (which calls :meth:`_fit_design`) and
    ``_design(X) -> (D, D_tail)``: the model columns for validated inputs ``X``
    (``D_tail`` the low-order part of double-double columns, or None).
    """

    # -------------------------------------------------------------------------- fitting
    def _check_params(self) -> None:
        check_choice("solver", self.solver, SOLVERS)
        check_positive("alpha", self.alpha, strict=False)
        if not isinstance(self.fit_intercept, bool | np.bool_):
            raise TypeError(
                f"fit_intercept={self.fit_intercept!r} has the wrong type; expected True or False"
            )
        if not (isinstance(self.diagnostics, bool | np.bool_) or self.diagnostics == "auto"):
            raise TypeError(
                f"diagnostics={self.diagnostics!r} has the wrong type; expected True, False or "
                "'auto'"
            )

    def _diagnostics(self, n_samples: int) -> bool:
        if self.diagnostics == "auto":
            return n_samples <= AUTO_DIAGNOSTICS_MAX_ROWS
        return bool(self.diagnostics)

    def _fit_design(
        self,
        D: np.ndarray,
        D_tail: np.ndarray | None,
        y: np.ndarray,
        X: np.ndarray,
        names: list[str],
        feature_names: list[str],
        finite: bool = True,
    ) -> None:
        """Fit ``y ~ D`` and set every fitted attribute.

        ``X`` holds the validated inputs (for constant columns and replicated runs),
        ``names`` the design's term names, ``feature_names`` the input column names;
        ``finite=False`` when ``D`` is not yet checked for NaN and infinity (see
        :func:`~yieldlab.engine.linear.fit_least_squares`).
        """
        fit_intercept = bool(self.fit_intercept)
        n_samples, n_terms = D.shape[0], D.shape[1] + int(fit_intercept)
        term_names = ["intercept", *names] if fit_intercept else list(names)
        if self.alpha == 0 and n_samples < n_terms:
            raise ValueError(
                f"X has n_samples={n_samples} but the model has {n_terms} terms "
                f"{term_names}; least squares needs at least as many runs as terms. Add "
                "runs, use fewer terms (e.g. a lower degree), or set alpha > 0 (ridge)"
            )
        fit = fit_least_squares(
            D, y, fit_intercept=fit_intercept, solver=self.solver, alpha=float(self.alpha),
            X_tail=D_tail, diagnostics=self._diagnostics(n_samples),
            max_iter=getattr(self, "max_iter", 100_000), tol=getattr(self, "tol", 1e-10),
            finite=finite,
        )  # fmt: skip
        aliases = fit
        if self.alpha > 0 and n_samples >= n_terms:
            # NOTE: the ridge solve is full rank whatever the design; the unpenalised QR
            # finds the terms the data cannot separate (a copied column, too few runs)
            aliases = fit_least_squares(
                D, y, fit_intercept=fit_intercept, solver="qr", X_tail=D_tail,
                diagnostics=False, finite=True,
            )  # fmt: skip
        self._warn(aliases, term_names, X, feature_names)
        pure = None
        if self._diagnostics(n_samples):
            pure = pure_error(X, y)
        elif fit.residuals is not None or fit.leverage is not None:
            # the same answer whichever solver ran (QR computes them anyway)
            fit = replace(fit, residuals=None, leverage=None)
        self._store(fit, y, term_names, pure)
        self.aliased_terms_ = [term_names[j] for j in np.flatnonzero(aliases.aliased)]

    def _warn(self, fit, term_names: list[str], X: np.ndarray, feature_names: list[str]):
        """Aliased terms (naming constant input columns) and unconverged solvers."""
        name = type(self).__name__
        constant = {}
        if fit.fit_intercept and fit.aliased.any():  # a pass over X, only when needed
            same = np.flatnonzero(np.all(X[:1] == X, axis=0))
            constant = {feature_names[j]: float(X[0, j]) for j in same}
        coded = " (in coded units)" if getattr(self, "coded", False) else ""
        message = alias_message(fit, term_names, constant, name + coded, float(self.alpha))
        self.alias_warning_ = message
        # a ridge fit's aliased terms share the effect with those they are aliased with:
        # none of them is separately estimable
        self._not_estimable_ = _related_terms(fit, term_names) if self.alpha > 0 else []
        if message is not None:
            warnings.warn(message, AliasingWarning, stacklevel=4)
        if fit.solver in ("qr", "svd") and not fit.converged:
            warnings.warn(
                f"{name}: iterative refinement did not converge (condition number "
                f"{fit.condition:.1e}), so the coefficients may have lost digits; the terms "
                "are nearly collinear: remove or combine some of them",
                UserWarning,
                stacklevel=4,
            )
        if fit.solver == "cholesky" and not fit.converged:
            warnings.warn(
                f"{name}: the normal equations (solver='cholesky') square the condition "
                f"number of these terms ({fit.condition:.1e}), so the coefficients and their "
                "standard errors may have lost digits; use the default solver='auto' (QR "
                "with refinement), or remove or combine nearly collinear terms",
                UserWarning,
                stacklevel=4,
            )
        if fit.solver == "gd" and not fit.converged:
            warnings.warn(
                f"{name}: gradient descent stopped after max_iter={fit.n_iter} iterations "
                "before reaching tol; increase max_iter, or use solver='auto' (the closed "
                "form)",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _store(self, fit, y: np.ndarray, term_names: list[str], pure) -> None:
        statistics = fit_statistics(fit, y, pure)
        variance = statistics["resid_std"] ** 2
        self.coef_ = fit.coef
        self.intercept_ = float(fit.intercept)
        self.term_names_ = term_names
        self.aliased_terms_ = [term_names[j] for j in np.flatnonzero(fit.aliased)]
        self.rank_ = int(fit.rank)
        self.solver_ = fit.solver
        self.n_iter_ = int(fit.n_iter)
        self.dof_resid_ = statistics["dof_resid"]
        self.resid_std_ = statistics["resid_std"]
        self.covariance_ = variance * fit.covariance()
        self.residuals_ = fit.residuals
        self.leverage_ = fit.leverage
        self.fit_statistics_ = statistics
        self._pure_error_ = pure
        self.dof_warning_ = None
        # (without a penalty every such number is NaN already: no warning needed)
        if self.alpha > 0 and self.dof_resid_ < MIN_RESIDUAL_DOF:
            self.dof_warning_ = (
                f"{type(self).__name__}: {len(term_names)} terms on {y.shape[0]} runs leave "
                f"{self.dof_resid_:.2g} residual degrees of freedom (the model interpolates "
                "the runs), so its standard errors, t, p-values and intervals cannot be "
                "estimated: summary() gives only the estimates. Add runs, or fit a smaller "
                "model (fewer terms, a lower degree)"
            )
            warnings.warn(self.dof_warning_, AliasingWarning, stacklevel=4)
        self._factor_ = {"center": fit.center, "scale": fit.scale, "cov_factor": fit.cov_factor}

    # ----------------------------------------------------------------------- prediction
    def _params(self) -> np.ndarray:
        return np.r_[self.intercept_, self.coef_] if self.fit_intercept else self.coef_

    def _mean(self, D: np.ndarray, D_tail: np.ndarray | None) -> np.ndarray:
        if D_tail is None:
            return D @ self.coef_ + self.intercept_
        hi, lo = dd_matvec(D, self.coef_, D_tail, np.full(D.shape[0], self.intercept_))
        return hi + lo

    def predict(self, X, return_std: bool = False):
        """Predict the mean response, optionally with its standard error.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard error of the *mean* prediction,
            ``sigma sqrt(a^T (A^T A)^-1 a)`` (add ``sigma^2`` under the root for a new
            observation; see :meth:`predict_interval`).

        Returns
        -------
        y_mean : ndarray of shape (n_samples,)
        y_std : ndarray of shape (n_samples,)
            Only with ``return_std=True``.
        """
        check_is_fitted(self)
        D, D_tail = self._design(validate_features(self, X, reset=False))
        mean = self._mean(D, D_tail)
        if not return_std:
            return mean
        variance = prediction_variance(D, **self._factor_, fit_intercept=self.fit_intercept)
        return mean, self.resid_std_ * np.sqrt(variance)

    def predict_interval(self, X, level: float = 0.95, kind: str = "prediction") -> np.ndarray:
        """Confidence interval of the mean, or prediction interval of a new observation.

        ``mean -/+ t_{level, dof} * se`` with ``se^2 = s_mean^2`` (``kind='confidence'``) or
        ``s_mean^2 + sigma^2`` (``kind='prediction'``).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        level : float, default=0.95
        kind : {'confidence', 'prediction'}, default='prediction'

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Lower and upper bounds (NaN without residual degrees of freedom).
        """
        check_choice("kind", kind, INTERVAL_KINDS)
        q = t_quantile(level, self.dof_resid_)
        mean, se = self.predict(X, return_std=True)
        if kind == "prediction":
            se = np.sqrt(se**2 + self.resid_std_**2)
        return np.column_stack([mean - q * se, mean + q * se])

    # ------------------------------------------------------------------------ inference
    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Coefficient table: estimate, standard error, t, p-value and confidence interval.

        Parameters
        ----------
        level : float, default=0.95
            Confidence level of ``ci_low`` and ``ci_high``.

        Returns
        -------
        DataFrame
            Indexed by term name, columns ``estimate, std_error, t, p_value, ci_low,
            ci_high``; ``attrs`` holds :attr:`fit_statistics_`, the aliased terms and the
            level. With ``alpha > 0`` (ridge) the estimates are biased and the tests are
            approximate (Wald tests with the sandwich covariance); the terms aliased with
            one another, and every term when less than one residual degree of freedom is
            left, have NaN standard errors, t, p and intervals: they are not estimable.
        """
        check_is_fitted(self)
        std_error = np.sqrt(np.diag(self.covariance_))
        if self.dof_resid_ < MIN_RESIDUAL_DOF:
            std_error = np.full_like(std_error, np.nan)
        for term in getattr(self, "_not_estimable_", []):
            std_error[self.term_names_.index(term)] = np.nan
        table = coefficient_table(
            self.term_names_, self._params(), std_error, self.dof_resid_, level
        )
        table.attrs.update(self.fit_statistics_)
        aliased = [*self.aliased_terms_, *getattr(self, "_not_estimable_", [])]
        table.attrs.update({"aliased": list(dict.fromkeys(aliased)), "level": level})
        return table

    def anova(self) -> pd.DataFrame:
        """Analysis of variance, as Design-Expert prints it.

        Rows: ``Model`` (all terms but the intercept), one row per term (partial, type III
        sum of squares: the increase in the residual sum of squares when that term alone is
        removed), ``Residual``, ``Lack of fit`` and ``Pure error`` (when runs are
        replicated) and ``Total`` (corrected for the mean when there is an intercept).

        Returns
        -------
        DataFrame
            Index ``source``, columns ``df, sum_sq, mean_sq, f, p_value``.
        """
        check_is_fitted(self)
        return anova_table(
            self.term_names_,
            self._params(),
            self.covariance_,
            self.fit_statistics_,
            self._pure_error_,
            bool(self.fit_intercept),
            self.aliased_terms_,
        )


def _related_terms(fit, term_names: list[str]) -> list[str]:
    """The aliased terms of ``fit`` and every term they are a combination of (not the
    intercept)."""
    related = set(np.flatnonzero(fit.aliased))
    for weights in fit.alias_relations.values():
        scale = np.max(np.abs(weights)) if weights.size else 0.0
        related |= {int(k) for k in np.flatnonzero(np.abs(weights) > 1e-9 * scale)}
    related.discard(0 if fit.fit_intercept else -1)
    return [term_names[k] for k in sorted(related)]


def check_int(name: str, value, minimum: int) -> int:
    """An integer parameter ``>= minimum`` (bool refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}={value!r} has the wrong type; expected an integer")
    if value < minimum:
        raise ValueError(f"{name}={value!r} is invalid; expected an integer >= {minimum}")
    return int(value)
