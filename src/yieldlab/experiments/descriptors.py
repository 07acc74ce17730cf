"""Descriptors of a categorical parameter's levels, and the similarity they give (layer 4).

A chemist often knows more about the levels of a categorical parameter than their names:
computed properties of each ligand, base or solvent (DFT descriptors, as in EDBO, Shields
et al., Nature 2021; BayBE's substance parameters). With one-hot encoding every two levels
are equally different, so a result with one ligand says nothing about a similar one; with
descriptors the surrogate model measures the distance between two levels in descriptor
space, and a good result with one ligand raises its expectation for similar ligands.

:func:`check_descriptors` validates a table of descriptors against the levels and keeps it
in a canonical, hashable form; :func:`embedding` turns it into coordinates of the levels:
each descriptor standardized over the levels (constant ones dropped), rotated onto its
principal components (all of them: the distances are exactly those between the
standardized descriptor vectors, in at most ``n_levels - 1`` columns instead of hundreds),
and scaled so the mean squared distance between two levels is 2, as between two one-hot
rows, so that the model's length-scale prior for a categorical parameter applies unchanged.
The space keeps its one-hot encoding; only the surrogate sees the coordinates.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial.distance import pdist, squareform

__all__ = ["check_descriptors", "descriptor_table", "embedding"]

# the canonical form: ((descriptor name, (value of each level, in the levels' order)), ...)
Descriptors = tuple[tuple[str, tuple[float, ...]], ...]


def check_descriptors(owner: str, levels: list, descriptors: Any) -> Descriptors:
    """Validate ``descriptors`` of ``levels`` and return them in canonical form.

    Parameters
    ----------
    owner : str
        The parameter (``"Categorical('ligand')"``), for the messages.
    levels : list
        The parameter's levels.
    descriptors : DataFrame, mapping, str or path
        A table with one row per level (the index holds the levels; rows for other levels
        are ignored) and one numeric column per descriptor; or a mapping
        ``{descriptor: [value of each level, in the levels' order]}``; or the path of a CSV
        file whose first column holds the levels (read as text, so ``01`` or ``None`` are
        level names).

    Returns
    -------
    tuple of (str, tuple of float)
        Each descriptor's name and its value for every level.

    Raises
    ------
    TypeError, ValueError
        Naming the level and the descriptor at fault and what to do.
    """
    columns, rows = _columns(owner, levels, descriptors)
    values = {}
    for name, column in zip(columns, rows, strict=True):
        numbers = []
        for level, value in zip(levels, column, strict=True):
            number = _number(value)
            if number is None:
                raise ValueError(
                    f"{owner}: descriptor {name!r} of level {level!r} is {value!r}, not a "
                    "number; descriptors must be numeric (drop text columns such as SMILES or "
                    "file names)"
                )
            if not np.isfinite(number):
                raise ValueError(
                    f"{owner}: descriptor {name!r} of level {level!r} is missing or not "
                    "finite; fill it in or drop the descriptor"
                )
            numbers.append(number)
        values[name] = tuple(numbers)
    if len(levels) > 1:
        _check_distinct(owner, levels, values)
    return tuple(values.items())


_MISSING = {"", "na", "n/a", "nan", "null", "none", "#n/a"}


def _number(value: Any) -> float | None:
    """``value`` as a float (NaN when missing, inf beyond the float range); None when it is
    not a number."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _MISSING:
            return np.nan
        try:
            return float(text)
        except ValueError:
            return None
    if value is None or value is pd.NA or value is pd.NaT:
        return np.nan
    if isinstance(value, bool | np.bool_ | numbers.Real):
        try:
            return float(value)
        except OverflowError:
            return np.inf
    return None


def _columns(owner: str, levels: list, descriptors: Any) -> tuple[list[str], list[list]]:
    """Descriptor names and, for each, its raw value for every level (in their order)."""
    if isinstance(descriptors, Mapping):
        return _mapping_columns(owner, levels, descriptors)
    if isinstance(descriptors, str | os.PathLike):
        descriptors = _read_csv(owner, descriptors)
    if not isinstance(descriptors, pd.DataFrame):
        raise TypeError(
            f"{owner}: descriptors has the wrong type {type(descriptors).__name__}; expected a "
            "DataFrame indexed by the levels, a mapping {descriptor: [value per level]} or the "
            "path of a CSV file"
        )
    table = descriptors
    if table.shape[1] == 0:
        raise ValueError(f"{owner}: descriptors has no columns; expected one per descriptor")
    if isinstance(table.index, pd.MultiIndex):
        raise ValueError(
            f"{owner}: descriptors has a row index of several levels; expected one label per "
            "row, the level it describes"
        )
    names = [str(c) for c in table.columns]
    _check_names(owner, names)
    positions = _row_positions(owner, levels, list(table.index))
    raw = table.to_numpy(dtype=object)[positions]
    return names, [list(raw[:, j]) for j in range(len(names))]


def _mapping_columns(owner: str, levels: list, descriptors: Mapping) -> tuple[list, list]:
    names, columns = [], []
    for name, column in descriptors.items():
        if isinstance(column, set | frozenset):
            raise TypeError(
                f"{owner}: descriptors[{name!r}] is a set, which has no order; give a list "
                "with one value per level, in the order of values"
            )
        if isinstance(column, str | bytes | Mapping) or np.ndim(column) != 1:
            raise TypeError(
                f"{owner}: descriptors[{name!r}] = {column!r} is not a list; expected one "
                f"value per level ({len(levels)}), in the order of values"
            )
        column = list(column)  # NOTE: a Series is taken in order, not aligned by its index
        if len(column) != len(levels):
            raise ValueError(
                f"{owner}: descriptors[{name!r}] has {len(column)} values; expected one per "
                f"level, {len(levels)}, in the order of values"
            )
        names.append(str(name))
        columns.append(column)
    if not names:
        raise ValueError(f"{owner}: descriptors has no columns; expected one per descriptor")
    _check_names(owner, names)
    return names, columns


def _read_csv(owner: str, path: str | os.PathLike) -> pd.DataFrame:
    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        raise ValueError(
            f"{owner}: descriptors={str(path)!r} is not a file; expected a CSV file whose "
            "first column holds the levels"
        )
    try:
        # NOTE: as text, so that level names such as '01', 'None' or 'NA' stay themselves
        return pd.read_csv(path, index_col=0, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"{owner}: descriptors={str(path)!r} is not a readable CSV file ({exc}); "
            "expected a header row and one row per level, the level first"
        ) from None


def _check_names(owner: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(
                f"{owner}: descriptors has several columns named {name!r}; give each "
                "descriptor its own name"
            )
        seen.add(name)


def _row_positions(owner: str, levels: list, labels: list) -> list[int]:
    """Position of the row of each level (matched exactly, else as text); rows for other
    levels are ignored, but a level must have exactly one row."""
    exact: dict[Any, list[int]] = {}
    text: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        exact.setdefault(label, []).append(i)  # index labels are hashable
        text.setdefault(str(label), []).append(i)
    positions = []
    for level in levels:
        # NOTE: by type as well as value: True == 1 == 1.0 would otherwise meet
        found = [i for i in exact.get(level, []) if type(labels[i]) is type(level)]
        found = found or text.get(str(level), [])
        if not found:
            shown = [*labels[:10]]
            raise ValueError(
                f"{owner}: descriptors has no row for the level {level!r}; its rows are "
                f"{shown}{' ...' if len(labels) > 10 else ''}"
            )
        if len(found) > 1:
            raise ValueError(
                f"{owner}: descriptors has {len(found)} rows for the level {level!r}; keep one"
            )
        positions.append(found[0])
    return positions


def _check_distinct(owner: str, levels: list, values: dict[str, tuple[float, ...]]) -> None:
    S = _standardized(np.array(list(values.values())).T)
    if S.shape[1] == 0:
        raise ValueError(
            f"{owner}: every descriptor has the same value for all levels; they cannot tell "
            "the levels apart (drop descriptors= to treat the levels as unrelated)"
        )
    d2 = squareform(pdist(S, "sqeuclidean"))
    same = np.argwhere(np.triu(d2 <= 1e-12 * S.shape[1], 1))
    if len(same):
        i, j = same[0]
        raise ValueError(
            f"{owner}: the levels {levels[i]!r} and {levels[j]!r} have identical "
            "descriptors, so the model could not tell them apart; add a descriptor in which "
            "they differ"
        )


def _standardized(X: np.ndarray) -> np.ndarray:
    """The columns of ``X`` (levels x descriptors) that vary beyond rounding, standardized
    over the levels."""
    scale = np.abs(X).max(axis=0)
    # NOTE: into [-1, 1] first: the spread of values near the float limits overflows, and
    # dividing by the spread of a few subnormal numbers does too; what is left of a spread
    # below 1e-12 of the largest value is rounding
    X = X / np.where(scale > 0, scale, 1.0)
    X = X[:, np.ptp(X, axis=0) > 1e-12]
    return (X - X.mean(axis=0)) / X.std(axis=0)


def descriptor_table(levels: list, descriptors: Descriptors) -> pd.DataFrame:
    """The canonical descriptors as a table.

    Parameters
    ----------
    levels : list
        The parameter's levels, ``n_levels`` of them.
    descriptors : tuple of (str, tuple of float)
        As :func:`check_descriptors` returns them.

    Returns
    -------
    DataFrame of shape (n_levels, n_descriptors)
        Indexed by the levels, one column per descriptor.
    """
    return pd.DataFrame(
        {name: list(column) for name, column in descriptors},
        index=pd.Index(levels, dtype=object),
    )


def embedding(descriptors: Descriptors) -> np.ndarray:
    """Coordinates of the levels for the surrogate model (see the module docstring).

    Parameters
    ----------
    descriptors : tuple of (str, tuple of float)
        As :func:`check_descriptors` returns them, for ``n_levels`` levels.

    Returns
    -------
    ndarray of shape (n_levels, n_components)
        ``n_components >= 2`` (one component is split into two equal columns, so the
        model treats the parameter as categorical and no column is constant); the mean
        squared distance between two different rows is 2.

    Examples
    --------
    >>> E = embedding((("dipole", (1.0, 2.0, 4.0)), ("volume", (10.0, 10.0, 30.0))))
    >>> E.shape
    (3, 2)
    >>> d2 = ((E[:, None, :] - E[None, :, :]) ** 2).sum(-1)
    >>> round(float(d2[np.triu_indices(3, 1)].mean()), 6)
    2.0
    """
    X = np.array([column for _, column in descriptors], dtype=float).T
    n_levels = X.shape[0]
    if n_levels < 2:
        return np.zeros((n_levels, 2))
    U, s, _ = np.linalg.svd(_standardized(X), full_matrices=False)
    keep = s > 1e-10 * s[0]
    E = U[:, keep] * s[keep]
    E *= np.sqrt(2.0 / pdist(E, "sqeuclidean").mean())
    if E.shape[1] == 1:
        # NOTE: not a zero column: one that never varies is dropped by model selection,
        # and the group would turn into a numeric parameter there
        E = np.hstack([E, E]) / np.sqrt(2.0)
    return E
