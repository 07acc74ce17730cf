"""Parameters over a range ``[low, high]``: :class:`Real` and :class:`Integer` (layer 4).

Both encode linearly to ``u = (x - low) / (high - low)`` in ``[0, 1]``, on the log scale
(``log(x)`` in place of ``x``) when ``log=True``; decoding clips to the bounds, and an
:class:`Integer` rounds to the nearest integer. See :mod:`.parameters` for the two
representations every parameter knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..exceptions import SpaceError
from .parameters import (
    _RTOL,
    Parameter,
    _as_numbers,
    _check_name,
    _check_number,
    _column,
    _location,
    _n_levels,
    _plain,
    _soft_numbers,
)

__all__ = ["Integer", "Real"]


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
            raise TypeError(
                f"{owner}: log={self.log!r} has the wrong type; expected a bool (in a space "
                "file: true or false)"
            )
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
        # the ends exactly (e^(log 120) is 119.99999999999997): a sheet typed with 120
        # must match the planned setting
        near = 1e-9 * (self.high - self.low)
        x = np.where(x >= self.high - near, self.high, np.where(x <= self.low + near, self.low, x))
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

    Encoded like a Real over ``[low, high]``; decoding rounds to the nearest integer,
    halves up (the centre of a three-level design of ``Integer(1, 4)`` is 3).

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
            if abs(value) > 2**53:
                raise ValueError(
                    f"{owner}: {argument}={value!r} is beyond 2**53, where a float no longer "
                    "holds every integer; use Real for a range this wide"
                )
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
        # halves round up, whatever the parity (np.round's halves to even put the centre of
        # a three-level design below the middle of Integer(1, 4) but above it for (1, 6))
        return np.floor(self._continuous(_column(Z)) + 0.5).astype(np.int64)

    def from_unit(self, u: Any) -> np.ndarray:
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.log:
            # log-uniform over [low - 1/2, high + 1/2]: each integer gets the log-width of
            # the values that round to it (rounding a log-uniform draw over [low, high] gave
            # the two end values half their share)
            lo, hi = np.log(self.low - 0.5), np.log(self.high + 0.5)
            x = np.round(np.exp(lo + u * (hi - lo)))
            return np.clip(x, self.low, self.high).astype(np.int64)
        # stratified: each integer gets an equal share of [0, 1)
        k = np.floor(u * (self.high - self.low + 1)).astype(np.int64)
        return np.minimum(self.low + k, self.high)

    def grid(self, n_levels: int | None = None) -> np.ndarray:
        u = np.linspace(0.0, 1.0, _n_levels(self, n_levels))
        return np.unique(self.decode(u))
