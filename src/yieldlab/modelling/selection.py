"""Honest model selection (layer 3): repeated K-fold cross-validation and the
one-standard-error rule, within a time budget, in parallel.

Every candidate is fitted on the training rows of every split and predicts the held-out
rows, which it never saw (its own tuning happens inside its ``fit``). The fits are
independent tasks run through :mod:`joblib` (``n_jobs``), so a Dask or Ray joblib backend
spreads them over a cluster unchanged. The random splits come from ``random_state``
alone: the same seed gives the same splits and the same choice, whatever ``n_jobs``.

The standard error of a cross-validated RMSE uses the correction of Nadeau and Bengio
(2003) for the overlap of training sets, ``se = sd(fold RMSE) sqrt(1/J + n_test/n_train)``
over the ``J`` splits. The one-standard-error rule (Hastie, Tibshirani and Friedman, 7.10)
then keeps the simplest candidate whose RMSE is within one standard error of the best;
the comparison is paired, split by split, so the variation all candidates share (a hard
fold) does not hide a real difference.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import re
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import KFold
from sklearn.utils.metadata_routing import get_routing_for_object
from threadpoolctl import threadpool_limits

from .._validation import check_choice
from ..models._perceptron import LBFGS_MAX_ROWS
from .candidates import (
    DEFAULT_CANDIDATES,
    LARGE_NETWORK,
    SMALL_NETWORK,
    SMALL_ROWS,
    BoostedTreesEnsemble,
    GaussianProcessCandidate,
    MLPEnsemble,
    RidgeResponseSurface,
    complexity,
    default_candidate,
)
from .importance import permutation_importance
from .uncertainty import Ensemble, PredictiveStd, predict_mean_std

__all__ = [
    "FoldResult",
    "Split",
    "auto_repeats",
    "cross_validate",
    "estimated_seconds",
    "make_splits",
    "one_standard_error",
    "paired_standard_error",
    "replicate_groups",
    "resolve_candidates",
    "standard_error",
]

# fraction of a time budget cross-validation may use; the rest is kept for the final refit
CV_SHARE = 0.7
# the simplest candidate in the one-SE band is kept over the blend when it is readable (an
# equation: complexity up to that of a response surface) and carries this blend weight
_AGREE = 1.0 / 3.0
_READABLE = 2.0
# otherwise the blend is taken when it is within this many standard errors of the best
_HEDGE_BAND = 3.0


@dataclass(frozen=True)
class Split:
    """One train/test split: ``repeat`` of the repeated K-fold, ``fold`` within it."""

    repeat: int
    fold: int
    train: np.ndarray
    test: np.ndarray


@dataclass
class FoldResult:
    """What one candidate did on one split."""

    split: int
    test: np.ndarray
    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    seconds: float = 0.0
    params: dict = field(default_factory=dict)
    importance: np.ndarray | None = None  # (n_inputs, n_permutations): RMSE increase
    error: str | None = None


def auto_repeats(n_samples: int) -> int:
    """Repeats of K-fold for ``n_samples`` rows: 3 for tiny tables, 1 from 170 rows.

    Small tables give noisy cross-validation estimates and cheap fits, so they are
    repeated; large tables give stable estimates and expensive fits.

    Examples
    --------
    >>> [auto_repeats(n) for n in (20, 60, 120, 1000)]
    [3, 3, 2, 1]
    """
    return int(np.clip(round(250 / max(n_samples, 1)), 1, 3))


def replicate_groups(X: np.ndarray) -> np.ndarray:
    """The setting of each row: rows with identical inputs (replicates) share a label.

    Labels count the distinct rows in the order they first appear, so a table without
    replicates gets ``0, 1, ..., n_samples - 1``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> replicate_groups(np.array([[2.0, 1.0], [0.0, 5.0], [2.0, 1.0], [1.0, 1.0]])).tolist()
    [0, 1, 0, 2]
    """
    X = np.asarray(X)
    if X.shape[0] == 0:
        return np.zeros(0, dtype=int)
    _, first, inverse = np.unique(
        X.reshape(X.shape[0], -1), axis=0, return_index=True, return_inverse=True
    )
    rank = np.empty(first.size, dtype=int)
    rank[np.argsort(first)] = np.arange(first.size)
    return rank[inverse.ravel()]


def make_splits(
    n_samples: int, cv: Any, repeats: int, seed: int, groups: np.ndarray | None = None
) -> list[Split]:
    """The splits: ``repeats`` shuffled K-folds (``cv`` an int), or those of a splitter.

    With ``groups`` (:func:`replicate_groups`) the K-fold deals out settings, not rows:
    the replicates of a setting are held out together, so the held-out error is that of
    predicting a new setting. (Replicates on both sides would measure how well a model
    repeats a setting it has seen: on 10 settings run 4 times, a cross-validated RMSE of
    0.58 against 5.3 at new settings.) With fewer distinct settings than ``cv``, there are
    as many folds as settings (leave one setting out); when every row has the same inputs,
    rows are dealt out. Without replicates the folds are exactly those of plain K-fold.

    Parameters
    ----------
    n_samples : int
    cv : int or cross-validation splitter (an object with ``split``)
        A splitter is used as it is, given ``groups`` when it takes them (``GroupKFold``).
    repeats : int
        Ignored for a splitter.
    seed : int
    groups : ndarray of shape (n_samples,), optional
        Labels ``0 .. n_groups - 1``; None treats every row as its own setting.

    Returns
    -------
    list of Split

    Examples
    --------
    >>> groups = np.repeat(np.arange(4), 3)  # 4 settings, 3 replicates each
    >>> splits = make_splits(12, 5, 1, seed=0, groups=groups)
    >>> len(splits), all(set(groups[s.train]).isdisjoint(groups[s.test]) for s in splits)
    (4, True)
    """
    dummy = np.zeros((n_samples, 1))
    if not isinstance(cv, int | np.integer):
        extra = {"groups": groups} if groups is not None and _takes_groups(cv) else {}
        return [Split(0, k, np.asarray(a), np.asarray(b)) for k, (a, b) in
                enumerate(cv.split(dummy, **extra))]  # fmt: skip
    labels = np.arange(n_samples) if groups is None else np.asarray(groups)
    n_groups = int(labels.max()) + 1 if labels.size else 0
    if n_groups < 2:  # one setting: nothing to hold out but rows
        labels, n_groups = np.arange(n_samples), n_samples
    splits = []
    for r in range(repeats):
        folds = KFold(min(int(cv), n_groups), shuffle=True,
                      random_state=(seed + 7919 * r) % 2**32)  # fmt: skip
        # NOTE: KFold returns sorted indices, so with one row per setting (labels 0..n-1)
        # these are exactly the row folds of KFold on the rows
        for k, (_, test) in enumerate(folds.split(np.zeros((n_groups, 1)))):
            held = np.zeros(n_groups, dtype=bool)
            held[test] = True
            splits.append(Split(r, k, np.flatnonzero(~held[labels]), np.flatnonzero(held[labels])))
    return splits


def _takes_groups(splitter: Any) -> bool:
    """Whether a scikit-learn splitter's ``split`` uses ``groups`` (GroupKFold, ...)."""
    try:
        return bool(get_routing_for_object(splitter).consumes("split", ["groups"]))
    except Exception:  # not a scikit-learn splitter: call it as it is
        return False


