"""The shared input checks: the fast path for finite arrays must not hide or invent errors."""

import numpy as np
import pytest

from yieldlab._validation import check_finite


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("bad", "what"), [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "-inf")])
def test_non_finite_value_is_named_with_row_and_column(dtype, bad, what):
    X = np.ones((50, 4), dtype=dtype)
    X[37, 2] = bad
    with pytest.raises(ValueError, match=rf"X contains {what} at row 37, column 2 \(1 "):
        check_finite("X", X)
    # the same value in a non-contiguous view (the slow path) gives the same message
    with pytest.raises(ValueError, match=rf"X contains {what} at row 37, column 2 \(1 "):
        check_finite("X", np.asfortranarray(X))


def test_huge_finite_values_whose_squares_overflow_pass():
    X = np.full((10, 3), 1e200)  # sum of squares overflows to inf: the full check decides
    X[0, 0] = -1e300
    check_finite("X", X)
    check_finite("y", np.full(5, 3e38, dtype=np.float32))


def test_named_columns_and_count():
    X = np.zeros((6, 2))
    X[[1, 4], 1] = np.nan
    with pytest.raises(ValueError, match=r"row 1, column 'pressure' \(2 non-finite values"):
        check_finite("X", X, columns=["temperature", "pressure"])


def test_magnitudes_whose_squares_leave_double_precision_are_refused():
    from yieldlab._validation import check_scale

    check_scale("y", np.array([0.0, 1e-3, 1e12]))
    check_scale("y", np.zeros(3))  # all zero: a constant, not a scale problem
    with pytest.raises(ValueError, match=r"y has values of magnitude 2e\+200; beyond 1e\+150"):
        check_scale("y", np.array([1.0, -2e200]))
    with pytest.raises(ValueError, match=r"no larger than 3e-200 in magnitude; below 1e-150"):
        check_scale("y", np.array([1e-200, -3e-200, 0.0]))
