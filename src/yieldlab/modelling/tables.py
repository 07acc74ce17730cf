"""Reading the user's table of experiments (CSV, Excel or Parquet) with clear errors.

Every problem is reported with the file name and, where there is one, the row as a
spreadsheet shows it (the header is row 1, the first experiment row 2) and the column:
``data.csv, row 17, column 'temperature': 'abc' is not a number``.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._validation import closest_name
from ..exceptions import DataError

__all__ = [
    "check_numeric_columns",
    "file_line",
    "read_table",
    "require_column",
    "written_number_fix",
]

DELIMITERS = ",;\t|"
# a column is meant to be numeric when at least this share of its values are numbers
NUMERIC_SHARE = 0.8
# ... or when at least this share are numbers, or numbers written with a unit, a percent
# sign, thousands separators or a decimal comma ('80 °C', '15%', '1,234', '1,5')
WRITTEN_SHARE = 0.5
# the first bytes of files that are not text tables
_ZIP, _OLE, _PARQUET = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PAR1"


def read_table(
    path: str | os.PathLike,
    sep: str | None = None,
    text_columns: Sequence[str] = (),
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a table of experiments from ``.csv``/``.txt``/``.tsv``, ``.xlsx`` or ``.parquet``.

    Parameters
    ----------
    path : str or path-like
    sep : str, optional
        Column delimiter of a text file; by default detected among ``, ; tab |``.
    text_columns : sequence of str, optional
        Columns read as the text written (levels such as ``None`` or ``NA`` stay text;
        only an empty cell is missing), where present.
    columns : sequence of str, optional
        Columns the table should have: of a workbook with several sheets, the first sheet
        holding them all is read (default, and when none does: the first sheet).

    Returns
    -------
    DataFrame
        One row per experiment; column names as in the header.

    Raises
    ------
    DataError
        For a missing, empty or header-only file, duplicate column names, rows with a
        wrong number of fields, or a file that is not a table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "runs.csv").write_text("temperature;yield\\n80;51.2\\n90;60.4\\n")
    >>> read_table(folder / "runs.csv")["yield"].tolist()
    [51.2, 60.4]
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise DataError(f"{path}: file not found; check the path and the file name")
    if path.is_dir():
        raise DataError(f"{path} is a folder; expected a .csv, .xlsx or .parquet file")
    suffix = path.suffix.lower()
    _check_kind(path, suffix)
    if suffix in (".xlsx", ".xlsm"):
        frame = _read_excel(path, text_columns, columns)
    elif suffix == ".parquet":
        frame = _read_parquet(path)
    else:
        frame = _read_text(path, sep, text_columns)
    if frame.shape[1] == 0:
        raise DataError(f"{name} has no columns; expected a header row naming the columns")
    # a spreadsheet keeps 'temperature ' and 'temperature' apart; a reader does not
    _check_header(name, [str(c) for c in frame.columns])
    # surrounding spaces of a text cell are invisible in a spreadsheet: 'Pt ' is 'Pt'
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(
            frame[column]
        ):
            text = frame[column].map(lambda v: v.strip() if isinstance(v, str) else v)
            frame[column] = text.mask(text.eq(""))
    # rows left empty at the end (a spreadsheet saved with its blank rows) carry nothing;
    # an empty row in the middle stays, to be reported with its line
    filled = np.flatnonzero(frame.notna().any(axis=1).to_numpy())
    frame = frame.iloc[: filled[-1] + 1 if filled.size else 0]
    if len(frame) == 0:
        raise DataError(f"{name} has a header but no rows of data; add the experiments below it")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["source"] = name
    return frame


def _check_kind(path: Path, suffix: str) -> None:
    """Refuse a workbook or a Parquet file saved under another suffix, and old ``.xls``
    workbooks, saying what the file is and what to do."""
    name = path.name
    with open(path, "rb") as handle:
        head = handle.read(8)
    if suffix == ".parquet" or (suffix in (".xlsx", ".xlsm") and head.startswith(_ZIP)):
        return
    if head.startswith(_OLE) or suffix == ".xls":
        if suffix in (".xlsx", ".xlsm"):
            raise DataError(
                f"{name} is an old Excel workbook (.xls) or a password-protected one; open it "
                "in Excel and save it as .xlsx (without a password) or as CSV (UTF-8)"
            )
        raise DataError(
            f"{name} is an old Excel workbook (.xls), which yieldlab does not read; open it "
            "in Excel and save it as .xlsx or as CSV (UTF-8)"
        )
    if suffix in (".xlsx", ".xlsm"):
        return  # not a workbook: _read_excel says so
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                members = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            members = []
        if any(m.startswith("xl/") for m in members):
            raise DataError(
                f"{name} is an Excel workbook (.xlsx) saved under the suffix {path.suffix!r}; "
                f"rename it to {path.stem}.xlsx"
            )
        raise DataError(
            f"{name} is a zip archive, not a table; extract the table from it, or save the "
            "table as CSV (UTF-8) or .xlsx"
        )
    if head.startswith(_PARQUET):
        raise DataError(
            f"{name} is a Parquet file saved under the suffix {path.suffix!r}; rename it to "
            f"{path.stem}.parquet"
        )


# Excel's first line 'sep=;' names the delimiter of the file
_SEP_LINE = re.compile(r"\s*sep=(.)\1*\s*", flags=re.IGNORECASE)


def _read_text(path: Path, sep: str | None, text_columns: Sequence[str] = ()) -> pd.DataFrame:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(
            f"{name} is not a UTF-8 text table; save it as CSV (UTF-8) or .xlsx"
        ) from None
    every = text.splitlines()
    first = next((k for k, line in enumerate(every) if line.strip()), None)
    declared = _SEP_LINE.fullmatch(every[first]) if first is not None else None
    if declared:
        sep = sep or declared.group(1)
        every[first] = ""  # read as a blank line: the lines of the rows stay as in the file
        text = "\n".join(every) + "\n"
    lines = [line for line in every if line.strip()]
    if not lines:
        raise DataError(f"{name} is empty; expected a header row and one row per experiment")
    if sep is None:
        try:
            sep = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=DELIMITERS).delimiter
        except csv.Error:
            sep = ","
    header = next(csv.reader([lines[0]], delimiter=sep))
    if len(header) == 1:
        odd = [c for c in ":|/ " if c in header[0].strip()]
        if odd:
            raise DataError(
                f"{name} reads as a single column {header[0].strip()!r}; its delimiter looks "
                f"like {odd[0]!r}: save the table with commas, semicolons or tabs between "
                "columns"
            )
    _check_header(name, header)
    # NOTE: pandas skips blank lines: the file line of each row, for messages
    numbers = [k for k, line in enumerate(every, start=1) if line.strip()][1:]
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, skipinitialspace=True)
        if len(numbers) != len(frame):  # a quoted cell spans lines
            numbers = []
        verbatim = _verbatim(frame, text_columns)
        if verbatim:
            as_text = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                skipinitialspace=True,
                usecols=verbatim,
                dtype=str,
                keep_default_na=False,
            )
            frame[verbatim] = as_text[verbatim].replace("", np.nan)
        if sep == ";":
            raw = pd.read_csv(io.StringIO(text), sep=sep, skipinitialspace=True, dtype=str)
            frame = _decimal_commas(frame, raw, verbatim, name, numbers)
    except pd.errors.ParserError as exc:
        raise DataError(f"{name}: {_parser_message(str(exc), len(header))}") from None
    if numbers:
        frame.attrs["lines"] = numbers
    return frame


def _verbatim(frame: pd.DataFrame, text_columns: Sequence[str]) -> list[str]:
    """The columns of ``frame`` (header as written) named in ``text_columns``."""
    wanted = {str(c).strip() for c in text_columns}
    return [c for c in frame.columns if str(c).strip() in wanted]


_WITH_COMMA = re.compile(r"[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+(?:[eE][+-]?\d+)?")
# thousands grouped with points, as a decimal-comma locale writes them: '111.000', '1.234,5'
_POINT_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d*)?")
_POINT = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _decimal_commas(
    frame: pd.DataFrame,
    raw: pd.DataFrame,
    skip: Sequence[str],
    name: str,
    lines: Sequence[int],
) -> pd.DataFrame:
    """Columns of numbers written with a decimal comma (``1,5``; spreadsheets in many
    locales save ``;``-separated CSV so) as numbers; the columns in ``skip`` stay text.

    ``raw`` is the table as text. In a file whose numbers have decimal commas, a point
    groups thousands (``111.000``, ``1.234,5``); a point that cannot (``1.11``) is
    refused, as the number it means is unclear.
    """
    cells = {c: raw[c].dropna().str.strip() for c in raw.columns if c not in skip}
    cells = {c: text[text != ""] for c, text in cells.items()}
    evidence = None  # the first cell with a decimal comma: this file writes decimals so
    for column, text in cells.items():
        comma = text.str.fullmatch(_WITH_COMMA) | (
            text.str.fullmatch(_POINT_GROUPED) & text.str.contains(",", regex=False)
        )
        if comma.any():
            row = int(comma.to_numpy().argmax())
            evidence = (text.iloc[row], column, _line(lines, int(text.index[row])))
            break
    if evidence is not None:
        frame.attrs["decimal"] = ","
    for column, text in cells.items():
        if text.empty:
            continue
        comma = text.str.fullmatch(_WITH_COMMA)
        grouped = text.str.fullmatch(_POINT_GROUPED)
        point = text.str.fullmatch(_POINT) & ~grouped
        if not (comma | grouped | point | text.str.fullmatch(_INTEGER)).all():
            continue  # text: levels of a categorical, or a mistake check_numeric_columns names
        if evidence is None:
            continue  # no decimal comma in the file: its points are decimal points
        if point.any():
            row = int(point.to_numpy().argmax())
            cell, label = text.iloc[row], int(text.index[row])
            example, where, line = evidence
            raise DataError(
                f"{name}, row {_line(lines, label)}, column {column!r}: {cell!r} has a decimal "
                f"point, but this file writes decimals with a comma ({example!r} in row {line}"
                f", column {where!r}); write it as {cell.replace('.', ',')!r}"
            )
        if comma.any() or grouped.any():
            plain = raw[column].str.strip().str.replace(".", "", regex=False)
            frame[column] = pd.to_numeric(plain.str.replace(",", ".", regex=False))
    return frame


def _line(lines: Sequence[int], row: int) -> int:
    """The file line of the row at position ``row`` (the header is line 1)."""
    return lines[row] if 0 <= row < len(lines) else row + 2


def _parser_message(message: str, n_header: int) -> str:
    # pandas says "Error tokenizing data. C error: Expected 3 fields in line 5, saw 4"
    if "Expected" in message and "line" in message:
        detail = message.split("Expected", 1)[1].strip()
        return (
            f"expected {detail}; every row needs the {n_header} fields of the header "
            "(check the delimiter and stray separators in numbers)"
        )
    return message


def _check_header(name: str, header: list[str]) -> None:
    """Every column named, and no name twice (spaces around a name do not count)."""
    seen: dict[str, tuple[int, str]] = {}
    for position, written in enumerate(header, start=1):
        column = written.strip()
        if not column:
            raise DataError(f"{name}: column {position} has no name; name every column")
        if column in seen:
            first, spelled = seen[column]
            spaces = (
                f": {spelled!r} and {written!r} differ only in spaces"
                if spelled != written
                else ""
            )
            raise DataError(
                f"{name}: column {column!r} appears twice (columns {first} and {position}"
                f"{spaces}); rename one of them"
            )
        seen[column] = (position, written)


def _read_excel(
    path: Path, text_columns: Sequence[str] = (), columns: Sequence[str] = ()
) -> pd.DataFrame:
    try:
        sheets = pd.read_excel(path, sheet_name=None)
        wanted = {str(c).strip() for c in columns}
        sheet = next(
            (k for k, f in sheets.items() if wanted <= {str(c).strip() for c in f.columns}),
            next(iter(sheets)),
        )
        frame = sheets[sheet]
        verbatim = _verbatim(frame, text_columns)
        if verbatim:
            as_text = pd.read_excel(path, sheet_name=sheet, dtype=str, keep_default_na=False)
            frame[verbatim] = as_text[verbatim].replace("", np.nan)
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        try:
            path.read_text(encoding="utf-8-sig")
        except (UnicodeDecodeError, OSError):
            detail = str(exc)
        else:
            detail = f"it is a text file; rename it to {path.stem}.csv"
        raise DataError(f"{path.name} could not be read as an Excel file: {detail}") from None
    mangled = [
        c
        for c in frame.columns
        if isinstance(c, str)
        and c.rsplit(".", 1)[-1].isdigit()
        and c.rsplit(".", 1)[0] in frame.columns
    ]
    if mangled:
        original = mangled[0].rsplit(".", 1)[0]
        raise DataError(f"{path.name}: column {original!r} appears twice; rename one of them")
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and others
        raise DataError(f"{path.name} could not be read as a Parquet file: {exc}") from None


def require_column(frame: pd.DataFrame, column: str, what: str = "target") -> None:
    """Raise a :class:`DataError` suggesting the closest name when ``column`` is missing.

    Examples
    --------
    >>> require_column(pd.DataFrame({"yield": [1.0]}), "yeild")
    Traceback (most recent call last):
    ...
    yieldlab.exceptions.DataError: target column 'yeild' is not in the table; did you mean 'yield'? The columns are ['yield']
    """  # noqa: E501
    if column in frame.columns:
        return
    source = frame.attrs.get("source")
    where = f"{source}: " if source else ""
    hint = closest_name(column, [str(c) for c in frame.columns])
    did_you_mean = f"; did you mean {hint!r}?" if hint else ";"
    raise DataError(
        f"{where}{what} column {column!r} is not in the table{did_you_mean} The columns are "
        f"{[str(c) for c in frame.columns]}"
    )


def file_line(frame: pd.DataFrame, position: int) -> int:
    """The line in its file of the row at ``position`` of a table :func:`read_table` read.

    The header is line 1; blank lines the reader skipped are counted, as a spreadsheet or
    an editor shows them. Rows are found by their index label, so a table whose rows were
    selected (``frame[frame['T'] > 50]``) still names the lines of the file.

    Examples
    --------
    >>> frame = pd.DataFrame({"T": [1.0, 2.0]})
    >>> frame.attrs["lines"] = [2, 4]  # a blank line 3
    >>> file_line(frame, 1), file_line(frame.iloc[1:], 0)
    (4, 4)
    """
    label = frame.index[position]
    if isinstance(label, int | np.integer):
        return _line(frame.attrs.get("lines") or [], int(label))
    return position + 2


def _text_or_date(value: object) -> bool:
    return isinstance(value, str | datetime.date | np.datetime64)


class _Written(NamedTuple):
    """A number written for a reader, not for a program: ``kind`` is 'unit' (``80 °C``,
    ``15%``), 'thousands' (``111,000``, ``1 000``), 'grouped comma' (``10.080,0``) or
    'comma' (``1,5``); ``plain`` the number as a program reads it; ``unit`` the unit."""

    kind: str
    plain: str
    unit: str = ""


# thousands in groups of three: '111,000', '1 000', "1'000", '10.080,0', '1,234.5'
_GROUPS = re.compile(
    r"[+-]?[1-9]\d{0,2}(?P<sep>[,. \u00a0\u202f'\u2019])\d{3}(?:(?P=sep)\d{3})*"
    r"(?P<decimal>[.,]\d*)?"
)
_NUMBER_AND_UNIT = re.compile(
    r"(?P<number>[+-]?(?:\d[\d.,\u00a0\u202f' ]*\d|\d|[.,]\d+))\s*(?P<unit>\S+)"
)
# a unit starts with a sign of one, two letters, or a letter that is a unit on its own (a
# single other letter is a label: the compounds '1a', '1b' of a paper)
_UNIT = re.compile(
    r"(?:[%\u2030\u00b0\u00b5\u03bc\u00c5]|[^\W\d_]{2}|[hsgmKMLVWJNCA])[^\s,;:()]{0,12}"
)


def _plain_number(text: str) -> _Written | None:
    """``text`` written with thousands separators or a decimal comma, else None."""
    grouped = _GROUPS.fullmatch(text)
    if grouped and not (grouped["decimal"] or "").startswith(grouped["sep"]):
        plain = text.replace(grouped["sep"], "")
        kind = "grouped comma" if (grouped["decimal"] or "").startswith(",") else "thousands"
        return _Written(kind, plain.replace(",", "."))
    if _WITH_COMMA.fullmatch(text):
        return _Written("comma", text.replace(",", "."))
    return None


def _written(value: object) -> _Written | None:
    """How the cell ``value`` writes a number, when it is not one a program reads."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    plain = _plain_number(text)
    if plain is not None:
        return plain
    match = _NUMBER_AND_UNIT.fullmatch(text)
    if match is None or not _UNIT.fullmatch(match["unit"]):
        return None
    number = match["number"]
    if not re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)", number):
        written = _plain_number(number)
        if written is None:
            return None
        number = written.plain
    return _Written("unit", number, match["unit"])


