"""The demo never overwrites a folder it did not write."""

from __future__ import annotations

import pytest

from yieldlab.exceptions import StoreError
from yieldlab.experiments.campaign import Campaign
from yieldlab.experiments.objectives import Maximize
from yieldlab.report.demo import run_demo
from yieldlab.simulators import Reactor


def test_a_folder_with_a_campaign_of_the_users_is_refused_and_kept(tmp_path):
    folder = tmp_path / "proj"
    folder.mkdir()
    mine = Campaign(Reactor().space, Maximize("yield"), path=folder / "campaign.db")
    mine.add(mine.design(3).assign(**{"yield": [50.0, 60.0, 70.0]}))
    mine.close()
    (folder / "report.html").write_text("the team's report")
    with pytest.raises(StoreError, match="holds files but no demo campaign"):
        run_demo(folder, rounds=1)
    assert len(Campaign.open(folder / "campaign.db").data) == 3
    assert (folder / "report.html").read_text() == "the team's report"


def test_a_file_is_refused_as_the_demo_folder(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError, match="'.*afile' is a file; the demo needs a folder"):
        run_demo(tmp_path / "afile", rounds=1)


@pytest.mark.slow
def test_the_demo_may_run_again_in_its_own_folder(tmp_path):
    first = run_demo(tmp_path / "demo", n_initial=6, batch_size=2, rounds=1)
    again = run_demo(tmp_path / "demo", n_initial=6, batch_size=2, rounds=1)
    assert first.n_experiments == again.n_experiments == 8
    assert len(Campaign.open(tmp_path / "demo" / "campaign.db").data) == 8


def test_a_demo_folder_of_an_earlier_version_is_recognised(tmp_path):
    from yieldlab.report.demo import _is_demo

    folder = tmp_path / "yieldlab-demo"
    folder.mkdir()
    Campaign(Reactor().space, Maximize("yield", 0, 100), path=folder / "campaign.db").close()
    (folder / "report.html").write_text("<html></html>")
    assert _is_demo(folder / "campaign.db")  # no mark, but the demo's space and files only
    (folder / "notes.txt").write_text("mine")
    assert not _is_demo(folder / "campaign.db")
