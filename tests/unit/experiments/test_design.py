"""Initial designs: sampled designs, candidate tables and the options of make_design."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.design import DESIGNS, make_design
from yieldlab.experiments.levels import Categorical, Discrete
from yieldlab.experiments.ranges import Real
from yieldlab.experiments.space import Space


@pytest.mark.parametrize("method", ["random", "lhs", "sobol", "d-optimal"])
def test_sampled_designs_are_valid_and_seeded(mixed, method):
    design = make_design(mixed, 24, method, rng=7)
    assert design.shape == (24, 5)
    assert mixed.is_feasible(design).all()
    pd.testing.assert_frame_equal(design, make_design(mixed, 24, method, rng=7))
    assert not design.equals(make_design(mixed, 24, method, rng=8))


@pytest.mark.parametrize("method", ["random", "lhs", "sobol", "d-optimal"])
def test_sampled_designs_respect_constraints(simplex, method):
    design = make_design(simplex, 15, method, rng=0, model="linear")
    assert len(design) == 15 and simplex.is_feasible(design).all()


def test_d_optimal_without_n_plans_the_model_terms_plus_four(mixed):
    from yieldlab.experiments.d_optimal import model_matrix

    for model in ("linear", "quadratic"):
        terms = model_matrix(mixed, mixed.sample(3, 0), model).shape[1]
        design = make_design(mixed, None, "d-optimal", rng=0, model=model)
        assert len(design) == terms + 4
        assert np.linalg.matrix_rank(model_matrix(mixed, design, model)) == terms


def test_lhs_is_stratified_in_every_dimension(mixed):
    n = 12
    design = make_design(mixed, n, "lhs", rng=1)
    u = mixed.encode(design)[:, 0]  # Real: one point per 1/n-stratum
    assert sorted(np.floor(u * n).astype(int).tolist()) == list(range(n))
    assert design["cat"].value_counts().tolist() == [4, 4, 4]  # categories too
    assert design["c"].value_counts().tolist() == [4, 4, 4]


def test_sobol_prefix_is_balanced():
    space = Space([Real(f"x{j}", 0, 1) for j in range(4)])
    U = make_design(space, 16, "sobol", rng=3).to_numpy()
    for j in range(4):
        assert sorted(np.floor(U[:, j] * 16).astype(int).tolist()) == list(range(16))


def test_restricted_lhs_spreads_out(simplex):
    design = make_design(simplex, 10, "lhs", rng=0)
    Z = simplex.encode(design)
    gaps = np.sqrt(((Z[:, None] - Z[None]) ** 2).sum(-1)) + np.eye(10) * 9
    assert gaps.min() > 0.12  # greedy maximin: no two runs crowd together


class TestCandidates:
    @pytest.fixture
    def plate(self, rng) -> pd.DataFrame:
        grid = Space(
            [
                Discrete("T", [90, 105, 120]),
                Discrete("c", [0.05, 0.1, 0.15]),
                Discrete("eq", [1, 2]),
                Categorical("base", ["A", "B", "C", "D"]),
                Categorical("solvent", ["s", "t"]),
            ]
        ).grid()
        return grid.assign(well=[f"W{i}" for i in range(len(grid))]).set_index(
            pd.Index(np.arange(len(grid)) * 10)
        )

    @pytest.mark.parametrize("method", DESIGNS)
    def test_designs_are_distinct_candidate_rows(self, plate, method):
        space = Space.from_candidates(plate, columns=["T", "c", "eq", "base", "solvent"])
        n = {"d-optimal": 12, "box-behnken": None, "ccd": None, "factorial": None}.get(method, 8)
        options = {"model": "linear"} if method == "d-optimal" else {}
        if method in ("factorial", "fractional", "ccd", "box-behnken"):
            options["categorical"] = "balance"
        design = make_design(space, n, method, rng=0, candidates=plate, **options)
        assert design.index.is_unique and design.index.isin(plate.index).all()
        pd.testing.assert_frame_equal(design, plate.loc[design.index])
        assert "well" in design.columns

    def test_structured_designs_match_the_nearest_rows(self, plate):
        space = Space.from_candidates(plate, columns=["T", "c", "eq", "base", "solvent"])
        design = make_design(space, method="factorial", candidates=plate)
        assert len(design) == len(plate)  # the plate is the full factorial itself
        small = plate[(plate["T"] != 105)]
        corners = make_design(
            space, method="fractional", candidates=small, categorical="balance", rng=0
        )
        assert set(corners["T"]) == {90, 120}

    def test_candidates_that_contradict_the_space(self, plate):
        space = Space(
            [
                Discrete("T", [90, 105]),
                Real("c", 0, 1),
                Discrete("eq", [1, 2]),
                Categorical("base", list("ABCD")),
                Categorical("solvent", ["s", "t"]),
            ]
        )
        with pytest.raises(
            SpaceError, match="candidates, row .*column 'T': 120.0 is not an allowed"
        ):
            make_design(space, 4, "lhs", candidates=plate)

    def test_more_runs_than_candidates(self, plate):
        space = Space.from_candidates(plate, columns=["T", "c", "eq", "base", "solvent"])
        for method in ("lhs", "random", "d-optimal"):
            with pytest.raises(ValueError, match="n=8 runs asked for, but there are only 5"):
                make_design(space, 8, method, candidates=plate.iloc[:5])
        with pytest.raises(
            ValueError,
            match="has 144 runs but there are only 5 candidates left; use method='d-optimal', "
            "'lhs' or 'random' with n at most 5",
        ):
            make_design(space, method="factorial", candidates=plate.iloc[:5])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "lhz", "n": 3}, ValueError, "did you mean 'lhs'"),
        ({"method": "lhs"}, ValueError, "needs the number of runs n"),
        (
            {"method": "lhs", "n": 3, "levels": 2},
            ValueError,
            "levels applies to method='factorial'",
        ),
        ({"method": "sobol", "n": 3, "face": "inscribed"}, ValueError, "face applies"),
        (
            {"method": "lhs", "n": 3, "n_center": 2},
            ValueError,
            "n_center applies to method='ccd' or 'box-behnken' only",
        ),
        (
            {"method": "fractional", "generator": "a b c zz"},
            ValueError,
            "'a b c zz' is not valid: each word is one factor's column",
        ),
        ({"method": "ccd", "face": "outside"}, ValueError, "face='outside' is not supported"),
        ({"method": "lhs", "n": -1}, ValueError, "n=-1 is invalid"),
        ({"method": "lhs", "n": 2, "categorical": "mix"}, ValueError, "categorical='mix'"),
        ({"method": "d-optimal", "n": 20, "model": "cubic"}, ValueError, "model='cubic'"),
    ],
)
def test_option_errors(mixed, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_design(mixed, **kwargs)


def test_space_type_is_checked():
    with pytest.raises(TypeError, match="expected a Space"):
        make_design([Real("a", 0, 1)], 3)


@pytest.mark.parametrize("method", ["random", "lhs", "sobol"])
def test_a_space_of_levels_gets_distinct_settings(method):
    # points drawn on levels repeat settings: 8 LHS points over 3 x 3 settings gave 6
    space = Space([Categorical("cat", ["A", "B", "C"]), Discrete("n", [1, 2, 3])])
    design = make_design(space, 8, method, rng=0)
    assert len(design) == 8 and not design.duplicated().any()
    # restricted to 14 settings: a design of 30 is all 14, with a warning (it put 17 on one)
    space = Space(
        [Categorical("cat", ["A", "B", "C"]), Discrete("n", [1, 2, 3]), Discrete("c", [0.1, 0.5])],
        constraints=["n + 2*c <= 3.5"],
        exclude=[{"cat": "C", "n": 3}],
    )
    with pytest.warns(UserWarning, match="only 14 distinct settings; the design has all 14"):
        design = make_design(space, 30, method, rng=0)
    assert len(design) == 14 and not design.duplicated().any()
    assert space.is_feasible(design).all()


@pytest.mark.parametrize("levels", [1, {"T": 1}])
def test_a_factorial_of_one_level_is_refused(levels):
    space = Space([Real("T", 60, 160), Real("p", 1, 5)])
    with pytest.raises(ValueError, match="a factorial needs at least 2 levels per factor"):
        make_design(space, method="factorial", levels=levels)


def test_a_structured_design_cut_to_one_level_of_a_factor_says_so():
    # every run at t = 10 breaks the constraint: t is left at one level
    space = Space(
        [Real("T", 60, 160), Real("t", 1, 10), Real("c", 0.1, 1)], constraints=["T + 20*t <= 250"]
    )
    with pytest.warns(UserWarning, match="'t' then has a single level, so its effect cannot"):
        design = make_design(space, method="fractional")
    assert design["t"].nunique() == 1 and len(design) == 4


def test_candidates_with_unnamed_columns_are_refused_with_the_fix():
    with pytest.raises(SpaceError, match="column 0 is not text: name the columns"):
        Space.from_candidates(pd.DataFrame([[1, 2], [3, 4]]))
