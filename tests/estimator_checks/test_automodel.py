"""scikit-learn's own estimator checks over AutoModel.

The checks fit dozens of times on tables of 10 to 200 rows. ``LIGHT`` (two linear
candidates) runs them on AutoModel's own plumbing; ``EVERY_KIND`` runs them with a
candidate of every kind (linear, response surface, Gaussian process, MLP ensemble, boosted
trees) and their blend, each in a small configuration (fewer members, one configuration),
which exercises the same code as the defaults in a fraction of the time (the Gaussian
process on subsamples of its rows, as on a large table; no permutation importance, which
``LIGHT`` measures).
"""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from yieldlab import AutoModel
from yieldlab.modelling.candidates import (
    BoostedTreesEnsemble,
    GaussianProcessCandidate,
    MLPEnsemble,
)

LIGHT = AutoModel(candidates=["linear", "response_surface"], cv=3, repeats=1, random_state=0)
EVERY_KIND = AutoModel(
    candidates={
        "linear": "linear",
        "response_surface": "response_surface",
        "gaussian_process": GaussianProcessCandidate(
            n_restarts=1, hyper_rows=60, refine_rows=60, max_rows=100, random_state=0
        ),
        "mlp_ensemble": MLPEnsemble(
            n_members=2, configs=[{"alpha": 0.1, "max_iter": 200}], random_state=0
        ),
        "boosted_trees": BoostedTreesEnsemble(n_members=2, random_state=0),
    },
    cv=3,
    repeats=1,
    random_state=0,
    importance=False,  # LIGHT measures it
)


@parametrize_with_checks([LIGHT])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks([EVERY_KIND])
def test_sklearn_compatible_with_every_kind_of_candidate(estimator, check):
    check(estimator)


def test_the_mlp_ensemble_does_not_flood_the_fit_warnings_with_its_members_limits():
    # each member trains for its configuration's max_iter (tuned on a holdout), so stopping
    # there is expected: no ConvergenceWarning per member, fit or refit
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.normal(size=40)
    ensemble = MLPEnsemble(n_members=2, configs=[{"alpha": 0.1, "max_iter": 20}], random_state=0)
    model = AutoModel(candidates={"mlp_ensemble": ensemble}, cv=3, repeats=1, random_state=0)
    model.fit(X, y)  # warnings are errors in the test suite
    assert model.best_name_ == "mlp_ensemble"
    assert model.fit_warnings_ == []
    assert all(member.history_.reached_limit for member in model.best_estimator_.members_)
