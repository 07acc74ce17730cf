"""Predictive uncertainty for every candidate, and its calibration (layer 3).

Every model AutoModel can select answers ``predict(X, return_std=True)`` with the
*predictive* standard deviation: the spread of a new observation at ``X``, noise included,
not only the uncertainty of the fitted mean.

* Least-squares and formula models know the standard error of their mean ``s_mean(x)`` and
  the residual standard deviation ``sigma``: ``std^2 = s_mean(x)^2 + sigma^2``.
* Ensembles (networks, trees) add the spread of their members to a noise level estimated
  on rows the members did not see: ``std^2 = var_m f_m(x) + sigma^2``
  (:func:`ensemble_mean_std`).
* Gaussian processes and any estimator whose ``predict`` takes ``return_std`` give it
  themselves; an estimator without any gets a constant, which calibration scales to its
  cross-validated error (:class:`PredictiveStd`).
* A blend of candidates (:class:`Blend`, weights by greedy ensemble selection,
  :func:`greedy_weights`) predicts the mixture of its members' distributions.

:class:`Calibrator` then corrects what the models believe with what cross-validation saw.
From the out-of-fold standardized residuals ``z_i = (y_i - mu_i) / s_i`` it takes the scale
``c = sqrt(mean z^2)`` (the maximum-likelihood correction of a Gaussian), and for intervals
the empirical quantiles of ``|z| / c`` with the finite-sample rank of split conformal
prediction, ``ceil((m + 1) level)``: so a 95% interval covers about 95% of new runs even
when the errors are not Gaussian.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..models._data import feature_names, validate_features, validate_xy

if TYPE_CHECKING:
    from .selection import FoldResult, Split

__all__ = [
    "Blend",
    "Calibrator",
    "Ensemble",
    "PredictiveStd",
    "blend_folds",
    "ensemble_mean_std",
    "greedy_weights",
    "predict_mean_std",
    "single_threaded",
    "validated_frame",
]

# standardized residuals beyond this are clipped before estimating the scale, so one wild
# prediction cannot widen every interval
_Z_CLIP = 10.0


def _takes_return_std(estimator: Any) -> bool:
    try:
        return "return_std" in inspect.signature(estimator.predict).parameters
    except (TypeError, ValueError, AttributeError):
        return False


def single_threaded(method: Callable) -> Callable:
    """Run ``method`` with BLAS and OpenMP on one thread.

    NOTE: the candidates multiply small matrices, where threads only add overhead; on a
    busy machine oversubscribed BLAS threads made a network's training 50 times slower
    (measured). Parallelism belongs to the independent fits (joblib).
    """

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with threadpool_limits(limits=1):
            return method(*args, **kwargs)

    return wrapper


def predict_mean_std(estimator: Any, X: Any) -> tuple[np.ndarray, np.ndarray]:
    """Mean and predictive standard deviation from a fitted candidate.

    Parameters
    ----------
    estimator : fitted estimator
        A candidate whose ``predict`` takes ``return_std`` (all of AutoModel's do).
    X : array-like or DataFrame of shape (n_samples, n_features)

    Returns
    -------
    mean, std : ndarray of shape (n_samples,)
    """
    mean, std = estimator.predict(X, return_std=True)
    return np.asarray(mean, dtype=float).ravel(), np.asarray(std, dtype=float).ravel()


def ensemble_mean_std(predictions: np.ndarray, noise_std: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean and predictive standard deviation of an ensemble.

    ``mu(x) = mean_m f_m(x)``, ``std(x)^2 = var_m f_m(x) + sigma^2``: the members'
    disagreement (what the data do not pin down) plus the noise of a new observation.

    Parameters
    ----------
    predictions : ndarray of shape (n_members, n_samples)
    noise_std : float
        ``sigma``.

    Returns
    -------
    mean, std : ndarray of shape (n_samples,)

    Examples
    --------
    >>> mean, std = ensemble_mean_std(np.array([[1.0, 2.0], [3.0, 2.0]]), 0.0)
    >>> mean.tolist(), std.tolist()
    ([2.0, 2.0], [1.0, 0.0])
    """
    mean = predictions.mean(axis=0)
    spread = predictions.var(axis=0) if predictions.shape[0] > 1 else np.zeros_like(mean)
    return mean, np.sqrt(spread + noise_std**2)


def validated_frame(estimator: Any, X: Any, *, fit: bool, y: Any = None):
    """Validated inputs as a float array and as a DataFrame with the column names (and
    ``y`` when fitting; ``fit=True`` records ``input_names_`` on ``estimator``)."""
    if fit:
        X_arr, y_arr = validate_xy(estimator, X, y)
        estimator.input_names_ = feature_names(X, X_arr.shape[1])
    else:
        X_arr, y_arr = validate_features(estimator, X, reset=False), None
    return X_arr, pd.DataFrame(X_arr, columns=estimator.input_names_), y_arr


class Ensemble(RegressorMixin, BaseEstimator):
    """Base of ensemble candidates: the members' mean, with :func:`ensemble_mean_std`.

    Subclasses fit ``members_`` (regressors on the validated array, transformed by
    ``_inputs``) and ``noise_std_`` (the error of a member on rows it did not see).
    """

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        return X

    @single_threaded
    def predict(self, X: Any, return_std: bool = False):
        """Mean, shape (n_samples,); with ``return_std`` also the predictive std."""
        check_is_fitted(self, "members_")
        X, _, _ = validated_frame(self, X, fit=False)
        X = self._inputs(X)
        predictions = np.array([member.predict(X) for member in self.members_])
        mean, std = ensemble_mean_std(predictions, self.noise_std_)
        return (mean, std) if return_std else mean


class Blend(RegressorMixin, BaseEstimator):
    """Weighted average of candidates, with the spread of the mixture as predictive std.

    ``mu(x) = sum_i w_i mu_i(x)``, ``std(x)^2 = sum_i w_i (s_i(x)^2 + mu_i(x)^2) - mu(x)^2``:
    the predictive distribution is the mixture of the members' (each member's own spread
    plus their disagreement).

    Parameters
    ----------
    estimators : list of (str, estimator)
        Candidates whose ``predict`` takes ``return_std``.
    weights : list of float
        Non-negative, summing to 1 (members with weight 0 are not fitted).

    Attributes
    ----------
    members_ : list of (str, fitted estimator, float)

    Examples
    --------
    >>> from yieldlab.models.linear import LinearRegression
    >>> X, y = np.arange(8.0).reshape(-1, 1), np.arange(8.0) ** 1.5
    >>> line = PredictiveStd(LinearRegression())
    >>> blend = Blend([("a", line), ("b", line)], [0.5, 0.5]).fit(X, y)
    >>> bool(np.allclose(blend.predict(X), line.fit(X, y).predict(X)))
    True
    """

    def __init__(self, estimators: list, weights: list) -> None:
        self.estimators = estimators
        self.weights = weights

    def fit(self, X: Any, y: Any) -> Blend:
        """Fit every member with a positive weight on ``X`` (n_samples, n_features), ``y``."""
        self.members_ = [
            (name, clone(estimator).fit(X, y), float(weight))
            for (name, estimator), weight in zip(self.estimators, self.weights, strict=True)
            if weight > 0
        ]
        first = self.members_[0][1]
        if hasattr(first, "n_features_in_"):
            self.n_features_in_ = first.n_features_in_
        return self

    def predict(self, X: Any, return_std: bool = False):
        """Mean, shape (n_samples,); with ``return_std`` also the mixture's std."""
        check_is_fitted(self, "members_")
        parts = [(w, *predict_mean_std(m, X)) for _, m, w in self.members_]
        total = sum(w for w, _, _ in parts)
        mean = sum(w * mu for w, mu, _ in parts) / total
        if not return_std:
            return mean
        second = sum(w * (sd**2 + mu**2) for w, mu, sd in parts) / total
        return mean, np.sqrt(np.maximum(second - mean**2, 0.0))


class PredictiveStd(RegressorMixin, BaseEstimator):
    """Give any regressor a predictive standard deviation.

    Parameters
    ----------
    estimator : regressor
        Fitted on the same data when this wrapper is fitted (a clone).

    Attributes
    ----------
    estimator_ : the fitted clone
    mode_ : {'mean+noise', 'native', 'constant'}
        ``'mean+noise'``: the estimator gives the standard error of its mean and has
        ``resid_std_`` (least squares, formula models): ``std^2 = s_mean^2 + resid_std_^2``.
        ``'native'``: its ``predict(X, return_std=True)`` is used as it is (a Gaussian
        process with a noise kernel gives the predictive spread). ``'constant'``: 1
        everywhere; AutoModel's calibration turns it into the cross-validated error.

    Examples
    --------
    >>> from yieldlab.models.linear import LinearRegression
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0.1, 1.0, 2.1, 2.9, 4.2, 5.0])
    >>> model = PredictiveStd(LinearRegression()).fit(X, y)
    >>> model.mode_, bool(model.predict(X, return_std=True)[1].min() > model.estimator_.resid_std_)
    ('mean+noise', True)
    """

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any) -> PredictiveStd:
        """Fit a clone of ``estimator`` on ``X`` of shape (n_samples, n_features), ``y``."""
        self.estimator_ = clone(self.estimator).fit(X, y)
        native = _takes_return_std(self.estimator_)
        resid = getattr(self.estimator_, "resid_std_", None)
        if native and resid is not None and np.isfinite(resid):
            self.mode_ = "mean+noise"
        else:
            self.mode_ = "native" if native else "constant"
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        return self

    def predict(self, X: Any, return_std: bool = False):
        """Predicted mean, shape (n_samples,); with ``return_std`` also the predictive std."""
        check_is_fitted(self, "estimator_")
        if not return_std:
            return np.asarray(self.estimator_.predict(X), dtype=float).ravel()
        if self.mode_ == "constant":
            mean = np.asarray(self.estimator_.predict(X), dtype=float).ravel()
            return mean, np.ones_like(mean)
        mean, std = predict_mean_std(self.estimator_, X)
        if self.mode_ == "mean+noise":
            std = np.sqrt(np.nan_to_num(std) ** 2 + self.estimator_.resid_std_**2)
        return mean, std

    def summary(self, *args: Any, **kwargs: Any):
        """The wrapped estimator's ``summary()`` (coefficient table), when it has one."""
        check_is_fitted(self, "estimator_")
        if not hasattr(self.estimator_, "summary"):
            raise AttributeError(f"{type(self.estimator_).__name__} has no summary()")
        return self.estimator_.summary(*args, **kwargs)