def fit_fold(
    estimator: Any,
    X: np.ndarray,
    y: np.ndarray,
    columns: list[str],
    groups: list[list[int]],
    index: int,
    split: Split,
    seed: int,
    importance: bool = True,
) -> FoldResult:
    """Fit a clone of ``estimator`` on the split's training rows, predict its test rows.

    Warnings are silenced (a fold with a rare level absent is expected to alias a term)
    and BLAS runs on one thread (parallelism is over tasks). Any exception is recorded in
    :attr:`FoldResult.error` instead of raised, so one failing candidate does not stop the
    others. Permutation importance (unless ``importance`` is False) is measured on the
    first repeat's folds only (the shuffles are the costly part, and one K-fold already
    gives every row once).
    """
    result = FoldResult(index, split.test)
    # NOTE: warnings.catch_warnings swaps process-wide filters, so threads of a threading
    # backend would restore each other's; the caller silences warnings around the whole
    # parallel run instead, and only the main thread (or a worker process) does it here.
    main = threading.current_thread() is threading.main_thread()
    try:
        with warnings.catch_warnings() if main else contextlib.nullcontext():
            if main:
                warnings.simplefilter("ignore")
            with threadpool_limits(limits=1):
                result = _fit_and_score(
                    estimator, X, y, columns, groups, split, seed, result, importance
                )
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    if result.mean is not None and not np.all(np.isfinite(result.mean)):
        result.error = "prediction is not finite"
    return result


