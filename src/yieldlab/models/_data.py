"""Validation of the data given to an estimator's ``fit`` and ``predict`` (layer 2).

Checks once, where user data enters, and says what is wrong in the user's terms (column
name, row) before scikit-learn's own ``validate_data`` records ``n_features_in_`` and
``feature_names_in_`` and enforces the estimator conventions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import validate_data

from .._validation import check_finite, check_numeric, check_scale

__all__ = ["feature_names", "standardize", "validate_features", "validate_xy"]


def feature_names(X: Any, n_features: int) -> list[str]:
    """Column names of ``X`` (a DataFrame), else ``['x0', 'x1', ...]``.

    Examples
    --------
    >>> feature_names(np.zeros((2, 3)), 3)
    ['x0', 'x1', 'x2']
    """
    if isinstance(X, pd.DataFrame):
        return [str(c) for c in X.columns]
    return [f"x{j}" for j in range(n_features)]


def _check_frame(X: pd.DataFrame, where: str) -> None:
    duplicated = X.columns[X.columns.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(
            f"{where} has duplicate column names {duplicated}; rename them so every column "
            "is unique"
        )
    for column in X.columns:
        series = X[column]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            continue
        numbers = pd.to_numeric(series, errors="coerce")
        bad = numbers.isna() & series.notna()
        if bad.any():
            row = bad.to_numpy().nonzero()[0][0]
            raise ValueError(
                f"{where}, row {row}, column {column!r}: {series.iloc[row]!r} is not a number; "
                "fix the value, or use AutoModel, which encodes text columns itself"
            )
    values = X.to_numpy(dtype=np.float64, na_value=np.nan)
    check_finite(where, values, columns=[str(c) for c in X.columns])


# the fix for text where a number is expected, as for a table (_check_frame)
TEXT_FIX = "fix the value, or use AutoModel, which encodes text columns itself"


def _check_text(X: Any) -> None:
    """Name the first text entry of an array ``X`` that is not a number (row and column),
    where scikit-learn would say only ``could not convert string to float``."""
    if isinstance(X, np.ndarray) and X.dtype.kind in "OUS":
        check_numeric("X", X, fix=TEXT_FIX)


def validate_features(estimator: Any, X: Any, *, reset: bool) -> np.ndarray:
    """Check ``X`` and return it as a float64 array (``reset=True`` in ``fit``).

    Parameters
    ----------
    estimator : BaseEstimator
        Records ``n_features_in_`` and ``feature_names_in_`` when ``reset``.
    X : array-like or DataFrame of shape (n_samples, n_features)
    reset : bool
        True in ``fit``, False in ``predict`` (then the columns must match).

    Returns
    -------
    ndarray of shape (n_samples, n_features)

    Raises
    ------
    ValueError
        For text in a numeric column of a DataFrame or an array (naming row and column),
        NaN or inf (naming the first one), duplicate column names, or a wrong number of
        columns.
    """
    if isinstance(X, pd.DataFrame):
        _check_frame(X, "X")
    _check_text(X)
    out = validate_data(estimator, X, reset=reset, dtype=np.float64, ensure_all_finite=False)
    if not isinstance(X, pd.DataFrame):
        check_finite("X", out)
    return out


def _is_plain(X: Any, y: Any) -> bool:
    """True for a float64 ndarray ``X`` of shape (n, p >= 1), n >= 1, and a float64 ndarray
    ``y`` of shape (n,): the arrays scikit-learn's ``validate_data`` returns as they are."""
    return (
        type(X) is np.ndarray
        and type(y) is np.ndarray
        and X.dtype == np.float64
        and y.dtype == np.float64
        and X.ndim == 2
        and y.ndim == 1
        and X.shape[0] >= 1
        and X.shape[1] >= 1
        and y.shape[0] == X.shape[0]
    )


def validate_xy(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    multi_output: bool = False,
    numeric_y: bool = True,
    finite_x: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Check ``X`` and ``y`` together in ``fit``; see :func:`validate_features`.

    Parameters
    ----------
    estimator : BaseEstimator
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    multi_output : bool, default=False
        Accept a 2-D ``y``.
    numeric_y : bool, default=True
        Require a numeric target (regression); classifiers pass False.
    finite_x : bool, default=True
        Check an array ``X`` for NaN and infinity here. False leaves it to the caller, who
        must check before using ``X`` (the normal equations see a NaN or inf for free in
        the Gram matrix, see :func:`~yieldlab.engine.linear.fit_least_squares`); a
        DataFrame is always checked, naming its columns.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
    """
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None"
        )
    if numeric_y and _is_plain(X, y):
        # what validate_data would return unchanged; it costs 0.2 ms per call in
        # scikit-learn's input sniffing, a tenth of a 100,000-row linear fit
        check_finite("y", y)
        check_scale("y", y)
        if finite_x:
            check_finite("X", X)
        estimator.n_features_in_ = X.shape[1]
        if hasattr(estimator, "feature_names_in_"):  # as validate_data(reset=True) does
            del estimator.feature_names_in_
        return X, y
    if isinstance(X, pd.DataFrame):
        _check_frame(X, "X")
    _check_text(X)
    if numeric_y:
        y_arr = np.asarray(y)
        if y_arr.dtype.kind in "OUS":
            try:
                y_arr = y_arr.astype(np.float64)
            except (TypeError, ValueError):
                raise ValueError(
                    "y must be numeric for a regression; it contains text such as "
                    f"{y_arr.ravel()[0]!r}. Use a classifier for a categorical target"
                ) from None
        is_number = y_arr.dtype.kind in "biuf"
        check_finite("y", np.asarray(y_arr, dtype=np.float64) if is_number else y_arr)
        if is_number:
            check_scale("y", y_arr)
    X_out, y_out = validate_data(
        estimator,
        X,
        y,
        reset=True,
        dtype=np.float64,
        ensure_all_finite=False,
        multi_output=multi_output,
        y_numeric=numeric_y,
    )
    if finite_x and not isinstance(X, pd.DataFrame):
        check_finite("X", X_out)
    return X_out, y_out


def standardize(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre the columns of ``A`` and scale them to unit variance.

    A column whose variance is rounding noise, ``var <= n eps var + (n eps mean)^2`` (the
    test of scikit-learn's ``StandardScaler``), is constant: its scale is 1, so it becomes
    zeros and a new value in it later stays of the size of its difference. (Dividing by a
    rounding-noise spread, as ``A.std(axis=0) > 0`` lets through for a column of 0.1,
    turned such a column into +-1 and a later 0.2 into a number near 1e15.)

    Parameters
    ----------
    A : ndarray of shape (n_samples, n_columns), float64

    Returns
    -------
    Z : ndarray of shape (n_samples, n_columns)
        ``(A - mean) / scale``, a new array.
    mean, scale : ndarray of shape (n_columns,)

    Examples
    --------
    >>> Z, mean, scale = standardize(np.array([[0.1, 1.0], [0.1, 3.0]]))
    >>> Z.tolist(), mean.tolist(), scale.tolist()
    ([[0.0, -1.0], [0.0, 1.0]], [0.1, 2.0], [1.0, 1.0])
    """
    n = A.shape[0]
    # NOTE: the sums as BLAS products: NumPy's column reductions of a C-ordered array are
    # several times slower
    mean = np.ones(n) @ A / n
    Z = A - mean
    var = np.einsum("ij,ij->j", Z, Z) / n
    eps = np.finfo(np.float64).eps
    constant = var <= n * eps * var + (n * eps * mean) ** 2
    scale = np.where(constant, 1.0, np.sqrt(var))
    Z /= scale
    return Z, mean, scale
