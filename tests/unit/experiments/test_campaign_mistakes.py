"""Mistakes a lab makes with a campaign that used to lose or garble data without an error:
outputs written over the campaign file, a copy of the file taken while it is open, names
that clash with the columns a campaign adds, a well label that contradicts its settings."""

from __future__ import annotations

import shutil
import sqlite3
import warnings

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import CampaignError, DataError, SpaceError, StoreError
from yieldlab.experiments.campaign import Campaign
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.objectives import Maximize, Minimize
from yieldlab.experiments.ranges import Real
from yieldlab.experiments.space import Space

SPACE = Space([Real("T", 20, 80), Categorical("cat", ["A", "B"])])
WELLS = pd.DataFrame(
    {"T": [20.0, 40.0, 80.0, 20.0, 50.0, 80.0], "cat": ["A", "A", "A", "B", "B", "B"]},
    index=[f"w{i}" for i in range(6)],
)


def filled(campaign: Campaign, n: int = 3) -> Campaign:
    planned = campaign.design(n)
    campaign.add(planned.assign(y=planned["T"] / 10))
    return campaign


# -- files -----------------------------------------------------------------------------------


def test_export_over_the_campaign_file_is_refused_and_the_file_survives(tmp_path):
    path = tmp_path / "c.db"
    campaign = filled(Campaign(SPACE, Maximize("y"), path=path, random_state=0))
    for target in (path, tmp_path / "c.db-wal"):
        with pytest.raises(StoreError, match="campaign"):
            campaign.export(target)
    campaign.close()
    assert len(Campaign.open(path).data) == 3


@pytest.mark.parametrize("name", ["out.xlsx", "out.json", "out.db"])
def test_export_to_a_format_that_is_not_csv_is_refused(tmp_path, name):
    campaign = filled(Campaign(SPACE, Maximize("y"), random_state=0))
    with pytest.raises(StoreError, match="export writes CSV"):
        campaign.export(tmp_path / name)
    assert not (tmp_path / name).exists()
    campaign.export(tmp_path / "out.csv")
    assert len(pd.read_csv(tmp_path / "out.csv")) == 3


def test_export_never_replaces_results_not_recorded_nor_other_files(tmp_path):
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    planned = campaign.design(3)
    campaign.add(planned.iloc[:1].assign(y=1.0))
    typed = tmp_path / "sheet.csv"  # the lab typed results for experiments 2 and 3
    planned.assign(y=[1.0, 2.5, 3.5]).to_csv(typed, index=False)
    own = tmp_path / "notes.csv"
    own.write_text("sample,remark\nA,fine\n")
    space = tmp_path / "space.yaml"
    space.write_text("parameters: []\n")
    for path, message in [
        (typed, r"holds results not recorded in this campaign: experiment\(s\) 2, 3 \(pending\)"),
        (own, "exists and is not a table of this campaign"),
        (space, r"export writes CSV \('.*space.yaml'\): give a name ending in .csv"),
    ]:
        before = path.read_bytes()
        with pytest.raises(StoreError, match=message):
            campaign.export(path)
        assert path.read_bytes() == before
    # an earlier export (one of pending experiments only: a header), and a sheet whose
    # results are all recorded, may be replaced
    pending = Campaign(SPACE, Maximize("y"), random_state=0)
    pending.export(tmp_path / "empty.csv")
    pending.export(tmp_path / "empty.csv")
    campaign.export(tmp_path / "runs.csv")
    campaign.add(pd.read_csv(typed).iloc[1:])
    campaign.export(typed)
    campaign.export(tmp_path / "runs.csv")
    assert pd.read_csv(typed)["y"].tolist() == [1.0, 2.5, 3.5]


def test_export_never_replaces_a_value_recorded_otherwise(tmp_path):
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    campaign.add(campaign.design(3).assign(y=[1.0, 2.0, 3.0]))
    sheet = tmp_path / "sheet.csv"
    campaign.data.assign(y=[1.0, 2.25, 3.0]).to_csv(sheet, index=False)  # typed in again
    before = sheet.read_bytes()
    with pytest.raises(StoreError, match=r"line 3, experiment 2: y 2.25 \(recorded: 2.0\)"):
        campaign.export(sheet)
    assert sheet.read_bytes() == before
    # corrected: the sheet holds what the campaign holds, the old value is in the history
    campaign.correct(2, {"y": 2.25}, "re-integrated")
    campaign.export(sheet)
    old = tmp_path / "old.csv"  # an export from before the correction is replaced too
    campaign.data.assign(y=[1.0, 2.0, 3.0]).to_csv(old, index=False)
    campaign.export(old)
    assert pd.read_csv(old)["y"].tolist() == [1.0, 2.25, 3.0]


