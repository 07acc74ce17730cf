"""Expected hypervolume improvement against a mocked surrogate with a known mean and std."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.experiments.objectives import Maximize, Minimize, Target
from yieldlab.experiments.pareto import hypervolume_improvement, nondominated_boxes
from yieldlab.experiments.pareto_acquisition import (
    log_expected_hypervolume_improvement,
    select_hypervolume_batch,
)

from .conftest import GridMaximizer, MockPosterior


class TestExpectedHypervolumeImprovement:
    @pytest.mark.parametrize("m", [2, 3])
    def test_analytic_form_against_monte_carlo(self, m):
        rng = np.random.default_rng(m)
        front = rng.random((6, m))
        lower, upper = nondominated_boxes(front, np.zeros(m))
        mean = rng.random((5, m))
        std = 0.05 + 0.3 * rng.random((5, m))
        exact = np.exp(log_expected_hypervolume_improvement(mean, std, lower, upper))
        draws = mean + std * rng.standard_normal((200_000, 5, m))
        sampled = hypervolume_improvement(draws, lower, upper).mean(axis=0)
        np.testing.assert_allclose(exact, sampled, rtol=0.02, atol=1e-4)

    def test_finite_and_ordered_far_below_the_front(self):
        lower, upper = nondominated_boxes([[1.0, 1.0]], [0.0, 0.0])
        mean = np.array([[-20.0, -20.0], [-30.0, -30.0], [-40.0, -40.0]])
        values = log_expected_hypervolume_improvement(mean, np.ones_like(mean), lower, upper)
        assert np.isfinite(values).all() and values[0] > values[1] > values[2]

    def test_batch_spreads_along_the_front(self, rng):
        # a = z, b = 1 - z: every z is on the front; the measured ends are z = 0 and 1
        posterior = MockPosterior(
            lambda Z: np.column_stack([Z[:, 0], 1 - Z[:, 0]]),
            lambda Z: np.full((len(Z), 2), 0.05),
        )
        grid = np.linspace(0, 1, 101)[:, None]
        objectives = [Maximize("a"), Maximize("b")]
        Z, values = select_hypervolume_batch(
            posterior,
            GridMaximizer(grid),
            3,
            objectives,
            np.array([[0.0, 1.0], [1.0, 0.0]]),
            np.array([0.0, 0.0]),
            rng,
        )
        # the biggest gap is the middle; then the middle of each half
        assert Z[0, 0] == pytest.approx(0.5, abs=0.02)
        assert sorted(Z[1:, 0]) == pytest.approx([0.25, 0.75], abs=0.04)
        assert np.isfinite(values).all()

    def test_minimized_and_target_objectives(self, rng):
        # cost = z is minimized; a target far above every value rates -|y - T| = y - T,
        # so the Monte Carlo path must agree with the analytic one for Maximize
        posterior = MockPosterior(
            lambda Z: np.column_stack([Z[:, 0], Z[:, 0]]),
            lambda Z: np.full((len(Z), 2), 0.1),
        )
        grid = np.linspace(0, 1, 51)[:, None]
        front = np.array([[0.2, -0.2], [0.8, -0.8]])
        ref = np.array([0.0, -1.0])
        picks = {}
        for name, second in (("max", Maximize("y")), ("target", Target("y", 100.0))):
            shift = 0.0 if name == "max" else 100.0
            Z, values = select_hypervolume_batch(
                posterior,
                GridMaximizer(grid),
                1,
                [second, Minimize("cost")],
                front - [shift, 0.0],
                ref - [shift, 0.0],
                np.random.default_rng(0),
                n_mc=4096,
            )
            picks[name] = (Z[0, 0], values[0])
        assert picks["target"][0] == pytest.approx(picks["max"][0], abs=0.021)
        assert picks["target"][1] == pytest.approx(picks["max"][1], abs=0.1)

    def test_pending_experiments_join_the_front(self, rng):
        posterior = MockPosterior(
            lambda Z: np.column_stack([Z[:, 0], 1 - Z[:, 0]]),
            lambda Z: np.full((len(Z), 2), 0.05),
        )
        grid = np.linspace(0, 1, 101)[:, None]
        Z, _ = select_hypervolume_batch(
            posterior,
            GridMaximizer(grid),
            1,
            [Maximize("a"), Maximize("b")],
            np.array([[0.0, 1.0], [1.0, 0.0]]),
            np.array([0.0, 0.0]),
            rng,
            Z_pending=np.array([[0.5]]),
        )
        assert Z[0, 0] == pytest.approx(0.25, abs=0.04) or Z[0, 0] == pytest.approx(0.75, abs=0.04)
