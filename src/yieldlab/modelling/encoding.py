"""Table preparation for automatic modelling (layer 3): from a user's table to numbers.

:class:`TableEncoder` turns a table of experiments (a DataFrame or an array, numbers and
text mixed) into the numeric matrix every candidate model sees, and remembers how, so
predictions and reports speak in the user's column names:

* numeric and boolean columns pass through as floats; a text column whose values are all
  numbers (``'12.5'``) is read as numbers;
* text and ``category`` columns are one-hot encoded against their first level (sorted), as
  JMP and statsmodels do: ``catalyst`` with levels ``Pd, Pt, Rh`` becomes the columns
  ``catalyst=Pt`` and ``catalyst=Rh``; every report adds them back up to ``catalyst``;
* constant and all-missing columns are dropped and reported (:attr:`dropped_`), as are
  identifier columns (text that differs in every one of more than 5 rows: no level is seen
  twice, so nothing about it can be learned; a column of dtype ``category`` is kept);
* missing values are an error naming the rows and columns, unless ``impute`` says how to
  fill them; infinities are always an error.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_choice, check_finite
from ..exceptions import DataError

__all__ = ["IMPUTE", "TableEncoder", "apply_warp", "as_frame", "check_target", "fit_warp"]

IMPUTE = ("mean", "median", "most_frequent")
# NOTE: a text column with a different value in every row has no level seen twice, so no
# model can learn its effect (each held-out row's level is new to the fit), and its one-hot
# columns take up a degree of freedom per row: a run label such as R001..R030 in a table of
# 30 runs became 29 "effects" in the selected model's coefficients. Above this many rows it
# is left out, as an identifier; in fewer, the whole table is too small to tell.
_ID_ROWS = 5
_SHOWN = 5


def as_frame(X: Any, where: str = "X") -> pd.DataFrame:
    """``X`` as a DataFrame with string column names (``x0, x1, ...`` for arrays).

    Raises
    ------
    TypeError
        For sparse matrices.
    ValueError
        For complex numbers, a 1-D array, no rows, or duplicate column names.
    """
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError(
            f"{where} is a sparse matrix; AutoModel needs dense data: pass X.toarray()"
        )
    if isinstance(X, pd.DataFrame):
        frame = X.copy(deep=False)
        frame.columns = [str(c) for c in X.columns]
    else:
        array = np.asarray(X)
        if array.dtype.kind == "c":
            raise ValueError(f"Complex data not supported: {where} has complex numbers")
        if array.dtype.kind not in "OUS":
            array = array.astype(np.float64)
        if array.ndim != 2:
            raise ValueError(
                f"Expected 2D array, got {array.ndim}D array instead: {where}={X!r}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your data has a "
                "single feature or array.reshape(1, -1) if it contains a single sample."
            )
        frame = pd.DataFrame(array, columns=[f"x{j}" for j in range(array.shape[1])])
    if any(np.iscomplexobj(frame[c].to_numpy()) for c in frame.columns):
        raise ValueError(f"Complex data not supported: {where} has complex numbers")
    duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
    if duplicated:
        raise ValueError(
            f"{where} has duplicate column names {duplicated}; rename them so every column "
            "is unique"
        )
    for axis, what in ((0, "sample(s)"), (1, "feature(s)")):
        if frame.shape[axis] == 0:
            raise ValueError(
                f"Found array with 0 {what} (shape={frame.shape}) while a minimum of 1 is "
                f"required: {where} needs at least one row (sample) and one column (input)"
            )
    return frame


def check_target(y: Any, n_rows: int) -> np.ndarray:
    """The target as a finite float vector of ``n_rows`` values, with clear errors."""
    if y is None:
        raise ValueError("AutoModel requires y to be passed, but the target y is None")
    values = np.asarray(y.to_numpy() if isinstance(y, pd.Series | pd.DataFrame) else y)
    if np.iscomplexobj(values):
        raise ValueError("Complex data not supported: y has complex numbers")
    if values.ndim == 2 and values.shape[1] == 1:
        from sklearn.utils.validation import column_or_1d

        values = column_or_1d(values, warn=True)
    if values.ndim != 1:
        raise ValueError(
            f"y has shape {values.shape}; AutoModel fits one target: pass a 1-D array"
        )
    if values.dtype.kind in "OUSb":
        numbers_ = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy()
        text = [v for v, num in zip(values, numbers_, strict=True) if np.isnan(num)
                and v is not None and not (isinstance(v, float) and np.isnan(v))]  # fmt: skip
        if text:
            raise ValueError(
                f"y must be numeric for a regression; it contains text such as {str(text[0])!r}. "
                "Use a numeric target (or encode the categories as numbers)"
            )
        values = numbers_
    values = values.astype(np.float64)
    if values.shape[0] != n_rows:
        raise ValueError(
            f"X has {n_rows} rows but y has {values.shape[0]}; they must have the same "
            "number of samples"
        )
    missing = np.flatnonzero(np.isnan(values))
    if missing.size:
        raise DataError(
            f"y is missing (NaN) at rows {_rows(missing)}; drop those rows (a missing response "
            "cannot be imputed)"
        )
    check_finite("y", values)
    return values


def _rows(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:_SHOWN])
    return f"[{shown}{', ...' if rows.size > _SHOWN else ''}] ({rows.size} in all)"


def _number(value: Any) -> float | None:
    """``value`` as a float, None when it is text; TypeError for other objects."""
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    raise TypeError(
        f"the argument must be a string or a real number, not {type(value).__name__!r}: {value!r}"
    )


def _read_column(series: pd.Series, name: str) -> tuple[str, np.ndarray, np.ndarray]:
    """Kind (``'numeric'``/``'categorical'``), values and the missing mask of a column."""
    missing = series.isna().to_numpy()
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical", _labels(series.astype(object).to_numpy(), missing), missing
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric", series.to_numpy(dtype=np.float64, na_value=np.nan), missing
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        raise TypeError(
            f"X, column {name!r} holds dates or times ({dtype}); convert it to a number, e.g. "
            "hours since the first run"
        )
    raw = series.to_numpy(dtype=object)
    values = np.full(raw.shape[0], np.nan)
    text = np.zeros(raw.shape[0], dtype=bool)
    for i in np.flatnonzero(~missing):
        try:
            number = _number(raw[i])
        except TypeError as exc:
            raise TypeError(f"X, row {i}, column {name!r}: {exc}") from None
        if number is None:
            text[i] = True
        else:
            values[i] = number
    if not text.any():
        return "numeric", values, missing
    n_numbers = int((~missing & ~text).sum())
    if n_numbers >= max(2, text.sum()) and len(set(raw[text])) <= 2:
        row = int(np.flatnonzero(text)[0])
        raise ValueError(
            f"X, row {row}, column {name!r}: {raw[row]!r} is not a number, but the column's "
            f"other {n_numbers} values are; fix the value, or make the column categorical "
            "(dtype 'category') if it names levels"
        )
    return "categorical", _labels(raw, missing), missing


def _labels(raw: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Level labels as text (``1.0`` and ``1`` are the same level ``'1'``), None if missing."""
    return np.array([None if m else str(_plain(v)) for v, m in zip(raw, missing, strict=True)],
                    dtype=object)  # fmt: skip


