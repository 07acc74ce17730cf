"""Campaigns given what a lab really sends: other wells than planned, ids as text, rounded
settings, infinities, damaged files, odd paths; clear errors and nothing lost."""

from __future__ import annotations

import json
import re
import sqlite3

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import CampaignError, DataError, SpaceError, StoreError
from yieldlab.experiments.campaign import Campaign
from yieldlab.experiments.levels import Categorical
from yieldlab.experiments.objectives import Maximize, Minimize
from yieldlab.experiments.ranges import Real
from yieldlab.experiments.space import Space

SPACE = Space([Real("T", 20, 80), Categorical("cat", ["A", "B"])])
WELLS = pd.DataFrame(
    {"T": [20.0, 40.0, 80.0, 20.0, 50.0, 80.0], "cat": ["A", "A", "A", "B", "B", "B"]},
    index=[f"w{i}" for i in range(6)],
)


def y_of(frame: pd.DataFrame) -> np.ndarray:
    return frame["T"].to_numpy(float) / 10 + (frame["cat"] == "B").to_numpy(float)


def plate(**options) -> Campaign:
    return Campaign(SPACE, Maximize("y"), candidates=WELLS, random_state=0, **options)


# -- candidates: the well measured is the well recorded ---------------------------------------


def test_another_well_than_planned_moves_the_candidate_label():
    campaign = plate()
    planned = campaign.suggest(1)
    label = planned.index[0]
    other = next(w for w in WELLS.index if w != label)
    ran = planned.assign(T=WELLS.loc[other, "T"], cat=WELLS.loc[other, "cat"])
    campaign.add(ran.assign(y=y_of(ran)))
    data = campaign.data
    assert data["candidate"].tolist() == [other]
    assert data[["T", "cat"]].iloc[0].tolist() == WELLS.loc[other].tolist()
    # the planned well was never run: it is offered again; the one run is not
    assert label in campaign._remaining().index
    assert other not in campaign._remaining().index


def test_suggest_more_than_left_returns_what_is_left_with_a_warning():
    campaign = plate()
    first = campaign.suggest(4)
    with pytest.warns(UserWarning, match="only 2 candidate rows are left"):
        rest = campaign.suggest(5)
    assert len(rest) == 2
    assert set(first.index) | set(rest.index) == set(WELLS.index)
    with pytest.raises(CampaignError, match="no candidate is left to suggest: all 6 rows"):
        campaign.suggest(1)
    assert campaign.cancel(first) == 4  # freed: four wells to suggest again
    campaign.add(rest.assign(y=y_of(rest)))
    assert len(campaign.suggest(4)) == 4


def test_suggest_more_than_left_after_the_model_takes_over():
    campaign = plate(n_initial=3)
    start = campaign.suggest(3)
    campaign.add(start.assign(y=y_of(start)))
    with pytest.warns(UserWarning, match="returning 3 instead of 4"):
        batch = campaign.suggest(4)
    assert len(batch) == 3 and batch["y_mean"].notna().all()
    assert not set(batch.index) & set(start.index)


def test_design_more_than_left_warns_and_none_left_is_an_error():
    campaign = plate()
    with pytest.warns(UserWarning, match="returning 6 instead of 10"):
        assert len(campaign.design(10)) == 6
    with pytest.raises(CampaignError, match="no candidate is left to design"):
        campaign.design(2)


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (pd.Index(["a", "b", "a", "c", "d", "e"]), "row label 'a' twice"),
        (pd.Index([0, 1, 0, 2, 3, 4]), "row label 0 twice; "),  # not np.int64(0)
        (pd.Index(["a", None, "b", "c", "d", "e"]), "missing row label"),
        (pd.MultiIndex.from_product([["p1", "p2"], ["A", "B", "C"]]), "MultiIndex"),
        (pd.date_range("2026-01-01", periods=6), "labels must be text or numbers"),
    ],
)
def test_candidate_labels_the_file_cannot_keep_are_refused(index, message):
    with pytest.raises((ValueError, TypeError), match=message) as info:
        Campaign(SPACE, Maximize("y"), candidates=WELLS.set_axis(index))
    assert "reset_index" in str(info.value)


