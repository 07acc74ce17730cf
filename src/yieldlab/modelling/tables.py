"""Reading the user's table of experiments (CSV, Excel or Parquet) with clear errors.

Every problem is reported with the file name and, where there is one, the row as a
spreadsheet shows it (the header is row 1, the first experiment row 2) and the column:
``data.csv, line 17, column 'temperature': 'abc' is not a number``.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import closest_name
from ..exceptions import DataError
from .notation import COMMA_NUMBER, THOUSANDS, unit_of, written_units

__all__ = ["check_numeric_columns", "read_table", "require_column"]

DELIMITERS = ",;\t|"
# a column is meant to be numeric when at least this share of its values are numbers
NUMERIC_SHARE = 0.8


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
    if suffix in (".xlsx", ".xlsm"):
        frame = _read_excel(path, text_columns, columns)
    elif suffix == ".parquet":
        frame = _read_parquet(path)
    else:
        frame = _read_text(path, sep, text_columns)
    if frame.shape[1] == 0:
        raise DataError(f"{name} has no columns; expected a header row naming the columns")
    # rows left empty at the end (a spreadsheet saved with its blank rows) carry nothing;
    # an empty row in the middle stays, to be reported with its line
    filled = np.flatnonzero(frame.notna().any(axis=1).to_numpy())
    frame = frame.iloc[: filled[-1] + 1 if filled.size else 0]
    if "lines" in frame.attrs:  # the file line of each row left
        frame.attrs["lines"] = frame.attrs["lines"][: len(frame)]
    if len(frame) == 0:
        raise DataError(f"{name} has a header but no rows of data; add the experiments below it")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["source"] = name
    return frame


def line_of(frame: pd.DataFrame, row: int) -> int:
    """The line of the file that row ``row`` (counted from 0) of a table read by
    :func:`read_table` came from, as an editor numbers it (blank and comment lines
    counted); for a workbook or a DataFrame, the header is line 1 and rows follow.

    Examples
    --------
    >>> line_of(pd.DataFrame({"x": [1, 2]}), 1)
    3
    """
    lines = frame.attrs.get("lines")
    if lines is not None and len(lines) == len(frame) and 0 <= row < len(lines):
        return int(lines[row])
    return row + 2


def _read_text(path: Path, sep: str | None, text_columns: Sequence[str] = ()) -> pd.DataFrame:
    name = path.name
    text = _decoded(name, path.read_bytes())
    text, hinted = _preamble(text)
    sep = sep or hinted
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DataError(f"{name} is empty; expected a header row and one row per experiment")
    if sep is None:
        try:
            sep = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=DELIMITERS).delimiter
        except csv.Error:  # rows of unequal length: the delimiter the header has most of
            sep = max(DELIMITERS, key=lines[0].count)
    header = next(csv.reader([lines[0]], delimiter=sep))
    if len(header) == 1:
        odd = [c for c in ":|/ " if c in header[0].strip()]
        if odd:
            raise DataError(
                f"{name} reads as a single column {header[0].strip()!r}; its delimiter looks "
                f"like {odd[0]!r}: save the table with commas, semicolons or tabs between "
                "columns"
            )
    rows = _rows(name, text, sep)
    width = _width(name, header, rows, sep, ends_cut=not text.rstrip(" \t").endswith(("\n", "\r")))
    _check_header(name, [h.strip() for h in header[:width]])
    if sep == ";":
        _check_decimal_points(name, header[:width], rows, text_columns)
    # NOTE: never the first column as the index (pandas does so when every row has one
    # cell more than the header, shifting every value one column to the left)
    shape = {"index_col": False, "usecols": list(range(width))}
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, skipinitialspace=True, **shape)
        verbatim = _verbatim(frame, text_columns)
        if verbatim:
            as_text = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                skipinitialspace=True,
                usecols=verbatim,
                index_col=False,
                dtype=str,
                keep_default_na=False,
            )
            frame[verbatim] = as_text[verbatim].replace("", np.nan)
    except pd.errors.ParserError as exc:
        raise DataError(f"{name}: {_parser_message(str(exc), len(header))}") from None
    if sep == ";":
        frame = _decimal_commas(frame, skip=verbatim)
    # NOTE: pandas skips blank lines: the file line of each row, for messages
    numbers = [k for k, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(numbers) == len(frame) + 1:  # no cell spans lines
        frame.attrs["lines"] = numbers[1:]
    return frame


def _preamble(text: str) -> tuple[str, str | None]:
    """``text`` with the lines above the header blanked (so every line keeps its number),
    and the delimiter they name: Excel's ``sep=;`` line, and comment lines starting with
    ``#`` and a space (``# exported from the ELN, 2026-11-27``)."""
    lines = text.split("\n")  # NOTE: not splitlines(), which also breaks at U+2028 in cells
    sep = None
    for k, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        named = re.fullmatch(r" *sep=(.)\r?", line, flags=re.IGNORECASE)  # the tab in 'sep=\t'
        if named:
            sep = named.group(1)
        elif not re.match(r"#(\s|$)", stripped) or _cells(stripped) >= _cells(_next(lines, k)):
            break  # the header ('#,T,yield', '#run,T' and '# run,T' above '1,80' are headers)
        lines[k] = ""
    return "\n".join(lines), sep