def _fit_and_score(
    estimator, X, y, columns, groups, split, seed, result, importance=True
) -> FoldResult:
    """The body of :func:`fit_fold`: fit a clone, predict, and measure importance."""
    model = clone(estimator)
    train = pd.DataFrame(X[split.train], columns=columns)
    test = pd.DataFrame(X[split.test], columns=columns)
    start = time.perf_counter()
    model.fit(train, y[split.train])
    result.seconds = time.perf_counter() - start
    result.mean, result.std = predict_mean_std(model, test)
    result.params = dict(getattr(model, "params_", {}) or {})
    if importance and split.repeat == 0:
        rng = np.random.default_rng(seed)
        result.importance = permutation_importance(model, test, y[split.test], groups, rng, pool=X)
    return result


Clock = Callable[[], float]


def cross_validate(
    candidates: list[tuple[str, Any, float]],
    X: np.ndarray,
    y: np.ndarray,
    columns: list[str],
    groups: list[list[int]],
    splits: list[Split],
    *,
    n_jobs: int | None = None,
    time_budget: float | None = None,
    seed: int = 0,
    clock: Clock = time.perf_counter,
    importance: bool = True,
) -> tuple[dict[str, list[FoldResult]], dict[str, str], list[str]]:
    """Cross-validate the candidates: every one on the first repeat, the contenders on
    the further repeats.

    After the first repeat of K-fold, a candidate whose RMSE is more than two (paired,
    corrected) standard errors above the best's cannot become the choice: it is left out
    of further repeats ("racing"), which then only sharpen the comparison of the
    contenders.

    Parameters
    ----------
    candidates : list of (name, estimator, estimated seconds per fit)
        In the order to run them under a time budget (AutoModel: cheapest first).
    X : ndarray of shape (n_samples, n_features)
        Encoded inputs, named by ``columns``.
    y : ndarray of shape (n_samples,)
    columns : list of str
    groups : list of list of int
        Encoded columns of each original input (permuted together for importance).
    splits : list of Split
    n_jobs : int or None
        joblib's meaning: None is 1 unless inside a ``joblib.parallel_config`` context.
    time_budget : float or None
        Seconds. With a budget the first repeat runs candidate by candidate, cheapest
        first, skipping any whose estimated time would pass ``CV_SHARE * time_budget``;
        a further repeat runs only if it fits too. Without one, everything runs.
    seed : int
    clock : callable
        Returns seconds (tests pass a fake clock).
    importance : bool, default=True
        Measure permutation importance on the first repeat's folds.

    Returns
    -------
    results : dict of str to list of FoldResult
        By candidate, one per split that ran, in split order.
    status : dict of str to str
        ``'ok'``, ``'skipped: ...'`` or ``'failed: ...'``.
    contenders : list of str
        Candidates still in the race: they ran on the same splits (all that ran).
    """
    runner = _Runner(candidates, X, y, columns, groups, splits, n_jobs, seed, importance)
    start = clock()
    limit = None if time_budget is None else CV_SHARE * time_budget
    first, *later = sorted({s.repeat for s in splits})
    if limit is None:
        runner.run([(c, first) for c in runner.order[::-1]])
    for c in runner.order if limit is not None else []:
        if runner.ran() and clock() - start + runner.seconds([c], first) > limit:
            runner.status[candidates[c][0]] = f"skipped: time budget ({time_budget:g} s)"
            continue
        runner.run([(c, first)])
    contenders = runner.race()
    for r in later:
        if limit is not None and clock() - start + runner.seconds(contenders, r) > limit:
            break
        runner.run([(c, r) for c in contenders[::-1]])
        contenders = [c for c in contenders if runner.status[candidates[c][0]] == "ok"]
    for folds in runner.results.values():
        folds.sort(key=lambda f: f.split)
    return runner.results, runner.status, [candidates[c][0] for c in contenders]