def test_empty_candidates_are_refused():
    with pytest.raises(ValueError, match="candidates has no rows"):
        Campaign(SPACE, Maximize("y"), candidates=WELLS.iloc[:0])


# -- experiment ids -----------------------------------------------------------------------------


def test_experiment_ids_given_as_text_or_whole_floats_are_read():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    design = campaign.design(3)
    sheet = design.assign(y=y_of(design))
    sheet["experiment"] = ["1", 2.0, np.int64(3)]
    recorded = campaign.add(sheet)
    assert recorded["experiment"].tolist() == [1, 2, 3]
    assert (campaign.data["status"] == "done").all()


@pytest.mark.parametrize("bad", [1.5, True, "abc", -1, "2.9"])
def test_an_experiment_id_that_is_no_id_is_refused_with_its_row(bad):
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    design = campaign.design(2)
    sheet = design.assign(y=y_of(design)).astype({"experiment": object})
    sheet.loc[1, "experiment"] = bad
    with pytest.raises(CampaignError, match="row 1, column 'experiment'.*not an experiment id"):
        campaign.add(sheet)
    assert (campaign.data["status"] == "pending").all()  # nothing recorded


def test_settings_rounded_in_the_lab_are_new_experiments_with_a_warning():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    design = campaign.design(2).drop(columns="experiment")
    typed = design.assign(T=design["T"].round(1) + 0.04)  # within 1% of the range
    with pytest.warns(UserWarning, match="close to but not equal to those of pending"):
        campaign.add(typed.assign(y=y_of(typed)))
    assert campaign.data["status"].value_counts().to_dict() == {"pending": 2, "done": 2}


def test_cancel_takes_ids_or_a_batch_and_refuses_anything_else():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    batch = campaign.design(4)
    with pytest.raises(TypeError, match="expected an experiment id"):
        campaign.cancel("12")
    with pytest.raises(ValueError, match="2.7 is not an experiment id"):
        campaign.cancel([2.7])
    with pytest.raises(CampaignError, match="experiment 9 is not pending.*nothing was"):
        campaign.cancel([1, 9])
    assert len(campaign.data) == 4
    assert campaign.cancel([3, 3]) == 1  # once, and listed once
    assert campaign.cancel(batch[batch["experiment"] != 3]) == 3
    assert len(campaign.data) == 0
    # the cancelled stay known, with their settings, and their ids are not reused
    cancelled = campaign.cancelled()
    assert cancelled["experiment"].tolist() == [3, 1, 2, 4]
    pd.testing.assert_frame_equal(
        cancelled.set_index("experiment").loc[[1, 2, 3, 4], SPACE.names],
        batch.set_index("experiment")[SPACE.names],
        check_dtype=False,
    )
    with pytest.raises(CampaignError, match="experiment=2 was cancelled; to record this result"):
        campaign.add(batch.iloc[[1]].assign(y=1.0))
    campaign.add(batch.iloc[[1]].drop(columns="experiment").assign(y=1.0))
    assert campaign.data["experiment"].tolist() == [5]


def test_a_row_of_a_cancelled_experiment_left_empty_is_skipped():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    sheet = campaign.design(4).assign(y=[1.0, None, 2.0, None])
    campaign.cancel([2])
    with pytest.warns(UserWarning, match=r"results, row 1: experiment\(s\) 2 were cancelled"):
        recorded = campaign.add(sheet)
    assert recorded["experiment"].tolist() == [1, 3, 4]
    assert recorded["status"].tolist() == ["done", "done", "failed"]
    assert campaign.data["experiment"].tolist() == [1, 3, 4]
    # only cancelled rows: nothing recorded, nothing changed
    campaign.cancel(campaign.design(1))
    with pytest.warns(UserWarning, match=r"experiment\(s\) 5 were cancelled"):
        assert len(campaign.add(campaign.cancelled().iloc[[1]].assign(y=None))) == 0
    assert len(campaign.data) == 3