def test_a_copy_of_the_file_alone_holds_every_experiment_while_it_is_open(tmp_path):
    path = tmp_path / "c.db"
    campaign = filled(Campaign(SPACE, Maximize("y"), path=path, random_state=0), n=4)
    campaign.suggest(2)
    shutil.copy(path, tmp_path / "copy.db")  # the -wal file is not copied
    copy = Campaign.open(tmp_path / "copy.db")
    assert copy.data["status"].value_counts().to_dict() == {"done": 4, "pending": 2}
    campaign.close()


def test_a_campaign_in_a_missing_folder_names_the_folder(tmp_path):
    with pytest.raises(StoreError, match="the folder .*nowhere.* does not exist"):
        Campaign(SPACE, Maximize("y"), path=tmp_path / "nowhere" / "c.db")


def test_open_names_a_folder_and_a_wrong_type(tmp_path):
    with pytest.raises(StoreError, match="is a folder, not a campaign file"):
        Campaign.open(tmp_path)
    with pytest.raises(TypeError, match="path=None has the wrong type"):
        Campaign.open(None)


def _damaged(tmp_path, sql: str):
    path = tmp_path / "c.db"
    filled(Campaign(SPACE, Maximize("y"), path=path, random_state=0)).close()
    with sqlite3.connect(path) as connection:
        connection.execute(sql)
    connection.close()
    return path


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            """UPDATE experiments SET results = '{"y": "abc"}' WHERE id = 1""",
            "the result 'y' of experiment 1 is 'abc', not a number",
        ),
        (
            "UPDATE experiments SET settings = '[1, 2]' WHERE id = 2",
            "the settings of experiment 2 should be a JSON object",
        ),
        (
            """UPDATE meta SET value = '{"seed": 1}' WHERE key = 'options'""",
            "lacks 'options.acquisition'",
        ),
    ],
)
def test_a_file_edited_by_hand_gives_a_store_error(tmp_path, sql, message):
    path = _damaged(tmp_path, sql)
    with pytest.raises(StoreError, match="is damaged") as info:
        Campaign.open(path).data
    assert message in str(info.value)


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["experiment", "status", "batch", "candidate", "cancelled", "y_mean"]
)
def test_a_parameter_named_like_a_column_the_campaign_adds_is_refused(name):
    space = Space([Real(name, 0, 1), Real("T", 0, 1)])
    with pytest.raises(ValueError, match=f"parameter '{name}' has the name of"):
        Campaign(space, Maximize("y"))


def test_an_objective_named_like_the_prediction_of_another_is_refused():
    with pytest.raises(ValueError, match="predicted std of 'y'"):
        Campaign(SPACE, [Maximize("y"), Minimize("y_std")])
    with pytest.raises(ValueError, match="has the name of a parameter"):
        Campaign(SPACE, Maximize("T"))


# -- results -----------------------------------------------------------------------------


def test_a_candidate_label_that_contradicts_the_settings_is_refused():
    campaign = Campaign(SPACE, Maximize("y"), candidates=WELLS, random_state=0)
    row = {"T": [20.0], "cat": ["A"], "y": [1.0]}  # the settings of well w0
    with pytest.raises(CampaignError, match="candidate 'w5' does not match the settings, "):
        campaign.add(pd.DataFrame({"candidate": ["w5"], **row}))
    with pytest.raises(CampaignError, match="candidate 'zz' is not a row"):
        campaign.add(pd.DataFrame({"candidate": ["zz"], **row}))
    assert len(campaign.data) == 0
    recorded = campaign.add(pd.DataFrame({"candidate": ["w0"], **row}))
    assert recorded["candidate"].tolist() == ["w0"]
    recorded = campaign.add(pd.DataFrame({"candidate": [None], "T": [80.0], "cat": ["B"], "y": 2}))
    assert recorded["candidate"].tolist() == ["w5"]


