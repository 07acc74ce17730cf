"""Reading experiment tables: every kind of bad file gets one clear line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import DataError
from yieldlab.modelling.tables import check_numeric_columns, read_table, require_column


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
        (
            "ragged.csv",
            "T,P,yield\n1,2,3\n4,5,6,7\n",
            "ragged.csv, line 3: the value '7' lies beyond the 3 columns the header names; "
            "give its column a header",
        ),
        # every row one cell longer: pandas would take the first column as the index and
        # shift every value one column to the left
        ("shifted.csv", "T,P,yield\n100,120,70,71\n", "line 2: the value '71' lies beyond"),
        ("noted.csv", "T,P,yield,\n1,2,3,\n4,5,6,ok\n", "column 4 has no name"),
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
    with pytest.raises(DataError, match="blob.csv is not a text table in a known encoding"):
        read_table(path)


@pytest.mark.parametrize(
    "text",
    [
        "T,P,yield\n100,120,70,\n130,150,80,\n",  # a delimiter at the end of every row
        "T,P,yield,\n100,120,70,\n130,150,80,\n",  # and of the header
        "T,P,yield\n100,120,70\n130,150,80,, \n",
    ],
)
def test_empty_cells_beyond_the_header_are_left_out(tmp_path, text):
    frame = read_table(write(tmp_path, "runs.csv", text))
    assert frame.to_dict("list") == {"T": [100, 130], "P": [120, 150], "yield": [70, 80]}


@pytest.mark.parametrize(
    ("encoding", "sep"), [("cp1252", ","), ("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", ",")]
)
def test_excel_text_encodings(tmp_path, encoding, sep):
    # Excel's "CSV (Comma delimited)" on Windows is Windows-1252; "Unicode Text" UTF-16
    path = tmp_path / "runs.txt"
    path.write_bytes(f"T [°C]{sep}yield{sep}note\n80{sep}51{sep}café\n".encode(encoding))
    frame = read_table(path)
    assert frame.to_dict("list") == {"T [°C]": [80], "yield": [51], "note": ["café"]}


def test_a_utf8_header_above_rows_typed_in_windows_1252(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_bytes("T [°C],note\n".encode() + "80,café\n".encode("cp1252"))
    assert read_table(path).to_dict("list") == {"T [°C]": [80], "note": ["café"]}


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
    with pytest.raises(DataError, match="runs.csv, line 15, column 'temperature': 'abc' is not"):
        check_numeric_columns(frame)


def test_a_text_column_is_categorical_not_an_error(tmp_path):
    frame = read_table(write(tmp_path, "runs.csv", "catalyst,yield\nPd,1\nNi,2\nCu,3\n"))
    check_numeric_columns(frame)
    with pytest.raises(DataError, match="line 2, column 'catalyst': 'Pd' is not a number"):
        check_numeric_columns(frame, required=("catalyst",))


def test_numbers_written_with_their_unit_are_refused_with_the_fix(tmp_path):
    # '80 °C' in every row made a categorical input with a level per row, silently
    text = "temperature,time,yield\n80 °C,2 h,50\n95 °C,4 h,61\n110 °C,1 h,58\n"
    frame = read_table(write(tmp_path, "runs.csv", text))
    with pytest.raises(
        DataError,
        match=r"runs.csv, line 2, column 'temperature': '80 °C' is a number written with its "
        r"unit; write the numbers alone \('80'\) and put the unit in the header: "
        r"'temperature \(°C\)'",
    ):
        check_numeric_columns(frame)
    with pytest.raises(DataError, match=r"'15.0%' is a number .* header: 'load \(%\)'"):
        check_numeric_columns(pd.DataFrame({"load": ["15.0%", "20%", "5%"]}))


def test_numbers_in_mixed_units_are_refused_not_converted(tmp_path):
    # as levels, '2 h', '30 min' and '1 h' are three unrelated categories
    text = "time,yield\n2 h,50\n30 min,61\n1 h,58\n2 h,49\n"
    frame = read_table(write(tmp_path, "runs.csv", text))
    with pytest.raises(
        DataError,
        match=r"runs.csv, column 'time' mixes units \('2 h', '30 min'\); convert every value "
        r"to one unit, write the numbers alone and put the unit in the header, e.g. "
        r"'time \(h\)'",
    ):
        check_numeric_columns(frame)
    assert frame["time"].tolist() == ["2 h", "30 min", "1 h", "2 h"]  # nothing converted
    for values in (["2h", "30min", "1h"], ["1M", "50mM", "0.5M"], ["5 μL", "10 μL", "1 mL"]):
        with pytest.raises(DataError, match=r"column 'x' mixes units"):
            check_numeric_columns(pd.DataFrame({"x": values}))
    # the Greek mu that phones insert is a unit too
    with pytest.raises(DataError, match=r"'5 μL' is a number written with its unit"):
        check_numeric_columns(pd.DataFrame({"x": ["5 μL", "10 μL", "20 μL"]}))
    # a column of dtype category says its values are levels: no check applies
    levels = pd.Categorical(["2 h", "30 min", "none", "1,000", "2 h"])
    check_numeric_columns(pd.DataFrame({"x": levels}))


@pytest.mark.parametrize(
    "labels",
    [
        ["1A", "1B", "2A", "2B"],  # vials
        ["1A", "2A", "3A"],  # one letter that is no unit here
        ["5%Pd/C", "10%Pd/C", "5%Pt/C"],
        ["1a", "1g", "1a", "1g"],  # compounds
        ["1st", "2nd", "3rd"],
        ["1,2", "1,4", "1,2"],  # regioisomers
        ["5 mL", "5 mL", "5 mL"],  # one number: a constant, not a level per row
        ["2 h", "30 min", "1 h", "1 A"],  # A is no unit here: not all are numbers with one
        ["3g", "3h", "3s", "3g"],  # compounds, not grams, hours and seconds
        ["3h", "3s", "3h"],  # one measure, but one-letter units need a space to be mixed
        ["5 mg", "2 h", "7 µL"],  # three measures
        ["5 mL", "2 g", "7 mL"],  # a volume and a mass: no one unit to convert to
        ["80 °C", "95 °C"],  # two rows say too little
    ],
)
def test_labels_that_hold_numbers_stay_levels(labels):
    check_numeric_columns(pd.DataFrame({"label": labels}))


def test_a_category_dtype_says_the_values_are_levels():
    frame = pd.DataFrame({"grade": pd.Categorical(["10 mg", "20 mg", "50 mg"])})
    check_numeric_columns(frame)


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
        "runs.tsv, line 2, column 'yield': '61,5' is not a number; write it with a decimal "
        "point ('61.5'), or save the sheet as CSV with ';' between cells"
    )


def test_thousands_separators_of_a_comma_table_get_the_fix(tmp_path):
    # Excel writes a cell shown as 1,250 as "1,250": a column of them became levels
    text = 'T,cost\n80,"1,250"\n90,980\n100,"2,100.5"\n'
    frame = read_table(write(tmp_path, "runs.csv", text))
    with pytest.raises(DataError) as info:
        check_numeric_columns(frame)
    assert str(info.value) == (
        "runs.csv, line 2, column 'cost': '1,250' is not a number; write it without the "
        "thousands separator ('1250'), or with a decimal point if the comma is a decimal "
        "comma ('1.250')"
    )
    # after a blank line the rows are named by their line in the file
    frame = read_table(write(tmp_path, "gap.csv", 'T,cost\n80,980\n\n90,"1,250"\n95,990\n'))
    with pytest.raises(DataError, match=r"gap.csv, line 4, column 'cost': '1,250' is not"):
        check_numeric_columns(frame)
    # beside decimal commas a comma is a decimal comma; '0,125' is never thousands
    frame = read_table(write(tmp_path, "dec.tsv", "T\tyield\n80\t61,500\n90\t7,25\n"))
    with pytest.raises(DataError, match=r"line 2, .*'61,500' is not a number; write it with a "):
        check_numeric_columns(frame, required=("yield",))
    frame = read_table(write(tmp_path, "lead.tsv", "T\tconc\n80\t0,125\n90\t0,250\n"))
    with pytest.raises(DataError, match=r"'0,125' is not a number; write it with a decimal "):
        check_numeric_columns(frame, required=("conc",))
    # also when empty rows at the end were dropped
    text_end = 'T,cost\n80,980\n\n90,"1,250"\n95,990\n,\n'
    frame = read_table(write(tmp_path, "trail.csv", text_end))
    with pytest.raises(DataError, match=r"trail.csv, line 4, column 'cost'"):
        check_numeric_columns(frame)
    frame = read_table(write(tmp_path, "million.csv", 'T,cost\n80,"1,250,000"\n90,5\n'))
    with pytest.raises(
        DataError, match=r"write it without the thousands separator \('1250000'\)$"
    ):
        check_numeric_columns(frame)
    frame = read_table(write(tmp_path, "runs.csv", text))
    frame.loc[0, "cost"] = "1250"
    with pytest.raises(
        DataError,
        match=r"line 4, .*'2,100.5' is not a number; write it "
        r"without the thousands separator \('2100.5'\)$",
    ):
        check_numeric_columns(frame)


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


def test_a_target_written_with_its_unit_or_a_marker_gets_a_fix_that_works(tmp_path):
    # '85%' in the target was 'not a number; correct it or leave the cell empty', and an
    # empty target cell is refused in turn
    frame = read_table(write(tmp_path, "runs.csv", "T,yield\n80,61\n90,85 %\n100,--\n"))
    with pytest.raises(
        DataError,
        match=r"runs.csv, line 3, column 'yield': '85 %' is not a number; write the number "
        r"alone \('85'\) and put the unit in the header: 'yield \(%\)'",
    ):
        check_numeric_columns(frame, required=("yield",))
    frame = read_table(write(tmp_path, "runs.csv", "T,yield\n80,61\n90,85\n100,--\n"))
    with pytest.raises(
        DataError, match="line 4, column 'yield': '--' is not a number; correct it, or delete "
    ):
        check_numeric_columns(frame, required=("yield",))


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("# exported from the ELN on 2026-11-27\nT,yield\n80,51\n90,60\n", [3, 4]),
        ("# one\n#\n# two\n\nT,yield\n80,51\n90,60\n", [6, 7]),
        ("sep=;\nT;yield\n80;51\n90;60\n", [3, 4]),  # Excel's line naming the delimiter
        ("sep=\t\r\nT\tyield\r\n80\t51\r\n90\t60\r\n", [3, 4]),  # and a tab
    ],
)
def test_comment_lines_and_excel_sep_line_above_the_header_are_skipped(tmp_path, text, lines):
    frame = read_table(write(tmp_path, "runs.csv", text))
    assert frame.to_dict("list") == {"T": [80, 90], "yield": [51, 60]}
    assert frame.attrs["lines"] == lines  # messages still name the file's lines


@pytest.mark.parametrize("first", ["#", "# run"])
def test_a_header_starting_with_a_hash_is_a_header(tmp_path, first):
    # a '#' line with as many cells as the line below is the header, not a comment
    frame = read_table(write(tmp_path, "runs.csv", f"{first},T,yield\n1,80,51\n2,90,60\n"))
    assert frame.columns.tolist() == [first, "T", "yield"]


def test_line_breaks_inside_cells_and_unclosed_quotes(tmp_path):
    text = "T,notes,yield\n80,note\u2028more,50\n81,ok,51\n"  # U+2028 is not a new row
    frame = read_table(write(tmp_path, "runs.csv", text))
    assert frame["yield"].tolist() == [50, 51] and frame["notes"][0] == "note\u2028more"
    text = 'T,notes,yield\n80,"unclosed,50\n' + "81,ok,51\n" * 20000
    with pytest.raises(DataError, match="big.csv, line .*; check the quotes"):
        read_table(write(tmp_path, "big.csv", text))


def test_a_row_with_fewer_fields_than_the_header_is_refused(tmp_path):
    # a sheet cut off in its last row: '...,Cu,35' was recorded as 35 (of 35.5) and a
    # failed run (the cells after it empty)
    text = "experiment,catalyst,yield,cost,purity\n1,Pd,50,3.0,94\n2,Cu,35"
    with pytest.raises(DataError) as info:
        read_table(write(tmp_path, "plan.csv", text))
    assert str(info.value) == (
        "plan.csv, line 3: the row has 3 fields and the header 5 (the file ends in this row "
        "without a line break: it may have been cut off in copying); complete the row, "
        "writing an empty cell as nothing between two delimiters (',,')"
    )
    # a short row in the middle, after a blank line, in a semicolon sheet
    text = "T;catalyst;yield\n80;Pd;50\n\n90;Ni\n100;Cu;61\n"
    with pytest.raises(DataError) as info:
        read_table(write(tmp_path, "gap.csv", text))
    assert str(info.value) == (
        "gap.csv, line 4: the row has 2 fields and the header 3; complete the row, writing "
        "an empty cell as nothing between two delimiters (';;')"
    )


@pytest.mark.parametrize(
    "text",
    [
        'T,notes,yield\n80,"a, b",50\n90,"c,\nd",51\n',  # quoted delimiters and line breaks
        "T,P,yield\n100,,70\n130,150,\n",  # empty cells written between delimiters
        "T,P,yield\n100,120,70\n,,\n\n",  # blank rows at the end
    ],
)
def test_rows_with_every_field_are_read(tmp_path, text):
    frame = read_table(write(tmp_path, "runs.csv", text))
    assert frame.shape[1] == 3


def test_a_decimal_point_in_a_decimal_comma_sheet_is_named(tmp_path):
    # the one cell typed with a point left the column as text, and the error blamed the
    # correct '71,2' on line 2 with the advice to write decimal points
    text = "T;catalyst;yield;cost\n95,7;Pd;71,2;1,5\n70,8;Cu;74.5;1,6\n"
    with pytest.raises(DataError) as info:
        read_table(write(tmp_path, "plan.csv", text))
    assert str(info.value) == (
        "plan.csv, line 3, column 'yield': '74.5' is written with a decimal point, but the "
        "sheet writes decimal commas elsewhere ('71,2' on line 2); write it with a decimal "
        "comma, as the rest ('74,5')"
    )
    # a point before three digits may be a thousands separator: refused, not guessed
    text = "T;yield;cost\n95,7;71,2;1.500\n70,8;74,5;2.250\n80;70;3\n"
    with pytest.raises(DataError) as info:
        read_table(write(tmp_path, "cost.csv", text))
    assert str(info.value) == (
        "cost.csv, line 2, column 'cost': '1.500' is written with a decimal point (also: "
        "'2.250' on line 3), but the sheet writes decimal commas elsewhere ('95,7' on line "
        "2, column 'T'); write it with a decimal comma, as the rest ('1,500'), or as '1500' "
        "if its point separates thousands"
    )


@pytest.mark.parametrize(
    "text",
    [
        "T;yield\n80;71.2\n90;74.5\n",  # a semicolon sheet with decimal points
        "T;yield\n80;71.2\n90;74.5\n95;1,5\n",  # mostly points: the comma is the odd one
    ],
)
def test_decimal_points_of_a_sheet_that_uses_them_are_read(tmp_path, text):
    frame = read_table(write(tmp_path, "runs.csv", text))
    assert frame["T"].tolist()[:2] == [80, 90]
    # text columns (levels such as '1.5') are not numbers
    text = "T;grade;yield\n80;1.5;71,2\n90;2.5;74,5\n"
    frame = read_table(write(tmp_path, "grades.csv", text), text_columns=["grade"])
    assert frame["grade"].tolist() == ["1.5", "2.5"] and frame["yield"].tolist() == [71.2, 74.5]


def percent_workbook(path, formats):
    """A workbook whose 'yield' column holds 71.2 / 100 (0.7120000000000001), 0.74 and 0.66
    in cells of ``formats``."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["T", "catalyst", "yield"])
    values = (71.2 / 100, 0.74, 0.66)
    for k, (value, number_format) in enumerate(zip(values, formats, strict=True), start=2):
        sheet.append([80 + k, "Pd", value])
        sheet.cell(k, 3).number_format = number_format
    book.save(path)
    return path


