"""Parameters of an experiment: the common interface and its value checks (layer 4).

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

This module holds the abstract :class:`Parameter` and the checks of user values the four
kinds share; the kinds themselves are in :mod:`.ranges` (:class:`Real`, :class:`Integer`)
and :mod:`.levels` (:class:`Discrete`, :class:`Categorical`).
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..exceptions import SpaceError

__all__ = ["Parameter"]


# NOTE: values within this fraction of the range of a bound or level count as on it, so a
# value written to CSV and read back (or decoded from [0, 1]) is not refused for rounding.
_RTOL = 1e-9


def _location(where: str | None, row: int, name: str) -> str:
    prefix = f"{where}, " if where else ""
    return f"{prefix}row {row}, column {name!r}"


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name={name!r} is not valid; expected a non-empty string")
    _check_ends(f"name={name!r}", name)
    return name


def _check_ends(what: str, text: str) -> None:
    """Refuse text with spaces at its ends: the header or cell of a sheet loses them, and the
    campaign could then never match its own sheets."""
    if text != text.strip():
        raise ValueError(
            f"{what} has spaces at its ends, which a sheet's header or cell does not keep; "
            f"write {text.strip()!r}"
        )


def _check_number(owner: str, argument: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {argument}={value!r} has the wrong type; expected a number")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond float's range
        finite = False
    if not finite:
        raise ValueError(f"{owner}: {argument}={value!r} is invalid; expected a finite number")
    return value


def _check_levels(owner: str, values: Any, expected: str) -> list:
    """``values`` as a list; a string, a mapping or a non-iterable is refused."""
    if isinstance(values, str | bytes | Mapping) or not hasattr(values, "__iter__"):
        raise TypeError(f"{owner}: values={values!r} has the wrong type; expected {expected}")
    return list(values)


def _soft_numbers(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(floats, raw values)``; NaN where a value is not a number."""
    raw = np.asarray(values)
    if raw.dtype.kind in "iuf":  # fast path: already numbers
        return raw.astype(np.float64).ravel(), raw.ravel()
    raw = raw.astype(object).ravel()
    series = pd.Series(raw, dtype=object)
    # True and False are not settings (pandas would read them as 1 and 0)
    series = series.mask(series.map(lambda v: isinstance(v, bool | np.bool_)), "not a number")
    out = pd.to_numeric(series, errors="coerce")
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
        """A plain (JSON/YAML-friendly) dict; :func:`.specs.parameter_from_dict` inverts it."""

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


def _n_levels(parameter: Parameter, n_levels: int | None) -> int:
    if n_levels is None:
        return 3
    if isinstance(n_levels, bool) or not isinstance(n_levels, numbers.Integral) or n_levels < 1:
        raise ValueError(
            f"levels for {parameter.name!r} = {n_levels!r} is invalid; expected an integer >= 1"
        )
    return int(n_levels)
