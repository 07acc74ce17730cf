"""screen: a campaign's candidate rows checked, found by their settings, and their labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import CampaignError
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.screen import (
    candidate_index,
    candidate_rows,
    candidate_settings,
    check_candidate_column,
    check_labels,
)
from yieldlab.experiments.space import Space

SPACE = Space([Discrete("conc", [0.1, 0.153, 0.3]), Categorical("base", ["KOAc", "CsOPiv"])])
ROWS = pd.DataFrame(
    {"conc": [0.1, 0.153, 0.3, 0.153], "base": ["KOAc", "KOAc", "CsOPiv", "CsOPiv"]},
    index=["A1", "A2", "B1", "B2"],
)


def test_rows_are_found_by_their_settings_also_as_read_back_from_text():
    index = candidate_index(SPACE.encode(ROWS))
    read_back = pd.DataFrame({"conc": [0.15300000000000002, 0.1], "base": ["CsOPiv", "KOAc"]})
    assert candidate_rows(SPACE, index, SPACE.validate(read_back)) == [3, 0]
    with pytest.raises(CampaignError, match="results, row 0: the settings .* not among"):
        candidate_rows(SPACE, index, pd.DataFrame({"conc": [0.3], "base": ["KOAc"]}))


def test_the_table_is_checked_when_the_campaign_is_created():
    assert candidate_settings(SPACE, ROWS)[1] == ("A2", {"conc": 0.153, "base": "KOAc"})
    twice = pd.concat([ROWS, ROWS.iloc[[1]].set_axis(["C9"])])
    with pytest.raises(ValueError, match="the rows 'A2' and 'C9' have the same settings"):
        candidate_settings(SPACE, twice)
    with pytest.raises(ValueError, match="candidates has no rows"):
        candidate_settings(SPACE, ROWS.iloc[:0])
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        candidate_settings(SPACE, ROWS.to_numpy())


@pytest.mark.parametrize(
    ("index", "error", "message"),
    [
        (pd.MultiIndex.from_tuples([(1, 2), (1, 3)]), ValueError, "MultiIndex"),
        (pd.Index(["a", None]), ValueError, "a missing row label"),
        (pd.Index(["a", "a"]), ValueError, "the row label 'a' twice"),
        (pd.Index(["a", "  "]), ValueError, "the blank row label '  '"),
        (pd.Index([True, False]), TypeError, "of type bool"),
        (pd.Index([pd.Timestamp("2026-01-01")]), TypeError, "of type Timestamp"),
    ],
)
def test_labels_the_file_cannot_keep_are_refused(index, error, message):
    with pytest.raises(error, match=message):
        check_labels(index)


def test_a_candidate_label_must_name_the_row_of_its_settings():
    labels = pd.Index(["005", "A2", "7.5"])
    # read back from a CSV: '005' as 5, '7.5' as 7.5; empty labels are left to the settings
    check_candidate_column(pd.Series([5, None, 7.5, "", "  "]), [0, 1, 2, 1, 2], labels)
    with pytest.raises(CampaignError, match="row 1: candidate 'A3' is not a row"):
        check_candidate_column(pd.Series(["005", "A3"]), [0, 1], labels)
    with pytest.raises(CampaignError, match="which are those of candidate 'A2'"):
        check_candidate_column(pd.Series(["7.5"]), [1], labels)


def test_a_candidate_mix_up_names_the_labels_as_plain_numbers():
    from yieldlab.experiments.screen import check_candidate_column

    labels = pd.Index(np.array([1, 2, 3], dtype=np.int64))
    with pytest.raises(CampaignError) as caught:
        check_candidate_column(pd.Series([np.int64(1)]), [1], labels)
    message = str(caught.value)
    assert "candidate 1 does not match the settings, which are those of candidate 2;" in message
    assert "np." not in message
