"""Automatic modelling (layer 3): give it the data, it finds the model that fits.

:class:`AutoModel` prepares the table (:mod:`.encoding`), cross-validates every candidate
(:mod:`.candidates`, :mod:`.selection`), keeps the simplest one within one standard error
of the best, refits it on all rows, calibrates its predictive standard deviation on the
out-of-fold residuals (:mod:`.uncertainty`) and measures which inputs matter
(:mod:`.importance`).
"""

from __future__ import annotations

import numbers
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from .._validation import check_choice, check_positive, check_rng, check_scale
from ..exceptions import DataError
from ..models.response_surface import AliasingWarning
from .candidates import complexity
from .encoding import IMPUTE, TableEncoder, as_frame, check_target
from .importance import importance_table
from .selection import (
    auto_repeats,
    cross_validate,
    estimated_seconds,
    fold_rmse,
    make_splits,
    one_standard_error,
    replicate_groups,
    resolve_candidates,
    standard_error,
)
from .tables import check_numeric_columns
from .uncertainty import Blend, Calibrator, blend_folds, predict_mean_std

__all__ = ["LEADERBOARD_COLUMNS", "AutoModel"]

LEADERBOARD_COLUMNS = ["name", "rmse", "rmse_se", "r2", "log_likelihood", "fit_seconds",
                       "params", "complexity", "splits", "status", "selected"]  # fmt: skip


