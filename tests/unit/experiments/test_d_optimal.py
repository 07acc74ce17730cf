"""D-optimal designs: model matrices, the D criterion and Fedorov exchange."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.experiments.d_optimal import d_criterion, model_matrix
from yieldlab.experiments.design import make_design
from yieldlab.experiments.levels import Discrete
from yieldlab.experiments.ranges import Real
from yieldlab.experiments.space import Space


class TestDOptimal:
    def test_linear_model_in_a_square_takes_the_corners(self):
        space = Space([Real("a", 0, 1), Real("b", 0, 1)])
        design = make_design(space, 4, "d-optimal", rng=0, model="linear")
        assert sorted(map(tuple, design.to_numpy().tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]

    def test_quadratic_in_one_factor_takes_both_ends_and_the_middle(self):
        space = Space([Real("a", -1, 1)])
        design = make_design(space, 3, "d-optimal", rng=0)
        assert sorted(design["a"]) == [-1, 0, 1]
        # det(X'X) of {-1, 0, 1} for [1, a, a^2]: [[3,0,2],[0,2,0],[2,0,2]] -> 4; / 3^3
        assert d_criterion(space, design) == pytest.approx(np.log(4 / 27))

    def test_beats_space_filling_designs(self, mixed, rng):
        n = model_matrix(mixed, mixed.sample(1, rng)).shape[1] + 4
        best = d_criterion(mixed, make_design(mixed, n, "d-optimal", rng=0))
        for method in ("lhs", "random"):
            assert best > d_criterion(mixed, make_design(mixed, n, method, rng=0)) + 1

    def test_model_terms(self, mixed, rng):
        settings = mixed.sample(3, rng)
        # 1 + 4 numeric + 2 dummies; + 6 products; + 3 squares (n has 5 levels, c 3, T, t)
        assert model_matrix(mixed, settings, "linear").shape == (3, 7)
        assert model_matrix(mixed, settings, "interaction").shape == (3, 13)
        assert model_matrix(mixed, settings, "quadratic").shape == (3, 17)
        two_levels = Space([Discrete("d", [1, 2]), Real("x", 0, 1)])
        assert model_matrix(two_levels, two_levels.sample(2, rng)).shape == (2, 5)

    def test_too_few_runs(self, mixed):
        with pytest.raises(ValueError, match="has 17 terms, so a D-optimal design needs n >= 17"):
            make_design(mixed, 10, "d-optimal")
