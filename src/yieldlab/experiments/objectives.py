"""What to optimize: objectives, desirability, Pareto fronts and hypervolume (layer 4).

An objective names a measured column and a goal: :class:`Maximize`, :class:`Minimize` or
:class:`Target`. A measured value is **failed** when it is NaN (the run gave no result);
failed values stay NaN in every score, so the caller decides what a failure costs. ``inf``
is a valid (extreme) value, e.g. an infinite process mass intensity when nothing formed.

Several objectives combine in one of two ways, the user's choice:

* **Desirability** (Derringer & Suich, J. Qual. Technol. 12, 214, 1980): each value ``y`` is
  mapped to ``d`` in ``[0, 1]`` between bounds ``L < H``,

  - maximize: ``d = clip((y - L) / (H - L), 0, 1)``,
  - minimize: ``d = clip((H - y) / (H - L), 0, 1)``,
  - target ``T``: ``d = (y - L) / (T - L)`` for ``L <= y <= T``,
    ``d = (H - y) / (H - T)`` for ``T <= y <= H``, ``d = 0`` outside ``[L, H]``,

  and the overall desirability is the weighted geometric mean
  ``D = (prod_i d_i ** w_i) ** (1 / sum_i w_i)``, so ``D = 0`` when any ``d_i = 0``.
  A bound that is not given is taken from the *reference* data (the measured results, or
  the table being scored when no reference is given), from its finite values only:
  ``L = min(y)``, ``H = max(y)``; for a target, ``L = min(min(y), T)``,
  ``H = max(max(y), T)``. When ``L == H`` the ramp is a step: ``d = 1`` at or beyond the
  good end, else 0.
* **Pareto**: every objective turned into "larger is better" (:func:`objective_matrix`:
  ``y``, ``-y``, ``-|y - T|``), then :func:`pareto_mask` finds the non-dominated rows and
  :func:`hypervolume` measures the region they dominate up to a reference point.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..exceptions import DataError
from .parameters import spec_error

__all__ = [
    "OBJECTIVE_TYPES",
    "Desirability",
    "Maximize",
    "Minimize",
    "Objective",
    "Target",
    "as_objectives",
    "hypervolume",
    "is_failed",
    "objective_from_dict",
    "objective_matrix",
    "pareto_mask",
    "score",
]


def _optional_number(owner: str, argument: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{owner}: {argument}={value!r} is invalid; expected a finite number")
    return float(value)


class Objective:
    """Base class: a measured column and how good each value is.

    Attributes
    ----------
    name : str
        Column of the results table.
    sense : str
        ``'max'``, ``'min'`` or ``'target'``.
    low, high : float or None
        Desirability bounds; ``None`` takes them from the reference data.
    weight : float
        Weight in the desirability's geometric mean (relative; > 0).
    """

    sense: ClassVar[str]

    def __init__(
        self, name: str, low: float | None = None, high: float | None = None, weight: float = 1.0
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"name={name!r} is not valid; expected a non-empty string")
        owner = f"{type(self).__name__}({name!r})"
        self.name = name
        self.low = _optional_number(owner, "low", low)
        self.high = _optional_number(owner, "high", high)
        weight = _optional_number(owner, "weight", weight)
        if weight is None or weight <= 0:
            raise ValueError(f"{owner}: weight={weight!r} is invalid; expected a number > 0")
        self.weight = weight
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"{owner}: low={low!r} must be smaller than high={high!r}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._arguments()})"

    def _arguments(self) -> str:
        text = repr(self.name)
        for key in ("low", "high"):
            if getattr(self, key) is not None:
                text += f", {key}={getattr(self, key)!r}"
        return text + (f", weight={self.weight!r}" if self.weight != 1.0 else "")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))

    def values(self, results: Any) -> np.ndarray:
        """The measured values as floats, shape (n_samples,); NaN marks a failed run.

        ``results`` is a DataFrame holding the column ``name``, or the values themselves.
        """
        if isinstance(results, pd.DataFrame):
            if self.name not in results.columns:
                from .._validation import closest_name

                hint = closest_name(self.name, [str(c) for c in results.columns])
                did_you_mean = f"; did you mean {hint!r}?" if hint else ""
                raise DataError(
                    f"the results have no column {self.name!r} for the objective "
                    f"{self!r}{did_you_mean}"
                )
            results = results[self.name]
        raw = pd.Series(np.asarray(results, dtype=object).ravel(), dtype=object)
        y = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero(np.isnan(y) & raw.notna().to_numpy())
        if bad.size:
            raise DataError(
                f"row {int(bad[0])}, column {self.name!r}: {raw.iloc[bad[0]]!r} is not a "
                "number; leave the cell empty (NaN) to record a failed run"
            )
        return y

    def is_failed(self, results: Any) -> np.ndarray:
        """Boolean array: which runs failed (the value is NaN)."""
        return np.isnan(self.values(results))

    def score(self, results: Any) -> np.ndarray:
        """The values turned into "larger is better" (NaN for a failed run)."""
        raise NotImplementedError

    def bounds(self, reference: Any = None) -> tuple[float, float]:
        """Desirability bounds ``(L, H)``: the given ones, else from ``reference``.

        Raises
        ------
        ValueError
            When a bound is missing and ``reference`` has no finite value.
        """
        if self.low is not None and self.high is not None:
            return self.low, self.high
        y = np.asarray([] if reference is None else self.values(reference), dtype=float)
        y = y[np.isfinite(y)]
        if y.size == 0:
            raise ValueError(
                f"{self!r}: the desirability bounds are not set and there is no measured "
                "value to take them from; give low= and high="
            )
        low = self.low if self.low is not None else float(y.min())
        high = self.high if self.high is not None else float(y.max())
        return low, max(low, high)

    def desirability(self, results: Any, reference: Any = None) -> np.ndarray:
        """Derringer-Suich desirability in ``[0, 1]`` (NaN for a failed run).

        Parameters
        ----------
        results : DataFrame or array-like of shape (n_samples,)
            The values to rate.
        reference : DataFrame or array-like, optional
            Data the missing bounds are taken from; default ``results``.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        y = self.values(results)
        low, high = self.bounds(results if reference is None else reference)
        with np.errstate(invalid="ignore", divide="ignore"):
            d = self._ramp(y, low, high)
        return np.where(np.isnan(y), np.nan, np.clip(d, 0.0, 1.0))

    def _ramp(self, y: np.ndarray, low: float, high: float) -> np.ndarray:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """A plain dict; :func:`objective_from_dict` inverts it."""
        out: dict[str, Any] = {"name": self.name, "goal": _GOALS[self.sense]}
        out.update({k: getattr(self, k) for k in ("low", "high") if getattr(self, k) is not None})
        if self.weight != 1.0:
            out["weight"] = self.weight
        return out


