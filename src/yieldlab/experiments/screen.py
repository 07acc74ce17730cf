"""A campaign's screen: its table of candidate rows, and results matched to them (layer 4).

A campaign with ``candidates`` suggests only rows of that table (the wells of a plate, the
reactions of a screen). :func:`candidate_settings` checks the table when the campaign is
created (plain labels the file can keep, no two rows with the same settings);
:func:`candidate_index` and :func:`candidate_rows` find a setting's row by its encoding
(rounded to 1e-9, so a value read back from a CSV matches), and
:func:`check_candidate_column` refuses results whose ``candidate`` label names another row
than their settings.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import CampaignError
from .sheet_results import plain
from .space import Space

__all__ = [
    "candidate_index",
    "candidate_rows",
    "candidate_settings",
    "check_candidate_column",
    "check_labels",
    "first_duplicate",
]


def candidate_settings(space: Space, candidates: Any) -> list[tuple[Any, dict[str, Any]]]:
    """A campaign's table of allowed settings, checked: ``(label, settings)`` per row.

    Parameters
    ----------
    space : Space
        The campaign's space.
    candidates : DataFrame
        One allowed setting per row (other columns are ignored), labelled by its index.

    Returns
    -------
    list of (label, dict)
        Each row's label and its settings as the space keeps them.

    Raises
    ------
    TypeError, ValueError
        For something other than a table, no rows, labels the file cannot keep
        (:func:`check_labels`), or two rows with the same settings.
    SpaceError
        For a setting outside the space.
    """
    if not isinstance(candidates, pd.DataFrame):
        raise TypeError("candidates must be a pandas DataFrame of allowed settings")
    if len(candidates) == 0:
        raise ValueError("candidates has no rows; give the table of allowed settings")
    check_labels(candidates.index)
    valid = space.validate(candidates, where="candidates", allow_extra=True)
    twice = first_duplicate(space.encode(valid))
    if twice is not None:
        first, second = (candidates.index[k] for k in twice)
        raise ValueError(
            f"candidates: the rows {plain(first)!r} and {plain(second)!r} have the same settings; "
            "a campaign cannot tell them apart (results are matched to rows by their "
            "settings): keep one, and record replicates as repeated results"
        )
    return [
        (label, dict(zip(space.names, values, strict=True)))
        for label, values in zip(candidates.index, valid.itertuples(index=False), strict=True)
    ]


def check_labels(index: pd.Index) -> None:
    """Refuse candidate row labels the campaign file cannot keep or tell apart.

    Parameters
    ----------
    index : Index
        The row labels of a candidates table.

    Raises
    ------
    ValueError
        For a MultiIndex, a missing or blank label, or a label given twice.
    TypeError
        For a label that is neither text nor a number.
    """
    fix = "give the table a plain index, e.g. candidates.reset_index()"
    if isinstance(index, pd.MultiIndex):
        raise ValueError(f"candidates has a MultiIndex of row labels; {fix}")
    if index.hasnans:
        raise ValueError(f"candidates has a missing row label; {fix}")
    blank = [label for label in index if isinstance(label, str) and not label.strip()]
    if blank:  # a blank candidate in a sheet means "find the row by its settings"
        raise ValueError(f"candidates has the blank row label {blank[0]!r}; {fix}")
    if index.has_duplicates:
        label = index[index.duplicated()][0]
        label = label.item() if isinstance(label, np.generic) else label
        raise ValueError(f"candidates has the row label {label!r} twice; {fix}")
    for label in index:
        plain = label.item() if isinstance(label, np.generic) else label
        if not isinstance(plain, str | int | float) or isinstance(plain, bool):
            raise TypeError(
                f"candidates has the row label {label!r} of type {type(label).__name__}; "
                f"labels must be text or numbers: {fix}, or candidates.set_axis(...) with text"
            )


def candidate_index(Zc: np.ndarray) -> dict[bytes, int]:
    """Lookup of the encoded candidate rows ``Zc`` (rounded to 1e-9): key -> first row.

    Parameters
    ----------
    Zc : ndarray of shape (n_rows, n_encoded)
        The encoded candidate rows.

    Returns
    -------
    dict of bytes to int
        For :func:`candidate_rows`.
    """
    keys = _keys(Zc)
    return {key: i for i, key in reversed(list(enumerate(keys)))}


def first_duplicate(Z: np.ndarray) -> tuple[int, int] | None:
    """Positions ``(i, j)``, ``i < j``, of the first two encoded rows of ``Z`` that are the
    same setting (to 1e-9), or None.

    Parameters
    ----------
    Z : ndarray of shape (n_rows, n_encoded)

    Returns
    -------
    tuple of (int, int) or None

    Examples
    --------
    >>> first_duplicate(np.array([[0.0, 1.0], [0.5, 0.5], [0.0, 1.0 + 1e-12]]))
    (0, 2)
    """
    seen: dict[bytes, int] = {}
    for j, key in enumerate(_keys(Z)):
        if key in seen:
            return seen[key], j
        seen[key] = j
    return None


def _keys(Z: np.ndarray) -> list[bytes]:
    rounded = np.ascontiguousarray(np.round(Z, 9) + 0.0)  # + 0.0: no negative zeros
    return [row.tobytes() for row in rounded]


def candidate_rows(space: Space, index: dict[bytes, int], settings: pd.DataFrame) -> list[int]:
    """Row number of each (validated) setting among the candidates of ``index``
    (:func:`candidate_index`).

    Parameters
    ----------
    space : Space
        Encodes the settings.
    index : dict of bytes to int
        :func:`candidate_index` of the candidate rows.
    settings : DataFrame
        Settings validated by the space, one per row.

    Returns
    -------
    list of int
        The candidate row of each setting.

    Raises
    ------
    CampaignError
        When a setting is not a candidate row.
    """
    rows = [index.get(key) for key in _keys(space.encode(settings))]
    missing = [i for i, r in enumerate(rows) if r is None]
    if missing:
        row = missing[0]
        raise CampaignError(
            f"results, row {row}: the settings {plain(settings.iloc[row].to_dict())!r} are not "
            "among the candidates; a candidates campaign records only candidate rows"
        )
    return rows


def _label_text(value: Any) -> str:
    """A candidate label as text, so ``5``, ``5.0``, ``'5'`` and ``'005'`` (a label read back
    from a CSV, which turns ``'005'`` into 5) compare equal."""
    text = str(value).strip()
    if isinstance(value, bool):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    if math.isfinite(number) and number.is_integer():
        return str(int(number))
    return repr(number) if math.isfinite(number) else text


def check_candidate_column(given: pd.Series, rows: list[int], labels: pd.Index) -> None:
    """Refuse results whose ``candidate`` label is unknown or names another row than their
    settings (a mix-up between wells, say); an empty or blank label is left to the settings.

    Parameters
    ----------
    given : Series
        The ``candidate`` column of the results.
    rows : list of int
        The candidate row of each result's settings (positions in ``labels``).
    labels : Index
        The row labels of the candidates table.

    Raises
    ------
    CampaignError
        Naming the results row, the label given and the label of its settings.
    """
    known = {_label_text(label) for label in labels}
    for i, (value, row) in enumerate(zip(given, rows, strict=True)):
        if isinstance(value, str) and not value.strip():
            continue  # a blank cell, as a sheet read as text gives it
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        text, actual = _label_text(value), _label_text(labels[row])
        if text == actual:
            continue
        where = f"results, row {i}: candidate {plain(value)!r}"
        if text not in known:
            raise CampaignError(
                f"{where} is not a row of the candidates table; correct it, or leave the "
                "candidate empty and the settings say which row it is"
            )
        raise CampaignError(
            f"{where} does not match the settings, which are those of candidate "
            f"{plain(labels[row])!r}; correct the settings or the candidate label"
        )
