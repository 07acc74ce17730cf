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

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

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
        file whose first column holds the levels.

    Returns
    -------
    tuple of (str, tuple of float)
        Each descriptor's name and its value for every level.

    Raises
    ------
    TypeError, ValueError
        Naming the level and the descriptor at fault and what to do.
    """
    table = _as_table(owner, levels, descriptors)
    rows = _rows_of_levels(owner, levels, table)
    values = {}
    for column in table.columns:
        numbers = pd.to_numeric(rows[column], errors="coerce")
        bad = numbers.isna() & rows[column].notna()
        if bad.any():
            level = rows.index[int(np.argmax(bad.to_numpy()))]
            raise ValueError(
                f"{owner}: descriptor {column!r} of level {level!r} is "
                f"{rows[column][bad].iloc[0]!r}, not a number; descriptors must be numeric "
                "(drop text columns such as SMILES or file names)"
            )
        missing = ~np.isfinite(numbers.to_numpy(dtype=float))
        if missing.any():
            level = rows.index[int(np.argmax(missing))]
            raise ValueError(
                f"{owner}: descriptor {column!r} of level {level!r} is missing or not "
                "finite; fill it in or drop the descriptor"
            )
        values[str(column)] = tuple(float(v) for v in numbers)
    if len(levels) > 1:
        _check_distinct(owner, levels, values)
    return tuple(values.items())


def _as_table(owner: str, levels: list, descriptors: Any) -> pd.DataFrame:
    if isinstance(descriptors, str | os.PathLike):
        if not os.path.isfile(descriptors):
            raise ValueError(
                f"{owner}: descriptors={str(descriptors)!r} is not a file; expected a CSV file "
                "whose first column holds the levels"
            )
        try:
            return pd.read_csv(descriptors, index_col=0)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"{owner}: descriptors={str(descriptors)!r} is not a readable CSV file ({exc}); "
                "expected a header row and one row per level, the level first"
            ) from None
    if isinstance(descriptors, pd.DataFrame):
        return descriptors
    if isinstance(descriptors, Mapping):
        for name, column in descriptors.items():
            if isinstance(column, str) or not hasattr(column, "__len__"):
                raise TypeError(
                    f"{owner}: descriptors[{name!r}] = {column!r} is not a list; expected one "
                    f"value per level ({len(levels)})"
                )
            if len(column) != len(levels):
                raise ValueError(
                    f"{owner}: descriptors[{name!r}] has {len(column)} values; expected one per "
                    f"level, {len(levels)}, in the order of values"
                )
        return pd.DataFrame(dict(descriptors), index=pd.Index(levels, dtype=object))
    raise TypeError(
        f"{owner}: descriptors has the wrong type {type(descriptors).__name__}; expected a "
        "DataFrame indexed by the levels, a mapping {descriptor: [value per level]} or the "
        "path of a CSV file"
    )


def _rows_of_levels(owner: str, levels: list, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` for ``levels`` in their order (matched exactly, else as text)."""
    if table.shape[1] == 0:
        raise ValueError(f"{owner}: descriptors has no columns; expected one per descriptor")
    names = pd.Index([str(c) for c in table.columns])
    if names.duplicated().any():
        raise ValueError(
            f"{owner}: descriptors has several columns named {names[names.duplicated()][0]!r}; "
            "give each descriptor its own name"
        )
    if table.index.duplicated().any():
        duplicated = table.index[table.index.duplicated()].unique().tolist()
        raise ValueError(f"{owner}: descriptors has several rows for the levels {duplicated}")
    by_text = {str(label): label for label in table.index}
    labels = []
    for level in levels:
        if level in table.index:
            labels.append(level)
        elif str(level) in by_text:
            labels.append(by_text[str(level)])
        else:
            raise ValueError(
                f"{owner}: descriptors has no row for the level {level!r}; its rows are "
                f"{[*table.index[:10]]}{' ...' if len(table) > 10 else ''}"
            )
    rows = table.loc[labels]
    rows.index = pd.Index(levels, dtype=object)
    return rows


def _check_distinct(owner: str, levels: list, values: dict[str, tuple[float, ...]]) -> None:
    S = _standardized(np.array(list(values.values())).T)
    if S.shape[1] == 0:
        raise ValueError(
            f"{owner}: every descriptor has the same value for all levels; they cannot tell "
            "the levels apart (drop descriptors= to treat the levels as unrelated)"
        )
    d2 = ((S[:, None, :] - S[None, :, :]) ** 2).sum(-1)
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
    # dividing by the spread of a few subnormal numbers does too
    X = X / np.where(scale > 0, scale, 1.0)
    X = X[:, np.ptp(X, axis=0) > 1e-9]
    return (X - X.mean(axis=0)) / X.std(axis=0)


def descriptor_table(levels: list, descriptors: Descriptors) -> pd.DataFrame:
    """The canonical descriptors as a DataFrame: one row per level, one column each."""
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
        ``n_components >= 2`` (padded with zeros, so the model treats the parameter as
        categorical); the mean squared distance between two different rows is 2.

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
    d2 = ((E[:, None, :] - E[None, :, :]) ** 2).sum(-1)
    E *= np.sqrt(2.0 / d2[np.triu_indices(n_levels, 1)].mean())
    if E.shape[1] < 2:
        E = np.hstack([E, np.zeros((n_levels, 2 - E.shape[1]))])
    return E
