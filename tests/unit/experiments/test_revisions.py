"""revisions: what exclude/include/correct are given, and a corrected experiment checked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import CampaignError, DataError, SpaceError
from yieldlab.experiments.levels import Categorical
from yieldlab.experiments.objectives import Maximize, Minimize
from yieldlab.experiments.ranges import Real
from yieldlab.experiments.revisions import check_correction, check_reason, correction, given_ids
from yieldlab.experiments.screen import candidate_index
from yieldlab.experiments.space import Space

SPACE = Space([Real("t", 20, 100), Categorical("c", ["Pd", "Ni"])])
OBJECTIVES = [Maximize("y"), Minimize("cost")]


def test_ids_come_from_a_number_a_list_or_a_table():
    assert given_ids(np.int64(3)) == [3]
    assert given_ids((4, 5.0)) == [4, 5]
    assert given_ids(pd.DataFrame({"experiment": [7, 9], "t": [1, 2]})) == [7, 9]
    with pytest.raises(ValueError, match="without an 'experiment' column"):
        given_ids(pd.DataFrame({"t": [1]}))
    with pytest.raises(TypeError, match="expected an experiment id, a list of them"):
        given_ids("3")
    with pytest.raises(ValueError, match="2.5 is not an experiment id"):
        given_ids([1, 2.5])


def test_a_reason_is_words():
    assert check_reason("  sensor failed \n") == "sensor failed"
    for bad in ("", "   ", None, 3):
        with pytest.raises(ValueError, match="give a reason in words"):
            check_reason(bad)


def test_a_correction_names_one_experiment_and_known_names():
    known = ["t", "c", "y", "cost"]
    assert check_correction(4, {"y": 1.0}, known) == [4]
    with pytest.raises(TypeError, match="one experiment at a time"):
        check_correction([4, 5], {"y": 1.0}, known)
    with pytest.raises(TypeError, match="expected a mapping of parameter and objective"):
        check_correction(4, [("y", 1.0)], known)
    with pytest.raises(ValueError, match="values is empty"):
        check_correction(4, {}, known)
    with pytest.raises(ValueError, match=r"'costs' is neither .* \(did you mean 'cost'\?\)"):
        check_correction(4, {"costs": 1.0}, known)


def test_the_corrected_experiment_is_checked_as_results_are():
    change = correction(SPACE, OBJECTIVES, {"y": np.nan, "t": 40})
    settings, results, failed, row = change(3, {"t": 30.0, "c": "Ni"}, {"y": 5.0, "cost": 2.0})
    assert settings == {"t": 40.0, "c": "Ni"} and failed and row is None
    assert np.isnan(results["y"]) and results["cost"] == 2.0
    with pytest.raises(SpaceError, match=r"^correct\(experiment 3\): column 't': 140.0 is outs"):
        correction(SPACE, OBJECTIVES, {"t": 140})(3, {"t": 30.0, "c": "Ni"}, {"y": 1.0})
    with pytest.raises(DataError, match=r"^correct\(experiment 3\).*'cost'"):
        correction(SPACE, OBJECTIVES, {"cost": "cheap"})(3, {"t": 30.0, "c": "Ni"}, {"y": 1.0})


def test_in_a_screen_the_corrected_settings_must_be_a_row():
    rows = pd.DataFrame({"t": [20.0, 60.0, 100.0], "c": ["Pd", "Ni", "Pd"]})
    index = candidate_index(SPACE.encode(rows))
    change = correction(SPACE, OBJECTIVES, {"t": 60}, index)
    assert change(1, {"t": 20.0, "c": "Ni"}, {"y": 1.0, "cost": 1.0})[3] == 1
    with pytest.raises(CampaignError, match="are not a row of the candidates"):
        change(1, {"t": 20.0, "c": "Pd"}, {"y": 1.0, "cost": 1.0})
