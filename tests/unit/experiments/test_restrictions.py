"""Restrictions of a space: checks against the parameters, violations, feasibility and
the constraints in encoded coordinates."""

from __future__ import annotations

import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.ranges import Integer, Real
from yieldlab.experiments.space import Space


def _row(**values):
    base = {"a": 0.2, "b": 0.3, "n": 2, "c": 0.2, "cat": "Pd"}
    base.update(values)
    return pd.DataFrame([base])


class TestConstruction:
    def test_constraint_with_unknown_name_suggests_the_closest(self):
        with pytest.raises(
            SpaceError, match="'temprature', which is not a parameter.*did you mean 'temperature'"
        ):
            Space([Real("temperature", 0, 1)], constraints=["temprature <= 0.5"])

    def test_constraint_on_a_categorical_is_refused(self):
        with pytest.raises(SpaceError, match="'cat' is categorical"):
            Space([Real("a", 0, 1), Categorical("cat", ["x"])], constraints=["a + cat <= 1"])

    def test_constraint_that_can_never_hold_is_refused(self):
        with pytest.raises(SpaceError, match="can never hold"):
            Space([Real("a", 0, 1), Real("b", 0, 1)], constraints=["a + b >= 3"])

    def test_exclusion_with_unknown_level_is_refused(self):
        with pytest.raises(SpaceError, match=r"exclude\[0\]: 'Pt' is not a setting of 'cat'"):
            Space([Categorical("cat", ["Pd"])], exclude=[{"cat": "Pt"}])
        with pytest.raises(SpaceError, match="is categorical; list levels"):
            Space([Categorical("cat", ["Pd"])], exclude=[{"cat": {"low": 1}}])

    def test_exclusion_values_written_as_text_exclude_the_settings(self):
        # '2' of an Integer, '1' of a numeric level, 'True' of a bool level: as add() reads
        # them; an exclusion that kept the text matched nothing, and the run was planned
        space = Space(
            [Integer("stages", 1, 4), Categorical("code", [1, 2]),
             Categorical("dry", [True, False]), Categorical("cat", ["Pd", "Cu"])],
            exclude=[{"cat": "Cu", "stages": "2"}, {"code": "1", "dry": ["True"]}],
        )  # fmt: skip
        settings = pd.DataFrame(
            {"stages": [2, 3, 3], "code": [2, 1, 1], "dry": [False, True, False],
             "cat": ["Cu", "Pd", "Pd"]}
        )  # fmt: skip
        assert space.is_feasible(settings).tolist() == [False, False, True]
        assert space.exclusions[0].to_dict() == {"cat": "Cu", "stages": 2}

    @pytest.mark.parametrize(
        ("interval", "message"),
        [({"low": 150, "high": 120}, "is empty \\(low above high\\); swap its ends"),
         ({"low": 200}, "lies outside its range 60 to 160, so it excludes nothing"),
         ({"high": 10}, "lies outside its range 60 to 160")],
    )  # fmt: skip
    def test_an_excluded_interval_that_excludes_nothing_is_refused(self, interval, message):
        with pytest.raises(SpaceError, match=r"exclude\[0\]: the interval of 'T' .*" + message):
            Space([Real("T", 60, 160), Categorical("cat", ["Pd", "Cu"])],
                  exclude=[{"cat": "Cu", "T": interval}])  # fmt: skip
        # touching the range is allowed: it excludes the end
        space = Space([Real("T", 60, 160)], exclude=[{"T": {"low": 160, "high": 200}}])
        assert space.is_feasible(pd.DataFrame({"T": [159.0, 160.0]})).tolist() == [True, False]


class TestValidate:
    def test_constraint_violation_names_the_row_and_constraint(self, space):
        frame = pd.concat([_row(), _row(a=0.8, b=0.5)], ignore_index=True)
        with pytest.raises(SpaceError, match=r"row 1: .* constraint 'a \+ b <= 1' .* is 1.3"):
            space.validate(frame, where="plate")

    def test_excluded_combination(self, space):
        with pytest.raises(SpaceError, match=r"row 0: the combination \{'cat': 'Cu', 'a': 0.9\}"):
            space.validate(_row(a=0.9, b=0.0, cat="Cu"))


class TestRepresentations:
    def test_is_feasible_never_raises_for_values(self, space):
        frame = pd.concat(
            [_row(), _row(a=0.8, b=0.5), _row(n=9), _row(cat="Pt"), _row(a=0.9, b=0, cat="Cu")],
            ignore_index=True,
        )
        assert space.is_feasible(frame).tolist() == [True, False, False, False, False]

    def test_linear_constraints_in_encoded_coordinates(self, rng):
        space = Space(
            [Real("x", 10, 20), Real("y", -1, 1), Discrete("z", [0, 2, 4])],
            constraints=["x + 5*y <= 18", "x - z >= 11"],
        )
        A, b = space.linear_constraints_encoded()
        Z = rng.random((2000, 3))
        Z[:, 2] = rng.integers(0, 3, 2000) / 2
        lhs = Z @ A.T
        inside = (lhs <= b + 1e-12).all(axis=1)
        assert space.is_feasible(space.decode(Z)).tolist() == inside.tolist()
        assert 0.1 < inside.mean() < 0.9

    def test_linear_constraints_encoded_refuses_log_parameters(self):
        space = Space([Real("x", 1, 10, log=True), Real("y", 0, 1)], constraints=["x + y <= 5"])
        with pytest.raises(SpaceError, match="log-scaled"):
            space.linear_constraints_encoded()
