"""Changes to a campaign's record on the command line (correct, exclude, include) refused
for experiments that have no result: what became of them and what to do instead."""

from __future__ import annotations

from .conftest import assert_user_error, run_cli
from .test_cli_campaign import planned


def test_cancelled_pending_and_unknown_experiments_are_named_with_the_fix(tmp_path):
    planned(tmp_path, "c.db", 3, "s.csv")
    assert run_cli("cancel", "c.db", "3", cwd=tmp_path).returncode == 0
    for command in (("correct", "c.db", "3", "yield=80"), ("exclude", "c.db", "3")):
        result = run_cli(*command, "--reason", "ran it after all", cwd=tmp_path)
        assert_user_error(
            result,
            f"experiment 3 was cancelled, so it has no result to {command[0]}; to record a "
            "result for it all the same, record a row with its settings and result and an "
            "empty 'experiment' cell (yieldlab record c.db SHEET): it becomes a new "
            "experiment. Nothing was changed",
        )
    result = run_cli("correct", "c.db", "2", "yield=80", "--reason", "came in", cwd=tmp_path)
    assert_user_error(
        result,
        "experiment 2 is pending: it has no result to correct yet; record its result with "
        "yieldlab record c.db SHEET (the sheet design or suggest wrote), or, if it will not be "
        "run, cancel it (yieldlab cancel c.db 2). Nothing was changed",
    )
    result = run_cli("exclude", "c.db", "7", "--reason", "x", cwd=tmp_path)
    assert_user_error(
        result,
        "there is no experiment 7 in c.db (its experiments are 1-2; yieldlab status c.db lists "
        "them). Nothing was changed",
    )
    assert "data" not in result.stderr
