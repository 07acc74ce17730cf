"""The best settings according to a campaign's models (layer 4).

The best result measured is biased upwards when results are noisy: of several settings with
the same true yield, the luckiest measurement wins. The models average the noise out: they
predict the mean of the process at each setting, from every result near it. This module
answers two questions with them, as :meth:`~.campaign.Campaign.best_predicted` asks them:

* :func:`ranked_runs`: which of the settings already run are best? The distinct settings
  with results (replicates together), ranked by the predicted mean: the settings to use or
  to report, each backed by its own measurements.
* :func:`predicted_optimum`: where is the optimum? The predicted mean maximized over the
  whole space (every candidate row in candidates mode), run or not: a setting never run
  should be confirmed by running it, and its standard deviation says how sure the models are.

The score of a prediction is the objective's (larger is better; closeness to a target); for
several objectives the desirability of the predicted means, with the bounds
:meth:`~.campaign.Campaign.best` uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .desirability import Desirability
from .held import matching
from .objectives import Objective
from .optimizer import Maximizer
from .results import RANKING_COLUMNS
from .space import Space

__all__ = ["RANKING_COLUMNS", "predicted_gain", "predicted_optimum", "ranked_runs"]

_N_INCUMBENTS = 5  # settings run whose neighbourhoods the maximizer's pool searches


def _scored(
    posterior: Any, objectives: list[Objective], Z: np.ndarray, reference: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray]:
    """The predicted means and their standard deviations at ``Z`` (``<objective>_mean``,
    ``<objective>_std``; the mean of the process, measurement noise not included), and the
    score of the means."""
    mean, std = posterior.predict(Z)
    names = [o.name for o in objectives]
    means = pd.DataFrame(mean, columns=names)
    if len(objectives) == 1:
        score = objectives[0].score(means)
    else:
        desirability = Desirability(objectives)
        overall = desirability.score(means, reference)
        # bounds taken from the results rate every mean beyond the best measured 1: among
        # such settings, the farther beyond wins; where every mean is rated 0 (a bound not
        # reached), the one closest to acceptable
        score = desirability.ranking(means, reference)
    columns = {}
    for i, name in enumerate(names):
        columns[f"{name}_mean"], columns[f"{name}_std"] = mean[:, i], std[:, i]
    table = pd.DataFrame(columns)
    if len(objectives) > 1:
        table["desirability"] = overall
    return table, np.where(np.isfinite(score), score, -np.inf)


def ranked_runs(
    posterior: Any,
    space: Space,
    objectives: list[Objective],
    done: pd.DataFrame,
    Z: np.ndarray,
    n: int,
    reference: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ``n`` best distinct settings among the finished experiments, by predicted mean.

    Parameters
    ----------
    posterior : Posterior
        The campaign's fitted models (``predict(Z)`` -> means and standard deviations of the
        process, shape (k, n_objectives) each).
    space : Space
    objectives : list of Objective
    done : DataFrame
        The finished experiments (``experiment``, the settings, the objectives).
    Z : ndarray of shape (len(done), n_encoded)
        Their encoded settings.
    n : int
    reference : DataFrame, optional
        The results the desirability bounds are taken from (several objectives); default
        ``done``. Give every result when ``done`` is a selection, so the selection does not
        change how the settings are rated.

    Returns
    -------
    DataFrame
        Best first: with candidates, ``candidate`` (the row's label); the settings, the
        average measured value of each objective, ``runs`` (results at the setting),
        ``experiments`` (their ids, as text such as ``"4, 9"``), ``<objective>_mean`` and
        ``<objective>_std`` and, for several objectives, ``desirability`` of the means.
    """
    if len(done) == 0:
        return pd.DataFrame(columns=[*space.names, *(o.name for o in objectives)])
    # replicates share a setting (to rounding in the encoded space)
    _, first, group = np.unique(np.round(Z, 9), axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    names = [o.name for o in objectives]
    labelled = ["candidate"] if "candidate" in done else []
    table = done.iloc[first][[*labelled, *space.names]].reset_index(drop=True)
    measured = done[names].groupby(group).mean()
    for name in names:
        table[name] = measured[name].to_numpy()
    ids = done["experiment"].groupby(group)
    table["runs"] = ids.size().to_numpy()
    table["experiments"] = [", ".join(str(int(i)) for i in v) for _, v in ids]
    predicted, score = _scored(
        posterior, objectives, Z[first], done if reference is None else reference
    )
    table = pd.concat([table, predicted], axis=1)
    order = np.argsort(-score, kind="stable")[:n]
    return table.iloc[order].reset_index(drop=True)


def predicted_optimum(
    posterior: Any,
    space: Space,
    objectives: list[Objective],
    done: pd.DataFrame,
    Z: np.ndarray,
    rng: np.random.Generator,
    *,
    candidates: np.ndarray | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The setting of the largest predicted mean score over the space.

    Parameters
    ----------
    posterior, space, objectives, done, Z
        As :func:`ranked_runs` (``done`` and ``Z`` may be empty).
    rng : Generator
        Draws the maximizer's pool of settings.
    candidates : ndarray of shape (n_rows, n_encoded), optional
        Encoded candidate rows (with the ``fixed`` values only); every one is scored.
    fixed : mapping of str to value, optional
        Parameters held at one value (continuous mode; candidates come filtered).

    Returns
    -------
    order : ndarray of int
        Candidates mode: the rows of ``candidates``, best first. Otherwise one row, the
        encoded optimum, of shape (1, n_encoded).
    predicted : DataFrame
        ``<objective>_mean``, ``<objective>_std`` (and ``desirability``), one row per entry of
        ``order``.
    """
    if candidates is not None:
        predicted, score = _scored(posterior, objectives, candidates, done)
        order = np.argsort(-score, kind="stable")
        return order, predicted.iloc[order].reset_index(drop=True)

    def criterion(Zs: np.ndarray) -> np.ndarray:
        return _scored(posterior, objectives, Zs, done)[1]

    fixed = dict(fixed or {})
    run = Z[matching(done, space, fixed)] if len(done) else Z
    incumbents = run[np.argsort(-criterion(run))[:_N_INCUMBENTS]] if len(run) else None
    maximizer = Maximizer(space, incumbents=incumbents, fixed=fixed)
    z, value = maximizer.maximize(criterion, rng)
    # the pool perturbs the settings run but never holds them: the best of them may win
    if incumbents is not None and criterion(incumbents[:1])[0] >= value:
        z = incumbents[0]
    return z[None, :], _scored(posterior, objectives, z[None, :], done)[0]


def predicted_gain(
    objectives: list[Objective], optimum: pd.DataFrame, best: pd.DataFrame
) -> tuple[float, float] | None:
    """How much better the predicted optimum is than the best settings run, by the means,
    and the optimum's standard deviation, both in the objective's units; None for several
    objectives (desirability has no units to compare a standard deviation with).

    Parameters
    ----------
    objectives : list of Objective
    optimum, best : DataFrame
        The first rows of ``best_predicted(among='space')`` and ``best_predicted()``.

    Examples
    --------
    >>> from yieldlab.experiments.objectives import Minimize
    >>> optimum = pd.DataFrame({"cost_mean": [4.1], "cost_std": [0.3]})
    >>> predicted_gain([Minimize("cost")], optimum, pd.DataFrame({"cost_mean": [4.5]}))
    (0.40000000000000036, 0.3)
    """
    if len(objectives) > 1:
        return None
    objective = objectives[0]
    name = f"{objective.name}_mean"
    scores = [
        float(objective.score(np.asarray(frame[name].iloc[:1], dtype=float))[0])
        for frame in (optimum, best)
    ]
    return scores[0] - scores[1], float(optimum[f"{objective.name}_std"].iloc[0])
