"""The sheets the lab fills in (layer 6): their names, their formats, and never one written
over results the campaign has not recorded.

A sheet holds the experiment id, the candidate row's label in a screen, the settings, the
predictions and an empty column per objective; ``yieldlab record`` reads it back. It is a
CSV, or an Excel workbook for a name ending in ``.xlsx``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd

from .app import UserError, shell, shell_command, write_atomically, write_csv

__all__ = [
    "check_sheet",
    "check_sheet_name",
    "check_unrecorded",
    "default_name",
    "lab_sheet",
    "warn_unused_columns",
    "write_sheet",
]

# the formats a sheet for the lab is written in, by the ending of its name
SHEET_SUFFIXES = (".csv", ".xlsx")


def lab_sheet(campaign, planned: pd.DataFrame) -> pd.DataFrame:
    """The sheet for the lab: id, the candidate row's label (a screen), settings, predictions
    if any, an empty objective column.

    Parameters
    ----------
    campaign : Campaign
    planned : DataFrame
        What ``design`` or ``suggest`` returned.

    Returns
    -------
    DataFrame
    """
    sheet = planned.copy()
    if campaign.candidates is not None:
        sheet.insert(1, "candidate", planned.index)
    for objective in campaign.objectives:
        if objective.name not in sheet:
            sheet[objective.name] = pd.NA
    return sheet


def default_name(path: Path, kind: str, campaign) -> Path:
    """The sheet's name when no --out is given: ``STEM-KIND-BATCH.csv`` next to the campaign
    file, or, when that name is taken (a sheet the lab may be filling in), the first free
    ``STEM-KIND-BATCH-2.csv``, ``-3``, ...: a default name never replaces a file.

    Parameters
    ----------
    path : Path
        The campaign file.
    kind : {'design', 'suggest'}
    campaign : Campaign

    Returns
    -------
    Path
    """
    batch = int(campaign.data["batch"].max()) if len(campaign.data) else 0
    first = path.with_name(f"{path.stem}-{kind}-{batch}.csv")
    name, k = first, 1
    while os.path.lexists(name):
        k += 1
        name = first.with_name(f"{first.stem}-{k}{first.suffix}")
    return name


def check_sheet_name(out: Path) -> None:
    """Refuse an --out whose ending is not that of a sheet format (.csv or .xlsx): CSV text
    under another name would not open in the program the name promises.

    Raises
    ------
    UserError
        Naming the option and a name that would do.
    """
    if out.suffix.lower() not in SHEET_SUFFIXES:
        raise UserError(
            f"--out {out}: a sheet is written as .csv or .xlsx (Excel); give a name ending in "
            f"one of them, such as {out.with_name(out.stem + '.csv')}"
        )


def write_sheet(frame: pd.DataFrame, path: Path) -> Path:
    """Write the lab's sheet ``frame`` to ``path``, atomically (a temporary file renamed into
    place): an Excel workbook for a name ending in ``.xlsx``, else CSV.

    Returns
    -------
    Path
        The file written.
    """
    if path.suffix.lower() != ".xlsx":
        return write_csv(frame, path)
    return write_atomically(
        path,
        lambda temporary: frame.to_excel(
            temporary, index=False, sheet_name="experiments", engine="openpyxl"
        ),
    )


def check_unrecorded(out: Path, campaign, campaign_path: Path) -> None:
    """Refuse to write a new sheet over ``out`` when it holds a result (a value in an
    objective column) the campaign has not recorded as it stands, whatever became of its
    experiment (pending, cancelled, not of this campaign, no id), or a value of a recorded
    experiment that differs from the one recorded (typed in again, or a sheet of another
    campaign whose ids overlap): it would be lost. A file that is not a sheet at all is
    refused too; a sheet whose results are all recorded, with the values it holds, may be
    replaced.

    Raises
    ------
    UserError
        Naming the experiments (or lines without an id) whose results would be lost, with
        the values that differ, and the fix.
    """
    from ..experiments.sheet_results import plain, unrecorded_results

    found = unrecorded_results(
        out,
        campaign.data,
        campaign.names,
        campaign.space.names,
        campaign.history(),
        campaign.cancelled()["experiment"],
    )
    if not found:
        return
    if not found.sheet:
        raise UserError(
            f"{out} exists and is not a sheet of this campaign (no 'experiment' column); give "
            "another name (-o) or delete it"
        )
    record = f"yieldlab record {shell(campaign_path)} {shell(out)}"
    if found.unreadable is not None:
        raise UserError(
            f"{out} is a sheet whose rows cannot be read ({found.unreadable}), so they may "
            f"hold results not recorded; fix the sheet and record it ({record}), or write the "
            "new sheet under another name (-o)"
        )
    if not (found.cancelled or found.unknown or found.no_id or found.differs):
        raise UserError(
            f"{out} holds results of experiment(s) {', '.join(map(str, found.pending))} that "
            f"are not recorded yet; record them first ({record}) or write the new sheet under "
            "another name (-o)"
        )
    fix = f"write the new sheet under another name (-o), or move {out} away first"
    if found.differs:
        first = found.differs[0]
        correct = shell_command(
            "yieldlab", "correct", campaign_path, first.experiment,
            f"{first.name}={plain(first.sheet)}", "--reason", "REASON",
        )  # fmt: skip
        several = len({d.experiment for d in found.differs}) > 1
        fix = (
            f"if the sheet's value{'s are' if several else ' is'} right, correct the campaign "
            f"({'e.g. ' if several else ''}{correct}); otherwise " + fix
        )
    raise UserError(
        f"{out} holds results not recorded in {campaign_path}: {found.described()}; {fix}"
    )


def check_sheet(table: pd.DataFrame, campaign, path: Path, campaign_path: Path) -> None:
    """Refuse a sheet to record in which no result is filled in (most likely sent back
    unfilled: an empty cell records a failed run, so every planned run would become a
    failure), or that names experiments already recorded (the sheet recorded before,
    perhaps with a value changed since) or not of this campaign.

    Raises
    ------
    UserError
        Naming the experiments, for one recorded otherwise its values, and the fix
        (``yieldlab correct`` for a value changed).
    """
    from ..experiments.sheet_results import compare_rows, plain

    names = [o.name for o in campaign.objectives if o.name in table.columns]
    if len(table) and names and table[names].isna().all().all():
        raise UserError(
            f"{path}: no result is filled in (the column(s) {names} are empty); type in the "
            "measured values first (an empty cell records that run as failed)"
        )
    if "experiment" not in table or not names:
        return
    found = compare_rows(
        table,
        campaign.data,
        campaign.names,
        campaign.space.names,
        campaign.history(),
        campaign.cancelled()["experiment"],
    )
    if found.unknown:
        known = campaign.data["experiment"]
        held = f"its experiments are {id_ranges(known)}" if len(known) else "it has none yet"
        raise UserError(
            f"{path}: experiment(s) {id_ranges(found.unknown)} are not experiments of "
            f"{campaign_path} ({held}); is it the sheet of another campaign? To record the "
            "rows here all the same, clear their experiment id (they are recorded as new "
            "experiments with their settings)"
        )
    if not (found.same or found.differs):
        return
    told = []
    if found.same:
        told.append(
            f"experiment(s) {id_ranges(found.same)} are already recorded with the values of "
            "this sheet"
        )
    for differs in found.differs[:3]:
        told.append(
            f"experiment {differs.experiment} is recorded with {differs.name} "
            f"{plain(differs.recorded)}, the sheet says {plain(differs.sheet)} "
            f"(line {differs.line})"
        )
    if found.differs:
        first = found.differs[0]
        change = {
            f"{d.name}={plain(d.sheet)}" for d in found.differs if d.experiment == first.experiment
        }
        fix = "to change the recorded values: " + shell_command(
            "yieldlab", "correct", campaign_path, first.experiment, *sorted(change),
            "--reason", "REASON",
        )  # fmt: skip
    else:
        fix = "this sheet was recorded before"
    recorded = set(found.same) | {d.experiment for d in found.differs}
    others = table["experiment"].isna() | ~table["experiment"].isin(list(recorded))
    if others.any():
        fix += "; to record the other rows, delete those of the experiments already recorded"
    raise UserError(f"{path}: " + "; ".join(told) + "; " + fix)


def warn_unused_columns(
    table: pd.DataFrame, parameters, objectives, path: Path, labels, campaign_path: Path
) -> None:
    """Warn, as ``record`` does, about the columns of a candidates table ``init`` leaves
    out: results of an objective are not recorded (and how to record them), and a column
    may name the rows (--labels) when none does.
    """
    unused = [c for c in table.columns if c not in parameters.names]
    if not unused:
        return
    names = [o.name for o in objectives]
    results = [c for c in unused if c in names]
    others = [c for c in unused if c not in names]
    told = []
    if others:
        told.append(f"the column(s) {others} are not parameters and are left out")
    if results:
        record = shell_command("yieldlab", "record", campaign_path, path)
        told.append(
            f"the column(s) {results} hold results of the objective(s), which are not "
            f"recorded by init; to record them, run {record} (each row with a result is "
            "recorded as an experiment of its candidate row)"
        )
    if labels is None and others:
        told.append(f"--labels {others[0]} would name each row by it in the sheets")
    warnings.warn(f"{path}: " + "; ".join(told), UserWarning, stacklevel=2)


def id_ranges(ids) -> str:
    """Experiment ids for a message, runs of consecutive ids joined.

    Examples
    --------
    >>> id_ranges([1, 3, 4, 5, 6, 9])
    '1, 3-6, 9'
    """
    numbers = sorted({int(i) for i in ids})
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
