"""The formula model: the user writes the law, yieldlab fits its parameters (layer 2)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ..._validation import check_choice
from ...exceptions import ConvergenceError, DataError
from .._data import validate_features, validate_xy
from .._inference import coefficient_table, t_quantile
from .binding import (
    array_columns,
    bind_names,
    check_bounds,
    check_finite_start,
    check_start,
    transformed_target,
)
from .expression import evaluate
from .fitting import fit_problem, scaled_condition
from .parser import parse_formula
from .problem import Problem
from .response import Response

__all__ = ["FormulaModel"]


def _raise_if_undefined_in_data(problem: Any, formula: str) -> None:
    """Name the first row where the formula is undefined whatever the parameters (a
    division by a zero input, the log of a negative one), instead of blaming the starts."""
    rng = np.random.default_rng(0)
    undefined = np.ones(problem.n_samples, dtype=bool)
    thetas = [np.ones(len(problem.names)), *rng.uniform(0.1, 3.0, (4, len(problem.names)))]
    with np.errstate(all="ignore"):
        for theta in [*thetas, *(-t for t in thetas)]:
            undefined &= ~np.isfinite(problem.values(theta))
    if undefined.any() and not undefined.all():  # undefined everywhere: the formula's fault
        row = int(np.flatnonzero(undefined)[0])
        values = {name: float(column[row]) for name, column in problem.inputs.items()}
        raise DataError(
            f"{formula!r} is undefined at row {row} of the data ({values}) for every parameter "
            f"value tried ({int(undefined.sum())} such row(s)): a division by zero or the log "
            "or square root of a negative number there? Remove those rows or change the formula"
        )


class FormulaModel(RegressorMixin, BaseEstimator):
    """A model written as a formula, fitted by nonlinear least squares.

    ``formula`` is text such as ``"y = b1*(1 - exp(-b2*x))"`` or
    ``"log(y) = b1 - b2*x1*exp(-b3*x2)"``. Names on the right side that are columns of
    ``X`` are inputs (a DataFrame's column names; for an array ``x1, x2, ...`` numbered
    from 1, and ``x`` for a single column); every other name is a parameter. Allowed:
    numbers (``1.5e-3``), ``+ - * /``, ``**`` or ``^`` for a power, unary minus, ``pi``
    and the functions exp, log, log10, sqrt, sin, cos, tan, arctan (atan), sinh, cosh,
    tanh and abs. The text is parsed, never run as Python.

    The left side may transform the response (``log(y)``, ``sqrt(y)``, ``1/y``...): the
    fit minimises the squared residuals on that scale, and :meth:`predict` returns the
    response on its own scale by inverting the left side. It must invert back to every
    observed response: a power such as ``y^2`` inverts to the root ``>= 0``, so it is
    refused for a negative response (fit ``y`` itself, or shift it). Without a left side
    (``"b1*exp(-b2*x)"``), the formula is the model of ``y``.

    The fit uses the exact derivatives of the formula, a trust-region solver with
    parameter scaling polished by Levenberg-Marquardt and Gauss-Newton, and more starts
    when the first one fails (see :mod:`yieldlab.models.formula.fitting`). It reaches
    the certified values of all 27 NIST StRD nonlinear problems from both NIST starts.

    Parameters
    ----------
    formula : str
        ``response = model``, as above.
    start : dict or sequence, optional
        Starting values: a dict parameter -> value, or a sequence in order of first
        appearance in the formula. ``None`` chooses them automatically (said in
        :meth:`summary`).
    bounds : dict, optional
        Parameter -> ``(low, high)``; ``None`` for an open side.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted parameters.
    parameter_names_ : list of str
        Parameter names, in order of first appearance (the order of ``covariance_``).
    input_names_ : list of str
        Names of the formula that are inputs.
    covariance_ : ndarray of shape (n_parameters, n_parameters)
        ``s^2 (J^T J)^-1`` at the estimate (NaN when the parameters are not identifiable).
    resid_std_ : float
        Residual standard deviation ``s = sqrt(SSE / dof_resid_)`` on the fitting scale.
    dof_resid_ : int
        ``n_samples - n_parameters``.
    r2_ : float
        ``1 - SSE / SST`` on the fitting scale (may be negative for a poor model).
    fit_statistics_ : dict
        n_samples, n_parameters, dof_resid, r2, resid_std, sse, n_starts_tried,
        converged, condition_number, automatic_start, and start (``'given'``,
        ``'automatic'`` or ``'fallback'``: where the run that gave the estimate began).
    start_ : dict of str to float
        The start of the run that gave the estimate.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a DataFrame: the input columns used.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0, 3.0, 5.0, 7.0, 10.0])
    >>> y = np.array([109.0, 149.0, 149.0, 191.0, 213.0, 224.0])
    >>> model = FormulaModel("y = b1*(1 - exp(-b2*x))", start={"b1": 100, "b2": 0.75})
    >>> model = model.fit(x.reshape(-1, 1), y)
    >>> {k: round(v, 4) for k, v in model.params_.items()}
    {'b1': 213.8094, 'b2': 0.5472}
    """

    def __init__(self, formula: str, start: Any = None, bounds: Any = None) -> None:
        self.formula = formula
        self.start = start
        self.bounds = bounds

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # a formula fixes which inputs matter: on generic data (scikit-learn's checks use
        # ten columns, one informative at random) its score says nothing about the fit
        tags.regressor_tags.poor_score = True
        return tags

    # --- fitting -------------------------------------------------------------------------

    def _bind(self, X: Any, y: Any, response: Response, parsed):
        """Validate the data; return the input columns by name, y and the parameter names."""
        names = parsed.right.symbols()
        if _named_frame(X):
            columns = [str(c) for c in X.columns]
            inputs, parameters = bind_names(names, response.name, columns, self.start, True)
            selected = X.loc[:, [X.columns[columns.index(n)] for n in inputs]]
            X_arr, y_arr = validate_xy(self, selected, y)
            index = {name: j for j, name in enumerate(inputs)}
        else:
            X_arr, y_arr = validate_xy(self, X, y)
            index = array_columns(X_arr.shape[1])
            inputs, parameters = bind_names(names, response.name, index, self.start, False)
        return {name: X_arr[:, index[name]] for name in inputs}, y_arr, parameters

    def fit(self, X: Any, y: Any) -> FormulaModel:
        """Fit the parameters by nonlinear least squares.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The inputs: DataFrame columns named as in the formula, or an array whose
            columns are ``x1, x2, ...`` (``x`` when it has one column).
        y : array-like of shape (n_samples,)
            The response (before any transform of the left side).

        Returns
        -------
        self

        Raises
        ------
        FormulaError
            When the formula does not parse, uses a name or function that is not allowed,
            or needs an input that ``X`` does not have.
        ValueError
            For a bad start or bounds, a model that is not finite at the start, or fewer
            samples than parameters.
        ConvergenceError
            When no start gives a finite fit.
        DataError
            When the left side is not finite at a row of ``y`` (``log(y)`` of ``y <= 0``),
            or does not invert back to it (``y^2`` of a negative ``y``), naming the row.
        """
        parsed = parse_formula(self.formula)
        response = Response(parsed)
        inputs, y_arr, parameters = self._bind(X, y, response, parsed)
        n_samples, n_params = y_arr.shape[0], len(parameters)
        if n_samples < n_params:
            raise ValueError(
                f"X has {n_samples} sample{'s' if n_samples != 1 else ''} but the formula has "
                f"{n_params} parameters {parameters}; need at least {n_params} samples"
            )
        lower, upper = check_bounds(self.bounds, parameters, list(inputs))
        start = check_start(self.start, parameters, list(inputs), lower, upper)
        problem = Problem(parsed.right, inputs, transformed_target(response, y_arr), parameters)
        if start is not None:
            check_finite_start(problem, start, parsed.text)
        result = fit_problem(problem, start, lower, upper)
        if not np.isfinite(result.sse):
            _raise_if_undefined_in_data(problem, self.formula)
            raise ConvergenceError(
                f"no start gave a finite fit of {self.formula!r} after {result.n_starts_tried} "
                "starts; give starting values close to the expected parameters, or bounds"
            )
        self._parsed = parsed
        self._response = response
        self._store(problem, result, start)
        if self.dof_resid_ > 0 and not np.all(np.isfinite(self.covariance_)):
            warnings.warn(
                f"the parameters of {self.formula!r} are not identifiable from these data "
                "(the Jacobian is rank-deficient, e.g. a product a*b that only counts as one "
                "number): their standard errors and the predictions' std are undefined (NaN). "
                "Merge such parameters into one, or add experiments that separate them",
                UserWarning,
                stacklevel=2,
            )
        if not result.converged:
            warnings.warn(
                f"the fit of {self.formula!r} did not converge within the evaluation budget; "
                "the estimates may be inaccurate. Give better starting values",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _store(self, problem: Problem, result, start: np.ndarray | None) -> None:
        theta = result.theta
        self.parameter_names_ = list(problem.names)
        self.input_names_ = list(problem.inputs)
        if result.automatic_start:
            start_kind = "automatic"
        else:
            start_kind = "given" if np.array_equal(result.start, start) else "fallback"
        names = self.parameter_names_
        _, jacobian = problem.evaluate(theta)
        n_samples, n_params = jacobian.shape
        dof = n_samples - n_params
        sse = float(result.sse)
        z = problem.target
        sst = float(np.sum((z - z.mean()) ** 2))
        condition = scaled_condition(jacobian)
        self.params_ = {name: float(value) for name, value in zip(names, theta, strict=True)}
        self.start_ = {name: float(value) for name, value in zip(names, result.start, strict=True)}
        self.dof_resid_ = dof
        self.resid_std_ = float(np.sqrt(sse / dof)) if dof > 0 else float("nan")
        self.r2_ = 1.0 - sse / sst if sst > 0 else float("nan")
        self.covariance_ = _covariance(jacobian, self.resid_std_**2)
        self.fit_statistics_ = {
            "n_samples": n_samples,
            "n_parameters": n_params,
            "dof_resid": dof,
            "r2": self.r2_,
            "resid_std": self.resid_std_,
            "sse": sse,
            "n_starts_tried": result.n_starts_tried,
            "converged": bool(result.converged),
            "condition_number": condition,
            "automatic_start": bool(result.automatic_start),
            "start": start_kind,
        }

    # --- reporting -----------------------------------------------------------------------

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Parameter table with standard errors, t tests and confidence intervals.

        Parameters
        ----------
        level : float, default=0.95
            Confidence level of ``ci_low``/``ci_high`` (Wald intervals from Student's t
            with ``dof_resid_`` degrees of freedom).

        Returns
        -------
        DataFrame
            Indexed by parameter, columns ``estimate, std_error, t, p_value, ci_low,
            ci_high``; ``.attrs`` holds the formula, the fit statistics and ``notes``
            (starting values chosen automatically, fallbacks, identifiability).
        """
        check_is_fitted(self)
        names = self.parameter_names_
        estimates = np.array([self.params_[n] for n in names])
        std_errors = np.sqrt(np.diag(self.covariance_))
        table = coefficient_table(names, estimates, std_errors, self.dof_resid_, level)
        table.index.name = "parameter"
        table.attrs.update(self.fit_statistics_)
        table.attrs["formula"] = self.formula
        table.attrs["notes"] = self._notes()
        return table

    def _notes(self) -> list[str]:
        stats = self.fit_statistics_
        notes = []
        if stats["automatic_start"]:
            values = ", ".join(f"{k}={v:.6g}" for k, v in self.start_.items())
            notes.append(f"starting values were chosen automatically ({values})")
        elif stats["start"] == "fallback":
            values = ", ".join(f"{k}={v:.6g}" for k, v in self.start_.items())
            notes.append(
                "the run from the given start failed or stopped in a local minimum; the "
                f"estimate comes from another of {stats['n_starts_tried']} starts ({values})"
            )
        elif stats["n_starts_tried"] > 1:
            notes.append(
                f"the run from the given start looked doubtful, so {stats['n_starts_tried'] - 1}"
                " more starts were tried; none did better"
            )
        if not stats["converged"]:
            notes.append("the solver did not converge: the estimates may be inaccurate")
        if self.dof_resid_ == 0:
            notes.append(
                "no residual degrees of freedom (as many samples as parameters): the curve "
                "passes through the data and standard errors are undefined"
            )
        elif not np.all(np.isfinite(self.covariance_)):
            notes.append(
                "the parameters are not identifiable from these data (the Jacobian is "
                "rank-deficient): standard errors are undefined"
            )
        if self._response.transformed:
            notes.append(
                f"fitted on the scale of {self._response.describe()}: resid_std and r2 are on "
                "that scale"
            )
        return notes

    # --- prediction ----------------------------------------------------------------------

    def _environment(self, X: Any) -> tuple[dict[str, Any], int]:
        check_is_fitted(self)
        if _named_frame(X) and hasattr(self, "feature_names_in_"):
            columns = [str(c) for c in X.columns]
            missing = [n for n in self.feature_names_in_ if n not in columns]
            if missing:
                raise DataError(
                    f"X has no column {missing[0]!r}, which the formula uses as an input; "
                    f"columns are {columns}"
                )
            X = X.loc[:, [X.columns[columns.index(n)] for n in self.feature_names_in_]]
        X_arr = validate_features(self, X, reset=False)
        if hasattr(self, "feature_names_in_"):
            index = {str(n): j for j, n in enumerate(self.feature_names_in_)}
        else:
            index = array_columns(X_arr.shape[1])
        env: dict[str, Any] = {n: X_arr[:, index[n]] for n in self.input_names_}
        env.update(self.params_)
        return env, X_arr.shape[0]

    def _fitted_scale(self, X: Any, with_jacobian: bool):
        env, n_samples = self._environment(X)
        if not with_jacobian:
            return evaluate(self._parsed.right, env, n_samples=n_samples), None
        names = self.parameter_names_
        return evaluate(self._parsed.right, env, names, n_samples=n_samples)

    def predict(self, X: Any, return_std: bool = False):
        """Predicted response (on the scale of the response, not of the left side).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard error of the predicted mean (delta method:
            ``sqrt(g J C J^T g)`` with ``J`` the Jacobian of the formula, ``C`` the
            covariance of the estimates and ``g`` the slope of the inverse left side).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        y_std : ndarray of shape (n_samples,)
            Only when ``return_std``.
        """
        value, jacobian = self._fitted_scale(X, return_std)
        prediction = self._response.untransform(value)
        if not return_std:
            return prediction
        slope = np.abs(self._response.slope(value))
        return prediction, slope * _mean_std(jacobian, self.covariance_)

    def predict_interval(
        self, X: Any, level: float = 0.95, kind: str = "prediction"
    ) -> np.ndarray:
        """Confidence interval of the mean, or prediction interval of a new observation.

        Computed on the fitting scale, ``f +/- t * sqrt(se_f^2 [+ s^2])``, then mapped
        through the inverse of the left side (so it stays asymmetric and inside the
        response's domain for ``log(y)`` and the like).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        level : float, default=0.95
        kind : {'prediction', 'confidence'}, default='prediction'

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Lower and upper limits.
        """
        check_choice("kind", kind, ["confidence", "prediction"])
        q = t_quantile(level, self.dof_resid_)
        value, jacobian = self._fitted_scale(X, True)
        variance = _mean_std(jacobian, self.covariance_) ** 2
        if kind == "prediction":
            variance = variance + self.resid_std_**2
        half = q * np.sqrt(variance)
        ends = np.column_stack([value - half, value + half])
        return np.sort(self._response.untransform(ends), axis=1)


def _named_frame(X: Any) -> bool:
    """A DataFrame whose columns are all strings (else its columns are x1, x2... as for an
    array, following scikit-learn, which only takes string column names as names)."""
    return isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns)


def _covariance(jacobian: np.ndarray, variance: float) -> np.ndarray:
    """``variance * (J^T J)^-1`` by the SVD of the column-scaled Jacobian; NaN if singular."""
    n_params = jacobian.shape[1]
    norms = np.linalg.norm(jacobian, axis=0)
    if not np.all(np.isfinite(jacobian)) or np.any(norms == 0):
        return np.full((n_params, n_params), np.nan)
    _, singular, Vt = np.linalg.svd(jacobian / norms, full_matrices=False)
    if singular[-1] <= singular[0] * np.finfo(float).eps * max(jacobian.shape):
        return np.full((n_params, n_params), np.nan)
    inverse = (Vt.T / singular**2) @ Vt
    return variance * inverse / np.outer(norms, norms)


def _mean_std(jacobian: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """``sqrt(diag(J C J^T))`` without forming the n x n matrix."""
    return np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", jacobian, covariance, jacobian), 0.0))
