"""Table preparation: encoding, dropped columns and the errors for bad tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import DataError
from yieldlab.modelling.encoding import TableEncoder, as_frame, check_target


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "temperature": [20.0, 40.0, 60.0, 80.0],
            "catalyst": ["Pt", "Pd", "Rh", "Pd"],
            "batch": [7, 7, 7, 7],
            "note": [None, None, None, None],
            "pressure": ["1.5", "2", "2.5", "3"],
        }
    )


def test_one_hot_against_the_first_sorted_level_and_named_groups():
    encoder = TableEncoder()
    Z = encoder.fit_transform(_table())
    assert encoder.feature_names_ == ["temperature", "catalyst=Pt", "catalyst=Rh", "pressure"]
    assert encoder.groups_ == {"temperature": [0], "catalyst": [1, 2], "pressure": [3]}
    # Pd is the reference level: both indicators 0
    assert Z.tolist() == [
        [20.0, 1.0, 0.0, 1.5],
        [40.0, 0.0, 0.0, 2.0],
        [60.0, 0.0, 1.0, 2.5],
        [80.0, 0.0, 0.0, 3.0],
    ]


def test_constant_and_all_missing_columns_are_dropped_and_reported():
    encoder = TableEncoder()
    encoder.fit_transform(_table())
    assert encoder.dropped_ == [
        ("batch", "constant (7 in every row)"),
        ("note", "all values missing"),
    ]
    assert encoder.dropped_frame().columns.tolist() == ["column", "reason"]


def test_transform_by_name_ignores_order_and_extra_columns():
    encoder = TableEncoder()
    first = encoder.fit_transform(_table())
    shuffled = _table()[["pressure", "catalyst", "temperature"]].assign(extra=1.0)
    assert np.array_equal(encoder.transform(shuffled), first)


def test_categorical_dtype_with_numbers_is_categorical():
    frame = pd.DataFrame({"well": pd.Categorical([1, 2, 3, 1]), "x": [0.0, 1.0, 2.0, 3.0]})
    encoder = TableEncoder()
    encoder.fit_transform(frame)
    assert encoder.feature_names_ == ["well=2", "well=3", "x"]


IDENTIFIER = (
    "a different text in every row: an identifier, or a factor with no level run twice, "
    "whose effect cannot be learned"
)


@pytest.mark.parametrize("n", [6, 30, 60])
def test_identifier_column_is_dropped(n):
    frame = pd.DataFrame({"id": [f"R{i:03d}" for i in range(n)], "x": np.arange(n, dtype=float)})
    encoder = TableEncoder()
    assert encoder.fit_transform(frame).shape == (n, 1)
    assert encoder.dropped_ == [("id", IDENTIFIER)]
    assert encoder.feature_names_ == ["x"]


def test_a_category_column_is_never_taken_for_an_identifier():
    ligand = pd.Categorical([f"L{i}" for i in range(8)])  # declared levels, each run once
    encoder = TableEncoder()
    encoder.fit_transform(pd.DataFrame({"ligand": ligand, "x": np.arange(8.0)}))
    assert encoder.dropped_ == [] and len(encoder.feature_names_) == 8
    with pytest.raises(DataError, match=r"has a level seen in more than one row \(in Python"):
        encoder.fit_transform(pd.DataFrame({"ligand": ligand.astype(str)}))


def test_a_factor_with_a_level_run_twice_or_a_tiny_table_keeps_its_text_column():
    solvent = ["DMF", "DMSO", "MeCN", "THF", "toluene", "DMF"]  # DMF twice: learnable
    encoder = TableEncoder()
    encoder.fit_transform(pd.DataFrame({"solvent": solvent, "x": np.arange(6.0)}))
    assert encoder.dropped_ == [] and len(encoder.feature_names_) == 5
    tiny = pd.DataFrame({"solvent": solvent[:5], "x": np.arange(5.0)})  # too few to tell
    encoder.fit_transform(tiny)
    assert encoder.dropped_ == [] and len(encoder.feature_names_) == 5


def test_missing_values_name_every_column_and_the_rows():
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0, 4.0], "b": ["x", "y", None, "x"]})
    with pytest.raises(DataError) as info:
        TableEncoder().fit_transform(frame)
    message = str(info.value)
    assert "column 'a' at rows [1] (1 in all)" in message
    assert "column 'b' at rows [2] (1 in all)" in message
    assert "impute='median'" in message


@pytest.mark.parametrize(
    ("impute", "expected"), [("median", 3.0), ("mean", 3.25), ("most_frequent", 1.0)]
)
def test_impute_fills_numbers_and_the_most_frequent_level(impute, expected):
    frame = pd.DataFrame({"a": [1.0, np.nan, 1.0, 6.0, 5.0], "b": ["x", "y", None, "y", "x"]})
    frame.loc[4, "b"] = "y"
    encoder = TableEncoder(impute=impute)
    Z = encoder.fit_transform(frame)
    assert Z[1, 0] == pytest.approx(expected)
    assert Z[2, 1] == 1.0  # 'y' is the most frequent level, encoded as b=y
    new = pd.DataFrame({"a": [np.nan], "b": [None]})
    assert encoder.transform(new)[0].tolist() == pytest.approx([expected, 1.0])


def test_missing_at_predict_without_imputation_is_an_error():
    encoder = TableEncoder()
    encoder.fit_transform(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))
    with pytest.raises(DataError, match=r"column 'a' at rows \[0\]"):
        encoder.transform(pd.DataFrame({"a": [np.nan]}))


def test_unknown_level_and_text_in_numeric_column_name_row_and_column():
    encoder = TableEncoder()
    encoder.fit_transform(_table())
    bad = _table()
    bad.loc[2, "catalyst"] = "Ni"
    with pytest.raises(ValueError, match=r"row 2, column 'catalyst': level 'Ni' was not seen"):
        encoder.transform(bad)
    bad = _table().astype({"temperature": object})
    bad.loc[1, "temperature"] = "hot"
    with pytest.raises(ValueError, match=r"row 1, column 'temperature': 'hot' is not a number"):
        encoder.transform(bad)


def test_a_stray_text_in_a_numeric_column_is_an_error_not_a_category():
    frame = pd.DataFrame({"T": ["20", "40", "sixty", "80", "100"]})
    with pytest.raises(ValueError, match=r"row 2, column 'T': 'sixty' is not a number"):
        TableEncoder().fit_transform(frame)


def test_infinity_is_an_error_naming_row_and_column():
    frame = pd.DataFrame({"a": [1.0, 2.0, np.inf], "b": [0.0, 1.0, 2.0]})
    with pytest.raises(ValueError, match=r"inf at row 2, column 'a'"):
        TableEncoder().fit_transform(frame)


def test_no_usable_column():
    with pytest.raises(DataError, match="no usable input column"):
        TableEncoder().fit_transform(pd.DataFrame({"k": [1.0, 1.0, 1.0]}))


def test_objects_that_are_not_numbers_or_text_raise_type_error():
    X = np.ones((3, 2), dtype=object)
    X[1, 1] = {"foo": "bar"}
    with pytest.raises(TypeError, match="argument must be a string or a real number"):
        TableEncoder().fit_transform(as_frame(X))


def test_as_frame_errors():
    with pytest.raises(ValueError, match="Reshape your data"):
        as_frame(np.ones(3))
    with pytest.raises(ValueError, match="Complex data not supported"):
        as_frame(np.ones((3, 1)) * 1j)
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        as_frame(pd.DataFrame(np.ones((2, 3)), columns=["a", "a", "b"]))
    with pytest.raises(ValueError, match=r"0 sample\(s\) \(shape=\(0, 3\)\)"):
        as_frame(np.ones((0, 3)))
    from scipy import sparse

    with pytest.raises(TypeError, match="sparse"):
        as_frame(sparse.csr_matrix(np.eye(3)))


def test_check_target():
    assert check_target(["1", "2.5"], 2).tolist() == [1.0, 2.5]
    with pytest.raises(ValueError, match="y must be numeric.*'high'"):
        check_target(["high", "low"], 2)
    with pytest.raises(DataError, match=r"y is missing \(NaN\) at rows \[1\]"):
        check_target([1.0, np.nan], 2)
    with pytest.raises(ValueError, match="X has 3 rows but y has 2"):
        check_target([1.0, 2.0], 3)
    with pytest.raises(ValueError, match="inf"):
        check_target([1.0, np.inf], 2)
