"""Held values: fixed and shared parameters checked, rows matched, missing rows explained."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.held import check_fixed, check_shared, first_values, matching, no_row
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.ranges import Integer, Real
from yieldlab.experiments.space import Space


def test_fixed_values_come_back_as_the_space_keeps_them(space):
    held = check_fixed(space, {"n": np.int64(3), "c": 0.2, "cat": "Ni", "a": 0.25})
    assert held == {"n": 3, "c": 0.2, "cat": "Ni", "a": 0.25}
    assert all(not isinstance(v, np.generic) for v in held.values())
    assert check_fixed(space, None) == {}


@pytest.mark.parametrize(
    ("fixed", "error", "message"),
    [
        ([("a", 0.2)], TypeError, "expected a mapping of parameter names"),
        ({"aa": 0.2}, ValueError, "'aa' is not a parameter"),
        ({"a": [0.1, 0.2]}, TypeError, "'a' is given 2 values (list); give the one value"),
        ({"a": 1.5}, SpaceError, "fixed: column 'a': 1.5 is outside [0, 1]"),
        ({"c": 0.3}, SpaceError, "fixed: column 'c': 0.3 is not an allowed level"),
        ({"cat": "Zn"}, SpaceError, "fixed: column 'cat'"),
    ],
)
def test_bad_fixed_values_are_refused_with_the_parameter(space, fixed, error, message):
    with pytest.raises(error) as caught:
        check_fixed(space, fixed)
    assert message in str(caught.value)
    assert "row 0" not in str(caught.value)  # one setting, no rows


def test_held_values_that_leave_no_feasible_setting_are_refused(space):
    # a + b <= 1: with a held at 0.9, b may not exceed 0.1
    assert check_fixed(space, {"a": 0.9, "b": 0.1}) == {"a": 0.9, "b": 0.1}
    with pytest.raises(SpaceError, match="satisfies the space's constraints and exclusions"):
        check_fixed(space, {"a": 0.9, "b": 0.5})
    # Cu is excluded above a = 0.8
    with pytest.raises(SpaceError, match="hold fewer parameters or other values"):
        check_fixed(space, {"a": 0.9, "cat": "Cu"})
    # a screen's rows say what exists: the space's restrictions are not searched
    assert check_fixed(space, {"a": 0.9, "b": 0.5}, candidates=pd.DataFrame()) == {
        "a": 0.9,
        "b": 0.5,
    }


def test_shared_names_are_a_list_without_repeats(space):
    assert check_shared(space, "a", {}) == ["a"]
    assert check_shared(space, ["cat", "a", "cat"], {}) == ["cat", "a"]
    assert check_shared(space, None, {}) == []


@pytest.mark.parametrize(
    ("shared", "error", "message"),
    [
        (b"a", TypeError, "expected a parameter name or a list"),
        ({"a": 1}, TypeError, "expected a parameter name or a list"),
        ([["a"]], TypeError, "expected a parameter name or a list"),
        ("ctt", ValueError, "'ctt' is not a parameter (did you mean 'cat'?)"),
        ("b", ValueError, "'b' is also held by fixed"),
    ],
)
def test_bad_shared_names_are_refused(space, shared, error, message):
    with pytest.raises(error) as caught:
        check_shared(space, shared, {"b": 0.2})
    assert message in str(caught.value)


def test_matching_takes_rounding_as_equal_and_categories_exactly():
    space = Space([Real("t", 0, 1), Integer("n", 1, 9), Categorical("c", ["a", "A"])])
    rows = pd.DataFrame(
        {"t": [0.3, 0.1 + 0.2, 0.3 + 1e-9, 0.3], "n": [2, 2, 2, 3], "c": ["a", "a", "a", "A"]}
    )
    assert matching(rows, space, {"t": 0.3}).tolist() == [True, True, False, True]
    assert matching(rows, space, {"t": 0.3, "n": 2, "c": "a"}).tolist() == [
        True,
        True,
        False,
        False,
    ]
    assert matching(rows, space, {}).all()


def test_no_row_names_the_value_and_the_values_rows_have():
    space = Space([Discrete("t", list(range(0, 120, 10))), Categorical("c", ["Pd", "Ni"])])
    rows = pd.DataFrame({"t": list(range(0, 120, 10)), "c": ["Pd"] * 11 + ["Ni"]})
    assert no_row(rows, space, {"t": 0, "c": "Ni"}) == "no candidate row has {'t': 0, 'c': 'Ni'}"
    text = no_row(rows.iloc[:3], space, {"t": 50})
    assert text == "no candidate row has t=50 (the rows have 0, 10, 20)"
    assert no_row(rows, space, {"c": "Cu"}) == "no candidate row has c=Cu (the rows have Ni, Pd)"
    many = no_row(rows.assign(t=rows["t"] + 1), space, {"t": 0})
    assert many.endswith("(the rows have 1, 11, 21, 31, 41, 51, 61, 71, 81, 91, ...)")


def test_first_values_are_plain_python():
    values = first_values(pd.DataFrame({"t": np.array([80, 90]), "c": ["Pd", "Ni"]}), ["t", "c"])
    assert values == {"t": 80, "c": "Pd"} and type(values["t"]) is int
