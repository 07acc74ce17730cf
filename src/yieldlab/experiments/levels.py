"""Parameters with listed levels: :class:`Discrete` and :class:`Categorical` (layer 4).

A :class:`Discrete` parameter is numeric: encoded linearly over its smallest to largest
level, decoded to the nearest level. A :class:`Categorical` one has no order: encoded
one-hot, decoded to the level of the largest entry. Both draw each level with equal
probability from a uniform ``u`` (:func:`_level_index`), so stratified points stay
stratified over the levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..exceptions import SpaceError
from .descriptors import check_descriptors, descriptor_table, embedding
from .parameters import (
    _RTOL,
    Parameter,
    _as_numbers,
    _check_ends,
    _check_levels,
    _check_name,
    _check_number,
    _column,
    _location,
    _n_levels,
    _plain,
    _soft_numbers,
)

__all__ = ["Categorical", "Discrete"]


@dataclass(frozen=True, repr=False)
class Discrete(Parameter):
    """A numeric parameter that takes only the listed levels (``0.057, 0.1, 0.153`` M).

    Encoded linearly in the value over ``[min(values), max(values)]`` (a single level
    encodes as 0); decoding picks the nearest level.

    Examples
    --------
    >>> c = Discrete("concentration", [0.1, 0.057, 0.153], unit="mol/L")
    >>> c.values
    (0.057, 0.1, 0.153)
    >>> c.decode([[0.4], [0.9]]).tolist()
    [0.1, 0.153]
    """

    kind: ClassVar[str] = "discrete"
    name: str
    values: tuple[float, ...]
    unit: str | None = None

    def __post_init__(self) -> None:
        _check_name(self.name)
        owner = f"Discrete({self.name!r})"
        values = _check_levels(owner, self.values, "a list of numbers")
        levels = [_check_number(owner, "values", v) for v in values]
        if not levels:
            raise ValueError(f"{owner}: values is empty; expected at least one number")
        duplicated = sorted({float(v) for v in levels if levels.count(v) > 1})
        if duplicated:
            raise ValueError(f"{owner}: values has duplicates {duplicated}; list each once")
        object.__setattr__(self, "values", tuple(sorted(_plain(v) for v in levels)))
        gaps = np.diff(self._levels())
        if gaps.size and gaps.min() <= self._tol():
            i = int(np.argmin(gaps))
            raise ValueError(
                f"{owner}: the levels {self.values[i]!r} and {self.values[i + 1]!r} are too close "
                "to tell apart; merge them"
            )
        if self.unit is not None and not isinstance(self.unit, str):
            raise TypeError(f"{owner}: unit={self.unit!r} has the wrong type; expected a str")

    def __repr__(self) -> str:
        unit = f", unit={self.unit!r}" if self.unit else ""
        return f"Discrete({self.name!r}, {list(self.values)!r}{unit})"

    @property
    def bounds(self) -> tuple[float, float]:
        """``(min(values), max(values))``."""
        return (self.values[0], self.values[-1])

    @property
    def low(self) -> float:
        return self.values[0]

    @property
    def high(self) -> float:
        return self.values[-1]

    def _levels(self) -> np.ndarray:
        return np.asarray(self.values, dtype=float)

    def _tol(self) -> float:
        return _RTOL * max(1.0, float(np.abs(self._levels()).max()))

    def _nearest(self, x: np.ndarray) -> np.ndarray:
        """Index of the nearest level of each value."""
        levels = self._levels()
        right = np.clip(np.searchsorted(levels, x), 1, max(len(levels) - 1, 1))
        left = right - 1
        if len(levels) == 1:
            return np.zeros(len(x), dtype=np.int64)
        closer_left = np.abs(x - levels[left]) <= np.abs(levels[right] - x)
        return np.where(closer_left, left, right)

    def validate(self, values: Any, *, where: str | None = None) -> np.ndarray:
        x = _as_numbers(values, self.name, where)
        nearest = self._levels()[self._nearest(x)]
        bad = np.flatnonzero(np.abs(x - nearest) > self._tol())
        if bad.size:
            row = int(bad[0])
            unit = f" {self.unit}" if self.unit else ""
            raise SpaceError(
                f"{_location(where, row, self.name)}: {_plain(x[row])!r} is not an allowed level; "
                f"expected one of {list(self.values)}{unit} (nearest: {_plain(nearest[row])!r})"
            )
        return nearest

    def contains(self, values: Any) -> np.ndarray:
        x = _soft_numbers(values)[0]
        finite = np.isfinite(x)
        nearest = self._levels()[self._nearest(np.where(finite, x, 0.0))]
        return finite & (np.abs(x - nearest) <= self._tol())

    def _encode(self, values: np.ndarray) -> np.ndarray:
        low, high = self.bounds
        span = high - low
        x = np.asarray(values, dtype=float)
        return ((x - low) / span if span > 0 else np.zeros_like(x))[:, None]

    def decode(self, Z: Any) -> np.ndarray:
        low, high = self.bounds
        x = low + np.clip(_column(Z), 0.0, 1.0) * (high - low)
        return self._levels()[self._nearest(x)]

    def from_unit(self, u: Any) -> np.ndarray:
        return self._levels()[_level_index(u, len(self.values))]

    def grid(self, n_levels: int | None = None) -> np.ndarray:
        if n_levels is None or n_levels >= len(self.values):
            return self._levels()
        return np.unique(self.decode(np.linspace(0.0, 1.0, _n_levels(self, n_levels))))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": "discrete", "values": list(self.values)}
        if self.unit is not None:
            out["unit"] = self.unit
        return out


@dataclass(frozen=True, repr=False)
class Categorical(Parameter):
    """A parameter whose levels have no order (catalyst, solvent, base).

    Encoded one-hot, one column per level in the order given, named ``'name=level'``;
    decoding takes the level of the largest entry.

    Parameters
    ----------
    name : str
        Column name in the user's tables.
    values : sequence of str, int, float or bool
        The levels.
    descriptors : DataFrame, mapping, str or path, optional
        Numeric properties of each level (e.g. DFT descriptors of ligands): a table with one
        row per level (indexed by the levels) and one column per descriptor, a mapping
        ``{descriptor: [value per level]}`` or a CSV file whose first column holds the
        levels. The surrogate model of a campaign then measures how different two levels are
        by their descriptors (see :mod:`.descriptors`) instead of counting every two levels
        as equally different. The encoding stays one-hot.

    Examples
    --------
    >>> cat = Categorical("catalyst", ["Pd", "Ni", "Cu"])
    >>> cat.encode(["Ni", "Pd"]).tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    >>> cat.decode([[0.2, 0.1, 0.7]]).tolist()
    ['Cu']
    >>> solvent = Categorical("solvent", ["DMAc", "BuOAc"], descriptors={"dipole": [3.7, 1.9]})
    >>> solvent.descriptor_table()
           dipole
    DMAc      3.7
    BuOAc     1.9
    """

    kind: ClassVar[str] = "categorical"
    is_numeric: ClassVar[bool] = False
    name: str
    values: tuple[Any, ...]
    descriptors: Any = None

    def __post_init__(self) -> None:
        _check_name(self.name)
        owner = f"Categorical({self.name!r})"
        levels = [_plain(v) for v in _check_levels(owner, self.values, "a list of levels")]
        for level in levels:
            if isinstance(level, float) and not np.isfinite(level):
                raise ValueError(f"{owner}: values contains {level!r}; levels must be finite")
            if not isinstance(level, str | int | float | bool):
                raise TypeError(
                    f"{owner}: level {level!r} has the wrong type; expected str, int, float "
                    "or bool (so the space can be saved as JSON/YAML)"
                )
            if isinstance(level, str) and not level.strip():
                raise ValueError(
                    f"{owner}: values contains the empty level {level!r}; give every level "
                    "a name (a sheet reads an empty cell as a missing value)"
                )
            if isinstance(level, str):
                _check_ends(f"{owner}: the level {level!r}", level)
        if not levels:
            raise ValueError(f"{owner}: values is empty; expected at least one level")
        seen: set = set()
        duplicated = [v for v in levels if v in seen or seen.add(v)]
        if duplicated:
            raise ValueError(f"{owner}: values has duplicates {duplicated}; list each once")
        object.__setattr__(self, "values", tuple(levels))
        if self.descriptors is not None:
            try:
                canonical = check_descriptors(owner, levels, self.descriptors)
            except (TypeError, ValueError) as exc:
                exc.argument = "descriptors"  # for a space file's message: the key at fault
                raise
            object.__setattr__(self, "descriptors", canonical)

    def __repr__(self) -> str:
        if self.descriptors is None:
            return f"Categorical({self.name!r}, {list(self.values)!r})"
        names = [name for name, _ in self.descriptors]
        shown = names if len(names) <= 4 else f"<{len(names)} descriptors>"
        return f"Categorical({self.name!r}, {list(self.values)!r}, descriptors={shown})"

    def descriptor_table(self) -> pd.DataFrame | None:
        """The descriptors as a table.

        Returns
        -------
        DataFrame of shape (n_levels, n_descriptors) or None
            Indexed by the levels, one column per descriptor; None without descriptors.
        """
        if self.descriptors is None:
            return None
        return descriptor_table(list(self.values), self.descriptors)

    def embedding(self) -> np.ndarray | None:
        """Coordinates of the levels for the surrogate model.

        Returns
        -------
        ndarray of shape (n_levels, n_components) or None
            See :func:`.descriptors.embedding`; None without descriptors (the model then
            sees the one-hot columns).
        """
        return None if self.descriptors is None else embedding(self.descriptors)

    @property
    def n_encoded(self) -> int:
        return len(self.values)

    @property
    def encoded_names(self) -> list[str]:
        return [f"{self.name}={level}" for level in self.values]

    def _index(self, values: Any) -> np.ndarray:
        """Level index of each value, -1 where it is not a level."""
        series = pd.Series(np.asarray(values, dtype=object).ravel(), dtype=object)
        exact = {level: i for i, level in enumerate(self.values)}
        # the text of a level as a fallback (CSV readers turn the level '1' into 1)
        text = {str(level): i for i, level in reversed(list(enumerate(self.values)))}
        try:
            codes = series.map(exact)
        except TypeError:  # unhashable values
            codes = pd.Series(np.nan, index=series.index)
        missing = codes.isna().to_numpy()
        if missing.any():
            codes[missing] = series[missing].map(lambda v: text.get(str(v), -1))
        return codes.to_numpy(dtype=np.int64)

    def validate(self, values: Any, *, where: str | None = None) -> np.ndarray:
        raw = np.asarray(values, dtype=object).ravel()
        index = self._index(raw)
        bad = np.flatnonzero(index < 0)
        if bad.size:
            from .._validation import closest_name

            row, value = int(bad[0]), _plain(raw[bad[0]])
            if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
                raise SpaceError(
                    f"{_location(where, row, self.name)}: the level is missing; every "
                    f"experiment needs one of {list(self.values)}"
                )
            hint = closest_name(str(value), [str(v) for v in self.values])
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise SpaceError(
                f"{_location(where, row, self.name)}: {value!r} is not a level of "
                f"{self.name!r}; expected one of {list(self.values)}{did_you_mean}"
            )
        return self._from_index(index)

    def _from_index(self, index: np.ndarray) -> np.ndarray:
        out = np.empty(len(index), dtype=object)
        out[:] = [self.values[i] for i in index]
        return out

    def contains(self, values: Any) -> np.ndarray:
        return self._index(np.asarray(values, dtype=object).ravel()) >= 0

    def _encode(self, values: np.ndarray) -> np.ndarray:
        index = self._index(values)
        return np.eye(len(self.values))[index]

    def decode(self, Z: Any) -> np.ndarray:
        Z = np.asarray(Z, dtype=float)
        if Z.ndim != 2 or Z.shape[1] != len(self.values):
            raise ValueError(
                f"Categorical({self.name!r}).decode: expected shape (n_samples, "
                f"{len(self.values)}); got {Z.shape}"
            )
        return self._from_index(np.argmax(Z, axis=1))

    def from_unit(self, u: Any) -> np.ndarray:
        return self._from_index(_level_index(u, len(self.values)))

    def grid(self, n_levels: int | None = None) -> np.ndarray:
        return self._from_index(np.arange(len(self.values)))

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "type": "categorical", "values": list(self.values)}
        if self.descriptors is not None:
            out["descriptors"] = {name: list(column) for name, column in self.descriptors}
        return out


def _level_index(u: Any, n_levels: int) -> np.ndarray:
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    return np.minimum(np.floor(u * n_levels).astype(np.int64), n_levels - 1)
