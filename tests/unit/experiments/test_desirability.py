"""Several objectives as one number: the overall desirability and score()."""

from __future__ import annotations

import numpy as np
import pandas as pd

from yieldlab.experiments.desirability import Desirability, is_failed, score
from yieldlab.experiments.objectives import Maximize, Minimize, Target


class TestDesirability:
    def test_weighted_geometric_mean(self):
        D = Desirability([Maximize("a", 0, 1), Minimize("b", 0, 1, weight=3)])
        results = pd.DataFrame({"a": [0.5, 1.0, 0.8, 0.5], "b": [0.5, 1.0, 0.2, np.nan]})
        expected = [0.5, 0.0, (0.8 * 0.8**3) ** 0.25, np.nan]
        np.testing.assert_allclose(D.score(results), expected)
        np.testing.assert_allclose(D(results), expected)
        assert list(D.individual(results).columns) == ["a", "b"]

    def test_failed_runs_stay_nan(self):
        results = pd.DataFrame({"y": [1.0, np.nan], "z": [np.nan, 2.0]})
        assert is_failed([Maximize("y"), Minimize("z")], results).tolist() == [True, True]
        assert np.isnan(Maximize("y").desirability(results)).tolist() == [False, True]


class TestScore:
    def test_single_objective_scores(self):
        results = pd.DataFrame({"y": [1.0, 5.0], "p": [97.0, 99.5]})
        assert score(Maximize("y"), results).tolist() == [1.0, 5.0]
        assert score([Minimize("y")], results).tolist() == [-1.0, -5.0]
        assert score(Target("p", 98), results).tolist() == [-1.0, -1.5]

    def test_several_objectives_score_the_desirability(self):
        results = pd.DataFrame({"y": [0.0, 10.0], "c": [1.0, 3.0]})
        np.testing.assert_allclose(score([Maximize("y"), Minimize("c")], results), [0.0, 0.0])
        np.testing.assert_allclose(
            score([Maximize("y", 0, 20), Minimize("c", 0, 4)], results), [0.0, (0.5 * 0.25) ** 0.5]
        )
