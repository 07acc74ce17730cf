"""Several objectives as one number per run: the overall desirability (layer 4).

The individual Derringer-Suich desirabilities ``d_i`` in ``[0, 1]`` (see
:mod:`.objectives`) combine into the weighted geometric mean

    ``D = (prod_i d_i ** w_i) ** (1 / sum_i w_i)``,

so ``D = 0`` when any ``d_i = 0``, and a failed run (NaN in any objective) scores NaN.
:func:`score` gives one objective's own score, or ``D`` for several; :func:`as_objectives`
accepts the ways a caller may name the objectives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .objectives import Objective

__all__ = ["Desirability", "as_objectives", "is_failed", "score"]


# the weight of a tie-break in Desirability.ranking: far below any difference of
# desirability that matters, far above rounding
_TIE = 1e-6


class Desirability:
    """Several objectives combined into one overall desirability ``D`` in ``[0, 1]``.

    ``D = (prod_i d_i ** w_i) ** (1 / sum_i w_i)``, the weighted geometric mean of the
    individual Derringer-Suich desirabilities (see :mod:`.objectives` for ``d_i`` and how
    missing bounds are taken from the reference data). A failed run (NaN in any objective)
    scores NaN.

    Parameters
    ----------
    objectives : sequence of Objective
        At least one, with distinct names.

    Examples
    --------
    >>> from yieldlab.experiments.objectives import Maximize, Minimize
    >>> D = Desirability([Maximize("yield", 0, 100), Minimize("cost", 0, 10, weight=2)])
    >>> results = pd.DataFrame({"yield": [80.0, 40.0], "cost": [5.0, 1.0]})
    >>> D.score(results).round(4).tolist()
    [0.5848, 0.6868]
    """

    def __init__(self, objectives: Sequence[Objective]) -> None:
        self.objectives = as_objectives(objectives)

    def __repr__(self) -> str:
        return f"Desirability({self.objectives!r})"

    @property
    def names(self) -> list[str]:
        return [o.name for o in self.objectives]

    @property
    def weights(self) -> np.ndarray:
        return np.array([o.weight for o in self.objectives])

    def individual(self, results: Any, reference: Any = None) -> pd.DataFrame:
        """Each objective's desirability, a DataFrame of shape (n_samples, n_objectives)."""
        index = results.index if isinstance(results, pd.DataFrame) else None
        columns = {o.name: o.desirability(results, reference) for o in self.objectives}
        return pd.DataFrame(columns, index=index)

    def score(self, results: Any, reference: Any = None) -> np.ndarray:
        """Overall desirability, shape (n_samples,), NaN for failed runs."""
        d = self.individual(results, reference).to_numpy(dtype=float)
        w = self.weights
        # NOTE: log(0) = -inf gives exp(-inf) = 0, the correct limit; silence the warning.
        with np.errstate(divide="ignore"):
            return np.exp((np.log(d) * w).sum(axis=1) / w.sum())

    __call__ = score

    def beyond(self, results: Any, reference: Any = None) -> np.ndarray:
        """How far beyond their desirable bounds the values lie: the weighted mean over the
        objectives of ``max(r - 1, 0)``, ``r`` the desirability ramp not clipped at 1 (0 for
        a target, whose desirability peaks at it). Ranks settings that all have ``D = 1``.

        Examples
        --------
        >>> from yieldlab.experiments.objectives import Maximize, Minimize
        >>> D = Desirability([Maximize("yield", 0, 100), Minimize("cost", 0, 10)])
        >>> results = pd.DataFrame({"yield": [100.0, 120.0], "cost": [0.0, -5.0]})
        >>> D.score(results).tolist(), D.beyond(results).tolist()
        ([1.0, 1.0], [0.0, 0.35])
        """
        total = np.zeros(len(results))
        for o, w in zip(self.objectives, self.weights, strict=True):
            if o.sense == "target":
                continue
            low, high = o.bounds(results if reference is None else reference)
            with np.errstate(invalid="ignore", divide="ignore"):
                ramp = o._ramp(o.values(results), low, high)
            total += w * np.nan_to_num(np.maximum(ramp - 1.0, 0.0), nan=0.0, posinf=0.0)
        return total / self.weights.sum()

    def average(self, results: Any, reference: Any = None) -> np.ndarray:
        """The weighted arithmetic mean of the individual desirabilities (NaN for a failed
        run). Ranks settings whose overall desirability ties: the geometric mean is 0
        wherever one objective is rated 0 (with bounds taken from the results, the runs that
        are worst in it, or all runs when they all measured the same value), and then a run
        better in every other objective must still come first.

        Examples
        --------
        >>> from yieldlab.experiments.objectives import Maximize, Target
        >>> D = Desirability([Maximize("yield"), Target("purity", 98)])
        >>> results = pd.DataFrame({"yield": [50.0, 75.0], "purity": [95.0, 95.0]})
        >>> D.score(results).tolist(), D.average(results).tolist()
        ([0.0, 0.0], [0.0, 0.5])
        """
        d = self.individual(results, reference).to_numpy(dtype=float)
        return d @ self.weights / self.weights.sum()

    def ranking(self, results: Any, reference: Any = None) -> np.ndarray:
        """One number per row that orders results best first (NaN for a failed run): the
        overall desirability where it is above 0, and :meth:`shortfall` (negated) where it
        is 0; ties broken by :meth:`beyond` where it is above 0 and by :meth:`average`
        where it is 0, so a result at least as good in every objective never ranks below
        another.

        Examples
        --------
        >>> from yieldlab.experiments.objectives import Maximize, Minimize, Target
        >>> D = Desirability([Maximize("yield"), Minimize("cost"), Target("purity", 98)])
        >>> results = pd.DataFrame(
        ...     {"yield": [50.0, 75.0, 60.0], "cost": [3.0, 1.0, 2.0], "purity": 95.0}
        ... )
        >>> int(np.argmax(D.ranking(results)))
        1
        """
        overall = self.score(results, reference)
        # NOTE: the tie-breaks are scaled far below any difference of desirability or of
        # shortfall that means something, so they only order what would tie
        return np.where(
            overall > 0,
            overall + _TIE * self.beyond(results, reference),
            -self.shortfall(results, reference) + _TIE * self.average(results, reference),
        )

    def shortfall(self, results: Any, reference: Any = None) -> np.ndarray:
        """How far from acceptable the values lie: the weighted mean over the objectives of
        :func:`~.scores.shortfall` (how far beyond the bound at which the desirability
        reaches 0, in ramp widths). Ranks settings that all have ``D = 0``.

        Examples
        --------
        >>> from yieldlab.experiments.objectives import Maximize, Minimize
        >>> D = Desirability([Maximize("yield", low=80, high=100), Minimize("cost", 0, 10)])
        >>> results = pd.DataFrame({"yield": [50.0, 70.0], "cost": [5.0, 5.0]})
        >>> D.score(results).tolist(), D.shortfall(results).tolist()
        ([0.0, 0.0], [0.75, 0.25])
        """
        from .scores import shortfall

        total = np.zeros(len(results))
        for o, w in zip(self.objectives, self.weights, strict=True):
            low, high = o.bounds(results if reference is None else reference)
            total = total + w * shortfall(o, o.values(results), low, high)
        return total / self.weights.sum()