def written_number_fix(
    column: str, value: object, header: bool = True, decimal: str = "."
) -> str | None:
    """How to write ``value``, a number written with a unit, a percent sign, thousands
    separators or a decimal comma, so that it reads as a number; None for another value.

    Parameters
    ----------
    column : str
        The column of the cell (a unit goes into its header).
    value : object
        The cell.
    header : bool, default=True
        Suggest moving a unit into the header (False where the header is fixed: the table
        a model predicts for).
    decimal : {'.', ','}, default='.'
        The decimal mark of the file.

    Returns
    -------
    str or None

    Examples
    --------
    >>> written_number_fix("temperature", "80 °C")
    "write the numbers alone ('80') and put the unit in the header: 'temperature (°C)'"
    >>> written_number_fix("mass", "111,000")
    "write it without thousands separators ('111000')"
    >>> written_number_fix("catalyst", "Pd") is None
    True
    """
    written = _written(value)
    if written is None:
        return None
    plain = written.plain if decimal == "." else written.plain.replace(".", ",")
    if written.kind == "unit":
        if not header:
            return f"write the number alone ({plain!r})"
        if written.unit in column:
            return f"write the numbers alone ({plain!r}); the header names the unit"
        named = f"{column} ({written.unit})"
        return f"write the numbers alone ({plain!r}) and put the unit in the header: {named!r}"
    if written.kind == "thousands" or (written.kind == "grouped comma" and decimal == ","):
        return f"write it without thousands separators ({plain!r})"
    if written.kind == "grouped comma":
        return f"write it with a decimal point and without thousands separators ({plain!r})"
    if decimal == ",":
        return None  # a decimal comma in a file of decimal commas is a number
    return (
        f"write it with a decimal point ({plain!r}), or save the sheet as CSV with ';' "
        "between cells"
    )


