"""scikit-learn's own estimator checks over the formula model."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from yieldlab import FormulaModel

EXPECTED_FAILED = {}


@parametrize_with_checks(
    [FormulaModel("y = b0 + b1*x1"), FormulaModel("y = b0 + b1*exp(-b2*x1)")],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
