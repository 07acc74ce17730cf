"""What to optimize: objectives and their desirability ramps (layer 4).

An objective names a measured column and a goal: :class:`Maximize`, :class:`Minimize` or
:class:`Target`. A measured value is **failed** when it is NaN (the run gave no result);
failed values stay NaN in every score, so the caller decides what a failure costs. ``inf``
is a valid (extreme) value, e.g. an infinite process mass intensity when nothing formed.

Each objective rates a value ``y`` two ways:

* its **score**, "larger is better": ``y`` (maximize), ``-y`` (minimize), ``-|y - T|``
  (target ``T``);
* its **desirability** (Derringer & Suich, J. Qual. Technol. 12, 214, 1980), ``d`` in
  ``[0, 1]`` between bounds ``L < H``,

  - maximize: ``d = clip((y - L) / (H - L), 0, 1)``,
  - minimize: ``d = clip((H - y) / (H - L), 0, 1)``,
  - target ``T``: ``d = (y - L) / (T - L)`` for ``L <= y <= T``,
    ``d = (H - y) / (H - T)`` for ``T <= y <= H``, ``d = 0`` outside ``[L, H]``.

  A bound that is not given is taken from the *reference* data (the measured results, or
  the table being scored when no reference is given), from its finite values only:
  ``L = min(y)``, ``H = max(y)``; for a target, ``L = min(min(y), T)``,
  ``H = max(max(y), T)``. When ``L == H`` the ramp is a step: ``d = 1`` at or beyond the
  good end, else 0.

Several objectives combine by the overall desirability (:mod:`.desirability`) or by their
Pareto front (:mod:`.pareto`).
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..exceptions import DataError
from .parameters import _check_ends

__all__ = ["OBJECTIVE_TYPES", "Maximize", "Minimize", "Objective", "RangeWarning", "Target"]


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
        Desirability bounds; ``None`` takes them from the reference data (the experiments
        measured so far, on the side of a bound given). Taken from the data, the best value
        measured has desirability 1, so doing better still in that objective is not
        rewarded by the desirability: give the bound where that matters (a yield of 100, a
        cost of 0).
    weight : float
        Weight in the desirability's geometric mean (relative; > 0).
    """

    sense: ClassVar[str]

    def __init__(
        self, name: str, low: float | None = None, high: float | None = None, weight: float = 1.0
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"name={name!r} is not valid; expected a non-empty string")
        _check_ends(f"name={name!r}", name)
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
        # an empty cell (also a blank string) is a failed run
        raw = raw.mask(raw.map(lambda v: isinstance(v, str) and not v.strip()), None)
        for i, value in enumerate(raw):
            if isinstance(value, bool | np.bool_ | complex | np.complexfloating) or (
                isinstance(value, int) and abs(value) > int(np.finfo(np.float64).max)
            ):
                raise DataError(
                    f"row {i}, column {self.name!r}: {value!r} is not a measured value; give "
                    "a real number, or leave the cell empty for a failed run"
                )
        y = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero(np.isnan(y) & raw.notna().to_numpy())
        if bad.size:
            value = raw.iloc[bad[0]]
            raise DataError(
                f"row {int(bad[0])}, column {self.name!r}: {value!r} is not a number; "
                + _number_hint(value)
            )
        return y

    def far_outside(self, y: Any) -> np.ndarray:
        """Boolean array: which values lie on the good side of the declared bounds, beyond
        the fully desirable one by more than their distance ``high - low`` (a yield of 950
        where 0 to 100 is declared: a typo). False everywhere unless both bounds are given,
        and for a target: the bounds are the desirability's, not physical limits, so a value
        on the bad side (a purity of 80 where 95 to 100 is acceptable, a cost far past the
        ``high`` beyond which it is unacceptable) is no sign of a typo.

        Examples
        --------
        >>> Maximize("yield", 0, 100).far_outside([95.0, 150.0, 950.0, -120.0]).tolist()
        [False, False, True, False]
        """
        y = np.asarray(y, dtype=float)
        if self.low is None or self.high is None or self.sense == "target":
            return np.zeros(y.shape, bool)
        width = self.high - self.low
        with np.errstate(invalid="ignore"):
            if self.sense == "max":
                return y > self.high + width
            return y < self.low - width

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
        # a bound taken from the data stays on its side of the one given: with
        # Minimize(high=10) and every cost above 10, L = H = 10 (nothing acceptable yet)
        low = self.low if self.low is not None else min(float(y.min()), _given(self.high, np.inf))
        high = self.high if self.high is not None else max(float(y.max()), low)
        return low, high

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


def _number_hint(value: Any) -> str:
    """How to write ``value`` as a measurement: ``'61.5 %'`` and ``'61,5'`` are meant as
    61.5 (an empty cell would record a failed run instead)."""
    meant = str(value).strip().removesuffix("%").strip().replace(" ", "")
    if "," in meant and "." in meant:  # thousands separators: 1.234,5 or 1,234.5
        whole, _, part = meant.replace(",", ".").rpartition(".")
        meant = whole.replace(".", "") + "." + part
    meant = meant.replace(",", ".")
    try:
        number = float(meant)
    except ValueError:
        return "leave the cell empty (NaN) to record a failed run"
    return (
        f"write the number alone, with a decimal point and no thousands separator "
        f"({number:g}); leave a cell empty only for a run that failed"
    )


def _given(bound: float | None, default: float) -> float:
    return default if bound is None else bound


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
        Values with desirability 0 on either side; from the reference data when omitted
        (with every value on one side of the target, the missing side mirrors the other).
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
        target = self.value
        low = self.low if self.low is not None else float(y.min())
        high = self.high if self.high is not None else float(y.max())
        # every value on one side of the target: the missing side mirrors the other, so
        # overshooting a little is not rated as badly as the worst run
        if self.high is None and high == target:
            high = target + (target - low)
        if self.low is None and low == target:
            low = target - (high - target)
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


class RangeWarning(UserWarning):
    """A result lies far beyond the fully desirable bound declared for its objective
    (:meth:`Objective.far_outside`); it was recorded as given.

    Attributes
    ----------
    row : int
        The row of the results.
    experiment : int
        The experiment it was recorded as.
    objective : Objective
    value : float
    """

    def __init__(self, row: int, experiment: int, objective: Objective, value: float) -> None:
        self.row, self.experiment = row, experiment
        self.objective, self.value = objective, value
        super().__init__(
            f"results, row {row}, column {objective.name!r}: {value:g} lies far beyond the "
            f"range {objective.low:g} to {objective.high:g} declared for {objective!r}; "
            f"recorded as given (experiment {experiment}). If it is a typo, replace it with "
            "correct("
            f"{experiment}, {{{objective.name!r}: <value>}}, reason=...)"
        )


OBJECTIVE_TYPES: dict[str, type[Objective]] = {
    "maximize": Maximize,
    "minimize": Minimize,
    "target": Target,
}
_GOALS = {"max": "maximize", "min": "minimize", "target": "target"}
