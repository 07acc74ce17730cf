"""Results in a sheet that a campaign has not recorded yet (layer 4).

A sheet goes to the lab, comes back with results typed in, and is recorded. Until then the
typed results exist only in that file, so nothing may write over it: not a new sheet (the
command line) and not an export (:meth:`~.record.CampaignRecord.export`).
:func:`unrecorded_results` says what writing over a file would lose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..exceptions import YieldlabError
from ..modelling.tables import line_of, read_table

__all__ = ["Unrecorded", "unrecorded_results"]


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
    unknown : list of int
        Experiment ids the campaign does not hold (cancelled, or of another campaign).
    no_id : list of int
        File lines with a result but no experiment id.
    """

    sheet: bool = True
    pending: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    no_id: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return not self.sheet or bool(self.pending or self.unknown or self.no_id)

    def described(self) -> str:
        """The results at risk, for a message: ``"experiment(s) 3, 4 (pending)"``."""
        held = []
        if self.pending:
            held.append(f"experiment(s) {', '.join(map(str, self.pending))} (pending)")
        if self.unknown:
            held.append(
                f"experiment(s) {', '.join(map(str, self.unknown))} (cancelled, or not of "
                "this campaign)"
            )
        if self.no_id:
            held.append(f"line(s) {', '.join(map(str, self.no_id))} (no experiment id)")
        return "; ".join(held)


def unrecorded_results(path: str | Path, data: pd.DataFrame, objectives: list[str]) -> Unrecorded:
    """What writing over ``path`` would lose of a campaign's results.

    Parameters
    ----------
    path : str or path
        The file about to be written.
    data : DataFrame
        The campaign's experiments (:attr:`~.record.CampaignRecord.data`).
    objectives : list of str
        The names of the campaign's objectives.

    Returns
    -------
    Unrecorded
        False (nothing lost) when ``path`` is not a file, or is a sheet whose every result
        the campaign has recorded (whatever became of the experiment since).

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
    except (YieldlabError, ValueError, OSError):
        try:  # a header alone (an export of pending experiments only) holds no result
            header = pd.read_csv(path, nrows=0, sep=None, engine="python").columns
        except (ValueError, OSError, UnicodeDecodeError):
            header = []
        return Unrecorded(sheet="experiment" in header)
    if "experiment" not in old:
        return Unrecorded(sheet=False)
    names = [name for name in objectives if name in old]
    found = Unrecorded()
    if not names:
        return found
    status = dict(zip(data["experiment"].astype(int), data["status"], strict=True))
    for row, (filled, value) in enumerate(
        zip(old[names].notna().any(axis=1), old["experiment"], strict=True)
    ):
        if not filled:
            continue
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        if pd.isna(number) or not float(number).is_integer():
            found.no_id.append(line_of(old, row))
        elif int(number) not in status:
            found.unknown.append(int(number))
        elif status[int(number)] == "pending":
            found.pending.append(int(number))
    return found