class AutoModel(RegressorMixin, BaseEstimator):
    """Automatic modelling: try the sensible models, measure each honestly, keep one.

    Every candidate is fitted on the training rows of repeated K-fold cross-validation and
    predicts the rows it did not see (its own tuning stays inside those training rows).
    The simplest candidate whose cross-validated RMSE is within one standard error of the
    best is refitted on all rows. Its predictive standard deviation is calibrated so that
    95% intervals cover about 95% of new observations.

    Parameters
    ----------
    candidates : 'auto', list or dict, default='auto'
        ``'auto'``: ``linear``, ``response_surface``, ``gaussian_process``,
        ``mlp_ensemble`` and ``boosted_trees`` (see :mod:`yieldlab.modelling.candidates`).
        A list of those names and of estimators (any scikit-learn regressor, e.g. a
        :class:`~yieldlab.models.formula.FormulaModel`); put ``'auto'`` in the list to keep
        the defaults too. A dict maps leaderboard names to estimators or default names.
    cv : int or cross-validation splitter, default=5
        Folds of K-fold (shuffled, repeated), or a scikit-learn splitter used as it is.
    time_budget : float, optional
        Seconds for the whole fit (a soft limit: the cheapest candidate and the final refit
        always run). Candidates run cheapest first; those that would not fit in the budget
        are skipped and marked so in the leaderboard. With a budget the result can depend on
        the machine's speed; without one it depends only on ``random_state``.
    n_jobs : int, optional
        Parallel fits (candidates x folds) through joblib; None is 1 unless inside a
        ``joblib.parallel_config`` context (so a Dask or Ray backend scales it out), -1 is
        all cores.
    random_state : None, int or numpy.random.Generator, default=None
        Seeds the splits and every candidate.
    impute : None or {'median', 'mean', 'most_frequent'}, default=None
        Fill missing inputs; None refuses them with an error naming rows and columns.
    repeats : int or 'auto', default='auto'
        Repeats of K-fold; 'auto' is 3 for tiny tables, 2 around 100 rows and 1 from 170
        rows. After the first repeat, candidates more than two standard errors behind the
        best leave the race; the further repeats only compare the contenders.
    one_se : bool, default=True
        Apply the one-standard-error rule: among the candidates whose cross-validated error
        is within one (paired) standard error of the best, keep the simplest, or the blend
        unless the simplest is a readable model (linear, response surface, formula) that
        is the best outright or carries a third of the blend's weight (see ``blend``).
        False keeps the lowest RMSE.
    blend : bool, default=True
        Also consider ``blend``: a weighted average of the candidates still in the race,
        weights by greedy ensemble selection on out-of-fold predictions (chosen without
        the fold they are scored on). Candidates within one standard error of the best
        cannot be told apart by the data; averaging them hedges the choice (on 30-60-row
        tables the simplest of them was sometimes a polynomial that extrapolated several
        times worse than cross-validation showed, and one black box picked over the
        average of similar ones mostly added variance). The blend is taken when it is
        within three standard errors of the best; a readable simplest candidate is still
        kept when it is the best outright or carries at least a third of the blend's
        weight. False makes the rule pick the simplest single candidate.
    importance : bool, default=True
        Measure which inputs matter (permutation importance on the held-out folds, see
        ``importances_``). False skips it, for a caller that only needs the choice (a
        campaign choosing its surrogate: 40% of that search on 100 rows; 16% of the
        default search). Without ``time_budget`` nothing else changes; with one, the time
        saved may let more candidates or repeats run.

    Attributes
    ----------
    best_estimator_ : estimator
        The selected candidate refitted on all rows; it takes the encoded table
        (``encoder_.transform``); ``summary()`` where the model has one.
    best_name_ : str
    leaderboard_ : DataFrame
        One row per candidate, best RMSE first: ``name, rmse`` (cross-validated),
        ``rmse_se, r2, log_likelihood`` (mean out-of-fold Gaussian log-likelihood after
        calibration), ``fit_seconds`` (mean per fit), ``params`` (hyper-parameters: of
        the selected candidate, those of its refit on all rows, i.e. of
        ``best_estimator_``; of the others, those chosen in most cross-validation splits),
        ``complexity``, ``splits`` (cross-validation splits it ran on), ``status``
        (``'ok'``, ``'skipped: ...'``, ``'failed: ...'``) and ``selected``; the row
        ``blend`` when a blend was considered, whose ``params`` hold ``weights`` (of the
        blend refitted on all rows, the one used when it is selected) and
        ``fold_weights`` (those chosen most often within the cross-validation splits,
        which its RMSE measures).
    cv_predictions_ : DataFrame
        Out-of-fold predictions of the selected candidate, one row per held-out row and
        repeat (index: row of ``X``): ``y, mean, std, lower, upper`` (calibrated 95%
        interval), ``fold, repeat``.
    importances_ : DataFrame
        Index ``input`` (original column names), ``importance`` (mean increase of the
        RMSE when the input is shuffled, over folds) and ``std``; both NaN with
        ``importance=False``.
    dropped_columns_ : DataFrame
        ``column, reason`` of inputs not used (constant, all missing, identifiers).
    calibrator_ : Calibrator
    encoder_ : TableEncoder
    n_splits_ : int
    fit_warnings_ : list of str
        Warnings of the final refit. Those of aliased terms (a copied or derived column)
        and of too few runs for the selected model's terms are also given as an
        :class:`~yieldlab.models.AliasingWarning` by :meth:`fit`.
    training_inputs_ : DataFrame
        The rows the model was fitted on, as given (before encoding): the data range
        that :func:`yieldlab.experiments.find_optimum` and the report work within.
    training_target_ : ndarray of shape (n_samples,)
    target_name_ : str or None
        The name of ``y`` when it was a pandas Series (e.g. a table column), else None.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(40, 2))
    >>> y = 3 + 2 * X[:, 0] - X[:, 1] ** 2 + rng.normal(0, 0.1, 40)
    >>> model = AutoModel(candidates=["linear", "response_surface"], random_state=0)
    >>> model.fit(X, y).best_name_
    'response_surface'
    >>> mean, std = model.predict([[0.5, 0.0]], return_std=True)
    >>> round(float(mean[0]), 1), bool(0.05 < std[0] < 0.2)
    (4.0, True)
    """

    # NOTE: a model pickled before `importance` existed has no such attribute; the class
    # default lets clone(), refit() and get_params() work on it
    importance = True

    def __init__(
        self,
        candidates: Any = "auto",
        cv: Any = 5,
        time_budget: float | None = None,
        n_jobs: int | None = None,
        random_state: Any = None,
        impute: str | None = None,
        repeats: int | str = "auto",
        one_se: bool = True,
        blend: bool = True,
        importance: bool = True,
    ) -> None:
        self.candidates = candidates
        self.cv = cv
        self.time_budget = time_budget
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.impute = impute
        self.repeats = repeats
        self.one_se = one_se
        self.blend = blend
        self.importance = importance

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.impute is not None
        return tags

    # --- checks ----------------------------------------------------------------------------

    def _check_params(self) -> None:
        if isinstance(self.cv, numbers.Integral) and not isinstance(self.cv, bool):
            if self.cv < 2:
                raise ValueError(f"cv={self.cv!r} is invalid; expected an int >= 2 folds")
        elif not hasattr(self.cv, "get_n_splits"):
            raise TypeError(f"cv={self.cv!r} is invalid; expected an int or a splitter")
        if self.time_budget is not None:
            check_positive("time_budget", self.time_budget)
        if self.repeats != "auto":
            check_positive("repeats", self.repeats, integer=True)
        if self.impute is not None:
            check_choice("impute", self.impute, IMPUTE)
        for name in ("one_se", "blend", "importance"):
            if not isinstance(getattr(self, name), bool | np.bool_):
                raise TypeError(
                    f"{name}={getattr(self, name)!r} has the wrong type; expected True or False"
                )

    def _check_rows(self, n: int) -> None:
        folds = int(self.cv) if isinstance(self.cv, numbers.Integral) else 2
        if n < 2:
            raise ValueError(
                f"X has {n} sample; AutoModel needs at least {max(folds, 3)} rows to "
                "cross-validate (n_samples=1 cannot be split)"
            )
        if n < folds:
            raise ValueError(
                f"X has {n} rows but cv={folds} folds need at least {folds}; add rows or "
                f"use cv={n}"
            )

    def _table(self, X: Any, y: Any, *, reset: bool) -> tuple[pd.DataFrame, Any, dict]:
        """``X`` as a DataFrame after scikit-learn's feature-name and count checks, ``y``
        checked, and (when ``reset``) the ``n_features_in_``/``feature_names_in_`` to set
        once the fit has succeeded (a failed fit leaves the model as it was)."""
        frame = as_frame(X)
        if not reset:
            validate_data(self, X, reset=False, skip_check_array=True)
            return frame, None, {}
        probe = clone(self)
        validate_data(probe, X, reset=True, skip_check_array=True)
        name = _target_name(y)
        y = check_target(y, frame.shape[0])
        check_scale(f"the target {name!r}" if name else "y", y)
        for column in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[column]):
                values = frame[column].to_numpy(dtype=float, na_value=np.nan)
                check_scale(f"column {column!r}", values[np.isfinite(values)])
        self._check_rows(frame.shape[0])
        if np.ptp(y) == 0:
            target = f"the target {name!r}" if name else "the target"
            raise DataError(
                f"{target} is constant ({y[0]:g} in every one of the {y.size} rows): there "
                "is nothing to model; check that it is the right column"
            )
        check_numeric_columns(frame)
        return frame, y, {k: v for k, v in vars(probe).items() if k.endswith("_in_")}

    # --- fitting ---------------------------------------------------------------------------

    def fit(self, X: Any, y: Any) -> AutoModel:
        """Select, refit and calibrate a model of ``y`` on ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Numbers, text or categories; text and categorical columns are one-hot encoded.
        y : array-like of shape (n_samples,)
            Numeric target.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Non-numeric target, infinities, duplicate column names, too few rows for
            ``cv``, a single row, text in a numeric column, the target's own column in ``X``
            (each naming what is wrong).
        DataError
            Missing values without ``impute``, or no candidate could be fitted.
        """
        self._check_params()
        target_name = _target_name(y)
        frame, y, fitted_names = self._table(X, y, reset=True)
        _check_no_target(frame, y, target_name)
        encoder = TableEncoder(self.impute)
        Xe = encoder.fit_transform(frame)
        seed = int(check_rng(self.random_state).integers(2**31 - 1))
        start = time.perf_counter()
        search = self._search(Xe, y, encoder, seed)
        best, passed_over = self._choose(search, time.perf_counter() - start)
        estimator, caught = _refit(search.estimators[best], Xe, y, encoder.feature_names_)
        if passed_over is not None:
            warnings.warn(passed_over, UserWarning, stacklevel=2)
            caught = [passed_over, *caught]
        for message in estimability_warnings(estimator):  # a wrapper may have silenced it
            warnings.warn(f"the selected model {best!r}: {message}", AliasingWarning,
                          stacklevel=2)  # fmt: skip
        calibrator = search.scored[best]["calibrator"]
        search.board["selected"] = search.board["name"] == best
        describe_refit(search.board, best, estimator)
        for name in ("n_features_in_", "feature_names_in_"):
            self.__dict__.pop(name, None)
        self.__dict__.update(fitted_names)
        self.encoder_, self.best_estimator_, self.best_name_ = encoder, estimator, best
        self.calibrator_, self.fit_warnings_ = calibrator, caught
        self.leaderboard_, self.n_splits_ = search.board, len(search.splits)
        self.cv_predictions_ = _cv_table(search.results[best], search.splits, y, calibrator)
        self.importances_ = importance_table(
            list(encoder.groups_),
            [f.importance for f in search.results[best] if f.importance is not None],
        )
        self.dropped_columns_ = encoder.dropped_frame()
        self._keep_training_data(frame, y, target_name)
        return self

    def _keep_training_data(self, frame: pd.DataFrame, y: np.ndarray, name: str | None):
        self.training_inputs_ = frame.reset_index(drop=True).copy()
        self.training_target_ = np.asarray(y, dtype=float).copy()
        self.target_name_ = name

    def _search(self, Xe: np.ndarray, y: np.ndarray, encoder: TableEncoder, seed: int):
        """Cross-validate the candidates (and their blend); score them."""
        n, p = Xe.shape
        repeats = auto_repeats(n) if self.repeats == "auto" else int(self.repeats)
        splits = make_splits(n, self.cv, repeats, seed, replicate_groups(Xe))
        estimators = dict(resolve_candidates(self.candidates, seed))
        n_train = int(np.mean([s.train.size for s in splits]))
        tasks = [(k, est, estimated_seconds(est, n_train, p)) for k, est in estimators.items()]
        # cheapest first; a Gaussian process that would only see a subsample comes last
        tasks.sort(key=lambda t: (getattr(t[1], "max_rows", n_train) < n_train, t[2]))
        results, status, contenders = cross_validate(
            tasks, Xe, y, encoder.feature_names_, list(encoder.groups_.values()), splits,
            n_jobs=self.n_jobs, time_budget=self.time_budget, seed=seed,
            importance=self.importance,
        )  # fmt: skip
        fraction = float(np.mean([s.test.size for s in splits]) / n)
        if not any(s == "ok" for s in status.values()):
            reasons = "; ".join(f"{k}: {v}" for k, v in status.items())
            raise DataError(f"no candidate model could be fitted to these data ({reasons})")
        if self.blend and len(contenders) >= 2:
            folds, weights = blend_folds(results, contenders, splits, y)
            used = [(k, w) for k, w in zip(contenders, weights, strict=True) if w > 0]
            if len(used) >= 2:
                estimators["blend"] = Blend([(k, estimators[k]) for k, _ in used],
                                            [w for _, w in used])  # fmt: skip
                results["blend"], status["blend"] = folds, "ok"
                contenders = [*contenders, "blend"]
        board, scored = _leaderboard(results, status, estimators, y, fraction)
        if "blend" in estimators:
            _describe_blend(board, estimators["blend"])
        return _Search(splits, estimators, results, contenders, board, scored, fraction, y)

    def _choose(self, search: _Search, elapsed: float) -> tuple[str, str | None]:
        """The one-standard-error choice among the contenders (or the lowest RMSE), and
        why another was passed over (or None).

        Under a time budget, a contender whose refit on all rows would overrun it is passed
        over (the cheapest one always stays); once the cross-validation has spent the
        budget, every refit overruns it, and one overrunning it by no more than the
        cheapest's plus 5% of the budget is kept (a refit of 0.02 s lost a response surface
        at half the error of the linear model kept).
        """
        names = search.contenders or list(search.scored)
        if self.time_budget is None:
            return self._rule(search, names), None
        refit = {k: search.scored[k]["seconds"] / (1 - search.fraction) for k in names}
        cheapest = min(names, key=refit.get)
        limit = max(self.time_budget, elapsed + refit[cheapest]) + 0.05 * self.time_budget
        chosen = self._rule(search, [k for k in names if elapsed + refit[k] <= limit])
        wanted = self._rule(search, names)
        if wanted == chosen:
            return chosen, None
        rmse = {k: search.scored[k]["rmse"] for k in (wanted, chosen)}
        return chosen, (
            f"time_budget={self.time_budget!r}: {wanted!r} (cross-validated RMSE "
            f"{rmse[wanted]:.4g}) was passed over for {chosen!r} ({rmse[chosen]:.4g}): its "
            f"refit on all rows (about {refit[wanted]:.3g} s) would overrun the budget after "
            f"{elapsed:.3g} s of cross-validation; a larger time_budget keeps it"
        )

    def _rule(self, search: _Search, names: list[str]) -> str:
        """The one-standard-error choice among ``names`` (or the lowest RMSE)."""
        pooled = {name: search.scored[name]["rmse"] for name in names}
        if not self.one_se:
            return min(pooled, key=pooled.get)
        errors = {name: fold_rmse(search.results[name], search.y) for name in names}
        ranks = {name: search.scored[name]["complexity"] for name in names}
        prefer, members = None, None
        if "blend" in names:
            blend = search.estimators["blend"]
            prefer = "blend"
            members = {
                k: float(w) for (k, _), w in zip(blend.estimators, blend.weights, strict=True)
            }
        return one_standard_error(errors, pooled, ranks, search.fraction, prefer, members)

    def refit(self, X: Any, y: Any) -> AutoModel:
        """Refit the selected model on new data without a new selection (fast).

        For a campaign adding a few runs between selections: the selected candidate
        (with its own light tuning) is refitted on all rows; the leaderboard (but for the
        selected row's ``params``, now those of this refit), the importances and the
        calibration of the last :meth:`fit` are kept.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        check_is_fitted(self, "best_estimator_")
        target_name = _target_name(y)
        frame, y, fitted_names = self._table(X, y, reset=True)
        encoder = TableEncoder(self.impute)
        Xe = encoder.fit_transform(frame)
        estimator, caught = _refit(self.best_estimator_, Xe, y, encoder.feature_names_)
        for name in ("n_features_in_", "feature_names_in_"):
            self.__dict__.pop(name, None)
        self.__dict__.update(fitted_names)
        self.encoder_, self.best_estimator_, self.fit_warnings_ = encoder, estimator, caught
        if isinstance(getattr(self, "leaderboard_", None), pd.DataFrame):
            describe_refit(self.leaderboard_, self.best_name_, estimator)
        self.dropped_columns_ = encoder.dropped_frame()
        self._keep_training_data(frame, y, target_name)
        return self

    # --- prediction ------------------------------------------------------------------------

    def _encoded(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "best_estimator_")
        if isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_"):
            names = [str(c) for c in self.feature_names_in_]
            X = self._with_unused(X, names)
            if set(names) <= {str(c) for c in X.columns}:
                X = X.set_axis([str(c) for c in X.columns], axis=1)[names]  # matched by name
        frame, _, _ = self._table(X, None, reset=False)
        self._warn_constant_changed(frame)
        return pd.DataFrame(self.encoder_.transform(frame), columns=self.encoder_.feature_names_)

    def _with_unused(self, X: pd.DataFrame, names: list[str]) -> pd.DataFrame:
        """``X`` with the columns the model left out (an identifier, a constant) that it
        lacks filled in with their first value at fit: they do not change a prediction, so
        new settings need not carry a run label."""
        unused = {name for name, _ in self.encoder_.dropped_}
        present = {str(c) for c in X.columns}
        missing = [c for c in names if c not in present and c in unused]
        training = getattr(self, "training_inputs_", None)
        if not missing or training is None:
            return X
        filled = {}
        for name in missing:
            values = training[name].dropna() if name in training else pd.Series(dtype=object)
            filled[name] = values.iloc[0] if len(values) else np.nan
        return X.assign(**filled)

    def _warn_constant_changed(self, frame: pd.DataFrame) -> None:
        """Warn when a column that was constant at fit (so left out of the model) holds
        another value now: the prediction cannot know what that change does."""
        training = getattr(self, "training_inputs_", None)
        if training is None:
            return
        for name, reason in self.encoder_.dropped_:
            if name not in frame or name not in training or not reason.startswith("constant"):
                continue
            before = training[name].dropna()
            if before.empty:
                continue
            value = before.iloc[0]
            now = frame[name]
            try:
                differs = ~np.isclose(pd.to_numeric(now).to_numpy(float), float(value))
            except (TypeError, ValueError):  # text: compared as text
                differs = (now.astype(str) != str(value)).to_numpy()
            other = now[now.notna().to_numpy() & differs]
            if len(other):
                was, now_ = (
                    v.item() if isinstance(v, np.generic) else v for v in (value, other.iloc[0])
                )
                warnings.warn(
                    f"column {name!r} was {was!r} in every experiment of the fit, so the "
                    f"model has not learned what it does; the predictions at {name}={now_!r} "
                    "assume it changes nothing",
                    UserWarning,
                    stacklevel=3,
                )

    def predict(self, X: Any, return_std: bool = False):
        """Predicted mean, and with ``return_std`` the calibrated predictive std.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The columns of :meth:`fit` (by name for a DataFrame, which may leave out the
            columns the model does not use, :attr:`dropped_columns_`).
        return_std : bool, default=False
            Also return the standard deviation of a new observation at each row (noise
            included), calibrated on the cross-validated residuals.

        Returns
        -------
        y_mean : ndarray of shape (n_samples,)
        y_std : ndarray of shape (n_samples,)
            Only with ``return_std=True``.
        """
        frame = self._encoded(X)
        with threadpool_limits(limits=1):
            if not return_std:
                return np.asarray(self.best_estimator_.predict(frame), dtype=float).ravel()
            mean, std = predict_mean_std(self.best_estimator_, frame)
        return mean, std * self.calibrator_.scale_

    def predict_interval(self, X: Any, level: float = 0.95) -> np.ndarray:
        """Prediction interval for a new observation at each row.

        ``mean -/+ q * std`` with ``q`` the calibrated quantile of the cross-validated
        standardized residuals (:meth:`Calibrator.quantile`).

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Lower and upper limits.
        """
        mean, std = self.predict(X, return_std=True)
        q = self.calibrator_.quantile(level)
        return np.column_stack([mean - q * std, mean + q * std])

    def save(self, path: Any) -> None:
        """Write the fitted model to ``path`` (a zip of JSON and arrays; see
        :func:`yieldlab.modelling.persistence.save`); read it with :func:`yieldlab.load`."""
        from .persistence import save

        save(self, path)


@dataclass
class _Search:
    """What cross-validation found: splits, candidates, results and the leaderboard."""

    splits: list
    estimators: dict
    results: dict
    contenders: list
    board: pd.DataFrame
    scored: dict
    fraction: float
    y: np.ndarray | None = None


def _target_name(y: Any) -> str | None:
    """The name of a pandas Series target (or of a one-column frame), else None."""
    if isinstance(y, pd.DataFrame) and y.shape[1] == 1:
        y = y.iloc[:, 0]
    name = getattr(y, "name", None)
    return None if name is None else str(name)


def _refit(estimator: Any, X: np.ndarray, y: np.ndarray, columns: list[str]):
    """A clone of ``estimator`` fitted on all rows, and the warnings it raised (with those
    of the least-squares fits inside it that a wrapper kept to itself)."""
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(1):
        warnings.simplefilter("always")
        fitted = clone(estimator).fit(pd.DataFrame(X, columns=columns), y)
    messages = [str(w.message) for w in caught] + estimability_warnings(fitted)
    return fitted, list(dict.fromkeys(messages))


def estimability_warnings(estimator: Any) -> list[str]:
    """The :class:`~yieldlab.models.AliasingWarning` messages of the least-squares fits in
    ``estimator`` (itself, the model a wrapper holds in ``estimator_``, the members of a
    blend): aliased terms and too few residual degrees of freedom. A wrapper such as the
    ridge response surface silences them while it fits, so they are read back here."""
    found, stack = [], [estimator]
    while stack:
        inner = stack.pop()
        found += [
            message
            for message in (getattr(inner, "alias_warning_", None),
                            getattr(inner, "dof_warning_", None))
            if isinstance(message, str)
        ]  # fmt: skip
        if isinstance(inner, Blend):
            stack += [member for _, member, _ in getattr(inner, "members_", [])]
        if getattr(inner, "estimator_", None) is not None:
            stack.append(inner.estimator_)
    return found


def _mode(items: list[dict]) -> dict:
    """The most frequent dict (hyper-parameters chosen in most folds)."""
    keys = [repr(sorted(d.items())) for d in items]
    return items[max(range(len(items)), key=keys.count)] if items else {}


def _blend_weights(weights: Any) -> dict:
    return {str(k): round(float(w), 3) for k, w in weights if w > 0}


def _describe_blend(board: pd.DataFrame, blend: Blend) -> None:
    """The blend's ``params``: ``weights`` of the blend as it is refitted on all rows (chosen
    on every out-of-fold prediction) and ``fold_weights``, those chosen most often within
    the cross-validation splits (what its RMSE measured)."""
    rows = board.index[board["name"] == "blend"]
    if not len(rows):
        return
    names = [name for name, _ in blend.estimators]
    folds = board.at[rows[0], "params"]
    folds = folds.get("weights", {}) if isinstance(folds, dict) else {}
    board.at[rows[0], "params"] = {
        "weights": _blend_weights(zip(names, blend.weights, strict=True)),
        "fold_weights": dict(folds),
    }


def describe_refit(board: pd.DataFrame, name: str, estimator: Any) -> None:
    """Give the selected row the hyper-parameters of the model refitted on all rows (the
    model used), not those chosen most often within the cross-validation splits."""
    rows = board.index[board["name"] == name]
    if not len(rows):
        return
    if isinstance(estimator, Blend) and hasattr(estimator, "members_"):
        before = board.at[rows[0], "params"]
        before = before if isinstance(before, dict) else {}
        params = {"weights": _blend_weights((k, w) for k, _, w in estimator.members_)}
        params.update((k, v) for k, v in before.items() if k != "weights")
    else:
        fitted = getattr(estimator, "params_", None)
        if not isinstance(fitted, dict) or not fitted:
            return
        params = dict(fitted)
    board.at[rows[0], "params"] = params


def _leaderboard(results, status, estimators, y, test_fraction):
    """The leaderboard and, per scored candidate, its RMSE, calibration and complexity."""
    rows, scored = [], {}
    for name, folds in results.items():  # candidates in the order given, then the blend
        row = dict.fromkeys(LEADERBOARD_COLUMNS, np.nan)
        row.update(name=name, status=status[name], params={}, selected=False,
                   complexity=complexity(estimators[name]))  # fmt: skip
        if status[name] == "ok" and folds:
            idx = np.concatenate([f.test for f in folds])
            mean = np.concatenate([f.mean for f in folds])
            std = np.concatenate([f.std for f in folds])
            calibrator = Calibrator().fit(y[idx], mean, std)
            sse = float(np.sum((y[idx] - mean) ** 2))
            sst = float(np.sum((y[idx] - y[idx].mean()) ** 2))
            row.update(
                rmse=np.sqrt(sse / idx.size), r2=1.0 - sse / sst if sst > 0 else np.nan,
                rmse_se=standard_error(fold_rmse(folds, y), test_fraction),
                log_likelihood=calibrator.log_likelihood(y[idx], mean, std),
                fit_seconds=float(np.mean([f.seconds for f in folds])), splits=len(folds),
                params=_mode([f.params for f in folds]),
            )  # fmt: skip
            scored[name] = {"calibrator": calibrator, "seconds": row["fit_seconds"]} | {
                key: row[key] for key in ("rmse", "complexity")}  # fmt: skip
        rows.append(row)
    board = pd.DataFrame(rows, columns=LEADERBOARD_COLUMNS)
    board = board.sort_values(["rmse", "complexity"], na_position="last", kind="stable")
    return board.reset_index(drop=True), scored


def _cv_table(folds, splits, y: np.ndarray, calibrator: Calibrator) -> pd.DataFrame:
    """Out-of-fold predictions of one candidate with calibrated 95% intervals."""
    idx = np.concatenate([f.test for f in folds])
    mean = np.concatenate([f.mean for f in folds])
    std = np.concatenate([f.std for f in folds]) * calibrator.scale_
    q = calibrator.quantile(0.95)
    table = pd.DataFrame(
        {"y": y[idx], "mean": mean, "std": std, "lower": mean - q * std,
         "upper": mean + q * std,
         "fold": np.concatenate([np.full(f.test.size, splits[f.split].fold) for f in folds]),
         "repeat": np.concatenate([np.full(f.test.size, splits[f.split].repeat)
                                   for f in folds])},
        index=pd.Index(idx, name="row"),
    )  # fmt: skip
    return table


def _check_no_target(frame: pd.DataFrame, y: np.ndarray, name: Any) -> None:
    """Refuse the target's own column in ``X`` (a table passed whole: ``fit(df, df["yield"])``):
    every model would read the answer from it, and cross-validation would show no error."""
    if name is None or name not in frame.columns:
        return
    column = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
    if np.array_equal(column, y, equal_nan=True):
        raise ValueError(
            f"X holds the target column {name!r}; leave it out of X "
            f"(X.drop(columns=[{name!r}])): the models would read the answer from it"
        )
