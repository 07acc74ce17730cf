"""Scores: objective values turned into one "larger is better" number (layer 4).

What a campaign's acquisition maximizes is a :class:`Score` of the predicted objective values:
``y`` (maximize), ``-y`` (minimize), ``-|y - T|`` (target), the Derringer-Suich desirability
of several objectives (the weighted geometric mean of their ramps; where it is 0, minus the
:func:`shortfall`, so that a bound no result has reached is still approached), or a random
augmented Chebyshev scalarization of them with weights from :func:`sample_simplex`, as in ParEGO
(Knowles 2006) but in the form BoTorch uses: ``min_j w_j u_j + rho sum_j w_j u_j``
maximized, with ``u_j`` each objective normalized to [0, 1] from its worst measured value
(Knowles minimizes ``max_j w_j f_j + rho sum_j w_j f_j`` measured from the ideal point; the
weights act the other way round, and either form reaches every point of the Pareto front as
the weights vary). Scores work on arrays of any leading shape, so Monte Carlo draws of
the objectives score in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .objectives import Maximize, Minimize, Objective

__all__ = ["Score", "oriented", "sample_simplex", "shortfall"]


def sample_simplex(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` weight vectors drawn uniformly from the simplex ``{w >= 0, sum w = 1}``.

    Returns
    -------
    ndarray of shape (n, m)
    """
    w = rng.exponential(size=(n, m))
    return w / w.sum(axis=1, keepdims=True)


class Score:
    """Objective values -> one "larger is better" number per setting.

    Parameters
    ----------
    objectives : sequence of Objective
    reference : DataFrame, optional
        Measured results: the desirability bounds that are not given, and the ranges the
        Chebyshev scalarization normalizes by, come from it.
    weights : array-like of shape (n_objectives,), optional
        Chebyshev weights (ParEGO); without them several objectives combine by desirability.
    rho : float, default=0.05
        Weight of the linear term of the augmented Chebyshev scalarization.

    Attributes
    ----------
    linear : bool
        Whether the score is ``+y`` or ``-y`` of a single objective, where EI is analytic.

    Examples
    --------
    >>> import pandas as pd
    >>> from yieldlab.experiments.objectives import Maximize, Minimize
    >>> score = Score([Maximize("yield", 0, 100), Minimize("cost", 0, 10)])
    >>> score(np.array([[50.0, 5.0], [100.0, 0.0]])).tolist()
    [0.5, 1.0]
    """

    def __init__(
        self,
        objectives: Sequence[Objective],
        reference: Any = None,
        weights: Any = None,
        rho: float = 0.05,
    ) -> None:
        self.objectives = list(objectives)
        self.weights = None if weights is None else np.asarray(weights, dtype=float)
        self.rho = rho
        self.linear = len(self.objectives) == 1 and isinstance(
            self.objectives[0], Maximize | Minimize
        )
        self.sign = -1.0 if isinstance(self.objectives[0], Minimize) else 1.0
        if self.weights is not None:
            self._bounds = [_score_range(o, reference) for o in self.objectives]
        elif len(self.objectives) > 1:
            self._bounds = [o.bounds(reference) for o in self.objectives]

    def __call__(self, Y: Any) -> np.ndarray:
        """Score of objective values ``Y`` of shape (..., n_objectives) -> shape (...)."""
        Y = np.asarray(Y, dtype=float)
        if len(self.objectives) == 1:
            return _oriented(self.objectives[0], Y[..., 0])
        if self.weights is not None:
            U = np.stack(
                [
                    (_oriented(o, Y[..., i]) - low) / (high - low)
                    for i, (o, (low, high)) in enumerate(
                        zip(self.objectives, self._bounds, strict=True)
                    )
                ],
                axis=-1,
            )
            return (U * self.weights).min(axis=-1) + self.rho * (U @ self.weights)
        logs, short = 0.0, 0.0
        for i, (o, (low, high)) in enumerate(zip(self.objectives, self._bounds, strict=True)):
            with np.errstate(divide="ignore"):
                logs = logs + o.weight * np.log(_desirability(o, Y[..., i], low, high))
            short = short + o.weight * shortfall(o, Y[..., i], low, high)
        total = sum(o.weight for o in self.objectives)
        D = np.exp(logs / total)
        # where D = 0, how far from acceptable (negative): a bound no result has reached
        # yet is still approached, instead of every setting scoring 0 alike
        return np.where(D > 0, D, -short / total)

    def of_results(self, results: Any) -> np.ndarray:
        """Score of a results table (one column per objective), NaN for failed runs."""
        return self(np.column_stack([o.values(results) for o in self.objectives]))