def _number_like(series: pd.Series, numbers: pd.Series) -> int:
    """How many cells of ``series`` are numbers, or numbers written with a unit (the
    commonest unit in at least half of such cells: codes such as '12AB' are no unit),
    thousands separators or a decimal comma."""
    written = [w for w in series[numbers.isna()].map(_written) if w is not None]
    units = Counter(w.unit for w in written if w.unit)
    if units and 2 * units.most_common(1)[0][1] < sum(units.values()):
        written = [w for w in written if not w.unit]
    return int(numbers.notna().sum()) + len(written)


def check_numeric_columns(frame: pd.DataFrame, required: tuple[str, ...] = ()) -> None:
    """Find text in columns that are meant to be numeric and name the first bad cell.

    A column is meant to be numeric when it is in ``required`` (e.g. the target), when
    most of its values (80 %) are numbers, or when at least half are numbers or numbers
    written for a reader: with a unit (``80 °C``), a percent sign (``15%``), thousands
    separators (``111,000``) or a decimal comma (``1,5``). A stray text such as ``'n/a'``
    in a column of numbers is an error, and so is a number written so (the error says how
    to write it), while a column of catalyst names is a categorical input; so is a column
    of dtype ``category``, whatever its values. A row is named by its line in the file
    (``frame.attrs['source']``; :func:`file_line`), else by its index label.

    Parameters
    ----------
    frame : DataFrame
    required : tuple of str, optional
        Columns that must be numeric.

    Raises
    ------
    DataError
        ``data.csv, row 17, column 'temperature': 'abc' is not a number; ...``.
    """
    source = frame.attrs.get("source")
    where = f"{source}, " if source else ""
    decimal = frame.attrs.get("decimal", ".")

    # a file's rows are its lines (the header is line 1); a DataFrame's, its index labels
    def name_row(row: int) -> object:
        if source:
            return file_line(frame, row)
        label = frame.index[row]
        return label.item() if isinstance(label, np.generic) else label

    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        present = series.notna()
        if not present.any():
            continue
        readable = series
        if decimal == ",":  # in a file of decimal commas, '61,5' is a number
            readable = series.map(
                lambda v: v.replace(",", ".") if isinstance(v, str) and _WITH_COMMA.fullmatch(v)
                else v
            )  # fmt: skip
        numbers = pd.to_numeric(readable.astype(object), errors="coerce")
        share = numbers[present].notna().mean()
        written = (
            not isinstance(series.dtype, pd.CategoricalDtype)
            and _number_like(series[present], numbers[present]) >= WRITTEN_SHARE * present.sum()
        )
        if column in required or share >= NUMERIC_SHARE or written:
            # text or a date (a spreadsheet's '12/1') where a number belongs; other objects
            # are left to the encoder, which treats them as levels
            bad = present & numbers.isna() & series.map(_text_or_date)
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                value = series.iloc[row]
                fix = written_number_fix(str(column), value, decimal=decimal)
                units = sorted({w.unit for w in series.map(_written) if w is not None and w.unit})
                if fix and len(units) > 1:
                    fix = f"the column mixes units ({', '.join(units)}): convert to one, {fix}"
                raise DataError(
                    f"{where}row {name_row(row)!r}, column {column!r}: {value!r} is "
                    f"not a number; {fix or 'correct it or leave the cell empty'}"
                )
