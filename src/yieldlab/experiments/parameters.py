"""Parameters of an experiment: what can be set, in the user's units (layer 4).

Every parameter knows two representations (as BayBE and BoTorch do):

* **user units**: what the chemist types and reads (``temperature = 120`` °C,
  ``catalyst = 'Pd'``);
* **encoded**: a float array a surrogate model and an acquisition optimizer can work on.
  A numeric parameter is one column in ``[0, 1]``,
  ``u = (x - low) / (high - low)`` (with ``log(x)`` in place of ``x`` when ``log=True``);
  a categorical parameter is one-hot, one column per level.

``decode`` maps *any* encoded array (for example a continuous optimizer's candidate) to
the nearest valid setting: clip to ``[0, 1]``, invert the scaling, round an
:class:`Integer` to the nearest integer and a :class:`Discrete` to the nearest level, and
take the largest one-hot entry of a :class:`Categorical`.

``from_unit(u)`` is the inverse distribution function of the uniform distribution over the
parameter: a uniform ``u`` in ``[0, 1)`` gives a uniformly distributed setting, and a
stratified ``u`` (Latin hypercube, Sobol) gives stratified settings, levels included.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..exceptions import SpaceError

__all__ = [
    "PARAMETER_TYPES",
    "Categorical",
    "Discrete",
    "Integer",
    "Parameter",
    "Real",
    "parameter_from_dict",
]

# NOTE: values within this fraction of the range of a bound or level count as on it, so a
# value written to CSV and read back (or decoded from [0, 1]) is not refused for rounding.
_RTOL = 1e-9


def spec_error(message: str, path: tuple = ()) -> SpaceError:
    """A :class:`SpaceError` that remembers where in a specification it happened.

    ``path`` is a tuple of keys and list positions (``('parameters', 1, 'low')``); the YAML
    reader turns it into a file line.
    """
    error = SpaceError(message)
    error.path = path
    return error


def _location(where: str | None, row: int, name: str) -> str:
    prefix = f"{where}, " if where else ""
    return f"{prefix}row {row}, column {name!r}"


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name={name!r} is not valid; expected a non-empty string")
    return name


def _check_number(owner: str, argument: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {argument}={value!r} has the wrong type; expected a number")
    if not np.isfinite(value):
        raise ValueError(f"{owner}: {argument}={value!r} is invalid; expected a finite number")
    return value


def _soft_numbers(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(floats, raw values)``; NaN where a value is not a number."""
    raw = np.asarray(values)
    if raw.dtype.kind in "iuf":  # fast path: already numbers
        return raw.astype(np.float64).ravel(), raw.ravel()
    raw = raw.astype(object).ravel()
    out = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce")
    return out.to_numpy(dtype=np.float64, na_value=np.nan), raw


def _as_numbers(values: Any, name: str, where: str | None) -> np.ndarray:
    """Float array of ``values``; text that is not a number or a missing value raises."""
    out, raw = _soft_numbers(values)
    bad = np.flatnonzero(~np.isfinite(out))
    if bad.size:
        row, value = int(bad[0]), _plain(raw[bad[0]])
        missing = value is None or (isinstance(value, float) and np.isnan(value))
        what = "is missing" if missing or value is pd.NA else f"{value!r} is not a finite number"
        raise SpaceError(
            f"{_location(where, row, name)}: {what}; every experiment needs a numeric value "
            "for every parameter"
        )
    return out