def oriented(objectives: Sequence[Objective], Y: Any) -> np.ndarray:
    """Objective values ``Y`` of shape (..., n_objectives), each column "larger is better".

    Examples
    --------
    >>> from yieldlab.experiments.objectives import Maximize, Minimize
    >>> oriented([Maximize("y"), Minimize("c")], np.array([[1.0, 2.0]])).tolist()
    [[1.0, -2.0]]
    """
    Y = np.asarray(Y, dtype=float)
    return np.stack([_oriented(o, Y[..., j]) for j, o in enumerate(objectives)], axis=-1)


def _oriented(objective: Objective, y: np.ndarray) -> np.ndarray:
    """``y``, ``-y`` or ``-|y - T|``: the objective as "larger is better"."""
    if objective.sense == "max":
        return y
    if objective.sense == "min":
        return -y
    return -np.abs(y - objective.value)


def _score_range(objective: Objective, reference: Any) -> tuple[float, float]:
    if reference is None:
        raise ValueError("a Chebyshev score needs the measured results as reference")
    s = _oriented(objective, objective.values(reference))
    s = s[np.isfinite(s)]
    low, high = (float(s.min()), float(s.max())) if s.size else (0.0, 1.0)
    return low, high if high > low else low + 1.0


def shortfall(objective: Objective, y: Any, low: float, high: float) -> np.ndarray:
    """How far ``y`` lies on the unacceptable side of the desirability bounds ``(low,
    high)``, in units of the ramp's width (0 where the desirability is above 0; NaN for
    NaN): ranks settings that all have desirability 0.

    Examples
    --------
    >>> from yieldlab.experiments.objectives import Maximize, Target
    >>> shortfall(Maximize("y"), np.array([40.0, 70.0, 90.0]), 80.0, 100.0).tolist()
    [2.0, 0.5, 0.0]
    >>> shortfall(Target("p", 98), np.array([93.0, 101.0]), 95.0, 100.0).tolist()
    [0.6666666666666666, 0.5]
    """
    y = np.asarray(y, dtype=float)
    width = max(high - low, abs(high), 1e-12) if high == low else high - low
    if objective.sense == "max":
        below = (low - y) / width
    elif objective.sense == "min":
        below = (y - high) / width
    else:
        t = objective.value
        below = np.maximum(
            (low - y) / (t - low if t > low else width),
            (y - high) / (high - t if high > t else width),
        )
    return np.where(np.isnan(y), np.nan, np.maximum(below, 0.0))


def _desirability(objective: Objective, y: np.ndarray, low: float, high: float) -> np.ndarray:
    """Derringer-Suich ramps of :mod:`.objectives`, vectorized over any shape."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if objective.sense == "max":
            d = (y >= high) * 1.0 if high == low else (y - low) / (high - low)
        elif objective.sense == "min":
            d = (y <= low) * 1.0 if high == low else (high - y) / (high - low)
        else:
            t = objective.value
            left = (y - low) / (t - low) if t > low else np.zeros_like(y)
            right = (high - y) / (high - t) if high > t else np.zeros_like(y)
            d = np.where(y == t, 1.0, np.where(y <= t, left, right))
            d = np.where((y < low) | (y > high), 0.0, d)
    return np.where(np.isnan(y), np.nan, np.clip(d, 0.0, 1.0))
