"""Spaces, a mocked posterior and a grid maximizer shared by the tests of the experiments
layer."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.ranges import Integer, Real
from yieldlab.experiments.space import Space


@pytest.fixture
def space() -> Space:
    """Every parameter kind, a constraint and an exclusion."""
    return Space(
        [
            Real("a", 0, 1),
            Real("b", 0, 1),
            Integer("n", 1, 4),
            Discrete("c", [0.1, 0.2, 0.5]),
            Categorical("cat", ["Pd", "Ni", "Cu"]),
        ],
        constraints=["a + b <= 1"],
        exclude=[{"cat": "Cu", "a": {"low": 0.8}}],
    )


@pytest.fixture
def mixed() -> Space:
    """Every parameter kind, a log-scaled one among them, without restrictions."""
    return Space(
        [
            Real("T", 60, 160),
            Real("t", 1, 100, log=True),
            Integer("n", 1, 5),
            Discrete("c", [0.1, 0.2, 0.5]),
            Categorical("cat", ["Pd", "Ni", "Cu"]),
        ]
    )


@pytest.fixture
def simplex() -> Space:
    """Three proportions that sum to at most one."""
    return Space(
        [Real("a", 0, 1), Real("b", 0, 1), Real("c", 0, 1)], constraints=["a + b + c <= 1"]
    )


class MockPosterior:
    """Independent objectives with mean ``f(z)`` and a std that a fantasy at ``z0`` shrinks
    by ``1 - exp(-|z - z0|^2 / 0.02)`` (like a GP with a short length scale)."""

    def __init__(self, mean_fn, std_fn, fantasies=None):
        self.mean_fn, self.std_fn = mean_fn, std_fn
        self.fantasies = np.zeros((0, 1)) if fantasies is None else fantasies

    def predict(self, Z):
        Z = np.asarray(Z, dtype=float)
        std = self.std_fn(Z)
        for z0 in self.fantasies:
            std = std * np.sqrt(1.0 - np.exp(-((Z - z0) ** 2).sum(1) / 0.02))[:, None]
        return self.mean_fn(Z), std

    def sample(self, Z, n_samples, rng):
        mean, std = self.predict(Z)
        return mean + std * rng.standard_normal((n_samples, *mean.shape))

    def condition(self, Z):
        return MockPosterior(self.mean_fn, self.std_fn, np.vstack([self.fantasies, Z]))


class GridMaximizer:
    """Exact maximization over a fixed grid of settings (as in candidates mode)."""

    def __init__(self, grid):
        self.grid = grid

    def _left(self, exclude):
        if exclude is None or len(exclude) == 0:
            return self.grid
        d = np.abs(self.grid[:, None, :] - exclude[None]).max(-1).min(1)
        return self.grid[d > 1e-12]

    def maximize(self, f, rng, exclude=None):
        Z = self._left(exclude)
        values = f(Z)
        return Z[np.argmax(values)], float(values.max())

    def pool(self, rng, exclude=None, rank=None):
        return self._left(exclude)
