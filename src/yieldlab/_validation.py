"""Input checks shared by every layer (layer 0, NumPy only).

Each check validates once, where user input enters, and raises an error whose message names
the argument, shows the value with ``!r``, says what was expected and how to fix it.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "check_bool",
    "check_choice",
    "check_finite",
    "check_matrix",
    "check_numeric",
    "check_positive",
    "check_rng",
    "check_scale",
    "closest_name",
]


def check_rng(random_state: Any) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from a seed-like value.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        ``None`` gives fresh entropy; an int gives a reproducible generator; a Generator
        is returned as is (so a caller can share one stream); a legacy ``RandomState``
        (scikit-learn's convention) seeds a new Generator from it.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        For anything else.

    Examples
    --------
    >>> int(check_rng(0).integers(10)) == int(check_rng(0).integers(10))
    True
    """
    if random_state is None or isinstance(random_state, numbers.Integral):
        if random_state is not None and random_state < 0:
            raise ValueError(
                f"random_state={random_state!r} is negative; expected None, a non-negative "
                "int or a numpy.random.Generator"
            )
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    raise TypeError(
        f"random_state={random_state!r} is not supported; expected None, an int or a "
        "numpy.random.Generator"
    )


def check_choice(name: str, value: Any, choices: Iterable[str] | Mapping[str, Any]) -> Any:
    """Check that ``value`` is one of ``choices`` and return it.

    Parameters
    ----------
    name : str
        Argument name, used in the message.
    value : object
        Value given by the user.
    choices : iterable of str or mapping
        The allowed names (a mapping's keys).

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    ValueError
        ``name='relu6' is not supported; expected one of [...]``.

    Examples
    --------
    >>> check_choice("solver", "adam", ["adam", "sgd"])
    'adam'
    """
    allowed = sorted(choices)
    if not isinstance(value, str) or value not in allowed:
        hint = closest_name(value, allowed) if isinstance(value, str) else None
        did_you_mean = f"; did you mean {hint!r}?" if hint else ""
        raise ValueError(
            f"{name}={value!r} is not supported; expected one of {allowed}{did_you_mean}"
        )
    return value


def check_bool(name: str, value: Any) -> bool:
    """Check that a switch ``name=value`` is ``True`` or ``False`` (NumPy's booleans
    too) and return it as a Python bool.

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        When ``value`` is anything else (``"no"`` or ``0`` would be read the wrong way).

    Examples
    --------
    >>> check_bool("explore", np.True_)
    True
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name}={value!r} has the wrong type; expected True or False")
    return bool(value)


# beyond these magnitudes a sum of squares leaves double precision (overflow or underflow)
_HUGE, _TINY = 1e150, 1e-150


def check_scale(name: str, values: np.ndarray) -> None:
    """Refuse finite values too large or too small in magnitude for sums of squares.

    Raises
    ------
    ValueError
        For values beyond ``1e150`` in magnitude, or all nonzero values below ``1e-150``;
        the fix is a change of units.

    Examples
    --------
    >>> check_scale("y", np.array([1e-3, 2.0]))
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return
    largest = max(float(values.max()), -float(values.min()))  # no |values| copy: hot path
    if largest > _HUGE:
        raise ValueError(
            f"{name} has values of magnitude {largest:.3g}; beyond {_HUGE:g} their squares "
            "leave double precision: express it in other units (divide by a power of 10)"
        )
    if 0 < largest < _TINY:
        raise ValueError(
            f"{name} has values no larger than {largest:.3g} in magnitude; below {_TINY:g} "
            "their squares vanish: express it in other units (multiply by a power of 10)"
        )


