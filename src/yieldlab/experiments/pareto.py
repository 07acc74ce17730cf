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

__all__ = [
    "hypervolume",
    "hypervolume_improvement",
    "nondominated_boxes",
    "objective_matrix",
    "pareto_mask",
    "reference_point",
]


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


def reference_point(objectives: Sequence[Objective], scores: Any) -> np.ndarray:
    """Where the hypervolume of a campaign starts counting, in "larger is better" units.

    Per objective: the value with desirability 0 when the user gave it (``Maximize(low=)``,
    ``Minimize(high=)``, a target's farther bound), so a result worse than that adds
    nothing; otherwise the worst score measured minus a tenth of the measured range (as
    BoTorch's ``infer_reference_point``), so every result measured counts a little.

    Parameters
    ----------
    objectives : sequence of Objective
    scores : array-like of shape (n_samples, n_objectives)
        Measured results as "larger is better" (:func:`objective_matrix`); NaN rows are
        failed runs and are ignored.

    Returns
    -------
    ndarray of shape (n_objectives,)

    Examples
    --------
    >>> from yieldlab.experiments.objectives import Maximize, Minimize
    >>> reference_point([Maximize("yield", low=10), Minimize("cost")], [[50, -2], [80, -4]])
    array([10. , -4.2])
    """
    S = np.asarray(scores, dtype=float).reshape(-1, len(objectives))
    ref = np.empty(len(objectives))
    for j, o in enumerate(objectives):
        given = _worthless(o)
        column = S[:, j][np.isfinite(S[:, j])]
        if given is not None:
            ref[j] = given
        elif column.size:
            spread = float(np.ptp(column)) or max(1.0, abs(float(column.min())))
            ref[j] = float(column.min()) - 0.1 * spread
        else:
            ref[j] = 0.0
    return ref


def _worthless(objective: Objective) -> float | None:
    """The score at which the objective's desirability reaches 0, when the user gave it."""
    low, high = objective.low, objective.high
    if objective.sense == "max":
        return low
    if objective.sense == "min":
        return None if high is None else -high
    if low is None or high is None:
        return None
    return -max(objective.value - low, high - objective.value)


def nondominated_boxes(front: Any, ref: Any) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint boxes that cover the region above ``ref`` not dominated by ``front``.

    All objectives "larger is better". The first ``m - 1`` objectives are cut into a grid at
    the front's coordinates; in each column of the grid the region not dominated is one
    interval upwards in the last objective, from the highest point of the front that
    dominates the column (or ``ref``). So there are at most ``(k + 1)^(m - 1)`` boxes for a
    front of ``k`` points (``k + 1`` for two objectives); upper ends are ``inf``.

    Parameters
    ----------
    front : array-like of shape (k, m)
        Points found so far (dominated ones and those not above ``ref`` change nothing).
    ref : array-like of shape (m,)

    Returns
    -------
    lower, upper : ndarray of shape (n_boxes, m)

    Examples
    --------
    >>> lower, upper = nondominated_boxes([[2.0, 1.0], [1.0, 2.0]], [0.0, 0.0])
    >>> lower.tolist()
    [[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]]
    """
    ref = np.asarray(ref, dtype=float).ravel()
    m = ref.size
    points = np.asarray(front, dtype=float).reshape(-1, m)
    points = points[(points > ref).all(axis=1)]
    if m == 1:
        start = max(float(ref[0]), float(points.max())) if len(points) else float(ref[0])
        return np.array([[start]]), np.array([[np.inf]])
    edges = [np.unique(np.r_[ref[j], points[:, j]]) for j in range(m - 1)]
    lows = np.meshgrid(*edges, indexing="ij")
    highs = np.meshgrid(*[np.r_[e[1:], np.inf] for e in edges], indexing="ij")
    L = np.column_stack([g.ravel() for g in lows])
    U = np.column_stack([g.ravel() for g in highs])
    if len(points):
        # a point dominates a whole column when it is above the column's upper corner
        covers = np.all(points[None, :, : m - 1] >= U[:, None, :], axis=2)
        floor = np.where(covers, points[None, :, m - 1], -np.inf).max(axis=1)
    else:
        floor = np.full(len(L), -np.inf)
    floor = np.maximum(floor, ref[m - 1])
    lower = np.column_stack([L, floor])
    upper = np.column_stack([U, np.full(len(L), np.inf)])
    return lower, upper


def hypervolume_improvement(Y: Any, lower: Any, upper: Any) -> np.ndarray:
    """How much hypervolume each point of ``Y`` would add, given the boxes of
    :func:`nondominated_boxes` (all objectives "larger is better").

    Parameters
    ----------
    Y : array-like of shape (..., m)
    lower, upper : array-like of shape (n_boxes, m)

    Returns
    -------
    ndarray of shape (...)

    Examples
    --------
    >>> lower, upper = nondominated_boxes([[2.0, 1.0], [1.0, 2.0]], [0.0, 0.0])
    >>> hypervolume_improvement([[2.0, 2.0], [0.5, 0.5]], lower, upper).tolist()
    [1.0, 0.0]
    """
    Y = np.asarray(Y, dtype=float)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    sides = np.clip(np.minimum(Y[..., None, :], upper) - lower, 0.0, None)  # (..., b, m)
    return sides.prod(axis=-1).sum(axis=-1)