class Maximize(Objective):
    """Larger is better.

    Examples
    --------
    >>> Maximize("yield", low=0, high=100).desirability([50.0, 120.0, np.nan]).tolist()
    [0.5, 1.0, nan]
    """

    sense = "max"

    def score(self, results: Any) -> np.ndarray:
        return self.values(results)

    def _ramp(self, y: np.ndarray, low: float, high: float) -> np.ndarray:
        if high == low:
            return (y >= high).astype(float)
        return (y - low) / (high - low)


class Minimize(Objective):
    """Smaller is better.

    Examples
    --------
    >>> Minimize("cost").desirability([1.0, 2.0, 5.0]).tolist()
    [1.0, 0.75, 0.0]
    """

    sense = "min"

    def score(self, results: Any) -> np.ndarray:
        return -self.values(results)

    def _ramp(self, y: np.ndarray, low: float, high: float) -> np.ndarray:
        if high == low:
            return (y <= low).astype(float)
        return (high - y) / (high - low)


class Target(Objective):
    """Closest to ``value`` is best (a purity of 98 %, a particle size of 50 µm).

    Parameters
    ----------
    name : str
        Column name.
    value : float
        The target; needs ``low <= value <= high`` for the bounds that are given.
    low, high : float, optional
        Values with desirability 0 on either side; from the reference data when omitted.
    weight : float, default=1.0
        Relative weight in the desirability.

    Examples
    --------
    >>> t = Target("purity", 98, low=90, high=100)
    >>> t.desirability([90.0, 94.0, 98.0, 99.0, 101.0]).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    >>> t.score([96.0, 99.0]).tolist()
    [-2.0, -1.0]
    """

    sense = "target"

    def __init__(
        self,
        name: str,
        value: float,
        low: float | None = None,
        high: float | None = None,
        weight: float = 1.0,
    ) -> None:
        super().__init__(name, low, high, weight)
        owner = f"Target({name!r})"
        self.value = _optional_number(owner, "value", value)
        if self.value is None:
            raise ValueError(f"{owner}: value=None is invalid; expected the target number")
        if (self.low is not None and self.value < self.low) or (
            self.high is not None and self.value > self.high
        ):
            raise ValueError(
                f"{owner}: value={value!r} must lie between low={low!r} and high={high!r}"
            )

    def _arguments(self) -> str:
        name, _, rest = super()._arguments().partition(", ")
        return f"{name}, {self.value!r}" + (f", {rest}" if rest else "")

    def score(self, results: Any) -> np.ndarray:
        return -np.abs(self.values(results) - self.value)

    def bounds(self, reference: Any = None) -> tuple[float, float]:
        if self.low is not None and self.high is not None:
            return self.low, self.high
        y = np.asarray([] if reference is None else self.values(reference), dtype=float)
        y = np.append(y[np.isfinite(y)], self.value)
        low = self.low if self.low is not None else float(y.min())
        high = self.high if self.high is not None else float(y.max())
        return low, high

    def _ramp(self, y: np.ndarray, low: float, high: float) -> np.ndarray:
        target = self.value
        left = (y - low) / (target - low) if target > low else np.zeros_like(y)
        right = (high - y) / (high - target) if high > target else np.zeros_like(y)
        d = np.where(y <= target, left, right)
        d = np.where(y == target, 1.0, d)
        return np.where((y < low) | (y > high), 0.0, d)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["value"] = self.value
        return out


