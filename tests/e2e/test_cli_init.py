"""``yieldlab init`` with the wrong file, or a candidates table with more than settings."""

from __future__ import annotations

import json

import pandas as pd

from .conftest import assert_user_error, run_cli
from .test_cli_campaign import SPACE

SPACE_HINT = (
    "give the YAML file of the space, such as space.yaml, with 'parameters:' (one '- {name: "
    "temperature, type: real, low: 60, high: 160}' per parameter) and 'objectives:'"
)


def test_a_table_given_as_the_space_file_is_named_in_one_short_line(tmp_path):
    table = pd.DataFrame({"temperature": [60.0, 80.0], "yield": [50.0, 60.0]})
    table.to_csv(tmp_path / "plan.csv", index=False)
    table.to_csv(tmp_path / "plan.txt", index=False)
    result = run_cli("init", "x.db", "--space", "plan.csv", cwd=tmp_path)
    assert_user_error(result, f"plan.csv is a table (CSV), not a space file; {SPACE_HINT}")
    result = run_cli("init", "x.db", "--space", "plan.txt", cwd=tmp_path)
    assert_user_error(result, f"plan.txt is not a space file (no 'parameters' section); "
                      f"{SPACE_HINT}")  # fmt: skip
    assert "60.0" not in result.stderr and len(result.stderr) < 300
    assert not (tmp_path / "x.db").exists()


def test_init_warns_about_the_columns_of_the_candidates_it_leaves_out(tmp_path):
    (tmp_path / "space.yaml").write_text(SPACE)
    screen = pd.DataFrame(
        {
            "well": ["A1", "A2", "A3"],
            "temperature": [60.0, 80.0, 100.0],
            "pressure": [1.0, 2.0, 3.0],
            "catalyst": ["Pd", "Ni", "Pd"],
            "yield": [50.0, 60.0, 55.0],  # published results
            "cost": [1.0, 2.0, 3.0],
        }
    )
    screen.to_csv(tmp_path / "screen.csv", index=False)
    init = ("init", "s.db", "--space", "space.yaml", "--candidates", "screen.csv")
    result = run_cli(*init, "--labels", "well", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "warning: screen.csv: the column(s) ['cost'] are not parameters and are left out; the "
        "column(s) ['yield'] hold results of the objective(s), which are not recorded by init; "
        "to record them, run yieldlab record s.db screen.csv (each row with a result is "
        "recorded as an experiment of its candidate row)"
    ) in " ".join(result.stderr.split())
    status = json.loads(run_cli("status", "s.db", "--json", cwd=tmp_path).stdout)
    assert status["counts"] == {}
    # without --labels, the note on naming the rows is part of the warning
    result = run_cli("init", "t.db", *init[2:], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "--labels well would name each row by it in the sheets" in result.stderr
    result = run_cli("record", "s.db", "screen.csv", cwd=tmp_path)  # as the warning says
    assert result.returncode == 0, result.stderr
    assert "3 results recorded in s.db" in result.stdout
