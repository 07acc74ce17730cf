"""``yieldlab export``: the whole campaign to a table, or the sheet of the pending
experiments again; the examples of docs/campaigns.md run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd

from .conftest import assert_user_error, run_cli
from .test_cli_campaign import lab, planned

DOCS = Path(__file__).resolve().parents[2] / "docs" / "campaigns.md"


def test_export_writes_every_experiment_or_the_pending_sheet(tmp_path):
    sheet = lab(planned(tmp_path, "c.db", 4, "s.csv"))
    sheet.iloc[:2].to_csv(tmp_path / "half.csv", index=False)  # two results came in
    assert run_cli("record", "c.db", "half.csv", cwd=tmp_path).returncode == 0
    result = run_cli("export", "c.db", "--out", "all.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "4 experiment(s) written to all.xlsx (2 done, 2 pending)" in result.stdout
    table = pd.read_excel(tmp_path / "all.xlsx")
    assert table["status"].tolist() == ["done", "done", "pending", "pending"]
    assert {"experiment", "temperature", "yield", "batch", "source"} <= set(table.columns)
    # the sheet of the pending experiments, lost: written again, filled in, recorded
    (tmp_path / "s.csv").unlink()
    result = run_cli("export", "c.db", "--pending", "--out", "again.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 pending experiment(s) written to again.csv: fill in the results, then " \
        "yieldlab record c.db again.csv" in " ".join(result.stdout.split())  # fmt: skip
    again = pd.read_csv(tmp_path / "again.csv")
    assert again.columns.tolist() == ["experiment", "temperature", "pressure", "catalyst",
                                      "yield"]  # fmt: skip
    assert again["experiment"].tolist() == [3, 4] and again["yield"].isna().all()
    lab(again).to_csv(tmp_path / "again.csv", index=False)
    # results typed in, not recorded: never written over
    for extra in ((), ("--pending",)):
        result = run_cli("export", "c.db", *extra, "--out", "again.csv", cwd=tmp_path)
        assert_user_error(result, "again.csv holds results of experiment(s) 3, 4 that are not "
                          "recorded yet; record them first")  # fmt: skip
    assert run_cli("record", "c.db", "again.csv", cwd=tmp_path).returncode == 0
    result = run_cli("export", "c.db", "--pending", "--out", "none.csv", cwd=tmp_path)
    assert_user_error(result, "no experiment is pending in c.db; plan some with yieldlab suggest")
    assert_user_error(run_cli("export", "c.db", "--out", "c.db", cwd=tmp_path), "c.db")
    assert_user_error(
        run_cli("export", "c.db", "--out", "all.txt", cwd=tmp_path), "--out all.txt: a sheet"
    )


def test_the_export_examples_of_the_docs_run(tmp_path):
    planned(tmp_path, "reactor.db", 3, "s.csv")
    commands = re.findall(r"^(yieldlab export [^#\n]*)", DOCS.read_text(), flags=re.M)
    assert len(commands) == 2
    for command in commands:
        result = run_cli(*shlex.split(command)[1:], cwd=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
    assert len(pd.read_excel(tmp_path / "runs.xlsx")) == 3
    assert len(pd.read_csv(tmp_path / "plan.csv")) == 3
