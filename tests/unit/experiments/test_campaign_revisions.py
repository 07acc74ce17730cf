"""Changing the record after results are in: exclude, include, correct, and the audit trail."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from yieldlab import Campaign, Categorical, Maximize, Minimize, Real, Space
from yieldlab.exceptions import CampaignError, DataError, SpaceError
from yieldlab.experiments.store import FORMAT_VERSION, CampaignStore


def space() -> Space:
    return Space([Real("x", 0, 1), Categorical("c", ["a", "b"])])


def bowl(frame: pd.DataFrame) -> np.ndarray:
    """Largest (10) at x = 0.3 with c = 'b'."""
    return 10 - 40 * (frame["x"].to_numpy(float) - 0.3) ** 2 - 2 * (frame["c"] == "a")


def filled(path=None, n=8, typo=None) -> Campaign:
    """A campaign with ``n`` results; ``typo`` (an index) recorded ten times too large."""
    campaign = Campaign(space(), Maximize("y"), path=path, random_state=0)
    planned = campaign.design(n)
    y = bowl(planned)
    if typo is not None:
        y[typo] *= 10
    campaign.add(planned.assign(y=y))
    return campaign


def test_an_excluded_result_leaves_best_and_the_model_and_comes_back_on_include():
    campaign = filled(typo=2)
    wrong = campaign.data.iloc[2]
    assert int(campaign.best()["experiment"].iloc[0]) == wrong["experiment"]
    at = pd.DataFrame({"x": [wrong["x"]], "c": [wrong["c"]]})
    before = campaign.predict(at)["y_mean"].iloc[0]
    assert before > 30  # the model follows the typo (about 10 times the true value)

    out = campaign.exclude(int(wrong["experiment"]), "typed ten times too large")
    assert out["status"].tolist() == ["excluded"]
    data = campaign.data
    assert (data["status"] == "excluded").sum() == 1 and len(data) == 8  # kept in the table
    best = campaign.best()
    assert best["y"].iloc[0] == pytest.approx(bowl(data.query("status == 'done'")).max())
    after = campaign.predict(at)["y_mean"].iloc[0]
    assert after < 15  # refitted without it
    # the pareto front and suggestions ignore it too
    assert wrong["experiment"] not in campaign.pareto()["experiment"].tolist()

    back = campaign.include(int(wrong["experiment"]))
    assert back["status"].tolist() == ["done"]
    assert campaign.predict(at)["y_mean"].iloc[0] == pytest.approx(before, rel=1e-6)
    history = campaign.history()
    assert history["action"].tolist() == ["exclude", "include"]
    assert history["reason"].tolist() == ["typed ten times too large", "included again"]
    assert history["before"].tolist() == [
        {"excluded": None},
        {"excluded": "typed ten times too large"},
    ]


def test_a_correction_replaces_the_value_keeps_the_old_one_and_refits():
    campaign = filled(typo=2)
    wrong = campaign.data.iloc[2]
    experiment, true = int(wrong["experiment"]), float(wrong["y"]) / 10
    at = pd.DataFrame({"x": [wrong["x"]], "c": [wrong["c"]]})
    assert campaign.predict(at)["y_mean"].iloc[0] > 30
    row = campaign.correct(experiment, {"y": true}, "typed 10x")
    assert row["y"].iloc[0] == pytest.approx(true) and row["status"].iloc[0] == "done"
    assert campaign.data.set_index("experiment").loc[experiment, "y"] == pytest.approx(true)
    assert campaign.predict(at)["y_mean"].iloc[0] == pytest.approx(true, abs=1.0)
    (entry,) = campaign.history().to_dict("records")
    assert entry["action"] == "correct" and entry["experiment"] == experiment
    assert entry["before"] == {"y": pytest.approx(true * 10)}
    assert entry["after"] == {"y": pytest.approx(true)}


def test_corrections_of_settings_and_of_failed_runs():
    campaign = filled()
    first = int(campaign.data["experiment"].iloc[0])
    # an empty result makes the run failed; a value makes it done again
    assert campaign.correct(first, {"y": None}, "sample lost")["status"].iloc[0] == "failed"
    assert campaign.correct(first, {"y": 5.0}, "found it")["status"].iloc[0] == "done"
    # the setting actually run, and its result, in one correction
    other = "a" if campaign.data["c"].iloc[0] == "b" else "b"
    row = campaign.correct(first, {"x": 0.5, "c": other, "y": 4.5}, "ran at 0.5")
    assert row[["x", "c", "y"]].iloc[0].tolist() == [0.5, other, 4.5]
    last = campaign.history().iloc[-1]
    assert set(last["after"]) == {"x", "c", "y"} and last["after"]["x"] == 0.5


def test_bad_revisions_change_nothing():
    campaign = filled()
    ids = campaign.data["experiment"].tolist()
    pending = campaign.suggest(1)
    before = campaign.data.copy()
    cases = [
        (lambda: campaign.exclude(999, "x"), CampaignError, "no experiment 999"),
        (lambda: campaign.exclude([ids[0], 999], "x"), CampaignError, "no experiment 999"),
        (lambda: campaign.exclude(pending, "x"), CampaignError, "pending .* cancel it"),
        (lambda: campaign.exclude(ids[0], ""), ValueError, "give a reason"),
        (lambda: campaign.exclude(ids[0], None), ValueError, "give a reason"),
        (lambda: campaign.exclude([], "x"), ValueError, "no experiment given"),
        (lambda: campaign.include(ids[0]), CampaignError, "is not excluded"),
        (
            lambda: campaign.correct(ids[0], {"yeild": 1}, "x"),
            ValueError,
            r"'yeild' is neither a parameter nor an objective .* names are \['x', 'c', 'y'\]",
        ),
        (lambda: campaign.correct(ids[0], {"x": 2.0}, "x"), SpaceError, r"outside \[0, 1\]"),
        (lambda: campaign.correct(ids[0], {"c": "z"}, "x"), SpaceError, "not a level"),
        (lambda: campaign.correct(ids[0], {"y": "abc"}, "x"), DataError, "'abc' is not"),
        (lambda: campaign.correct(ids[0], {"y": np.inf}, "x"), DataError, "not a measurement"),
        (lambda: campaign.correct(ids[:2], {"y": 1}, "x"), TypeError, "one experiment"),
        (lambda: campaign.correct(ids[0], {}, "x"), ValueError, "values is empty"),
        (lambda: campaign.correct(ids[0], [("y", 1)], "x"), TypeError, "mapping"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()
    same = float(before["y"].iloc[0])
    with pytest.raises(ValueError, match="already recorded .* nothing was corrected"):
        campaign.correct(ids[0], {"y": same}, "x")
    campaign.exclude(ids[0], "dirty flask")
    with pytest.raises(CampaignError, match="already excluded \\('dirty flask'\\)"):
        campaign.exclude(ids[0], "again")
    assert campaign.history()["action"].tolist() == ["exclude"]
    pd.testing.assert_frame_equal(campaign.data.drop(0), before.drop(0))


def test_review_findings_on_ids_messages_and_replicates():
    campaign = filled(n=20)
    ids = campaign.data["experiment"].tolist()
    run, Z, _ = campaign._split()
    campaign._posterior(run, Z)  # the surrogate's model is chosen, as suggest() does
    assert campaign._state["y"]["selected_at"] == 20
    with pytest.raises(CampaignError, match=f"no experiment {2**70}"):
        campaign.include([2**70])
    assert campaign.exclude([ids[0], ids[0]], "twice")["experiment"].tolist() == [ids[0]]
    assert campaign._state["y"]["selected_at"] == 0  # the surrogate is chosen again
    # the same row recorded again: a replicate, and the warning says the first is excluded
    again = campaign.data.iloc[[0]][["x", "c", "y"]]
    with pytest.warns(UserWarning, match=r"experiment\(s\) \[1\] had been excluded"):
        campaign.add(again)
    # every result excluded: best() says so
    campaign.exclude(campaign.data.query("status == 'done'")["experiment"], "all bad")
    with pytest.raises(CampaignError, match=r"excluded \(include\(\) takes them back\)"):
        campaign.best()


def test_messages_about_one_corrected_setting_name_no_rows():
    space = Space([Real("t", 0, 100), Real("n", 0, 100)], constraints=["t + n <= 150"])
    campaign = Campaign(space, Maximize("y"), random_state=0)
    campaign.add(pd.DataFrame({"t": [50.0, 60.0], "n": [50.0, 60.0], "y": [1.0, 2.0]}))
    with pytest.raises(SpaceError) as info:
        campaign.correct(2, {"t": 95}, "x")
    text = str(info.value)
    assert text.startswith("correct(experiment 2): ") and "t + n <= 150" in text
    assert "row" not in text and "in all" not in text
    with pytest.raises(SpaceError, match=r"^correct\(experiment 1\): column 't'"):
        campaign.correct(1, {"t": None}, "x")


def test_an_excluded_candidate_can_be_suggested_again():
    grid = pd.DataFrame({"x": np.linspace(0, 1, 6).round(2).repeat(2), "c": ["a", "b"] * 6})
    campaign = Campaign(
        Space.from_candidates(grid), Maximize("y"), candidates=grid, random_state=0
    )
    run = campaign.design(12)
    campaign.add(run.assign(y=bowl(run)))
    with pytest.raises(CampaignError, match="no candidate is left"):
        campaign.suggest(1)
    campaign.exclude(run["experiment"].iloc[[3]], "contaminated")
    again = campaign.suggest(1)
    assert again.index.tolist() == run.index[[3]].tolist()
    with pytest.warns(UserWarning, match="was run or planned again while it was excluded"):
        campaign.include(run["experiment"].iloc[3])


def test_a_correction_moves_the_candidate_row_and_must_stay_on_a_candidate():
    grid = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4], "c": ["a", "b", "a", "b"]})
    grid.index = ["A1", "A2", "A3", "A4"]
    campaign = Campaign(
        Space.from_candidates(grid), Maximize("y"), candidates=grid, random_state=0
    )
    planned = campaign.design(2)
    campaign.add(planned.assign(y=[1.0, 2.0]))
    first = int(planned["experiment"].iloc[0])
    free = [label for label in grid.index if label not in planned.index]
    target = grid.loc[free[0]]
    row = campaign.correct(first, {"x": target["x"], "c": target["c"]}, "ran the next well")
    assert row["candidate"].iloc[0] == free[0]
    with pytest.raises(
        CampaignError, match=r"^correct\(experiment 1\): the settings .* not a row"
    ):
        campaign.correct(first, {"x": 0.1, "c": "b"}, "x")
    left = campaign.suggest(2)
    assert sorted(left.index) == sorted([planned.index[0], free[1]])


def test_revisions_persist_and_another_process_sees_them(tmp_path):
    path = tmp_path / "c.db"
    campaign = filled(path=path, typo=1)
    other = Campaign.open(path)
    wrong = campaign.data.iloc[1]
    at = pd.DataFrame({"x": [wrong["x"]], "c": [wrong["c"]]})
    assert other.predict(at)["y_mean"].iloc[0] > 30  # the other's model is cached now
    campaign.correct(int(wrong["experiment"]), {"y": wrong["y"] / 10}, "typo")
    assert other.predict(at)["y_mean"].iloc[0] < 15  # and is refitted after the correction
    campaign.exclude(int(campaign.data["experiment"].iloc[0]), "bad vial")
    campaign.close()
    other.close()
    reopened = Campaign.open(path)
    assert reopened.data["status"].value_counts().to_dict() == {"done": 7, "excluded": 1}
    assert reopened.history()["action"].tolist() == ["correct", "exclude"]
    reopened.export(tmp_path / "all.csv")
    assert pd.read_csv(tmp_path / "all.csv")["status"].tolist().count("excluded") == 1
    reopened.close()


def downgrade(path) -> None:
    """Turn a campaign file into the format 1 of earlier yieldlab versions."""
    connection = sqlite3.connect(path)
    connection.executescript(
        "DROP TABLE revisions; ALTER TABLE experiments DROP COLUMN excluded; "
        "PRAGMA user_version = 1;"
    )
    connection.close()


def test_a_file_of_format_1_is_read_and_upgraded_by_the_first_revision(tmp_path):
    path = tmp_path / "old.db"
    filled(path=path).close()
    downgrade(path)
    campaign = Campaign.open(path)
    assert campaign._store.format() == 1
    assert campaign.data["status"].eq("done").all() and len(campaign.history()) == 0
    campaign.suggest(2)  # an old file works as it is
    first = int(campaign.data["experiment"].iloc[0])
    same = float(campaign.data["y"].iloc[0])
    with pytest.raises(ValueError, match="already recorded for experiment"):
        campaign.correct(first, {"y": same}, "no change")
    assert campaign._store.format() == 1  # a correction that changes nothing writes nothing
    campaign.exclude(first, "bad vial")
    assert campaign._store.format() == FORMAT_VERSION == 2
    assert campaign.data.set_index("experiment").loc[first, "status"] == "excluded"
    campaign.close()
    store = CampaignStore.open(path)
    assert store.revisions()["experiment"].tolist() == [first]
    store.close()


def test_several_objectives_and_a_minimized_one():
    campaign = Campaign(space(), [Maximize("y"), Minimize("cost")], random_state=0)
    planned = campaign.design(6)
    campaign.add(planned.assign(y=bowl(planned), cost=planned["x"] * 3))
    best = int(campaign.best()["experiment"].iloc[0])
    campaign.exclude(best, "x")
    assert int(campaign.best()["experiment"].iloc[0]) != best
    row = campaign.correct(best, {"cost": None}, "cost not measured")
    assert row["status"].iloc[0] == "excluded"  # corrected, still left out
    assert campaign.include(best)["status"].iloc[0] == "failed"
