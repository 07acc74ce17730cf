"""The sheets the lab fills in (layer 6): their names, their formats, and never one written
over results the campaign has not recorded.

A sheet holds the experiment id, the candidate row's label in a screen, the settings, the
predictions and an empty column per objective; ``yieldlab record`` reads it back. It is a
CSV, or an Excel workbook for a name ending in ``.xlsx``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..exceptions import YieldlabError
from .app import UserError, write_atomically, write_csv

__all__ = ["check_sheet_name", "check_unrecorded", "default_name", "lab_sheet", "write_sheet"]

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
    objective column) the campaign has not recorded, whatever became of its experiment
    (pending, cancelled, not of this campaign, no id): it would be lost. A file that is not
    a sheet at all is refused too; a sheet whose results are all recorded may be replaced.

    Raises
    ------
    UserError
        Naming the experiments (or lines without an id) whose results would be lost.
    """
    from ..modelling.tables import read_table

    if not out.is_file():
        return
    refused = UserError(
        f"{out} exists and is not a sheet of this campaign (no 'experiment' column); give "
        "another name (-o) or delete it"
    )
    try:
        old = read_table(out)  # as 'record' reads it: any separator, decimal commas, .xlsx
    except (YieldlabError, ValueError, OSError):
        raise refused from None
    if "experiment" not in old:
        raise refused
    names = [o.name for o in campaign.objectives if o.name in old]
    if not names:
        return
    data = campaign.data
    status = dict(zip(data["experiment"].astype(int), data["status"], strict=True))
    lines = old.attrs.get("lines")
    pending, unknown, no_id = [], [], []
    for row, (filled, value) in enumerate(
        zip(old[names].notna().any(axis=1), old["experiment"], strict=True)
    ):
        if not filled:
            continue
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        if pd.isna(number) or not float(number).is_integer():
            no_id.append(lines[row] if lines is not None and row < len(lines) else row + 2)
        elif int(number) not in status:
            unknown.append(int(number))
        elif status[int(number)] == "pending":
            pending.append(int(number))
    if not (pending or unknown or no_id):
        return
    if not (unknown or no_id):
        raise UserError(
            f"{out} holds results of experiment(s) {', '.join(map(str, pending))} that are "
            f"not recorded yet; record them first (yieldlab record {campaign_path} {out}) or "
            "write the new sheet under another name (-o)"
        )
    held = []
    if pending:
        held.append(f"experiment(s) {', '.join(map(str, pending))} (pending)")
    if unknown:
        held.append(
            f"experiment(s) {', '.join(map(str, unknown))} (cancelled, or not of this campaign)"
        )
    if no_id:
        held.append(f"line(s) {', '.join(map(str, no_id))} (no experiment id)")
    raise UserError(
        f"{out} holds results not recorded in {campaign_path}: {'; '.join(held)}; write the "
        f"new sheet under another name (-o), or move {out} away first"
    )
