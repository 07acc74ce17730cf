"""The default candidates: their light tuning and their predictive spread."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from yieldlab.modelling.candidates import (
    DEFAULT_CANDIDATES,
    BoostedTreesEnsemble,
    GaussianProcessCandidate,
    MLPEnsemble,
    RidgeResponseSurface,
    complexity,
    default_candidate,
)
from yieldlab.modelling.uncertainty import Blend, PredictiveStd
from yieldlab.models.formula import FormulaModel
from yieldlab.models.linear import LinearRegression


def _quadratic(rng, n, noise=0.2):
    X = rng.uniform(-1, 1, size=(n, 2))
    y = 5 + 2 * X[:, 0] - 3 * X[:, 1] ** 2 + X[:, 0] * X[:, 1] + rng.normal(0, noise, n)
    return X, y


def test_response_surface_without_need_for_ridge_is_least_squares(rng):
    X, y = _quadratic(rng, 200)
    model = RidgeResponseSurface().fit(pd.DataFrame(X, columns=["T", "P"]), y)
    assert model.alpha_ <= 1e-4  # next to nothing: least squares, or the faintest ridge
    table = model.summary()
    # coded units: the inputs span about -1..1, so coefficients are close to the truth
    assert table.loc["P^2", "estimate"] == pytest.approx(-3.0, abs=0.2)
    assert table.loc["T*P", "estimate"] == pytest.approx(1.0, abs=0.2)
    assert model.noise_std_ == pytest.approx(0.2, rel=0.2)


def test_response_surface_with_more_terms_than_rows_takes_a_ridge(rng):
    X = rng.uniform(-1, 1, size=(12, 5))  # 21 terms, 12 rows
    y = X[:, 0] - X[:, 1] ** 2 + rng.normal(0, 0.05, 12)
    model = RidgeResponseSurface().fit(X, y)
    assert model.alpha_ > 0
    mean, std = model.predict(X, return_std=True)
    assert np.all(np.isfinite(mean)) and np.all(std > 0)


def test_response_surface_leaves_out_squares_of_indicators(rng):
    X = pd.DataFrame({"T": rng.uniform(-1, 1, 40), "Pd": rng.integers(0, 2, 40).astype(float)})
    y = 2 * X["T"] - X["T"] ** 2 + 3 * X["Pd"] + rng.normal(0, 0.05, 40)
    table = RidgeResponseSurface().fit(X, y).summary()
    assert "Pd^2" not in table.index and "T^2" in table.index
    # coded units: Pd runs -1..+1, so its coefficient is half the 0 -> 1 effect of 3
    assert table.loc["Pd", "estimate"] == pytest.approx(1.5, abs=0.05)


def test_gaussian_process_finds_the_irrelevant_input_and_includes_noise(rng):
    X = rng.uniform(0, 1, size=(60, 2))
    y = np.sin(6 * X[:, 0]) + rng.normal(0, 0.1, 60)
    model = GaussianProcessCandidate(random_state=0).fit(X, y)
    scales = model.params_["length_scales"]
    assert scales["x1"] > 10 * scales["x0"]
    assert model.params_["noise_std"] == pytest.approx(0.1, rel=0.5)
    _, std = model.predict(np.array([[0.5, 0.5], [3.0, 0.5]]), return_std=True)
    assert std[0] >= 0.08  # noise included, not only the uncertainty of the mean
    assert std[1] > 3 * std[0]  # far from the data


def test_gaussian_process_conditions_on_at_most_max_rows(rng):
    X = rng.uniform(0, 1, size=(150, 1))
    y = X[:, 0] ** 2
    model = GaussianProcessCandidate(hyper_rows=40, refine_rows=60, max_rows=80, random_state=1)
    assert model.fit(X, y).gp_.X_train_.shape == (80, 1)


def test_mlp_ensemble_fits_and_is_unsure_away_from_the_data(rng):
    X = rng.uniform(-2, 2, size=(80, 1))
    y = np.sin(2 * X[:, 0]) + rng.normal(0, 0.05, 80)
    model = MLPEnsemble(n_members=3, random_state=0).fit(X, y)
    X_test = np.linspace(-1.8, 1.8, 50).reshape(-1, 1)
    mean, std = model.predict(X_test, return_std=True)
    assert np.sqrt(np.mean((mean - np.sin(2 * X_test[:, 0])) ** 2)) < 0.1
    assert len(model.members_) == 3 and model.params_["hidden_layer_sizes"] == (20, 20)
    assert model.params_["alpha"] in (0.005, 0.05)
    # the spread is the members' disagreement plus the held-out noise, never less
    assert np.all(std >= model.noise_std_) and model.noise_std_ < 0.15


def test_boosted_trees_are_k_fold_bagged_with_out_of_fold_noise(rng):
    X = rng.uniform(0, 1, size=(200, 2))
    y = np.where(X[:, 0] > 0.5, 3.0, 0.0) + rng.normal(0, 0.2, 200)
    model = BoostedTreesEnsemble(random_state=0).fit(X, y)
    assert len(model.members_) == 5
    assert 0.2 <= model.noise_std_ <= 0.4  # noise, plus the trees' error at the step
    mean = model.predict(np.array([[0.2, 0.5], [0.8, 0.5]]))
    assert mean == pytest.approx([0.0, 3.0], abs=0.3)


@pytest.mark.parametrize("name", sorted(DEFAULT_CANDIDATES))
def test_defaults_are_deterministic_and_predictive(name, rng):
    X, y = _quadratic(rng, 40)
    first = default_candidate(name, 3).fit(X, y).predict(X, return_std=True)
    second = default_candidate(name, 3).fit(X, y).predict(X, return_std=True)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    assert np.all(first[1] > 0)


def test_complexity_order():
    ranks = {name: complexity(default_candidate(name, 0)) for name in DEFAULT_CANDIDATES}
    assert sorted(ranks, key=ranks.get) == [
        "linear",
        "response_surface",
        "gaussian_process",
        "mlp_ensemble",
        "boosted_trees",
    ]
    assert complexity(PredictiveStd(FormulaModel("y = a*x"))) < ranks["linear"]
    assert complexity(PredictiveStd(Ridge())) > ranks["boosted_trees"]
    assert complexity(Blend([("a", PredictiveStd(LinearRegression()))], [1.0])) == 7.0
