"""CampaignRecord: a campaign's experiments read, recorded and changed without the models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab import Campaign, Categorical, Maximize, Real, Space
from yieldlab.exceptions import CampaignError
from yieldlab.experiments.record import CampaignRecord

SPACE = Space([Real("t", 20, 100), Categorical("c", ["Pd", "Ni"])])
GRID = pd.DataFrame({"t": [20.0, 60.0, 100.0, 20.0, 60.0], "c": ["Pd"] * 3 + ["Ni"] * 2})


def test_a_record_opens_a_campaign_file_and_keeps_its_results(tmp_path):
    path = tmp_path / "run.db"
    campaign = Campaign(SPACE, Maximize("y"), path=path, random_state=0)
    planned = campaign.design(4)
    campaign.close()

    record = CampaignRecord.open(path)
    assert repr(record).startswith("CampaignRecord(2 parameters, ['y'], 4 experiments")
    added = record.add(planned.assign(y=[3.0, 9.0, np.nan, 4.0]))
    assert added["status"].tolist() == ["done", "done", "failed", "done"]
    assert float(record.best()["y"].iloc[0]) == 9.0
    best_id = int(record.best()["experiment"].iloc[0])
    record.exclude(best_id, "contaminated")
    assert float(record.best()["y"].iloc[0]) == 4.0
    record.correct(best_id, {"y": 2.0}, "misread")
    record.include(best_id, "clean after all")
    assert float(record.best()["y"].iloc[0]) == 4.0  # 9.0 was corrected to 2.0
    assert record.history()["action"].tolist() == ["exclude", "correct", "include"]
    record.close()

    again = Campaign.open(path)  # the models read what the record wrote
    measured = again.data["y"].to_numpy(float)
    assert np.allclose(measured, [3.0, 2.0, np.nan, 4.0], equal_nan=True)
    batch = again.suggest(2)  # the models plan from what the record wrote
    assert batch["experiment"].tolist() == [5, 6]
    assert again.data["status"].tolist()[-2:] == ["pending", "pending"]
    again.close()


MEMORY = {"y": {"model": "ensemble", "selected_at": 22, "theta": None}}


def test_a_change_to_the_results_makes_the_model_choice_due_again(tmp_path):
    path = tmp_path / "run.db"
    campaign = Campaign(SPACE, Maximize("y"), path=path, random_state=0)
    rows = pd.DataFrame({"t": np.linspace(20, 100, 6), "c": ["Pd", "Ni"] * 3})
    campaign.add(rows.assign(y=np.arange(6.0)))
    campaign._store.set_meta("surrogate", MEMORY)  # as after a choice at 22 results
    campaign.close()

    record = CampaignRecord.open(path)  # a change made without the models
    record.correct(2, {"y": 7.0}, "misread")
    assert record._store.meta()["surrogate"]["y"] == {**MEMORY["y"], "selected_at": 0}
    record.close()

    campaign = Campaign.open(path)
    assert campaign._state["y"]["selected_at"] == 0
    campaign._store.set_meta("surrogate", MEMORY)
    campaign._state = MEMORY
    campaign.add(rows.iloc[:1].assign(y=1.0))
    assert campaign._store.meta()["surrogate"]["y"]["selected_at"] == 22  # more results: kept
    campaign.exclude(1, "sensor failed")
    assert campaign._state["y"]["selected_at"] == 0  # in memory and in the file
    assert campaign._store.meta()["surrogate"]["y"]["selected_at"] == 0
    campaign.close()


def test_warnings_point_at_the_line_that_called():
    campaign = Campaign(SPACE, Maximize("y"), candidates=GRID, random_state=0)
    first = campaign.design(3)
    campaign.add(first.assign(y=[1.0, 2.0, 3.0]))
    with pytest.warns(UserWarning, match="recorded again as replicates") as caught:
        campaign.add(first.drop(columns="experiment").assign(y=[1.0, 2.0, 3.0]))
    assert caught[0].filename == __file__
    # the warning names the copies and how to undo
    assert "experiment(s) [4, 5, 6]" in str(caught[0].message)
    assert "undo with exclude([4, 5, 6], reason='recorded twice')" in str(caught[0].message)
    label = first.index[0]
    campaign.exclude(int(first["experiment"].iloc[0]), "spilled")
    rerun = campaign.candidates.loc[[label]].assign(y=5.0)
    campaign.add(rerun)
    with pytest.warns(UserWarning, match="the row now counts twice") as caught:
        campaign.include(int(first["experiment"].iloc[0]))
    assert caught[0].filename == __file__
    with pytest.warns(UserWarning, match="only 2 candidate rows are left") as caught:
        campaign.suggest(3)
    assert caught[0].filename == __file__


def test_a_record_refuses_what_the_campaign_refuses(tmp_path):
    path = tmp_path / "run.db"
    Campaign(SPACE, Maximize("y"), path=path).close()
    record = CampaignRecord.open(path)
    with pytest.raises(CampaignError, match="no experiment has a result yet"):
        record.best()
    with pytest.raises(ValueError, match="give a reason in words"):
        record.exclude(1, " ")
    record.close()