def test_numeric_candidate_labels_read_back_from_text_match():
    wells = WELLS.reset_index(drop=True)
    campaign = Campaign(SPACE, Maximize("y"), candidates=wells, random_state=0)
    recorded = campaign.add(
        pd.DataFrame({"candidate": ["2", 5.0], **WELLS.iloc[[2, 5]].to_dict("list"), "y": [1, 2]})
    )
    assert recorded["candidate"].tolist() == [2, 5]


def test_an_experiment_id_twice_in_the_results_is_refused():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    planned = campaign.design(3)
    twice = pd.concat([planned, planned.iloc[[0]]]).assign(y=1.0)
    with pytest.raises(
        CampaignError, match="row 3, column 'experiment': experiment 1 appears twice"
    ):
        campaign.add(twice)
    assert (campaign.data["status"] == "pending").all()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "True is not a measured value"),
        (1 + 2j, "is not a measured value"),
        (10**400, "not a measured value"),
    ],
)
def test_results_that_are_not_real_numbers_are_refused(value, message):
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    with pytest.raises(DataError, match=message):
        campaign.add(
            pd.DataFrame({"T": [30.0], "cat": ["A"], "y": pd.Series([value], dtype=object)})
        )
    assert len(campaign.data) == 0


def test_a_blank_result_is_a_failed_run():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    recorded = campaign.add(pd.DataFrame({"T": [30.0, 40.0], "cat": ["A", "B"], "y": ["", 4.5]}))
    assert recorded["status"].tolist() == ["failed", "done"]


def test_a_result_column_with_units_in_its_name_is_named_in_the_error():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unknown column is also reported as not recorded
        with pytest.raises(DataError, match=r"but has 'Y \(%\)'; rename that column to 'y'"):
            campaign.add(pd.DataFrame({"T": [30.0], "cat": ["A"], "Y (%)": [4.5]}))


@pytest.mark.parametrize(
    ("column", "message"),
    [({"T": [True]}, "True is not a finite number"), ({"cat": [None]}, "the level is missing")],
)
def test_settings_that_are_switches_or_missing_levels_say_so(column, message):
    frame = pd.DataFrame({"T": [30.0], "cat": ["A"], "y": [1.0]})
    frame = frame.assign(**{k: pd.Series(v, dtype=object) for k, v in column.items()})
    with pytest.raises(SpaceError, match=message):
        Campaign(SPACE, Maximize("y")).add(frame)


# -- suggesting and designing ------------------------------------------------------------


def test_suggest_in_a_finite_space_warns_when_fewer_settings_are_left_then_refuses():
    space = Space([Discrete("d", [1, 2, 3]), Categorical("c", ["x", "y"])])
    campaign = Campaign(space, Maximize("y"), random_state=0)
    with pytest.warns(UserWarning, match="only 6 distinct new settings are left"):
        planned = campaign.suggest(10)
    assert len(planned.drop_duplicates(["d", "c"])) == 6
    with pytest.raises(CampaignError, match="no new setting is left"):
        campaign.suggest(2)


def test_after_the_models_take_over_settings_run_may_be_suggested_again():
    space = Space([Discrete("d", [1, 2, 3]), Categorical("c", ["x", "y"])])
    campaign = Campaign(space, Maximize("y"), random_state=0)
    every = pd.DataFrame([(d, c) for d in (1, 2, 3) for c in "xy"], columns=["d", "c"])
    campaign.add(every.assign(y=every["d"] + (every["c"] == "y")))
    with pytest.warns(
        UserWarning,
        match=r"only 6 distinct new settings are left in the space "
        r"\(not pending\); returning 6 instead of 10",
    ):
        replicates = campaign.suggest(10)
    assert len(replicates.drop_duplicates(["d", "c"])) == 6
    assert replicates[["d", "c"]].iloc[0].tolist() == [3, "y"]  # the best, measured again
    with pytest.raises(CampaignError, match="every such setting of the space is pending"):
        campaign.suggest(1)