class _Runner:
    """Runs (candidate, repeat) batches through joblib and keeps the results."""

    def __init__(
        self, candidates, X, y, columns, groups, splits, n_jobs, seed, importance=True
    ) -> None:
        self.candidates, self.splits, self.n_jobs, self.seed = candidates, splits, n_jobs, seed
        self.importance = importance
        self.data = (X, y, columns, groups)
        self.workers = max(1, joblib.effective_n_jobs(n_jobs))
        self.order = list(range(len(candidates)))  # the caller orders them
        self.results: dict[str, list[FoldResult]] = {n: [] for n, _, _ in candidates}
        self.status = {name: "ok" for name, _, _ in candidates}

    def ran(self) -> bool:
        return any(self.results.values())

    def folds_of(self, repeat: int) -> list[int]:
        return [i for i, s in enumerate(self.splits) if s.repeat == repeat]

    def seconds(self, indices: list[int], repeat: int) -> float:
        """Estimated wall time of the given candidates on one repeat: their measured
        seconds per fit once they ran; before, the a-priori estimate times how much slower
        (or faster) than estimated this machine ran the candidates so far."""
        total, pace = 0.0, self.pace()
        for c in indices:
            done = self.results[self.candidates[c][0]]
            per_fit = np.mean([f.seconds for f in done]) if done else self.candidates[c][2] * pace
            total += float(per_fit) * len(self.folds_of(repeat))
        return total / self.workers

    def pace(self) -> float:
        """Measured over estimated seconds of the candidates that ran (1 until they took
        half a second in all: the overheads of quick fits say nothing of a slow machine);
        within 0.25..20."""
        measured = estimated = 0.0
        for name, _, estimate in self.candidates:
            done = self.results[name]
            if done:
                measured += float(np.sum([f.seconds for f in done]))
                estimated += estimate * len(done)
        if measured < 0.5 or estimated <= 0.0:
            return 1.0
        return float(np.clip(measured / estimated, 0.25, 20.0))

    def run(self, batches: list[tuple[int, int]]) -> None:
        """Fit every (candidate, repeat) of ``batches`` on all the repeat's splits."""
        X, y, columns, groups = self.data
        jobs = [(c, s) for c, r in batches for s in self.folds_of(r)]
        tasks = (
            joblib.delayed(fit_fold)(self.candidates[c][1], X, y, columns, groups, s,
                                     self.splits[s], self.seed + 1000 * c + s,
                                     self.importance)
            for c, s in jobs
        )  # fmt: skip
        with warnings.catch_warnings():  # for threads, see fit_fold
            warnings.simplefilter("ignore")
            outputs = joblib.Parallel(n_jobs=self.n_jobs)(tasks)
        for (c, _), result in zip(jobs, outputs, strict=True):
            name = self.candidates[c][0]
            self.results[name].append(result)
            if result.error and self.status[name] == "ok":
                self.status[name] = f"failed: {result.error}"

    def race(self) -> list[int]:
        """Candidates within two standard errors of the best after the first repeat."""
        y = self.data[1]
        ok = [c for c in self.order if self.status[self.candidates[c][0]] == "ok"]
        if not ok:
            return []
        errors = {c: fold_rmse(self.results[self.candidates[c][0]], y) for c in ok}
        best = min(ok, key=lambda c: errors[c].mean())
        fraction = float(np.mean([s.test.size / y.size for s in self.splits]))
        keep = []
        for c in ok:
            difference = errors[c] - errors[best]
            se = standard_error(difference, fraction)
            if c == best or not np.isfinite(se) or difference.mean() <= 2.0 * se:
                keep.append(c)
        return keep


def fold_rmse(folds: list[FoldResult], y: np.ndarray) -> np.ndarray:
    """RMSE of each split's held-out predictions, shape (n_splits,)."""
    return np.array([np.sqrt(np.mean((y[f.test] - f.mean) ** 2)) for f in folds])


def standard_error(values: np.ndarray, test_fraction: float) -> float:
    """Nadeau-Bengio corrected standard error of the mean of per-split values.

    ``sd(values) * sqrt(1/J + n_test/n_train)`` with ``J = len(values)``.

    Examples
    --------
    >>> round(standard_error(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 0.2), 4)
    1.0607
    """
    J = values.size
    if J < 2:
        return float("nan")
    ratio = test_fraction / (1.0 - test_fraction)
    return float(np.std(values, ddof=1) * np.sqrt(1.0 / J + ratio))


def paired_standard_error(differences: np.ndarray) -> float:
    """Plain standard error of the mean of per-split values, ``sd / sqrt(J)``.

    Examples
    --------
    >>> round(paired_standard_error(np.array([1.0, 2.0, 3.0, 4.0, 5.0])), 4)
    0.7071
    """
    J = differences.size
    if J < 2:
        return float("nan")
    return float(np.std(differences, ddof=1) / np.sqrt(J))


