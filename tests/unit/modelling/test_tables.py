"""Reading experiment tables: every kind of bad file gets one clear line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import DataError
from yieldlab.modelling.tables import check_numeric_columns, file_line, read_table, require_column


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiters_are_detected(tmp_path, sep):
    path = write(
        tmp_path,
        "runs.csv",
        sep.join(["T", "catalyst", "yield"])
        + "\n"
        + sep.join(["80", "Pd", "51.5"])
        + "\n"
        + sep.join(["90", "Ni", "60"])
        + "\n",
    )
    frame = read_table(path)
    assert list(frame.columns) == ["T", "catalyst", "yield"]
    assert frame["yield"].tolist() == [51.5, 60.0]
    assert frame.attrs["source"] == "runs.csv"


def test_excel_and_parquet(tmp_path):
    frame = pd.DataFrame({"T": [80.0, 90.0], "yield": [1.0, 2.0]})
    frame.to_excel(tmp_path / "runs.xlsx", index=False)
    frame.to_parquet(tmp_path / "runs.parquet")
    # Excel stores 80.0 as the integer 80: compare values, not dtypes
    pd.testing.assert_frame_equal(read_table(tmp_path / "runs.xlsx"), frame, check_dtype=False)
    pd.testing.assert_frame_equal(read_table(tmp_path / "runs.parquet"), frame)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.csv", "", "empty.csv is empty"),
        ("blank.csv", "\n\n  \n", "blank.csv is empty"),
        ("header.csv", "T,yield\n", "header.csv has a header but no rows of data"),
        ("dup.csv", "T,yield,T\n1,2,3\n", "column 'T' appears twice \\(columns 1 and 3\\)"),
        ("ragged.csv", "T,P,yield\n1,2,3\n4,5,6,7\n", "expected 3 fields in line 3, saw 4"),
        ("noname.csv", "T,,yield\n1,2,3\n", "column 2 has no name"),
        (
            "colon.csv",
            "T:P:yield\n1:2:3\n",
            "single column 'T:P:yield'; its delimiter looks like ':'",
        ),
    ],
)
def test_bad_files(tmp_path, name, text, message):
    with pytest.raises(DataError, match=message):
        read_table(write(tmp_path, name, text))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match="nothere.csv: file not found"):
        read_table(tmp_path / "nothere.csv")
    with pytest.raises(DataError, match="is a folder"):
        read_table(tmp_path)


def test_not_an_excel_file(tmp_path):
    path = write(tmp_path, "fake.xlsx", "T,yield\n1,2\n")
    with pytest.raises(DataError, match="fake.xlsx could not be read as an Excel file"):
        read_table(path)


def test_binary_garbage(tmp_path):
    path = tmp_path / "blob.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DataError, match="not a UTF-8 text table"):
        read_table(path)


def test_missing_target_suggests_the_closest_name(tmp_path):
    frame = read_table(write(tmp_path, "runs.csv", "temperature,yield\n1,2\n"))
    with pytest.raises(
        DataError,
        match="runs.csv: target column 'yeild' is not in the table; did you mean 'yield'",
    ):
        require_column(frame, "yeild")


def test_text_in_a_numeric_column_names_the_row(tmp_path):
    rows = "\n".join(
        f"{t},{y}" for t, y in zip(range(80, 100), np.linspace(40, 60, 20), strict=True)
    )
    text = "temperature,yield\n" + rows.replace("93,", "abc,") + "\n"
    frame = read_table(write(tmp_path, "runs.csv", text))
    with pytest.raises(DataError, match="runs.csv, row 15, column 'temperature': 'abc' is not"):
        check_numeric_columns(frame)


def test_a_text_column_is_categorical_not_an_error(tmp_path):
    frame = read_table(write(tmp_path, "runs.csv", "catalyst,yield\nPd,1\nNi,2\nCu,3\n"))
    check_numeric_columns(frame)
    with pytest.raises(DataError, match="row 2, column 'catalyst': 'Pd' is not a number"):
        check_numeric_columns(frame, required=("catalyst",))


def test_decimal_commas_of_a_semicolon_table_are_numbers(tmp_path):
    text = "T;catalyst;yield;lot\n111,25;Pd;61,5;1,2\n90;Ni;;3\n-1,5e2;Cu;7;4,5\n"
    frame = read_table(write(tmp_path, "runs.csv", text))
    assert frame["T"].tolist() == [111.25, 90.0, -150.0]
    assert frame["yield"].tolist()[::2] == [61.5, 7.0] and np.isnan(frame["yield"][1])
    assert frame["lot"].tolist() == [1.2, 3.0, 4.5]
    assert frame["catalyst"].tolist() == ["Pd", "Ni", "Cu"]  # text stays text
    # with commas between columns a quoted "1,5" is not taken for a number
    frame = read_table(write(tmp_path, "quoted.csv", 'T,code\n1,"1,5"\n2,"2,5"\n'))
    assert frame["code"].tolist() == ["1,5", "2,5"]


def test_decimal_commas_in_a_tab_separated_table_get_the_fix(tmp_path):
    frame = read_table(write(tmp_path, "runs.tsv", "T\tyield\n80\t61,5\n90\t7,25\n"))
    with pytest.raises(DataError) as info:
        check_numeric_columns(frame, required=("yield",))
    assert str(info.value) == (
        "runs.tsv, row 2, column 'yield': '61,5' is not a number; write it with a decimal "
        "point ('61.5'), or save the sheet as CSV with ';' between cells"
    )


def test_empty_rows_a_spreadsheet_leaves_at_the_end_are_dropped(tmp_path):
    frame = read_table(write(tmp_path, "runs.csv", "T,yield\n80,1\n90,2\n,\n,\n"))
    assert frame["yield"].tolist() == [1.0, 2.0]
    # one in the middle stays, for the check that names its row
    frame = read_table(write(tmp_path, "gap.csv", "T,yield\n80,1\n,\n90,2\n"))
    assert len(frame) == 3 and frame.iloc[1].isna().all()


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_text_columns_keep_levels_named_none_or_na(tmp_path, suffix):
    table = pd.DataFrame(
        {"additive": ["None", "NA", "LiCl", ""], "T": [1.0, 2.0, 3.0, 4.0], "note": ["NA"] * 4}
    )
    path = tmp_path / f"runs.{suffix}"
    if suffix == "csv":
        table.to_csv(path, index=False)
    else:
        table.to_excel(path, index=False)
    frame = read_table(path, text_columns=["additive"])
    assert frame["additive"].tolist()[:3] == ["None", "NA", "LiCl"]
    assert pd.isna(frame["additive"][3])  # an empty cell is still missing
    assert frame["note"].isna().all()  # other columns as before
    assert read_table(path)["additive"].isna().sum() == 3


def test_text_columns_are_not_taken_for_decimal_commas(tmp_path):
    path = write(tmp_path, "runs.csv", "temperature;solvent;yield\n20;1,2;61,5\n30;2,5;7\n")
    frame = read_table(path, text_columns=["solvent"])
    assert frame["solvent"].tolist() == ["1,2", "2,5"] and frame["yield"].tolist() == [61.5, 7.0]


def test_the_file_line_of_each_row_skips_blank_lines(tmp_path):
    frame = read_table(write(tmp_path, "runs.csv", "T,y\n1,2\n\n3,4\n"))
    assert frame.attrs["lines"] == [2, 4]


def test_the_sheet_holding_the_columns_is_read_from_a_workbook(tmp_path):
    path = tmp_path / "runs.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"info": ["plate 7, operator JS"]}).to_excel(
            book, sheet_name="notes", index=False
        )
        pd.DataFrame({"T": [80, 90], "yield": [51.5, 60.0]}).to_excel(
            book, sheet_name="runs", index=False
        )
    assert read_table(path, columns=["T"])["yield"].tolist() == [51.5, 60.0]
    assert read_table(path).columns.tolist() == ["info"]  # no columns asked: the first sheet


def test_text_markers_in_a_numeric_column_of_a_dataframe_are_named_by_index():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"temperature": rng.uniform(60, 110, 30).astype(object)})
    X.loc[[3, 7], "temperature"] = ["n/a", "-"]
    with pytest.raises(DataError, match="row 3, column 'temperature': 'n/a' is not a number"):
        check_numeric_columns(X)


def test_a_date_in_a_numeric_column_is_named():
    import datetime

    X = pd.DataFrame({"T": [*map(float, range(9)), datetime.datetime(2024, 1, 12)]}, dtype=object)
    with pytest.raises(DataError, match=r"row 9, column 'T': datetime.datetime\(2024, 1, 12"):
        check_numeric_columns(X)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            ["80 °C", "90 °C", "100 °C"],
            "runs.csv, row 2, column 'x': '80 °C' is not a number; write the numbers alone "
            "('80') and put the unit in the header: 'x (°C)'",
        ),
        (
            ["15.0%", "20 %", "31.5%"],
            "runs.csv, row 2, column 'x': '15.0%' is not a number; write the numbers alone "
            "('15.0') and put the unit in the header: 'x (%)'",
        ),
        (
            ['"111,000"', '"2,500"', '"13,250"'],
            "runs.csv, row 2, column 'x': '111,000' is not a number; write it without "
            "thousands separators ('111000')",
        ),
        (
            ['"1,5"', '"2,25"', "3"],
            "runs.csv, row 2, column 'x': '1,5' is not a number; write it with a decimal "
            "point ('1.5'), or save the sheet as CSV with ';' between cells",
        ),
        (
            ['"10.080,0"', '"2.500,5"', "3"],
            "runs.csv, row 2, column 'x': '10.080,0' is not a number; write it with a decimal "
            "point and without thousands separators ('10080.0')",
        ),
        (
            ["2 h", "30 min", "4 h"],
            "runs.csv, row 2, column 'x': '2 h' is not a number; the column mixes units (h, "
            "min): convert to one, write the numbers alone ('2') and put the unit in the "
            "header: 'x (h)'",
        ),
        (  # mostly numbers with a unit, some text: not a categorical of one level per row
            ["reflux", "80 °C", "90 °C", "rt", "100 °C"],
            "runs.csv, row 2, column 'x': 'reflux' is not a number; correct it or leave the "
            "cell empty",
        ),
    ],
    ids=["unit", "percent", "thousands", "decimal comma", "grouped comma", "units", "some text"],
)
def test_numbers_written_for_a_reader_are_refused_with_the_fix(tmp_path, cells, message):
    text = "x,yield\n" + "".join(f"{c},{k}\n" for k, c in enumerate(cells))
    frame = read_table(write(tmp_path, "runs.csv", text))
    with pytest.raises(DataError) as info:
        check_numeric_columns(frame)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "cells",
    [
        ["1a", "1b", "2a", "2b"],  # compounds of a paper
        ["12AB", "13CD", "14EF"],  # codes
        ["5% Pd/C", "10% Pd/C", "5% Pd/C"],  # catalysts
        ["Pd", "Pt", "Rh"],
    ],
)
def test_levels_that_start_with_a_number_stay_levels(tmp_path, cells):
    text = "x,yield\n" + "".join(f"{c},{k}\n" for k, c in enumerate(cells))
    check_numeric_columns(read_table(write(tmp_path, "runs.csv", text)))


def test_numbers_written_with_a_unit_in_a_dataframe_are_named_by_index():
    X = pd.DataFrame({"temperature": ["80 °C", "90 °C", "85 °C"]}, index=[10, 11, 12])
    with pytest.raises(DataError, match=r"^row 10, column 'temperature': '80 °C' is not a"):
        check_numeric_columns(X)
    check_numeric_columns(X.astype("category"))  # declared levels stay levels


def test_points_group_thousands_in_a_file_of_decimal_commas(tmp_path):
    text = "mass;yield;T\n111.000;61,5;80\n2.500;7;90\n1.234,5;8,25;100\n"
    frame = read_table(write(tmp_path, "runs.csv", text))
    assert frame["mass"].tolist() == [111000.0, 2500.0, 1234.5]
    assert frame["yield"].tolist() == [61.5, 7.0, 8.25]
    check_numeric_columns(frame)
    # without a decimal comma in the file, points are decimal points
    frame = read_table(write(tmp_path, "points.csv", "mass;yield\n1.500;61.5\n2.250;7\n"))
    assert frame["mass"].tolist() == [1.5, 2.25]


def test_a_decimal_point_in_a_file_of_decimal_commas_is_refused(tmp_path):
    path = write(tmp_path, "runs.csv", "T;mass;yield\n80;1,5;2,24\n90;2;1.11\n")
    with pytest.raises(DataError) as info:
        read_table(path)
    assert str(info.value) == (
        "runs.csv, row 3, column 'yield': '1.11' has a decimal point, but this file writes "
        "decimals with a comma ('1,5' in row 2, column 'mass'); write it as '1,11'"
    )


def test_a_bad_cell_is_named_by_its_line_after_blank_lines(tmp_path):
    rows = [f"{t},{t / 2}" for t in range(80, 88)]
    text = "\n".join(["temperature,yield", "", *rows[:3], "", *rows[3:], "abc,1"]) + "\n"
    path = write(tmp_path, "runs.csv", text)
    assert path.read_text().splitlines()[11] == "abc,1"  # line 12 of the file
    frame = read_table(path)
    with pytest.raises(DataError, match="runs.csv, row 12, column 'temperature': 'abc'"):
        check_numeric_columns(frame)


def test_file_line_follows_the_rows_a_selection_keeps(tmp_path):
    frame = read_table(write(tmp_path, "runs.csv", "T,y\n1,2\n\n3,4\n5,6\n"))
    assert [file_line(frame, k) for k in range(3)] == [2, 4, 5]
    assert file_line(frame[frame["T"] > 1], 0) == 4


def test_excels_sep_line_names_the_delimiter(tmp_path):
    frame = read_table(write(tmp_path, "runs.csv", "sep=;\nT;P;yield\n1;2;3,5\n\n4;5;6\n"))
    assert frame.columns.tolist() == ["T", "P", "yield"]
    assert frame["yield"].tolist() == [3.5, 6.0]
    assert frame.attrs["lines"] == [3, 5]


def test_workbook_headers_that_differ_only_in_spaces(tmp_path):
    pd.DataFrame(
        [[1, 2, 3], [4, 5, 6]], columns=["temperature", "temperature ", "yield"]
    ).to_excel(tmp_path / "runs.xlsx", index=False)
    with pytest.raises(DataError) as info:
        read_table(tmp_path / "runs.xlsx")
    assert str(info.value) == (
        "runs.xlsx: column 'temperature' appears twice (columns 1 and 2: 'temperature' and "
        "'temperature ' differ only in spaces); rename one of them"
    )


def test_spaces_around_text_cells_are_not_part_of_them(tmp_path):
    frame = read_table(write(tmp_path, "runs.csv", "catalyst,yield\nPt ,1\nPt,2\n   ,3\n"))
    assert frame["catalyst"].tolist()[:2] == ["Pt", "Pt"] and pd.isna(frame["catalyst"][2])
    table = pd.DataFrame({"catalyst": ["Pt ", "Pt", " "], "T": [1.0, 2.0, 3.0]})
    table.to_excel(tmp_path / "runs.xlsx", index=False)
    frame = read_table(tmp_path / "runs.xlsx")
    assert frame["catalyst"].tolist()[:2] == ["Pt", "Pt"] and pd.isna(frame["catalyst"][2])


def test_files_of_another_kind_than_their_suffix_says(tmp_path):
    pd.DataFrame({"T": [1, 2], "yield": [3, 4]}).to_excel(tmp_path / "book.xlsx", index=False)
    (tmp_path / "book.csv").write_bytes((tmp_path / "book.xlsx").read_bytes())
    with pytest.raises(DataError) as info:
        read_table(tmp_path / "book.csv")
    assert str(info.value) == (
        "book.csv is an Excel workbook (.xlsx) saved under the suffix '.csv'; rename it to "
        "book.xlsx"
    )
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # the start of an .xls workbook
    for name in ("old.xls", "old.csv"):
        (tmp_path / name).write_bytes(old)
        with pytest.raises(DataError) as info:
            read_table(tmp_path / name)
        assert str(info.value) == (
            f"{name} is an old Excel workbook (.xls), which yieldlab does not read; open it "
            "in Excel and save it as .xlsx or as CSV (UTF-8)"
        )
    pd.DataFrame({"T": [1, 2]}).to_parquet(tmp_path / "table.csv")
    with pytest.raises(
        DataError, match=r"table.csv is a Parquet file .*rename it to table.parquet"
    ):
        read_table(tmp_path / "table.csv")
    with pytest.raises(
        DataError, match="fake.xlsx could not be read as an Excel file: it is a text"
    ):
        read_table(write(tmp_path, "fake.xlsx", "T,yield\n1,2\n"))
