"""Objectives: Derringer-Suich desirability ramps, scores, values and constructor checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import DataError
from yieldlab.experiments.desirability import Desirability
from yieldlab.experiments.objectives import Maximize, Minimize, Target


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
        # a target beyond the data: the ramp from the data up to it, mirrored above it, so
        # overshooting by 1 is nearly as good as the target (not as bad as the worst run)
        assert Target("y", 20).bounds(measured) == (2.0, 38.0)
        np.testing.assert_allclose(
            Target("y", 20).desirability([11.0, 20.0, 21.0, 38.0], measured),
            [0.5, 1.0, 17 / 18, 0.0],
        )
        assert Target("y", 0, high=4).bounds(measured) == (-4.0, 4.0)

    @pytest.mark.parametrize(
        ("objective", "measured", "bounds", "desirability"),
        [
            # every cost above the acceptable 10: nothing is acceptable yet
            (Minimize("cost", high=10), [20.0, 30.0], (10.0, 10.0), [0.0, 0.0]),
            (Minimize("cost", high=10), [5.0, 30.0], (5.0, 10.0), [1.0, 0.0]),
            # every cost below the ideal 1: all ideal
            (Minimize("cost", low=1), [0.5, 0.8], (1.0, 1.0), [1.0, 1.0]),
            (Maximize("y", low=50), [20.0, 30.0], (50.0, 50.0), [0.0, 0.0]),
            (Maximize("y", high=5), [20.0, 30.0], (5.0, 5.0), [1.0, 1.0]),
            (Maximize("y", low=10), [20.0, 30.0], (10.0, 30.0), [0.5, 1.0]),
        ],
    )
    def test_a_bound_from_the_data_stays_on_its_side_of_the_given_one(
        self, objective, measured, bounds, desirability
    ):
        assert objective.bounds(measured) == bounds
        np.testing.assert_allclose(objective.desirability(measured), desirability)

    def test_degenerate_bounds_are_a_step(self):
        same = pd.DataFrame({"y": [3.0, 3.0]})
        np.testing.assert_allclose(Maximize("y").desirability([2.0, 3.0, 4.0], same), [0, 1, 1])
        np.testing.assert_allclose(Minimize("y").desirability([2.0, 3.0, 4.0], same), [1, 1, 0])

    def test_no_data_for_the_bounds_is_a_clear_error(self):
        with pytest.raises(ValueError, match="give low= and high="):
            Maximize("y").desirability([np.nan])


class TestScore:
    def test_values_errors(self):
        with pytest.raises(DataError, match="no column 'yeild'.*did you mean 'yield'"):
            Maximize("yeild").values(pd.DataFrame({"yield": [1.0]}))
        with pytest.raises(DataError, match=r"row 1, column 'y': 'n/a' is not a number"):
            Maximize("y").values(pd.DataFrame({"y": [1.0, "n/a"]}))
        assert Maximize("y").values([1, None, np.inf]).tolist()[2] == np.inf
        # a number written with its unit or a decimal comma: the fix, not "leave it empty"
        for typed in ("61.5 %", "61,5"):
            with pytest.raises(DataError, match=r"write the number alone.*\(61\.5\)"):
                Maximize("y").values([typed])

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


@pytest.mark.parametrize("typed", ["1.234,5", "1,234.5", "1 234,5"])
def test_thousands_separators_get_the_number_meant(typed):
    with pytest.raises(DataError, match=r"no thousands separator \(1234\.5\)"):
        Maximize("y").values([typed])