class Calibrator:
    """Rescale predictive standard deviations so that intervals cover what they claim.

    Attributes
    ----------
    scale_ : float
        ``c = sqrt(mean(min(z^2, 100)))`` of the out-of-fold standardized residuals.
    abs_z_ : ndarray of shape (n_residuals,)
        Sorted ``|z| / c``: the empirical distribution the intervals use.

    Examples
    --------
    Residuals twice as large as the models claim give ``c = 2``, and Gaussian residuals a
    95% half-width of about 1.96 calibrated standard deviations:

    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(0.0, 2.0, 4000)
    >>> cal = Calibrator().fit(y, np.zeros_like(y), np.ones_like(y))
    >>> round(cal.scale_, 1), bool(1.9 < cal.quantile(0.95) < 2.0)
    (2.0, True)
    """

    def fit(self, y: np.ndarray, mean: np.ndarray, std: np.ndarray) -> Calibrator:
        """Learn the correction from out-of-fold ``y``, ``mean`` and ``std`` (1-D arrays)."""
        std = np.where(np.isfinite(std) & (std > 0), std, np.nan)
        floor = np.nanmax(std) * 1e-9 if np.isfinite(std).any() else 1.0
        std = np.where(np.isnan(std), max(floor, 1e-300), np.maximum(std, floor))
        z = np.abs(y - mean) / std
        z = z[np.isfinite(z)]
        if z.size == 0 or not np.any(z > 0):
            self.scale_, self.abs_z_ = 1.0, np.zeros(max(z.size, 1))
            return self
        self.scale_ = float(np.sqrt(np.mean(np.minimum(z, _Z_CLIP) ** 2)))
        self.abs_z_ = np.sort(z / self.scale_)
        return self

    def quantile(self, level: float) -> float:
        """Half-width of a ``level`` interval in calibrated standard deviations.

        The ``ceil((m + 1) level)``-th smallest ``|z| / c``; beyond the largest residual
        (small ``m``, high ``level``) the Gaussian quantile, never less than that largest.
        """
        if not 0 < level < 1:
            raise ValueError(f"level={level!r} is invalid; expected 0 < level < 1, e.g. 0.95")
        m = self.abs_z_.size
        rank = math.ceil((m + 1) * level)
        gaussian = float(stats.norm.ppf(0.5 + level / 2.0))
        if rank <= m:
            return float(self.abs_z_[rank - 1])
        return max(float(self.abs_z_[-1]), gaussian)

    def log_likelihood(self, y: np.ndarray, mean: np.ndarray, std: np.ndarray) -> float:
        """Mean Gaussian log-likelihood of ``y`` under ``N(mean, (c std)^2)``; ``-inf`` when a
        model claimed no uncertainty at all (``std = 0``) and missed."""
        sigma = np.maximum(self.scale_ * std, 1e-300)
        # NOTE: (y - mean) / 1e-300 overflows; its square is inf and the density -inf, as meant
        with np.errstate(over="ignore"):
            return float(np.mean(stats.norm.logpdf(y, mean, sigma)))