def one_standard_error(
    fold_errors: dict[str, np.ndarray],
    pooled: dict[str, float],
    complexity: dict[str, float],
    test_fraction: float,
    prefer: str | None = None,
    members: dict[str, float] | None = None,
) -> str:
    """The simplest candidate within one standard error of the best (paired by split), or
    ``prefer`` (the blend) unless that simplest candidate is a readable model the blend
    mostly consists of.

    The standard error is that of the mean per-split difference to the best,
    ``sd / sqrt(J)`` (the rule of Hastie, Tibshirani & Friedman). The Nadeau-Bengio
    correction of :func:`standard_error`, right for a significance test and kept for the
    race, widened the band so much on 30-60-row tables that a linear model at 1.5-2 times
    the best error passed as "within one standard error".

    Parameters
    ----------
    fold_errors : dict of str to ndarray of shape (n_splits,)
        RMSE per split, the same splits for every candidate.
    pooled : dict of str to float
        Cross-validated RMSE over all held-out predictions; the best is its minimum.
    complexity : dict of str to float
        Lower is simpler; up to 2 (formula, linear, response surface) a model is readable:
        an equation the user can inspect.
    test_fraction : float
        ``n_test / n_samples`` of a split (``1 / K`` for K-fold).
    prefer : str, optional
        The blend of the contenders. It is taken, when it is within three standard errors
        of the best, unless the simplest candidate in the one-SE band is readable and the
        data agree on it: it is the best candidate itself, or it carries at least a third
        of the blend's weight (e.g. a quadratic response surface on a true quadratic,
        where a Gaussian process fits as well). Picking one black box over an average of
        similar ones only adds variance: on 30-120-row tables the blend's test error was
        lower than the selected single model's in 26 of 28 cases where they differed, and
        betting on the simplest failed badly when it extrapolated worse than
        cross-validation could show (a response surface picked on 60 rows of concrete: test
        RMSE 36, the blend's 11).
    members : dict of str to float, optional
        The blend's weights.

    Returns
    -------
    str

    Examples
    --------
    >>> errors = {"linear": np.array([1.02, 1.05, 0.98]), "mlp": np.array([1.0, 1.0, 1.0])}
    >>> one_standard_error(errors, {"linear": 1.02, "mlp": 1.0},
    ...                    {"linear": 1.0, "mlp": 4.0}, 0.2)
    'linear'
    >>> one_standard_error(errors, {"linear": 1.02, "mlp": 1.0},
    ...                    {"linear": 1.0, "mlp": 4.0}, 0.2, prefer="mlp")
    'mlp'
    """
    best = min(pooled, key=lambda n: (pooled[n], complexity[n]))
    band = {}  # differences to the best in standard errors
    for name, errors in fold_errors.items():
        difference = errors - fold_errors[best]
        se = paired_standard_error(difference)
        if name == best:
            band[name] = 0.0
        elif not np.isfinite(se):  # a single split: no band
            band[name] = np.inf
        elif se > 0:
            band[name] = difference.mean() / se
        else:
            band[name] = 0.0 if difference.mean() <= 0 else np.inf
    eligible = [name for name in fold_errors if band[name] <= 1.0]
    simplest = min(eligible, key=lambda n: (complexity[n], pooled[n]))
    if prefer is None or prefer not in band or simplest == prefer:
        return _no_worse_than_simpler(simplest, pooled, complexity)
    # a readable model is kept when the data agree on it: the blend leans on it, or it is
    # the best candidate outright (nothing to hedge towards)
    agreed = simplest == best or (members or {}).get(simplest, 0.0) >= _AGREE
    if complexity[simplest] <= _READABLE and agreed:
        return _no_worse_than_simpler(simplest, pooled, complexity)
    if band[prefer] <= _HEDGE_BAND:
        return prefer
    return _no_worse_than_simpler(simplest, pooled, complexity)


def _no_worse_than_simpler(
    choice: str, pooled: dict[str, float], complexity: dict[str, float]
) -> str:
    """``choice``, or the simplest candidate that is simpler and has a lower RMSE: paired by
    split, a noisy model can pass the band while a steadily better, simpler one does not
    (a Gaussian process kept over the linear model with the lower error, on a 2^3
    factorial)."""
    better = [
        name
        for name in pooled
        if complexity[name] < complexity[choice] and pooled[name] <= pooled[choice]
    ]
    return min(better, key=lambda n: (complexity[n], pooled[n])) if better else choice


