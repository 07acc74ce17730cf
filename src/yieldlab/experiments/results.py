"""The table of a campaign's experiments, and results coming into it (layer 4).

:func:`experiment_table` turns the stored experiments into the table users read; its
columns (:data:`META_COLUMNS`, :data:`RANKING_COLUMNS` and the predictions) are names
:func:`check_names` keeps parameters and objectives from taking. Before
:meth:`~.record.CampaignRecord.add` writes anything, :func:`check_results` refuses a table
with unknown or missing columns (naming the closest known name), :func:`measured` checks
its settings and measured values, and a :class:`PendingMatcher` decides, inside the store's
write transaction, which pending experiment each result completes; :func:`warn_repeats`
says when results repeat ones recorded before. :func:`one_setting` rewords a message about
a table for one setting. :func:`write_csv` exports the table atomically.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import check_output_file, write_atomically
from .._validation import closest_name
from ..exceptions import CampaignError, DataError, SpaceError
from .space import Space

__all__ = [
    "META_COLUMNS",
    "RANKING_COLUMNS",
    "NearMatchWarning",
    "PendingMatcher",
    "RepeatWarning",
    "check_measurements",
    "check_names",
    "check_results",
    "experiment_ids",
    "experiment_table",
    "is_whole",
    "measured",
    "one_setting",
    "warn_repeats",
    "write_csv",
]

# columns yieldlab adds to the table of experiments (never parameter or objective names)
META_COLUMNS = (
    "experiment", "status", "batch", "source", "candidate", "acquisition", "cancelled"
)  # fmt: skip
# the columns best_predicted adds besides the predictions (parameters may not take them)
RANKING_COLUMNS = ("runs", "experiments", "run")


def experiment_table(
    raw: pd.DataFrame, space: Space, objectives: list[str], labels: pd.Index | None = None
) -> pd.DataFrame:
    """The table of experiments from the store's rows.

    Parameters
    ----------
    raw : DataFrame
        :meth:`~.store.CampaignStore.experiments`.
    space : Space
    objectives : list of str
    labels : Index, optional
        Labels of the candidate rows (candidates mode).

    Returns
    -------
    DataFrame
        ``experiment``, the settings, the objectives, ``status`` (pending, done, failed or
        excluded), ``batch``, ``source`` (design, suggest or user) and, with candidates,
        the ``candidate`` row label.
    """
    settings = pd.DataFrame(list(raw["settings"]), columns=space.names)
    results = pd.DataFrame(list(raw["results"]), columns=objectives, dtype=float)
    status = raw["status"].where(raw["excluded"].isna(), "excluded")
    frame = pd.concat(
        [
            raw[["id"]].rename(columns={"id": "experiment"}),
            settings,
            results,
            status,
            raw[["batch", "source"]],
        ],
        axis=1,
    )
    if labels is not None:
        frame["candidate"] = [labels[int(r)] if pd.notna(r) else None for r in raw["candidate"]]
    return frame


def check_results(results: Any, space: Space, objectives: list[str]) -> pd.DataFrame:
    """``results`` with a fresh index, after checking its type and columns.

    Parameters
    ----------
    results : DataFrame
        Settings and measured objectives; the columns yieldlab adds (``experiment``...)
        and the predictions of :meth:`~.campaign.Campaign.suggest` may come along.
    space : Space
    objectives : list of str
        Objective names.

    Raises
    ------
    TypeError
        When ``results`` is not a DataFrame.
    SpaceError
        For an unknown column close to a known name (a typo); other unknown columns (notes)
        are left out with a warning.
    DataError
        When an objective column is missing.
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(
            f"results has the wrong type {type(results).__name__}; expected a "
            f"DataFrame with the columns {space.names + objectives}"
        )
    results = _without_units(results, space)
    known = {
        *space.names,
        *objectives,
        *META_COLUMNS,
        *(f"{o}_{k}" for o in objectives for k in ("mean", "std")),
    }
    extra = []
    for column in map(str, results.columns):
        if column not in known:
            # NOTE: a stricter cutoff than for hints: 'operator' is 0.63 like 'temperature'
            hint = closest_name(column, [*space.names, *objectives], cutoff=0.75)
            if hint is None:
                extra.append(column)  # notes, operator, date...: kept out of the campaign
                continue
            raise SpaceError(
                f"results has the unknown column {column!r}; did you mean {hint!r}? "
                f"expected the parameters {space.names} and the objectives {objectives}"
            )
    if extra:
        warnings.warn(
            f"results: the column(s) {extra} are not parameters or objectives and are not "
            "recorded",
            UserWarning,
            stacklevel=3,
        )
    for name in objectives:
        if name not in results.columns:
            alike = [c for c in extra if _bare(c) == _bare(name)]
            if alike:
                raise DataError(
                    f"results has no column {name!r} for the objective, but has "
                    f"{alike[0]!r}; rename that column to {name!r} (units go in the space "
                    "and objectives, not in the column names)"
                )
            raise DataError(
                f"results has no column {name!r} for the objective; add it (a cell left "
                "empty records a failed run)"
            )
    return results.reset_index(drop=True)


