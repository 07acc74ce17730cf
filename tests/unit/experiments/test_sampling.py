"""Drawing settings from a space: uniform and rejection sampling, and the grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.levels import Categorical
from yieldlab.experiments.ranges import Real
from yieldlab.experiments.space import Space


class TestSample:
    def test_unrestricted_sample_is_uniform_and_reproducible(self, rng):
        space = Space([Real("x", 0, 10), Categorical("c", ["a", "b"])])
        a = space.sample(4000, np.random.default_rng(1))
        pd.testing.assert_frame_equal(a, space.sample(4000, np.random.default_rng(1)))
        assert a["x"].mean() == pytest.approx(5, abs=0.2)
        assert (a["c"] == "a").mean() == pytest.approx(0.5, abs=0.03)

    def test_restricted_sample_is_feasible(self, space, rng):
        sample = space.sample(500, rng)
        assert len(sample) == 500 and space.is_feasible(sample).all()
        # a + b <= 1 keeps half of the square, uniformly
        assert sample["a"].mean() == pytest.approx(1 / 3, abs=0.03)

    def test_empty_tables(self, space):
        empty = space.sample(0, 0)
        assert empty.shape == (0, 5) and list(empty.columns) == space.names
        assert space.encode(empty).shape == (0, 7)
        assert space.validate(empty).shape == (0, 5)

    def test_too_small_region_is_a_clear_error(self):
        space = Space([Real("a", 0, 1), Real("b", 0, 1)], constraints=["a + b <= 1e-5"])
        with pytest.raises(SpaceError, match="could only draw 0 of 10 .* too small a region"):
            space.sample(10, 0, max_draws=20_000)

    def test_grid(self, space):
        grid = space.grid(feasible_only=False)
        assert len(grid) == 3 * 3 * 3 * 3 * 3
        feasible = space.grid()
        assert space.is_feasible(feasible).all()
        assert len(feasible) == len(grid) - int((~space.is_feasible(grid)).sum())
        assert len(space.grid({"a": 2, "c": 2}, feasible_only=False)) == 2 * 3 * 3 * 2 * 3
        with pytest.raises(SpaceError, match="did you mean 'cat'"):
            space.grid({"catt": 2})
