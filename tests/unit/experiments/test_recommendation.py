"""best_predicted(): the best settings according to the models, noise averaged out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab import Campaign, Categorical, Integer, Maximize, Minimize, Real, Space
from yieldlab.exceptions import CampaignError


def hill(x: np.ndarray) -> np.ndarray:
    """Largest (10) at x = 0.6."""
    return 10 - 20 * (np.asarray(x, float) - 0.6) ** 2


def noisy_campaign() -> Campaign:
    """Eleven settings, three results each with noise sd 0.5; one lucky 11.5 at x = 0.2,
    where the process gives 6.8."""
    rng = np.random.default_rng(1)
    x = np.repeat(np.linspace(0, 1, 11), 3)
    y = hill(x) + 0.5 * rng.standard_normal(len(x))
    y[np.flatnonzero(np.isclose(x, 0.2))[0]] = 11.5
    campaign = Campaign(Space([Real("x", 0, 1)]), Maximize("y"), random_state=0)
    campaign.add(pd.DataFrame({"x": x, "y": y}))
    return campaign


def test_the_ranking_of_the_settings_run_averages_the_noise_out():
    campaign = noisy_campaign()
    assert campaign.best()["x"].iloc[0] == pytest.approx(0.2)  # the lucky measurement
    top = campaign.best_predicted(3)
    assert top["x"].iloc[0] == pytest.approx(0.6)
    assert sorted(top["x"].iloc[1:]) == pytest.approx([0.5, 0.7])  # 9.8 either side
    assert top["runs"].tolist() == [3, 3, 3]
    assert top["experiments"].iloc[0] == "19, 20, 21"
    data = campaign.data
    assert top["y"].iloc[0] == pytest.approx(data.loc[np.isclose(data["x"], 0.6), "y"].mean())
    assert top["y_mean"].iloc[0] == pytest.approx(10.0, abs=0.4)
    assert (np.diff(top["y_mean"]) <= 0).all()
    assert 0.05 < top["y_std"].iloc[0] < 0.5  # the mean of 33 results, not one measurement
    spread = campaign.predict({"x": 0.6})["y_std"].iloc[0]
    assert top["y_std"].iloc[0] < spread  # predict() adds the measurement noise


def test_the_optimum_between_the_settings_run_is_found():
    campaign = Campaign(Space([Real("x", 0, 1), Real("z", -1, 1)]), Minimize("cost"))
    grid = pd.DataFrame([(x, z) for x in np.linspace(0, 1, 5) for z in (-1, 0, 1)])
    grid.columns = ["x", "z"]
    cost = 5 + 20 * (grid["x"] - 0.37) ** 2 + 3 * (grid["z"] - 0.2) ** 2
    campaign.add(grid.assign(cost=cost))
    best = campaign.best_predicted(among="space")
    assert len(best) == 1 and not best["run"].iloc[0]
    assert best["x"].iloc[0] == pytest.approx(0.37, abs=0.03)
    assert best["z"].iloc[0] == pytest.approx(0.2, abs=0.1)
    assert best["cost_mean"].iloc[0] == pytest.approx(5.0, abs=0.1)
    again = campaign.best_predicted(among="space")  # the same seed, the same answer
    pd.testing.assert_frame_equal(best, again)
    held = campaign.best_predicted(among="space", fixed={"z": 0.9})
    assert held["z"].iloc[0] == 0.9
    assert held["x"].iloc[0] == pytest.approx(0.37, abs=0.05)
    assert held["cost_mean"].iloc[0] > best["cost_mean"].iloc[0]


def test_in_a_screen_every_row_is_ranked_and_labelled():
    grid = pd.DataFrame(
        [(x, c) for x in np.linspace(0, 1, 11) for c in "ab"], columns=["x", "c"]
    ).set_axis([f"well{i}" for i in range(22)])
    space = Space([Real("x", 0, 1), Categorical("c", ["a", "b"])])
    campaign = Campaign(space, Maximize("y"), candidates=grid, random_state=0)
    run = grid[grid["x"].round(1).isin([0.0, 0.2, 0.4, 0.8, 1.0])]
    campaign.add(run.assign(y=hill(run["x"]) + 2 * (run["c"] == "b")))
    best = campaign.best_predicted(3, among="space")
    assert best.index[0] == "well13"  # x = 0.6, c = 'b': never run
    assert best[["x", "c"]].iloc[0].tolist() == [pytest.approx(0.6), "b"]
    assert best["run"].tolist()[0] is False and (np.diff(best["y_mean"]) <= 0).all()
    assert best["y_mean"].iloc[0] == pytest.approx(12.0, abs=0.5)
    only_a = campaign.best_predicted(among="space", fixed={"c": "a"})
    assert only_a.index.tolist() == ["well12"]
    ranked = campaign.best_predicted(2, fixed={"c": "b"})
    assert ranked["c"].eq("b").all() and ranked["x"].tolist() == pytest.approx([0.4, 0.8])


def test_several_objectives_are_ranked_by_the_desirability_of_the_means():
    space = Space([Real("x", 0, 1)])
    campaign = Campaign(space, [Maximize("y"), Minimize("cost")], random_state=0)
    x = np.linspace(0, 1, 9)
    campaign.add(pd.DataFrame({"x": x, "y": hill(x), "cost": 4 * x}))
    top = campaign.best_predicted(3)
    assert list(top.columns[-1:]) == ["desirability"]
    assert (np.diff(top["desirability"]) <= 0).all()
    # desirability: y rises to x = 0.6 while cost rises all the way; the best lies below 0.6
    assert 0.2 <= top["x"].iloc[0] < 0.6
    best = campaign.best()
    assert top["x"].iloc[0] == pytest.approx(best["x"].iloc[0])  # noise-free: they agree


def test_excluded_and_failed_runs_are_not_ranked():
    campaign = noisy_campaign()
    lucky = int(campaign.best()["experiment"].iloc[0])
    campaign.exclude(lucky, reason="balance not tared")
    assert campaign.best()["x"].iloc[0] != pytest.approx(0.2)
    campaign.add(pd.DataFrame({"x": [0.65], "y": [np.nan]}))
    ranked = campaign.best_predicted(20)
    assert len(ranked) == 11 and 0.65 not in ranked["x"].round(2).tolist()
    assert ranked.loc[np.isclose(ranked["x"], 0.2), "runs"].item() == 2
    ids = {int(i) for text in ranked["experiments"] for i in text.split(", ")}
    assert len(ids) == 32 and lucky not in ids


def test_bad_requests_are_clear_errors():
    campaign = Campaign(Space([Real("x", 0, 1)]), Maximize("y"))
    with pytest.raises(CampaignError, match="no experiment has a result yet"):
        campaign.best_predicted()
    campaign = noisy_campaign()
    with pytest.raises(ValueError, match="among='spaces'.*'run', 'space'"):
        campaign.best_predicted(among="spaces")
    with pytest.raises(ValueError, match=r"n=2, among='space'.*use n=1, or among='run'"):
        campaign.best_predicted(2, among="space")
    with pytest.raises(ValueError, match="n"):
        campaign.best_predicted(0)
    with pytest.raises(CampaignError, match=r"no experiment with x=0.55 has a result"):
        campaign.best_predicted(fixed={"x": 0.55})
    with pytest.raises(ValueError, match=r"fixed: 'X' is not a parameter \(did you mean 'x'\?\)"):
        campaign.best_predicted(fixed={"X": 0.5})


def test_held_values_select_settings_without_changing_how_they_are_rated():
    space = Space([Real("x", 0, 1), Categorical("c", ["a", "b"])])
    campaign = Campaign(space, [Maximize("y"), Minimize("cost")], random_state=0)
    runs = pd.DataFrame({"x": [0.1, 0.4, 0.7, 1.0, 0.2, 0.8], "c": list("aaaabb")})
    campaign.add(runs.assign(y=[0.0, 8, 2, 3, 7, 14], cost=[3.0, 5, 3, 5, 9, 1]))
    every = campaign.best_predicted(10)
    held = campaign.best_predicted(10, fixed={"c": "a"})
    in_a = every[every["c"] == "a"].reset_index(drop=True)
    pd.testing.assert_frame_equal(held, in_a)  # the same desirability, the same order


def test_several_objectives_beyond_every_result_rank_by_how_far_beyond():
    space = Space([Real("x", 0, 1), Real("z", 0, 1)])
    campaign = Campaign(space, [Maximize("y1"), Maximize("y2")], random_state=0)
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({"x": rng.uniform(0, 0.5, 8), "z": rng.uniform(0, 1, 8)})
    campaign.add(runs.assign(y1=10 * runs["x"], y2=10 * runs["x"] + 0.1 * runs["z"]))
    optimum = campaign.best_predicted(among="space")
    # both objectives grow with x (results up to 5): every mean beyond the best result rates
    # 1, and the farthest beyond wins, where the model's means peak (x near 0.9, past the
    # results they revert to the mean)
    assert optimum["desirability"].iloc[0] == 1.0 and optimum["x"].iloc[0] > 0.8
    grid = pd.DataFrame([(x, z) for x in np.linspace(0, 1, 21) for z in (0, 0.5, 1)])
    means = campaign.predict(grid.set_axis(["x", "z"], axis=1))[["y1_mean", "y2_mean"]]
    assert optimum[["y1_mean", "y2_mean"]].sum(axis=1).iloc[0] >= means.sum(axis=1).max() - 0.01


def test_the_added_columns_are_reserved_names():
    for name in ("runs", "run", "experiments"):
        space = Space([Real("x", 0, 1), Integer(name, 1, 5)])
        with pytest.raises(
            ValueError,
            match=f"parameter '{name}' has the name of a column "
            r"best_predicted\(\) adds",
        ):
            Campaign(space, Maximize("y"))


def test_a_file_from_before_the_reserved_names_is_reported_without_the_ranking(monkeypatch):
    from yieldlab.experiments import campaign as module
    from yieldlab.report.campaign_report import campaign_report

    monkeypatch.setattr(module, "check_names", lambda space, objectives: None)
    space = Space([Real("x", 0, 1), Integer("runs", 1, 5)])
    old = Campaign(space, Maximize("y"), random_state=0)
    planned = old.design(8)
    old.add(planned.assign(y=hill(planned["x"]) + planned["runs"]))
    with pytest.raises(ValueError, match="named 'runs', a column the ranking adds"):
        old.best_predicted()
    html = campaign_report(old).render()
    assert ">Overview</h2>" in html and "Best settings according to the model" not in html


def test_asking_changes_neither_the_file_nor_what_is_suggested_later(tmp_path):
    space = Space([Real("x", 0, 1), Real("z", 0, 1)])

    def campaign(name: str) -> Campaign:
        lab = Campaign(space, Maximize("y"), path=tmp_path / name, random_state=3)
        planned = lab.design(7)
        lab.add(planned.assign(y=hill(planned["x"]) - (planned["z"] - 0.3) ** 2))
        lab.close()
        return Campaign.open(tmp_path / name)

    asked, quiet = campaign("asked.db"), campaign("quiet.db")
    before = (tmp_path / "asked.db").read_bytes()
    optimum = asked.best_predicted(among="space")
    asked.best_predicted(3)
    asked.predict({"x": 0.5, "z": 0.5})
    asked.close()
    assert (tmp_path / "asked.db").read_bytes() == before  # nothing written
    asked = Campaign.open(tmp_path / "asked.db")
    pd.testing.assert_frame_equal(asked.suggest(2), quiet.suggest(2))
    # pending and cancelled experiments do not move the optimum, to the digit: only results
    # do (the refit after suggest() starts where the first fit on these results started)
    exact = {"check_exact": True}
    pd.testing.assert_frame_equal(asked.best_predicted(among="space"), optimum, **exact)
    reopened = Campaign.open(tmp_path / "asked.db")  # another process, as the CLI
    pd.testing.assert_frame_equal(reopened.best_predicted(among="space"), optimum, **exact)
    asked.cancel()
    pd.testing.assert_frame_equal(asked.best_predicted(among="space"), optimum, **exact)


def test_a_failed_well_counts_as_run_and_the_ranking_names_its_wells():
    wells = pd.DataFrame({"x": np.linspace(0, 1, 6)}, index=[f"B{i}" for i in range(6)])
    campaign = Campaign(Space([Real("x", 0, 1)]), Maximize("y"), candidates=wells)
    campaign.add(pd.DataFrame({"x": [0.0, 0.2, 0.6, 1.0], "y": [1.0, 5.0, np.nan, 2.0]}))
    ranked = campaign.best_predicted(3)
    assert ranked["candidate"].tolist() == ["B1", "B5", "B0"]
    with pytest.raises(CampaignError, match=r"no candidate row has x=0.5 \(the rows have 0.0, "):
        campaign.best_predicted(among="space", fixed={"x": 0.5})
    space = campaign.best_predicted(6, among="space")
    assert space.loc["B3", "run"] and not space.loc["B2", "run"]  # failed, and never run