def _without_units(results: pd.DataFrame, space: Space) -> pd.DataFrame:
    """``results`` with a parameter's column headed with its unit, as the reports write it
    (``'temperature [C]'``), renamed to the parameter; a unit other than the one the space
    declares is refused, since the values would be read in the wrong unit."""
    renamed = {}
    for column in map(str, results.columns):
        found = re.fullmatch(r"\s*(.+?)\s*[\[(]\s*(.*?)\s*[\])]\s*", column)
        if not found or found[1] not in space.names or column in space.names:
            continue
        name, unit = found[1], found[2]
        declared = getattr(space[name], "unit", None)
        if unit != declared:
            said = f"in {declared}" if declared else "without a unit"
            raise SpaceError(
                f"results, column {column!r}: the space declares {name!r} {said}; give its "
                f"values {said} under the column {name!r}"
            )
        if name in results.columns:
            raise SpaceError(
                f"results has the columns {name!r} and {column!r}, one parameter twice; "
                "keep one of them"
            )
        renamed[column] = name
    return results.rename(columns=renamed) if renamed else results


def _bare(name: str) -> str:
    """A column name without units in brackets, case or spacing: ``'Yield (%)'`` -> ``'yield'``."""
    return re.sub(r"[\s_]+", " ", re.sub(r"[(\[{].*?[)\]}]", " ", name)).strip().lower()


# NOTE: the model squares standardized values times their spread; beyond 1e150 the square
# leaves double precision
_LARGEST = 1e150


class NearMatchWarning(UserWarning):
    """Results without an ``experiment`` id were recorded as new experiments although their
    settings nearly match pending ones (typed with fewer digits?).

    Attributes
    ----------
    row : int
        The first such row of the results.
    pending : list of int
        The pending experiments they nearly match (still pending).
    """

    def __init__(self, row: int, pending: list[int], count: int) -> None:
        self.row, self.pending = row, pending
        super().__init__(
            f"results, row {row} has no 'experiment' id and settings close to but not equal "
            f"to those of pending experiment {pending[0]} ({count} such row(s), near pending "
            f"experiment(s) {pending}); recorded as new experiments, and the planned ones stay "
            "pending. Give the 'experiment' column from design()/suggest() to complete them, "
            f"or cancel({pending}) them"
        )


def check_names(space: Space, objectives: list[Any]) -> None:
    """Refuse parameter and objective names that clash with each other or with a column a
    campaign adds to its tables (``experiment``, ``status``, ``<objective>_mean``...).

    Parameters
    ----------
    space : Space
        The campaign's space.
    objectives : list of Objective
        The campaign's objectives.

    Raises
    ------
    ValueError
        Naming the clash and a name to use instead.
    """
    added = {name: "a column yieldlab adds" for name in (*META_COLUMNS, "desirability")}
    added.update({name: "a column best_predicted() adds" for name in RANKING_COLUMNS})
    for o in objectives:
        for kind in ("mean", "std"):
            added[f"{o.name}_{kind}"] = f"the column of the predicted {kind} of {o.name!r}"
    for name in space.names:
        if name in added:
            raise ValueError(
                f"parameter {name!r} has the name of {added[name]} to suggestions and data; "
                f"rename it (e.g. {name + '_setting'!r})"
            )
    for o in objectives:
        if o.name in space.names:
            raise ValueError(f"objective {o.name!r} has the name of a parameter; rename one")
        if o.name in added:
            raise ValueError(
                f"objective {o.name!r} has the name of {added[o.name]} to suggestions and "
                f"data; rename it (e.g. {o.name + '_measured'!r})"
            )


