"""Sheets on the command line: never written over results the campaign has not recorded as
they stand, and the messages of recording one again."""

from __future__ import annotations

import json

import pandas as pd

from .conftest import assert_user_error, run_cli
from .test_cli_campaign import lab, planned


def recorded(tmp_path, db: str = "c.db", out: str = "s.csv") -> pd.DataFrame:
    """A campaign ``db`` whose first design of 4 is filled in (``out``) and recorded."""
    sheet = lab(planned(tmp_path, db, 4, out)).round({"yield": 1})
    sheet.to_csv(tmp_path / out, index=False)
    result = run_cli("record", db, out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return sheet


def test_an_out_keeps_a_value_typed_in_again_after_recording(tmp_path):
    sheet = recorded(tmp_path)
    was = float(sheet.loc[1, "yield"])
    sheet.loc[1, "yield"] = 66.6  # re-integrated, typed over the recorded value
    sheet.to_csv(tmp_path / "s.csv", index=False)
    for command in ("design", "suggest"):
        result = run_cli(command, "c.db", "-n", "2", "--out", "s.csv", cwd=tmp_path)
        assert_user_error(
            result,
            f"s.csv holds results not recorded in c.db: line 3, experiment 2: yield 66.6 "
            f"(recorded: {was}); if the sheet's value is right, correct the campaign "
            "(yieldlab correct c.db 2 yield=66.6 --reason REASON); otherwise write the new "
            "sheet under another name (-o), or move s.csv away first",
        )
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "s.csv"), sheet)  # still there
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"done": 4}  # nothing planned by the refused calls
    # corrected, the sheet holds what the campaign holds (the old value is in its history)
    result = run_cli("correct", "c.db", "2", "yield=66.6", "--reason", "re-integrated",
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = run_cli("suggest", "c.db", "-n", "2", "--out", "s.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(tmp_path / "s.csv")["experiment"].tolist() == [5, 6]


def test_an_out_keeps_a_sheet_whose_rows_cannot_be_read(tmp_path):
    # a sheet with results that record refuses (its last row cut off) was taken for one
    # holding nothing, and design --out replaced it
    other = lab(planned(tmp_path, "c.db", 4, "s.csv"))
    other["yield"] = [11.0, 12.0, 13.0, 14.5]
    text = other.to_csv(index=False)
    cut = text.rstrip("\n")
    cut = cut[: cut.rfind(",")]  # the last row loses its last cells: a copy cut off
    (tmp_path / "s.csv").write_text(cut[: cut.rfind(",")], encoding="utf-8")
    before = (tmp_path / "s.csv").read_text(encoding="utf-8")
    result = run_cli("design", "c.db", "-n", "2", "--out", "s.csv", cwd=tmp_path)
    assert_user_error(
        result,
        "s.csv is a sheet whose rows cannot be read (line 5: the row has",
        "so they may hold results not recorded; fix the sheet and record it (yieldlab record "
        "c.db s.csv), or write the new sheet under another name (-o)",
    )
    assert (tmp_path / "s.csv").read_text(encoding="utf-8") == before


def test_an_out_keeps_the_sheet_of_another_campaign_whose_ids_overlap(tmp_path):
    recorded(tmp_path, "b.db", "b.csv")  # campaign B: experiments 1-4 recorded
    other = lab(planned(tmp_path, "a.db", 4, "a.csv"))  # campaign A, the same space and seed
    other["yield"] = [11.0, 12.0, 13.0, 14.0]  # A's results, not recorded yet
    other.to_csv(tmp_path / "a.csv", index=False)
    result = run_cli("suggest", "b.db", "-n", "2", "--out", "a.csv", cwd=tmp_path)
    assert_user_error(
        result,
        "a.csv holds results not recorded in b.db: line 2, experiment 1: yield 11.0 (recorded:",
        "; 1 more value(s) differ; if the sheet's values are right, correct the campaign (e.g. "
        "yieldlab correct b.db 1 yield=11.0 --reason REASON); otherwise write the new sheet "
        "under another name (-o), or move a.csv away first",
    )
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), other)
    # a setting typed over (the temperature actually run) is not the campaign's either
    sheet = pd.read_csv(tmp_path / "b.csv")
    sheet.loc[0, "temperature"] = 99.5
    sheet.to_csv(tmp_path / "b.csv", index=False)
    result = run_cli("design", "b.db", "-n", "2", "--out", "b.csv", cwd=tmp_path)
    assert_user_error(result, "b.csv holds results not recorded in b.db: line 2, experiment 1: "
                      "temperature 99.5 (recorded: ")  # fmt: skip


def test_recording_a_sheet_again_names_what_is_recorded_and_what_differs(tmp_path):
    sheet = recorded(tmp_path)
    result = run_cli("record", "c.db", "s.csv", cwd=tmp_path)
    assert_user_error(
        result,
        "s.csv: experiment(s) 1-4 are already recorded with the values of this sheet; this "
        "sheet was recorded before",
    )
    was = float(sheet.loc[1, "yield"])
    sheet.loc[1, "yield"] = 66.6  # re-integrated after recording
    sheet.loc[4] = sheet.loc[0].copy()  # and a replicate of experiment 1, without an id
    sheet.loc[4, ["experiment", "yield"]] = [None, 70.5]
    sheet.to_csv(tmp_path / "s.csv", index=False)
    result = run_cli("record", "c.db", "s.csv", cwd=tmp_path)
    assert_user_error(
        result,
        "s.csv: experiment(s) 1, 3-4 are already recorded with the values of this sheet; "
        f"experiment 2 is recorded with yield {was}, the sheet says 66.6 (line 3); to change "
        "the recorded values: yieldlab correct c.db 2 yield=66.6 --reason REASON; to record "
        "the other rows, delete those of the experiments already recorded",
    )
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"done": 4}
    # the sheet of another campaign: its ids are not this campaign's
    sheet.assign(experiment=[7, 8, 9, 10, None]).to_csv(tmp_path / "other.csv", index=False)
    result = run_cli("record", "c.db", "other.csv", cwd=tmp_path)
    assert_user_error(
        result,
        "other.csv: experiment(s) 7-10 are not experiments of c.db (its experiments are 1-4); "
        "is it the sheet of another campaign? To record the rows here all the same, clear "
        "their experiment id",
    )
