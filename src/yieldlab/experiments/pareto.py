"""Pareto fronts and the hypervolume of several objectives (layer 4).

Every objective is turned into "larger is better" (:func:`objective_matrix`: ``y``, ``-y``,
``-|y - T|``), then :func:`pareto_mask` finds the non-dominated rows and
:func:`hypervolume` measures the region they dominate up to a reference point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .desirability import as_objectives
from .objectives import Objective

__all__ = ["hypervolume", "objective_matrix", "pareto_mask"]


def objective_matrix(objectives: Any, results: Any) -> np.ndarray:
    """Every objective as "larger is better", shape (n_samples, n_objectives)."""
    items = as_objectives(objectives)
    return np.column_stack([o.score(results) for o in items])


def _oriented(Y: Any, senses: Any, what: str = "Y") -> np.ndarray:
    """``Y`` with every column turned into "larger is better"."""
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2:
        raise ValueError(f"{what} must be 2-D of shape (n_samples, n_objectives); got {Y.shape}")
    if senses is None:
        return Y.copy()
    if isinstance(senses, str) or len(senses) != Y.shape[1]:
        raise ValueError(
            f"senses={senses!r} must list one of 'max'/'min' per column ({Y.shape[1]})"
        )
    signs = np.array([_sign(s) for s in senses])
    return Y * signs


def _sign(sense: Any) -> float:
    if isinstance(sense, Objective):
        if sense.sense == "target":
            raise ValueError(
                f"{sense!r} has no direction; use objective_matrix() to turn targets into "
                "'larger is better' columns first"
            )
        sense = sense.sense
    table = {"max": 1.0, "maximize": 1.0, "min": -1.0, "minimize": -1.0}
    if sense not in table:
        raise ValueError(f"sense {sense!r} is not supported; expected 'max' or 'min'")
    return table[sense]


def pareto_mask(Y: Any, senses: Sequence[str] | None = None) -> np.ndarray:
    """Which rows are non-dominated (on the Pareto front).

    Row ``a`` dominates row ``b`` when ``a`` is at least as good in every objective and
    strictly better in one. Rows with NaN (failed runs) are never on the front and dominate
    nothing; identical rows are all kept.

    Parameters
    ----------
    Y : array-like of shape (n_samples, n_objectives)
    senses : sequence of {'max', 'min'}, optional
        Direction of each column; default all ``'max'``.

    Returns
    -------
    ndarray of bool, shape (n_samples,)

    Examples
    --------
    >>> pareto_mask([[1, 5], [2, 4], [1, 4], [0, 6]], senses=["max", "max"]).tolist()
    [True, True, False, True]
    """
    Y = _oriented(Y, senses)
    valid = np.flatnonzero(~np.isnan(Y).any(axis=1))
    P = Y[valid]
    efficient = np.ones(len(P), dtype=bool)
    for i in range(len(P)):
        if efficient[i]:
            # NOTE: skipping dominated points is safe: whatever they dominate, their own
            # dominator dominates too (transitivity), and it is (or was) visited.
            dominated = np.all(P[i] >= P, axis=1) & np.any(P[i] > P, axis=1)
            efficient[dominated] = False
    mask = np.zeros(len(Y), dtype=bool)
    mask[valid[efficient]] = True
    return mask


def hypervolume(Y: Any, ref: Any, senses: Sequence[str] | None = None) -> float:
    """Exact hypervolume dominated by the rows of ``Y`` and bounded by ``ref``.

    The volume of the union of the boxes between each point and the reference point, for
    points strictly better than ``ref`` in every objective (others add nothing). Two
    objectives: one sweep after sorting, ``O(n log n)``; three or more: slicing along the
    last objective, ``O(n^(d-1) log n)``, exact but meant for fronts of a few hundred points
    in 2-4 objectives. Rows with NaN are ignored.

    Parameters
    ----------
    Y : array-like of shape (n_samples, n_objectives)
    ref : array-like of shape (n_objectives,)
        Reference point, worse than the points of interest.
    senses : sequence of {'max', 'min'}, optional
        Direction of each column; default all ``'max'``.

    Returns
    -------
    float

    Examples
    --------
    >>> hypervolume([[1, 2], [2, 1]], ref=[0, 0])
    3.0
    >>> hypervolume([[1.0, 1.0, 1.0]], ref=[2, 2, 2], senses=["min"] * 3)
    1.0
    """
    Y = _oriented(Y, senses)
    r = _oriented(np.asarray(ref, dtype=float).reshape(1, -1), senses, "ref")[0]
    if r.shape[0] != Y.shape[1] or not np.all(np.isfinite(r)):
        raise ValueError(f"ref={ref!r} must hold one finite number per column of Y")
    Y = Y[~np.isnan(Y).any(axis=1)]
    # to minimization, relative to the reference point
    P = r - Y
    P = P[np.all(P < 0, axis=1)] if len(P) else P.reshape(0, len(r))
    P = -P
    # now every row is a positive box size from the origin (maximization at 0)
    keep = pareto_mask(P) if len(P) else np.zeros(0, dtype=bool)
    return float(_volume(P[keep]))


def _volume(P: np.ndarray) -> float:
    """Volume of the union of boxes ``[0, p]`` for the rows ``p`` of ``P`` (all > 0)."""
    n, d = P.shape
    if n == 0:
        return 0.0
    if d == 1:
        return float(P[:, 0].max())
    if d == 2:
        order = np.argsort(-P[:, 0], kind="stable")
        x, y = P[order, 0], P[order, 1]
        best_y = np.maximum.accumulate(y)
        # strips: between successive best heights, as wide as the point that raised it
        gains = np.diff(np.concatenate([[0.0], best_y]))
        return float((gains * x).sum())
    order = np.argsort(-P[:, -1], kind="stable")
    P = P[order]
    heights = np.append(P[:, -1], 0.0)
    total = 0.0
    for k in range(n):
        thickness = heights[k] - heights[k + 1]
        if thickness > 0:
            front = P[: k + 1, :-1]
            total += thickness * _volume(front[pareto_mask(front)])
    return total
