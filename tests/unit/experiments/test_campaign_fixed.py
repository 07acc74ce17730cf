"""suggest(fixed=...): a batch with some parameters held at one value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab import Campaign, Categorical, Maximize, Real, Space
from yieldlab.exceptions import CampaignError, SpaceError


def bowl(frame: pd.DataFrame) -> np.ndarray:
    """Largest at x = 0.3, y = 0.7, catalyst 'b'; the best y does not depend on x."""
    x, y = frame["x"].to_numpy(float), frame["y"].to_numpy(float)
    return 10 - 20 * (x - 0.3) ** 2 - 30 * (y - 0.7) ** 2 - 3 * (frame["c"] == "a").to_numpy()


def space(**options) -> Space:
    return Space([Real("x", 0, 1), Real("y", 0, 1), Categorical("c", ["a", "b"])], **options)


def measure(planned: pd.DataFrame) -> pd.DataFrame:
    return planned[["experiment", "x", "y", "c"]].assign(f=bowl(planned))


def test_fixed_values_hold_in_both_phases_and_the_rest_is_optimized():
    campaign = Campaign(space(), Maximize("f"), random_state=0)
    first = campaign.suggest(4, fixed={"x": 0.9})  # space-filling phase
    assert (first["x"] == 0.9).all() and first["y"].nunique() == 4
    campaign.add(measure(first))
    campaign.add(measure(campaign.design(6)))
    for _ in range(4):
        batch = campaign.suggest(3, fixed={"x": 0.9, "c": "b"})
        assert (batch["x"] == 0.9).all() and (batch["c"] == "b").all()
        campaign.add(measure(batch))
    held = campaign.data.query("x == 0.9 and c == 'b'")
    # the best y at x = 0.9 is the global best y, 0.7
    assert held.loc[held["f"].idxmax(), "y"] == pytest.approx(0.7, abs=0.05)
    free = campaign.suggest(3)
    assert not (free["x"] == 0.9).all()  # the next batch without fixed moves x again


def test_fixed_values_in_a_screen_suggest_only_rows_that_have_them():
    grid = pd.DataFrame(
        [(x, y, c) for x in (0.1, 0.5, 0.9) for y in (0.2, 0.5, 0.8) for c in "ab"],
        columns=["x", "y", "c"],
    )
    campaign = Campaign(space(), Maximize("f"), candidates=grid, random_state=0)
    campaign.add(measure(campaign.design(4)))
    rows = grid.query("c == 'b' and x == 0.5")
    run = rows.merge(campaign.data, how="inner")
    left = len(rows) - len(run)
    assert left >= 2
    batch = campaign.suggest(left - 1, fixed={"c": "b", "x": 0.5})
    assert (batch["c"] == "b").all() and (batch["x"] == 0.5).all()
    campaign.add(measure(batch))
    with pytest.warns(
        UserWarning, match=r"with \{'c': 'b', 'x': 0.5\}: only 1 candidate rows are left"
    ):
        last = campaign.suggest(2, fixed={"c": "b", "x": 0.5})
    assert len(last) == 1 and (last["c"] == "b").all() and (last["x"] == 0.5).all()
    with pytest.raises(
        CampaignError,
        match=r"every candidate row with \{'c': 'b', 'x': 0.5\} has been run or is pending",
    ):
        campaign.suggest(1, fixed={"c": "b", "x": 0.5})
    with pytest.raises(
        CampaignError, match=r"no candidate row has x=0.3 \(the rows have 0.1, 0.5, 0.9\); hold"
    ):
        campaign.suggest(1, fixed={"x": 0.3})  # a value no row has


def test_fixed_values_respect_constraints_and_are_checked():
    campaign = Campaign(space(constraints=["x + y <= 1"]), Maximize("f"), random_state=0)
    campaign.add(measure(campaign.design(8)))
    batch = campaign.suggest(3, fixed={"x": 0.6})
    assert (batch["x"] == 0.6).all() and (batch["y"] <= 0.4 + 1e-6).all()
    cases = [
        (
            {"x": 1.0, "y": 0.5},
            SpaceError,
            # the constraint broken whatever y is named, with its left side
            r"no setting with these values that satisfies .* was found \(they break the "
            r"constraint 'x \+ y <= 1' whatever the other parameters: its left side is at "
            r"least 1.5\)",
        ),
        ({"xx": 0.5}, ValueError, r"'xx' is not a parameter \(did you mean 'x'\?\)"),
        ({"f": 0.5}, ValueError, "'f' is not a parameter"),
        ({"x": 2.0}, SpaceError, r"^fixed: column 'x': 2.0 is outside \[0, 1\]"),
        ({"c": "z"}, SpaceError, "^fixed: column 'c': 'z' is not a level"),
        ({"x": [0.1, 0.2]}, TypeError, "'x' is given 2 values \\(list\\); give the one value"),
        ({"x": pd.Series([0.1] * 3)}, TypeError, r"is given 3 values \(Series\); give the one"),
        ([("x", 0.1)], TypeError, "expected a mapping"),
    ]
    pending = len(campaign.data.query("status == 'pending'"))
    for fixed, error, message in cases:
        with pytest.raises(error, match=message):
            campaign.suggest(1, fixed=fixed)
    assert len(campaign.data.query("status == 'pending'")) == pending  # nothing planned


def test_review_findings_exact_values_boundaries_and_running_out():
    log_space = Space([Real("t", -5, 3.3), Real("v", 0.01, 10, log=True)])
    campaign = Campaign(log_space, Maximize("f"), random_state=0)
    planned = campaign.design(6)
    campaign.add(planned.assign(f=-((planned["t"] - 1) ** 2) - np.log(planned["v"]) ** 2))
    # after the model takes over, the held values are the ones given, to the last digit
    assert campaign.suggest(2, fixed={"t": -1.68})["t"].tolist() == [-1.68, -1.68]
    assert campaign.suggest(2, fixed={"v": 0.3})["v"].tolist() == [0.3, 0.3]
    # a held value on the constraint's boundary leaves one setting, which is found
    tight = Campaign(space(constraints=["x + y <= 1"]), Maximize("f"), random_state=0)
    with pytest.warns(UserWarning, match="only 1 distinct new settings"):
        only = tight.suggest(2, fixed={"x": 1.0, "c": "a"})
    assert only[["x", "y", "c"]].values.tolist() == [[1.0, 0.0, "a"]]
    near = tight.suggest(3, fixed={"x": 0.999})  # room for y below 0.001 only
    assert len(near) == 3 and (near["y"] <= 0.001 + 1e-9).all()
    # with the model: every parameter held, then nothing left
    run = Campaign(space(), Maximize("f"), random_state=0)
    run.add(measure(run.design(6)))
    with pytest.warns(UserWarning, match="only 1 distinct new settings"):
        assert len(run.suggest(3, fixed={"x": 0.5, "y": 0.5, "c": "b"})) == 1
    with pytest.raises(CampaignError, match=r"no new setting with \{'x': 0.5"):
        run.suggest(1, fixed={"x": 0.5, "y": 0.5, "c": "b"})
