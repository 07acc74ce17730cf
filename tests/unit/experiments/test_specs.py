"""Specifications: parameters and objectives from plain dicts, with the key at fault."""

from __future__ import annotations

import json

import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.objectives import Maximize, Minimize, Target
from yieldlab.experiments.ranges import Integer, Real
from yieldlab.experiments.specs import objective_from_dict, parameter_from_dict


@pytest.mark.parametrize(
    "parameter",
    [
        Real("T", -10.5, 80, unit="°C"),
        Real("t", 0.5, 120, log=True),
        Integer("n", 1, 8),
        Integer("m", 2, 64, log=True),
        Discrete("c", [0.05, 0.1, 0.2], unit="mol/L"),
        Categorical("cat", ["Pd", "Ni", 3, True]),
    ],
    ids=repr,
)
def test_dict_round_trip_through_json(parameter):
    spec = json.loads(json.dumps(parameter.to_dict()))
    again = parameter_from_dict(spec)
    assert again == parameter
    assert hash(again) == hash(parameter)
    assert repr(again) == repr(parameter)


def test_from_dict_names_the_key_at_fault():
    with pytest.raises(SpaceError) as info:
        parameter_from_dict({"name": "T", "type": "real", "low": 0, "hihg": 5})
    assert "unknown key 'hihg'" in str(info.value)
    assert "did you mean 'high'?" in str(info.value)
    assert info.value.path == ("hihg",)
    with pytest.raises(SpaceError, match="did you mean 'real'") as info:
        parameter_from_dict({"name": "T", "type": "rael", "low": 0, "high": 1})
    assert info.value.path == ("type",)
    with pytest.raises(SpaceError, match="key 'high' is missing"):
        parameter_from_dict({"name": "T", "type": "real", "low": 0})
    with pytest.raises(SpaceError, match="must be smaller") as info:
        parameter_from_dict({"name": "T", "type": "real", "low": 5, "high": 1})
    assert info.value.path == ("low",)


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
