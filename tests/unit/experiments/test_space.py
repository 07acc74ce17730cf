"""Space: constraints, exclusions, the two representations, sampling and space files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.constraints import Exclusion, LinearConstraint
from yieldlab.experiments.objectives import Maximize, Minimize, Target
from yieldlab.experiments.parameters import Categorical, Discrete, Integer, Real
from yieldlab.experiments.space import Space
from yieldlab.experiments.spacefile import read_space_file


@pytest.fixture
def space() -> Space:
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


def _row(**values):
    base = {"a": 0.2, "b": 0.3, "n": 2, "c": 0.2, "cat": "Pd"}
    base.update(values)
    return pd.DataFrame([base])


class TestLinearConstraint:
    @pytest.mark.parametrize(
        ("text", "coefficients", "operator", "rhs"),
        [
            ("a + b <= 1", {"a": 1.0, "b": 1.0}, "<=", 1.0),
            ("2*a - 0.5*b >= -1", {"a": 2.0, "b": -0.5}, ">=", -1.0),
            ("x >= 2*y - 0.5", {"x": 1.0, "y": -2.0}, ">=", -0.5),
            ("a/4 + 3 < b", {"a": 0.25, "b": -1.0}, "<=", -3.0),
            ("-a + -b => -1.5e0", {"a": -1.0, "b": -1.0}, ">=", -1.5),
            ("`base equiv` + a*2 <= 3", {"base equiv": 1.0, "a": 2.0}, "<=", 3.0),
            ("a + a + b - b <= 1", {"a": 2.0}, "<=", 1.0),
        ],
    )
    def test_parse(self, text, coefficients, operator, rhs):
        c = LinearConstraint.parse(text)
        assert c.coefficients == coefficients
        assert (c.operator, c.rhs) == (operator, rhs)
        assert LinearConstraint.parse(str(c)) == c

    @pytest.mark.parametrize(
        ("text", "match"),
        [
            ("a * b <= 1", "not linear"),
            ("a <= 1 <= 2", "exactly one comparison"),
            ("a + b", "exactly one comparison"),
            ("a == 1", "equality constraints are not supported"),
            ("(a + b) <= 1", "parentheses"),
            ("a + <= 1", "ends with an operator"),
            ("a / b <= 1", "division by a non-zero number"),
            ("a / 0 <= 1", "division by a non-zero number"),
            ("__import__('os') <= 1", "cannot read|parentheses"),
            ("a + b; <= 1", "cannot read"),
            ("<= 1", "empty"),
            ("a - a <= 1", "no non-zero coefficient"),
        ],
    )
    def test_parse_errors_are_clear(self, text, match):
        with pytest.raises(SpaceError, match=match):
            LinearConstraint.parse(text)

    def test_is_satisfied_and_violation(self):
        c = LinearConstraint({"a": 1, "b": 2}, ">=", 1)
        frame = pd.DataFrame({"a": [1.0, 0.0, 0.5], "b": [0.0, 0.2, 0.25]})
        np.testing.assert_allclose(c.violation(frame), [-0.0, 0.6, 0.0])
        assert c.is_satisfied(frame).tolist() == [True, False, True]


class TestConstruction:
    def test_names_must_be_unique(self):
        with pytest.raises(SpaceError, match="'a' is used twice"):
            Space([Real("a", 0, 1), Real("a", 0, 2)])

    def test_parameters_must_be_parameters(self):
        with pytest.raises(SpaceError, match=r"parameters\[1\] = 'b' is not a parameter"):
            Space([Real("a", 0, 1), "b"])
        with pytest.raises(TypeError, match="expected a list"):
            Space(Real("a", 0, 1))
        with pytest.raises(SpaceError, match="no parameters"):
            Space([])

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

    def test_properties(self, space):
        assert space.names == ["a", "b", "n", "c", "cat"]
        assert space.numeric_names == ["a", "b", "n", "c"]
        assert space.categorical_names == ["cat"]
        assert space.encoded_names == ["a", "b", "n", "c", "cat=Pd", "cat=Ni", "cat=Cu"]
        assert space.n_encoded == 7
        assert space.encoded_slices["cat"] == slice(4, 7)
        assert space.continuous_mask.tolist() == [True, True] + [False] * 5
        assert "a" in space and space["c"] == Discrete("c", [0.1, 0.2, 0.5])
        with pytest.raises(KeyError, match="did you mean 'cat'"):
            space["cta"]


class TestValidate:
    def test_returns_canonical_columns_in_order(self, space):
        frame = _row(n=3.0)[["cat", "c", "n", "b", "a"]]
        out = space.validate(frame)
        assert list(out.columns) == space.names
        assert out["n"].dtype == np.int64 and out["a"].dtype == np.float64

    def test_missing_column_suggests_the_typo(self, space):
        frame = _row().rename(columns={"cat": "catt"})
        with pytest.raises(
            SpaceError, match="results.csv has no column 'cat'.*did you mean 'catt'"
        ):
            space.validate(frame, where="results.csv")

    def test_unknown_column(self, space):
        frame = _row().assign(yield_=50.0)
        with pytest.raises(SpaceError, match="unknown column 'yield_'"):
            space.validate(frame)
        assert space.validate(frame, allow_extra=True).shape == (1, 5)

    def test_value_errors_name_row_and_column(self, space):
        frame = pd.concat([_row(), _row(n=7)], ignore_index=True)
        with pytest.raises(SpaceError, match=r"row 1, column 'n': 7.0 is outside \[1, 4\]"):
            space.validate(frame)

    def test_constraint_violation_names_the_row_and_constraint(self, space):
        frame = pd.concat([_row(), _row(a=0.8, b=0.5)], ignore_index=True)
        with pytest.raises(SpaceError, match=r"row 1: .* constraint 'a \+ b <= 1' .* is 1.3"):
            space.validate(frame, where="plate")

    def test_excluded_combination(self, space):
        with pytest.raises(SpaceError, match=r"row 0: the combination \{'cat': 'Cu', 'a': 0.9\}"):
            space.validate(_row(a=0.9, b=0.0, cat="Cu"))

    def test_type_errors(self, space):
        with pytest.raises(TypeError, match="expected a pandas DataFrame"):
            space.validate(np.zeros((2, 5)))
        assert len(space.validate([_row().iloc[0].to_dict()])) == 1


class TestRepresentations:
    def test_encode_decode(self, space):
        frame = _row(a=0.25, n=4, c=0.5, cat="Ni")
        Z = space.encode(frame)
        np.testing.assert_allclose(Z, [[0.25, 0.3, 1.0, 1.0, 0.0, 1.0, 0.0]])
        pd.testing.assert_frame_equal(space.decode(Z), space.validate(frame))

    def test_decode_maps_any_point_to_valid_settings(self, space, rng):
        Z = rng.normal(0.5, 1.0, size=(50, space.n_encoded))
        settings = space.decode(Z)
        assert space.validate(settings.assign(a=0.1, b=0.1).assign(cat="Pd")).shape == (50, 5)
        P = space.project(Z)
        np.testing.assert_allclose(space.project(P), P)
        with pytest.raises(ValueError, match=r"shape \(n_samples, 7\)"):
            space.decode(Z[:, :3])

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


class TestFromCandidates:
    def test_infers_types(self):
        table = pd.DataFrame(
            {
                "base": ["KOAc", "CsOAc", "KOPiv", "CsOPiv"] * 25,
                "temperature": [90, 105, 120, 105] * 25,
                "stages": list(range(1, 26)) * 4,
                "ratio": np.linspace(0.1, 2.0, 100),
                "conc": [0.057, 0.1, 0.153, 0.1] * 25,
                "flag": [True, False] * 50,
                "yield": np.arange(100.0),
            }
        )
        space = Space.from_candidates(
            table,
            columns=["base", "temperature", "stages", "ratio", "conc", "flag"],
            max_levels=10,
        )
        assert space["base"] == Categorical("base", ["CsOAc", "CsOPiv", "KOAc", "KOPiv"])
        assert space["temperature"] == Discrete("temperature", [90, 105, 120])
        assert space["stages"] == Integer("stages", 1, 25)
        assert space["ratio"] == Real("ratio", 0.1, 2.0)
        assert space["conc"] == Discrete("conc", [0.057, 0.1, 0.153])
        assert space["flag"] == Categorical("flag", [False, True])
        assert "yield" not in space

    def test_explicit_parameters_win_and_are_checked(self):
        table = pd.DataFrame({"T": [20.0, 50.0, 80.0], "cat": ["a", "b", "a"]})
        space = Space.from_candidates(table, parameters=[Real("T", 0, 100)])
        assert space["T"] == Real("T", 0, 100)
        with pytest.raises(SpaceError, match=r"candidates, row 2, column 'T': 80.0 is outside"):
            Space.from_candidates(table, parameters=[Real("T", 0, 60)])

    def test_missing_values_and_columns(self):
        table = pd.DataFrame({"T": [20.0, np.nan], "cat": ["a", "b"]})
        with pytest.raises(SpaceError, match=r"row 1, column 'T': the value is missing"):
            Space.from_candidates(table)
        with pytest.raises(SpaceError, match="no column 'cta'; did you mean 'cat'"):
            Space.from_candidates(table, columns=["cta"])

    def test_direct_arylation_table(self, shared_data):
        path = shared_data / "experiments" / "direct_arylation_shields2021"
        table = pd.read_csv(path / "edboplus_experiments_yield_and_cost.csv")
        columns = [
            c
            for c in table.columns
            if c.lower() in {"base", "ligand", "solvent", "concentration", "temperature"}
        ]
        assert len(columns) == 5
        space = Space.from_candidates(table, columns=columns)
        kinds = sorted(space[c].kind for c in columns)
        assert kinds == ["categorical"] * 3 + ["discrete"] * 2
        assert space.n_encoded == 4 + 12 + 4 + 1 + 1
        assert space.is_feasible(table).all()
        assert len(space.encode(table)) == 1728


class TestSerialization:
    def test_dict_round_trip(self, space):
        assert Space.from_dict(space.to_dict()) == space
        assert space.to_dict()["constraints"] == ["a + b <= 1"]

    def test_from_dict_error_names_the_entry(self):
        spec = {"parameters": [{"name": "a", "type": "real", "low": 0, "hihg": 1}]}
        with pytest.raises(
            SpaceError,
            match=r"space\['parameters'\]\[0\]\['hihg'\]: .*"
            "did you mean 'high'",
        ):
            Space.from_dict(spec)

    def test_yaml_round_trip(self, space, tmp_path):
        path = tmp_path / "space.yaml"
        space.to_yaml(path)
        assert Space.from_yaml(path) == space

    def test_yaml_with_objectives_and_mapping_forms(self, tmp_path):
        path = tmp_path / "space.yaml"
        path.write_text(
            "parameters:\n"
            "  temperature: {type: real, low: 60, high: 160, unit: °C}\n"
            "  catalyst: {type: categorical, values: [Pd, Ni]}\n"
            "constraints: []\n"
            "objectives:\n"
            "  yield: maximize\n"
            "  cost: {goal: minimize, weight: 0.5}\n"
            "  purity: {goal: target, value: 98, low: 90}\n",
            encoding="utf-8",
        )
        space, objectives = read_space_file(path)
        assert space["temperature"] == Real("temperature", 60, 160, unit="°C")
        assert objectives == [
            Maximize("yield"),
            Minimize("cost", weight=0.5),
            Target("purity", 98, low=90),
        ]

    @pytest.mark.parametrize(
        ("text", "match"),
        [
            (
                "parameters:\n  - name: a\n    type: real\n    low: 0\n    hihg: 1\n",
                r"space.yaml, line 5 \(parameters\[0\]\['hihg'\]\): .*unknown key 'hihg'.*"
                "did you mean 'high'",
            ),
            (
                "parameters:\n  - {name: a, type: real, low: 0, high: 1}\n"
                "  - {name: b, type: rael, low: 0, high: 1}\n",
                r"line 3 \(parameters\[1\]\['type'\]\): .*did you mean 'real'",
            ),
            (
                "parameters:\n  - {name: a, type: real, low: 0, high: 1}\n"
                "constraint:\n  - a <= 1\n",
                r"line 3 \(constraint\): unknown section 'constraint'.*did you mean 'constraints'",
            ),
            (
                "parameters:\n  - {name: a, type: real, low: 0, high: 1}\n"
                "constraints:\n  - a <= 1\n  - ab <= 1\n",
                r"line 5 \(constraints\[1\]\): .*'ab', which is not a parameter",
            ),
            (
                "parameters:\n  - {name: a, type: real, low: 0, high: 1}\n"
                "objectives:\n  - {name: y, goal: maximise}\n",
                r"line 4 \(objectives\[0\]\['goal'\]\): .*did you mean 'maximize'",
            ),
            (
                "parameters:\n  - {name: a, type: real, low: 0, high: 1}\n"
                "objectives:\n  - {name: y, goal: target}\n",
                r"line 4 \(objectives\[0\]\): .*key 'value' is missing",
            ),
            (
                "parameters:\n  - name: a\n    type: real\n    low: 0\n    low: 1\n",
                r"line 5: the key 'low' is given twice \(first on line 4\)",
            ),
            ("parameters:\n  - {name: a, type: real\n", r"space.yaml, line 3: not valid YAML"),
            ("", "space.yaml is empty"),
            ("constraints: []\n", "the section 'parameters' is missing"),
        ],
    )
    def test_yaml_errors_name_the_line_and_key(self, tmp_path, text, match):
        path = tmp_path / "space.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(SpaceError, match=match):
            read_space_file(path)

    def test_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="does not exist"):
            Space.from_yaml(tmp_path / "nope.yaml")


def test_exclusion_conditions():
    e = Exclusion({"cat": ["Cu", "Ni"], "T": {"high": 50}})
    frame = pd.DataFrame({"cat": ["Cu", "Ni", "Pd", "Cu"], "T": [40, 50, 10, 60]})
    assert e.matches(frame).tolist() == [True, True, False, False]
    assert Exclusion(e.to_dict()) == e
    with pytest.raises(SpaceError, match="not an interval"):
        Exclusion({"T": {"min": 3}})
