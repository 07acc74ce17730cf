"""How people write numbers in a sheet for a reader (layer 3): units and separators.

A table exported from a lab notebook or a spreadsheet may hold ``'80 °C'``, ``'2 h'``,
``'15%'`` or ``'1,250'`` where a number belongs. :mod:`.tables` refuses such columns with
the fix rather than reading them as one categorical level per row; this module says what
is written: :func:`unit_of` and :func:`written_units` for units (:data:`UNITS`, by what
they measure), :data:`THOUSANDS` for thousands separators and :data:`COMMA_NUMBER` for a
number with a comma. Nothing here converts a value.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["COMMA_NUMBER", "MEASURES", "THOUSANDS", "UNITS", "unit_of", "written_units"]

# units that follow a number in a cell written for a reader ('80 °C', '2 h', '15%'), by
# what they measure; single capitals such as A or K are left out: '1A', '2A' are more often
# vials than amperes; 'µL' with the micro sign and 'μL' with the Greek mu that word
# processors and phones insert
# fmt: off
UNITS = {
    "temperature": ("°C", "°F", "°K"),
    "fraction": ("%", "wt%", "mol%", "ppm"),
    "pressure": ("bar", "mbar", "psi", "atm", "Pa", "kPa", "MPa"),
    "time": ("h", "hr", "min", "s", "sec", "ms"),
    "volume": ("mL", "ml", "L", "µL", "μL", "uL"),
    "mass": ("g", "mg", "kg"),
    "amount": ("mol", "mmol"),
    "concentration": ("M", "mM", "µM", "μM", "uM"),
    "equivalents": ("eq", "equiv"),
    "stirring": ("rpm",),
    "wavelength": ("nm",),
}
# fmt: on
MEASURES = {unit: measure for measure, units in UNITS.items() for unit in units}
# a number with thousands separators: '1,250', '-12,500.5' (not '0,125')
THOUSANDS = re.compile(r"\s*[-+]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?\s*")
COMMA_NUMBER = re.compile(r"\s*[-+]?\d*,\d+\s*")
_WITH_UNIT = re.compile(r"\s*[-+]?\d+(?:\.\d+)?(\s*)(\S+)\s*")


def unit_of(value: str, spaced: bool = False) -> str | None:
    """The unit of :data:`UNITS` a number is written with, or None; with ``spaced``, a
    one-letter unit only after a space (``'3 h'``, not ``'3h'``).

    Examples
    --------
    >>> unit_of("80 °C"), unit_of("3h"), unit_of("3h", spaced=True), unit_of("1A")
    ('°C', 'h', None, None)
    """
    found = _WITH_UNIT.fullmatch(value)
    if found is None or found.group(2) not in MEASURES:
        return None
    unit = found.group(2)
    return None if spaced and len(unit) == 1 and unit.isalpha() and not found.group(1) else unit


def written_units(values: pd.Series) -> list[str] | None:
    """The units the values are written with, in order of first appearance (``'80 °C'``,
    ``'95 °C'``: ``['°C']``; ``'2 h'``, ``'30 min'``: ``['h', 'min']``), when every value is a
    number and a unit of :data:`UNITS`, all of one measure (time, volume, ...), at least
    three values, and with one unit not all one number; else None. Mixed one-letter units
    count only after a space: ``'3g'``, ``'3h'``, ``'3s'`` are more likely compounds.

    Examples
    --------
    >>> written_units(pd.Series(["2 h", "30 min", "1 h"]))
    ['h', 'min']
    >>> written_units(pd.Series(["3g", "3h", "3s"])) is None
    True
    """
    if len(values) < 3 or not all(isinstance(v, str) for v in values):
        return None
    units = [unit_of(v) for v in values]
    if None not in units and len(set(units)) > 1 and all(len(u) == 1 for u in units):
        units = [unit_of(v, spaced=True) for v in values]
    if None in units or len({MEASURES[u] for u in units}) > 1:
        return None
    numbers = {v.strip()[: -len(u)].strip() for v, u in zip(values, units, strict=True)}
    distinct = list(dict.fromkeys(units))
    return distinct if len(distinct) > 1 or len(numbers) > 1 else None
