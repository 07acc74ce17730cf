"""scikit-learn's own estimator checks over the engine's perceptrons."""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from yieldlab import MLPClassifier, MLPRegressor


@parametrize_with_checks(
    [
        MLPRegressor(hidden_layer_sizes=(16,), random_state=0),
        MLPClassifier(hidden_layer_sizes=(16,), random_state=0),
        MLPRegressor(
            hidden_layer_sizes=(8,), solver="adam", learning_rate_init=0.01, random_state=0
        ),
        MLPClassifier(hidden_layer_sizes=(8,), solver="adam", random_state=0),
    ]
)
# the checks fit tiny generic data with the default max_iter: whether training converges
# there is not what they test (the perceptrons warn about it as scikit-learn's do)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_compatible(estimator, check):
    check(estimator)