OBJECTIVE_TYPES: dict[str, type[Objective]] = {
    "maximize": Maximize,
    "minimize": Minimize,
    "target": Target,
}
_GOALS = {"max": "maximize", "min": "minimize", "target": "target"}


class Desirability:
    """Several objectives combined into one overall desirability ``D`` in ``[0, 1]``.

    ``D = (prod_i d_i ** w_i) ** (1 / sum_i w_i)``, the weighted geometric mean of the
    individual Derringer-Suich desirabilities (see the module docstring for ``d_i`` and how
    missing bounds are taken from the reference data). A failed run (NaN in any objective)
    scores NaN.

    Parameters
    ----------
    objectives : sequence of Objective
        At least one, with distinct names.

    Examples
    --------
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
    >>> score(Minimize("cost"), pd.DataFrame({"cost": [3.0, np.nan]})).tolist()
    [-3.0, nan]
    """
    items = as_objectives(objectives)
    if len(items) == 1:
        return items[0].score(results)
    return Desirability(items).score(results, reference)


def objective_matrix(objectives: Any, results: Any) -> np.ndarray:
    """Every objective as "larger is better", shape (n_samples, n_objectives)."""
    items = as_objectives(objectives)
    return np.column_stack([o.score(results) for o in items])


def is_failed(objectives: Any, results: Any) -> np.ndarray:
    """Boolean array of shape (n_samples,): runs where any objective is NaN."""
    items = as_objectives(objectives)
    return np.column_stack([o.is_failed(results) for o in items]).any(axis=1)


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


def objective_from_dict(spec: Mapping[str, Any]) -> Objective:
    """Build an objective from ``{'name': ..., 'goal': 'maximize' | 'minimize' | 'target',
    'value': ..., 'low': ..., 'high': ..., 'weight': ...}``.

    Raises
    ------
    SpaceError
        For an unknown goal or key (with a suggestion) or a bad value; the error's ``path``
        attribute names the key.

    Examples
    --------
    >>> objective_from_dict({"name": "purity", "goal": "target", "value": 98})
    Target('purity', 98.0)
    """
    from .._validation import closest_name

    if not isinstance(spec, Mapping):
        raise spec_error(f"an objective must be a mapping of keys to values; got {spec!r}")
    goal = spec.get("goal")
    label = f"objective {spec.get('name', '?')!r}"
    if goal not in OBJECTIVE_TYPES:
        hint = closest_name(str(goal), OBJECTIVE_TYPES)
        did_you_mean = f"; did you mean {hint!r}?" if hint else ""
        raise spec_error(
            f"{label}: goal={goal!r} is not supported; expected one of "
            f"{sorted(OBJECTIVE_TYPES)}{did_you_mean}",
            ("goal",) if "goal" in spec else (),
        )
    allowed = ["name", "goal", "low", "high", "weight"] + (["value"] if goal == "target" else [])
    for key in spec:
        if key not in allowed:
            hint = closest_name(str(key), allowed)
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise spec_error(
                f"{label}: unknown key {key!r} for goal {goal!r}; expected keys {allowed}"
                f"{did_you_mean}",
                (key,),
            )
    required = ["name"] + (["value"] if goal == "target" else [])
    for key in required:
        if key not in spec:
            raise spec_error(f"{label}: key {key!r} is missing")
    arguments = {k: v for k, v in spec.items() if k != "goal"}
    try:
        return OBJECTIVE_TYPES[goal](**arguments)
    except (TypeError, ValueError) as exc:
        bad = [k for k in arguments if f"{k}=" in str(exc)]
        raise spec_error(f"{label}: {exc}", (bad[0],) if bad else ()) from None
