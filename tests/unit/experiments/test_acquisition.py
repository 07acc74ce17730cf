"""Acquisition functions against a mocked surrogate with a known mean and std."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from yieldlab.experiments.acquisition import (
    acquisition_function,
    expected_improvement,
    incumbent,
    log_expected_improvement,
    log_h,
    mc_log_expected_improvement,
    select_batch,
    upper_confidence_bound,
)
from yieldlab.experiments.desirability import Desirability
from yieldlab.experiments.objectives import Maximize, Minimize, Target
from yieldlab.experiments.scores import Score, sample_simplex

from .conftest import GridMaximizer, MockPosterior


def bump(Z):
    return np.exp(-((Z[:, :1] - 0.3) ** 2) / 0.05)


def flat_std(Z):
    return np.full((len(Z), 1), 0.2)


def test_ei_by_hand():
    # z = (1.2 - 1) / 0.5 = 0.4: EI = 0.5 * (phi(0.4) + 0.4 * Phi(0.4))
    expected = 0.5 * (norm.pdf(0.4) + 0.4 * norm.cdf(0.4))
    assert expected_improvement([1.2], [0.5], 1.0)[0] == pytest.approx(expected, rel=1e-12)
    assert np.exp(log_h(0.4))[0] == pytest.approx(norm.pdf(0.4) + 0.4 * norm.cdf(0.4))


def test_log_h_matches_direct_formula_where_it_is_accurate():
    z = np.linspace(-8, 5, 200)
    direct = np.log(norm.pdf(z) + z * norm.cdf(z))
    np.testing.assert_allclose(log_h(z), direct, rtol=1e-9, atol=1e-12)


def test_log_ei_finite_in_the_far_tail_where_ei_underflows():
    mean = np.array([-40.0, -1e3, -1e9])
    plain = 1.0 * (norm.pdf(mean) + mean * norm.cdf(mean))
    assert np.all(plain <= 0.0)  # underflow (or cancellation) of the textbook formula
    values = log_expected_improvement(mean, np.ones(3), 0.0)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) < 0)  # still ordered: farther is worse
    # asymptote log EI ~ -z^2/2 - log(2 pi)/2 - 2 log|z|
    assert values[1] == pytest.approx(-0.5e6 - 0.5 * np.log(2 * np.pi) - 2 * np.log(1e3))


def test_ei_without_uncertainty_is_the_certain_gain():
    assert expected_improvement([3.0, -1.0], [0.0, 0.0], 1.0).tolist() == [2.0, 0.0]
    assert log_expected_improvement([-1.0], [0.0], 1.0)[0] == -np.inf


def test_ucb_by_hand():
    assert upper_confidence_bound([1.0, 2.0], [0.5, 0.1], beta=3.0).tolist() == [2.5, 2.3]


def test_mc_log_ei_agrees_with_analytic_ei():
    rng = np.random.default_rng(0)
    draws = 0.3 + 0.7 * rng.standard_normal((200_000, 1))
    mc = np.exp(mc_log_expected_improvement(draws, 0.5, tau=1e-4))[0]
    assert mc == pytest.approx(expected_improvement([0.3], [0.7], 0.5)[0], rel=0.01)


def test_mc_log_ei_ranks_points_where_no_draw_improves():
    draws = np.array([[-5.0, -3.0], [-4.0, -2.5]])
    values = mc_log_expected_improvement(draws, best=0.0, tau=0.1)
    assert np.all(np.isfinite(values)) and values[1] > values[0]


def test_score_orients_and_combines():
    Y = np.array([[50.0, 5.0], [100.0, 0.0]])
    assert Score([Maximize("y")])(Y[:, :1]).tolist() == [50.0, 100.0]
    assert Score([Minimize("c")])(Y[:, 1:]).tolist() == [-5.0, -0.0]
    assert Score([Target("t", 52.0)])(Y[:, :1]).tolist() == [-2.0, -48.0]
    both = [Maximize("y", 0, 100), Minimize("c", 0, 10)]
    assert Score(both)(Y).tolist() == [0.5, 1.0]


def test_score_desirability_matches_the_objectives_module(rng):
    objectives = [Maximize("y", weight=2.0), Minimize("c"), Target("t", 3.0, 0.0, 5.0)]
    results = pd.DataFrame(rng.uniform(0, 6, size=(40, 3)), columns=["y", "c", "t"])
    ours = Score(objectives, results)(results.to_numpy())
    theirs = Desirability(objectives).score(results)
    # where the desirability is 0, the score is minus how far short of acceptable
    short = Desirability(objectives).shortfall(results)
    assert (theirs == 0).sum() >= 5 and (short[theirs == 0] > 0).sum() >= 5
    np.testing.assert_allclose(ours, np.where(theirs > 0, theirs, -short), rtol=1e-12)


def test_chebyshev_score_by_hand():
    reference = pd.DataFrame({"a": [0.0, 10.0], "b": [0.0, 4.0]})
    score = Score([Maximize("a"), Minimize("b")], reference, weights=[0.25, 0.75], rho=0.0)
    # a = 5 -> 0.5; b = 1 -> -1 normalized over [-4, 0] -> 0.75; min(0.125, 0.5625)
    assert score(np.array([[5.0, 1.0]]))[0] == pytest.approx(0.125)


def test_sample_simplex_rows_sum_to_one(rng):
    w = sample_simplex(50, 3, rng)
    assert w.shape == (50, 3) and np.all(w >= 0)
    np.testing.assert_allclose(w.sum(1), 1.0)


def test_incumbent_plug_in_is_the_posterior_mean_not_the_noisy_best():
    posterior = MockPosterior(bump, flat_std)
    Z = np.array([[0.3], [0.9]])
    assert incumbent(posterior, Z, Score([Maximize("y")])) == pytest.approx(1.0)
    assert incumbent(posterior, np.zeros((0, 1)), Score([Maximize("y")])) == -np.inf


def test_incumbent_is_the_measured_best_raised_by_fantasies():
    posterior = MockPosterior(bump, flat_std)  # mean 1.0 at 0.3, ~0 at 0.9
    score = Score([Maximize("y")])
    measured = np.array([[1.4], [np.nan], [0.2]])  # a lucky 1.4 at 0.3, a failed run
    Z = np.array([[0.3], [0.5], [0.9]])
    assert incumbent(posterior, Z, score, measured) == pytest.approx(1.4)
    # a fantasized pick whose mean beats every measurement raises the bar
    assert incumbent(posterior, Z, score, np.array([[0.5]])) == pytest.approx(1.0)
    # minimized: the smallest measurement is the best score
    low = Score([Minimize("y")])
    assert incumbent(posterior, np.zeros((0, 1)), low, np.array([[0.7], [0.4]])) == -0.4
    assert incumbent(posterior, np.zeros((0, 1)), score, np.array([[np.nan]])) == -np.inf


def test_ei_and_nei_differ_only_in_the_incumbent(rng):
    posterior = MockPosterior(bump, flat_std)
    grid = np.linspace(0, 1, 201)[:, None]
    measured = np.array([[5.0]])  # far above the model's mean anywhere

    def first(kind):
        Z, values = select_batch(
            kind,
            posterior,
            GridMaximizer(grid),
            1,
            lambda j: Score([Maximize("y")]),
            np.array([[0.3]]),
            np.random.default_rng(0),
            Y_observed=measured,
        )
        return Z[0, 0], values[0]

    z_ei, v_ei = first("ei")
    z_nei, v_nei = first("nei")
    assert z_ei == pytest.approx(0.3) and z_nei == pytest.approx(0.3)
    # log EI over a bar of 5.0 is far below log EI over the posterior mean's 1.0
    assert v_ei < v_nei - 5.0
    f = acquisition_function("ei", posterior, Score([Maximize("y")]), best=5.0)
    assert v_ei == pytest.approx(float(f(np.array([[0.3]]))[0]))


def test_ei_criterion_prefers_the_bump_and_minimize_flips_it():
    posterior = MockPosterior(bump, flat_std)
    grid = np.linspace(0, 1, 101)[:, None]
    f = acquisition_function("ei", posterior, Score([Maximize("y")]), best=0.5)
    assert grid[np.argmax(f(grid)), 0] == pytest.approx(0.3)
    g = acquisition_function("ei", posterior, Score([Minimize("y")]), best=-0.5)
    assert grid[np.argmax(g(grid)), 0] in (0.0, 1.0)


def test_target_criterion_uses_monte_carlo_and_finds_the_target(rng):
    posterior = MockPosterior(lambda Z: 10 * Z[:, :1], lambda Z: np.full((len(Z), 1), 0.05))
    grid = np.linspace(0, 1, 101)[:, None]
    base = rng.standard_normal((256, 1))
    f = acquisition_function(
        "ei", posterior, Score([Target("y", 4.0)]), best=-1.0, base_samples=base, tau=1e-3
    )
    assert grid[np.argmax(f(grid)), 0] == pytest.approx(0.4)


@pytest.mark.parametrize("kind", ["ei", "nei", "ucb", "thompson"])
def test_batches_do_not_repeat_points(kind, rng):
    posterior = MockPosterior(bump, flat_std)
    grid = np.linspace(0, 1, 201)[:, None]
    Z, values = select_batch(
        kind,
        posterior,
        GridMaximizer(grid),
        5,
        lambda j: Score([Maximize("y")]),
        np.array([[0.9]]),
        rng,
    )
    assert Z.shape == (5, 1) and values.shape == (5,)
    assert len(np.unique(Z[:, 0])) == 5
    if kind != "thompson":
        # without fantasies the five best grid points would be neighbours (spread 0.02)
        assert np.ptp(Z[:, 0]) >= 0.1


def test_a_thompson_pick_tries_the_uncertain_region_that_ei_leaves_alone():
    # EI fills a batch of 4 from the sure region (z < 0.5: mean near 1, std 0.05) and
    # never tries the uncertain one (mean 0.7, std 0.15), whose draws often beat it
    def mean(Z):
        return np.where(Z[:, :1] < 0.5, 1.0 - (Z[:, :1] - 0.25) ** 2, 0.7)

    def std(Z):
        return np.where(Z[:, :1] < 0.5, 0.05, 0.15)

    grid = np.linspace(0, 1, 101)[:, None]

    def batch(explore, seed):
        Z, values = select_batch(
            "ei",
            MockPosterior(mean, std),
            GridMaximizer(grid),
            4,
            lambda j: Score([Maximize("y")]),
            np.array([[0.25]]),
            np.random.default_rng(seed),
            Y_observed=np.array([[0.95]]),
            thompson_picks=[3] if explore else (),
        )
        return Z[:, 0], values

    plain = [batch(False, s) for s in range(40)]
    drawn = [batch(True, s) for s in range(40)]
    for (z0, v0), (z1, v1) in zip(plain, drawn, strict=True):
        np.testing.assert_array_equal(z0[:3], z1[:3])
        np.testing.assert_array_equal(v0[:3], v1[:3])
        assert z0[3] < 0.5
    uncertain = np.mean([z[3] > 0.5 for z, _ in drawn])
    assert 0.3 < uncertain < 0.9


def test_pending_experiments_are_not_suggested_again(rng):
    posterior = MockPosterior(bump, flat_std)
    grid = np.linspace(0, 1, 101)[:, None]
    pending = np.array([[0.3]])
    Z, _ = select_batch(
        "ei",
        posterior,
        GridMaximizer(grid),
        1,
        lambda j: Score([Maximize("y")]),
        np.zeros((0, 1)),
        rng,
        Z_pending=pending,
    )
    assert abs(Z[0, 0] - 0.3) >= 0.03


def test_pareto_batch_with_random_chebyshev_weights(rng):
    posterior = MockPosterior(
        lambda Z: np.column_stack([Z[:, 0], 1 - Z[:, 0]]), lambda Z: np.full((len(Z), 2), 0.01)
    )
    reference = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 0.0]})
    objectives = [Maximize("a"), Maximize("b")]
    weights = iter([[0.9, 0.1], [0.1, 0.9]])
    grid = np.linspace(0, 1, 101)[:, None]
    Z, _ = select_batch(
        "ei",
        posterior,
        GridMaximizer(grid),
        2,
        lambda j: Score(objectives, reference, weights=next(weights)),
        np.array([[0.5]]),
        rng,
    )
    # the augmented Chebyshev optimum is near w_a a = w_b (1 - a): a = 0.1, then a = 0.9
    assert Z[0, 0] == pytest.approx(0.1, abs=0.03) and Z[1, 0] == pytest.approx(0.9, abs=0.03)
