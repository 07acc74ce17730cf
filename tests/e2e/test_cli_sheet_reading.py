"""Sheets sent back to `yieldlab record` that read wrongly: refused with the cell, and nothing
recorded."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd

from .conftest import assert_user_error, run_cli

SPACE = """\
parameters:
  - {name: temperature, type: real, low: 60, high: 110, unit: C}
  - {name: catalyst, type: categorical, values: [Pd, Ni]}
objectives:
  - {name: yield, goal: maximize, low: 0, high: 100}
  - {name: cost, goal: minimize}
"""


def recorded(tmp_path) -> dict:
    return json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)["counts"]


def test_sheets_that_would_be_recorded_wrongly_are_refused(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    result = run_cli("design", "c.db", "-n", "3", "--out", "plan.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sheet = pd.read_csv(tmp_path / "plan.csv").assign(
        **{"yield": [71.2, 74.5, 35.5], "cost": [1.5, 1.6, 2.75]}
    )
    # cut off in its last row: 35.5 became 35, and the run a failed one
    text = sheet.to_csv(index=False)
    (tmp_path / "cut.csv").write_text(text[: text.rfind("35.5") + 2])
    assert_user_error(
        run_cli("record", "c.db", "cut.csv", cwd=tmp_path),
        "cut.csv, line 4: the row has 4 fields and the header 5 (the file ends in this row "
        "without a line break",
    )
    # decimal commas but one point: the point is named, not the correct '71,2'
    commas = sheet.astype(str).map(lambda v: v.replace(".", ","))
    commas.loc[1, "yield"] = "74.5"
    commas.to_csv(tmp_path / "comma.csv", sep=";", index=False)
    assert_user_error(
        run_cli("record", "c.db", "comma.csv", cwd=tmp_path),
        "comma.csv, line 3, column 'yield': '74.5' is written with a decimal point, but the "
        "sheet writes decimal commas elsewhere ('71,2' on line 2); write it with a decimal "
        "comma, as the rest ('74,5')",
    )
    # a workbook whose yield cells are formatted as percentages: 0.712 shown as 71.2%
    sheet.assign(**{"yield": sheet["yield"] / 100}).to_excel(tmp_path / "plan.xlsx", index=False)
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    for row in (2, 3, 4):
        book.active.cell(row, 4).number_format = "0.0%"
    book.save(tmp_path / "plan.xlsx")
    assert_user_error(
        run_cli("record", "c.db", "plan.xlsx", cwd=tmp_path),
        "plan.xlsx, line 2, column 'yield': the cell is formatted as a percentage (shows "
        "71.2%, holds 0.712; 2 more cell(s) of the sheet are formatted so); type the number "
        "to record (71.2 or 0.712) in a cell formatted as a number",
    )
    assert recorded(tmp_path) == {"pending": 3}
    # the sheet written right is recorded as it is
    sheet.to_csv(tmp_path / "plan.csv", index=False)
    assert run_cli("record", "c.db", "plan.csv", cwd=tmp_path).returncode == 0
    assert recorded(tmp_path) == {"done": 3}