class TableEncoder:
    """Encode a table of inputs as numbers, remembering how (for predictions and reports).

    Parameters
    ----------
    impute : None or {'median', 'mean', 'most_frequent'}, default=None
        How to fill missing inputs (categorical columns always take their most frequent
        level). None refuses missing values with an error naming the rows and columns.

    Attributes
    ----------
    input_names_ : list of str
        All columns of the table at fit.
    columns_ : list of dict
        The kept columns: ``name``, ``kind`` ('numeric' or 'categorical'), ``levels``
        (categorical, sorted; the first is the reference) and ``fill`` (the imputed value).
    dropped_ : list of (str, str)
        Dropped columns and why.
    feature_names_ : list of str
        Names of the encoded columns (``'catalyst=Pt'`` for a level).
    groups_ : dict of str to list of int
        Encoded column indices of each kept input.

    Examples
    --------
    >>> frame = pd.DataFrame({"T": [20, 40, 60], "cat": ["a", "b", "a"], "k": [1, 1, 1]})
    >>> encoder = TableEncoder()
    >>> encoder.fit_transform(frame).tolist()
    [[20.0, 0.0], [40.0, 1.0], [60.0, 0.0]]
    >>> encoder.feature_names_, encoder.dropped_
    (['T', 'cat=b'], [('k', 'constant (1 in every row)')])
    """

    def __init__(self, impute: str | None = None) -> None:
        self.impute = impute

    def fit_transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Learn the encoding from ``frame`` and return the encoded matrix.

        Returns
        -------
        ndarray of shape (n_samples, n_encoded)

        Raises
        ------
        DataError
            Missing values without ``impute``, or no usable column at all.
        """
        if self.impute is not None:
            check_choice("impute", self.impute, IMPUTE)
        self.input_names_ = [str(c) for c in frame.columns]
        self.columns_, self.dropped_, gaps = [], [], []
        for name in self.input_names_:
            kind, values, missing = _read_column(frame[name], name)
            # a category dtype says the values are levels: never taken for an identifier
            declared = isinstance(frame[name].dtype, pd.CategoricalDtype)
            reason = self._drop_reason(kind, values, missing, declared)
            if reason is not None:
                self.dropped_.append((name, reason))
                continue
            self.columns_.append(self._describe(name, kind, values, missing))
            if missing.any():
                gaps.append(f"column {name!r} at rows {_rows(np.flatnonzero(missing))}")
        if gaps and self.impute is None:
            raise DataError(
                f"X has missing values (NaN) in {'; '.join(gaps)}; fill them in, drop those rows, "
                "or pass impute='median' (or 'mean', 'most_frequent')"
            )
        if not self.columns_:
            reasons = "; ".join(f"{n!r}: {r}" for n, r in self.dropped_)
            raise DataError(
                f"X has no usable input column ({reasons}); a model needs at least one "
                "input that varies and, if it is text, has a level seen in more than one row "
                "(in Python, a column of dtype 'category' keeps its levels anyway)"
            )
        self.feature_names_, self.groups_ = [], {}
        for column in self.columns_:
            start = len(self.feature_names_)
            if column["kind"] == "numeric":
                self.feature_names_.append(column["name"])
            else:
                self.feature_names_ += [f"{column['name']}={v}" for v in column["levels"][1:]]
            self.groups_[column["name"]] = list(range(start, len(self.feature_names_)))
        return self.transform(frame)

    def _drop_reason(
        self, kind: str, values: np.ndarray, missing: np.ndarray, declared: bool = False
    ) -> str | None:
        present = values[~missing]
        if present.size == 0:
            return "all values missing"
        distinct = pd.unique(present)
        if distinct.size == 1:
            return f"constant ({_plain(distinct[0])!r} in every row)"
        if kind == "categorical" and not declared and distinct.size == present.size > _ID_ROWS:
            return (
                "a different text in every row: an identifier, or a factor with no level "
                "run twice, whose effect cannot be learned"
            )
        return None

    def _describe(self, name: str, kind: str, values: np.ndarray, missing: np.ndarray) -> dict:
        column: dict[str, Any] = {"name": name, "kind": kind, "levels": None, "fill": None}
        present = values[~missing]
        if kind == "categorical":
            column["levels"] = sorted({str(v) for v in present})
        if missing.any() and self.impute is not None:
            column["fill"] = _fill_value(present, kind, self.impute)
        return column

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Encode a table with the columns seen at fit (by name; extra columns ignored).

        Returns
        -------
        ndarray of shape (n_samples, n_encoded)

        Raises
        ------
        DataError
            A column is missing, or has missing values that cannot be filled.
        ValueError
            Text in a numeric column, an unknown level, or an infinity (naming row and
            column).
        """
        absent = [c["name"] for c in self.columns_ if c["name"] not in frame.columns]
        if absent:
            raise DataError(
                f"X has no column {absent[0]!r}, which the model was fitted with; columns "
                f"are {[str(c) for c in frame.columns]}"
            )
        blocks = [self._encode(c, frame[c["name"]]) for c in self.columns_]
        out = np.column_stack(blocks) if blocks else np.empty((frame.shape[0], 0))
        check_finite("X", out, columns=self.feature_names_)
        return out

    def _encode(self, column: dict, series: pd.Series) -> np.ndarray:
        name = column["name"]
        if column["kind"] == "numeric":
            kind, values, missing = _read_column(series, name)
            if kind != "numeric":
                row = int(np.flatnonzero(pd.isna(pd.to_numeric(values, errors="coerce")))[0])
                raise ValueError(
                    f"X, row {row}, column {name!r}: {values[row]!r} is not a number, but the "
                    "column was numeric at fit"
                )
        else:
            missing = series.isna().to_numpy()
            values = _labels(series.to_numpy(dtype=object), missing)
        if missing.any():
            if column["fill"] is None:
                raise DataError(
                    f"X has missing values (NaN) in column {name!r} at rows "
                    f"{_rows(np.flatnonzero(missing))}, which had none at fit; fill them in "
                    "or fit with impute='median' (or 'mean', 'most_frequent')"
                )
            values = values.copy()
            values[missing] = column["fill"]
        if column["kind"] == "numeric":
            return values.astype(np.float64)[:, None]
        levels = column["levels"]
        unknown = ~np.isin(values, levels)
        if unknown.any():
            row = int(np.flatnonzero(unknown)[0])
            raise ValueError(
                f"X, row {row}, column {name!r}: level {values[row]!r} was not seen at fit; "
                f"known levels are {levels}"
            )
        return (values[:, None] == np.array(levels[1:], dtype=object)[None, :]).astype(float)

    def dropped_frame(self) -> pd.DataFrame:
        """The dropped columns as a DataFrame with columns ``column, reason``."""
        return pd.DataFrame(self.dropped_, columns=["column", "reason"])


