"""scikit-learn's own estimator checks over the least-squares estimators and their solvers.

The default ``ResponseSurface()`` (a full quadratic) has more terms than some check data
sets have rows (66 terms for 10 inputs against 50 rows), which is refused by design; the
checks run on configurations that are identifiable there (pure quadratics, linear, ridge).
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from yieldlab import LinearRegression, ResponseSurface


@parametrize_with_checks(
    [
        LinearRegression(),
        LinearRegression(solver="cholesky"),
        LinearRegression(solver="svd", fit_intercept=False),
        LinearRegression(solver="gd"),
        LinearRegression(alpha=1.0, diagnostics=False),
        ResponseSurface(degree=1),
        ResponseSurface(interactions=False, coded=True),
        ResponseSurface(alpha=1.0),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