def check_positive(name: str, value: Any, *, strict: bool = True, integer: bool = False):
    """Check that a scalar parameter is a (strictly) positive real or integer number.

    Parameters
    ----------
    name : str
        Argument name, used in the message.
    value : object
        The value to check.
    strict : bool, default=True
        Require ``value > 0``; otherwise ``value >= 0``.
    integer : bool, default=False
        Require an integer.

    Returns
    -------
    int or float

    Raises
    ------
    TypeError
        When ``value`` is not a number (or not an integer when ``integer``).
    ValueError
        When ``value`` is not finite or not (strictly) positive.

    Examples
    --------
    >>> check_positive("learning_rate_init", 1e-3)
    0.001
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "an integer" if integer else "a number"
        raise TypeError(f"{name}={value!r} has the wrong type; expected {expected}")
    bound_ok = value > 0 if strict else value >= 0
    if not np.isfinite(value) or not bound_ok:
        relation = "> 0" if strict else ">= 0"
        raise ValueError(f"{name}={value!r} is invalid; expected a finite value {relation}")
    return value


def check_finite(name: str, array: np.ndarray, columns: list[str] | None = None) -> None:
    """Raise a :class:`ValueError` naming the first NaN or infinity in ``array``.

    Parameters
    ----------
    name : str
        What the array is (``'X'``, ``'y'``), used in the message.
    array : ndarray of shape (n_samples,) or (n_samples, n_columns)
        Numeric array to check.
    columns : list of str, optional
        Column names for the message; default ``column j``.

    Raises
    ------
    ValueError
        ``X contains NaN at row 3, column 'temperature' (2 non-finite values in all); ...``

    Examples
    --------
    >>> check_finite("X", np.array([[1.0, np.nan]]))
    Traceback (most recent call last):
    ...
    ValueError: X contains NaN at row 0, column 1 (1 non-finite value in all); remove or impute the missing or infinite values before fitting
    """  # noqa: E501
    # NOTE: a NaN or inf anywhere makes the sum of squares non-finite, so one BLAS dot
    # (several times faster than np.sum) clears the common case; a huge finite value can
    # overflow it, and then the full check decides.
    with np.errstate(over="ignore", invalid="ignore"):
        if array.dtype.kind == "f" and array.flags.c_contiguous and array.dtype.itemsize >= 4:
            flat = array.reshape(-1)
            total = flat @ flat
        else:
            total = np.sum(array) if array.dtype.kind in "fc" else np.nan
    if np.isfinite(total):
        return
    finite = np.isfinite(array)
    if finite.all():
        return
    bad = np.argwhere(~finite)
    first = tuple(bad[0])
    value = array[first]
    what = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    where = f"row {first[0]}"
    if len(first) > 1:
        column = columns[first[1]] if columns is not None else first[1]
        where += f", column {column!r}" if columns is not None else f", column {column}"
    count = len(bad)
    plural = "value" if count == 1 else "values"
    raise ValueError(
        f"{name} contains {what} at {where} ({count} non-finite {plural} in all); remove or "
        "impute the missing or infinite values before fitting"
    )


# what to do about text where numbers are expected, unless the caller knows better
TEXT_FIX = "convert it to numbers first (encode a category as 0/1 columns)"


def _text_entry(name: str, array: Any, fix: str) -> str | None:
    """The message naming the first text entry of ``array`` that is not a number, or None
    when there is none (a ragged list, an object of another kind)."""
    try:
        values = np.asarray(array, dtype=object)
    except ValueError:
        return None
    for index in np.ndindex(values.shape):
        value = values[index]
        if not isinstance(value, str | bytes):
            continue
        try:
            float(value)
        except ValueError:
            axes = zip(("row", "column"), index, strict=False)
            where = ", ".join([name, *(f"{axis} {i}" for axis, i in axes)])
            text = value if isinstance(value, bytes) else str(value)  # not np.str_('a')
            return f"{where}: {text!r} is not a number; {fix}"
    return None


def check_numeric(name: str, array: Any, dtype: Any = np.float64, fix: str = TEXT_FIX):
    """Convert ``array`` to a floating array, naming the first text entry that is not a
    number instead of NumPy's ``could not convert string to float``.

    Parameters
    ----------
    name : str
        What the array is (``'X'``, ``'y'``), used in the message.
    array : array-like
    dtype : numpy dtype, default=float64
    fix : str, optional
        What the user should do, ending the message.

    Returns
    -------
    ndarray
        ``np.asarray(array, dtype=dtype)``; no other check.

    Raises
    ------
    ValueError
        ``X, row 0, column 1: 'abc' is not a number; ...`` (other failures of the
        conversion are NumPy's own errors).

    Examples
    --------
    >>> check_numeric("X", np.array([["1.5", "2"], ["3", "n/a"]]))
    Traceback (most recent call last):
    ...
    ValueError: X, row 1, column 1: 'n/a' is not a number; convert it to numbers first (encode a category as 0/1 columns)
    """  # noqa: E501
    try:
        return np.asarray(array, dtype=dtype)
    except ValueError:
        message = _text_entry(name, array, fix)
        if message is None:
            raise
        raise ValueError(message) from None


def check_matrix(
    name: str, array: Any, *, n_columns: int | None = None, dtype: Any = np.float64
) -> np.ndarray:
    """Convert ``array`` to a finite 2-D floating array, with clear errors.

    Parameters
    ----------
    name : str
        What the array is, used in the message.
    array : array-like of shape (n_samples, n_columns)
        The data; a 1-D array is refused (reshape it explicitly).
    n_columns : int, optional
        Required number of columns.
    dtype : numpy dtype, default=float64
        Floating dtype of the result.

    Returns
    -------
    ndarray of shape (n_samples, n_columns)

    Raises
    ------
    ValueError
        For non-numeric data, a wrong number of dimensions or columns, no rows, NaN or inf.

    Examples
    --------
    >>> check_matrix("X", [[1, 2], [3, 4]]).dtype
    dtype('float64')
    """
    try:
        out = np.asarray(array, dtype=dtype)
    except (TypeError, ValueError) as exc:
        text = _text_entry(name, array, TEXT_FIX) if isinstance(exc, ValueError) else None
        kind = np.dtype(dtype).name
        raise ValueError(
            text or f"{name} must be numeric; could not convert it to {kind}: {exc}"
        ) from None
    if out.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features); got shape {out.shape}. "
            "Use array.reshape(-1, 1) for a single feature or array.reshape(1, -1) for a "
            "single sample"
        )
    if out.shape[0] == 0:
        raise ValueError(f"{name} has no rows; expected at least one sample")
    if n_columns is not None and out.shape[1] != n_columns:
        raise ValueError(f"{name} has {out.shape[1]} columns; expected {n_columns}")
    check_finite(name, out)
    return out


def did_you_mean(name: Any, candidates: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the candidate closest to ``name``, or ``""``.

    Examples
    --------
    >>> "'temprature' is not a parameter" + did_you_mean("temprature", ["temperature"])
    "'temprature' is not a parameter (did you mean 'temperature'?)"
    >>> did_you_mean("zzz", ["temperature"])
    ''
    """
    hint = closest_name(str(name), candidates)
    return f" (did you mean {hint!r}?)" if hint else ""


def closest_name(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """Return the candidate closest to ``name`` (for "did you mean" hints), or ``None``
    when none is at least ``cutoff`` similar (:func:`difflib.get_close_matches`).

    Examples
    --------
    >>> closest_name("temprature", ["temperature", "pressure"])
    'temperature'
    >>> closest_name("lgo", ["low", "log"])
    'log'
    """
    import difflib

    pool = list(candidates)
    folded = [c for c in pool if c.casefold() == name.casefold()]
    if folded and name not in pool:  # 'pd' for 'Pd'
        return folded[0]
    # two neighbouring letters swapped is the commonest typo ('lgo' is 'log', not 'low')
    for i in range(len(name) - 1):
        swapped = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if swapped != name and swapped in pool:
            return swapped
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=cutoff)
    return matches[0] if matches else None