def as_objectives(objectives: Any) -> list[Objective]:
    """A list of objectives from one objective, a Desirability or a sequence of them."""
    if isinstance(objectives, Objective):
        return [objectives]
    if isinstance(objectives, Desirability):
        return list(objectives.objectives)
    if isinstance(objectives, str) or not isinstance(objectives, Sequence):
        raise TypeError(
            f"objectives={objectives!r} has the wrong type; expected an Objective such as "
            "Maximize('yield') or a list of them"
        )
    out = list(objectives)
    for item in out:
        if not isinstance(item, Objective):
            raise TypeError(
                f"{item!r} is not an objective; expected Maximize(name), Minimize(name) or "
                "Target(name, value)"
            )
    if not out:
        raise ValueError("objectives is empty; expected at least one objective")
    names = [o.name for o in out]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"objectives name the columns {duplicated} more than once")
    return out


def score(objectives: Any, results: Any, reference: Any = None) -> np.ndarray:
    """One number per run to maximize: the objective's score, or the desirability.

    Parameters
    ----------
    objectives : Objective, Desirability or sequence of Objective
        One objective gives its :meth:`Objective.score` (``y``, ``-y`` or ``-|y - T|``);
        several give the overall :class:`Desirability`.
    results : DataFrame of shape (n_samples, ...)
        Holds a column per objective.
    reference : DataFrame, optional
        Data the missing desirability bounds come from (for example the measured results
        when ``results`` are predictions); default ``results``.

    Returns
    -------
    ndarray of shape (n_samples,)
        NaN for a failed run.

    Examples
    --------
    >>> from yieldlab.experiments.objectives import Minimize
    >>> score(Minimize("cost"), pd.DataFrame({"cost": [3.0, np.nan]})).tolist()
    [-3.0, nan]
    """
    items = as_objectives(objectives)
    if len(items) == 1:
        return items[0].score(results)
    return Desirability(items).score(results, reference)


def is_failed(objectives: Any, results: Any) -> np.ndarray:
    """Boolean array of shape (n_samples,): runs where any objective is NaN."""
    items = as_objectives(objectives)
    return np.column_stack([o.is_failed(results) for o in items]).any(axis=1)