def _cells(line: str) -> int:
    """The most cells ``line`` splits into at any one of :data:`DELIMITERS`."""
    return max(line.count(d) for d in DELIMITERS) + 1


def _next(lines: list[str], k: int) -> str:
    """The first line after ``lines[k]`` that is neither blank nor a comment."""
    return next((b for b in lines[k + 1 :] if b.strip() and not b.lstrip().startswith("#")), "")


def _decoded(name: str, raw: bytes) -> str:
    """The text of a table file: UTF-8 (with or without a byte-order mark), UTF-16 with its
    mark (Excel's "Unicode Text"), else each line UTF-8 or, when it is not, Windows-1252
    (Excel's "CSV (Comma delimited)" on Windows, with headers such as ``T [°C]``)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        lines = raw.removeprefix(b"\xef\xbb\xbf").split(b"\n")
        try:  # line by line: a UTF-8 header above rows typed on a Windows machine
            text = "\n".join(_line_text(line) for line in lines)
        except UnicodeDecodeError:
            text = "\x00"
        if "\x00" not in text:
            return text
    raise DataError(
        f"{name} is not a text table in a known encoding; save it as CSV (UTF-8) or .xlsx"
    )


def _line_text(line: bytes) -> str:
    """One line of a file that is not UTF-8 throughout: UTF-8 when it is, else
    Windows-1252."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252")