def test_suggestions_in_a_screen_carry_the_rows_own_values():
    grid = pd.DataFrame({"v": [0.5, 1.1, 2.3, 4.7, 7.9, 9.1], "w": [1.1, 2.2, 3.3, 4.4, 5.5, 6.6]})
    space = Space([Real("v", 0.1, 10, log=True), Real("w", 1, 7)])
    campaign = Campaign(space, Maximize("y"), candidates=grid, random_state=0, n_initial=2)
    campaign.add(grid.iloc[:2].assign(y=[1.0, 2.0]))
    planned = campaign.suggest(4)  # by the model: decoded from the log scale, then the rows'
    assert set(planned["v"]) <= set(grid["v"]) and set(planned["w"]) <= set(grid["w"])
    assert set(campaign.data["v"]) == set(grid["v"])  # 2.3 stored, not 2.2999999999999994


def test_a_large_first_batch_is_as_large_as_asked():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    planned = campaign.suggest(700)
    assert len(planned) == 700
    assert len(planned.drop_duplicates(["T", "cat"])) == 700


def test_a_batch_beyond_ten_thousand_is_refused_at_once():
    # the planning time grows with n^2: a mistyped n would seem to hang
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    for plan in (campaign.suggest, campaign.design):
        with pytest.raises(ValueError, match=r"n=1000000 is more experiments than one batch"):
            plan(1_000_000)
    assert len(campaign.data) == 0


def test_design_names_an_unknown_option():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    with pytest.raises(
        TypeError, match="design\\(\\) has no option 'n_centre' \\(did you mean 'n_center'\\?\\)"
    ):
        campaign.design(4, method="ccd", n_centre=2)
    assert len(campaign.data) == 0


def test_exclusions_that_leave_nothing_are_refused_when_the_space_is_built():
    with pytest.raises(
        SpaceError, match=r"no allowed combination of \['c'\] \(all 1 are excluded\)"
    ):
        Space([Categorical("c", ["x"]), Real("T", 0, 1)], exclude=[{"c": "x"}])
    levels = [Categorical("c", ["x", "y"]), Discrete("d", [1, 2])]
    with pytest.raises(SpaceError, match="all 4 are excluded"):
        Space(levels, exclude=[{"c": "x"}, {"c": "y", "d": [1, 2]}])
    space = Space(levels, exclude=[{"c": "x"}, {"c": "y", "d": [1]}])
    feasible = space.is_feasible(pd.DataFrame({"c": ["y", "y", "x"], "d": [1, 2, 2]}))
    assert feasible.tolist() == [False, True, False]
    assert space.grid().to_numpy().tolist() == [["y", 2.0]]


def test_a_table_added_twice_without_ids_warns_that_it_counts_twice():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    table = pd.DataFrame({"T": [30.0, 40.0], "cat": ["A", "B"], "y": [1.5, np.nan]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the first time: no warning
        campaign.add(table)
    with pytest.warns(UserWarning, match=r"row 0 .* experiment 1, recorded before \(2 such"):
        campaign.add(table)
    assert len(campaign.data) == 4  # replicates are allowed: recorded, with the warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # another result at the same settings: a replicate
        campaign.add(table.assign(y=[1.6, 2.0]))


def test_a_setting_edited_out_of_the_space_names_the_experiment(tmp_path):
    sql = """UPDATE experiments SET settings = '{"T": 500.0, "cat": "A"}' WHERE id = 2"""
    campaign = Campaign.open(_damaged(tmp_path, sql))
    with pytest.raises(StoreError, match="the settings of experiment 2, column 'T': 500.0 is"):
        campaign.suggest(1)


def test_labels_that_read_back_as_numbers_match_their_rows():
    wells = WELLS.set_axis([f"00{i}" for i in range(6)], axis=0)  # '003' reads back as 3
    campaign = Campaign(SPACE, Maximize("y"), candidates=wells, random_state=0)
    row = WELLS.iloc[[3]].to_dict("list")
    recorded = campaign.add(pd.DataFrame({"candidate": [3], **row, "y": [1.0]}))
    assert recorded["candidate"].tolist() == ["003"]


def test_results_all_the_same_still_give_suggestions():
    campaign = Campaign(SPACE, Maximize("y"), random_state=0)
    planned = campaign.design(6)
    campaign.add(planned.assign(y=0.0))  # an early screen: nothing worked yet
    assert len(campaign.suggest(2)) == 2
