"""Objectives: Derringer-Suich desirability, scores, Pareto fronts and hypervolume."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import DataError, SpaceError
from yieldlab.experiments.objectives import (
    Desirability,
    Maximize,
    Minimize,
    Target,
    hypervolume,
    is_failed,
    objective_from_dict,
    objective_matrix,
    pareto_mask,
    score,
)


class TestDesirability:
    def test_maximize_and_minimize_ramps(self):
        y = [10.0, 20.0, 35.0, 50.0, 60.0]
        np.testing.assert_allclose(Maximize("y", 20, 50).desirability(y), [0, 0, 0.5, 1, 1])
        np.testing.assert_allclose(Minimize("y", 20, 50).desirability(y), [1, 1, 0.5, 0, 0])

    def test_target_is_two_sided(self):
        t = Target("purity", 98, low=90, high=100)
        np.testing.assert_allclose(
            t.desirability([89, 90, 94, 98, 99, 100, 101]), [0, 0, 0.5, 1, 0.5, 0, 0]
        )

    def test_missing_bounds_come_from_the_reference(self):
        measured = pd.DataFrame({"y": [2.0, 4.0, np.nan, 12.0]})
        assert Maximize("y").bounds(measured) == (2.0, 12.0)
        assert Maximize("y", low=0).bounds(measured) == (0.0, 12.0)
        predictions = pd.DataFrame({"y": [7.0, 14.0]})
        np.testing.assert_allclose(
            Maximize("y").desirability(predictions, reference=measured), [0.5, 1.0]
        )
        # a target outside the data widens the bounds to reach it
        assert Target("y", 20).bounds(measured) == (2.0, 20.0)
        np.testing.assert_allclose(
            Target("y", 20).desirability([11.0, 20.0], measured), [0.5, 1.0]
        )

    def test_degenerate_bounds_are_a_step(self):
        same = pd.DataFrame({"y": [3.0, 3.0]})
        np.testing.assert_allclose(Maximize("y").desirability([2.0, 3.0, 4.0], same), [0, 1, 1])
        np.testing.assert_allclose(Minimize("y").desirability([2.0, 3.0, 4.0], same), [1, 1, 0])

    def test_no_data_for_the_bounds_is_a_clear_error(self):
        with pytest.raises(ValueError, match="give low= and high="):
            Maximize("y").desirability([np.nan])

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

    def test_objective_matrix_is_larger_is_better(self):
        results = pd.DataFrame({"y": [1.0], "c": [2.0], "p": [97.0]})
        Y = objective_matrix([Maximize("y"), Minimize("c"), Target("p", 98)], results)
        assert Y.tolist() == [[1.0, -2.0, -1.0]]

    def test_values_errors(self):
        with pytest.raises(DataError, match="no column 'yeild'.*did you mean 'yield'"):
            Maximize("yeild").values(pd.DataFrame({"yield": [1.0]}))
        with pytest.raises(DataError, match=r"row 1, column 'y': 'n/a' is not a number"):
            Maximize("y").values(pd.DataFrame({"y": [1.0, "n/a"]}))
        assert Maximize("y").values([1, None, np.inf]).tolist()[2] == np.inf

    @pytest.mark.parametrize(
        ("build", "match"),
        [
            (lambda: Maximize("y", 5, 1), "low=5 must be smaller than high=1"),
            (lambda: Maximize("y", weight=0), "weight=0.0 is invalid"),
            (lambda: Target("y", 5, low=6), "must lie between"),
            (lambda: Minimize(""), "non-empty"),
            (lambda: Desirability([Maximize("y"), Minimize("y")]), "more than once"),
            (lambda: Desirability([]), "empty"),
            (lambda: Desirability(["y"]), "not an objective"),
        ],
    )
    def test_constructor_checks(self, build, match):
        with pytest.raises((TypeError, ValueError), match=match):
            build()


@pytest.mark.parametrize(
    "objective",
    [Maximize("yield", 0, 100), Minimize("cost", weight=2.0), Target("purity", 98, 90, 100)],
    ids=repr,
)
def test_dict_round_trip(objective):
    again = objective_from_dict(json.loads(json.dumps(objective.to_dict())))
    assert again == objective and repr(again) == repr(objective)


def test_from_dict_errors():
    with pytest.raises(SpaceError, match="did you mean 'weight'") as info:
        objective_from_dict({"name": "y", "goal": "maximize", "wieght": 2})
    assert info.value.path == ("wieght",)
    with pytest.raises(SpaceError, match="unknown key 'value'"):
        objective_from_dict({"name": "y", "goal": "maximize", "value": 2})


class TestPareto:
    def test_mask_with_senses_nan_and_duplicates(self):
        Y = np.array([[1, 5], [2, 4], [1, 4], [2, 4], [np.nan, 9], [0, 5]], dtype=float)
        assert pareto_mask(Y).tolist() == [True, True, False, True, False, False]
        # cost (min) against yield (max)
        Y = np.array([[80, 3.0], [90, 5.0], [85, 5.0], [70, 2.0], [60, 2.5]])
        assert pareto_mask(Y, ["max", "min"]).tolist() == [True, True, False, True, False]

    def test_sense_checks(self):
        with pytest.raises(ValueError, match="one of 'max'/'min' per column"):
            pareto_mask(np.zeros((2, 2)), ["max"])
        with pytest.raises(ValueError, match="objective_matrix"):
            pareto_mask(np.zeros((2, 1)), [Target("p", 1)])
        assert pareto_mask(np.zeros((0, 2))).tolist() == []

    def test_hypervolume_2d(self):
        Y = [[1, 3], [2, 2], [3, 1], [1, 1]]
        assert hypervolume(Y, [0, 0]) == 6.0
        assert hypervolume(Y, [0, 0], senses=["max", "max"]) == 6.0
        # minimization: the same staircase reflected
        assert hypervolume(-np.asarray(Y), [0, 0], senses=["min", "min"]) == 6.0
        # points that do not beat the reference add nothing
        assert hypervolume([[1, 3], [-1, 5]], [0, 0]) == 3.0
        assert hypervolume([[-1, 5]], [0, 0]) == 0.0

    def test_hypervolume_3d_by_inclusion_exclusion(self):
        a, b = np.array([2.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])
        expected = a.prod() + b.prod() - np.minimum(a, b).prod()
        assert hypervolume([a, b], [0, 0, 0]) == pytest.approx(expected)
        c = np.array([1.0, 1.0, 4.0])
        inclusion_exclusion = (
            a.prod()
            + b.prod()
            + c.prod()
            - np.minimum(a, b).prod()
            - np.minimum(a, c).prod()
            - np.minimum(b, c).prod()
            + np.minimum(np.minimum(a, b), c).prod()
        )
        assert hypervolume([a, b, c], [0, 0, 0]) == pytest.approx(inclusion_exclusion)

    def test_hypervolume_4d_single_box(self):
        assert hypervolume([[1, 2, 3, 4]], [0, 0, 0, 0]) == 24.0

    def test_hypervolume_checks_the_reference(self):
        with pytest.raises(ValueError, match="one finite number per column"):
            hypervolume([[1, 2]], [0, 0, 0])
