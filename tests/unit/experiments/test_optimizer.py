"""Maximizing a criterion over continuous, mixed, constrained and candidate spaces."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.optimizer import Maximizer
from yieldlab.experiments.ranges import Integer, Real
from yieldlab.experiments.space import Space


def test_continuous_optimum_is_polished_to_high_accuracy(rng):
    space = Space([Real("a", 0, 10), Real("b", -1, 1)])

    def f(Z):  # peak at a = 3.1234 (u = 0.31234), b = 0.5 (u = 0.75)
        return -((Z[:, 0] - 0.31234) ** 2) - 2 * (Z[:, 1] - 0.75) ** 2

    z, value = Maximizer(space).maximize(f, rng)
    np.testing.assert_allclose(z, [0.31234, 0.75], atol=1e-4)
    assert value == pytest.approx(0.0, abs=1e-7)


def test_mixed_space_picks_the_level_and_rounds_integers(rng):
    space = Space([Real("T", 0, 1), Integer("n", 1, 5), Categorical("cat", ["A", "B", "C"])])

    def f(Z):  # best: T = 0.8, n = 3 (u = 0.5), cat = 'C'
        return -((Z[:, 0] - 0.8) ** 2) - (Z[:, 1] - 0.45) ** 2 + Z[:, 4]

    z, _ = Maximizer(space).maximize(f, rng)
    settings = space.decode(z[None])
    assert settings["cat"].iloc[0] == "C" and settings["n"].iloc[0] == 3
    assert settings["T"].iloc[0] == pytest.approx(0.8, abs=1e-3)


def test_linear_constraints_are_respected_at_the_optimum(rng):
    space = Space(
        [Real("a", 0, 1), Real("b", 0, 1), Real("c", 0, 1)], constraints=["a + b + c <= 1"]
    )

    def f(Z):  # unconstrained best (1, 1, 0); on the face a + b = 1: 2(a-1) = 3(b-1), b = 0.6
        return -((Z[:, 0] - 1.0) ** 2) - 1.5 * (Z[:, 1] - 1.0) ** 2 - Z[:, 2]

    z, _ = Maximizer(space).maximize(f, rng)
    assert z.sum() <= 1 + 1e-9
    np.testing.assert_allclose(z, [0.4, 0.6, 0.0], atol=2e-3)


def test_excluded_combinations_are_never_returned(rng):
    space = Space(
        [Real("T", 0, 200), Categorical("cat", ["Cu", "Pd"])],
        exclude=[{"cat": "Cu", "T": {"low": 100}}],
    )

    def f(Z):  # would like Cu at the highest temperature
        return Z[:, 0] + 0.5 * Z[:, 1]

    z, _ = Maximizer(space).maximize(f, rng)
    settings = space.decode(z[None])
    assert space.is_feasible(settings)[0]
    assert settings["cat"].iloc[0] == "Pd" and settings["T"].iloc[0] == pytest.approx(200)


def test_incumbents_seed_the_pool_with_local_steps(rng):
    space = Space([Real(f"x{i}", 0, 1) for i in range(6)])
    best = np.full((1, 6), 0.37)
    pool = Maximizer(space, incumbents=best, n_pool=256).pool(rng)
    near = np.abs(pool - 0.37).max(axis=1) < 0.25
    assert near.sum() >= 64  # half the pool is around the incumbent


def test_chosen_points_are_excluded_in_discrete_spaces(rng):
    space = Space([Discrete("x", [0.0, 0.5, 1.0]), Categorical("c", ["a", "b"])])

    def f(Z):
        return Z[:, 0] + Z[:, 2]  # best: x = 1, c = 'b'

    maximizer = Maximizer(space)
    first, _ = maximizer.maximize(f, rng)
    second, _ = maximizer.maximize(f, rng, exclude=first[None])
    assert not np.allclose(first, second)
    assert space.decode(first[None]).iloc[0].tolist() == [1.0, "b"]


def test_candidates_mode_evaluates_every_remaining_row_exactly(rng):
    space = Space([Discrete("x", [0, 1, 2, 3]), Categorical("c", ["a", "b"])])
    rows = space._encode_valid(space.grid())
    values = rng.random(len(rows))
    lookup = {tuple(r): v for r, v in zip(rows, values, strict=True)}

    def f(Z):
        return np.array([lookup[tuple(z)] for z in Z])

    maximizer = Maximizer(space, candidates=rows)
    z, value = maximizer.maximize(f, rng)
    assert value == values.max()
    _, value2 = maximizer.maximize(f, rng, exclude=z[None])
    assert value2 == np.sort(values)[-2]
    with pytest.raises(SpaceError, match="no setting is left to suggest"):
        maximizer.maximize(f, rng, exclude=rows)


def test_candidate_pool_keeps_the_best_ranked_half(rng):
    space = Space([Real("x", 0, 1)])
    rows = np.linspace(0, 1, 3001)[:, None]
    pool = Maximizer(space, candidates=rows).pool(rng, rank=lambda Z: Z[:, 0], size=1000)
    assert len(pool) == 1000 and np.sum(pool[:, 0] > 0.833) >= 500
