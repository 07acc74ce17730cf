"""Space: construction, validation, the two representations and space files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError, StoreError
from yieldlab.experiments.constraints import Exclusion, LinearConstraint
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.objectives import Maximize, Minimize, Target
from yieldlab.experiments.ranges import Real
from yieldlab.experiments.space import Space
from yieldlab.experiments.spacefile import read_space_file


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

    def test_yaml_never_written_over_a_campaign_file(self, space, tmp_path):
        from yieldlab.experiments.campaign import Campaign

        Campaign(space, Maximize("y"), path=tmp_path / "c.db").close()
        before = (tmp_path / "c.db").read_bytes()
        with pytest.raises(StoreError, match="is a campaign file"):
            space.to_yaml(tmp_path / "c.db")
        assert (tmp_path / "c.db").read_bytes() == before
        Campaign.open(tmp_path / "c.db").close()

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

    def test_space_file_levels_yes_and_no_stay_text(self, tmp_path):
        # YAML 1.1 would read them as booleans, and the lab's 'no' would not be a level
        path = tmp_path / "space.yaml"
        path.write_text(
            "parameters:\n"
            "  degassed: {type: categorical, values: [yes, no]}\n"
            "  stirred: {type: categorical, values: [on, off]}\n"
            "  T: {type: real, low: 1, high: 10, log: true}\n",
            encoding="utf-8",
        )
        space, _ = read_space_file(path)
        assert space["degassed"] == Categorical("degassed", ["yes", "no"])
        assert space["stirred"] == Categorical("stirred", ["on", "off"])
        assert space["T"].log is True  # true and false are still booleans
        path.write_text(
            "parameters:\n  T: {type: real, low: 1, high: 10, log: yes}\n", encoding="utf-8"
        )
        with pytest.raises(SpaceError, match="line 2.*log='yes'.*true or false"):
            read_space_file(path)

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
        with pytest.raises(FileNotFoundError, match="is a folder; give the space file"):
            read_space_file(tmp_path)

    def test_a_file_not_in_utf8_names_its_line(self, tmp_path):
        path = tmp_path / "space.yaml"
        text = "parameters:\n  - {name: temp\u00e9rature, type: real, low: 0, high: 1}\n"
        path.write_bytes(text.encode("latin-1"))  # as an old Windows editor saves it
        with pytest.raises(SpaceError, match=r"space.yaml, line 2: not UTF-8 text \(byte 0xe9"):
            read_space_file(path)


def test_exclusion_conditions():
    e = Exclusion({"cat": ["Cu", "Ni"], "T": {"high": 50}})
    frame = pd.DataFrame({"cat": ["Cu", "Ni", "Pd", "Cu"], "T": [40, 50, 10, 60]})
    assert e.matches(frame).tolist() == [True, True, False, False]
    assert Exclusion(e.to_dict()) == e
    with pytest.raises(SpaceError, match="not an interval"):
        Exclusion({"T": {"min": 3}})


def test_an_objective_without_its_goal_is_told_how_to_write_it(tmp_path):
    from yieldlab.experiments.spacefile import read_space_file

    path = tmp_path / "space.yaml"
    path.write_text(
        "parameters:\n  - {name: T, type: real, low: 0, high: 1}\nobjectives:\n  ph: {target: 7}\n"
    )
    with pytest.raises(
        SpaceError, match=r"objective 'ph': no goal given; write it as \{goal: target, value: 7\}"
    ):
        read_space_file(path)