class Parameter(ABC):
    """Base class of the four parameter kinds (abstract).

    Attributes
    ----------
    name : str
        Column name in the user's tables.
    kind : str
        ``'real'``, ``'integer'``, ``'discrete'`` or ``'categorical'``.
    is_numeric : bool
        Whether the parameter is a number (may appear in linear constraints).
    n_encoded : int
        Number of encoded columns (1 for numeric, the number of levels for categorical).
    """

    kind: ClassVar[str]
    is_numeric: ClassVar[bool] = True
    name: str

    @property
    def n_encoded(self) -> int:
        return 1

    @property
    def encoded_names(self) -> list[str]:
        """Names of the encoded columns: ``[name]`` or ``['name=level', ...]``."""
        return [self.name]

    @property
    def is_continuous(self) -> bool:
        """Whether every value in the encoded interval is a valid setting (only Real)."""
        return False

    @abstractmethod
    def validate(self, values: Any, *, where: str | None = None) -> np.ndarray:
        """Check user values and return them in canonical form.

        Parameters
        ----------
        values : array-like of shape (n_samples,)
            Settings in user units.
        where : str, optional
            Where the values come from (``'results.csv'``), for the message.

        Returns
        -------
        ndarray of shape (n_samples,)
            float64 (Real, Discrete), int64 (Integer) or object (Categorical).

        Raises
        ------
        SpaceError
            Naming the parameter, the first bad row, the value and the allowed range/levels.
        """

    @abstractmethod
    def contains(self, values: Any) -> np.ndarray:
        """Boolean array: which values are valid settings (never raises for bad values)."""

    @abstractmethod
    def _encode(self, values: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def decode(self, Z: Any) -> np.ndarray:
        """Map encoded values to the nearest valid settings in user units.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_encoded) or (n_samples,)
            Encoded values, possibly continuous and outside ``[0, 1]``.

        Returns
        -------
        ndarray of shape (n_samples,)
        """

    @abstractmethod
    def from_unit(self, u: Any) -> np.ndarray:
        """Settings whose distribution is uniform when ``u`` is uniform in ``[0, 1)``."""

    @abstractmethod
    def grid(self, n_levels: int | None = None) -> np.ndarray:
        """Evenly spaced settings (in the encoded scale) for factorial designs.

        Real and Integer parameters give ``n_levels`` settings (3 when ``None``); Discrete and
        Categorical parameters give all their levels (a Discrete's ``n_levels`` picks that
        many evenly spaced levels).
        """

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """A plain (JSON/YAML-friendly) dict; :func:`parameter_from_dict` inverts it."""

    def encode(self, values: Any, *, where: str | None = None) -> np.ndarray:
        """Validate settings and encode them.

        Returns
        -------
        ndarray of shape (n_samples, n_encoded)
        """
        return self._encode(self.validate(values, where=where))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent uniform settings (log-uniform when ``log=True``)."""
        return self.from_unit(rng.random(n))


@dataclass(frozen=True, repr=False)
class _Numeric(Parameter):
    """Shared behaviour of Real and Integer: a range ``[low, high]``, maybe log-scaled."""

    name: str
    low: float
    high: float
    unit: str | None = None
    log: bool = False

    def __post_init__(self) -> None:
        owner = f"{type(self).__name__}({self.name!r})"
        _check_name(self.name)
        _check_number(owner, "low", self.low)
        _check_number(owner, "high", self.high)
        if self.unit is not None and not isinstance(self.unit, str):
            raise TypeError(f"{owner}: unit={self.unit!r} has the wrong type; expected a str")
        if not isinstance(self.log, bool | np.bool_):
            raise TypeError(f"{owner}: log={self.log!r} has the wrong type; expected a bool")
        if not self.low < self.high:
            raise ValueError(
                f"{owner}: low={self.low!r} must be smaller than high={self.high!r}; for a "
                "fixed value use Discrete(name, [value])"
            )
        if self.log and self.low <= 0:
            raise ValueError(
                f"{owner}: log=True needs low > 0; got low={self.low!r}. Use log=False or a "
                "positive lower bound"
            )

    def __repr__(self) -> str:
        extra = (f", unit={self.unit!r}" if self.unit else "") + (", log=True" if self.log else "")
        return f"{type(self).__name__}({self.name!r}, {self.low!r}, {self.high!r}{extra})"

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)`` in user units."""
        return (self.low, self.high)

    def _range_text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"[{self.low!r}, {self.high!r}]{unit}"

    def _forward(self, x: np.ndarray) -> np.ndarray:
        if self.log:
            return np.log(x)
        return x

    def _encode(self, values: np.ndarray) -> np.ndarray:
        a, b = self._forward(np.array([self.low, self.high], dtype=float))
        return ((self._forward(np.asarray(values, dtype=float)) - a) / (b - a))[:, None]

    def _continuous(self, u: np.ndarray) -> np.ndarray:
        """User value at encoded position ``u`` (no rounding), clipped to the bounds."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.log:
            x = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        return np.clip(x, self.low, self.high)

    def _check_range(self, x: np.ndarray, where: str | None) -> np.ndarray:
        tol = _RTOL * (self.high - self.low)
        bad = np.flatnonzero((x < self.low - tol) | (x > self.high + tol))
        if bad.size:
            row = int(bad[0])
            raise SpaceError(
                f"{_location(where, row, self.name)}: {_plain(x[row])!r} is outside "
                f"{self._range_text()}; expected {self.low!r} <= {self.name} <= {self.high!r} "
                f"({bad.size} value(s) outside in all)"
            )
        return np.clip(x, self.low, self.high)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.kind}
        out["low"], out["high"] = _plain(self.low), _plain(self.high)
        if self.unit is not None:
            out["unit"] = self.unit
        if self.log:
            out["log"] = True
        return out


@dataclass(frozen=True, repr=False)
class Real(_Numeric):
    """A continuous parameter in ``[low, high]``.

    Parameters
    ----------
    name : str
        Column name.
    low, high : float
        Bounds in user units, ``low < high``.
    unit : str, optional
        Unit for messages and reports (``'°C'``).
    log : bool, default=False
        Encode and sample on the log scale (needs ``low > 0``); for quantities spanning
        decades such as a catalyst loading or a residence time.

    Examples
    --------
    >>> t = Real("temperature", 20, 120, unit="°C")
    >>> t.encode([20, 70, 120]).ravel().tolist()
    [0.0, 0.5, 1.0]
    >>> t.decode([[0.25], [1.7]]).tolist()
    [45.0, 120.0]
    """

    kind: ClassVar[str] = "real"

    @property
    def is_continuous(self) -> bool:
        return True

    def validate(self, values: Any, *, where: str | None = None) -> np.ndarray:
        return self._check_range(_as_numbers(values, self.name, where), where)

    def contains(self, values: Any) -> np.ndarray:
        x = _soft_numbers(values)[0]
        tol = _RTOL * (self.high - self.low)
        return np.isfinite(x) & (x >= self.low - tol) & (x <= self.high + tol)

    def decode(self, Z: Any) -> np.ndarray:
        return self._continuous(_column(Z))

    def from_unit(self, u: Any) -> np.ndarray:
        return self._continuous(u)

    def grid(self, n_levels: int | None = None) -> np.ndarray:
        return self._continuous(np.linspace(0.0, 1.0, _n_levels(self, n_levels)))


@dataclass(frozen=True, repr=False)
class Integer(_Numeric):
    """An integer parameter in ``[low, high]`` (both included).

    Encoded like a Real over ``[low, high]``; decoding rounds to the nearest integer.

    Examples
    --------
    >>> n = Integer("stages", 1, 5)
    >>> n.decode([[0.3], [0.49]]).tolist()
    [2, 3]
    >>> n.from_unit([0.0, 0.19, 0.2, 0.99]).tolist()
    [1, 1, 2, 5]
    """

    kind: ClassVar[str] = "integer"

    def __post_init__(self) -> None:
        super().__post_init__()
        owner = f"Integer({self.name!r})"
        for argument in ("low", "high"):
            value = getattr(self, argument)
            if float(value) != int(value):
                raise ValueError(f"{owner}: {argument}={value!r} is not an integer")
            object.__setattr__(self, argument, int(value))

    def _whole_tol(self) -> float:
        return _RTOL * max(1.0, abs(self.low), abs(self.high))

    def validate(self, values: Any, *, where: str | None = None) -> np.ndarray:
        x = _as_numbers(values, self.name, where)
        fractional = np.flatnonzero(np.abs(x - np.round(x)) > self._whole_tol())
        if fractional.size:
            row = int(fractional[0])
            raise SpaceError(
                f"{_location(where, row, self.name)}: {_plain(x[row])!r} is not an integer; "
                f"expected a whole number in {self._range_text()}"
            )
        return np.round(self._check_range(x, where)).astype(np.int64)

    def contains(self, values: Any) -> np.ndarray:
        x = _soft_numbers(values)[0]
        with np.errstate(invalid="ignore"):
            whole = np.abs(x - np.round(x)) <= self._whole_tol()
            inside = (np.round(x) >= self.low) & (np.round(x) <= self.high)
        return np.isfinite(x) & whole & inside

    def decode(self, Z: Any) -> np.ndarray:
        return np.round(self._continuous(_column(Z))).astype(np.int64)

    def from_unit(self, u: Any) -> np.ndarray:
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.log:
            return self.decode(u)
        # stratified: each integer gets an equal share of [0, 1)
        k = np.floor(u * (self.high - self.low + 1)).astype(np.int64)
        return np.minimum(self.low + k, self.high)

    def grid(self, n_levels: int | None = None) -> np.ndarray:
        u = np.linspace(0.0, 1.0, _n_levels(self, n_levels))
        return np.unique(self.decode(u))


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
        if isinstance(self.values, str | bytes | Mapping) or not hasattr(self.values, "__iter__"):
            raise TypeError(
                f"{owner}: values={self.values!r} has the wrong type; expected a list of numbers"
            )
        levels = [_check_number(owner, "values", v) for v in list(self.values)]
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

    Examples
    --------
    >>> cat = Categorical("catalyst", ["Pd", "Ni", "Cu"])
    >>> cat.encode(["Ni", "Pd"]).tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    >>> cat.decode([[0.2, 0.1, 0.7]]).tolist()
    ['Cu']
    """

    kind: ClassVar[str] = "categorical"
    is_numeric: ClassVar[bool] = False
    name: str
    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        _check_name(self.name)
        owner = f"Categorical({self.name!r})"
        if isinstance(self.values, str | bytes | Mapping) or not hasattr(self.values, "__iter__"):
            raise TypeError(
                f"{owner}: values={self.values!r} has the wrong type; expected a list of levels"
            )
        levels = [_plain(v) for v in self.values]
        for level in levels:
            if isinstance(level, float) and not np.isfinite(level):
                raise ValueError(f"{owner}: values contains {level!r}; levels must be finite")
            if not isinstance(level, str | int | float | bool):
                raise TypeError(
                    f"{owner}: level {level!r} has the wrong type; expected str, int, float "
                    "or bool (so the space can be saved as JSON/YAML)"
                )
        if not levels:
            raise ValueError(f"{owner}: values is empty; expected at least one level")
        seen: set = set()
        duplicated = [v for v in levels if v in seen or seen.add(v)]
        if duplicated:
            raise ValueError(f"{owner}: values has duplicates {duplicated}; list each once")
        object.__setattr__(self, "values", tuple(levels))

    def __repr__(self) -> str:
        return f"Categorical({self.name!r}, {list(self.values)!r})"

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
        return {"name": self.name, "type": "categorical", "values": list(self.values)}


PARAMETER_TYPES: dict[str, type[Parameter]] = {
    "real": Real,
    "integer": Integer,
    "discrete": Discrete,
    "categorical": Categorical,
}
_KEYS: dict[str, tuple[str, ...]] = {
    "real": ("low", "high", "unit", "log"),
    "integer": ("low", "high", "unit", "log"),
    "discrete": ("values", "unit"),
    "categorical": ("values",),
}


def parameter_from_dict(spec: Mapping[str, Any]) -> Parameter:
    """Build a parameter from the dict written by ``to_dict`` (or a YAML space file).

    Parameters
    ----------
    spec : mapping
        ``{'name': ..., 'type': 'real' | 'integer' | 'discrete' | 'categorical', ...}`` with
        the constructor's arguments as the other keys.

    Returns
    -------
    Parameter

    Raises
    ------
    SpaceError
        For an unknown type or key (with a suggestion), a missing key or a bad value; the
        error's ``path`` attribute names the key.

    Examples
    --------
    >>> parameter_from_dict({"name": "T", "type": "real", "low": 20, "high": 80})
    Real('T', 20, 80)
    """
    from .._validation import closest_name

    if not isinstance(spec, Mapping):
        raise spec_error(f"a parameter must be a mapping of keys to values; got {spec!r}")
    kind = spec.get("type")
    label = f"parameter {spec.get('name', '?')!r}"
    if kind not in PARAMETER_TYPES:
        hint = closest_name(str(kind), PARAMETER_TYPES)
        did_you_mean = f"; did you mean {hint!r}?" if hint else ""
        raise spec_error(
            f"{label}: type={kind!r} is not supported; expected one of "
            f"{sorted(PARAMETER_TYPES)}{did_you_mean}",
            ("type",) if "type" in spec else (),
        )
    allowed = ("name", "type", *_KEYS[kind])
    for key in spec:
        if key not in allowed:
            hint = closest_name(str(key), allowed)
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise spec_error(
                f"{label}: unknown key {key!r} for type {kind!r}; expected keys {list(allowed)}"
                f"{did_you_mean}",
                (key,),
            )
    required = ["name", *[k for k in _KEYS[kind] if k in ("low", "high", "values")]]
    for key in required:
        if key not in spec:
            raise spec_error(f"{label}: key {key!r} is missing (type {kind!r} needs {required})")
    arguments = {k: v for k, v in spec.items() if k != "type"}
    try:
        return PARAMETER_TYPES[kind](**arguments)
    except (TypeError, ValueError) as exc:
        bad = [k for k in arguments if f"{k}=" in str(exc)]
        raise spec_error(f"{label}: {exc}", (bad[0],) if bad else ()) from None


def _plain(value: Any) -> Any:
    """NumPy scalars to Python scalars (for JSON/YAML and for hashing)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _column(Z: Any) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    if Z.ndim == 2 and Z.shape[1] == 1:
        return Z[:, 0]
    if Z.ndim == 1:
        return Z
    raise ValueError(f"expected encoded values of shape (n_samples, 1); got shape {Z.shape}")


def _level_index(u: Any, n_levels: int) -> np.ndarray:
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    return np.minimum(np.floor(u * n_levels).astype(np.int64), n_levels - 1)


def _n_levels(parameter: Parameter, n_levels: int | None) -> int:
    if n_levels is None:
        return 3
    if isinstance(n_levels, bool) or not isinstance(n_levels, numbers.Integral) or n_levels < 1:
        raise ValueError(
            f"levels for {parameter.name!r} = {n_levels!r} is invalid; expected an integer >= 1"
        )
    return int(n_levels)
