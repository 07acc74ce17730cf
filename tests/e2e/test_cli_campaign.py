"""The experiment loop on a campaign file, end to end, and its bad inputs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from yieldlab.experiments.d_optimal import model_matrix
from yieldlab.experiments.spacefile import read_space_file

from .conftest import assert_user_error, run_cli

SPACE = """\
parameters:
  - {name: temperature, type: real, low: 60, high: 110, unit: C}
  - {name: pressure, type: real, low: 1, high: 5}
  - {name: catalyst, type: categorical, values: [Pd, Ni]}
objectives:
  yield: maximize
"""


def lab(frame: pd.DataFrame) -> pd.DataFrame:
    """The 'lab': fills in the yield of each planned experiment."""
    done = frame.copy()
    done["yield"] = (
        80
        - 0.02 * (done["temperature"] - 85) ** 2
        - 1.5 * (done["pressure"] - 3.2) ** 2
        + (done["catalyst"] == "Pd") * 4.0
    )
    return done


def planned(tmp_path, db: str, n: int, out: str) -> pd.DataFrame:
    """A new campaign ``db`` of SPACE with a first design of ``n`` written to ``out``."""
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", db, "--space", "space.yaml", cwd=tmp_path).returncode == 0
    result = run_cli("design", db, "-n", str(n), "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return pd.read_csv(tmp_path / out)


def test_the_experiment_loop(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    result = run_cli("init", "reactor.db", "--space", "space.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_cli(
        "design", "reactor.db", "-n", "6", "--method", "lhs", "--out", "first.csv", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    planned = pd.read_csv(tmp_path / "first.csv")
    assert len(planned) == 6 and planned["yield"].isna().all()
    lab(planned).to_csv(tmp_path / "first.csv", index=False)
    assert run_cli("record", "reactor.db", "first.csv", cwd=tmp_path).returncode == 0
    for k in range(3):
        out = f"round{k}.csv"
        result = run_cli("suggest", "reactor.db", "-n", "3", "--out", out, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        suggested = pd.read_csv(tmp_path / out)
        assert {"yield_mean", "yield_std"} <= set(suggested.columns)
        # the last of a batch of three is the Thompson pick, and the output says so
        last = suggested["experiment"].iloc[-1]
        assert f"Experiment {last} explores: the best setting under one draw" in result.stdout
        assert result.stdout.count(" explores: ") == 1
        lab(suggested).to_csv(tmp_path / out, index=False)
        assert run_cli("record", "reactor.db", out, cwd=tmp_path).returncode == 0
    result = run_cli("status", "reactor.db", "--json", cwd=tmp_path)
    status = json.loads(result.stdout)
    assert status["counts"] == {"done": 15}
    assert status["best"][0]["yield"] > 80.0  # the optimum is 84
    result = run_cli("report", "reactor.db", "--out", "campaign.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "campaign.html").read_text(encoding="utf-8")
    ET.fromstring(text.split("\n", 1)[1])
    for section in ("Overview", "Progress", "Experiments", "Model selection"):
        assert f">{section}</h2>" in text


def test_space_file_typo_names_key_and_line(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE.replace("high: 5", "hihg: 5"))
    result = run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path)
    assert_user_error(result, "space.yaml, line 3", "hihg")
    assert not (tmp_path / "c.db").exists()


def test_a_file_that_is_not_a_campaign(tmp_path):
    (tmp_path / "c.db").write_text("just text")
    assert_user_error(run_cli("status", "c.db", cwd=tmp_path), "c.db")
    assert_user_error(run_cli("suggest", "missing.db", cwd=tmp_path), "missing.db: file not found")
    # the command suggested is one to paste: a path with a space is quoted
    assert_user_error(
        run_cli("suggest", "my runs.db", cwd=tmp_path),
        "create it with: yieldlab init 'my runs.db' --space space.yaml",
    )


def test_results_outside_the_space_are_refused_and_nothing_is_recorded(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    bad = pd.DataFrame(
        {
            "temperature": [80.0, 200.0],
            "pressure": [2.0, 2.0],
            "catalyst": ["Pd", "Pd"],
            "yield": [70.0, 71.0],
        }
    )
    bad.to_csv(tmp_path / "bad.csv", index=False)
    result = run_cli("record", "c.db", "bad.csv", cwd=tmp_path)
    # the file and its line (header line 1: the second data row is line 3)
    assert_user_error(result, "bad.csv, line 3, column 'temperature'", "200")
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {}


def test_an_unwritable_sheet_plans_nothing(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    (tmp_path / "folder").mkdir()
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    for out, message in (
        ("missing/plan.csv", "the folder 'missing' does not exist"),
        ("folder", "folder is a folder; give a file name"),
    ):
        result = run_cli("design", "c.db", "-n", "4", "--out", out, cwd=tmp_path)
        assert_user_error(result, message)
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {}  # no orphaned pending experiments
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == []


def test_structured_designs_take_their_natural_size(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    result = run_cli("design", "c.db", "--method", "ccd", "--out", "ccd.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    plan = pd.read_csv(tmp_path / "ccd.csv")
    # a central composite design of the two real parameters (4 corners, 4 axial points, 3
    # centre points) for each catalyst
    assert plan["catalyst"].value_counts().to_dict() == {"Pd": 11, "Ni": 11}


def test_init_refuses_to_overwrite(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    assert_user_error(
        run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path), "c.db already exists"
    )


def test_design_seed_makes_the_plan_reproducible(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    plans = []
    for name, seed in (("a.db", "5"), ("b.db", "5"), ("c.db", "6")):
        assert run_cli("init", name, "--space", "space.yaml", cwd=tmp_path).returncode == 0
        out = name.replace(".db", ".csv")
        result = run_cli("design", name, "-n", "4", "--seed", seed, "--out", out, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        plans.append(pd.read_csv(tmp_path / out)[["temperature", "pressure", "catalyst"]])
    pd.testing.assert_frame_equal(plans[0], plans[1])  # same seed, same plan
    assert not plans[0].equals(plans[2])


def test_descriptors_from_a_csv_next_to_the_space_file(tmp_path):
    folder = tmp_path / "screen"
    folder.mkdir()
    (folder / "solvents.csv").write_text(
        "solvent,dielectric,dipole\nDMAc,37.8,3.7\nBuOAc,5.0,1.9\np-Xylene,2.3,0.1\n"
    )
    (folder / "space.yaml").write_text(
        "parameters:\n"
        "  - {name: temperature, type: real, low: 60, high: 110}\n"
        "  - {name: solvent, type: categorical, values: [DMAc, BuOAc, p-Xylene],\n"
        "     descriptors: solvents.csv}\n"
        "objectives:\n  yield: maximize\n"
    )
    # run from elsewhere: the CSV path is relative to the space file
    result = run_cli("init", "s.db", "--space", "screen/space.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert run_cli("design", "s.db", "-n", "5", "--out", "d.csv", cwd=tmp_path).returncode == 0
    planned = pd.read_csv(tmp_path / "d.csv")
    planned["yield"] = 50 + 10 * (planned["solvent"] == "DMAc") - planned["temperature"] / 10
    planned.to_csv(tmp_path / "d.csv", index=False)
    assert run_cli("record", "s.db", "d.csv", cwd=tmp_path).returncode == 0
    result = run_cli("suggest", "s.db", "-n", "2", "--out", "next.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(tmp_path / "next.csv")["solvent"].isin(["DMAc", "BuOAc", "p-Xylene"]).all()

    (folder / "solvents.csv").write_text("solvent,dielectric\nDMAc,37.8\nBuOAc,x\np-Xylene,2.3\n")
    result = run_cli("init", "t.db", "--space", "screen/space.yaml", cwd=tmp_path)
    assert_user_error(
        result,
        "space.yaml, line 4 (parameters[1]['descriptors'])",
        "'dielectric' of level 'BuOAc'",
    )


def test_record_refuses_an_unfilled_sheet_and_reports_failed_runs(tmp_path):
    planned(tmp_path, "c.db", 4, "plan.csv")
    # sent back as written: nothing is recorded, and nothing turned into a failed run
    assert_user_error(
        run_cli("record", "c.db", "plan.csv", cwd=tmp_path), "plan.csv: no result is filled in"
    )
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"pending": 4}
    # one run failed (empty cell), one planned run was not done: the sheet omits it
    sheet = lab(pd.read_csv(tmp_path / "plan.csv"))
    sheet.loc[1, "yield"] = None
    sheet.iloc[:3].to_csv(tmp_path / "plan.csv", index=False)
    result = run_cli("record", "c.db", "plan.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 recorded as failed runs (an empty result): experiment 2 (yield)" in result.stdout
    # the experiment never run is dropped from the command line, by id or with --all
    assert_user_error(
        run_cli("cancel", "c.db", cwd=tmp_path),
        "name the experiments to cancel (pending: 4), or give --all",
    )
    result = run_cli("cancel", "c.db", "--all", cwd=tmp_path)
    assert result.returncode == 0 and "1 pending experiment(s) cancelled" in result.stdout
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"done": 2, "failed": 1, "cancelled": 1}
    assert [row["experiment"] for row in status["cancelled"]] == [4]
    assert "2 done, 1 failed, 1 cancelled" in run_cli("status", "c.db", cwd=tmp_path).stdout
    assert_user_error(run_cli("cancel", "c.db", "2", cwd=tmp_path), "experiment 2 is not pending")
    # run after all: its result under the cancelled id is refused with the fix
    late = pd.DataFrame(status["cancelled"]).drop(columns=["batch", "cancelled"])
    late = late.assign(**{"yield": 50.0})
    late.to_csv(tmp_path / "late.csv", index=False)
    assert_user_error(
        run_cli("record", "c.db", "late.csv", cwd=tmp_path),
        "late.csv, line 2: experiment=4 was cancelled; to record this result all the same, "
        "clear its experiment id",
    )
    late.assign(experiment=None).to_csv(tmp_path / "late.csv", index=False)
    assert run_cli("record", "c.db", "late.csv", cwd=tmp_path).returncode == 0
    # a sheet whose row of a cancelled experiment is left empty: that row is skipped
    assert run_cli("design", "c.db", "-n", "2", "--out", "more.csv", cwd=tmp_path).returncode == 0
    assert run_cli("cancel", "c.db", "7", cwd=tmp_path).returncode == 0
    more = pd.read_csv(tmp_path / "more.csv").assign(**{"yield": [60.0, None]})
    more.to_csv(tmp_path / "more.csv", index=False)
    result = run_cli("record", "c.db", "more.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "more.csv, line 3: experiment(s) 7 were cancelled and have no result" in " ".join(
        result.stderr.split()
    )
    assert "1 results recorded" in result.stdout and "failed" not in result.stdout


def test_warnings_are_one_line_naming_the_file_and_the_command(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    assert run_cli("design", "c.db", "-n", "2", "--out", "plan.csv", cwd=tmp_path).returncode == 0
    sheet = lab(pd.read_csv(tmp_path / "plan.csv")).drop(columns="experiment")
    sheet["temperature"] = sheet["temperature"].round(1) + 0.04  # typed with fewer digits
    sheet.to_csv(tmp_path / "typed.csv", index=False)
    result = run_cli("record", "c.db", "typed.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: typed.csv, line 2: ")
    assert "yieldlab cancel c.db 1 2" in lines[0] and "UserWarning" not in result.stderr


def test_a_screen_names_its_wells_in_every_sheet(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    plate = pd.DataFrame(
        {
            "well": [f"{r}{c}" for r in "AB" for c in range(1, 5)],
            "temperature": [60.0, 75.0, 90.0, 110.0] * 2,
            "pressure": [1.0, 2.0, 3.0, 5.0] * 2,
            "catalyst": ["Pd"] * 4 + ["Ni"] * 4,
        }
    )
    plate.to_csv(tmp_path / "plate.csv", index=False)
    result = run_cli("init", "p.db", "--space", "space.yaml", "--candidates", "plate.csv",
                     cwd=tmp_path)  # fmt: skip
    # the note is part of the warning about the columns left out (stderr)
    assert result.returncode == 0 and "--labels well would name each row" in result.stderr
    result = run_cli("init", "c.db", "--space", "space.yaml", "--candidates", "plate.csv",
                     "--labels", "well", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert run_cli("design", "c.db", "-n", "3", "--out", "d.csv", cwd=tmp_path).returncode == 0
    sheet = pd.read_csv(tmp_path / "d.csv")
    assert sheet.columns[:2].tolist() == ["experiment", "candidate"]
    wells = plate.set_index("well")
    for row in sheet.itertuples():  # each well label is the well of those settings
        assert wells.loc[row.candidate, "temperature"] == row.temperature
    lab(sheet).to_csv(tmp_path / "d.csv", index=False)
    assert run_cli("record", "c.db", "d.csv", cwd=tmp_path).returncode == 0
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"done": 3}
    assert status["best"][0]["candidate"] in set(sheet["candidate"])  # a well, not a number
    assert_user_error(
        run_cli("init", "x.db", "--space", "space.yaml", "--candidates", "plate.csv",
                "--labels", "wel", cwd=tmp_path),
        "no column 'wel' for --labels",
    )  # fmt: skip


def test_suggest_before_any_result_says_it_is_space_filling(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    result = run_cli("suggest", "c.db", "-n", "2", "--out", "s.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "space-filling" in " ".join(result.stdout.split())
    assert "yield_mean" not in result.stdout  # no empty prediction columns on screen


def initialized(tmp_path, name: str, levels: str) -> None:
    """A campaign c.db over a temperature and one categorical parameter with ``levels``."""
    (tmp_path / "space.yaml").write_text(
        "parameters:\n"
        "  - {name: temperature, type: real, low: 60, high: 110}\n"
        f"  - {{name: {name}, type: categorical, values: {levels}}}\n"
        "objectives:\n"
        "  yield: maximize\n"
    )
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0


def test_levels_named_none_and_na_survive_the_sheet(tmp_path):
    initialized(tmp_path, "additive", "[None, LiCl, NA]")
    assert run_cli("design", "c.db", "-n", "6", "--out", "d.csv", cwd=tmp_path).returncode == 0
    sheet = pd.read_csv(tmp_path / "d.csv", keep_default_na=False)
    assert set(sheet["additive"]) == {"None", "LiCl", "NA"}
    sheet.assign(**{"yield": range(6)}).to_csv(tmp_path / "d.csv", index=False)
    result = run_cli("record", "c.db", "d.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"done": 6}
    assert status["best"][0]["additive"] == sheet["additive"].iloc[5]


def test_record_names_the_line_after_a_blank_one_and_reads_number_levels(tmp_path):
    initialized(tmp_path, "loading", "[0.5, 1, 2]")
    assert run_cli("design", "c.db", "-n", "3", "--out", "d.csv", cwd=tmp_path).returncode == 0
    sheet = pd.read_csv(tmp_path / "d.csv").assign(**{"yield": [1.0, 2.0, 3.0]})
    sheet["loading"] = sheet["loading"].astype(float)  # 1 written back as 1.0
    bad = sheet.astype({"temperature": object})
    bad.loc[1, "temperature"] = 500.0
    lines = bad.to_csv(index=False).splitlines()
    (tmp_path / "bad.csv").write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n")
    result = run_cli("record", "c.db", "bad.csv", cwd=tmp_path)
    assert_user_error(result, "bad.csv, line 4, column 'temperature'")  # line 3 is blank
    sheet.to_csv(tmp_path / "d.csv", index=False)
    result = run_cli("record", "c.db", "d.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # '1.0' is the level 1


def test_labels_that_cannot_name_rows_are_refused_in_cli_terms(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    plate = pd.DataFrame(
        {
            "well": ["A1", "A2", "A2"],
            "temperature": [60.0, 75.0, 90.0],
            "pressure": [1.0, 2.0, 3.0],
            "catalyst": ["Pd", "Ni", "Pd"],
        }
    )
    plate.to_csv(tmp_path / "plate.csv", index=False)
    init = ("init", "c.db", "--space", "space.yaml", "--candidates", "plate.csv", "--labels")
    assert_user_error(run_cli(*init, "well", cwd=tmp_path), "'well' has A2 twice")
    assert_user_error(run_cli(*init, "temperature", cwd=tmp_path), "is a parameter")


def test_outputs_never_overwrite_the_campaign_file_or_unrecorded_results(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    for command in (("design", "c.db", "-n", "4"), ("report", "c.db"), ("suggest", "c.db")):
        for out in ("c.db", "c.db-wal"):
            assert_user_error(run_cli(*command, "--out", out, cwd=tmp_path), "c.db", "campaign")
    assert run_cli("design", "c.db", "-n", "4", "--out", "s.csv", cwd=tmp_path).returncode == 0
    sheet = lab(pd.read_csv(tmp_path / "s.csv"))
    # results typed in, not yet recorded, saved as a German spreadsheet saves CSV
    sheet.to_csv(tmp_path / "s.csv", index=False, sep=";", decimal=",")
    result = run_cli("suggest", "c.db", "-n", "2", "--out", "s.csv", cwd=tmp_path)
    assert_user_error(result, "s.csv holds results of experiment(s) 1, 2, 3, 4", "record them")
    assert pd.read_csv(tmp_path / "s.csv", sep=";")["yield"].notna().all()  # still there
    pd.DataFrame({"temperature": [80.0], "yield": [75.0]}).to_csv(tmp_path / "data.csv")
    result = run_cli("suggest", "c.db", "-n", "2", "--out", "data.csv", cwd=tmp_path)
    assert_user_error(result, "data.csv exists and is not a sheet of this campaign")
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"pending": 4}  # nothing planned by the refused call
    assert run_cli("record", "c.db", "s.csv", cwd=tmp_path).returncode == 0
    assert run_cli("suggest", "c.db", "-n", "2", "--out", "s.csv", cwd=tmp_path).returncode == 0


def test_a_default_sheet_name_never_replaces_a_file(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "r.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    for kind in ("design", "suggest"):
        result = run_cli(kind, "r.db", "-n", "2", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        (first,) = {line.split(":")[0].split()[-1] for line in result.stdout.splitlines()
                    if line.startswith("Written to ")}  # fmt: skip
        sheet = pd.read_csv(tmp_path / first)
        sheet.loc[0, "yield"] = 77.7  # typed in by the lab; then the batch is cancelled
        sheet.to_csv(tmp_path / first, index=False)
        assert run_cli("cancel", "r.db", "--all", cwd=tmp_path).returncode == 0
        # the next batch has the same number: its default name is taken
        stem = first.removesuffix(".csv")
        for k in (2, 3):
            result = run_cli(kind, "r.db", "-n", "2", cwd=tmp_path)
            assert result.returncode == 0, result.stderr
            text = " ".join(result.stdout.split())
            assert f"Written to {stem}-{k}.csv: fill in" in text
            assert f"yieldlab record r.db {stem}-{k}.csv" in text
            new = pd.read_csv(tmp_path / f"{stem}-{k}.csv")
            assert not set(new["experiment"]) & set(sheet["experiment"])
            assert run_cli("cancel", "r.db", "--all", cwd=tmp_path).returncode == 0
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / first), sheet)  # the 77.7 kept


def test_an_out_keeps_results_of_cancelled_and_unknown_experiments(tmp_path):
    sheet = lab(planned(tmp_path, "c.db", 4, "s.csv"))
    sheet.to_csv(tmp_path / "s.csv", index=False)
    assert run_cli("cancel", "c.db", "1", "2", cwd=tmp_path).returncode == 0
    result = run_cli("suggest", "c.db", "-n", "2", "--out", "s.csv", cwd=tmp_path)
    assert_user_error(
        result,
        "s.csv holds results not recorded in c.db: experiment(s) 3, 4 (pending); experiment(s)"
        " 1, 2 (cancelled); write the new sheet under another name (-o), or move s.csv away "
        "first",
    )
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "s.csv"), sheet)
    # a result typed into a row without an id, the rest recorded: still refused
    assert run_cli("cancel", "c.db", "--all", cwd=tmp_path).returncode == 0
    extra = sheet.astype({"experiment": object})
    extra.loc[2, "experiment"] = None
    extra.loc[3, "experiment"] = 99  # not an experiment of c.db
    extra.to_excel(tmp_path / "s.xlsx", index=False)
    result = run_cli("design", "c.db", "-n", "2", "--out", "s.xlsx", cwd=tmp_path)
    assert_user_error(
        result,
        "s.xlsx holds results not recorded in c.db: experiment(s) 1, 2 (cancelled); "
        "experiment(s) 99 (not of this campaign); line(s) 4 (no experiment id);",
    )
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"cancelled": 4}  # nothing planned by the refused calls
    # a sheet with no result typed in is replaced
    planned_only = sheet.assign(**{"yield": None})
    planned_only.to_csv(tmp_path / "s.csv", index=False)
    result = run_cli("suggest", "c.db", "-n", "2", "--out", "s.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(tmp_path / "s.csv")["experiment"].tolist() == [5, 6]


def test_a_sheet_is_written_in_the_format_its_name_says(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    for command in ("design", "suggest"):
        for out in ("plan.txt", "plan.ods", "plan"):
            result = run_cli(command, "c.db", "-n", "2", "--out", out, cwd=tmp_path)
            assert_user_error(
                result,
                f"--out {out}: a sheet is written as .csv or .xlsx (Excel); give a name ending "
                "in one of them, such as plan.csv",
            )
            assert not (tmp_path / out).exists()
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {}  # refused before anything was planned
    result = run_cli("design", "c.db", "-n", "4", "--out", "plan.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sheet = pd.read_excel(tmp_path / "plan.xlsx")  # a real workbook
    assert sheet["experiment"].tolist() == [1, 2, 3, 4] and sheet["yield"].isna().all()
    lab(sheet).to_excel(tmp_path / "plan.xlsx", index=False)
    result = run_cli("suggest", "c.db", "--out", "plan.xlsx", cwd=tmp_path)
    assert_user_error(result, "plan.xlsx holds results of experiment(s) 1, 2, 3, 4 that are")
    result = run_cli("record", "c.db", "plan.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    status = json.loads(run_cli("status", "c.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"done": 4}
    assert status["best"][0]["yield"] == pytest.approx(lab(sheet)["yield"].max())
    result = run_cli("suggest", "c.db", "-n", "2", "--out", "next.CSV", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(tmp_path / "next.CSV")["experiment"].tolist() == [5, 6]


def test_init_names_the_candidates_file_and_line(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    plate = pd.DataFrame(
        {"temperature": [60.0, 200.0], "pressure": [1.0, 2.0], "catalyst": ["Pd", "Ni"]}
    )
    plate.to_csv(tmp_path / "plate.csv", index=False)
    result = run_cli("init", "c.db", "--space", "space.yaml", "--candidates", "plate.csv",
                     cwd=tmp_path)  # fmt: skip
    assert_user_error(result, "plate.csv, line 3, column 'temperature': 200")
    assert not (tmp_path / "c.db").exists()


def test_design_size_errors_speak_of_the_command_line(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    result = run_cli("design", "c.db", "--method", "ccd", "-n", "2", cwd=tmp_path)
    assert_user_error(result, "-n 2 is smaller", "Leave out -n", "--method d-optimal")


def test_d_optimal_plans_enough_runs_for_its_model_and_takes_the_model(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    result = run_cli("design", "c.db", "--method", "d-optimal", "--out", "q.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_cli("design", "c.db", "--method", "d-optimal", "--model", "linear",
                     "--out", "l.csv", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    space, _ = read_space_file(tmp_path / "space.yaml")
    for name, model in (("q.csv", "quadratic"), ("l.csv", "linear")):
        terms = model_matrix(space, space.sample(5, 0), model).shape[1]
        assert len(pd.read_csv(tmp_path / name)) == terms + 4
    result = run_cli("design", "c.db", "--method", "d-optimal", "-n", "2", cwd=tmp_path)
    assert_user_error(result, "needs n >= ", "got -n 2", "Use more runs or --model linear")
    result = run_cli("design", "c.db", "--method", "lhs", "--model", "linear", cwd=tmp_path)
    assert_user_error(result, "--model applies to --method d-optimal")


def test_option_messages_name_the_option_and_suggest_the_right_kind_of_file(tmp_path):
    planned(tmp_path, "c.db", 2, "s.csv")
    assert_user_error(
        run_cli("suggest", "c.db", "--fix", "temperature=abc", cwd=tmp_path),
        "--fix 'temperature=abc': 'abc' is not a number; give one such as 'temperature=60'",
    )
    assert_user_error(
        run_cli("report", "c.db", "--out", "c.db", cwd=tmp_path),
        "'c.db' is a campaign file",
        "such as 'c.html'",
    )


def test_a_sheet_recorded_twice_without_ids_says_how_to_undo(tmp_path):
    sheet = lab(planned(tmp_path, "c.db", 3, "s.csv")).drop(columns="experiment")
    sheet.to_csv(tmp_path / "s.csv", index=False)
    assert run_cli("record", "c.db", "s.csv", cwd=tmp_path).returncode == 0
    result = run_cli("record", "c.db", "s.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stderr.split())
    assert "s.csv, line 2 has no 'experiment' id and the same settings and results" in text
    assert "yieldlab exclude c.db 4 5 6 --reason 'recorded twice'" in text
    result = run_cli("exclude", "c.db", "4", "5", "6", "--reason", "recorded twice",
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_an_experiment_twice_in_a_sheet_names_both_lines(tmp_path):
    sheet = lab(planned(tmp_path, "c.db", 3, "s.csv"))
    pd.concat([sheet, sheet.iloc[[1]]]).to_csv(tmp_path / "s.csv", index=False)
    assert_user_error(
        run_cli("record", "c.db", "s.csv", cwd=tmp_path),
        "s.csv, line 5, column 'experiment': experiment 2 appears twice (also line 3)",
    )


def test_exclude_include_and_correct_recorded_results(tmp_path):
    done = lab(planned(tmp_path, "r.db", 6, "plan.csv"))
    done.loc[0, "yield"] *= 10  # a typing error
    done.to_csv(tmp_path / "plan.csv", index=False)
    assert run_cli("record", "r.db", "plan.csv", cwd=tmp_path).returncode == 0
    first, second = (int(i) for i in done["experiment"].iloc[:2])

    result = run_cli("exclude", "r.db", str(second), "--reason", "vial broke", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"1 experiment(s) excluded from the models of r.db: {second}" in result.stdout
    true = float(done.loc[0, "yield"]) / 10
    result = run_cli(
        "correct", "r.db", str(first), f"yield={true}", "--reason", "typed 10x", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    status = json.loads(run_cli("status", "r.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"done": 5, "excluded": 1}
    assert status["best"][0]["yield"] < 100  # the typo is no longer the best result
    assert [h["action"] for h in status["history"]] == ["exclude", "correct"]
    assert status["history"][1]["after"] == {"yield": true}
    text = run_cli("status", "r.db", cwd=tmp_path).stdout
    assert "Changes to recorded experiments" in text and "typed 10x" in text
    result = run_cli("report", "r.db", "--out", "r.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert ">Changes to recorded experiments</h2>" in html and "vial broke" in html

    assert run_cli("include", "r.db", str(second), cwd=tmp_path).returncode == 0
    status = json.loads(run_cli("status", "r.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {"done": 6}

    reason = ("--reason", "x")
    bad = [
        (
            ("correct", "r.db", str(first), "yield", *reason),
            "'yield': give each value as NAME=VALUE",
        ),
        (("correct", "r.db", str(first), "yeild=3", *reason), "did you mean 'yield'"),
        (("correct", "r.db", str(first), "temperature=hot", *reason), "'hot' is not a number"),
        (("correct", "r.db", str(first), "yield==3", *reason), "or 'yield=' for a failed run"),
        (("correct", "r.db", str(first), "yield=1_000", *reason), "'1_000' is not a number"),
        (("correct", "r.db", str(first), "temperature=200", *reason), "outside [60, 110]"),
        (("correct", "r.db", str(first), "catalyst=Pt", *reason), "not a level of 'catalyst'"),
        (("exclude", "r.db", "99", *reason), "no experiment 99"),
        (("include", "r.db", str(first)), "is not excluded"),
        (("exclude", "r.db", str(first), "--reason", " "), "give a reason"),
    ]
    for args, fragment in bad:
        assert_user_error(run_cli(*args, cwd=tmp_path), fragment)
    result = run_cli("exclude", "r.db", str(first), cwd=tmp_path)
    assert result.returncode == 2 and "--reason" in result.stderr  # a usage error
    status = json.loads(run_cli("status", "r.db", "--json", cwd=tmp_path).stdout)
    assert len(status["history"]) == 3  # the refused commands changed nothing


def test_suggest_with_parameters_held_at_one_value(tmp_path):
    lab(planned(tmp_path, "r.db", 6, "plan.csv")).to_csv(tmp_path / "plan.csv", index=False)
    assert run_cli("record", "r.db", "plan.csv", cwd=tmp_path).returncode == 0
    fix = ("--fix", "catalyst=Ni", "--fix", "temperature=70")
    result = run_cli("suggest", "r.db", "-n", "3", *fix, "-o", "next.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sheet = pd.read_csv(tmp_path / "next.csv")
    assert (sheet["catalyst"] == "Ni").all() and (sheet["temperature"] == 70).all()
    assert sheet["pressure"].nunique() == 3
    for args, fragment in [
        (("--fix", "temprature=70"), "did you mean 'temperature'"),
        (("--fix", "yield=3"), "'yield' is not a parameter"),
        (("--fix", "temperature=hot"), "'hot' is not a number"),
        (("--fix", "temperature=200"), "--fix: column 'temperature': 200.0 is outside [60"),
    ]:
        assert_user_error(run_cli("suggest", "r.db", *args, "-o", "x.csv", cwd=tmp_path), fragment)
    assert not (tmp_path / "x.csv").exists()


def test_suggest_a_batch_at_one_shared_temperature(tmp_path):
    lab(planned(tmp_path, "r.db", 6, "plan.csv")).to_csv(tmp_path / "plan.csv", index=False)
    assert run_cli("record", "r.db", "plan.csv", cwd=tmp_path).returncode == 0
    args = ("suggest", "r.db", "-n", "3", "--share", "temperature", "--fix", "catalyst=Ni")
    result = run_cli(*args, "-o", "next.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sheet = pd.read_csv(tmp_path / "next.csv")
    assert sheet["temperature"].nunique() == 1 and sheet["pressure"].nunique() == 3
    assert f"Experiment {sheet['experiment'].iloc[-1]} explores: " in result.stdout
    assert (sheet["catalyst"] == "Ni").all()
    for args, fragment in [
        (("--share", "temprature"), "--share: 'temprature' is not a parameter (did you mean"),
        (("--share", "catalyst", "--fix", "catalyst=Ni"), "'catalyst' is also given to --fix"),
    ]:
        assert_user_error(run_cli("suggest", "r.db", *args, "-o", "x.csv", cwd=tmp_path), fragment)
    assert not (tmp_path / "x.csv").exists()


def test_best_settings_by_the_model(tmp_path):
    lab(planned(tmp_path, "r.db", 8, "plan.csv")).to_csv(tmp_path / "plan.csv", index=False)
    assert run_cli("record", "r.db", "plan.csv", cwd=tmp_path).returncode == 0
    result = run_cli("best", "r.db", "-n", "3", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ranked = json.loads(result.stdout)["best"]
    assert len(ranked) == 3 and ranked[0]["runs"] == 1
    measured = [row["yield"] for row in ranked]
    assert measured == sorted(measured, reverse=True)  # noise-free: the model agrees
    assert ranked[0]["yield_mean"] == pytest.approx(measured[0], abs=0.5)
    result = run_cli("best", "r.db", "--anywhere", "--fix", "catalyst=Pd", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (optimum,) = json.loads(result.stdout)["best"]
    assert optimum["catalyst"] == "Pd" and optimum["run"] is False
    assert optimum["yield_mean"] > measured[0]  # between the runs, nearer to 84 at 85 C, 3.2
    # a held value no experiment has: the optimum is still predicted
    result = run_cli("best", "r.db", "--anywhere", "--fix", "temperature=61", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "With temperature=61, the model expects" in result.stdout
    assert "less than at the best settings run" in result.stdout
    text = run_cli("best", "r.db", "--anywhere", cwd=tmp_path).stdout
    assert "Predicted optimum" in text and "better than the best settings run" in text
    for args, *fragment in [
        (("-n", "2", "--anywhere"), "-n 2 --anywhere: without", "leave out -n, or leave out --"),
        (("--fix", "catalyst=Pt"), "--fix: column 'catalyst': 'Pt' is not a level"),
        (("--fix", "temperature=61"), "no experiment with temperature=61.0 has", "(--anywhere"),
    ]:
        assert_user_error(run_cli("best", "r.db", *args, cwd=tmp_path), *fragment)
    (tmp_path / "space.yaml").write_text(SPACE)
    assert run_cli("init", "new.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    result = run_cli("best", "new.db", cwd=tmp_path)
    assert_user_error(result, "record results first (yieldlab record new.db results.csv)")


def test_name_values_read_levels_as_the_space_has_them():
    from yieldlab import Campaign, Categorical, Maximize, Real, Space
    from yieldlab.cli.app import UserError
    from yieldlab.cli.campaign_commands import name_values

    space = Space(
        [Real("t", 60, 110), Categorical("dry", [True, False]), Categorical("n", [1, 2])]
    )
    campaign = Campaign(space, Maximize("yield"))
    parsed = name_values(campaign, ["dry=true", "n=2", "t=80.5", "yield="])
    assert parsed == {"dry": True, "n": 2, "t": 80.5, "yield": None}
    assert type(parsed["dry"]) is bool
    try:
        name_values(campaign, ["t=hot"])
    except UserError as exc:
        assert "give one such as 't=60'" in str(exc)
    else:
        raise AssertionError("t=hot was accepted")


def test_errors_about_held_values_speak_of_the_options():
    from yieldlab.cli.campaign_commands import _option_terms

    text = (
        "fixed={'ligand': 'L{2}', 't': 80}: no setting with these values that satisfies "
        "the space's constraints"
    )
    assert _option_terms(text) == (
        "no setting with the --fix values that satisfies the space's constraints"
    )
    assert _option_terms("fixed: 'tt' is not a parameter") == "--fix: 'tt' is not a parameter"
    assert _option_terms("shared: 't' is also held by fixed; give it once") == (
        "--share: 't' is also given to --fix; give it once"
    )


def test_a_campaign_report_reads_coded_levels_as_a_setting(tmp_path):
    # twelve catalysts C1..C12, each run once, look like sample codes (a different text in
    # every row); in a campaign they are a categorical parameter, and the report says so
    from yieldlab import Campaign, Categorical, Maximize, Real, Space

    levels = [f"C{i}" for i in range(1, 13)]
    space = Space([Real("T", 20, 80), Categorical("catalyst", levels)])
    campaign = Campaign(space, Maximize("yield"), path=tmp_path / "c.db", random_state=0)
    runs = pd.DataFrame({"T": [20 + 5 * i for i in range(12)], "catalyst": levels})
    campaign.add(runs.assign(**{"yield": [0.5 * t for t in runs["T"]]}))
    campaign.close()
    result = run_cli("report", "c.db", "--out", "c.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "catalyst" in text
    assert "Columns not used" not in text and "identifier" not in text  # a parameter is used
    # levels that read as numbers in mixed units are the campaign's declared levels too
    space = Space([Real("T", 20, 80), Categorical("time", ["30 min", "1 h", "2 h"])])
    campaign = Campaign(space, Maximize("yield"), path=tmp_path / "t.db", random_state=0)
    runs = pd.DataFrame({"T": [20.0, 40, 60, 80, 30, 70], "time": ["30 min", "1 h", "2 h"] * 2})
    campaign.add(runs.assign(**{"yield": [0.5 * t for t in runs["T"]]}))
    campaign.close()
    result = run_cli("report", "t.db", "--out", "t.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "mixes units" not in result.stderr


def test_record_warns_of_a_result_far_beyond_its_declared_range(tmp_path):
    # a yield of 950 typed for 95.0 went in without a word
    space = SPACE.replace("yield: maximize", "- {name: yield, goal: maximize, low: 0, high: 100}")
    (tmp_path / "space.yaml").write_text(space)
    assert run_cli("init", "c.db", "--space", "space.yaml", cwd=tmp_path).returncode == 0
    assert run_cli("design", "c.db", "-n", "3", "--out", "p.csv", cwd=tmp_path).returncode == 0
    sheet = pd.read_csv(tmp_path / "p.csv").assign(**{"yield": [50.0, 950.0, 60.0]})
    sheet.to_csv(tmp_path / "p.csv", index=False)
    result = run_cli("record", "c.db", "p.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "p.csv, line 3, column 'yield': 950 lies far beyond the range 0 to 100 declared for "
        "Maximize('yield', low=0.0, high=100.0); recorded as given (experiment 2). If it is a "
        "typo, replace it with: yieldlab correct c.db 2 yield=VALUE --reason REASON"
    ) in " ".join(result.stderr.split())
