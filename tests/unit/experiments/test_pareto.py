"""Pareto fronts and hypervolume of several objectives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.experiments.objectives import Maximize, Minimize, Target
from yieldlab.experiments.pareto import (
    hypervolume,
    hypervolume_improvement,
    nondominated_boxes,
    objective_matrix,
    pareto_mask,
    reference_point,
)


class TestScore:
    def test_objective_matrix_is_larger_is_better(self):
        results = pd.DataFrame({"y": [1.0], "c": [2.0], "p": [97.0]})
        Y = objective_matrix([Maximize("y"), Minimize("c"), Target("p", 98)], results)
        assert Y.tolist() == [[1.0, -2.0, -1.0]]


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


class TestHypervolumeImprovement:
    @pytest.mark.parametrize("m", [1, 2, 3, 4])
    def test_boxes_give_the_exact_gain_of_every_point(self, m):
        rng = np.random.default_rng(m)
        for _ in range(20):
            front = rng.random((int(rng.integers(0, 8)), m))
            ref = 0.3 * rng.random(m)
            lower, upper = nondominated_boxes(front, ref)
            points = rng.random((15, m))
            base = hypervolume(front, ref) if len(front) else 0.0
            exact = [hypervolume(np.vstack([front, p]), ref) - base for p in points]
            gain = hypervolume_improvement(points, lower, upper)
            np.testing.assert_allclose(gain, exact, atol=1e-12)
            # the boxes are disjoint: together they cover the space left up to [1, ..., 1]
            covered = hypervolume_improvement(np.ones(m), lower, upper)
            assert covered == pytest.approx(np.prod(1 - ref) - base, abs=1e-12)

    def test_two_objectives_need_one_box_per_gap_of_the_front(self):
        front = np.array([[3.0, 1.0], [1.0, 3.0], [2.0, 2.0], [1.5, 1.5]])  # last dominated
        lower, upper = nondominated_boxes(front, [0.0, 0.0])
        assert len(lower) == 5  # columns at 0, 1, 1.5, 2, 3; the one at 1.5 is the same gap
        assert np.isinf(upper[:, 1]).all()

    def test_reference_point_from_the_bounds_given_or_the_data(self):
        objectives = [Maximize("y", low=10), Minimize("c", high=4), Target("p", 98, 90, 100)]
        scores = np.array([[50.0, -2.0, -1.0], [80.0, -3.0, -4.0]])
        assert reference_point(objectives, scores).tolist() == [10.0, -4.0, -8.0]
        inferred = reference_point(
            [Maximize("y"), Minimize("c")], [[50, -2], [80, -4], [np.nan, np.nan]]
        )
        np.testing.assert_allclose(inferred, [47.0, -4.2])
