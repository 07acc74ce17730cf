"""A space inferred from a table of allowed settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.ranges import Integer, Real
from yieldlab.experiments.space import Space


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

    def test_levels_one_rounding_error_apart_are_one_level(self):
        table = pd.DataFrame({"x": [0.1 + 0.2, 0.3, 0.5, 0.7], "c": ["a", "b", "a", "b"]})
        space = Space.from_candidates(table)
        assert space["x"] == Discrete("x", [0.3, 0.5, 0.7])
        # both spellings of 0.3 are that level
        assert space.validate(table)["x"].tolist() == [0.3, 0.3, 0.5, 0.7]

    def test_an_empty_table_says_so(self):
        with pytest.raises(SpaceError, match="the candidates table has no rows"):
            Space.from_candidates(pd.DataFrame({"x": [], "c": []}))

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