# -- measured values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [(np.inf, "inf is not a measurement"), (-np.inf, "-inf is not a measurement"),
     (1e300, "1e\\+300 is too large to model")],
)  # fmt: skip
def test_infinite_or_huge_results_are_refused_and_nothing_recorded(value, message):
    campaign = Campaign(SPACE, Minimize("y"), random_state=0)
    design = campaign.design(3)
    sheet = design.assign(y=[1.0, value, 2.0])
    with pytest.raises(DataError, match=f"results, row 1, column 'y': {message}"):
        campaign.add(sheet)
    assert (campaign.data["status"] == "pending").all()


def test_text_in_an_objective_names_the_results():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    design = campaign.design(2)
    with pytest.raises(DataError, match="^results, row 0, column 'y': '10%'"):
        campaign.add(design.assign(y=["10%", "3"]))


def test_beta_is_checked():
    with pytest.raises(ValueError, match="beta=nan"):
        Campaign(SPACE, Maximize("y"), beta=float("nan"))
    with pytest.raises(ValueError, match="beta=-1"):
        Campaign(SPACE, Maximize("y"), beta=-1)
    with pytest.raises(TypeError, match="beta='x'"):
        Campaign(SPACE, Maximize("y"), beta="x")


def test_predict_takes_one_setting_as_a_mapping():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    design = campaign.design(6)
    campaign.add(design.assign(y=y_of(design)))
    one = campaign.predict({"T": 70.0, "cat": "B"})
    table = campaign.predict(pd.DataFrame({"T": [70.0], "cat": ["B"]}))
    np.testing.assert_allclose(one.to_numpy(), table.to_numpy())
    assert abs(one["y_mean"].iloc[0] - 8.0) < 1.0


def test_natural_size_designs_take_n_none():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    design = campaign.design(None, method="factorial")
    assert len(design) == 6  # three levels of T (low, centre, high) times two of cat


def test_best_with_two_objectives_says_every_objective():
    campaign = Campaign(SPACE, [Maximize("y"), Minimize("cost")], random_state=0)
    design = campaign.design(2)
    campaign.add(design.assign(y=[1.0, 2.0], cost=np.nan))
    with pytest.raises(CampaignError, match="no experiment has a result for every objective"):
        campaign.best()


# -- files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", ":memory:", "file:x.db?mode=memory"])
def test_paths_that_are_not_file_names_are_refused(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="is not a file name; .*path=None"):
        Campaign(SPACE, Maximize("y"), path=path)
    assert list(tmp_path.iterdir()) == []  # no stray file


def test_a_folder_is_refused_as_campaign_path(tmp_path):
    with pytest.raises(StoreError, match="is a folder; give a file name in it"):
        Campaign(SPACE, Maximize("y"), path=tmp_path)


def test_a_closed_campaign_says_so(tmp_path):
    campaign = Campaign(SPACE, Maximize("y"), path=tmp_path / "c.db")
    campaign.close()
    for call in (lambda: campaign.suggest(1), lambda: campaign.data):
        with pytest.raises(StoreError, match="was closed; resume it with Campaign.open"):
            call()


def _damage(path, sql, *parameters):
    connection = sqlite3.connect(path)
    connection.execute(sql, parameters)
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    ("sql", "parameters", "message"),
    [
        ("UPDATE meta SET value = ? WHERE key = 'space'", ("{bad",), "'space' of table meta"),
        ("DELETE FROM meta WHERE key = 'objectives'", (), "lacks 'objectives'"),
        (
            "UPDATE meta SET value = ? WHERE key = 'objectives'",
            (json.dumps([{"name": "y", "goal": "sideways"}]),),
            "damaged",
        ),
        ("UPDATE experiments SET settings = ? WHERE id = 1", ("{",), "settings of experiment 1"),
    ],
)
def test_a_campaign_file_with_damaged_content_gives_a_store_error(
    tmp_path, sql, parameters, message
):
    path = tmp_path / "c.db"
    campaign = Campaign(SPACE, Maximize("y"), path=path, random_state=0)
    campaign.design(2)
    campaign.close()
    _damage(path, sql, *parameters)
    with pytest.raises(StoreError, match=message):
        Campaign.open(path).data