def estimated_seconds(estimator: Any, n_samples: int, n_features: int) -> float:
    """Rough single-core seconds of one ``fit`` (schedules the candidates under a budget).

    Calibrated on a 2-core machine (2026): per optimizer step or boosting iteration, a
    fixed overhead plus a term that grows with the rows and the size of the model.
    """
    n, p = n_samples, n_features
    if isinstance(estimator, RidgeResponseSurface):
        terms = math.comb(p + estimator.degree, estimator.degree)
        return 0.01 + 5e-8 * n * terms**2
    if isinstance(estimator, GaussianProcessCandidate):
        h, r = min(n, estimator.hyper_rows), min(n, estimator.refine_rows)
        starts = 3 if n <= 200 else (2 if n <= 500 else 1)
        seconds = starts * 50 * (4e-3 + 3.4e-10 * h**3 + 2e-9 * h * h * p)
        if r > h:
            seconds += 30 * (4e-3 + 3.4e-10 * r**3 + 2e-9 * r * r * p)
        return seconds + 2e-10 * min(n, estimator.max_rows) ** 3
    if isinstance(estimator, MLPEnsemble):
        hidden = estimator.hidden_layer_sizes
        if hidden == "auto":
            hidden = SMALL_NETWORK if n < SMALL_ROWS else LARGE_NETWORK
        weights = sum(a * b for a, b in itertools.pairwise([p, *hidden, 1]))
        if n < LBFGS_MAX_ROWS:
            per_row = 1.5e-10 if n >= SMALL_ROWS else 3e-10  # float32 above SMALL_ROWS
            return (1200 + estimator.n_members * 750) * (1.5e-4 + per_row * n * weights)
        steps = (1 + estimator.n_members) * 60 * n / 200  # ~60 epochs of 200-row batches
        return steps * (2e-4 + 3e-10 * 200 * weights)
    if isinstance(estimator, BoostedTreesEnsemble):
        iterations = 100 if n < 50 else 200
        return estimator.n_members * iterations * (1e-3 + 5e-9 * n * p)
    return 0.01 + 1e-8 * n * p * p if complexity(estimator) <= 1.0 else 1.0


def candidate_name(estimator: Any) -> str:
    """snake_case name of an estimator's class, for the leaderboard."""
    inner = estimator.estimator if isinstance(estimator, PredictiveStd) else estimator
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(inner).__name__).lower()


def with_predictive_std(estimator: Any) -> Any:
    """A user's estimator, wrapped so that ``predict(X, return_std=True)`` is predictive."""
    if isinstance(estimator, RidgeResponseSurface | GaussianProcessCandidate | Ensemble):
        return clone(estimator)
    return PredictiveStd(clone(estimator))


def resolve_candidates(spec: Any, seed: int) -> list[tuple[str, Any]]:
    """``(name, estimator)`` pairs from AutoModel's ``candidates`` parameter.

    ``'auto'`` is every default; a list holds default names (``'auto'`` for all) and
    estimators; a dict maps names to estimators or default names. User estimators are
    wrapped to give a predictive standard deviation (:func:`with_predictive_std`).
    """
    if isinstance(spec, str):
        spec = [spec]
    items = list(spec.items()) if isinstance(spec, dict) else [(None, c) for c in spec]
    if not items:
        raise ValueError("candidates is empty; give 'auto' or at least one candidate")
    pairs: list[tuple[str, Any]] = []
    for key, item in items:
        if isinstance(item, str):
            if item == "auto" and key is None:
                pairs += [(n, default_candidate(n, seed + i)) for i, n in
                          enumerate(DEFAULT_CANDIDATES)]  # fmt: skip
                continue
            check_choice("candidates", item, [*DEFAULT_CANDIDATES, "auto"])
            pairs.append((key or item, default_candidate(item, seed + len(pairs))))
        elif hasattr(item, "fit") and hasattr(item, "predict"):
            pairs.append((key or candidate_name(item), with_predictive_std(item)))
        else:
            raise TypeError(
                f"candidates contains {item!r}, which is neither a candidate name "
                f"({sorted(DEFAULT_CANDIDATES)}) nor an estimator with fit and predict"
            )
    seen: dict[str, int] = {}
    unique = []
    for name, estimator in pairs:  # 'linear', 'linear' -> 'linear', 'linear_2'
        seen[name] = seen.get(name, 0) + 1
        unique.append((name if seen[name] == 1 else f"{name}_{seen[name]}", estimator))
    return unique