def greedy_weights(predictions: np.ndarray, y: np.ndarray, rounds: int = 25) -> np.ndarray:
    """Ensemble selection with replacement (Caruana et al. 2004): weights of a blend.

    Starting from nothing, each round adds (again, possibly) the member that most lowers
    the squared error of the running average; the weights are the counts over ``rounds``.
    They are non-negative, sum to 1 and are sparse: members that do not help get 0.

    Parameters
    ----------
    predictions : ndarray of shape (n_members, n_samples)
    y : ndarray of shape (n_samples,)
    rounds : int, default=25

    Returns
    -------
    ndarray of shape (n_members,)

    Examples
    --------
    >>> y = np.array([0.0, 0.0, 0.0, 0.0])
    >>> P = np.array([[1.0, -1.0, 1.0, -1.0], [-1.0, 1.0, -1.0, 1.0], [3.0, 3.0, 3.0, 3.0]])
    >>> greedy_weights(P, y, rounds=4).tolist()
    [0.5, 0.5, 0.0]
    """
    counts = np.zeros(predictions.shape[0])
    current = np.zeros(predictions.shape[1])
    for k in range(rounds):
        trial = (current * k + predictions) / (k + 1)
        best = int(np.argmin(np.mean((y - trial) ** 2, axis=1)))
        counts[best] += 1
        current = trial[best]
    return counts / rounds