def test_candidates_with_the_same_settings_twice_are_refused():
    twice = pd.concat([WELLS, WELLS.iloc[[0]].set_axis(["w9"])])
    with pytest.raises(ValueError, match="rows 'w0' and 'w9' have the same settings"):
        Campaign(SPACE, Maximize("y"), candidates=twice)


def test_design_at_natural_size_with_no_row_left_says_so():
    campaign = plate()
    campaign.design(6)
    with pytest.raises(CampaignError, match="no candidate is left to design"):
        campaign.design(None, method="factorial")


def test_cancel_takes_whole_numbers_of_any_kind():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    campaign.design(4)
    assert campaign.cancel(2.0) == 1 and campaign.cancel(np.array(3)) == 1
    assert campaign.cancel(np.int64(4)) == 1
    with pytest.raises(CampaignError, match="experiment 1180591620717411303424 is not pending"):
        campaign.cancel([2**70])
    assert campaign.data["experiment"].tolist() == [1]


def test_an_id_written_with_a_superscript_is_refused_with_its_row():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    design = campaign.design(1)
    sheet = design.assign(y=y_of(design)).astype({"experiment": object})
    sheet.loc[0, "experiment"] = "\u00b2"
    with pytest.raises(CampaignError, match="row 0, column 'experiment'"):
        campaign.add(sheet)


def test_near_matches_name_every_pending_experiment_to_cancel():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    design = campaign.design(3).drop(columns="experiment")
    typed = design.assign(T=design["T"].round(1) + 0.04)
    with pytest.warns(UserWarning, match=r"cancel\(\[1, 2, 3\]\) them"):
        campaign.add(typed.assign(y=y_of(typed)))


def test_the_near_match_warning_carries_the_row_and_the_pending_ids():
    from yieldlab.experiments.results import NearMatchWarning

    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    design = campaign.design(2).drop(columns="experiment")
    typed = design.assign(T=design["T"].round(1) + 0.04)
    with pytest.warns(NearMatchWarning) as caught:
        campaign.add(typed.assign(y=y_of(typed)))
    assert (caught[0].message.row, caught[0].message.pending) == (0, [1, 2])


def test_a_parameter_headed_with_its_unit_is_read_and_another_unit_refused():
    # the reports write 'temperature [C]'; a sheet headed so was refused as a typo
    space = Space([Real("temperature", 60, 110, unit="C"), Real("time", 1, 10, unit="min")])
    campaign = Campaign(space, Maximize("yield"))
    campaign.add(pd.DataFrame({"temperature [C]": [70.0], "time (min)": [2.5], "yield": [50.0]}))
    assert campaign.data[["temperature", "time", "yield"]].values.tolist() == [[70.0, 2.5, 50.0]]
    cases = [
        ({"temperature [F]": [158.0], "time": [2.0]},
         "column 'temperature [F]': the space declares 'temperature' in C; give its values "
         "in C under the column 'temperature'"),
        ({"temperature": [70.0], "temperature [C]": [70.0], "time": [2.0]},
         "the columns 'temperature' and 'temperature [C]', one parameter twice"),
    ]  # fmt: skip
    for columns, message in cases:
        with pytest.raises(SpaceError, match=re.escape(message)):
            campaign.add(pd.DataFrame({**columns, "yield": [1.0]}))
    assert len(campaign.data) == 1  # nothing recorded by the refused tables
