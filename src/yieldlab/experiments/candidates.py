"""A table of allowed settings: the parameters it implies (layer 4).

:func:`infer_parameters` turns each column of a candidates table into a parameter, for
:meth:`.Space.from_candidates` (which documents the rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validation import closest_name
from ..exceptions import SpaceError
from .levels import Categorical, Discrete
from .parameters import _RTOL, Parameter
from .ranges import Integer, Real

__all__ = ["infer_parameters"]


def infer_parameters(
    candidates: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    max_levels: int = 20,
    parameters: Sequence[Parameter] = (),
    descriptors: Mapping[str, Any] | None = None,
) -> list[Parameter]:
    """One parameter per column of ``candidates``: the given one, else inferred.

    The arguments and rules are those of :meth:`.Space.from_candidates` (``descriptors``
    included); the parameters come in the order of ``columns`` (default all), then the
    given ones not among them.

    Raises
    ------
    TypeError
        When ``candidates`` is not a DataFrame.
    SpaceError
        For a missing value, an unknown column, or descriptors for a column that is not
        categorical, given twice or as a mapping of lists.
    """
    if not isinstance(candidates, pd.DataFrame):
        raise TypeError("candidates must be a pandas DataFrame of allowed settings")
    if len(candidates) == 0:
        raise SpaceError("the candidates table has no rows; give at least one allowed setting")
    unnamed = [c for c in candidates.columns if not isinstance(c, str)]
    if unnamed:
        raise SpaceError(
            f"the candidates' columns must be named by text (the parameter names); column "
            f"{unnamed[0]!r} is not text: name the columns, e.g. "
            "candidates.columns = ['temperature', 'catalyst'], or candidates.rename(columns=str)"
        )
    columns = [str(c) for c in candidates.columns] if columns is None else list(columns)
    given = {p.name: p for p in parameters}
    for name in [*columns, *given]:
        if name not in candidates.columns:
            hint = closest_name(name, [str(c) for c in candidates.columns])
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise SpaceError(f"the candidates have no column {name!r}{did_you_mean}")
    columns += [name for name in given if name not in columns]
    inferred = [given.get(c) or _infer(candidates[c], c, max_levels) for c in columns]
    return _describe(inferred, descriptors or {}, given)


def _describe(
    parameters: list[Parameter], descriptors: Mapping[str, Any], given: Mapping[str, Parameter]
) -> list[Parameter]:
    """``parameters`` with the categorical ones named in ``descriptors`` described."""
    by_name = {p.name: p for p in parameters}
    for name, table in descriptors.items():
        if isinstance(table, Mapping):
            raise SpaceError(
                f"descriptors for {name!r} are a mapping of lists; from candidates the levels "
                "are inferred (and sorted), so give a table indexed by the levels instead"
            )
        if getattr(given.get(name), "descriptors", None) is not None:
            raise SpaceError(
                f"descriptors for {name!r} are given twice: in parameters= and in "
                "descriptors=; keep one"
            )
        if name not in by_name:
            hint = closest_name(str(name), list(by_name))
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise SpaceError(
                f"descriptors are given for {name!r}, which is not a parameter{did_you_mean}"
            )
        if by_name[name].kind != "categorical":
            raise SpaceError(
                f"descriptors are given for {name!r}, which is {by_name[name]!r}; only a "
                "categorical parameter's levels take descriptors (for a column of numeric "
                f"codes, pass parameters=[Categorical({name!r}, <its codes>)] as well)"
            )
    return [
        Categorical(p.name, list(p.values), descriptors=descriptors[p.name])
        if p.name in descriptors
        else p
        for p in parameters
    ]


def _merged(levels: np.ndarray) -> np.ndarray:
    """Sorted distinct ``levels`` with values one rounding error apart (``0.1 + 0.2`` and
    ``0.3``) taken as one, the first of them."""
    if levels.size < 2:
        return levels
    tol = _RTOL * max(1.0, float(np.abs(levels).max()))
    keep = np.r_[True, np.diff(levels) > tol]
    return levels[keep]


def _infer(column: pd.Series, name: str, max_levels: int) -> Parameter:
    missing = np.flatnonzero(column.isna().to_numpy())
    if missing.size:
        raise SpaceError(
            f"candidates, row {int(missing[0])}, column {name!r}: the value is missing; every "
            "allowed setting needs a value for every parameter"
        )
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        levels = sorted(pd.unique(column.to_numpy()), key=lambda v: (str(type(v)), v))
        return Categorical(name, levels)
    levels = _merged(np.unique(column.to_numpy(dtype=float)))
    if pd.api.types.is_integer_dtype(column):
        low, high = int(levels[0]), int(levels[-1])
        fills = len(levels) == high - low + 1 and len(levels) > 1
        if fills or len(levels) > max_levels:
            return Integer(name, low, high)
        return Discrete(name, [int(v) for v in levels])
    if len(levels) <= max_levels:
        return Discrete(name, levels.tolist())
    return Real(name, float(levels[0]), float(levels[-1]))
