"""CampaignRecord: a campaign's experiments read, recorded and changed without the models."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from yieldlab import Campaign, Categorical, Maximize, Real, Space
from yieldlab.exceptions import CampaignError
from yieldlab.experiments.record import CampaignRecord

SPACE = Space([Real("t", 20, 100), Categorical("c", ["Pd", "Ni"])])


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(again.suggest(2)) == 2
    again.close()


def test_a_record_refuses_what_the_campaign_refuses(tmp_path):
    path = tmp_path / "run.db"
    Campaign(SPACE, Maximize("y"), path=path).close()
    record = CampaignRecord.open(path)
    with pytest.raises(CampaignError, match="no experiment has a result yet"):
        record.best()
    with pytest.raises(ValueError, match="give a reason in words"):
        record.exclude(1, " ")
    record.close()