def _rows(name: str, text: str, sep: str) -> list[tuple[int, list[str]]]:
    """The rows of a text table that hold something, header first, as the csv module splits
    them (a quoted cell may hold the delimiter or a line break), each with the line of the
    file it starts on."""
    reader = csv.reader(io.StringIO(text), delimiter=sep, skipinitialspace=True)
    rows, start = [], 1
    try:
        for row in reader:
            if any(c.strip() for c in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:  # an unclosed quote running to the end of a large file
        raise DataError(f"{name}, line {reader.line_num}: {exc}; check the quotes") from None
    return rows


def _width(
    name: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    sep: str,
    ends_cut: bool = False,
) -> int:
    """The number of columns of a text table: header cells left empty at the end above
    empty cells are dropped (a delimiter at the end of every line), a value beyond the
    last named column is refused with its line, never read into another column, and so is
    a row with fewer fields than that (``ends_cut``: the file ends without a line break,
    as one cut off in copying does)."""
    rows = rows[1:]
    width = len(header)
    while width > 1 and not header[width - 1].strip():
        if any(len(row) >= width and row[width - 1].strip() for _, row in rows):
            break
        width -= 1
    for k, (line, row) in enumerate(rows):
        extra = [cell for cell in row[width:] if cell.strip()]
        if extra:
            raise DataError(
                f"{name}, line {line}: the value {extra[0].strip()!r} lies beyond the {width} "
                "columns the header names; give its column a header (such as notes) or "
                "remove it"
            )
        if len(row) < width:
            cut = (
                " (the file ends in this row without a line break: it may have been cut off "
                "in copying)"
                if ends_cut and k == len(rows) - 1
                else ""
            )
            raise DataError(
                f"{name}, line {line}: the row has {len(row)} fields and the header "
                f"{width}{cut}; complete the row, writing an empty cell as nothing between "
                f"two delimiters ({sep * 2!r})"
            )
    return width


def _verbatim(frame: pd.DataFrame, text_columns: Sequence[str]) -> list[str]:
    """The columns of ``frame`` (header as written) named in ``text_columns``."""
    wanted = {str(c).strip() for c in text_columns}
    return [c for c in frame.columns if str(c).strip() in wanted]


_DECIMAL_COMMA = r"[+-]?(?:\d+,\d*|,\d+|\d+)(?:[eE][+-]?\d+)?"


def _decimal_commas(frame: pd.DataFrame, skip: Sequence[str] = ()) -> pd.DataFrame:
    """Columns of numbers written with a decimal comma (``1,5``; spreadsheets in many
    locales save ``;``-separated CSV so) as numbers; the columns in ``skip`` stay text."""
    for column in frame.columns:
        if column in skip or pd.api.types.is_numeric_dtype(frame[column]):
            continue
        text = frame[column].dropna().astype(str).str.strip()
        comma = text.str.contains(",").any() and text.str.fullmatch(_DECIMAL_COMMA).all()
        if len(text) and comma:
            frame[column] = pd.to_numeric(frame[column].str.strip().str.replace(",", "."))
    return frame


_DECIMAL_POINT = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?")
# a point before three digits may be a thousands separator ('1.500' for 1500)
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")


def _check_decimal_points(
    name: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    text_columns: Sequence[str] = (),
) -> None:
    """Refuse the numbers written with a decimal point in a ``;``-separated table that
    writes at least as many with a decimal comma: they are read wrongly whatever is
    assumed (``'1.500'`` may be 1.5 or 1500), and would leave their column as text,
    refused at a cell written correctly."""
    skip = {str(c).strip() for c in text_columns}
    columns = [k for k, h in enumerate(header) if h.strip() not in skip]
    commas, points = [], []
    for line, row in rows[1:]:
        for k in columns:
            cell = row[k].strip() if k < len(row) else ""
            if "," in cell and re.fullmatch(_DECIMAL_COMMA, cell):
                commas.append((line, header[k].strip(), cell))
            elif _DECIMAL_POINT.fullmatch(cell):
                points.append((line, header[k].strip(), cell))
    if not points or len(points) > len(commas):
        return
    line, column, cell = points[0]
    others = [
        f"{v!r} on line {n}" + ("" if c == column else f", column {c!r}")
        for n, c, v in points[1:4]
    ]
    others += [f"{len(points) - 4} more"] if len(points) > 4 else []
    also = f" (also: {', '.join(others)})" if others else ""
    # an example from the same column, else the first of the sheet
    n, c, v = next((x for x in commas if x[1] == column), commas[0])
    fix = f"write it with a decimal comma, as the rest ({cell.replace('.', ',')!r})"
    if _GROUPED.fullmatch(cell):
        fix += f", or as {cell.replace('.', '')!r} if its point separates thousands"
    raise DataError(
        f"{name}, line {line}, column {column!r}: {cell!r} is written with a decimal "
        f"point{also}, but the sheet writes decimal commas elsewhere ({v!r} on line {n}"
        f"{'' if c == column else f', column {c!r}'}); {fix}"
    )


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
    seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        if not column:
            raise DataError(f"{name}: column {position} has no name; name every column")
        if column in seen:
            raise DataError(
                f"{name}: column {column!r} appears twice (columns {seen[column]} and "
                f"{position}); rename one of them"
            )
        seen[column] = position


def _read_excel(
    path: Path, text_columns: Sequence[str] = (), columns: Sequence[str] = ()
) -> pd.DataFrame:
    import openpyxl  # NOTE: here, not above: importing it takes a quarter of a second

    try:
        # the workbook is opened once: pandas reads its values, the number formats are ours
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        with pd.ExcelFile(book, engine="openpyxl") as excel:
            sheets = pd.read_excel(excel, sheet_name=None)
            wanted = {str(c).strip() for c in columns}
            sheet = next(
                (k for k, f in sheets.items() if wanted <= {str(c).strip() for c in f.columns}),
                next(iter(sheets)),
            )
            frame = sheets[sheet]
            verbatim = _verbatim(frame, text_columns)
            if verbatim:
                as_text = pd.read_excel(excel, sheet_name=sheet, dtype=str, keep_default_na=False)
                frame[verbatim] = as_text[verbatim].replace("", np.nan)
            percent = _percent_cells(book[sheet])
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        with open(path, "rb") as file:
            zipped = file.read(4) == b"PK\x03\x04"  # a workbook is a zip archive
        if not zipped:
            raise DataError(
                f"{path.name} could not be read as an Excel file: it is not a workbook (a "
                "text table renamed .xlsx, or an old .xls?); save it from Excel as .xlsx, or "
                "give it the ending of what it is (.csv)"
            ) from None
        raise DataError(f"{path.name} could not be read as an Excel file: {exc}") from None
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
    if percent:
        line, column, value, decimals = percent[0]
        more = len(percent) - 1
        also = f"; {more} more cell(s) of the sheet are formatted so" if more else ""
        raise DataError(
            f"{path.name}, line {line}, column {column!r}: the cell is formatted as a "
            f"percentage (shows {value * 100:.{decimals}f}%, holds {value:g}{also}); type the "
            f"number to record ({value * 100:g} or {value:g}) in a cell formatted as a number"
        )
    return frame


def _percent_cells(sheet) -> list[tuple[int, str, float, int]]:
    """The numbers below the header of a worksheet (read-only) whose cell is formatted as
    a percentage: Excel shows 71.2% for the 0.712 the cell holds, and read as it is, the
    value is 100 times smaller than the one the user sees. Each as (row of the sheet,
    column name, value, decimals shown)."""
    from openpyxl.utils import get_column_letter

    if not _shows_percentages(sheet.parent):
        return []
    sheet.reset_dimensions()  # NOTE: the size a file declares may be wrong (pandas GH 39486)
    header, found = None, []
    for row in sheet.iter_rows():
        if header is None:
            header = [c.value for c in row] if any(c.value is not None for c in row) else None
            continue
        for k, cell in enumerate(row):
            if isinstance(cell.value, bool) or not isinstance(cell.value, int | float):
                continue
            decimals = _percent_decimals(cell.number_format)
            if decimals is not None:
                name = header[k] if k < len(header) and header[k] is not None else None
                column = str(name).strip() if name is not None else get_column_letter(k + 1)
                found.append((cell.row, column, cell.value, decimals))
    return found


def _shows_percentages(book) -> bool:
    """Whether a cell style of the workbook (read-only) shows a percentage; most have none,
    and then no cell need be looked at (that takes a quarter of a second for 30,000)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    try:  # NOTE: private to openpyxl (as its ReadOnlyCell.number_format reads them)
        ids = {style.numFmtId for style in book._cell_styles}
        formats = [
            BUILTIN_FORMATS.get(i, "General")
            if i < BUILTIN_FORMATS_MAX_SIZE
            else book._number_formats[i - BUILTIN_FORMATS_MAX_SIZE]
            for i in ids
        ]
    except (AttributeError, IndexError, TypeError):  # another openpyxl: look at every cell
        return True
    return any(_percent_decimals(f) is not None for f in formats)


def _percent_decimals(number_format: str) -> int | None:
    """The decimals shown by an Excel number format that shows a percentage (``'0.0%'``:
    1), else None; a ``%`` in quotes, escaped or in brackets is text, not a percentage.

    Examples
    --------
    >>> _percent_decimals("0.0%"), _percent_decimals("0%"), _percent_decimals('0.0" %"')
    (1, 0, None)
    """
    first = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format.split(";")[0])
    if "%" not in first:
        return None
    decimals = re.search(r"\.([0#?]+)", first)
    return len(decimals.group(1)) if decimals else 0


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


def _text_or_date(value: object) -> bool:
    return isinstance(value, str | datetime.date | np.datetime64)


def check_numeric_columns(frame: pd.DataFrame, required: tuple[str, ...] = ()) -> None:
    """Find text in columns that are meant to be numeric and name the first bad cell.

    A column is meant to be numeric when it is in ``required`` (e.g. the target) or when
    most of its values (80 %) are numbers: a stray text such as ``'n/a'`` or ``'12,5'`` in a
    column of numbers is an error, while a column of catalyst names is a categorical input.
    A text column whose every value is a number followed by one and the same unit
    (``'80 °C'``, ``'15%'``, ``'2 h'``) is an error too: it would otherwise become a level
    per row; so is one whose values mix such units (``'2 h'``, ``'30 min'``). A row is
    named by its line in the file (``frame.attrs['source']``; the header is line 1), else
    by its index label.

    Raises
    ------
    DataError
        ``data.csv, line 17, column 'temperature': 'abc' is not a number``.
    """
    source = frame.attrs.get("source")
    where = f"{source}, " if source else ""
    # a file's rows are its lines (the header is line 1); a DataFrame's, its index labels
    if source:
        name_row = lambda row: f"line {line_of(frame, row)}"  # noqa: E731
    else:
        name_row = lambda row: f"row {frame.index[row]!r}"  # noqa: E731
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype) and column not in required:
            continue  # levels, as the dtype says
        present = series.notna()
        numbers = pd.to_numeric(series, errors="coerce")
        # '1,250' (Excel's CSV of a cell shown with a thousands separator) counts as a
        # number meant, so a column of them is refused with the fix, not made levels
        grouped = series.map(lambda v: isinstance(v, str) and bool(THOUSANDS.fullmatch(v)))
        share = (numbers.notna() | grouped)[present].mean() if present.any() else 0.0
        if column in required or share >= NUMERIC_SHARE:
            # text or a date (a spreadsheet's '12/1') where a number belongs; other objects
            # are left to the encoder, which treats them as levels
            bad = present & numbers.isna() & series.map(_text_or_date)
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                value = series.iloc[row]
                comma = isinstance(value, str) and COMMA_NUMBER.fullmatch(value)
                unit = unit_of(value) if isinstance(value, str) else None
                if comma:
                    fix = (
                        f"write it with a decimal point ({value.strip().replace(',', '.')!r}), "
                        "or save the sheet as CSV with ';' between cells"
                    )
                elif unit is not None:
                    number = value.strip()[: len(value.strip()) - len(unit)].strip()
                    fix = (
                        f"write the number alone ({number!r}) and put the unit in the "
                        f"header: '{column} ({unit})'"
                    )
                elif column in required:
                    fix = "correct it, or delete the row if the run has no result"
                else:
                    fix = "correct it (a number), or delete the row"
                # a decimal comma elsewhere in the column says what its commas are
                decimal = series.map(
                    lambda v: isinstance(v, str) and bool(COMMA_NUMBER.fullmatch(v))
                )
                if grouped.iloc[row] and not (decimal & ~grouped).any():
                    plain = value.strip().replace(",", "")
                    fix = f"write it without the thousands separator ({plain!r})"
                    if "." not in value and value.count(",") == 1:
                        fix += (
                            ", or with a decimal point if the comma is a decimal comma "
                            f"({value.strip().replace(',', '.')!r})"
                        )
                raise DataError(
                    f"{where}{name_row(row)}, column {column!r}: {value!r} is not a number; {fix}"
                )
        else:
            units = written_units(series[present])
            if units is not None and len(units) > 1:
                examples: dict[str, str] = {}  # the first value written in each unit
                for value in series[present]:
                    examples.setdefault(unit_of(value), value.strip())
                first = [examples[u] for u in units[:2]]
                raise DataError(
                    f"{where}column {column!r} mixes units ({first[0]!r}, {first[1]!r}); "
                    "convert every value to one unit, write the numbers alone and put the "
                    f"unit in the header, e.g. '{column} ({units[0]})'"
                )
            if units is not None:
                unit = units[0]
                row = int(np.flatnonzero(present.to_numpy())[0])
                value = str(series.iloc[row]).strip()
                number = value[: len(value) - len(unit)].strip()
                raise DataError(
                    f"{where}{name_row(row)}, column {column!r}: {value!r} is a number "
                    f"written with its unit; write the numbers alone ({number!r}) and put the "
                    f"unit in the header: '{column} ({unit})'"
                )
