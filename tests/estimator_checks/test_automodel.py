"""scikit-learn's own estimator checks over AutoModel.

The checks fit dozens of times on tables of 10 to 200 rows; the light configuration keeps
them fast, the default one (every candidate, the blend) runs once through them as slow.
"""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from yieldlab import AutoModel

LIGHT = AutoModel(candidates=["linear", "response_surface"], cv=3, repeats=1, random_state=0)


@parametrize_with_checks([LIGHT])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks([AutoModel(cv=3, repeats=1, random_state=0)])
def test_sklearn_compatible_with_every_candidate(estimator, check):
    check(estimator)