def _plain(value: Any) -> Any:
    """A NumPy scalar as a plain Python value; floats that are integers as ints."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fill_value(present: np.ndarray, kind: str, impute: str) -> Any:
    if kind == "categorical" or impute == "most_frequent":
        labels, counts = np.unique(present.astype(str if kind == "categorical" else float),
                                   return_counts=True)  # fmt: skip
        value = labels[np.argmax(counts)]
        return str(value) if kind == "categorical" else float(value)
    return float(np.median(present) if impute == "median" else np.mean(present))


def fit_warp(X: np.ndarray) -> tuple[Any, list[int]]:
    """Yeo-Johnson transform of the inputs with more than two values, fitted on ``X``.

    Smooth models (networks, Gaussian processes) see skewed inputs (an age of 1 to 365
    days, a concentration over decades) as nearly Gaussian, standardized columns, so a few
    extreme rows do not dominate the fit or the extrapolation. Indicator columns stay.

    Returns
    -------
    transformer : PowerTransformer or None
    columns : list of int
    """
    from sklearn.preprocessing import PowerTransformer

    columns = [j for j in range(X.shape[1]) if np.unique(X[:, j]).size > 2]
    if not columns:
        return None, columns
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # lambda searches can overflow on the way
        transformer = PowerTransformer(method="yeo-johnson").fit(X[:, columns])
    return transformer, columns


def apply_warp(transformer: Any, columns: list[int], X: np.ndarray) -> np.ndarray:
    """Apply :func:`fit_warp`'s transform; values are clipped to 10 standard deviations."""
    if transformer is None:
        return X
    out = X.copy()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        warped = transformer.transform(X[:, columns])
    out[:, columns] = np.clip(np.nan_to_num(warped, nan=0.0, posinf=10.0, neginf=-10.0), -10, 10)
    return out
