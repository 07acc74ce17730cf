"""The best settings according to a fitted model (layer 4): ``yieldlab optimize``.

Maximises (or minimises) a model's predicted mean over a :class:`~.space.Space`: a scrambled
Sobol pool over the whole space (categorical levels included) finds the promising regions,
then each of the best few is polished over its continuous parameters with a derivative-free
bounded search (Powell), its categorical levels held fixed. Works for any model, including
trees and ensembles whose prediction has no gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from .._validation import check_rng
from ..exceptions import SpaceError
from .space import Space

__all__ = ["ModelOptimum", "find_optimum"]

Predict = Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class ModelOptimum:
    """The best settings found and the model's prediction there.

    Attributes
    ----------
    settings : dict
        Parameter name -> value, in user units.
    mean : float
        Predicted mean response.
    std : float
        Predictive standard deviation.
    """

    settings: dict
    mean: float
    std: float


def _scores(
    predict: Predict, space: Space, Z: np.ndarray, sign: float
) -> tuple[np.ndarray, pd.DataFrame]:
    settings = space.decode(Z)
    mean, _ = predict(settings)
    score = sign * np.asarray(mean, float)
    feasible = space.is_feasible(settings) if space.has_restrictions else np.ones(len(Z), bool)
    return np.where(feasible & np.isfinite(score), score, -np.inf), settings


def find_optimum(
    predict: Predict,
    space: Space,
    maximize: bool = True,
    rng=None,
    n_pool: int = 2048,
    n_polish: int = 4,
) -> ModelOptimum:
    """Settings in ``space`` with the best predicted mean.

    Parameters
    ----------
    predict : callable
        Maps a DataFrame of settings (the space's columns) to ``(mean, std)`` arrays.
    space : Space
    maximize : bool, default=True
        Maximise the mean; False minimises it.
    rng : None, int or numpy.random.Generator
        Seeds the candidate pool.
    n_pool : int, default=2048
        Candidate settings drawn over the whole space.
    n_polish : int, default=4
        Best candidates polished over their continuous parameters.

    Returns
    -------
    ModelOptimum

    Raises
    ------
    SpaceError
        When no feasible setting could be drawn.

    Examples
    --------
    >>> from yieldlab.experiments.ranges import Real
    >>> space = Space([Real("T", 20, 80)])
    >>> def predict(frame):
    ...     return -(frame["T"].to_numpy() - 55.0) ** 2, np.zeros(len(frame))
    >>> round(find_optimum(predict, space, rng=0).settings["T"], 3)
    55.0
    """
    rng = check_rng(rng)
    sign = 1.0 if maximize else -1.0
    pool = (
        space.sample(n_pool, rng)
        if space.has_restrictions
        else space.from_unit(rng.random((n_pool, len(space.names))))
    )
    Z = space.encode(pool)
    scores, _ = _scores(predict, space, Z, sign)
    if not np.isfinite(scores).any():
        raise SpaceError(
            "no feasible setting found to optimise over; check the space's "
            "constraints and exclusions"
        )
    free = np.flatnonzero(space.continuous_mask)
    best_z, best_score = Z[int(np.argmax(scores))].copy(), float(np.max(scores))
    for index in np.argsort(-scores)[:n_polish]:
        if not free.size or not np.isfinite(scores[index]):
            break
        start = Z[index].copy()

        def loss(u: np.ndarray, start: np.ndarray = start) -> float:
            z = start.copy()
            z[free] = np.clip(u, 0.0, 1.0)
            value = _scores(predict, space, z[None, :], sign)[0][0]
            return -value if np.isfinite(value) else 1e300

        result = minimize(
            loss,
            start[free],
            method="Powell",
            bounds=[(0.0, 1.0)] * free.size,
            options={"xtol": 1e-6, "ftol": 1e-10, "maxfev": 400},
        )
        if -result.fun > best_score:
            best_score = -float(result.fun)
            best_z = start.copy()
            best_z[free] = np.clip(result.x, 0.0, 1.0)
    settings = space.decode(best_z[None, :])
    mean, std = predict(settings)
    return ModelOptimum(
        settings={
            k: v.item() if hasattr(v, "item") else v for k, v in settings.iloc[0].to_dict().items()
        },
        mean=float(np.asarray(mean)[0]),
        std=float(np.asarray(std)[0]),
    )
