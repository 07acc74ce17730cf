"""Surrogate models: one model per objective, failed runs, model choice, fantasies."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.experiments.objectives import Maximize, Minimize, Target
from yieldlab.experiments.surrogate import (
    JointPosterior,
    Surrogate,
    _ModelPosterior,
    pessimistic,
    winsorized,
)

GROUPS = np.array([0, 1, 2, 2, 2])


def mixed_data(rng, n=30):
    X = np.hstack([rng.random((n, 2)), np.eye(3)[rng.integers(3, size=n)]])
    y = np.sin(4 * X[:, 0]) + X[:, 1] + 2 * X[:, 3] + 0.05 * rng.standard_normal(n)
    return X, y


def test_failed_runs_teach_the_model_to_avoid_their_region(rng):
    X = np.linspace(0, 1, 21)[:, None]
    y = np.sin(3 * X[:, 0]) + 2.0
    y[X[:, 0] > 0.75] = np.nan  # the process fails at high x
    posterior = Surrogate([Maximize("y")], model="gp").fit(X, y[:, None])
    mean, _ = posterior.predict(np.array([[0.5], [0.95]]))
    assert mean[1, 0] < np.nanmin(y) + 0.1 < mean[0, 0]


def test_surrogate_remembers_hyperparameters_and_predicts_every_objective(rng):
    X, y = mixed_data(rng)
    Y = np.column_stack([y, -y, y + 1])
    objectives = [Maximize("a"), Minimize("b"), Target("c", 1.0)]
    surrogate = Surrogate(objectives, model="gp", groups=GROUPS)
    posterior = surrogate.fit(X, Y)
    mean, std = posterior.predict(X[:4])
    assert mean.shape == std.shape == (4, 3)
    np.testing.assert_allclose(mean[:, 1], -mean[:, 0], rtol=1e-4, atol=1e-4)
    assert set(surrogate.state) == {"a", "b", "c"}
    assert len(surrogate.state["a"]["theta"]) == 3 + 3  # signal, 3 lengths, additive, noise
    assert posterior.sample(X[:4], 7, rng).shape == (7, 4, 3)
    assert isinstance(posterior.condition(X[:1]), JointPosterior)


def test_automatic_selection_runs_every_few_results(rng):
    X, y = mixed_data(rng, 24)
    surrogate = Surrogate(
        [Maximize("y")], model="auto", reselect_every=5, groups=GROUPS, random_state=0
    )
    surrogate.fit(X[:20], y[:20, None])
    memory = surrogate.state["y"]
    assert memory["selected_at"] == 20 and memory["model"] in ("gp", "mlp_ensemble")
    surrogate.fit(X[:24], y[:24, None])  # 4 new results: no new selection
    assert surrogate.state["y"]["selected_at"] == 20


def _predictions(state, X, y, **options):
    surrogate = Surrogate([Maximize("y")], state=state, groups=GROUPS, random_state=3, **options)
    mean, std = surrogate.fit(X, y[:, None]).predict(X[:5])
    return mean, std, surrogate.state


def test_a_refit_on_the_same_results_is_the_same_to_the_digit(rng):
    # a campaign refits from the memory it saved; asking twice must not move the answer
    X, y = mixed_data(rng, 24)
    first = _predictions({}, X[:18], y[:18], model="gp")
    again = _predictions(first[2], X[:18], y[:18], model="gp")
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert again[2] == first[2]
    # with new results the warm start is the last optimum
    grown = _predictions(first[2], X, y, model="gp")[2]["y"]
    assert grown["start"] == first[2]["y"]["theta"] != grown["theta"]
    # L-BFGS-B restarted at its own optimum stops elsewhere, within its tolerance
    drifted = dict(first[2]["y"], start=first[2]["y"]["theta"])
    moved = _predictions({"y": drifted}, X[:18], y[:18], model="gp")
    assert not np.array_equal(first[0], moved[0])
    np.testing.assert_allclose(moved[0], first[0], rtol=1e-3)


def test_the_ensemble_is_the_same_whether_or_not_it_was_just_chosen(rng, monkeypatch):
    X, y = mixed_data(rng, 24)

    def choose(self, Z, y, rng):
        rng.integers(2**31 - 1, size=2)  # as the real choice, which seeds its candidates
        return "mlp_ensemble"

    monkeypatch.setattr(Surrogate, "_select", choose)
    chosen = _predictions({}, X, y, model="auto")
    assert chosen[2]["y"]["model"] == "mlp_ensemble"
    remembered = _predictions(chosen[2], X, y, model="auto")  # no selection due
    assert np.array_equal(chosen[0], remembered[0]) and np.array_equal(chosen[1], remembered[1])


class Constant:
    def predict(self, Z, return_std=False):
        return np.zeros(len(Z)), np.ones(len(Z))


@pytest.mark.parametrize(
    ("sense", "target", "expected"),
    [
        ("max", None, [3.0, 3.0, 5.0, 3.0]),
        ("min", None, [3.0, 5.0, 5.0, 5.0]),
        ("target", 4.8, [3.0, 3.0, 5.0, 3.0]),
    ],
)
def test_pessimistic_imputation(sense, target, expected):
    y = np.array([3.0, np.nan, 5.0, np.inf])
    assert pessimistic(y, sense, target).tolist() == expected


def test_model_posterior_fantasies_shrink_the_std_nearby():
    X = np.array([[0.0], [1.0]])
    posterior = _ModelPosterior(Constant(), X).condition_one(np.array([[0.5]]))
    _, std = posterior.predict_one(np.array([[0.5], [0.6], [5.0]]))
    assert std[0] == 0.0 and 0.0 < std[1] < 1.0 and std[2] == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    ("sense", "expected"),
    [
        # quartiles 2.5 and 5.5: fences at 2.5 - 9 = -6.5 and 5.5 + 9 = 14.5
        ("min", [2.0, 3.0, 4.0, 5.0, 6.0, 14.5, -50.0]),
        ("max", [2.0, 3.0, 4.0, 5.0, 6.0, 300.0, -6.5]),
    ],
)
def test_winsorized_moves_only_the_bad_tail(sense, expected):
    y = np.array([2.0, 3.0, 4.0, 5.0, 6.0, 300.0, -50.0])
    assert winsorized(y, sense).tolist() == pytest.approx(expected)


def test_winsorized_target_and_small_samples():
    # distances 0, 1, 1, 2, 40: quartiles 1 and 2, fence 2 + 3 = 5, on either side of 10
    y = np.array([10.0, 9.0, 11.0, 12.0, -30.0])
    assert winsorized(y, "target", 10.0).tolist() == [10.0, 9.0, 11.0, 12.0, 5.0]
    assert winsorized(np.array([1.0, 2.0, 900.0]), "min").tolist() == [1.0, 2.0, 900.0]
    assert winsorized(np.array([1.0, 1.0, 1.0, 1.0, 9.0]), "min").tolist()[-1] == 9.0


def test_an_outlier_on_the_bad_side_does_not_set_the_scale():
    # cost 2..5 over x in [0, 1], one run at 300: the model is fitted on the fence there
    # (quartiles 2.82 and 4.45: 4.45 + 3 * 1.64 = 9.36), and still resolves the cheap end
    X = np.r_[np.linspace(0, 1, 12), 1.5][:, None]
    cost = np.r_[2.0 + 3.0 * np.linspace(0, 1, 12), 300.0]
    posterior = Surrogate([Minimize("cost")], model="gp").fit(X, cost[:, None])
    mean, _ = posterior.predict(np.array([[1.5], [0.0], [0.5]]))
    assert mean[0, 0] == pytest.approx(9.36, abs=0.1)
    assert mean[1, 0] == pytest.approx(2.0, abs=0.2) and mean[2, 0] == pytest.approx(3.5, abs=0.2)


@pytest.mark.parametrize(
    ("values", "sense", "target", "failed_at"),
    [
        ([np.nan, 80.0, np.nan], "max", None, 0.0),
        ([np.nan, 0.0, 0.0], "max", None, -1.0),
        ([5.0, np.inf], "min", None, 10.0),
        ([7.5, np.nan], "target", 7.0, 8.5),
        ([6.0, np.nan], "target", 7.0, 5.0),
    ],
)
def test_failures_beside_equal_successes_are_worse_than_them(values, sense, target, failed_at):
    y = pessimistic(np.array(values), sense, target)
    assert y[~np.isfinite(values)] == pytest.approx(failed_at)
    assert y[np.isfinite(values)] == pytest.approx(np.array(values)[np.isfinite(values)])
