"""Results in a sheet that a campaign has not recorded yet (layer 4).

A sheet goes to the lab, comes back with results typed in, and is recorded. Until then the
typed results exist only in that file, so nothing may write over it: not a new sheet (the
command line) and not an export (:meth:`~.record.CampaignRecord.export`).
:func:`unrecorded_results` says what writing over a file would lose: a result of an
experiment not recorded yet, and also a value that differs from the one recorded (typed in
again after recording, or a sheet of another campaign whose ids overlap).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import YieldlabError
from ..modelling.tables import line_of, read_table

__all__ = ["Differs", "Unrecorded", "compare_rows", "same_value", "unrecorded_results"]

# NOTE: values read back from a CSV or a workbook are the ones written (pandas writes the
# shortest repr that round-trips); the tolerance only absorbs a spreadsheet's re-save at 15
# significant digits, never a value typed in again (60.0 vs 60.01 differ)
RTOL = 1e-9


@dataclass(frozen=True)
class Differs:
    """A value of a sheet's row that the campaign recorded otherwise.

    Attributes
    ----------
    line : int
        The line of the file.
    experiment : int
    name : str
        The column (a parameter or an objective).
    recorded, sheet : object
        The value the campaign holds, and the one in the sheet.
    """

    line: int
    experiment: int
    name: str
    recorded: Any
    sheet: Any

    def __str__(self) -> str:
        return (
            f"line {self.line}, experiment {self.experiment}: {self.name} "
            f"{plain(self.sheet)} (recorded: {plain(self.recorded)})"
        )


@dataclass
class Unrecorded:
    """What a file holds that the campaign has not recorded.

    Attributes
    ----------
    sheet : bool
        Whether the file is a table with an ``experiment`` column (a sheet or an export of
        a campaign); a file that is not would be lost whole.
    pending : list of int
        Experiments still pending whose result the file holds.
    cancelled : list of int
        Experiments cancelled whose result the file holds.
    unknown : list of int
        Experiment ids the campaign does not hold (of another campaign).
    no_id : list of int
        File lines with a result but no experiment id.
    differs : list of Differs
        Values of recorded experiments that differ from those recorded.
    same : list of int
        Experiments recorded with the values the file holds (nothing of theirs is lost).
    unreadable : str or None
        Why a sheet with rows could not be read (a row cut off, a cell refused): its rows
        cannot be compared, so they may hold results not recorded.
    """

    sheet: bool = True
    pending: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    no_id: list[int] = field(default_factory=list)
    differs: list[Differs] = field(default_factory=list)
    same: list[int] = field(default_factory=list)
    unreadable: str | None = None

    def __bool__(self) -> bool:
        held = self.pending or self.cancelled or self.unknown or self.no_id or self.differs
        return not self.sheet or bool(held) or self.unreadable is not None

    def described(self, shown: int = 3) -> str:
        """The results at risk, for a message: ``"experiment(s) 3, 4 (pending)"``; at most
        ``shown`` differing values are named, then how many more."""
        held = [] if self.unreadable is None else [f"rows it cannot read ({self.unreadable})"]
        for ids, what in (
            (self.pending, "pending"),
            (self.cancelled, "cancelled"),
            (self.unknown, "not of this campaign"),
        ):
            if ids:
                held.append(f"experiment(s) {', '.join(map(str, ids))} ({what})")
        if self.no_id:
            held.append(f"line(s) {', '.join(map(str, self.no_id))} (no experiment id)")
        if self.differs:
            more = len(self.differs) - shown
            held.append(
                "; ".join(map(str, self.differs[:shown]))
                + (f"; {more} more value(s) differ" if more > 0 else "")
            )
        return "; ".join(held)


def plain(value: Any) -> Any:
    """A value as a message shows it: a NumPy scalar as the plain number (``2``, not
    ``np.int64(2)``), in a mapping too.

    Examples
    --------
    >>> plain(np.int64(2)), plain(np.float64(60.0)), plain("Pd")
    (2, 60.0, 'Pd')
    >>> plain({"T": np.int64(20)})
    {'T': 20}
    """
    if isinstance(value, dict):
        return {key: plain(v) for key, v in value.items()}
    return value.item() if isinstance(value, np.generic) else value


def same_value(recorded: Any, sheet: Any) -> bool:
    """Whether a value read back from a sheet is the one recorded: numbers to a relative
    ``1e-9`` (:data:`RTOL`), text as written (spaces around it aside).

    Examples
    --------
    >>> same_value(60.0, 60.00000000000001), same_value(60.0, 66.6), same_value("Pd", " Pd")
    (True, False, True)
    >>> same_value(1, "1.0"), same_value(float("nan"), 2.0)
    (True, False)
    """
    try:
        a, b = float(recorded), float(sheet)
    except (TypeError, ValueError):
        return str(recorded).strip() == str(sheet).strip()
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return bool(np.isclose(a, b, rtol=RTOL, atol=0.0))


def unrecorded_results(
    path: str | Path,
    data: pd.DataFrame,
    objectives: list[str],
    parameters: Iterable[str] = (),
    history: pd.DataFrame | None = None,
    cancelled: Iterable[int] = (),
) -> Unrecorded:
    """What writing over ``path`` would lose of a campaign's results.

    A row of the file with a result (a value in an objective column) is safe to lose only
    when the campaign recorded it: its experiment is done, failed or excluded, and each
    filled cell of the row (parameters and objectives) holds the value recorded, now or
    before a correction (``history``).

    Parameters
    ----------
    path : str or path
        The file about to be written.
    data : DataFrame
        The campaign's experiments (:attr:`~.record.CampaignRecord.data`).
    objectives : list of str
        The names of the campaign's objectives.
    parameters : iterable of str, optional
        The names of its parameters, whose values are compared too.
    history : DataFrame, optional
        Its changes (:meth:`~.record.CampaignRecord.history`): a value a correction
        replaced is recorded (kept in the history).
    cancelled : iterable of int, optional
        The ids of its cancelled experiments.

    Returns
    -------
    Unrecorded
        False (nothing lost) when ``path`` is not a file, or is a sheet whose every result
        the campaign has recorded as it stands.

    Examples
    --------
    >>> data = pd.DataFrame({"experiment": [1], "status": ["done"], "y": [2.0]})
    >>> bool(unrecorded_results("no-such-file.csv", data, ["y"]))
    False
    """
    path = Path(path)
    if not path.is_file():
        return Unrecorded()
    try:
        old = read_table(path)  # as a sheet is recorded: any separator, decimal commas, .xlsx
    except (YieldlabError, ValueError, OSError) as exc:
        try:  # a header alone (an export of pending experiments only) holds no result
            header = pd.read_csv(path, nrows=0, sep=None, engine="python").columns
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except (ValueError, OSError, UnicodeDecodeError):
            header, lines = [], []
        # NOTE: rows that cannot be read (cut off, a cell refused) cannot be compared with
        # those recorded: they may hold the only copy of a result
        rows = sum(bool(line.strip()) for line in lines) > 1
        reason = str(exc).removeprefix(f"{path}, ").removeprefix(f"{path}: ")
        return Unrecorded(sheet="experiment" in header, unreadable=reason if rows else None)
    if "experiment" not in old:
        return Unrecorded(sheet=False)
    return compare_rows(old, data, objectives, parameters, history, cancelled)


def compare_rows(
    old: pd.DataFrame,
    data: pd.DataFrame,
    objectives: list[str],
    parameters: Iterable[str] = (),
    history: pd.DataFrame | None = None,
    cancelled: Iterable[int] = (),
) -> Unrecorded:
    """What a sheet ``old`` (read by :func:`~yieldlab.modelling.tables.read_table`, with an
    ``experiment`` column) holds that the campaign has not recorded: the rows of
    :func:`unrecorded_results`, and (``same``) the experiments recorded as the sheet has
    them.

    Parameters
    ----------
    old : DataFrame
        The sheet.
    data, objectives, parameters, history, cancelled
        As for :func:`unrecorded_results`.

    Returns
    -------
    Unrecorded
    """
    names = [name for name in objectives if name in old]
    found = Unrecorded()
    if not names:
        return found
    columns = [name for name in parameters if name in old] + names
    recorded = data.set_index(data["experiment"].astype(int))
    status = recorded["status"]
    earlier = _corrected_values(history)
    cancelled = {int(i) for i in cancelled}
    for row, (filled, value) in enumerate(
        zip(old[names].notna().any(axis=1), old["experiment"], strict=True)
    ):
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        whole = not pd.isna(number) and float(number).is_integer()
        if not filled:  # nothing to lose; already recorded, if it names a run done
            if whole and status.get(int(number)) not in (None, "pending"):
                found.same.append(int(number))
            continue
        if not whole:
            found.no_id.append(line_of(old, row))
            continue
        experiment = int(number)
        if experiment not in recorded.index:
            (found.cancelled if experiment in cancelled else found.unknown).append(experiment)
        elif status[experiment] == "pending":
            found.pending.append(experiment)
        else:
            before = len(found.differs)
            for name in columns:
                sheet, now = old[name].iloc[row], recorded.at[experiment, name]
                if pd.isna(sheet) or same_value(now, sheet):
                    continue  # an empty cell loses nothing
                if any(same_value(v, sheet) for v in earlier.get((experiment, name), ())):
                    continue
                found.differs.append(Differs(line_of(old, row), experiment, name, now, sheet))
            if len(found.differs) == before:
                found.same.append(experiment)
    return found


def _corrected_values(history: pd.DataFrame | None) -> dict[tuple[int, str], list]:
    """``(experiment, name) -> values`` that corrections replaced, kept in ``history``."""
    earlier: dict[tuple[int, str], list] = {}
    if history is None or not len(history):
        return earlier
    for entry in history.to_dict("records"):
        if entry.get("action") != "correct":
            continue
        for name, value in (entry.get("before") or {}).items():
            earlier.setdefault((int(entry["experiment"]), name), []).append(value)
    return earlier