def test_a_cell_formatted_as_a_percentage_is_refused(tmp_path):
    # Excel shows 71.2% for a cell holding 0.712: it was recorded as 0.712, silently
    path = percent_workbook(tmp_path / "plan.xlsx", ["0.0%", "0.0%", "0%"])
    with pytest.raises(DataError) as info:
        read_table(path)
    assert str(info.value) == (
        "plan.xlsx, line 2, column 'yield': the cell is formatted as a percentage (shows "
        "71.2%, holds 0.712; 2 more cell(s) of the sheet are formatted so); type the number "
        "to record (71.2 or 0.712) in a cell formatted as a number"
    )
    path = percent_workbook(tmp_path / "last.xlsx", ["General", "0.00", "0%"])
    with pytest.raises(DataError, match=r"^last.xlsx, line 4, column 'yield': .* \(shows 66%, "):
        read_table(path)
    # a '%' shown as text, not as a percentage; and an empty or text cell formatted as one
    path = percent_workbook(tmp_path / "text.xlsx", ['0.0" %"', "General", "General"])
    assert read_table(path)["yield"].tolist() == pytest.approx([0.712, 0.74, 0.66])
    import openpyxl

    book = openpyxl.load_workbook(path)
    for row, value in ((5, None), (6, "n/a")):
        book.active.cell(row, 1, 90)
        book.active.cell(row, 3, value).number_format = "0.0%"
    book.save(path)
    assert len(read_table(path)) == 5