def blend_folds(
    results: dict[str, list[FoldResult]], names: list[str], splits: list[Split], y: np.ndarray
) -> tuple[list[FoldResult], np.ndarray]:
    """Cross-validated results of a blend of ``names``, and its weights on all rows.

    For each split the weights are chosen on the out-of-fold predictions of the *other*
    splits of its repeat, so the blend's held-out error is as honest as its members'.
    Its importance is the weighted average of the members'.

    Returns
    -------
    folds : list of FoldResult
    weights : ndarray of shape (len(names),)
        Chosen on every out-of-fold prediction, for the blend refitted on all rows.
    """
    from .selection import FoldResult

    members = [results[name] for name in names]
    folds = []
    for j, reference in enumerate(members[0]):
        repeat = splits[reference.split].repeat
        others = [i for i, f in enumerate(members[0]) if i != j and
                  splits[f.split].repeat == repeat] or [i for i in range(len(members[0]))
                                                        if i != j]  # fmt: skip
        P = np.array([np.concatenate([m[i].mean for i in others]) for m in members])
        target = y[np.concatenate([members[0][i].test for i in others])]
        w = greedy_weights(P, target)
        used = [k for k in range(len(names)) if w[k] > 0]
        mean = sum(w[k] * members[k][j].mean for k in used)
        second = sum(w[k] * (members[k][j].std ** 2 + members[k][j].mean ** 2) for k in used)
        importance = [members[k][j].importance for k in used]
        folds.append(FoldResult(
            reference.split, reference.test, mean, np.sqrt(np.maximum(second - mean**2, 0)),
            seconds=float(sum(members[k][j].seconds for k in used)),
            params={"weights": {names[k]: round(float(w[k]), 3) for k in used}},
            importance=None if any(i is None for i in importance) else
            sum(w[k] * members[k][j].importance for k in used),
        ))  # fmt: skip
    P = np.array([np.concatenate([f.mean for f in m]) for m in members])
    return folds, greedy_weights(P, y[np.concatenate([f.test for f in members[0]])])