def measured(
    frame: pd.DataFrame, space: Space, objectives: list[Any], where: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """The settings of ``frame`` checked against the space, and its measured values
    (NaN: a failed run) checked to be measurements; errors name ``where``.

    Parameters
    ----------
    frame : DataFrame
        Settings and a column per objective (other columns are ignored).
    space : Space
        The campaign's space.
    objectives : list of Objective
        The campaign's objectives.
    where : str
        Where the table comes from, for messages (``'results'``).

    Returns
    -------
    settings : DataFrame
        The validated settings.
    Y : ndarray of shape (n_rows, n_objectives)
        The measured values.

    Raises
    ------
    SpaceError
        For settings outside the space.
    DataError
        For a value that is not a measurement (text, infinite, too large).
    """
    settings = space.validate(frame, where=where, allow_extra=True)
    try:
        Y = np.column_stack([o.values(frame) for o in objectives])
    except DataError as exc:
        raise DataError(f"{where}, {exc}") from None
    check_measurements(Y, [o.name for o in objectives])
    return settings, Y


def one_setting(text: str, where: str) -> str:
    """A message about a table of settings, reworded for the one setting of ``where``
    (no row numbers, no counts over rows).

    Examples
    --------
    >>> one_setting("row 0, column 't': 120.0 is outside [20, 100] (1 value(s) outside in all)",
    ...             "fixed")
    "fixed: column 't': 120.0 is outside [20, 100]"
    """
    text = re.sub(r"^(results, )?(correct\(experiment \d+\))?,? ?(row 0)?[,:]? ?", "", text)
    text = re.sub(r";? ?\(?\b1 (row|value)\(s\) [^;()]*in all\)?", "", text)
    return f"{where}: {text.strip()}"


def check_measurements(Y: np.ndarray, objectives: list[str]) -> None:
    """Refuse infinite or unmodellably large measured values (NaN is a failed run).

    Raises
    ------
    DataError
        Naming the row and column, with the fix.
    """
    bad = np.argwhere(np.isinf(Y) | (np.abs(np.nan_to_num(Y)) > _LARGEST))
    if len(bad) == 0:
        return
    row, column = (int(i) for i in bad[0])
    value = float(Y[row, column])
    where = f"results, row {row}, column {objectives[column]!r}: {value!r}"
    if np.isinf(value):
        raise DataError(
            f"{where} is not a measurement (a division by zero in the sheet?); leave the "
            "cell empty (NaN) to record a failed run"
        )
    raise DataError(
        f"{where} is too large to model (beyond {_LARGEST:g}); record it in other units"
    )


def is_whole(value: Any) -> bool:
    """True for a whole number (``3``, ``3.0``, ``np.int64(3)``; not ``True``, not NaN)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return math.isfinite(value) and value == int(value)


def experiment_ids(frame: pd.DataFrame) -> list[int | None]:
    """The ``experiment`` id of each row of ``frame`` (None: not given, a new one).

    Raises
    ------
    CampaignError
        For a value that is not a whole number (naming the row).
    """
    if "experiment" not in frame:
        return [None] * len(frame)
    ids: list[int | None] = []
    for row, value in enumerate(frame["experiment"]):
        if value is None or (np.ndim(value) == 0 and pd.isna(value)):
            ids.append(None)
            continue
        number = value
        if isinstance(value, str):
            text = value.strip()
            if not text:
                ids.append(None)
                continue
            number = int(text) if text.isascii() and text.isdigit() else None
        if not is_whole(number) or number < 1:
            raise CampaignError(
                f"results, row {row}, column 'experiment': {value!r} is not an experiment "
                "id (a whole number from design() or suggest()); leave it empty for a new "
                "experiment"
            )
        if int(number) in ids:
            raise CampaignError(
                f"results, row {row}, column 'experiment': experiment {int(number)} appears "
                f"twice (also row {ids.index(int(number))}); each experiment has one result: "
                "keep one row, or leave the id of a replicate empty to record it as new"
            )
        ids.append(int(number))
    return ids


class RepeatWarning(UserWarning):
    """Results without an ``experiment`` id repeat experiments recorded before, settings
    and results alike (the same table added twice?); they were recorded again, as
    replicates.

    Attributes
    ----------
    row : int
        The first such row of the results.
    copies : list of int
        The ids the repeats were recorded under (what to exclude if they are copies).
    """

    def __init__(
        self, row: int, earlier: list[int], copies: list[int], excluded: list[int]
    ) -> None:
        self.row, self.copies = row, copies
        super().__init__(
            f"results, row {row} has no 'experiment' id and the same settings and results as "
            f"experiment {earlier[0]}, recorded before ({len(copies)} such row(s), repeating "
            f"experiment(s) {earlier}); recorded again as replicates, experiment(s) {copies}. "
            "If these results had been recorded already, they now count twice"
            + (
                f"; experiment(s) {excluded} had been excluded, and the copies recorded now "
                "are used by the models"
                if excluded
                else ""
            )
            + f": undo with exclude({copies}, reason='recorded twice')"
        )


def warn_repeats(repeats: list[tuple[int, int]], data: pd.DataFrame, copies: list[int]) -> None:
    """Warn that results without an id repeat experiments recorded before (the same table
    added twice?): they are recorded again, as replicates (:class:`RepeatWarning`).

    Parameters
    ----------
    repeats : list of (int, int)
        ``(row of the results, experiment it repeats)``.
    data : DataFrame
        The campaign's table of experiments after the results were recorded.
    copies : list of int
        The ids the repeating rows were recorded under.
    """
    rows, earlier = zip(*repeats, strict=True)
    status = data.set_index("experiment")["status"]
    excluded = [e for e in earlier if status.get(e) == "excluded"]
    warnings.warn(RepeatWarning(rows[0], list(earlier), copies, excluded), stacklevel=3)


class PendingMatcher:
    """Assigns results to pending experiments inside the store's transaction.

    A result with an ``experiment`` id completes that experiment (which must be pending);
    one without completes the first free pending experiment with the same settings (to
    ``1e-6`` in encoded units), or is a new experiment.

    Parameters
    ----------
    space : Space
    Z : ndarray of shape (n_results, n_encoded)
        Encoded settings of the results.
    ids : list of int or None
        The ``experiment`` id given with each result, or None (:func:`experiment_ids`).
    cancelled : iterable of int, optional
        Ids of experiments cancelled: a result naming one is refused with the fix.

    Attributes
    ----------
    near : list of (int, int)
        After a call: ``(row, experiment)`` for each result without an id that matched no
        pending experiment but lies within 1% of the ranges of a free one (settings rounded
        in the lab?); it was recorded as new.
    """

    def __init__(
        self, space: Space, Z: np.ndarray, ids: list[int | None], cancelled: Any = ()
    ) -> None:
        self.space, self.Z, self.ids = space, Z, ids
        self.cancelled = {int(i) for i in cancelled}  # ids of experiments cancelled
        self.near: list[tuple[int, int]] = []

    def __call__(self, pending: pd.DataFrame) -> list[int | None]:
        """Per result, the id of the pending experiment it completes, or None (new)."""
        open_ids = set(pending["id"].astype(int))
        Zp = self.space.encode(pd.DataFrame(list(pending["settings"]), columns=self.space.names))
        free = np.ones(len(pending), dtype=bool)
        out: list[int | None] = []
        for row, (z, given) in enumerate(zip(self.Z, self.ids, strict=True)):
            if given is not None:
                if given in self.cancelled:
                    raise CampaignError(
                        f"results, row {row}: experiment={given!r} was cancelled; to record "
                        "this result all the same, clear its experiment id (the row is then "
                        "recorded as a new experiment with its settings)"
                    )
                if given not in open_ids:
                    raise CampaignError(
                        f"results, row {row}: experiment={given!r} is not "
                        "pending (unknown, or already recorded)"
                    )
                open_ids.discard(given)
                free[pending["id"].to_numpy() == given] = False
                out.append(given)
                continue
            gap = np.abs(Zp - z).max(axis=1) if len(Zp) else np.zeros(0)
            close = free & (gap < 1e-6)
            i = int(np.argmax(close)) if close.any() else None
            if i is not None:
                free[i] = False
                open_ids.discard(int(pending["id"].iloc[i]))
            elif (free & (gap < 1e-2)).any():
                self.near.append(
                    (row, int(pending["id"].iloc[np.where(free, gap, np.inf).argmin()]))
                )
            out.append(None if i is None else int(pending["id"].iloc[i]))
        return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``frame`` as CSV under a temporary name, then rename it into place.

    A crash while writing never leaves a half-written file under ``path``.
    """
    check_output_file(path)
    return write_atomically(path, lambda name: frame.to_csv(name, index=False))
